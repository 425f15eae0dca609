/*
 * queue.c - containers of entries and their dispatch (see queue.h).
 *
 * Dispatch walks pending entries from the highest priority down, each
 * priority in arrival order, and offers each to the first bound consumer
 * (in dispatch order) that has room and whose selector accepts it. It stops
 * as soon as no consumer has room at all. A consumer served moves behind
 * the other consumers of its priority, which gives round robin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "consumer.h"
#include "log.h"
#include "flow.h"
#include "queue.h"
#include "store.h"

static struct queue *dirty_head, *dirty_tail;

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
	q->npending++;
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
	if (!q->name || (container && !q->container)) {
		free(q->name);
		free(q->container);
		free(q);
		return NULL;
	}
	return q;
}

static void entry_free(struct qentry *e)
{
	flow_charge(e->queue, -flow_message_cost(e->msg));
	message_unref(e->msg);
	free(e);
}

/* Forgets a pending entry, with its store entry when asked. */
static void drop_pending(struct queue *q, struct qentry *e, bool drop_stored)
{
	entry_list_remove(&q->pending[e->msg->priority], e);
	q->npending--;
	if (drop_stored && e->stored && broker.store)
		store_remove_entry(broker.store, q->container, e->msg->seq);
	entry_free(e);
}

void queue_free(struct queue *q, bool drop_stored)
{
	if (!q)
		return;
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++)
		while (q->pending[p].head)
			drop_pending(q, q->pending[p].head, drop_stored);
	while (q->bhead)
		queue_unbind(q->bhead);
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

static int add_entry(struct queue *q, struct message *m, bool stored)
{
	struct qentry *e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	e->msg = m;
	e->queue = q;
	e->order = ++broker.next_order;
	e->stored = stored;
	if (stored && m->seq > q->mem_max_seq[m->priority])
		q->mem_max_seq[m->priority] = m->seq;
	flow_charge(q, flow_message_cost(m));
	entry_list_append(&q->pending[m->priority], e);
	q->npending++;
	q->enqueues++;
	enforce_pending_limit(q);
	queue_schedule(q);
	return 0;
}

/* A stored message beyond the window stays on disk: it is counted, and
 * read back by page_in() once it is committed and the queue has room. */
static bool page_out(struct queue *q, const struct message *m)
{
	if (!q->npaged && q->npending < QUEUE_PAGE_WINDOW)
		return false;
	q->paged[m->priority]++;
	q->npaged++;
	q->enqueues++;
	return true;
}

int queue_enqueue(struct queue *q, struct message *m, bool store_it)
{
	bool stored = store_it && q->container && broker.store;
	if (stored && store_add_entry(broker.store, q->container, m->seq) < 0)
		return -1;
	if (stored && page_out(q, m))
		return 0;
	if (add_entry(q, message_ref(m), stored) < 0) {
		message_unref(m);
		if (stored)
			store_remove_entry(broker.store, q->container, m->seq);
		return -1;
	}
	return 0;
}

int queue_enqueue_loaded(struct queue *q, struct message *m)
{
	if (page_out(q, m)) {
		q->enqueues--;
		message_unref(m);
		return 0;
	}
	if (add_entry(q, m, true) < 0) {
		message_unref(m);
		return -1;
	}
	q->enqueues--;	/* loading is not a new enqueue */
	return 0;
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
	/* Behind every binding of higher or equal priority. */
	struct binding *at = q->bhead;
	while (at && at->consumer->priority >= c->priority)
		at = at->qnext;
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
	q->npending--;
	broker_dead_letter(q, e->msg, "message expired");
	if (e->stored && broker.store)
		store_remove_entry(broker.store, q->container, e->msg->seq);
	entry_free(e);
}

void queue_expire_sweep(struct queue *q)
{
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++) {
		struct qentry *e = q->pending[p].head, *next;
		for (; e; e = next) {
			next = e->next;
			if (message_expired(e->msg, broker.now_wall))
				expire(q, e);
		}
	}
}

