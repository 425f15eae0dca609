/*
 * openwire_browse.c - QueueBrowser: a ConsumerInfo with `browser` set
 * sees the messages waiting on a queue without taking them. It is
 * answered, every waiting message its selector accepts goes out in a
 * MessageDispatch, in dispatch order (priority, then arrival), and a
 * MessageDispatch without a message marks the end, as ActiveMQ's
 * QueueBrowserSubscription does; the client's enumeration ends there.
 *
 * What is seen: the messages held in memory, waiting (queue.h's page
 * window, 1000 a queue; ActiveMQ's browser sees its maxBrowsePageSize,
 * 400 by default) or in flight to a consumer (as ActiveMQ's), not those
 * in a transaction's commit. Nothing is bound: the browser's acks name no
 * consumer of the core and change nothing.
 */
#include <stdlib.h>

#include "authz.h"
#include "broker.h"
#include "consumer.h"
#include "message.h"
#include "message_select.h"
#include "openwire_conn.h"
#include "openwire_message.h"
#include "queue.h"
#include "selector.h"
#include "wildcard.h"

/* The entries a browse shows: collected first, then sorted. */
struct seen {
	struct qentry **e;
	size_t n, cap;
	bool oom;
};

static void seen_add(void *ctx, struct qentry *e)
{
	struct seen *s = ctx;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct qentry **p = realloc(s->e, cap * sizeof *p);
		if (!p) {
			s->oom = true;
			return;
		}
		s->e = p;
		s->cap = cap;
	}
	s->e[s->n++] = e;
}

/* What q holds: waiting, and in flight to its consumers, as ActiveMQ's
 * browse walks its paged-in messages, dispatched or not. */
static void seen_queue(struct seen *s, struct queue *q)
{
	queue_page_window(q);	/* a queue not read since start-up */
	queue_each_pending(q, q->npending, seen_add, s);
	for (struct binding *b = q->bhead; b; b = b->qnext)
		for (struct qentry *e = b->consumer->inflight.head; e; e = e->next)
			if (e->queue == q)
				seen_add(s, e);
}

/* Dispatch order: higher priority first, then arrival. */
static int by_dispatch_order(const void *a, const void *b)
{
	const struct qentry *x = *(struct qentry *const *)a, *y = *(struct qentry *const *)b;
	if (x->msg->priority != y->msg->priority)
		return x->msg->priority > y->msg->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sends what the selector accepts, then the end. */
static void browse_send(struct ow_conn *oc, const struct ow_consumer_info *ci, struct seen *s,
			const struct selector *sel)
{
	if (s->n)	/* an empty queue has no array: qsort wants one */
		qsort(s->e, s->n, sizeof *s->e, by_dispatch_order);
	for (size_t i = 0; i < s->n; i++) {
		const struct qentry *e = s->e[i];
		if (e->msg->held || message_expired(e->msg, broker.now_wall) ||
		    !selector_accepts(sel, e->msg))
			continue;
		/* broker_sequence_id names no delivery: acks of it find
		 * nothing. */
		struct ow_message *om = ow_message_from_core(e->msg, 0, e->redeliveries);
		if (!om || ow_dispatch(oc, ci->consumer_id, om) < 0)
			break;
	}
	ow_dispatch_end(oc, ci->consumer_id, ci->destination);
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
	if (!authz_allows_use(oc->conn, false, AUTHZ_READ, DEST_QUEUE, dest, why, sizeof why)) {
		selector_free(sel);
		ow_refuse(oc, &ci->c, EX_SECURITY, "%s", why);
		return -1;
	}
	struct seen s = { 0 };
	if (!dest_has_wildcard(dest)) {
		struct queue *q = broker_queue(dest, false);
		if (q)
			seen_queue(&s, q);
	} else {
		for (struct queue *q = broker.queues; q; q = q->next)
			if (dest_match(dest, q->name))
				seen_queue(&s, q);
	}
	if (s.oom) {
		free(s.e);
		selector_free(sel);
		ow_refuse(oc, &ci->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	/* The client registered the browser before it asked: the answer
	 * first, then what it browses. */
	if (ci->c.response_required)
		ow_send_response(oc, ci->c.command_id);
	browse_send(oc, ci, &s, sel);
	free(s.e);
	selector_free(sel);
	return 1;
}
