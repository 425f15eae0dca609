/*
 * openwire_browse.c - QueueBrowser: a ConsumerInfo with `browser` set
 * sees the messages waiting on a queue without taking them. It is
 * answered, every waiting message its selector accepts goes out in a
 * MessageDispatch, in dispatch order (priority, then arrival), and a
 * MessageDispatch without a message marks the end, as ActiveMQ's
 * QueueBrowserSubscription does; the client's enumeration ends there.
 *
 * What is seen: every message waiting, also those a queue has paged out
 * (beyond the 1000 it keeps in memory), and those in flight to a consumer
 * (as ActiveMQ's), not those in a transaction's commit. The messages in
 * memory are taken (a reference each) when the browse starts; the paged
 * out ones are read from the stores a page at a time as the connection's
 * output drains (on_drain), so browsing a backlog of millions holds a page
 * of it, not the backlog. For each priority, highest first: the messages
 * of that priority in memory, in arrival order, then those paged out, in
 * seq order across the store and the temp store (as queue.c pages them
 * in). Nothing is bound: the browser's acks name no consumer of the core
 * and change nothing.
 *
 * Where to start: ow_browse(), then browse_run().
 */
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "conn.h"
#include "consumer.h"
#include "message.h"
#include "message_select.h"
#include "openwire_conn.h"
#include "openwire_message.h"
#include "queue.h"
#include "selector.h"
#include "store.h"
#include "temp_store.h"
#include "wildcard.h"

#define PRIORITIES (MSG_PRIORITY_MAX + 1)
/* Paged-out messages read from a store at a time. */
#define BROWSE_PAGE 200

/* A message in memory when the browse began. */
struct shown {
	struct message *m;	/* a reference */
	uint32_t redeliveries;
	uint64_t order;
};

/* Reading one store's paged-out entries of one queue and priority. */
struct page {
	struct message **m;	/* read, not sent yet: a reference each */
	size_t n, i, cap;
	uint64_t after;		/* the last seq read */
	bool done;		/* the store has no more */
};

/* A queue with messages paged out when the browse began. */
struct paged_queue {
	char *container;
	uint64_t after[PRIORITIES];	/* its mem_max_seq: what memory held */
	unsigned mask;			/* priorities with messages paged out */
};

struct ow_browse {
	struct ow_browse *next;		/* oc->browses */
	struct ow_consumer_id *id;	/* a reference */
	struct ow_destination *dest;	/* a reference: the end names it */
	struct selector *sel;
	struct shown *mem;		/* in dispatch order */
	size_t nmem, imem;
	struct paged_queue *queues;
	size_t nqueues, iqueue;
	int p;				/* the priority being sent */
	bool paging;			/* of p: memory done, the stores now */
	struct page store, temp;	/* of queues[iqueue], priority p */
};

/* ---- what a browse starts with ---- */

static int shown_add(struct ow_browse *b, size_t *cap, const struct qentry *e)
{
	if (b->nmem == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		struct shown *s = realloc(b->mem, n * sizeof *s);
		if (!s)
			return -1;
		b->mem = s;
		*cap = n;
	}
	b->mem[b->nmem++] = (struct shown){ message_ref(e->msg), e->redeliveries, e->order };
	return 0;
}

struct collect {
	struct ow_browse *b;
	size_t cap;
	bool oom;
};

static void collect_pending(void *ctx, struct qentry *e)
{
	struct collect *c = ctx;
	if (!c->oom && shown_add(c->b, &c->cap, e) < 0)
		c->oom = true;
}

/* What q holds in memory, waiting and in flight to its consumers (as
 * ActiveMQ's browse walks its paged-in messages, dispatched or not), and
 * where its paged-out messages begin. */
static int take_queue(struct ow_browse *b, struct collect *c, struct queue *q)
{
	queue_page_window(q);	/* a queue not read since start-up */
	queue_each_pending(q, q->npending, collect_pending, c);
	for (struct binding *bd = q->bhead; bd && !c->oom; bd = bd->qnext)
		for (struct qentry *e = bd->consumer->inflight.head; e && !c->oom; e = e->next)
			if (e->queue == q)
				collect_pending(c, e);
	if (c->oom)
		return -1;
	if (!q->npaged || !q->container)
		return 0;
	struct paged_queue *pq = realloc(b->queues, (b->nqueues + 1) * sizeof *pq);
	if (!pq)
		return -1;
	b->queues = pq;
	pq += b->nqueues;
	memset(pq, 0, sizeof *pq);
	if (!(pq->container = strdup(q->container)))
		return -1;
	b->nqueues++;
	for (int p = 0; p < PRIORITIES; p++) {
		pq->after[p] = q->mem_max_seq[p];
		if (q->paged[p])
			pq->mask |= 1u << p;
	}
	return 0;
}

