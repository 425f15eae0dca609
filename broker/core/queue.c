/*
 * queue.c - containers of entries and their dispatch (see queue.h).
 *
 * Dispatch walks pending entries from the highest priority down, each
 * priority in arrival order, and offers each to the first bound consumer
 * (in dispatch order) that has room and whose selector accepts it. It stops
 * as soon as no consumer has room at all. A consumer served moves behind
 * the other consumers of its priority, which gives round robin. While
 * exclusive consumers are bound, only one of them (exclusive_owner) is
 * offered anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "broker.h"
#include "commit_hold.h"
#include "consumer.h"
#include "dispatch_mark.h"
#include "log.h"
#include "loop.h"
#include "flow.h"
#include "queue.h"
#include "store.h"
#include "temp_store.h"

static struct queue *dirty_head, *dirty_tail;

/* Messages held by the queues of each kind: the broker's totals are read
 * often, and a walk of 100,000 queues to add them up took 5-9 ms. */
static size_t held[QUEUE_KINDS];

/* Named queues with messages and no consumer, oldest first: Health
 * names the long-idle ones without walking every queue. */
static struct queue *unserved_head, *unserved_tail;
static size_t unserved_n;

size_t queue_held(enum queue_kind kind)
{
	return held[kind];
}

struct queue *queue_unserved_first(void)
{
	return unserved_head;
}

struct queue *queue_unserved_last(void)
{
	return unserved_tail;
}

size_t queue_unserved_count(void)
{
	return unserved_n;
}

static void unserved_unlink(struct queue *q)
{
	if (!q->unserved_since)
		return;
	if (q->unserved_prev)
		q->unserved_prev->unserved_next = q->unserved_next;
	else
		unserved_head = q->unserved_next;
	if (q->unserved_next)
		q->unserved_next->unserved_prev = q->unserved_prev;
	else
		unserved_tail = q->unserved_prev;
	q->unserved_prev = q->unserved_next = NULL;
	q->unserved_since = 0;
	unserved_n--;
}

/* Joins or leaves the unserved list after a change of size or consumers.
 * Joining at the tail keeps the list in unserved_since order. */
static void unserved_follow(struct queue *q)
{
	bool unserved = q->kind == QUEUE_NAMED && !q->nconsumers && queue_size(q);
	if (unserved == (q->unserved_since != 0))
		return;
	if (!unserved) {
		unserved_unlink(q);
		return;
	}
	q->unserved_since = broker.now_wall > 0 ? broker.now_wall : 1;
	q->unserved_prev = unserved_tail;
	if (unserved_tail)
		unserved_tail->unserved_next = q;
	else
		unserved_head = q;
	unserved_tail = q;
	unserved_n++;
}

/* Every change of npending, npaged and ninflight goes through here, so
 * that the totals and the unserved list follow them. */
static void recount(struct queue *q, size_t *n, long delta)
{
	*n += (size_t)delta;
	held[q->kind] += (size_t)delta;
	unserved_follow(q);
}

