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
#include "strmap.h"
#include "topic_index.h"

/* A held message in the temp store (queue_spools), by id, with the
 * containers of the queues that put it there: a topic's message may be
 * spilled by several durable subscriptions. */
struct spill {
	char *id;		/* the key */
	char **containers;
	size_t n;
	struct spill *prev, *next;	/* every spill, to free them */
};
static struct strmap spills = STRMAP_INIT;
static struct spill *spill_list;

static void spill_free(struct spill *s)
{
	strmap_del(&spills, s->id);
	if (s->prev)
		s->prev->next = s->next;
	else
		spill_list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	for (size_t i = 0; i < s->n; i++)
		free(s->containers[i]);
	free(s->containers);
	free(s->id);
	free(s);
}

static struct spill *spill_new(const struct message *m)
{
	struct spill *s = calloc(1, sizeof *s);
	if (!s || !(s->id = strdup(m->id)) || strmap_put(&spills, s->id, s) < 0) {
		free(s ? s->id : NULL);
		free(s);
		return NULL;
	}
	s->next = spill_list;
	if (spill_list)
		spill_list->prev = s;
	spill_list = s;
	return s;
}

int commit_hold_spilled(const struct message *m, const char *container)
{
	struct spill *s = strmap_get(&spills, m->id);
	if (!s && !(s = spill_new(m)))
		return -1;
	char **a = realloc(s->containers, (s->n + 1) * sizeof *a);
	if (a)
		s->containers = a;
	if (!a || !(a[s->n] = strdup(container))) {
		if (!s->n)
			spill_free(s);
		return -1;
	}
	s->n++;
	return 0;
}

bool commit_hold_spill_waits(const struct message *copy)
{
	return spills.count && strmap_get(&spills, copy->id);
}

/* The hold of m ends. When its commit failed, its copies in the temp
 * store are taken back from the queues that spilled them: how many. */
static uint32_t spill_release(const struct message *m, bool failed)
{
	struct spill *s = spills.count ? strmap_get(&spills, m->id) : NULL;
	if (!s)
		return 0;
	uint32_t taken = 0;
	for (size_t i = 0; failed && i < s->n; i++) {
		struct queue *q = broker_container_queue(s->containers[i]);
		taken += q && queue_take_back_spilled(q, m);
	}
	spill_free(s);
	return taken;
}

void commit_hold_forget_spills(void)
{
	while (spill_list)
		spill_free(spill_list);
	strmap_clear(&spills);
}

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
		spill_release(m, false);
		return -1;
	}
	h->m[h->n++] = message_ref(m);
	return 0;
}

/* What to do with each queue that may hold a message in memory. */
struct holder_visit {
	struct message *m;
	bool drop;		/* the commit failed: take it out */
	uint32_t taken;		/* how many queues it was taken out of */
};

static void visit_queue(struct queue *q, struct holder_visit *v)
{
	if (!q)
		return;
	if (v->drop) {
		struct qentry *e;
		while ((e = queue_find_message(q, v->m))) {
			queue_take_back(q, e);
			v->taken++;
		}
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
		struct holder_visit v = { h->m[i], err < 0, 0 };
		h->m[i]->held = false;
		v.taken = spill_release(h->m[i], v.drop);
		/* Consecutive messages of one destination wake its queues once. */
		if (v.drop || i + 1 == h->n || h->m[i + 1]->dest_type != h->m[i]->dest_type ||
		    strcmp(h->m[i + 1]->dest, h->m[i]->dest))
			visit_holders(&v);
		if (v.drop)
			broker_route_taken_back(h->m[i], v.taken);
		message_unref(h->m[i]);
	}
	free(h->m);
	free(h);
}

void commit_hold_release_after_commit(struct commit_hold *h)
{
	broker_after_commit(release, h);
}
