/*
 * consumer.c - subscriptions as the core sees them (see consumer.h).
 *
 * Which queues a consumer reads from depends on what it subscribed to:
 *   /queue/NAME      the named queue (created if needed);
 *   /queue/A.*.>     every matching queue, now and created later;
 *   /topic/...       a private backlog queue fed by broker_send() (routing);
 *   durable topic    the durable subscription's queue.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "consumer.h"
#include "log.h"
#include "message_select.h"
#include "producer_audit.h"
#include "queue.h"
#include "topic.h"
#include "selector.h"
#include "wildcard.h"

static void list_add(struct consumer **head, struct consumer *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void list_del(struct consumer **head, struct consumer *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (*head == c)
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

/* Advisories are built only while somebody listens (advisory.c). */
static bool is_advisory_listener(const struct consumer *c)
{
	return !strncmp(c->dest, "ActiveMQ.Advisory.", 18);
}

static int bind_queues(struct consumer *c)
{
	if (!dest_has_wildcard(c->dest)) {
		struct queue *q = broker_queue(c->dest, true);
		return q ? queue_bind(q, c) : -1;
	}
	for (struct queue *q = broker.queues; q; q = q->next)
		if (dest_match(c->dest, q->name) && queue_bind(q, c) < 0)
			return -1;
	list_add(&broker.wildcard_queue_consumers, c);
	return 0;
}

