/*
 * commit_hold.h - a transaction's messages wait for its commit.
 *
 * A STOMP COMMIT routes its messages at once, so that their store rows
 * and entries go in the same store commit as the transaction's acks (one
 * SQLite transaction: after a crash all of it took effect or none). But
 * they must not reach a consumer before that commit is durable: an
 * auto-ack consumer once received all 1,000 messages of a transaction
 * that a kill -9 then wiped out. So each is marked held (message.h) while
 * it is routed; queue_dispatch() stops at a held entry, and the hold ends
 * when the commit is done. If the commit fails, the messages are taken
 * back out of the queues that hold them in memory: the producer hears
 * that the commit failed, and nobody may get what it sent.
 *
 * Non-transacted sends are dispatched before their commit, as ActiveMQ's
 * concurrentStoreAndDispatch does (tandemd(8)).
 *
 * Usage: h = commit_hold_new(); commit_hold_send(h, m, ...) for each
 * message, in order; commit_hold_release_after_commit(h), which takes h.
 * Loop thread only.
 */
#ifndef TANDEM_COMMIT_HOLD_H
#define TANDEM_COMMIT_HOLD_H

#include <stddef.h>

#include "message.h"

struct commit_hold;

/* NULL when memory runs out. */
struct commit_hold *commit_hold_new(void);

/* broker_send() of m, held until the commit: 0, or -1 with a reason in err
 * (then m is not held and the caller says so to the client). */
int commit_hold_send(struct commit_hold *h, struct message *m, char *err, size_t errlen);

/* Ends the hold after the commit that covers what is queued for the
 * store now (or at the end of this iteration when nothing is), and frees
 * h. Register it before the COMMIT's receipt, so that on the producer's
 * own connection the RECEIPT comes before the messages. */
void commit_hold_release_after_commit(struct commit_hold *h);

#endif
