/*
 * publish.h - the one way in for every message a producer sends.
 *
 * Every producer (STOMP SEND and COMMIT, MQTT PUBLISH and wills, the REST
 * API and the console's send page, the management socket's send, copy,
 * move and retry, advisories, and network bridges, which come in as STOMP)
 * goes through broker_publish(), which owns the core's policy:
 * authorization, producer flow control (memoryLimit, memoryUsage,
 * storeUsage, tempUsage, sendFailIfNoSpace), routing, the producer
 * counts, the network flow count and the watch on the commit. What
 * differs per producer (whose rights, how it is held back, how a failed
 * commit is told) is said in struct producer.
 */
#ifndef TANDEM_PUBLISH_H
#define TANDEM_PUBLISH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "message.h"

struct authz_who;
struct commit_hold;
struct conn;

struct producer {
	/* The client's connection, or NULL for the broker's own producers
	 * (management, the web console, advisories), which are never held:
	 * past a limit without sendFailIfNoSpace their message goes in. */
	struct conn *conn;
	/* Whose rights a producer without a connection has; NULL: none to
	 * check (the management socket checks each operation before it
	 * runs; advisories are the broker's). A connection's come with it. */
	const struct authz_who *who;
	/* A network bridge's remote broker (name, id): its messages counted
	 * in the network flows. No rights come with it (authz.h). */
	const char *peer, *peer_id;
	/* A persistent message whose commit fails is told to the producer
	 * this way, unless it is answered after the commit anyway (a
	 * receipt, a PUBACK). NULL: nobody to tell. */
	void (*commit_failed)(struct conn *c, int err);
	bool answered_after_commit;
	/* The rights and flow control were met already, by
	 * broker_publish_admit(): when a transaction's message was sent, or
	 * before an MQTT retained copy was kept. */
	bool admitted;
	/* A transaction's commit: the message waits for it (commit_hold.h). */
	struct commit_hold *hold;
	/* The message id is the producer's own (an OpenWire MessageId,
	 * PRODUCER:SEQUENCE): one that went in already is a resend after a
	 * failover, taken as sent but not routed again (producer_audit.h),
	 * in its login's audit, a client's apart from a bridge's (peer
	 * set). */
	bool audited;
};

/* What a refusal was, as negative errno values. */
#define PUBLISH_DENIED (-EACCES)	/* not authorized */
#define PUBLISH_FULL (-EBUSY)		/* past a limit, with sendFailIfNoSpace */
#define PUBLISH_FAILED (-EIO)		/* out of memory, or the store */

/* Whether p may send m now, with `pending` bytes of its own not yet
 * routed (a transaction's earlier messages, which take room once
 * committed): 0, or a PUBLISH_* refusal with the reason in err (ActiveMQ's
 * words, which clients show). A producer that flow control would hold is
 * held (flow_hold) and admitted. */
int broker_publish_admit(const struct producer *p, const struct message *m, long long pending,
			 char *err, size_t errlen);

/* Admits m (unless p->admitted), routes it,
 * and counts it: 0, or a PUBLISH_* refusal with the reason in err.
 * Takes no reference of the caller's. */
int broker_publish(const struct producer *p, struct message *m, char *err, size_t errlen);

#endif
