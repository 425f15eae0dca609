/*
 * txn.c - a client's transaction: its sends and acks wait for the commit
 * (see txn.h). The code both STOMP and OpenWire use; each keeps its
 * transactions by its own ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "commit_hold.h"
#include "conn.h"
#include "flow.h"
#include "txn.h"

struct txn_op {
	struct message *msg;	/* a send (one reference), or NULL */
	void *ack;		/* an ack: the protocol's record */
	struct txn_op *next;
};

struct txn {
	const struct txn_ack_ops *ops;
	struct txn_op *head, **tail;
	long long bytes;	/* what its messages will take (flow_message_cost) */
	/* A send in it was refused: `refused` says why (NULL when memory
	 * ran out keeping the reason). */
	bool rollback_only;
	char *refused;
	struct conn *conn;	/* txn_commit's, one reference */
};

struct txn *txn_new(const struct txn_ack_ops *ops)
{
	struct txn *t = calloc(1, sizeof *t);
	if (t) {
		t->ops = ops;
		t->tail = &t->head;
	}
	return t;
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	while (t->head) {
		struct txn_op *op = t->head;
		t->head = op->next;
		message_unref(op->msg);
		if (op->ack)
			t->ops->free(op->ack);
		free(op);
	}
	if (t->conn)
		conn_unref(t->conn);
	free(t->refused);
	free(t);
}

static int append(struct txn *t, struct message *m, void *ack)
{
	struct txn_op *op = calloc(1, sizeof *op);
	if (!op)
		return -1;
	op->msg = m ? message_ref(m) : NULL;
	op->ack = ack;
	*t->tail = op;
	t->tail = &op->next;
	return 0;
}

int txn_send(struct txn *t, const struct producer *p, struct message *m, char *err,
	     size_t errlen)
{
	int rc = broker_publish_admit(p, m, t->bytes, err, errlen);
	if (rc == 0 && append(t, m, NULL) < 0) {
		snprintf(err, errlen, "The broker could not keep the message: out of memory");
		rc = PUBLISH_FAILED;
	}
	if (rc == 0)
		t->bytes += flow_message_cost(m);
	else if (!t->rollback_only) {
		t->rollback_only = true;
		t->refused = strdup(err);
	}
	return rc;
}

int txn_ack(struct txn *t, void *ack)
{
	if (append(t, NULL, ack) == 0)
		return 0;
	t->ops->free(ack);
	return -1;
}

const char *txn_rollback_only(const struct txn *t)
{
	if (!t->rollback_only)
		return NULL;
	return t->refused ? t->refused : "(the reason was lost: out of memory)";
}

bool txn_empty(const struct txn *t)
{
	return !t->head;
}

/* The commit is done: the acks take effect in memory (their store half
 * went in that commit). */
static void acks_done(void *ctx, int err)
{
	(void)err;
	struct txn *t = ctx;
	void *owner = t->conn->dead ? NULL : t->conn->state;
	for (struct txn_op *op = t->head; op && owner; op = op->next)
		if (op->ack)
			t->ops->apply(owner, op->ack);
	txn_free(t);
}

int txn_commit(struct txn *t, struct conn *c, const struct producer *p, char *err,
	       size_t errlen)
{
	struct commit_hold *hold = commit_hold_new();
	if (!hold) {
		txn_free(t);
		snprintf(err, errlen, "The broker could not commit: out of memory");
		return -1;
	}
	struct producer held = *p;
	held.admitted = true;	/* at txn_send */
	held.hold = hold;
	int rc = 0;
	for (struct txn_op *op = t->head; op && rc == 0; op = op->next) {
		if (op->msg)
			rc = broker_publish(&held, op->msg, err, errlen) < 0 ? -1 : 0;
		else
			t->ops->store(c->state, op->ack);
	}
	commit_hold_release_after_commit(hold);
	t->conn = c;
	conn_ref(c);
	broker_after_commit(acks_done, t);
	return rc;
}
