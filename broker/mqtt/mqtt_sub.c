/*
 * mqtt_sub.c - MQTT subscriptions and deliveries (see mqtt_sub.h).
 *
 * Each subscription is one broker consumer whose deliver() writes a
 * PUBLISH. QoS 1 and 2 deliveries are recorded in the session
 * (mqtt_session.h) under their packet id until the client acknowledges
 * them; the broker entry is acked on PUBACK or PUBREC, so a message the
 * client never confirmed goes back to its queue when the connection goes.
 *
 * Some deliveries need no answer from the client although the consumer
 * acks individually: a QoS 0 message sent through a QoS 1 or 2
 * subscription, and a $-topic message a wildcard filter must not see.
 * The core files an entry as in flight only after deliver() returns, so
 * those are acked just after, from a 0 ms timer (the "later" list).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "conn.h"
#include "conn_limit.h"
#include "consumer.h"
#include "log.h"
#include "loop.h"
#include "mqtt.h"
#include "mqtt_message.h"
#include "mqtt_session.h"
#include "mqtt_sub.h"
#include "mqtt_topic.h"
#include "retain.h"

/* Deliveries a QoS 1/2 subscription may have unacknowledged (the
 * consumer's prefetch). */
#define MQTT_INFLIGHT 1000

/* ---- acks after the dispatch ---- */

static void run_later(struct loop *l, void *ctx)
{
	(void)l;
	struct mqtt_conn *mc = ctx;
	mc->later_timer = 0;
	for (size_t i = 0; i < mc->nlater; i++) {
		struct mqtt_sub *sub = mc->later[i].sub;
		struct qentry *e = consumer_find(sub->consumer, mc->later[i].delivery_id, NULL);
		if (e)
			consumer_ack(sub->consumer, e, false);
	}
	mc->nlater = 0;
}

static int ack_later(struct mqtt_conn *mc, struct mqtt_sub *sub, uint64_t delivery_id)
{
	if (mc->nlater == mc->later_cap) {
		size_t cap = mc->later_cap ? mc->later_cap * 2 : 16;
		struct mqtt_later_ack *a = realloc(mc->later, cap * sizeof *a);
		if (!a)
			return -1;
		mc->later = a;
		mc->later_cap = cap;
	}
	if (!mc->later_timer &&
	    !(mc->later_timer = loop_add_timer(mc->conn->loop, 0, run_later, mc)))
		return -1;
	mc->later[mc->nlater++] = (struct mqtt_later_ack){ sub, delivery_id };
	return 0;
}

static void forget_later(struct mqtt_conn *mc, struct mqtt_sub *sub)
{
	size_t w = 0;
	for (size_t i = 0; i < mc->nlater; i++)
		if (mc->later[i].sub != sub)
			mc->later[w++] = mc->later[i];
	mc->nlater = w;
}

/* ---- delivery ---- */

/* The QoS m goes out with through a subscription granted `granted`. */
static uint8_t delivery_qos(const struct message *m, uint8_t granted)
{
	const char *q = message_header(m, MQTT_QOS_HEADER);
	uint8_t mq = q && q[0] >= '0' && q[0] <= '2' && !q[1] ? (uint8_t)(q[0] - '0') : granted;
	return mq < granted ? mq : granted;
}

static bool sub_writable(struct consumer *c)
{
	struct mqtt_sub *sub = c->ctx;
	return conn_writable(sub->mc->conn);
}

static int sub_deliver(struct consumer *c, struct qentry *e)
{
	struct mqtt_sub *sub = c->ctx;
	struct mqtt_conn *mc = sub->mc;
	struct conn *conn = mc->conn;
	const struct message *m = e->msg;

	if (mqtt_topic_dollar_excluded(sub->filter, m->dest))
		return sub->qos ? ack_later(mc, sub, e->delivery_id) : 0;
	uint8_t qos = delivery_qos(m, sub->qos);
	struct mqtt_outflight *o = NULL;
	bool dup = false;
	if (qos) {
		o = mqtt_session_out_add(mc->session, qos, m->id, m->persistent ? m->seq : 0, sub,
					 e->delivery_id, e->redeliveries > 0, &dup);
		if (!o)
			return -1;
	}
	int rc = mqtt_message_put(&conn->out, e->msg, qos, dup, o ? o->packet_id : 0);
	if (rc == 0 && !qos && sub->qos)
		rc = ack_later(mc, sub, e->delivery_id);
	if (rc < 0) {
		if (o)
			mqtt_session_out_remove(mc->session, o);
		return -1;
	}
	conn_flush_later(conn);
	conn->msgs_out++;
	return 0;
}

