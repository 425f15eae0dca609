/*
 * openwire_producer.c - a connection's producers: each ProducerInfo is
 * counted once (a failover client's replay of one it sent before adds
 * nothing, as ActiveMQ's processAddProducer skips it) against the
 * connector's maximumProducersAllowedPerConnection, told in an advisory
 * as it comes and goes (openwire_advisory.c), and found by id, not by
 * walking them: a one-way send looks its producer up.
 *
 * Producer windows (the client's producerWindowSize,
 * ProducerInfo.windowSize): a producer with a window sends one-way until
 * the bytes it has sent and not seen a ProducerAck for reach the window,
 * then waits. The broker answers each one-way send of such a producer
 * with a ProducerAck of the message's size as ActiveMQ's Message.getSize()
 * counts it (1024 bytes, its marshalled properties and its content), once
 * the send went in; a producer held by flow control is not read from, so
 * its acks stop with it. Without them the client waits for ever once the
 * window is full.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "openwire_conn.h"

/* ActiveMQ's DEFAULT_MINIMUM_MESSAGE_SIZE, the base of every message's
 * size. */
#define OW_MESSAGE_SIZE_BASE 1024

struct ow_held_producer {
	int64_t session, value;
	bool windowed;			/* it asked for a window */
	enum dest_type type;
	char *dest;			/* NULL: anonymous (or not told) */
	char key[48];			/* in oc->producers_by_id */
	struct ow_held_producer *next, *prev;
};

static void key_of(char *key, size_t len, int64_t session, int64_t value)
{
	snprintf(key, len, "%" PRId64 ":%" PRId64, session, value);
}

static struct ow_held_producer *find(struct ow_conn *oc, const struct ow_producer_id *id)
{
	char key[48];
	key_of(key, sizeof key, id->session_id, id->value);
	return strmap_get(&oc->producers_by_id, key);
}

int ow_on_producer(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_producer_info *pi = (void *)o;
	if (!pi->producer_id)
		return 0;
	if (find(oc, pi->producer_id))
		return 0;	/* a replay: it is counted and told already */
	if (ow_limit_check(oc, &pi->c, CONN_PRODUCER, (long)oc->producers_by_id.count,
			   pi->destination) < 0)
		return -1;
	struct ow_held_producer *p = calloc(1, sizeof *p);
	if (p) {
		p->session = pi->producer_id->session_id;
		p->value = pi->producer_id->value;
		p->windowed = pi->window_size > 0;
		key_of(p->key, sizeof p->key, p->session, p->value);
	}
	if (!p || strmap_put(&oc->producers_by_id, p->key, p) < 0) {
		free(p);
		ow_refuse(oc, &pi->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	p->next = oc->producers;
	if (oc->producers)
		oc->producers->prev = p;
	oc->producers = p;
	const struct ow_destination *d = pi->destination;
	if (d) {
		bool oom = false;	/* then not told; the producer works */
		p->dest = ow_utf8_of(&d->physical_name, &oom);
		p->type = d->h.type == OW_TOPIC || d->h.type == OW_TEMP_TOPIC ? DEST_TOPIC
									     : DEST_QUEUE;
	}
	if (p->dest)
		ow_producer_advisory(oc, p->session, p->value, p->type, p->dest, true);
	return 0;
}

static void forget(struct ow_conn *oc, struct ow_held_producer *p)
{
	strmap_del(&oc->producers_by_id, p->key);
	*(p->prev ? &p->prev->next : &oc->producers) = p->next;
	if (p->next)
		p->next->prev = p->prev;
	if (p->dest)
		ow_producer_advisory(oc, p->session, p->value, p->type, p->dest, false);
	free(p->dest);
	free(p);
}

void ow_producers_forget(struct ow_conn *oc, const struct ow_obj *id)
{
	if (id && id->type == OW_PRODUCER_ID) {
		struct ow_held_producer *p = find(oc, (const struct ow_producer_id *)id);
		if (p)
			forget(oc, p);
		return;
	}
	bool all = !id || id->type == OW_CONNECTION_ID;
	if (!all && id->type != OW_SESSION_ID)
		return;
	int64_t session = all ? 0 : ((const struct ow_session_id *)id)->value;
	for (struct ow_held_producer *p = oc->producers, *next; p; p = next) {
		next = p->next;
		if (all || p->session == session)
			forget(oc, p);
	}
	if (all)
		strmap_clear(&oc->producers_by_id);
}

int ow_on_remove(struct ow_conn *oc, struct ow_obj *o)
{
	const struct ow_obj *id = ((struct ow_remove_info *)o)->object_id;
	if (id)
		ow_producers_forget(oc, id);
	return ow_on_remove_info(oc, o);
}

void ow_producer_ack(struct ow_conn *oc, const struct ow_message *om)
{
	const struct ow_producer_id *id = om->producer_id;
	if (!id || om->c.response_required)
		return;	/* a sync send's Response frees its window */
	const struct ow_held_producer *p = find(oc, id);
	if (!p || !p->windowed)
		return;
	struct ow_producer_ack *a = (void *)ow_obj_new(OW_PRODUCER_ACK);
	if (a) {
		a->producer_id = (void *)ow_obj_ref((struct ow_obj *)&id->h);
		a->size = OW_MESSAGE_SIZE_BASE + (int32_t)om->marshalled_properties.len +
			  (int32_t)om->content.len;
	}
	ow_send(oc, a ? &a->c.h : NULL);
}
