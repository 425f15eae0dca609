/*
 * openwire_send.c - a producer's messages into the core: each through
 * broker_publish(), which owns the policy (authorization, flow control,
 * routing); a send that asks for an answer gets its Response once the
 * message is durable, or an ExceptionResponse naming the Java exception
 * the client throws.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "conn.h"
#include "openwire_conn.h"
#include "openwire_message.h"
#include "openwire_network.h"
#include "publish.h"
#include "temp_dest.h"

/* ActiveMQ's default wireFormat.maxFrameSize. */
#define OW_INFLATE_MAX 104857600

/* ---- answers after the commit ---- */

struct answer {
	struct conn *conn;
	int32_t correlation;
};

static void answer_done(void *ctx, int err)
{
	struct answer *a = ctx;
	struct conn *c = a->conn;
	struct ow_conn *oc = c->state;
	if (!c->dead && !c->closing && oc) {
		struct ow_command cmd = { .command_id = a->correlation, .response_required = true };
		if (err < 0)
			ow_refuse(oc, &cmd, EX_IO, "The broker could not make the message "
				  "durable: %s", strerror(-err));
		else
			ow_send_response(oc, a->correlation);
	}
	conn_unref(c);
	free(a);
}

int ow_answer_after_commit(struct ow_conn *oc, int32_t correlation)
{
	struct answer *a = calloc(1, sizeof *a);
	if (!a)
		return -1;
	a->conn = oc->conn;
	a->correlation = correlation;
	conn_ref(oc->conn);
	broker_after_commit(answer_done, a);
	return 0;
}

/* A commit holding a one-way persistent send failed. */
static void commit_failed(struct conn *c, int err)
{
	struct ow_conn *oc = c->state;
	if (oc)
		ow_refuse(oc, NULL, EX_IO, "The broker could not make persistent messages "
			  "sent on this connection durable: %s", strerror(-err));
}

/* What a compressed body may inflate to: the frame the client could have
 * sent it plain in (wireFormat.maxFrameSize as negotiated). */
static size_t inflate_max(const struct ow_conn *oc)
{
	size_t max = conn_frame_max(oc->conn, OW_INFLATE_MAX);
	return oc->max_frame > 0 && (uint64_t)oc->max_frame < max ? (size_t)oc->max_frame : max;
}

/* Whether the producer audit looks at om's MessageId. A client's own ids
 * name its connection (ConnectionId:session:producer:sequence), and its
 * failover resends come with the same ConnectionId: only those are
 * audited, so that a client cannot get another client's next message
 * dropped (and answered as taken) by sending its id first, nor after a
 * takeover (the store keeps that its id was in no audit). A bridge
 * forwards the ids of other brokers' clients: its are audited all, in
 * its login's audit (publish.c audit_of), which no client reaches. */
static bool audited(const struct ow_conn *oc, const struct ow_message *om)
{
	if (oc->peer_name)
		return true;
	const struct ow_producer_id *p = om->message_id ? om->message_id->producer_id : NULL;
	return p && oc->connection_id && p->connection_id.s &&
	       p->connection_id.len == oc->connection_id_len &&
	       !memcmp(p->connection_id.s, oc->connection_id, oc->connection_id_len);
}

int ow_on_message(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message *om = (void *)o;
	const struct ow_command *cmd = &om->c;
	enum dest_type type;
	char *dest;
	if (ow_dest_of(oc, cmd, om->destination, &type, &dest) < 0)
		return -1;
	char err[700];
	bool oom;
	struct message *m = ow_message_to_core(om, type, dest, inflate_max(oc), &oom,
					       err, sizeof err);
	if (!m) {
		ow_refuse(oc, cmd, EX_JMS, "%s", err);
		return -1;
	}
	if (temp_dest_is_temp(m->dest))
		m->persistent = false;	/* it dies with its connection anyway */
	if (oc->peer_name && !ow_network_accepts(oc, m)) {
		message_unref(m);
		return 0;	/* dropped, and answered as if taken */
	}
	/* audited: a resend after a failover is known by its MessageId
	 * (producer_audit.h). */
	struct producer pr = { .conn = oc->conn, .peer = oc->peer_name, .peer_id = oc->peer_id,
			       .commit_failed = commit_failed,
			       .answered_after_commit = cmd->response_required,
			       .audited = audited(oc, om) };
	/* A transaction's send takes effect at its commit (openwire_tx.c). */
	int rc = om->transaction_id ? ow_tx_send(oc, om, &pr, m, err, sizeof err)
				    : broker_publish(&pr, m, err, sizeof err);
	message_unref(m);
	if (rc < 0) {
		ow_refuse(oc, cmd, rc == PUBLISH_DENIED ? EX_SECURITY
				   : rc == PUBLISH_FULL ? EX_FULL : EX_JMS, "%s", err);
		return -1;
	}
	ow_producer_ack(oc, om);
	if (om->transaction_id)
		return 0;
	if (cmd->response_required && ow_answer_after_commit(oc, cmd->command_id) < 0) {
		ow_refuse(oc, cmd, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 1;
}
