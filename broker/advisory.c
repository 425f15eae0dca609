/*
 * advisory.c - consumer advisories for queues (see advisory.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "broker.h"
#include "config.h"
#include "consumer.h"
#include "header.h"
#include "log.h"
#include "message.h"
#include "queue.h"

/* Names of queues whose consumers changed this iteration (owned). */
static char **changed;
static size_t nchanged, capchanged;

static bool anyone_listens(void)
{
	for (struct consumer *c = broker.topic_consumers; c; c = c->next)
		if (!strncmp(c->dest, "ActiveMQ.Advisory.", 18))
			return true;
	return false;
}

void advisory_queue_changed(struct queue *q)
{
	if (q->kind != QUEUE_NAMED || !anyone_listens())
		return;
	for (size_t i = 0; i < nchanged; i++)
		if (!strcmp(changed[i], q->name))
			return;
	if (nchanged == capchanged) {
		size_t cap = capchanged ? capchanged * 2 : 16;
		char **n = realloc(changed, cap * sizeof *n);
		if (!n)
			return;	/* the next change says it again */
		changed = n;
		capchanged = cap;
	}
	char *name = strdup(q->name);
	if (name)
		changed[nchanged++] = name;
}

void advisory_replay(void)
{
	for (struct queue *q = broker.queues; q; q = q->next)
		if (q->nconsumers)
			advisory_queue_changed(q);
}

long advisory_local_consumers(const struct queue *q)
{
	long n = 0;
	for (const struct binding *b = q->bhead; b; b = b->qnext)
		n += !b->consumer->network;
	return n;
}

static void publish(const char *queue, long count)
{
	char num[24], *dest = NULL;
	snprintf(num, sizeof num, "%ld", count);
	struct header *h = calloc(2, sizeof *h);
	if (h) {
		h[0] = (struct header){ strdup("consumerCount"), strdup(num) };
		h[1] = (struct header){ strdup("brokerName"), strdup(broker.cfg->broker_name) };
		if (!h[0].name || !h[0].value || !h[1].name || !h[1].value) {
			headers_free(h, 2);
			h = NULL;
		}
	}
	if (asprintf(&dest, ADVISORY_QUEUE_PREFIX "%s", queue) < 0)
		dest = NULL;
	/* message_new_take frees what it was given when it fails. */
	struct message *m = h ? message_new_take(broker_new_message_id(), DEST_TOPIC, dest, h, 2,
						 calloc(1, 1), 0) : NULL;
	if (!h)
		free(dest);
	char err[256] = "out of memory";
	if (!m || broker_send(m, err, sizeof err) < 0)
		log_warn("broker", "Advisory for queue %s not sent: %s", queue, err);
	message_unref(m);
}

void advisory_flush(void)
{
	/* Publishing runs broker code that may change consumers again:
	 * take the list first. */
	char **names = changed;
	size_t n = nchanged;
	changed = NULL;
	nchanged = capchanged = 0;
	for (size_t i = 0; i < n; i++) {
		struct queue *q = broker_queue(names[i], false);
		publish(names[i], q ? advisory_local_consumers(q) : 0);
		free(names[i]);
	}
	free(names);
}

void advisory_free(void)
{
	for (size_t i = 0; i < nchanged; i++)
		free(changed[i]);
	free(changed);
	changed = NULL;
	nchanged = capchanged = 0;
}
