/*
 * publish.c - the one way in for every message (see publish.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "commit_hold.h"
#include "conn.h"
#include "flow.h"
#include "log.h"
#include "netflow.h"
#include "producer_audit.h"
#include "publish.h"

static bool authorized(const struct producer *p, const struct message *m, char *err,
		       size_t errlen)
{
	if (p->conn)
		return authz_allows_use(p->conn, AUTHZ_WRITE, m->dest_type,
					m->dest, err, errlen);
	return !p->who || authz_who_allows(p->who, AUTHZ_WRITE, m->dest_type, m->dest, err,
					   errlen);
}

int broker_publish_admit(const struct producer *p, const struct message *m, long long pending,
			 char *err, size_t errlen)
{
	if (!authorized(p, m, err, errlen))
		return PUBLISH_DENIED;
	enum flow_verdict verdict = flow_check_pending(m, pending, err, errlen);
	if (verdict == FLOW_FAIL)
		return PUBLISH_FULL;
	/* Held after this message: it is taken, and the next waits. The
	 * broker's own producers are not held (nothing to stop reading). */
	if (verdict == FLOW_BLOCK && p->conn)
		flow_hold(p->conn, m);
	return 0;
}

/* What follows a message that went in: the counts, and who hears of a
 * failed commit. */
static void note(const struct producer *p, const struct message *m)
{
	if (!p->conn)
		return;
	broker_note_send(p->conn, m);
	if (p->peer)
		netflow_count(p->peer, p->peer_id, NETFLOW_INBOUND, m->dest_type, m->dest);
	if (m->persistent && !p->answered_after_commit && p->commit_failed)
		broker_watch_commit(p->conn, p->commit_failed);
}

/* Whose audit p's ids go into (producer_audit.h), in who (AUDIT_WHO_MAX
 * bytes): a client's own or a bridge's, by its login, so that neither a
 * client saying it is a bridge nor one on another's ConnectionId reaches
 * another login's audit. */
#define AUDIT_WHO_MAX 512
static const char *audit_of(const struct producer *p, char *who)
{
	const char *user = p->conn && p->conn->user ? p->conn->user : "";
	snprintf(who, AUDIT_WHO_MAX, "%s:%s", p->peer ? "b" : "c", user);
	return who;
}

/* Says in a persistent m, before it is stored, whose audit its id goes
 * into, so that the master that takes over puts it there again and in no
 * other (producer_audit.h). False out of memory. */
static bool tag_audit(struct message *m, const char *who)
{
	if (!m->persistent || m->audit)
		return true;
	m->audit = strdup(who);
	return m->audit != NULL;
}

int broker_publish(const struct producer *p, struct message *m, char *err, size_t errlen)
{
	if (!p->admitted) {
		int rc = broker_publish_admit(p, m, 0, err, errlen);
		if (rc < 0)
			return rc;
	}
	/* A queue message back from a bridge that took it from here is no
	 * resend: its copy here went with that bridge (openwire_network.c). */
	bool came_back = m->dest_type == DEST_QUEUE && broker_in_path(m);
	char whose[AUDIT_WHO_MAX];
	const char *who = p->audited ? audit_of(p, whose) : NULL;
	if (p->audited && !came_back && producer_audit_seen(who, m->id)) {
		log_debug("broker", "Suppressing duplicate message send %s: the producer sent "
			  "it before", m->id);
		return 0;
	}
	if (p->conn)
		m->origin = p->conn->id;
	if (p->audited && !tag_audit(m, who)) {
		snprintf(err, errlen, "The broker is out of memory");
		return PUBLISH_FAILED;
	}
	int rc = p->hold ? commit_hold_send(p->hold, m, err, errlen) : broker_send(m, err, errlen);
	if (rc < 0)
		return PUBLISH_FAILED;
	if (p->audited)
		producer_audit_add(who, m->id);
	note(p, m);
	return 0;
}
