/*
 * advisory.c - consumer advisories for queues and topics (see advisory.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "consumer.h"
#include "header.h"
#include "log.h"
#include "message.h"
#include "publish.h"
#include "queue.h"

/* Destinations whose consumers changed this iteration (names owned). */
struct change {
	enum dest_type type;
	char *name;
};
static struct change *changed;
static size_t nchanged, capchanged;

static bool anyone_listens(void)
{
	return broker.advisory_listeners > 0;
}

void advisory_changed(enum dest_type type, const char *name)
{
	/* The broker's own topics (advisories among them) are nobody's demand. */
	if (!strncmp(name, "ActiveMQ.", 9) || !anyone_listens())
		return;
	for (size_t i = 0; i < nchanged; i++)
		if (changed[i].type == type && !strcmp(changed[i].name, name))
			return;
	if (nchanged == capchanged) {
		size_t cap = capchanged ? capchanged * 2 : 16;
		struct change *n = realloc(changed, cap * sizeof *n);
		if (!n)
			return;	/* the next change says it again */
		changed = n;
		capchanged = cap;
	}
	char *copy = strdup(name);
	if (copy)
		changed[nchanged++] = (struct change){ type, copy };
}

void advisory_replay(void)
{
	for (struct queue *q = broker.queues; q; q = q->next)
		if (q->nconsumers)
			advisory_changed(DEST_QUEUE, q->name);
	for (struct consumer *c = broker.topic_consumers; c; c = c->next)
		advisory_changed(DEST_TOPIC, c->dest);
	/* Offline ones too: bridges keep what is published for them. */
	for (struct durable *d = broker.durables; d; d = d->next)
		advisory_changed(DEST_TOPIC, d->topic);
}

long advisory_local_consumers(const struct queue *q)
{
	long n = 0;
	for (const struct binding *b = q->bhead; b; b = b->qnext)
		n += !b->consumer->network;
	return n;
}

/* What a destination's consumers add up to: local ones, and per remote
 * broker the least hops of the bridges' demand ("B:1,C:2"). */
struct tally {
	long local;
	long durables;		/* a topic's, but the network's own */
	char demand[1024];
	size_t len;
};

static void count(struct tally *t, const struct consumer *c)
{
	const char *remote;
	int hops;
	if (!c->network) {
		t->local++;
		return;
	}
	if (!bridge_consumer_demand(c, &remote, &hops) || t->len >= sizeof t->demand - 1)
		return;
	/* One entry per remote broker and distance: a bridge without
	 * conduitSubscriptions has several consumers of one destination. */
	char entry[256];
	snprintf(entry, sizeof entry, "%s:%d", remote, hops);
	size_t elen = strlen(entry);
	for (const char *p = t->demand; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == elen && !strncmp(p, entry, n))
			return;
		p += n + (p[n] == ',');
	}
	t->len += (size_t)snprintf(t->demand + t->len, sizeof t->demand - t->len, "%s%s",
				   t->len ? "," : "", entry);
	if (t->len >= sizeof t->demand)
		t->len = sizeof t->demand - 1;
}

static int count_subscriber(void *sub, void *t)
{
	count(t, sub);
	return 0;
}

static int count_durable(void *sub, void *ctx)
{
	const struct durable *d = sub;
	struct tally *t = ctx;
	t->durables += !d->network;
	if (d->active)
		count(t, d->active);
	return 0;
}

static void tally(enum dest_type type, const char *name, struct tally *t)
{
	memset(t, 0, sizeof *t);
	if (type == DEST_QUEUE) {
		struct queue *q = broker_queue(name, false);
		for (const struct binding *b = q ? q->bhead : NULL; b; b = b->qnext)
			count(t, b->consumer);
		return;
	}
	topic_index_same(&broker.topic_subs, name, count_subscriber, t);
	topic_index_same(&broker.durable_subs, name, count_durable, t);
}

static void publish(enum dest_type type, const char *name)
{
	struct tally t;
	tally(type, name, &t);
	char num[24], durables[24], *dest = NULL;
	snprintf(num, sizeof num, "%ld", t.local);
	snprintf(durables, sizeof durables, "%ld", t.durables);
	struct header *h = calloc(4, sizeof *h);
	if (h) {
		h[0] = (struct header){ strdup("consumerCount"), strdup(num) };
		h[1] = (struct header){ strdup("brokerName"), strdup(broker.cfg->broker_name) };
		h[2] = (struct header){ strdup(ADVISORY_DEMAND_HEADER), strdup(t.demand) };
		h[3] = (struct header){ strdup(ADVISORY_DURABLES_HEADER), strdup(durables) };
		for (size_t i = 0; i < 4; i++)
			if (!h[i].name || !h[i].value) {
				headers_free(h, 4);
				h = NULL;
				break;
			}
	}
	if (asprintf(&dest, "%s%s", type == DEST_QUEUE ? ADVISORY_QUEUE_PREFIX
			: ADVISORY_TOPIC_PREFIX, name) < 0)
		dest = NULL;
	/* message_new_take frees what it was given when it fails. */
	struct message *m = h ? message_new_take(broker_new_message_id(), DEST_TOPIC, dest, h, 4,
						 calloc(1, 1), 0) : NULL;
	if (!h)
		free(dest);
	char err[256] = "out of memory";
	/* The broker's own news, admitted by it: as ActiveMQ's advisories,
	 * never held or refused by producer flow control. */
	static const struct producer advisor = { .admitted = true };
	if (!m || broker_publish(&advisor, m, err, sizeof err) < 0)
		log_warn("broker", "Advisory for %s %s not sent: %s",
			 type == DEST_QUEUE ? "queue" : "topic", name, err);
	message_unref(m);
}

void advisory_flush(void)
{
	/* Publishing runs broker code that may change consumers again:
	 * take the list first. */
	struct change *list = changed;
	size_t n = nchanged;
	changed = NULL;
	nchanged = capchanged = 0;
	for (size_t i = 0; i < n; i++) {
		publish(list[i].type, list[i].name);
		free(list[i].name);
	}
	free(list);
}

void advisory_free(void)
{
	for (size_t i = 0; i < nchanged; i++)
		free(changed[i].name);
	free(changed);
	changed = NULL;
	nchanged = capchanged = 0;
}