void entry_list_remove(struct entry_list *l, struct qentry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

void entry_list_append(struct entry_list *l, struct qentry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
}

/* Puts e back in arrival order; returned entries are usually older than
 * anything pending, so the walk from the head is short. */
static void pending_insert_ordered(struct queue *q, struct qentry *e)
{
	struct entry_list *l = &q->pending[e->msg->priority];
	struct qentry *at = l->head;
	while (at && at->order < e->order)
		at = at->next;
	if (!at) {
		entry_list_append(l, e);
	} else {
		e->next = at;
		e->prev = at->prev;
		if (at->prev)
			at->prev->next = e;
		else
			l->head = e;
		at->prev = e;
	}
	recount(q, &q->npending, 1);
}

int queue_rename(struct queue *q, const char *name, const char *container)
{
	char *n = strdup(name), *c = container ? strdup(container) : NULL;
	if (!n || (container && !c)) {
		free(n);
		free(c);
		return -1;
	}
	free(q->name);
	free(q->container);
	q->name = n;
	q->container = c;
	return 0;
}

struct queue *queue_new(enum queue_kind kind, const char *name,
			const char *container)
{
	struct queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->kind = kind;
	q->name = strdup(name);
	q->container = container ? strdup(container) : NULL;
	q->pending_limit = -1;
	q->consumers_changed_ms = broker.now_wall;
	if (!q->name || (container && !q->container)) {
		free(q->name);
		free(q->container);
		free(q);
		return NULL;
	}
	return q;
}

/* Entries freed are kept for the next ones, up to a bound: one is made
 * and freed per message per queue or subscriber, and a burst of them
 * outruns malloc's own per-size cache. */
#define SPARE_ENTRIES_MAX 4096
static struct qentry *spare_entries;
static size_t nspare_entries;

static struct qentry *entry_new(void)
{
	struct qentry *e = spare_entries;
	if (!e)
		return calloc(1, sizeof *e);
	spare_entries = e->next;
	nspare_entries--;
	memset(e, 0, sizeof *e);
	return e;
}

/* What an entry holds against the memory limits: its message, and
 * itself (a 10 KB message hardly notices, a 100-byte MQTT message held
 * by a thousand subscriptions does). */
static long long entry_cost(const struct message *m)
{
	return flow_message_cost(m) + (long long)sizeof(struct qentry);
}

static void entry_free(struct qentry *e)
{
	flow_charge(e->queue, -entry_cost(e->msg));
	message_entry_removed(e->msg);
	message_unref(e->msg);
	if (nspare_entries == SPARE_ENTRIES_MAX) {
		free(e);
		return;
	}
	e->next = spare_entries;
	spare_entries = e;
	nspare_entries++;
}

void queue_free_spare_entries(void)
{
	while (spare_entries) {
		struct qentry *e = spare_entries;
		spare_entries = e->next;
		free(e);
	}
	nspare_entries = 0;
}

/* The store that keeps the entry besides memory, or NULL. */
static struct store *home_store(const struct qentry *e)
{
	return e->home == HOME_STORE ? broker.store
	       : e->home == HOME_TEMP ? temp_store_if_open() : NULL;
}

/* Forgets the entry's copy in a store, if it has one. */
static void unstore(struct queue *q, struct qentry *e)
{
	struct store *st = home_store(e);
	if (st)
		store_remove_entry(st, q->container, e->msg->seq);
}

/* Forgets a pending entry, with its store entry when asked. */
static void drop_pending(struct queue *q, struct qentry *e, bool drop_stored)
{
	entry_list_remove(&q->pending[e->msg->priority], e);
	recount(q, &q->npending, -1);
	if (drop_stored)
		unstore(q, e);
	entry_free(e);
}

/* The queues with messages paged out, so that a commit does not read
 * every queue of a broker with thousands (queue_schedule_paged). */
static struct queue *paged_head;

/* Keeps q in that list exactly while it has messages paged out. */
static void paged_changed(struct queue *q)
{
	bool listed = q->paged_prev || paged_head == q;
	if (q->npaged && !listed) {
		q->paged_next = paged_head;
		if (paged_head)
			paged_head->paged_prev = q;
		paged_head = q;
	} else if (!q->npaged && listed) {
		if (q->paged_prev)
			q->paged_prev->paged_next = q->paged_next;
		else
			paged_head = q->paged_next;
		if (q->paged_next)
			q->paged_next->paged_prev = q->paged_prev;
		q->paged_prev = q->paged_next = NULL;
	}
}

void queue_schedule_paged(void)
{
	for (struct queue *q = paged_head; q; q = q->paged_next)
		if (q->npending < QUEUE_PAGE_WINDOW / 2)
			queue_schedule(q);
}

/* A purge under way in slices (queue_purge). */
struct queue_purge {
	uint64_t timer;				/* the next slice's */
	int64_t slice_start_us;
	size_t left[MSG_PRIORITY_MAX + 1];	/* paged-out entries still to remove */
	size_t total;				/* for the log */
	unsigned slices;			/* loop turns it took, for the log */
};

void queue_free(struct queue *q, bool drop_stored)
{
	if (!q)
		return;
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++)
		while (q->pending[p].head)
			drop_pending(q, q->pending[p].head, drop_stored);
	while (q->bhead)
		queue_unbind(q->bhead);
	recount(q, &q->npaged, -(long)q->npaged);
	paged_changed(q);
	unserved_unlink(q);
	if (q->dirty) {	/* unlink from the dispatch list */
		struct queue **pp = &dirty_head, *prev = NULL;
		while (*pp && *pp != q) {
			prev = *pp;
			pp = &(*pp)->next_dirty;
		}
		if (*pp)
			*pp = q->next_dirty;
		if (dirty_tail == q)
			dirty_tail = prev;
	}
	if (q->purge) {
		loop_del_timer(broker.loop, q->purge->timer);
		free(q->purge);
	}
	dispatch_mark_free(q);
	free(q->name);
	free(q->container);
	free(q);
}

/* Non-durable topic subscribers that fall behind lose their oldest
 * messages beyond the limit (constantPendingMessageLimitStrategy), so one
 * slow consumer cannot hold memory for everyone. */
static void enforce_pending_limit(struct queue *q)
{
	if (q->pending_limit < 0)
		return;
	while (q->npending > (size_t)q->pending_limit) {
		struct qentry *oldest = NULL;
		for (int p = 0; p <= MSG_PRIORITY_MAX && !oldest; p++)
			oldest = q->pending[p].head;
		if (!oldest)
			return;
		q->discarded++;
		drop_pending(q, oldest, true);
		if (q->discarded == 1 || q->discarded % 10000 == 0)
			log_warn("broker", "Topic subscriber %s is slow: %llu message(s) "
				 "discarded beyond the pending limit %ld", q->name,
				 (unsigned long long)q->discarded, q->pending_limit);
	}
}

