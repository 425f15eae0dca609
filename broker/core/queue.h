/*
 * queue.h - message containers: queues, durable subscriptions and the
 * private queue of each topic subscriber all work the same way.
 *
 * A queue holds entries. An entry is one message held by one container;
 * the message itself is shared (ref-counted) between containers. An entry
 * is in exactly one place at any time:
 *   - pending: waiting in the queue's list for its priority (0..9), in
 *     arrival order (`order`), or
 *   - in flight: delivered to a consumer that must still ack it, in that
 *     consumer's list in delivery order.
 * Acking frees the entry (and its store entry); a failed delivery (NACK,
 * consumer gone) puts it back in arrival order with one more redelivery,
 * and past MAX_REDELIVERIES it goes to the dead-letter queue.
 *
 * Consumers are bound to queues through bindings, kept in each queue in
 * dispatch order: highest consumer priority first, and within a priority
 * the consumer served longest ago first (round robin).
 */
#ifndef TANDEM_QUEUE_H
#define TANDEM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

#define DLQ_NAME "ActiveMQ.DLQ"
/* ActiveMQ's RedeliveryPolicy default: 6 redeliveries, the 7th failure
 * sends the message to the DLQ. */
#define MAX_REDELIVERIES 6

struct consumer;
struct queue;

/* Where an entry is kept besides memory. */
enum entry_home {
	HOME_MEMORY,		/* nowhere: memory only */
	HOME_STORE,		/* the persistent store */
	HOME_TEMP,		/* the temp store (temp_store.h) */
};

struct qentry {
	struct message *msg;
	struct queue *queue;
	struct qentry *prev, *next;	/* pending list, or consumer's in-flight list */
	struct consumer *consumer;	/* while in flight */
	uint64_t order;			/* arrival order, broker-wide */
	uint64_t delivery_id;		/* unique per delivery, for acks */
	uint32_t redeliveries;
	enum entry_home home;		/* where (queue->container, msg->seq) is kept too */
	/* In flight, with its ack in a store commit under way (a
	 * transaction's: consumer_ack_store): it takes effect when the commit
	 * is done, and the entry must not go to anyone else meanwhile. */
	bool ack_committing;
};

struct entry_list {
	struct qentry *head, *tail;
};

enum queue_kind {
	QUEUE_NAMED,		/* a queue, /queue/NAME */
	QUEUE_DURABLE,		/* a durable topic subscription */
	QUEUE_TOPIC_SUB,	/* a non-durable topic subscriber's backlog */
	QUEUE_KINDS
};

struct binding {
	struct consumer *consumer;
	struct queue *queue;
	struct binding *qprev, *qnext;	/* in the queue, dispatch order */
	struct binding *cnext;		/* in the consumer */
};