static int bind_topic(struct consumer *c, const struct consumer_spec *spec,
		      char *err, size_t errlen)
{
	if (spec->durable_name) {
		struct durable *d = broker_durable_get(spec->client_id, spec->durable_name,
						       spec->dest, spec->selector,
						       spec->no_local, err, errlen);
		if (!d)
			return -1;
		if (queue_bind(d->queue, c) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->active = c;
		c->durable = d;
		advisory_consumer_changed(DEST_TOPIC, d->topic, c, true);
		return 0;
	}
	static uint64_t subscribers;
	char label[64];
	snprintf(label, sizeof label, "topic-subscriber-%" PRIu64, ++subscribers);
	c->own = queue_new(QUEUE_TOPIC_SUB, label, NULL);
	if (!c->own || queue_bind(c->own, c) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const struct conf_policy *pol = config_policy_for(broker.cfg, true, c->dest);
	if (pol && pol->pending_message_limit >= 0)
		c->own->pending_limit = pol->pending_message_limit;
	if (topic_index_add(&broker.topic_subs, c->dest, c) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	list_add(&broker.topic_consumers, c);
	broker.advisory_listeners += is_advisory_listener(c);
	advisory_consumer_changed(DEST_TOPIC, c->dest, c, true);
	return 0;
}

static struct consumer *all_consumers;
static uint64_t consumers_opened;

struct consumer *consumer_open(const struct consumer_spec *spec,
			       const struct consumer_ops *ops, void *ctx,
			       char *err, size_t errlen)
{
	/* What the store holds is remembered before any of it is consumed
	 * (producer_audit.h). */
	producer_audit_load();
	struct consumer *c = calloc(1, sizeof *c);
	if (!c || !(c->dest = strdup(spec->dest))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->ops = ops;
	c->ctx = ctx;
	c->conn = spec->conn;
	c->number = ++consumers_opened;
	if (spec->id && !(c->id = strdup(spec->id))) {
		free(c->dest);
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->type = spec->type;
	c->ack = spec->ack;
	c->pull = spec->pull && !spec->prefetch;
	c->prefetch = spec->prefetch || c->pull ? spec->prefetch : 1;
	c->priority = spec->priority;
	c->network = spec->network;
	c->exclusive = spec->exclusive;
	c->no_local = spec->no_local;
	/* A durable subscription's selector belongs to the subscription. */
	if (spec->selector && *spec->selector && !spec->durable_name) {
		char why[200];
		c->selector = selector_compile(spec->selector, why, sizeof why);
		c->selector_text = c->selector ? strdup(spec->selector) : NULL;
		if (!c->selector) {
			snprintf(err, errlen, "Invalid selector '%s': %s", spec->selector, why);
			free(c->id);
			free(c->dest);
			free(c);
			return NULL;
		}
	}
	c->all_next = all_consumers;
	if (all_consumers)
		all_consumers->all_prev = c;
	all_consumers = c;
	if (spec->type == DEST_TOPIC)
		topic_get(spec->dest, true);	/* known to management from now on */
	int rc = spec->type == DEST_QUEUE ? bind_queues(c) : bind_topic(c, spec, err, errlen);
	if (rc < 0) {
		if (spec->type == DEST_QUEUE)
			snprintf(err, errlen, "out of memory");
		consumer_close(c);
		return NULL;
	}
	/* A new listener to the advisories learns the present. */
	advisory_subscribed(spec->type, spec->dest);
	return c;
}

struct consumer *consumer_first(void)
{
	return all_consumers;
}

void consumer_close(struct consumer *c)
{
	if (!c)
		return;
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		all_consumers = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	/* Unacked messages go back, oldest first so that arrival order holds.
	 * A bridge that goes away did not fail to process them: they do not
	 * count as redelivered (a flapping bridge must not dead-letter). One
	 * whose ack is in a commit under way is acked now instead: given back,
	 * it reached the next consumer although its ack was about to be
	 * durable (a duplicate). A crash before that commit brings it back
	 * from the store, as for any ack not yet durable. */
	while (c->inflight.head) {
		struct qentry *e = c->inflight.head;
		if (e->ack_committing)
			entry_acked(e);
		else
			entry_give_back(e, !c->network);
	}
	while (c->bindings)
		queue_unbind(c->bindings);
	if (c->type == DEST_QUEUE && dest_has_wildcard(c->dest))
		list_del(&broker.wildcard_queue_consumers, c);
	if (c->own) {
		if (topic_index_remove(&broker.topic_subs, c->dest, c)) {
			list_del(&broker.topic_consumers, c);
			broker.advisory_listeners -= is_advisory_listener(c);
		}
		queue_free(c->own, false);
		advisory_consumer_changed(DEST_TOPIC, c->dest, c, false);
	}
	if (c->durable && c->durable->active == c) {
		c->durable->active = NULL;
		advisory_consumer_changed(DEST_TOPIC, c->durable->topic, c, false);
	}
	selector_free(c->selector);
	free(c->selector_text);
	free(c->id);
	free(c->dest);
	free(c);
}

struct qentry *consumer_find(struct consumer *c, uint64_t delivery_id,
			    const char *message_id)
{
	for (struct qentry *e = c->inflight.head; e; e = e->next) {
		if (delivery_id && e->delivery_id == delivery_id)
			return e;
		if (message_id && strcmp(e->msg->id, message_id) == 0)
			return e;
	}
	return NULL;
}

void consumer_ack(struct consumer *c, struct qentry *e, bool cumulative)
{
	if (cumulative)
		while (c->inflight.head != e)
			entry_acked(c->inflight.head);
	entry_acked(e);
}

void consumer_ack_store(struct consumer *c, struct qentry *e, bool cumulative)
{
	if (cumulative)
		for (struct qentry *i = c->inflight.head; i && i != e; i = i->next) {
			entry_unstore(i);
			i->ack_committing = true;
		}
	entry_unstore(e);
	e->ack_committing = true;
}

void consumer_set_prefetch(struct consumer *c, unsigned prefetch, bool pull)
{
	c->pull = pull && !prefetch;
	c->prefetch = prefetch || c->pull ? prefetch : 1;
	consumer_wakeup(c);
}

void consumer_widen(struct consumer *c, int delta)
{
	if (delta < 0)
		c->extension -= (unsigned)-delta < c->extension ? (unsigned)-delta : c->extension;
	else if (delta > 0)
		c->extension += (unsigned)delta;
	if (delta > 0)
		consumer_wakeup(c);
}

void consumer_expired(struct consumer *c, struct qentry *e)
{
	(void)c;
	e->queue->expired++;
	broker_dead_letter(e->queue, e->msg, "message expired");
	entry_acked(e);
}

void consumer_nack(struct consumer *c, struct qentry *e)
{
	(void)c;
	e->ack_committing = false;	/* a transaction's ack it outruns is its client's */
	entry_redeliver(e);
}

void consumer_poison(struct consumer *c, struct qentry *e, const char *cause)
{
	if (e->queue == c->own)
		entry_acked(e);
	else
		entry_dead_letter(e, cause);
}

int consumer_offer(struct consumer *c, struct message *m)
{
	struct queue *q = c->own ? c->own : c->durable ? c->durable->queue : NULL;
	if (!q || queue_enqueue(q, m, m->persistent && broker.store) < 0)
		return -1;
	queue_schedule(q);
	return 0;
}

void consumer_wakeup(struct consumer *c)
{
	for (struct binding *b = c->bindings; b; b = b->cnext)
		queue_schedule(b->queue);
}

bool consumer_has_room(const struct consumer *c)
{
	if (!c->ops->writable((struct consumer *)c))
		return false;
	return c->ack == ACK_AUTO || c->pull || c->ninflight < c->prefetch + c->extension;
}

bool consumer_skips_local(const struct consumer *c, const struct message *m)
{
	return c->no_local && m->origin && c->conn && m->origin == c->conn->id;
}

bool consumer_selects(const struct consumer *c, const struct message *m)
{
	if (consumer_skips_local(c, m))
		return false;
	return selector_accepts(c->selector, m) && (!c->ops->wants || c->ops->wants(c, m));
}
