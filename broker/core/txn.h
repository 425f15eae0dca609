/*
 * txn.h - a client's transaction, as every protocol keeps one (STOMP's
 * BEGIN/COMMIT/ABORT, OpenWire's TransactionInfo).
 *
 * A transaction collects sends and acks. A send meets the policy when it
 * is sent (authorization, flow control, sendFailIfNoSpace, counting what
 * the transaction holds already: its messages take room once committed);
 * a refused one leaves the transaction able only to roll back, or its
 * commit would deliver part of it. At the commit the messages are routed
 * held (commit_hold.h) and the acks' store halves queued, so that both go
 * to the store in one SQLite transaction; the acks take effect in memory,
 * and the messages reach consumers, once that commit is durable. A
 * rollback frees it: its sends never happen, its acked messages stay
 * unacked (the client redelivers them, or they go back to their queue
 * when the consumer closes).
 *
 * An ack is the protocol's own record (which subscription, which
 * message), resolved at the commit through struct txn_ack_ops: the
 * message may have gone back to its queue since (a closed subscription),
 * and then there is nothing left to ack.
 *
 * A transaction may be prepared first (XA's two phases): the entries its
 * acks name are then kept from every consumer (closing the one they were
 * delivered to does not give them back), and its id, its persistent
 * messages and those entries go to the store, where they survive a
 * restart until it is committed or rolled back (txn_recover()).
 *
 * Usage: t = txn_new(&ops); txn_send()/txn_ack() as they come; then
 * txn_commit(t, ...), or txn_rollback(t); txn_prepare() between them for
 * two phases. Loop thread only.
 */
#ifndef TANDEM_TXN_H
#define TANDEM_TXN_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "publish.h"

struct conn;
struct consumer;
struct qentry;
struct store;
struct txn;

struct txn_ack_ops {
	/* The store half of ack, at the commit (consumer_ack_store). owner
	 * is the connection's protocol state (conn->state). */
	void (*store)(void *owner, void *ack);
	/* The memory half, once that commit is done, whatever its outcome
	 * (as any ack then: the failure is told to the client, and the
	 * messages stay out of memory until a restart brings them back).
	 * Not called when the connection is gone. */
	void (*apply)(void *owner, void *ack);
	void (*free)(void *ack);
	/* For txn_prepare(): the in-flight entry ack names now, with its
	 * consumer, and whether the ack is for those delivered before it
	 * too; NULL when there is none (or it is no ack: a poison ack is
	 * not kept by a prepared transaction). */
	struct qentry *(*resolve)(void *owner, void *ack, struct consumer **c,
				  bool *cumulative);
};

/* NULL when memory runs out. */
struct txn *txn_new(const struct txn_ack_ops *ops);
/* Frees t, in memory only: a transaction not prepared is rolled back so;
 * a prepared one stays in the store (the broker stops). NULL is allowed. */
void txn_free(struct txn *t);
/* A rollback: a prepared t leaves the store too, and the messages it
 * acked go back to their queues as redelivered. Frees t. */
void txn_rollback(struct txn *t);

/* A send in t: m meets p's policy now (broker_publish_admit) and waits
 * for the commit (one more reference). 0, or a PUBLISH_* refusal with the
 * reason in err; then t can only roll back. */
int txn_send(struct txn *t, const struct producer *p, struct message *m, char *err,
	     size_t errlen);
/* An ack in t (taken, freed by ops->free whatever the outcome): 0, or -1
 * when memory runs out. */
int txn_ack(struct txn *t, void *ack);

/* Why t can only roll back (a send in it was refused), or NULL. */
const char *txn_rollback_only(const struct txn *t);
/* Whether t holds nothing. */
bool txn_empty(const struct txn *t);

/* Commits t (taken) for connection c, its sends as producer p: 0, or -1
 * with the reason in err (out of memory, or a send refused at routing:
 * the operations after it are dropped). Whoever answers the client does
 * it after the commit (broker_after_commit) registered after this call.
 * Call txn_rollback_only() first. */
int txn_commit(struct txn *t, struct conn *c, const struct producer *p, char *err,
	       size_t errlen);

/* Prepares t under txid (the protocol's name for it, which it can read
 * back after a restart): 0, or -1 out of memory (then t is as it was
 * but for acks already kept). owner as for txn_ack_ops. Whoever answers
 * registers broker_after_commit() after this call. */
int txn_prepare(struct txn *t, void *owner, const char *txid);
/* Its txid once prepared, else NULL. */
const char *txn_prepared(const struct txn *t);

/* Start-up, after the store's entries are loaded: calls fn for each
 * prepared transaction the store holds, handing t over. 0 or -1
 * (logged). */
int txn_recover(struct store *st, void (*fn)(void *ctx, const char *txid, struct txn *t),
		void *ctx);
/* broker.c's loader: a stored message of a prepared transaction's
 * container (STORE_PREPARED_PREFIX), with its reference. */
void txn_loaded_message(const char *container, struct message *m);

#endif
