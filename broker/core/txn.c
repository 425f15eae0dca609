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
#include "consumer.h"
#include "dispatch_mark.h"
#include "flow.h"
#include "log.h"
#include "queue.h"
#include "store.h"
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
	char *prepared;		/* its txid once prepared */
	/* Once prepared, the entries its acks named, in flight to nobody:
	 * a consumer of no queue, which only holds them. */
	struct consumer parked;
	struct txn *next_recovered;	/* txn_recover()'s list */
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

/* Gives back what a prepared t acked: as a redelivery when it was rolled
 * back, else (the broker stops) as it was. */
static void unpark(struct txn *t, bool redelivered)
{
	while (t->parked.inflight.head)
		entry_give_back(t->parked.inflight.head, redelivered);
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	unpark(t, false);
	free(t->prepared);
	while (t->head) {
		struct txn_op *op = t->head;
		t->head = op->next;
		if (op->msg)
			message_entry_removed(op->msg);
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

void txn_rollback(struct txn *t)
{
	if (t && t->prepared && broker.store &&
	    store_remove_prepared(broker.store, t->prepared) < 0)
		log_error("broker", "Cannot remove prepared transaction %s from the store: out "
			  "of memory; it comes back after a restart", t->prepared);
	if (t)
		unpark(t, true);
	txn_free(t);
}

static int append(struct txn *t, struct message *m, void *ack)
{
	struct txn_op *op = calloc(1, sizeof *op);
	if (!op)
		return -1;
	op->msg = m ? message_ref(m) : NULL;
	/* Counted in the transaction's own bytes (flow_check_pending), not
	 * among the messages nobody holds. */
	if (m)
		message_entry_added(m);
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
	while (t->parked.inflight.head)
		consumer_ack(&t->parked, t->parked.inflight.head, false);
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
		else if (op->ack)
			t->ops->store(c->state, op->ack);
	}
	for (struct qentry *e = t->parked.inflight.head; e; e = e->next)
		consumer_ack_store(&t->parked, e, false);
	/* After the routing: its messages have their queues' entries by then. */
	if (t->prepared && broker.store && store_remove_prepared(broker.store, t->prepared) < 0) {
		snprintf(err, errlen, "The broker could not commit: out of memory");
		rc = -1;
	}
	commit_hold_release_after_commit(hold);
	t->conn = c;
	conn_ref(c);
	broker_after_commit(acks_done, t);
	return rc;
}

/* ---- prepared transactions ---- */

/* The entries ack names move to t's parked consumer. */
static void park(struct txn *t, void *owner, void *ack)
{
	struct consumer *c = NULL;
	bool cumulative = false;
	struct qentry *e = t->ops->resolve ? t->ops->resolve(owner, ack, &c, &cumulative) : NULL;
	if (!e)
		return;
	while (cumulative && c->inflight.head != e)
		entry_park(c->inflight.head, &t->parked);
	entry_park(e, &t->parked);
}

/* What the store keeps of a prepared t: its messages, its acks, its id. */
static int store_prepared(struct txn *t, struct store *st)
{
	char *container = store_prepared_container(t->prepared);
	int rc = container ? 0 : -1;
	for (struct txn_op *op = t->head; op && rc == 0; op = op->next)
		if (op->msg && op->msg->persistent)
			rc = store_add_message(st, op->msg) < 0 ||
			     store_add_entry(st, container, op->msg->seq) < 0 ? -1 : 0;
	for (struct qentry *e = t->parked.inflight.head; e && rc == 0; e = e->next)
		if (e->home == HOME_STORE && e->queue->container)
			rc = store_add_prepared_ack(st, t->prepared, e->queue->container,
						    e->msg->seq);
	free(container);
	return rc == 0 ? store_add_prepared(st, t->prepared) : -1;
}

int txn_prepare(struct txn *t, void *owner, const char *txid)
{
	if (!(t->prepared = strdup(txid)))
		return -1;
	for (struct txn_op *op = t->head; op; op = op->next) {
		if (!op->ack)
			continue;
		park(t, owner, op->ack);
		t->ops->free(op->ack);
		op->ack = NULL;
	}
	if (broker.store && store_prepared(t, broker.store) < 0) {
		free(t->prepared);
		t->prepared = NULL;
		return -1;
	}
	return 0;
}

const char *txn_prepared(const struct txn *t)
{
	return t->prepared;
}

/* Start-up: the prepared transactions read back, until handed over. */
static struct txn *recovered;

static struct txn *recovered_txn(const char *txid)
{
	struct txn *t = recovered;
	while (t && strcmp(t->prepared, txid))
		t = t->next_recovered;
	if (t)
		return t;
	if (!(t = txn_new(NULL)) || !(t->prepared = strdup(txid))) {
		txn_free(t);
		return NULL;
	}
	t->next_recovered = recovered;
	recovered = t;
	return t;
}

void txn_loaded_message(const char *container, struct message *m)
{
	struct txn *t = recovered_txn(container + strlen(STORE_PREPARED_PREFIX));
	if (!t || append(t, m, NULL) < 0)
		log_error("store", "Cannot restore message %s of prepared transaction %s: out of "
			  "memory", m->id, container + strlen(STORE_PREPARED_PREFIX));
	message_unref(m);
}

static void on_prepared(void *ctx, const char *txid)
{
	(void)ctx;
	if (!recovered_txn(txid))
		log_error("store", "Cannot restore prepared transaction %s: out of memory", txid);
}

static void on_prepared_ack(void *ctx, const char *txid, const char *container, uint64_t seq)
{
	(void)ctx;
	struct txn *t = recovered_txn(txid);
	struct queue *q = broker_container_queue(container);
	struct qentry *e = q ? queue_find_seq(q, seq) : NULL;
	if (t && e) {
		/* The delivery a dispatch mark counted for it at loading is the
		 * one this transaction acked; its rollback counts that one. */
		if (dispatch_mark_covers(q, e->msg))
			e->redeliveries = 0;
		entry_park(e, &t->parked);
	} else
		log_warn("store", "Prepared transaction %s acked message %llu of %s, which is not "
			 "in memory: it may be delivered before the transaction ends", txid,
			 (unsigned long long)seq, container);
}

int txn_recover(struct store *st, void (*fn)(void *ctx, const char *txid, struct txn *t),
		void *ctx)
{
	int rc = store_load_prepared(st, on_prepared, on_prepared_ack, NULL);
	size_t n = 0;
	while (recovered) {
		struct txn *t = recovered;
		recovered = t->next_recovered;
		t->next_recovered = NULL;
		n++;
		fn(ctx, t->prepared, t);
	}
	if (n)
		log_info("store", "%zu prepared transaction(s) recovered, waiting for a commit or "
			 "a rollback", n);
	return rc;
}