static void deliver(struct queue *q, struct binding *b, struct qentry *e)
{
	struct consumer *c = b->consumer;
	entry_list_remove(&q->pending[e->msg->priority], e);
	q->npending--;
	e->consumer = c;
	e->delivery_id = ++broker.next_delivery;
	if (c->ops->deliver(c, e) < 0) {
		e->consumer = NULL;
		pending_insert_ordered(q, e);
		return;
	}
	q->dispatched++;
	entry_list_append(&c->inflight, e);
	c->ninflight++;
	q->ninflight++;
	if (c->ack == ACK_AUTO)
		entry_acked(e);
}

static void queue_dispatch(struct queue *q)
{
	for (int p = MSG_PRIORITY_MAX; p >= 0; p--) {
		struct qentry *e = q->pending[p].head, *next;
		for (; e; e = next) {
			next = e->next;
			if (message_expired(e->msg, broker.now_wall)) {
				expire(q, e);
				continue;
			}
			bool room = false;
			struct binding *b;
			for (b = q->bhead; b; b = b->qnext) {
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

bool queue_dispatch_pending(void)
{
	return dirty_head != NULL;
}

static void paged_entry(void *ctx, const char *container, struct message *m)
{
	(void)container;
	struct queue *q = ctx;
	if (add_entry(q, m, true) < 0) {
		message_unref(m);
		return;
	}
	q->enqueues--;	/* counted when it was paged out */
	if (q->paged[m->priority]) {
		q->paged[m->priority]--;
		q->npaged--;
	}
}

/* Refills the window from the store, in seq order. Only committed entries
 * are read; the rest come after their commit, when the broker schedules the queue again. */
static void page_in(struct queue *q)
{
	for (int p = MSG_PRIORITY_MAX; p >= 0 && q->npending < QUEUE_PAGE_WINDOW; p--) {
		if (!q->paged[p])
			continue;
		size_t room = QUEUE_PAGE_WINDOW - q->npending;
		int n = store_page_in(broker.store, q->container, p, q->mem_max_seq[p], room,
				      paged_entry, q);
		if (n == 0 && !store_pending(broker.store)) {
			log_warn("broker", "%s: %zu message(s) of priority %d counted as paged "
				 "out are not in the store; forgetting them", q->name, q->paged[p], p);
			q->npaged -= q->paged[p];
			q->paged[p] = 0;
		}
	}
}

void queue_dispatch_scheduled(void)
{
	while (dirty_head) {
		struct queue *q = dirty_head;
		dirty_head = q->next_dirty;
		if (!dirty_head)
			dirty_tail = NULL;
		q->dirty = false;
		q->next_dirty = NULL;
		if (q->npaged && q->npending < QUEUE_PAGE_WINDOW / 2 && broker.store)
			page_in(q);
		if (q->bhead && q->npending)
			queue_dispatch(q);
	}
}

void entry_acked(struct qentry *e)
{
	struct queue *q = e->queue;
	struct consumer *c = e->consumer;
	entry_list_remove(&c->inflight, e);
	c->ninflight--;
	q->ninflight--;
	q->dequeues++;
	broker.total_dequeues++;
	if (e->stored && broker.store)
		store_remove_entry(broker.store, q->container, e->msg->seq);
	entry_free(e);
	queue_schedule(q);
}

void entry_redeliver(struct qentry *e)
{
	struct queue *q = e->queue;
	struct consumer *c = e->consumer;
	entry_list_remove(&c->inflight, e);
	c->ninflight--;
	q->ninflight--;
	e->consumer = NULL;
	e->redeliveries++;
	/* The DLQ's own messages are never dead-lettered again: they would
	 * only come back to it. */
	bool is_dlq = q->kind == QUEUE_NAMED && strcmp(q->name, DLQ_NAME) == 0;
	if (e->redeliveries > MAX_REDELIVERIES && !is_dlq) {
		char cause[96];
		snprintf(cause, sizeof cause, "Delivery[%u] exceeds redelivery policy limit",
			 e->redeliveries);
		broker_dead_letter(q, e->msg, cause);
		if (e->stored && broker.store)
			store_remove_entry(broker.store, q->container, e->msg->seq);
		q->dequeues++;
		entry_free(e);
		return;
	}
	pending_insert_ordered(q, e);
	queue_schedule(q);
}
