/*
 * commit_hold.c - a transaction's messages wait for its commit (see
 * commit_hold.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "commit_hold.h"
#include "consumer.h"
#include "log.h"
#include "queue.h"
#include "topic_index.h"

struct commit_hold {
	struct message **m;	/* one reference each */
	size_t n, cap;
};

struct commit_hold *commit_hold_new(void)
{
	return calloc(1, sizeof(struct commit_hold));
}

int commit_hold_send(struct commit_hold *h, struct message *m, char *err, size_t errlen)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct message **a = realloc(h->m, cap * sizeof *a);
		if (!a) {
			snprintf(err, errlen, "The broker could not commit: out of memory");
			return -1;
		}
		h->m = a;
		h->cap = cap;
	}
	m->held = true;
	if (broker_send(m, err, errlen) < 0) {
		m->held = false;
		return -1;
	}
	h->m[h->n++] = message_ref(m);
	return 0;
}

/* What to do with each queue that may hold a message in memory. */
struct holder_visit {
	struct message *m;
	bool drop;		/* the commit failed: take it out */
};

static void visit_queue(struct queue *q, const struct holder_visit *v)
{
	if (!q)
		return;
	if (v->drop) {
		struct qentry *e;
		while ((e = queue_find_message(q, v->m)))
			queue_remove_pending(q, e);
	}
	queue_schedule(q);
}

static int visit_subscriber(void *sub, void *ctx)
{
	visit_queue(((struct consumer *)sub)->own, ctx);
	return 0;
}

static int visit_durable(void *sub, void *ctx)
{
	visit_queue(((struct durable *)sub)->queue, ctx);
	return 0;
}

/* The queues a message was routed to are found again by its destination,
 * never kept as pointers: one may be removed before the commit ends. */
static void visit_holders(struct holder_visit *v)
{
	struct message *m = v->m;
	if (m->dest_type != DEST_TOPIC) {
		visit_queue(broker_queue(m->dest, false), v);
		return;
	}
	topic_index_match(&broker.topic_subs, m->dest, visit_subscriber, v);
	topic_index_match(&broker.durable_subs, m->dest, visit_durable, v);
}

static void release(void *ctx, int err)
{
	struct commit_hold *h = ctx;
	if (err < 0 && h->n)
		log_warn("broker", "A transaction's commit failed (%s): its %zu message(s) are "
			 "not delivered", strerror(-err), h->n);
	for (size_t i = 0; i < h->n; i++) {
		struct holder_visit v = { h->m[i], err < 0 };
		h->m[i]->held = false;
		/* Consecutive messages of one destination wake its queues once. */
		if (v.drop || i + 1 == h->n || h->m[i + 1]->dest_type != h->m[i]->dest_type ||
		    strcmp(h->m[i + 1]->dest, h->m[i]->dest))
			visit_holders(&v);
		message_unref(h->m[i]);
	}
	free(h->m);
	free(h);
}

void commit_hold_release_after_commit(struct commit_hold *h)
{
	broker_after_commit(release, h);
}