struct queue {
	enum queue_kind kind;
	char *name;		/* queue name; "CLIENTID:SUBNAME" for durables */
	char *container;	/* store key; NULL when nothing is ever stored */
	struct entry_list pending[MSG_PRIORITY_MAX + 1];
	size_t npending;
	size_t ninflight;
	struct binding *bhead, *btail;
	size_t nconsumers;
	size_t nexclusive;	/* of them, exclusive ones (consumer.h) */
	long pending_limit;	/* topic subscribers: drop oldest beyond this; -1 none */
	long long mem_used;	/* bytes of the messages its entries hold (flow.h) */
	/* Paging: beyond QUEUE_PAGE_WINDOW pending entries, persistent
	 * messages stay on disk only, and non-persistent ones go to the temp
	 * store (as they do when memory is short); paged[p] counts those of
	 * priority p, spilled[p] the part of them in the temp store. They
	 * all have seqs above mem_max_seq[p], the highest seq of that
	 * priority ever held in memory, and are read back highest priority
	 * first, in seq order across both stores, as the queue drains. */
	size_t npaged;
	size_t paged[MSG_PRIORITY_MAX + 1];
	size_t spilled[MSG_PRIORITY_MAX + 1];
	uint64_t mem_max_seq[MSG_PRIORITY_MAX + 1];
	/* Loaded at start-up by count only (queue_load_paged): its first
	 * window is read when a consumer or a browse needs it, not before,
	 * so that taking over a backlog does not read it (issue 23). */
	bool cold;
	long long mem_limit;	/* policy memoryLimit with producerFlowControl; 0 none */
	int64_t flow_logged_ms;	/* when flow control last said so */
	/* Statistics, named as ActiveMQ's destination MBean. */
	uint64_t enqueues, dequeues, dispatched, expired, discarded;
	uint64_t wait_total_ms, wait_max_ms;	/* arrival to ack, of dequeues */
	long producers;		/* connections whose latest send came here */
	int64_t consumers_changed_ms;	/* wall clock: the last (un)bind, or creation */
	bool dirty;		/* waiting in the dispatch list */
	struct queue *next_dirty;
	struct queue *paged_prev, *paged_next;	/* in the list of those with npaged */
	/* Named, with messages and no consumer since this wall-clock time
	 * (0: not so), in the list queue_unserved_first() starts. */
	int64_t unserved_since;
	struct queue *unserved_prev, *unserved_next;
	struct queue *next;	/* registry list (named queues) */
	struct queue_purge *purge;	/* a purge going on in slices (queue_purge) */
	struct dispatch_marks *marks;	/* dispatch_mark.h; NULL until needed */
};

/* Gives q another name and container (a renamed durable subscription:
 * the store renames its entries in the same order); -1 on ENOMEM. */
int queue_rename(struct queue *q, const char *name, const char *container);
/* A new empty queue. `container` may be NULL. NULL on ENOMEM. */
struct queue *queue_new(enum queue_kind kind, const char *name,
			const char *container);
/* Frees the queue and drops its pending entries (and their store entries
 * when drop_stored). In-flight entries must have been returned first. */
void queue_free(struct queue *q, bool drop_stored);
/* Frees the entries kept for reuse (the broker stops). */
void queue_free_spare_entries(void);

/* Adds a message (one more reference is taken). When `store_it`, the
 * message is persistent and the queue has a container: a store entry is
 * queued too. Returns 0 or -1 (ENOMEM or store failure). */
int queue_enqueue(struct queue *q, struct message *m, bool store_it);
/* Start-up: n stored entries of this priority, counted and left on disk
 * (store_load_counts), read back like any paged-out entry. The queue is
 * cold until a consumer binds or queue_page_window() is called. */
void queue_load_paged(struct queue *q, int priority, size_t n);
/* Reads the first window of a cold queue now: for whoever walks its
 * waiting entries in memory (a browse, management). Nothing when the
 * queue is not cold. */
void queue_page_window(struct queue *q);

/* Marks q for dispatch at the end of this loop iteration. */
void queue_schedule(struct queue *q);

/* Schedules the queues with messages paged out and room to read them
 * back: after a commit, what they wait for may be readable. */
void queue_schedule_paged(void);
/* Dispatches every scheduled queue. */
void queue_dispatch_scheduled(void);
/* Pending entries a queue keeps in memory before it pages to the store. */
#define QUEUE_PAGE_WINDOW 1000
#define STORE_BEHIND_OPS 20000	/* see store_behind() in queue.c */
/* Bytes of non-persistent messages a queue keeps in memory beyond its
 * window before the rest goes to the temp store (queue_spools). */
#define QUEUE_SPOOL_BYTES (16LL << 20)
/* True while queues wait in the dispatch list. */
bool queue_dispatch_pending(void);

/* Whether a non-persistent message sent to q now would go to the temp
 * store (beyond the window and QUEUE_SPOOL_BYTES, memory is short, or
 * earlier messages already wait on disk). */
bool queue_spools(const struct queue *q);