/* Dispatch order: higher priority first, then arrival. */
static int by_dispatch_order(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;
	if (x->m->priority != y->m->priority)
		return x->m->priority > y->m->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void page_clear(struct page *pg)
{
	for (; pg->i < pg->n; pg->i++)
		message_unref(pg->m[pg->i]);
	free(pg->m);
	memset(pg, 0, sizeof *pg);
}

static void browse_free(struct ow_browse *b)
{
	for (; b->imem < b->nmem; b->imem++)
		message_unref(b->mem[b->imem].m);
	free(b->mem);
	for (size_t i = 0; i < b->nqueues; i++)
		free(b->queues[i].container);
	free(b->queues);
	page_clear(&b->store);
	page_clear(&b->temp);
	selector_free(b->sel);
	ow_obj_free(b->id ? &b->id->h : NULL);
	ow_obj_free(b->dest ? &b->dest->h : NULL);
	free(b);
}

/* ---- paging ---- */

static void page_collect(void *ctx, const char *container, struct message *m)
{
	(void)container;
	struct page *pg = ctx;
	if (pg->n == pg->cap) {
		message_unref(m);	/* cannot be: the page was sized for it */
		return;
	}
	pg->m[pg->n++] = m;
	pg->after = m->seq;
}

/* The next message of st in pg (read a page when it has none left), or
 * NULL when st has no more of the queue's priority p. */
static struct message *page_peek(struct page *pg, struct store *st, const char *container,
				 int p)
{
	if (pg->i < pg->n)
		return pg->m[pg->i];
	if (pg->done || !st)
		return NULL;
	if (!pg->m && !(pg->m = malloc(BROWSE_PAGE * sizeof *pg->m)))
		return NULL;	/* out of memory: the browse ends short */
	pg->n = pg->i = 0;
	pg->cap = BROWSE_PAGE;
	int n = store_page_in(st, container, p, pg->after, BROWSE_PAGE, page_collect, pg);
	if (n < BROWSE_PAGE)
		pg->done = true;
	return pg->i < pg->n ? pg->m[pg->i] : NULL;
}

/* The next paged-out message of the current queue and priority, in seq
 * order across both stores (a reference), or NULL when they have no more. */
static struct message *next_paged(struct ow_browse *b)
{
	const struct paged_queue *pq = &b->queues[b->iqueue];
	struct message *a = page_peek(&b->store, broker.store, pq->container, b->p);
	struct message *t = page_peek(&b->temp, temp_store_if_open(), pq->container, b->p);
	if (!a && !t)
		return NULL;
	struct page *from = !a || (t && t->seq < a->seq) ? &b->temp : &b->store;
	return from->m[from->i++];
}

/* Starts reading the paged-out messages of queue i at priority p. */
static void page_start(struct ow_browse *b, size_t i)
{
	page_clear(&b->store);
	page_clear(&b->temp);
	b->iqueue = i;
	b->store.after = b->temp.after = b->queues[i].after[b->p];
}

/* The next message of the browse in order (a reference) with its
 * redelivery count, or NULL at the end. */
static struct message *browse_next(struct ow_browse *b, uint32_t *redeliveries)
{
	for (; b->p >= 0; b->p--, b->paging = false) {
		if (!b->paging) {
			if (b->imem < b->nmem && b->mem[b->imem].m->priority == b->p) {
				*redeliveries = b->mem[b->imem].redeliveries;
				return b->mem[b->imem++].m;
			}
			b->paging = true;
			b->iqueue = b->nqueues;
			for (size_t i = 0; i < b->nqueues; i++)
				if (b->queues[i].mask & 1u << b->p) {
					page_start(b, i);
					break;
				}
		}
		while (b->iqueue < b->nqueues) {
			struct message *m = next_paged(b);
			if (m) {
				*redeliveries = 0;
				return m;
			}
			size_t i = b->iqueue + 1;
			while (i < b->nqueues && !(b->queues[i].mask & 1u << b->p))
				i++;
			if (i == b->nqueues)
				break;
			page_start(b, i);
		}
		page_clear(&b->store);
		page_clear(&b->temp);
	}
	return NULL;
}

/* Sends what the selector accepts while the connection takes more: true
 * when the end went out too (b is done). */
static bool browse_run(struct ow_conn *oc, struct ow_browse *b)
{
	while (conn_writable(oc->conn)) {
		uint32_t redeliveries;
		struct message *m = browse_next(b, &redeliveries);
		if (!m) {
			ow_dispatch_end(oc, b->id, b->dest);
			return true;
		}
		bool shows = !m->held && !message_expired(m, broker.now_wall) &&
			     selector_accepts(b->sel, m);
		/* broker_sequence_id names no delivery: acks of it find
		 * nothing. */
		struct ow_message *om = shows ? ow_message_from_core(m, 0, redeliveries) : NULL;
		message_unref(m);
		if (shows && (!om || ow_dispatch(oc, b->id, om) < 0)) {
			ow_dispatch_end(oc, b->id, b->dest);	/* out of memory: ends short */
			return true;
		}
	}
	return oc->conn->dead || oc->conn->closing;
}

void ow_browse_resume(struct ow_conn *oc)
{
	for (struct ow_browse **p = &oc->browses; *p;) {
		struct ow_browse *b = *p;
		if (browse_run(oc, b)) {
			*p = b->next;
			browse_free(b);
		} else {
			p = &b->next;
		}
	}
}

void ow_browse_stop(struct ow_conn *oc, const struct ow_consumer_id *id)
{
	for (struct ow_browse **p = &oc->browses; *p;) {
		struct ow_browse *b = *p;
		if (!id || ow_same_consumer(b->id, id)) {
			*p = b->next;
			browse_free(b);
		} else {
			p = &b->next;
		}
	}
}

/* ---- the browser's ConsumerInfo ---- */

/* The browse of what the queues dest names hold now; NULL when memory
 * runs out. Takes sel. */
static struct ow_browse *browse_new(const struct ow_consumer_info *ci, const char *dest,
				    struct selector *sel)
{
	struct ow_browse *b = calloc(1, sizeof *b);
	if (!b) {
		selector_free(sel);
		return NULL;
	}
	b->sel = sel;
	b->id = (void *)ow_obj_ref(&ci->consumer_id->h);
	b->dest = ci->destination ? (void *)ow_obj_ref((struct ow_obj *)&ci->destination->h) : NULL;
	b->p = MSG_PRIORITY_MAX;
	struct collect c = { b, 0, false };
	int rc = 0;
	if (!dest_has_wildcard(dest)) {
		struct queue *q = broker_queue(dest, false);
		if (q)
			rc = take_queue(b, &c, q);
	} else {
		for (struct queue *q = broker.queues; q && rc == 0; q = q->next)
			if (dest_match(dest, q->name))
				rc = take_queue(b, &c, q);
	}
	if (rc < 0) {
		browse_free(b);
		return NULL;
	}
	if (b->nmem)	/* an empty queue has no array: qsort wants one */
		qsort(b->mem, b->nmem, sizeof *b->mem, by_dispatch_order);
	return b;
}

int ow_browse(struct ow_conn *oc, const struct ow_consumer_info *ci, enum dest_type type,
	      const char *dest, const char *selector)
{
	struct selector *sel = NULL;
	char why[200];
	if (type != DEST_QUEUE) {
		ow_refuse(oc, &ci->c, EX_DEST, "Only queues can be browsed: [%s]", dest);
		return -1;
	}
	if (selector && *selector && !(sel = selector_compile(selector, why, sizeof why))) {
		ow_refuse(oc, &ci->c, EX_SELECTOR, "Invalid selector '%s': %s", selector, why);
		return -1;
	}
	if (!authz_allows_use(oc->conn, AUTHZ_READ, DEST_QUEUE, dest, why, sizeof why)) {
		selector_free(sel);
		ow_refuse(oc, &ci->c, EX_SECURITY, "%s", why);
		return -1;
	}
	struct ow_browse *b = browse_new(ci, dest, sel);
	if (!b) {
		ow_refuse(oc, &ci->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	/* The client registered the browser before it asked: the answer
	 * first, then what it browses. */
	if (ci->c.response_required)
		ow_send_response(oc, ci->c.command_id);
	if (browse_run(oc, b)) {
		browse_free(b);
	} else {
		b->next = oc->browses;
		oc->browses = b;
	}
	return 1;
}
