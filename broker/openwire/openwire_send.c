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
#include "publish.h"

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

/* The Response once everything the command caused is durable. */
static int answer_after_commit(struct ow_conn *oc, int32_t correlation)
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

/* The MessageId as the client's MessageId.toString() writes it:
 * CONNECTION:SESSION:PRODUCER:SEQUENCE, or its text view. NULL without one
 * or when memory runs out. */
static char *client_message_id(const struct ow_message_id *id)
{
	bool oom = false;
	if (!id)
		return NULL;
	if (id->text_view.s && id->text_view.len)
		return ow_utf8_of(&id->text_view, &oom);
	const struct ow_producer_id *p = id->producer_id;
	char *conn = p ? ow_utf8_of(&p->connection_id, &oom) : NULL, *s = NULL;
	if (conn && asprintf(&s, "%s:%" PRId64 ":%" PRId64 ":%" PRId64, conn, p->session_id,
			     p->value, id->producer_sequence_id) < 0)
		s = NULL;
	free(conn);
	return s;
}

/* The message keeps the id its producer gave it, as ActiveMQ's broker
 * does: a STOMP consumer's message-id is the JMSMessageID, and the
 * producer audit (producer_audit.h) knows a resend after a failover by
 * it, here and on the master that loads it from the store. m is not
 * shared yet. */
static void keep_client_id(struct message *m, const struct ow_message *om)
{
	char *id = client_message_id(om->message_id);
	if (id) {
		free(m->id);
		m->id = id;
	}
}

int ow_on_message(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message *om = (void *)o;
	const struct ow_command *cmd = &om->c;
	if (o->type != OW_TEXT_MESSAGE) {
		ow_refuse(oc, cmd, EX_JMS, "Only TextMessages are served over OpenWire by "
			  "this version of Tandem yet");
		return -1;
	}
	if (om->transaction_id) {
		ow_refuse(oc, cmd, EX_JMS, "Transacted sessions are not served over "
			  "OpenWire by this version of Tandem yet");
		return -1;
	}
	if (om->compressed) {
		ow_refuse(oc, cmd, EX_JMS, "Compressed messages are not served over "
			  "OpenWire by this version of Tandem yet");
		return -1;
	}
	enum dest_type type;
	char *dest;
	if (ow_dest_of(oc, cmd, om->destination, &type, &dest) < 0)
		return -1;
	char err[700];
	bool oom;
	struct message *m = ow_message_to_core(om, type, dest, &oom, err, sizeof err);
	if (!m) {
		ow_refuse(oc, cmd, EX_JMS, "%s", err);
		return -1;
	}
	keep_client_id(m, om);
	struct producer pr = { .conn = oc->conn, .commit_failed = commit_failed,
			       .answered_after_commit = cmd->response_required,
			       .audited = true };
	int rc = broker_publish(&pr, m, err, sizeof err);
	message_unref(m);
	if (rc < 0) {
		ow_refuse(oc, cmd, rc == PUBLISH_DENIED ? EX_SECURITY
				   : rc == PUBLISH_FULL ? EX_FULL : EX_JMS, "%s", err);
		return -1;
	}
	if (cmd->response_required && answer_after_commit(oc, cmd->command_id) < 0) {
		ow_refuse(oc, cmd, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 1;
}