static int add_entry(struct queue *q, struct message *m, enum entry_home home)
{
	struct qentry *e = entry_new();
	if (!e)
		return -1;
	e->msg = m;
	message_entry_added(m);
	e->queue = q;
	e->order = ++broker.next_order;
	e->home = home;
	e->redeliveries = m->redeliveries;
	/* Loaded after a takeover, perhaps delivered before it. */
	if (home == HOME_STORE && dispatch_mark_covers(q, m))
		e->redeliveries++;
	if (home != HOME_MEMORY && m->seq > q->mem_max_seq[m->priority])
		q->mem_max_seq[m->priority] = m->seq;
	flow_charge(q, entry_cost(m));
	entry_list_append(&q->pending[m->priority], e);
	recount(q, &q->npending, 1);
	q->enqueues++;
	enforce_pending_limit(q);
	queue_schedule(q);
	return 0;
}

/* True when a message for q should stay on disk: beyond the window, or
 * behind others that already do (order is kept), or when the broker's
 * memory is short (as ActiveMQ's store cursor stops caching at its high
 * water mark). The window counts messages, not bytes: two queues'
 * windows of 10 KB messages took 20 MB, past a 16 MB memoryUsage, and a
 * persistent producer was held for good though the store had room. (A
 * queue's own memoryLimit holds its persistent producers instead.) */
static bool beyond_window(const struct queue *q)
{
	return q->npaged || q->npending >= QUEUE_PAGE_WINDOW || flow_broker_memory_short();
}

/* A message kept on disk only: counted, and read back by page_in() once
 * it is committed and the queue has room. */
static void count_paged(struct queue *q, const struct message *m, bool spilled)
{
	q->paged[m->priority]++;
	recount(q, &q->npaged, 1);
	if (spilled)
		q->spilled[m->priority]++;
	paged_changed(q);
}

/* A message that is not persistent goes to the temp store instead of
 * memory beyond the queue's window once the messages there take
 * QUEUE_SPOOL_BYTES; before that too when memory is getting short (as
 * ActiveMQ's cursors spill at cursorMemoryHighWaterMark); and when
 * messages before it already wait on disk (order is kept). Without the
 * window, 20,000 non-persistent 10 KB messages of a queue without
 * consumers stayed in memory (208 MB, issue 23) until memory was short;
 * with the window alone, make bench's row 4 (256 B messages, consumers a
 * few thousand behind) went through SQLite at 13,500 msgs/s instead of
 * over 200,000 in memory. */
bool queue_spools(const struct queue *q)
{
	return q->container && (q->npaged || flow_memory_short(q) ||
				(q->npending >= QUEUE_PAGE_WINDOW && q->mem_used >= QUEUE_SPOOL_BYTES));
}

/* Returns 1 when m went to the temp store, 0 when it stays in memory,
 * -1 on failure. */
static int spill(struct queue *q, struct message *m)
{
	if (!queue_spools(q))
		return 0;
	struct store *temp = temp_store();
	if (!temp)
		return 0;
	if (!m->seq)
		m->seq = temp_store_seq();
	if (store_add_message(temp, m) < 0 || store_add_entry(temp, q->container, m->seq) < 0)
		return -1;
	if (m->held && commit_hold_spilled(m, q->container) < 0) {
		store_remove_entry(temp, q->container, m->seq);
		return -1;
	}
	count_paged(q, m, true);
	return 1;
}

int queue_enqueue(struct queue *q, struct message *m, bool store_it)
{
	bool stored = store_it && q->container && broker.store;
	if (stored) {
		if (store_add_entry(broker.store, q->container, m->seq) < 0)
			return -1;
		if (beyond_window(q)) {
			count_paged(q, m, false);
			q->enqueues++;
			return 0;
		}
	} else {
		int rc = spill(q, m);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			q->enqueues++;
			return 0;
		}
	}
	if (add_entry(q, message_ref(m), stored ? HOME_STORE : HOME_MEMORY) < 0) {
		message_unref(m);
		if (stored)
			store_remove_entry(broker.store, q->container, m->seq);
		return -1;
	}
	return 0;
}

void queue_load_paged(struct queue *q, int priority, size_t n)
{
	if (priority < 0 || priority > MSG_PRIORITY_MAX || !n)
		return;
	q->paged[priority] += n;
	recount(q, &q->npaged, (long)n);
	q->cold = true;
	paged_changed(q);
}

void queue_schedule(struct queue *q)
{
	if (q->dirty)
		return;
	q->dirty = true;
	q->next_dirty = NULL;
	if (dirty_tail)
		dirty_tail->next_dirty = q;
	else
		dirty_head = q;
	dirty_tail = q;
}