/* Binding consumers. */
int queue_bind(struct queue *q, struct consumer *c);
void queue_unbind(struct binding *b);

/* Removes expired pending entries. */
void queue_expire_sweep(struct queue *q);

/* Total messages waiting (in memory or paged out) or in flight. */
static inline size_t queue_size(const struct queue *q)
{
	return q->npending + q->npaged + q->ninflight;
}

/* Messages held (queue_size summed) by every queue of a kind, kept up
 * to date as they change. */
size_t queue_held(enum queue_kind kind);

/* Named queues with messages and no consumer, in the order they became
 * so (unserved_since, oldest first), and how many there are. */
struct queue *queue_unserved_first(void);
struct queue *queue_unserved_last(void);
size_t queue_unserved_count(void);

/* A stored entry of q whose commit failed: its producer was told, so a
 * message still waiting, in memory or paged out, is dropped and no longer
 * counted as enqueued. One already delivered stays delivered. priority:
 * the message's when known (it tells which paged-out count holds it), else
 * -1. True when it was taken back. */
bool queue_forget_unwritten(struct queue *q, uint64_t seq, int priority);

/* Management. */

/* Removes every waiting message (in memory and paged out, with their
 * store entries); messages in flight stay. Those in memory go at once;
 * those paged out go in slices on the following loop iterations (q->purge
 * set meanwhile; the queue dispatches nothing until it is done), so a
 * large backlog never holds the loop. Messages that arrive meanwhile
 * stay. Logged when done. Returns how many go. */
size_t queue_purge(struct queue *q);
/* Calls fn for up to max waiting entries in dispatch order (priority,
 * then arrival), those in memory (a cold queue reads its first window
 * first, as queue_find_pending and queue_find_seq do). */
void queue_each_pending(struct queue *q, size_t max,
			void (*fn)(void *ctx, struct qentry *e), void *ctx);
/* The waiting entry (in memory) of the message with this id, or NULL; a
 * held message (commit_hold.h) is not there yet for anyone to find. */
struct qentry *queue_find_pending(struct queue *q, const char *message_id);
/* The waiting entry (in memory) that holds m, or NULL. */
struct qentry *queue_find_message(struct queue *q, const struct message *m);
/* Removes a waiting entry and its stored copy. */
void queue_remove_pending(struct queue *q, struct qentry *e);
/* The same for an entry whose send was refused after it was routed (its
 * transaction's commit failed): it was never enqueued, so it is taken back
 * from EnqueueCount instead of counting as dequeued. */
void queue_take_back(struct queue *q, struct qentry *e);
/* The same for m, which q put in the temp store while it was held (it
 * stays there until its hold ends: commit_hold.h). True when taken. */
bool queue_take_back_spilled(struct queue *q, const struct message *m);

/* Entry transitions, used by consumer.c. */
void entry_acked(struct qentry *e);		/* in flight -> gone */
/* Queues the removal of e's stored copy now (an ack that takes effect in
 * memory after the commit: commit_hold.h); e is memory-only from here. */
void entry_unstore(struct qentry *e);
void entry_redeliver(struct qentry *e);		/* in flight -> pending or DLQ */
void entry_give_back(struct qentry *e, bool count);	/* count=false: not a redelivery */
/* pending or in flight -> in flight to `to`, as if delivered to it: an
 * entry a prepared transaction acked, kept from every consumer until the
 * transaction ends (txn.h). */
void entry_park(struct qentry *e, struct consumer *to);
/* The waiting entry (in memory) of the message with this seq, or NULL. */
struct qentry *queue_find_seq(struct queue *q, uint64_t seq);
/* in flight -> the DLQ at once (broker_dead_letter: a non-persistent
 * message, or one from the DLQ itself, is dropped instead) */
void entry_dead_letter(struct qentry *e, const char *cause);
void entry_list_remove(struct entry_list *l, struct qentry *e);
void entry_list_append(struct entry_list *l, struct qentry *e);

#endif
