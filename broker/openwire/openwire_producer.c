/*
 * openwire_producer.c - producer windows (the client's producerWindowSize,
 * ProducerInfo.windowSize): a producer with a window sends one-way until
 * the bytes it has sent and not seen a ProducerAck for reach the window,
 * then waits. The broker answers each one-way send of such a producer
 * with a ProducerAck of the message's size as ActiveMQ's Message.getSize()
 * counts it (1024 bytes, its marshalled properties and its content), once
 * the send went in; a producer held by flow control is not read from, so
 * its acks stop with it. Without them the client waits for ever once the
 * window is full.
 */
#include <stdlib.h>

#include "openwire_conn.h"

/* ActiveMQ's DEFAULT_MINIMUM_MESSAGE_SIZE, the base of every message's
 * size. */
#define OW_MESSAGE_SIZE_BASE 1024

struct ow_window {
	int64_t session, value;
	struct ow_window *next;
};

int ow_on_producer(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_producer_info *pi = (void *)o;
	if (pi->producer_id && pi->window_size > 0) {
		struct ow_window *w = malloc(sizeof *w);
		if (!w) {
			ow_refuse(oc, &pi->c, EX_JMS, "The broker is out of memory");
			return -1;
		}
		w->session = pi->producer_id->session_id;
		w->value = pi->producer_id->value;
		w->next = oc->windows;
		oc->windows = w;
	}
	return ow_on_producer_info(oc, o);	/* the advisory */
}

static bool gone(const struct ow_window *w, const struct ow_obj *id)
{
	if (!id || id->type == OW_CONNECTION_ID)
		return true;
	if (id->type == OW_SESSION_ID)
		return w->session == ((const struct ow_session_id *)id)->value;
	const struct ow_producer_id *p = (const void *)id;
	return id->type == OW_PRODUCER_ID && w->session == p->session_id && w->value == p->value;
}

void ow_producers_forget(struct ow_conn *oc, const struct ow_obj *id)
{
	for (struct ow_window **p = &oc->windows; *p;) {
		struct ow_window *w = *p;
		if (gone(w, id)) {
			*p = w->next;
			free(w);
		} else {
			p = &w->next;
		}
	}
}

void ow_producer_ack(struct ow_conn *oc, const struct ow_message *om)
{
	const struct ow_producer_id *id = om->producer_id;
	if (!id || om->c.response_required)
		return;	/* a sync send's Response frees its window */
	const struct ow_window *w = oc->windows;
	while (w && !(w->session == id->session_id && w->value == id->value))
		w = w->next;
	if (!w)
		return;
	struct ow_producer_ack *a = (void *)ow_obj_new(OW_PRODUCER_ACK);
	if (a) {
		a->producer_id = (void *)ow_obj_ref((struct ow_obj *)&id->h);
		a->size = OW_MESSAGE_SIZE_BASE + (int32_t)om->marshalled_properties.len +
			  (int32_t)om->content.len;
	}
	ow_send(oc, a ? &a->c.h : NULL);
}