int queue_bind(struct queue *q, struct consumer *c)
{
	struct binding *b = calloc(1, sizeof *b);
	if (!b)
		return -1;
	b->consumer = c;
	b->queue = q;
	/* Behind every binding of higher or equal priority: found from the
	 * tail, so that a consumer of the lowest priority (most often all
	 * have the same) goes in at once. Walking from the head made each
	 * subscription cost as many steps as the queue had consumers: 20,000
	 * SUBSCRIBEs to one queue on one connection held the loop for 10 s,
	 * 100,000 for minutes (t/42-many-per-connection.t). */
	struct binding *after = q->btail;
	while (after && after->consumer->priority < c->priority)
		after = after->qprev;
	struct binding *at = after ? after->qnext : q->bhead;
	if (!at) {
		b->qprev = q->btail;
		if (q->btail)
			q->btail->qnext = b;
		else
			q->bhead = b;
		q->btail = b;
	} else {
		b->qnext = at;
		b->qprev = at->qprev;
		if (at->qprev)
			at->qprev->qnext = b;
		else
			q->bhead = b;
		at->qprev = b;
	}
	b->cnext = c->bindings;
	c->bindings = b;
	q->nconsumers++;
	q->nexclusive += c->exclusive;
	q->consumers_changed_ms = broker.now_wall;
	unserved_follow(q);
	if (q->kind == QUEUE_NAMED)
		advisory_consumer_changed(DEST_QUEUE, q->name, c, true);
	queue_schedule(q);
	return 0;
}

static void unlink_binding(struct queue *q, struct binding *b)
{
	if (b->qprev)
		b->qprev->qnext = b->qnext;
	else
		q->bhead = b->qnext;
	if (b->qnext)
		b->qnext->qprev = b->qprev;
	else
		q->btail = b->qprev;
	b->qprev = b->qnext = NULL;
}

void queue_unbind(struct binding *b)
{
	struct queue *q = b->queue;
	struct consumer *c = b->consumer;
	unlink_binding(q, b);
	struct binding **pp = &c->bindings;
	while (*pp && *pp != b)
		pp = &(*pp)->cnext;
	if (*pp)
		*pp = b->cnext;
	q->nconsumers--;
	q->nexclusive -= c->exclusive;
	q->consumers_changed_ms = broker.now_wall;
	unserved_follow(q);
	if (q->kind == QUEUE_NAMED)
		advisory_consumer_changed(DEST_QUEUE, q->name, c, false);
	free(b);
}

/* Round robin: the consumer just served goes behind its equals. */
static void rotate(struct queue *q, struct binding *b)
{
	struct binding *last = b;
	while (last->qnext && last->qnext->consumer->priority == b->consumer->priority)
		last = last->qnext;
	if (last == b)
		return;
	unlink_binding(q, b);
	b->qnext = last->qnext;
	b->qprev = last;
	if (last->qnext)
		last->qnext->qprev = b;
	else
		q->btail = b;
	last->qnext = b;
}

static void expire(struct queue *q, struct qentry *e)
{
	q->expired++;
	entry_list_remove(&q->pending[e->msg->priority], e);
	recount(q, &q->npending, -1);
	broker_dead_letter(q, e->msg, "message expired");
	unstore(q, e);
	entry_free(e);
}

void queue_expire_sweep(struct queue *q)
{
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++) {
		struct qentry *e = q->pending[p].head, *next;
		for (; e; e = next) {
			next = e->next;
			/* A held message is not there yet: dead-lettered now, it
			 * would be in the DLQ before its commit is durable, and
			 * stay there if the commit failed. */
			if (!e->msg->held && message_expired(e->msg, broker.now_wall))
				expire(q, e);
		}
	}
}

/* A durable noLocal subscriber's message from the connection it is on
 * now: not for it, so it goes. ActiveMQ's noLocal compares the message's
 * connection with the one the subscriber is on at delivery (its
 * TopicRegion refreshes the NoLocalExpression when the subscriber comes
 * back, and the recovery of what came while it was offline passes such a
 * message over): what a connection published while its durable
 * subscriber was closed is dropped when the subscriber comes back on it,
 * and delivered when it comes back on another. Left waiting instead, it
 * stayed in the subscription for ever, or went to the next connection. */
static bool skip_local(struct queue *q, struct qentry *e)
{
	if (q->kind != QUEUE_DURABLE || !q->bhead || !consumer_skips_local(q->bhead->consumer, e->msg))
		return false;
	q->dequeues++;
	entry_list_remove(&q->pending[e->msg->priority], e);
	recount(q, &q->npending, -1);
	unstore(q, e);
	entry_free(e);
	return true;
}

static void deliver(struct queue *q, struct binding *b, struct qentry *e)
{
	struct consumer *c = b->consumer;
	entry_list_remove(&q->pending[e->msg->priority], e);
	recount(q, &q->npending, -1);
	e->consumer = c;
	e->delivery_id = ++broker.next_delivery;
	if (c->ops->deliver(c, e) < 0) {
		e->consumer = NULL;
		pending_insert_ordered(q, e);
		return;
	}
	if (e->home == HOME_STORE)
		dispatch_mark_sent(q, e->msg);
	q->dispatched++;
	c->dispatched++;
	entry_list_append(&c->inflight, e);
	c->ninflight++;
	recount(q, &q->ninflight, 1);
	if (c->ack == ACK_AUTO)
		entry_acked(e);
}

