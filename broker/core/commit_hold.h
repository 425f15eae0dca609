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
 * back out of the queues that hold them in memory, and out of their
 * counts (broker_route_taken_back): the producer hears that the commit
 * failed, and nobody may get what it sent.
 *
 * A held message that is not persistent may go to the temp store instead
 * of memory (queue_spools): what paging in reads back from there is a new
 * copy, which does not say held. So queue.c tells each such spill
 * (commit_hold_spilled), and asks before it takes a copy from the temp
 * store (commit_hold_spill_waits): one of a running commit waits there,
 * with all behind it; after a failed commit it is removed from there.
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

#include <stdbool.h>
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

/* The queue of `container` puts held message m in the temp store: 0, or
 * -1 out of memory (then it must not). */
int commit_hold_spilled(const struct message *m, const char *container);

/* True when copy, just read back from the temp store, is a message whose
 * hold has not ended: it stays there, and those behind it too. */
bool commit_hold_spill_waits(const struct message *copy);

/* Forgets every spill (the temp store is gone: broker stop). */
void commit_hold_forget_spills(void);

#endif