static const struct consumer_ops sub_ops = { sub_deliver, sub_writable, NULL };

/* ---- opening and closing ---- */

static char *durable_name(const char *filter, uint8_t qos)
{
	char *name;
	if (asprintf(&name, MQTT_DURABLE_PREFIX "%u:%s", qos, filter) < 0)
		return NULL;
	return name;
}

/* The filter and QoS a persistent session's durable subscription was
 * made for, or -1 when the name is not one of ours. */
static int parse_durable(const char *name, const char **filter)
{
	size_t n = strlen(MQTT_DURABLE_PREFIX);
	if (strncmp(name, MQTT_DURABLE_PREFIX, n) || name[n] < '0' || name[n] > '2' ||
	    name[n + 1] != ':')
		return -1;
	*filter = name + n + 2;
	return name[n] - '0';
}

static struct mqtt_sub *open_sub(struct mqtt_conn *mc, const char *filter, uint8_t qos,
				 const char *dest, char *err, size_t errlen)
{
	struct mqtt_session *s = mc->session;
	struct mqtt_sub *sub = calloc(1, sizeof *sub);
	char *name = s->persistent ? durable_name(filter, qos) : NULL;
	if (!sub || !(sub->filter = strdup(filter)) || (s->persistent && !name)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	sub->qos = qos;
	sub->mc = mc;
	struct consumer_spec spec = {
		.type = DEST_TOPIC, .dest = dest,
		.ack = qos ? ACK_CLIENT_INDIVIDUAL : ACK_AUTO,
		.prefetch = MQTT_INFLIGHT, .client_id = s->client_id,
		.durable_name = name, .conn = mc->conn, .id = filter,
	};
	sub->consumer = consumer_open(&spec, &sub_ops, sub, err, errlen);
	if (!sub->consumer)
		goto fail;
	free(name);
	name = NULL;
	if (strmap_put(&mc->subs_by_filter, sub->filter, sub) < 0) {
		consumer_close(sub->consumer);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	sub->next = mc->subs;
	if (mc->subs)
		mc->subs->prev = sub;
	mc->subs = sub;
	mc->conn->consumers++;
	return sub;
fail:
	free(name);
	if (sub)
		free(sub->filter);
	free(sub);
	return NULL;
}

/* Closes sub. `forget`: the client unsubscribed, so its durable
 * subscription and the records of its deliveries go too. */
static void close_sub(struct mqtt_conn *mc, struct mqtt_sub *sub, bool forget)
{
	struct mqtt_session *s = mc->session;
	/* A subscription being replaced is no longer filed (mqtt_sub_add). */
	if (strmap_get(&mc->subs_by_filter, sub->filter) == sub)
		strmap_del(&mc->subs_by_filter, sub->filter);
	if (sub->prev)
		sub->prev->next = sub->next;
	else
		mc->subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	forget_later(mc, sub);
	if (s)
		mqtt_session_out_detach(s, sub, s->persistent && !forget);
	consumer_close(sub->consumer);
	mc->conn->consumers--;
	if (forget && s && s->persistent) {
		char err[256];
		char *name = durable_name(sub->filter, sub->qos);
		if (name && broker_durable_remove(s->client_id, name, err, sizeof err) < 0)
			log_warn("mqtt", "Client %s: %s", s->client_id, err);
		free(name);
	}
	free(sub->filter);
	free(sub);
}

/* By filter, not by walking the list: each SUBSCRIBE and UNSUBSCRIBE
 * asks, and a session may hold tens of thousands of subscriptions. */
static struct mqtt_sub *find_sub(struct mqtt_conn *mc, const char *filter)
{
	return strmap_get(&mc->subs_by_filter, filter);
}

static void offer_retained(void *ctx, struct message *m)
{
	struct mqtt_sub *sub = ctx;
	if (mqtt_topic_dollar_excluded(sub->filter, m->dest))
		return;
	if (consumer_offer(sub->consumer, m) < 0)
		log_warn("mqtt", "Client %s: the retained message of %s could not be "
			 "queued for %s: out of memory", sub->mc->session->client_id,
			 m->dest, sub->filter);
}

/* A persistent session's subscription to filter, closed, at QoS `was`
 * and now qos: its durable subscription is renamed, keeping what waits in
 * it, to be opened again. */
static void requalify_durable(struct mqtt_conn *mc, const char *filter, uint8_t was, uint8_t qos)
{
	struct mqtt_session *s = mc->session;
	char *from = durable_name(filter, was);
	char *to = durable_name(filter, qos);
	char err[512];
	if (!from || !to || broker_durable_rename(s->client_id, from, to, err, sizeof err) < 0) {
		log_warn("mqtt", "Client %s: the subscription to %s at QoS %u starts empty: %s",
			 s->client_id, filter, qos, from && to ? err : "out of memory");
		if (from && broker_durable_remove(s->client_id, from, err, sizeof err) < 0)
			log_warn("mqtt", "Client %s: %s", s->client_id, err);
	}
	free(from);
	free(to);
}

static void move_pending(void *ctx, struct qentry *e)
{
	struct mqtt_sub *sub = ctx;
	if (consumer_offer(sub->consumer, e->msg) < 0)
		log_warn("mqtt", "Client %s: message %s for %s could not move to the new "
			 "subscription: out of memory", sub->mc->session->client_id, e->msg->id,
			 sub->filter);
}

/* A replacement that failed: the subscription it was to replace stays,
 * filed again. Returns the SUBACK failure code. */
static uint8_t keep_old(struct mqtt_conn *mc, struct mqtt_sub *old)
{
	if (old && strmap_put(&mc->subs_by_filter, old->filter, old) < 0)
		close_sub(mc, old, false);	/* one that cannot be found is not kept */
	return MQTT_SUBACK_FAILURE;
}

uint8_t mqtt_sub_add(struct mqtt_conn *mc, const char *filter, uint8_t qos)
{
	/* The standard: a subscription to the same filter replaces the old,
	 * and the flow of messages goes on (MQTT-3.8.4-3): what waits for
	 * it comes under the new QoS. */
	struct mqtt_sub *sub = find_sub(mc, filter), *old = NULL;
	if (sub && sub->qos != qos) {
		if (mc->session->persistent) {
			uint8_t was = sub->qos;
			close_sub(mc, sub, false);	/* an open durable cannot be renamed */
			requalify_durable(mc, filter, was, qos);
		} else {
			/* Closed once the new one holds its backlog; the new
			 * one takes its place in the index now. */
			old = sub;
			strmap_del(&mc->subs_by_filter, filter);
		}
		sub = NULL;
	}
	char *dest = mqtt_topic_to_dest(filter);
	if (!dest)
		return keep_old(mc, old);
	if (!sub && !mqtt_permitted(mc, AUTHZ_READ, dest)) {
		free(dest);
		return keep_old(mc, old);
	}
	char err[512];
	/* One that replaces another adds nothing (the old one still counts). */
	if (!sub && conn_limit_check(mc->conn, CONN_CONSUMER, mc->conn->consumers - (old != NULL),
				     true, dest, NULL, err, sizeof err) < 0) {
		free(dest);
		return keep_old(mc, old);
	}
	if (!sub && !(sub = open_sub(mc, filter, qos, dest, err, sizeof err))) {
		log_warn("mqtt", "Client %s: subscription to %s refused: %s",
			 mc->session->client_id, filter, err);
		free(dest);
		return keep_old(mc, old);
	}
	if (old) {
		/* What was sent and not acknowledged stays with the session;
		 * what was not sent yet moves over, in order. */
		if (old->consumer->own)
			queue_each_pending(old->consumer->own, SIZE_MAX, move_pending, sub);
		close_sub(mc, old, false);
	}
	/* Retained messages are sent for every SUBSCRIBE, a repeated one too. */
	retain_each(dest, offer_retained, sub);
	free(dest);
	return qos;
}

void mqtt_sub_remove(struct mqtt_conn *mc, const char *filter)
{
	struct mqtt_sub *sub = find_sub(mc, filter);
	if (sub)
		close_sub(mc, sub, true);
}

void mqtt_sub_close_all(struct mqtt_conn *mc)
{
	while (mc->subs)
		close_sub(mc, mc->subs, false);
	strmap_clear(&mc->subs_by_filter);
	if (mc->later_timer) {
		loop_del_timer(mc->conn->loop, mc->later_timer);
		mc->later_timer = 0;
	}
	mc->nlater = 0;
}

/* Durable subscriptions of client_id's persistent session, newest first. */
static size_t kept_names(const char *client_id, char ***out)
{
	size_t n = 0;
	*out = NULL;
	for (struct durable *d = broker.durables; d; d = d->next) {
		const char *filter;
		if (strcmp(d->client_id, client_id) || parse_durable(d->name, &filter) < 0)
			continue;
		char **a = realloc(*out, (n + 1) * sizeof *a);
		if (!a)
			break;
		*out = a;
		if (!(a[n] = strdup(d->name)))
			break;
		n++;
	}
	return n;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bool mqtt_sub_kept(const char *client_id)
{
	for (struct durable *d = broker.durables; d; d = d->next) {
		const char *filter;
		if (!strcmp(d->client_id, client_id) && parse_durable(d->name, &filter) >= 0)
			return true;
	}
	return false;
}

void mqtt_sub_forget(const char *client_id)
{
	char **names;
	size_t n = kept_names(client_id, &names);
	for (size_t i = 0; i < n; i++) {
		char err[256];
		if (broker_durable_remove(client_id, names[i], err, sizeof err) < 0)
			log_warn("mqtt", "Client %s: %s", client_id, err);
	}
	if (n)
		log_info("mqtt", "Client %s started a clean session: %zu kept "
			 "subscription(s) removed", client_id, n);
	free_names(names, n);
}

int mqtt_sub_resume(struct mqtt_conn *mc)
{
	struct mqtt_session *s = mc->session;
	char **names;
	size_t n = kept_names(s->client_id, &names);
	int opened = 0;
	for (size_t i = n; i-- > 0;) {	/* oldest first */
		const char *filter = NULL;
		int qos = parse_durable(names[i], &filter);
		struct durable *d = broker_durable_find(s->client_id, names[i]);
		char err[512];
		if (qos < 0 || !d || find_sub(mc, filter))
			continue;
		/* The filter's topic as mapped today: one kept by a Tandem that
		 * took a literal '*' or '>' for a wildcard is replaced (the
		 * core logs it), or it would widen the match for good. */
		char *dest = mqtt_topic_to_dest(filter);
		struct mqtt_sub *sub = dest ? open_sub(mc, filter, (uint8_t)qos, dest, err,
						       sizeof err) : NULL;
		if (!sub)
			log_warn("mqtt", "Client %s: cannot resume the subscription to %s: %s",
				 s->client_id, filter, dest ? err : "out of memory");
		else
			opened++;
		free(dest);
	}
	free_names(names, n);
	/* A message handed over before the client went still needs its
	 * PUBREL; the client answers with PUBCOMP. */
	for (struct mqtt_outflight *o = s->head; o; o = o->next)
		if (o->state == MQTT_OUT_PUBCOMP)
			mqtt_put_ack(&mc->conn->out, MQTT_PUBREL, o->packet_id);
	conn_flush_later(mc->conn);
	return opened;
}

/* ---- the client's acknowledgements ---- */

static void ack_delivery(struct mqtt_outflight *o)
{
	if (!o->sub)
		return;
	struct consumer *c = o->sub->consumer;
	struct qentry *e = consumer_find(c, o->delivery_id, NULL);
	if (e)
		consumer_ack(c, e, false);
}

/* The acknowledgement each state of an outbound delivery waits for. Any
 * other for a delivery in flight is a protocol violation that closes the
 * connection, as mosquitto does (it was ignored, and the client kept a
 * delivery it believed finished); a repeated PUBREC only asks for its
 * PUBREL again. An id in flight nowhere is let go: a repeat after a
 * reconnect. */
static const enum mqtt_type awaited[] = {
	[MQTT_OUT_PUBACK] = MQTT_PUBACK,
	[MQTT_OUT_PUBREC] = MQTT_PUBREC,
	[MQTT_OUT_PUBCOMP] = MQTT_PUBCOMP,
};

static const char *const state_names[] = {
	[MQTT_OUT_PUBACK] = "a QoS 1 delivery",
	[MQTT_OUT_PUBREC] = "a QoS 2 delivery before its PUBREC",
	[MQTT_OUT_PUBCOMP] = "a QoS 2 delivery after its PUBREC",
};

static const char *const ack_names[] = {
	[MQTT_PUBACK] = "PUBACK", [MQTT_PUBREC] = "PUBREC",
	[MQTT_PUBREL] = "PUBREL", [MQTT_PUBCOMP] = "PUBCOMP",
};

bool mqtt_sub_ack_misplaced(struct mqtt_conn *mc, enum mqtt_type type, uint16_t packet_id)
{
	struct mqtt_outflight *o = mqtt_session_out_find(mc->session, packet_id);
	if (!o)
		return false;
	if (awaited[o->state] == type || (type == MQTT_PUBREC && o->state == MQTT_OUT_PUBCOMP))
		return false;
	if (type == MQTT_PUBREL && o->state != MQTT_OUT_PUBACK)
		return false;	/* ids of both directions may meet */
	mqtt_close(mc, "%s for packet %u, %s", ack_names[type], packet_id, state_names[o->state]);
	return true;
}

int mqtt_sub_acked(struct mqtt_conn *mc, const struct mqtt_packet *pk)
{
	struct mqtt_session *s = mc->session;
	if (mqtt_sub_ack_misplaced(mc, pk->type, pk->packet_id))
		return -1;
	struct mqtt_outflight *o = mqtt_session_out_find(s, pk->packet_id);
	if (pk->type == MQTT_PUBREC) {
		if (o && o->state == MQTT_OUT_PUBREC) {
			ack_delivery(o);
			mqtt_session_out_released(s, o);
		}
		/* Also for a PUBREC repeated or unknown: PUBREL lets the client
		 * finish its side. */
		mqtt_put_ack(&mc->conn->out, MQTT_PUBREL, pk->packet_id);
		conn_flush_later(mc->conn);
	} else if (o) {
		if (pk->type == MQTT_PUBACK)
			ack_delivery(o);
		mqtt_session_out_remove(s, o);
	}
	return 0;
}

static size_t waiting(const struct queue *q)
{
	return q ? q->npending + q->npaged : 0;
}

void mqtt_sub_each(const struct mqtt_session *s,
		   void (*fn)(void *ctx, const struct mqtt_sub_info *i), void *ctx)
{
	if (s->conn) {
		const struct mqtt_conn *mc = s->conn->state;
		for (const struct mqtt_sub *sub = mc->subs; sub; sub = sub->next) {
			const struct consumer *c = sub->consumer;
			struct mqtt_sub_info i = {
				sub->filter, sub->qos, c->dest, c->durable != NULL, true,
				c->ninflight, waiting(c->own ? c->own : c->durable ? c->durable->queue : NULL),
			};
			fn(ctx, &i);
		}
		return;
	}
	for (const struct durable *d = broker.durables; d; d = d->next) {
		const char *filter;
		int qos = parse_durable(d->name, &filter);
		if (qos < 0 || strcmp(d->client_id, s->client_id))
			continue;
		struct mqtt_sub_info i = {
			filter, (uint8_t)qos, d->topic, true, false,
			d->queue->ninflight, waiting(d->queue),
		};
		fn(ctx, &i);
	}
}

void mqtt_sub_wakeup(struct mqtt_conn *mc)
{
	for (struct mqtt_sub *s = mc->subs; s; s = s->next)
		consumer_wakeup(s->consumer);
}