/* The exclusive consumer that gets everything while it is bound: the
 * highest priority, and of those the one opened first, as ActiveMQ's
 * exclusive owner (the first to subscribe keeps it until it goes; a
 * higher priority takes over). NULL when no binding is exclusive. */
static struct binding *exclusive_owner(const struct queue *q)
{
	struct binding *owner = NULL;
	for (struct binding *b = q->nexclusive ? q->bhead : NULL; b; b = b->qnext)
		if (b->consumer->exclusive &&
		    (!owner || b->consumer->priority > owner->consumer->priority ||
		     (b->consumer->priority == owner->consumer->priority &&
		      b->consumer->number < owner->consumer->number)))
			owner = b;
	return owner;
}

static void queue_dispatch(struct queue *q)
{
	struct binding *owner = exclusive_owner(q);
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--) {
		struct qentry *e = q->pending[p].head, *next;
		for (; e; e = next) {
			next = e->next;
			/* Those behind it wait too: order is kept, and the
			 * hold lasts one commit (commit_hold.h). */
			if (e->msg->held)
				break;
			if (message_expired(e->msg, broker.now_wall)) {
				expire(q, e);
				continue;
			}
			if (skip_local(q, e))
				continue;
			bool room = false;
			struct binding *b;
			for (b = owner ? owner : q->bhead; b; b = owner ? NULL : b->qnext) {
				if (!consumer_has_room(b->consumer))
					continue;
				room = true;
				if (consumer_selects(b->consumer, e->msg))
					break;
			}
			if (!room)
				return;
			if (b) {
				deliver(q, b, e);
				rotate(q, b);
			}
		}
	}
}

/* A consumer's first page of a cold queue is short, so that its first
 * message does not wait for a whole window to be read and decoded (1,000
 * messages of 1 KiB took most of the time from a takeover to the first
 * delivery); the rest of the window is read on the next iteration. */
#define QUEUE_PAGE_FIRST 64
static bool page_more;	/* a first page was read: page in again next iteration */

bool queue_dispatch_pending(void)
{
	return dirty_head != NULL || page_more;
}

/* Messages read back from one store, in seq order. */
struct paged_list {
	struct message **m;
	size_t n, cap;
};

static void paged_collect(void *ctx, const char *container, struct message *m)
{
	(void)container;
	struct paged_list *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct message **a = realloc(l->m, cap * sizeof *a);
		if (!a) {
			message_unref(m);	/* read again next time */
			return;
		}
		l->m = a;
		l->cap = cap;
	}
	l->m[l->n++] = m;
}

/* Reads up to `room` entries of priority p back from st into l: how
 * many, 0 when none are counted there, -1 when the store failed. */
static int page_from(struct queue *q, struct store *st, int p, size_t counted, size_t room,
		     struct paged_list *l)
{
	if (!counted)
		return 0;
	return st ? store_page_in(st, q->container, p, q->mem_max_seq[p], room, paged_collect, l)
		  : -1;
}

/* Paged-out messages that a store does not have although everything was
 * committed: lost (a damaged store); the counts are corrected. */
static void forget_missing(struct queue *q, int p, bool store_lost, bool temp_lost)
{
	size_t n = (store_lost ? q->paged[p] - q->spilled[p] : 0) +
		   (temp_lost ? q->spilled[p] : 0);
	if (!n)
		return;
	log_warn("broker", "%s: %zu message(s) of priority %d counted as paged out are not "
		 "in the %s; forgetting them", q->name, n, p,
		 store_lost && temp_lost ? "stores" : store_lost ? "store" : "temp store");
	q->paged[p] -= n;
	recount(q, &q->npaged, -(long)n);
	if (temp_lost)
		q->spilled[p] = 0;
}

/* Refills the window from the stores, in seq order per priority, merging
 * what the persistent store and the temp store hold. Only committed
 * entries are read; the rest come after their commit, when the broker
 * schedules the queue again. */
static size_t page_in_one(struct queue *q, int p, size_t room);

static void page_in_upto(struct queue *q, size_t limit)
{
	q->cold = false;
	for (int p = MSG_PRIORITY_MAX; p >= 0 && q->npending < limit; p--)
		if (q->paged[p])
			page_in_one(q, p, limit - q->npending);
	paged_changed(q);
}

static void page_in(struct queue *q)
{
	page_in_upto(q, QUEUE_PAGE_WINDOW);
}

/* Reads up to `room` paged-out entries of priority p back into pending
 * (appended, in seq order): how many. */
static size_t page_in_one(struct queue *q, int p, size_t room)
{
	size_t read = 0;
	{
		struct store *temp = temp_store_if_open();
		struct paged_list a = { 0 }, b = { 0 };
		size_t in_store = q->paged[p] - q->spilled[p];
		int na = page_from(q, broker.store, p, in_store, room, &a);
		int nb = page_from(q, temp, p, q->spilled[p], room, &b);
		size_t i = 0, j = 0;
		/* A store that gave all it has committed while more of this
		 * queue's are counted there, still to be committed, may have
		 * some of them below the other store's next: nothing is taken
		 * past its last, or they would fall below mem_max_seq and count
		 * as lost (the temp store's writer behind the store's lost 1,330
		 * of 3,000 so, t/33-temp-store.t). */
		bool a_behind = a.n < room && a.n < in_store && store_pending(broker.store);
		bool b_behind = b.n < room && b.n < q->spilled[p] && temp && store_pending(temp);
		while (i + j < room && (i < a.n || j < b.n)) {
			if ((i == a.n && a_behind) || (j == b.n && b_behind))
				break;	/* the rest after that store's commit */
			bool from_temp = i == a.n || (j < b.n && b.m[j]->seq < a.m[i]->seq);
			if (from_temp && commit_hold_spill_waits(b.m[j]))
				break;	/* it, and those behind it, after its commit */
			struct message *m = from_temp ? b.m[j++] : a.m[i++];
			if (add_entry(q, m, from_temp ? HOME_TEMP : HOME_STORE) < 0) {
				message_unref(m);
				break;	/* memory: the rest is read again later */
			}
			q->enqueues--;	/* counted when it was paged out */
			read++;
			q->paged[p]--;
			recount(q, &q->npaged, -1);
			if (from_temp)
				q->spilled[p]--;
		}
		for (; i < a.n; i++)
			message_unref(a.m[i]);
		for (; j < b.n; j++)
			message_unref(b.m[j]);
		free(a.m);
		free(b.m);
		/* Counted but not there, with nothing left to commit: lost. */
		forget_missing(q, p, na == 0 && in_store && !store_pending(broker.store),
			       nb == 0 && q->spilled[p] && temp && !store_pending(temp));
	}
	return read;
}

/* True when the store writer is more than STORE_BEHIND_OPS operations
 * behind: then paging in waits until it has caught up (the broker
 * schedules paged queues again after each commit). A consumer draining a
 * backlog acknowledges faster than the disk deletes, and each
 * acknowledgement is an operation held in memory until written: without
 * this, draining 1,000,000 messages took 100 MiB, growing with the backlog.
 * Said once a minute at most. */
static bool store_behind(void)
{
	static int64_t said_ms;
	size_t n = store_unwritten(broker.store);
	if (n <= STORE_BEHIND_OPS)
		return false;
	if (!said_ms || broker.now_wall - said_ms >= 60000) {
		log_info("broker", "The store is %zu operations behind; reading paged-out messages "
			 "waits for it (said once a minute at most)", n);
		said_ms = broker.now_wall;
	}
	return true;
}

void queue_dispatch_scheduled(void)
{
	if (page_more) {
		page_more = false;
		queue_schedule_paged();
	}
	while (dirty_head) {
		struct queue *q = dirty_head;
		dirty_head = q->next_dirty;
		if (!dirty_head)
			dirty_tail = NULL;
		q->dirty = false;
		q->next_dirty = NULL;
		if (q->purge)
			continue;	/* its slices page in; it is scheduled when done */
		/* Not for a queue nobody reads while memory is short: an
		 * offline MQTT session's window of 10 KB messages read back
		 * 10 MB past a 16 MB memoryUsage, and held its publisher for
		 * good. A consumer that binds schedules the queue again. */
		if (q->npaged && q->npending < QUEUE_PAGE_WINDOW / 2 && broker.store &&
		    !store_behind() && (q->bhead || (!q->cold && !flow_broker_memory_short()))) {
			bool first = q->cold;
			page_in_upto(q, first ? QUEUE_PAGE_FIRST : QUEUE_PAGE_WINDOW);
			page_more |= first && q->npaged;
		}
		if (q->bhead && q->npending) {
			queue_dispatch(q);
			dispatch_mark_write(q);
		}
	}
}

void queue_page_window(struct queue *q)
{
	if (q->cold && broker.store)
		page_in(q);
}

void entry_unstore(struct qentry *e)
{
	unstore(e->queue, e);
	e->home = HOME_MEMORY;
}

void entry_acked(struct qentry *e)
{
	struct queue *q = e->queue;
	struct consumer *c = e->consumer;
	entry_list_remove(&c->inflight, e);
	c->ninflight--;
	c->dequeued++;
	recount(q, &q->ninflight, -1);
	q->dequeues++;
	broker.total_dequeues++;
	uint64_t waited = broker.now_wall > e->msg->timestamp
			  ? (uint64_t)(broker.now_wall - e->msg->timestamp) : 0;
	q->wait_total_ms += waited;
	if (waited > q->wait_max_ms)
		q->wait_max_ms = waited;
	unstore(q, e);
	entry_free(e);
	queue_schedule(q);
}

void entry_redeliver(struct qentry *e)
{
	entry_give_back(e, true);
}

/* Takes e off its consumer's in-flight list. */
static void leave_consumer(struct queue *q, struct qentry *e)
{
	struct consumer *c = e->consumer;
	entry_list_remove(&c->inflight, e);
	c->ninflight--;
	recount(q, &q->ninflight, -1);
	e->consumer = NULL;
}

/* e, taken off every list, leaves the queue for the DLQ. */
static void dead_letter(struct queue *q, struct qentry *e, const char *cause)
{
	broker_dead_letter(q, e->msg, cause);
	unstore(q, e);
	q->dequeues++;
	entry_free(e);
}

void entry_dead_letter(struct qentry *e, const char *cause)
{
	struct queue *q = e->queue;
	leave_consumer(q, e);
	dead_letter(q, e, cause);
	queue_schedule(q);	/* the consumer has room again */
}

void entry_give_back(struct qentry *e, bool count)
{
	struct queue *q = e->queue;
	leave_consumer(q, e);
	if (!count) {
		pending_insert_ordered(q, e);
		queue_schedule(q);
		return;
	}
	e->redeliveries++;
	/* The DLQ's own messages are never dead-lettered again: they would
	 * only come back to it. */
	bool is_dlq = q->kind == QUEUE_NAMED && strcmp(q->name, DLQ_NAME) == 0;
	if (e->redeliveries > MAX_REDELIVERIES && !is_dlq) {
		char cause[96];
		snprintf(cause, sizeof cause, "Delivery[%u] exceeds redelivery policy limit",
			 e->redeliveries);
		dead_letter(q, e, cause);
		return;
	}
	pending_insert_ordered(q, e);
	queue_schedule(q);
}

void entry_park(struct qentry *e, struct consumer *to)
{
	struct queue *q = e->queue;
	if (e->consumer) {
		leave_consumer(q, e);
	} else {
		entry_list_remove(&q->pending[e->msg->priority], e);
		recount(q, &q->npending, -1);
	}
	e->consumer = to;
	entry_list_append(&to->inflight, e);
	to->ninflight++;
	recount(q, &q->ninflight, 1);
	queue_schedule(q);	/* its consumer has room again */
}

struct qentry *queue_find_seq(struct queue *q, uint64_t seq)
{
	queue_page_window(q);
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--)
		for (struct qentry *e = q->pending[p].head; e; e = e->next)
			if (e->msg->seq == seq)
				return e;
	return NULL;
}

/* ---- management ---- */

/* Purging a backlog: the entries in memory go at once; those paged out
 * go in slices of PURGE_SLICE_US of work each, between which the loop
 * serves everyone else. Without this a purge of 300,000 messages held a
 * master's loop 0.7 s (2.6 s on a busy host), its management socket
 * silent: tandemtop called the node down and the purge failed although
 * it went on to succeed. While a purge runs the queue dispatches nothing
 * (its consumers would get what is being purged); what arrives
 * meanwhile is paged out behind what is purged, with higher seqs of its
 * priority, so counting per priority removes exactly what was there. */
#define PURGE_SLICE_US 5000
/* Entries read back at a time, so that a slice ends near its time. */
#define PURGE_READ 200

static void purge_done(struct queue *q)
{
	log_info("broker", "Queue %s purged: %zu message(s) removed, in %u slice(s) of the loop",
		 q->name, q->purge->total, q->purge->slices);
	free(q->purge);
	q->purge = NULL;
	paged_changed(q);
	queue_schedule(q);
}

/* The newest `n` pending entries of priority p (those just paged in):
 * removed with their store entries. */
static void drop_newest(struct queue *q, int p, size_t n)
{
	for (; n && q->pending[p].tail; n--) {
		drop_pending(q, q->pending[p].tail, true);
		q->dequeues++;
	}
}

/* One priority's share of a slice: false when it must wait (a commit,
 * the store writer) before reading more. */
static bool purge_priority(struct queue *q, int p)
{
	size_t *left = &q->purge->left[p];
	if (*left > q->paged[p])
		*left = q->paged[p];	/* some were lost or expired meanwhile */
	while (*left) {
		/* Before reading: each removal is an operation the writer holds
		 * in memory until written, and the sends behind them wait for
		 * it (checked after, a purge under ASan grew the writer's queue
		 * without bound: a send waited over 15 s for its receipt). */
		if (broker.store && store_behind())
			return false;	/* (a broker without persistence pages to the temp store only) */
		size_t want = *left < PURGE_READ ? *left : PURGE_READ;
		size_t read = page_in_one(q, p, want);
		drop_newest(q, p, read);
		*left -= read < *left ? read : *left;
		if (!read)
			return false;
		if (mono_us() - q->purge->slice_start_us > PURGE_SLICE_US)
			return false;
	}
	return true;
}

static void purge_slice(struct loop *l, void *ctx)
{
	struct queue *q = ctx;
	struct queue_purge *pg = q->purge;
	pg->timer = 0;
	pg->slice_start_us = mono_us();
	pg->slices++;
	bool done = true;
	for (int p = MSG_PRIORITY_MAX; p >= 0 && done; p--)
		done = purge_priority(q, p);
	if (done) {
		purge_done(q);
		return;
	}
	/* A commit or the writer is awaited, or the slice's time is up. */
	pg->timer = loop_add_timer(l, 1, purge_slice, q);
}

/* The synchronous way, when no memory is left for the sliced one. */
static size_t purge_all_now(struct queue *q)
{
	size_t n = 0;
	if (broker.store)
		store_flush(broker.store);
	if (temp_store_if_open())
		store_flush(temp_store_if_open());
	while (q->npaged) {
		size_t before = q->npaged;
		page_in(q);
		for (int p = 0; p <= MSG_PRIORITY_MAX; p++)
			while (q->pending[p].head) {
				drop_pending(q, q->pending[p].head, true);
				n++;
			}
		if (q->npaged == before)
			break;	/* nothing more could be read: said by page_in() */
	}
	return n;
}

size_t queue_purge(struct queue *q)
{
	size_t n = 0;
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++) {
		while (q->pending[p].head) {
			drop_pending(q, q->pending[p].head, true);
			n++;
		}
	}
	q->dequeues += n;
	size_t paged = q->npaged;
	if (!paged || !q->container) {
		log_info("broker", "Queue %s purged: %zu message(s) removed", q->name, n);
		return n;
	}
	if (!q->purge && !(q->purge = calloc(1, sizeof *q->purge))) {
		size_t more = purge_all_now(q);
		q->dequeues += more;
		log_info("broker", "Queue %s purged: %zu message(s) removed", q->name, n + more);
		return n + more;
	}
	/* Again while one runs: what is paged now includes what it had left. */
	memcpy(q->purge->left, q->paged, sizeof q->purge->left);
	q->purge->total += n + paged;
	if (!q->purge->timer)
		q->purge->timer = loop_add_timer(broker.loop, 0, purge_slice, q);
	return n + paged;
}

void queue_each_pending(struct queue *q, size_t max,
			void (*fn)(void *ctx, struct qentry *e), void *ctx)
{
	queue_page_window(q);
	size_t n = 0;
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--)
		for (struct qentry *e = q->pending[p].head; e && n < max; e = e->next, n++)
			fn(ctx, e);
}

struct qentry *queue_find_pending(struct queue *q, const char *message_id)
{
	queue_page_window(q);
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--)
		for (struct qentry *e = q->pending[p].head; e; e = e->next)
			if (!e->msg->held && !strcmp(e->msg->id, message_id))
				return e;
	return NULL;
}

/* The priority whose paged-out messages in the store may include seq:
 * one that was never in memory has a seq above mem_max_seq of its
 * priority. `known` when the caller knows it (-1 when not). -1 when none,
 * or when several could (then paging in finds it missing:
 * forget_missing()). */
static int paged_priority(const struct queue *q, uint64_t seq, int known)
{
	int found = -1;
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++) {
		if (q->paged[p] == q->spilled[p] || seq <= q->mem_max_seq[p] ||
		    (known >= 0 && p != known))
			continue;
		if (found >= 0)
			return -1;
		found = p;
	}
	return found;
}

bool queue_forget_unwritten(struct queue *q, uint64_t seq, int priority)
{
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--)
		for (struct qentry *e = q->pending[p].head; e; e = e->next)
			if (e->home == HOME_STORE && e->msg->seq == seq) {
				drop_pending(q, e, false);
				q->enqueues--;
				return true;
			}
	int p = paged_priority(q, seq, priority);
	if (p < 0)
		return false;
	q->paged[p]--;
	recount(q, &q->npaged, -1);
	q->enqueues--;
	paged_changed(q);
	return true;
}

struct qentry *queue_find_message(struct queue *q, const struct message *m)
{
	for (struct qentry *e = q->pending[m->priority].head; e; e = e->next)
		if (e->msg == m)
			return e;
	return NULL;
}

void queue_remove_pending(struct queue *q, struct qentry *e)
{
	drop_pending(q, e, true);
	q->dequeues++;
}

void queue_take_back(struct queue *q, struct qentry *e)
{
	drop_pending(q, e, true);
	q->enqueues--;
}

bool queue_take_back_spilled(struct queue *q, const struct message *m)
{
	struct store *temp = temp_store_if_open();
	int p = m->priority;
	if (!temp || !q->spilled[p])
		return false;
	store_remove_entry(temp, q->container, m->seq);
	q->paged[p]--;
	q->spilled[p]--;
	recount(q, &q->npaged, -1);
	q->enqueues--;
	paged_changed(q);
	return true;
}
