/*
 * mqtt.c - the MQTT 3.1.1 protocol handler (see mqtt.h).
 *
 * One struct mqtt_conn per connection. Packets are handled by the function
 * the `handlers` table names for their type. Rules that hold throughout:
 *   - a malformed packet or a protocol violation closes the connection and
 *     nothing else (MQTT has no error packet); the will is published then,
 *     as for any close without DISCONNECT;
 *   - PUBACK (QoS 1) and PUBREC (QoS 2) for a client's PUBLISH are sent
 *     once the message is durable (broker_after_commit), in the order the
 *     PUBLISHes came, so an acknowledged message survives kill -9;
 *   - QoS 2 is exactly once: the packet id is remembered from PUBLISH to
 *     PUBREL (mqtt_session.h) and a PUBLISH repeating it is not routed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "client_id.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "log.h"
#include "loop.h"
#include "mqtt.h"
#include "mqtt_packet.h"
#include "mqtt_session.h"
#include "proto.h"
#include "mqtt_sub.h"
#include "mqtt_topic.h"
#include "publish.h"
#include "retain.h"

/* A client is gone after this many keep-alive periods of silence (the
 * standard's one and a half). */
#define KEEP_ALIVE_GRACE 1.5
/* The packet limit of a connection no connector accepted: ActiveMQ's
 * default wireFormat.maxFrameSize. */
#define MQTT_MAX_PACKET 104857600

void mqtt_close(struct mqtt_conn *mc, const char *fmt, ...)
{
	struct conn *c = mc->conn;
	if (c->dead)
		return;
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	log_warn("mqtt", "Closing MQTT connection %" PRIu64 " from %s (client %s): %s",
		 c->id, c->peer, mc->session ? mc->session->client_id : "not connected", why);
	conn_close(c, why);
}

bool mqtt_permitted(struct mqtt_conn *mc, int op, const char *dest)
{
	char err[700];
	return authz_allows_use(mc->conn, (enum authz_op)op, DEST_TOPIC, dest, err,
				sizeof err);
}

/* ---- replies after the store ---- */

struct reply {
	struct conn *conn;
	enum mqtt_type type;
	uint16_t packet_id;
};

static void reply_done(void *ctx, int err)
{
	struct reply *r = ctx;
	struct conn *c = r->conn;
	struct mqtt_conn *mc = c->state;
	if (!c->dead && mc) {
		if (err < 0)
			mqtt_close(mc, "the broker could not make its message durable: %s",
				   strerror(-err));
		else if (mqtt_put_ack(&c->out, r->type, r->packet_id) == 0)
			conn_flush_later(c);
		else
			mqtt_close(mc, "out of memory");
	}
	conn_unref(c);
	free(r);
}

static int reply_after_commit(struct mqtt_conn *mc, enum mqtt_type type, uint16_t id)
{
	struct reply *r = malloc(sizeof *r);
	if (!r)
		return -1;
	*r = (struct reply){ mc->conn, type, id };
	conn_ref(mc->conn);
	broker_after_commit(reply_done, r);
	return 0;
}

/* ---- messages from packets ---- */

/* A topic message for an MQTT publish; takes `payload` (len + 1 bytes,
 * NUL-terminated) whatever happens. */
/* The message of a PUBLISH or a will, in one block (message_new_packed):
 * the payload stays the packet's. */
static struct message *message_for(const char *topic, uint8_t qos, const char *payload,
				   size_t len)
{
	char id[BROKER_MESSAGE_ID_MAX], buf[256], *heap;
	const char *dest = mqtt_topic_to_dest_buf(topic, buf, sizeof buf, &heap);
	char qtext[2] = { (char)('0' + qos), 0 };
	struct header h = { (char *)MQTT_QOS_HEADER, qtext };
	if (!dest)
		return NULL;
	broker_message_id_into(id);
	struct message *m = message_new_packed(id, DEST_TOPIC, dest, &h, 1, payload, len);
	free(heap);
	if (m)
		m->persistent = qos > 0;	/* as ActiveMQ maps MQTT QoS */
	return m;
}

/* Routes m as published with `retain` by mc, or as a will (mc NULL:
 * its rights were checked at CONNECT, and its client is gone): the
 * policy is met before the retained copy is kept (publish.h). 0, or a
 * PUBLISH_* refusal with why. */
static int publish(struct mqtt_conn *mc, struct message *m, bool retain,
		   char *why, size_t whylen)
{
	struct producer p = { .conn = mc ? mc->conn : NULL, .answered_after_commit = true };
	int rc = broker_publish_admit(&p, m, 0, why, whylen);
	if (rc < 0)
		return rc;
	if (retain && retain_set(m) < 0) {
		snprintf(why, whylen, "out of memory keeping the retained message");
		return PUBLISH_FAILED;
	}
	p.admitted = true;
	return broker_publish(&p, m, why, whylen);
}

static void publish_will(struct mqtt_conn *mc)
{
	struct message *will = mc->will;
	mc->will = NULL;
	if (!will)
		return;
	if (!mc->said_disconnect && broker_serving() && !broker.stopping) {
		char why[512];
		log_debug("mqtt", "Publishing the will of client %s to %s",
			  mc->session->client_id, will->dest);
		if (publish(NULL, will, mc->will_retain, why, sizeof why) < 0)
			log_warn("mqtt", "The will of client %s was not published: %s",
				 mc->session->client_id, why);
	}
	message_unref(will);
}

/* ---- keep-alive ---- */

static void keep_alive_tick(struct loop *l, void *ctx)
{
	struct mqtt_conn *mc = ctx;
	struct conn *c = mc->conn;
	mc->keep_alive_timer = 0;
	if (c->dead || c->closing)
		return;
	int64_t limit = (int64_t)(mc->keep_alive * 1000 * KEEP_ALIVE_GRACE);
	int64_t silent = loop_now(l) - c->last_read;
	/* A producer held by flow control is not read from: its silence is
	 * ours. */
	if (!c->read_paused && silent > limit) {
		mqtt_close(mc, "nothing received for %" PRId64 " ms, more than 1.5 times its "
			   "keep-alive of %u s", silent, mc->keep_alive);
		return;
	}
	mc->keep_alive_timer = loop_add_timer(l, mc->keep_alive * 500, keep_alive_tick, mc);
}

/* ---- packet handlers ---- */

static int refuse_connect(struct mqtt_conn *mc, uint8_t code, const char *why)
{
	struct conn *c = mc->conn;
	log_warn("mqtt", "MQTT client from %s refused (CONNACK %u): %s", c->peer, code, why);
	mqtt_put_connack(&c->out, false, code);
	conn_close_after_flush(c);
	return -1;
}

/* The session of mc's connection ends here (its subscriptions close, its
 * will is published unless DISCONNECT said not to); a clean one is
 * forgotten, a persistent one waits for the client's return. */
static void leave_session(struct mqtt_conn *mc)
{
	struct mqtt_session *s = mc->session;
	mqtt_sub_close_all(mc);
	publish_will(mc);
	mc->session = NULL;
	s->conn = NULL;
	s->since_ms = wall_ms();
	if (!s->persistent)
		mqtt_session_drop(s);
	else
		mqtt_session_trim(s);
}

/* The client id is in use by a live connection: the standard has the
 * older one closed. Its session is left now, so that the new connection
 * finds only what a persistent one kept: a clean session is never
 * present for the next connection, whatever its flag (it was, and the
 * new cleanSession=0 session then stayed clean: subscriptions and QoS 1
 * messages lost when it went). */
static void take_over(struct mqtt_session *s, struct conn *newer)
{
	struct conn *old = s->conn;
	log_info("mqtt", "Client %s connected again from %s: its connection from %s is closed",
		 s->client_id, newer->peer, old->peer);
	leave_session(old->state);
	conn_close(old, "client id taken over");
}

/* The id is held by a connection of another protocol (a JMS or STOMP
 * client: client ids are one name space, client_id.h): ActiveMQ's MQTT
 * transport steals the link, and so does this: that connection is
 * closed, and its client, should it come back, finds the id taken. */
static void steal_link(struct conn *holder, struct conn *c, const char *id)
{
	log_warn("mqtt", "Stealing link for client id %s from connection %s (%s) for %s", id,
		 holder->peer, holder->proto->label, c->peer);
	conn_close(holder, "client id taken over by an MQTT client");
}

static int on_connect(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	struct conn *c = mc->conn;
	if (mc->connected) {
		mqtt_close(mc, "a second CONNECT");
		return -1;
	}
	/* Nothing after the level was read from another version's CONNECT:
	 * no client id, no flags. */
	if (!pk->version_ok) {
		char why[96];
		snprintf(why, sizeof why, "protocol %s level %u is neither MQTT 3.1.1 (MQTT 4) "
			 "nor 3.1 (MQIsdp 3)", pk->protocol, pk->level);
		return refuse_connect(mc, MQTT_CONNACK_BAD_LEVEL, why);
	}
	/* MQTT 3.1 wants 1 to 23 characters; mosquitto, and Tandem, let the
	 * longer ones in. */
	if (!*pk->client_id && pk->level == 3)
		return refuse_connect(mc, MQTT_CONNACK_BAD_ID, "MQTT 3.1 needs a client id");
	if (!*pk->client_id && !pk->clean_session)
		return refuse_connect(mc, MQTT_CONNACK_BAD_ID,
				      "an empty client id needs cleanSession=1");
	if (!broker_login_ok(pk->username, pk->password)) {
		log_warn("mqtt", "Security error: user name [%s] or password is invalid (from %s)",
			 pk->username ? pk->username : "", c->peer);
		return refuse_connect(mc, pk->username ? MQTT_CONNACK_BAD_LOGIN
						       : MQTT_CONNACK_NOT_AUTHORIZED,
				      "authentication failed");
	}
	if (pk->username && !(c->user = strdup(pk->username)))
		return -1;
	if (pk->will) {
		char *dest = mqtt_topic_to_dest(pk->will_topic);
		bool allowed = dest && mqtt_permitted(mc, AUTHZ_WRITE, dest);
		free(dest);
		if (!allowed)
			return refuse_connect(mc, MQTT_CONNACK_NOT_AUTHORIZED,
					      "its user may not publish its will");
	}
	char generated[96];
	const char *id = pk->client_id;
	if (!*id) {
		snprintf(generated, sizeof generated, "tandem-%s-%" PRIu64 "-%" PRId64,
			 broker.cfg->broker_name, c->id, wall_ms());
		id = generated;
	}
	struct conn *holder = client_id_holder(id);
	if (holder && holder->proto != c->proto)
		steal_link(holder, c, id);
	struct mqtt_session *s = mqtt_session_find(id);
	if (s && s->conn) {
		take_over(s, c);
		s = mqtt_session_find(id);
	}
	bool present = false;
	if (pk->clean_session) {
		if (s)
			mqtt_session_drop(s);
		s = NULL;
		mqtt_sub_forget(id);
	} else {
		present = s || mqtt_sub_kept(id);
	}
	if (!s) {
		if (!(s = mqtt_session_new(id, !pk->clean_session)))
			return -1;
		mqtt_session_register(s);
	}
	s->conn = c;
	s->since_ms = wall_ms();
	mc->session = s;
	if (!(c->client_id = strdup(id)) || client_id_hold(c) < 0)
		return -1;
	if (pk->will) {
		mc->will = message_for(pk->will_topic, pk->will_qos, pk->will_payload, pk->will_len);
		if (!mc->will)
			return -1;
		mc->will_retain = pk->will_retain;
	}
	mc->keep_alive = pk->keep_alive;
	if (mc->keep_alive)
		mc->keep_alive_timer = loop_add_timer(c->loop, mc->keep_alive * 500,
						      keep_alive_tick, mc);
	mc->connected = true;
	conn_logged_in(c);
	mqtt_parser_set_max(mc->parser, conn_frame_max(c, MQTT_MAX_PACKET));
	/* MQTT 3.1's CONNACK has no session present bit: its byte is reserved. */
	if (mqtt_put_connack(&c->out, present && pk->level == 4, MQTT_CONNACK_ACCEPTED) < 0)
		return -1;
	conn_flush_later(c);
	int resumed = s->persistent ? mqtt_sub_resume(mc) : 0;
	log_debug("mqtt", "Client %s connected from %s (MQTT %s, clean session %d, keep-alive "
		  "%u s, %d subscription(s) resumed)", id, c->peer, pk->level == 4 ? "3.1.1" : "3.1",
		  pk->clean_session, pk->keep_alive, resumed);
	return 0;
}

static int on_publish(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	struct mqtt_session *s = mc->session;
	if (pk->qos == 2 && mqtt_session_in_pending(s, pk->packet_id))
		/* Sent again before its PUBREL: routed already. */
		return reply_after_commit(mc, MQTT_PUBREC, pk->packet_id);
	struct message *m = message_for(pk->topic, pk->qos, pk->payload, pk->payload_len);
	if (!m)
		return -1;
	/* MQTT 3.1.1 has no way to refuse a PUBLISH but closing. */
	char why[700];
	int rc = publish(mc, m, pk->retain, why, sizeof why);
	message_unref(m);
	if (rc == PUBLISH_DENIED) {
		mqtt_close(mc, "not authorized to publish to %s", pk->topic);
		return -1;
	}
	if (rc < 0) {
		mqtt_close(mc, "PUBLISH to %s refused: %s", pk->topic, why);
		return -1;
	}
	if (pk->qos == 1)
		return reply_after_commit(mc, MQTT_PUBACK, pk->packet_id);
	if (pk->qos == 2) {
		if (mqtt_session_in_mark(s, pk->packet_id) < 0)
			return -1;
		return reply_after_commit(mc, MQTT_PUBREC, pk->packet_id);
	}
	return 0;
}

static int on_pubrel(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	/* One that answers a QoS 1 delivery of ours is the wrong kind. */
	if (!mqtt_session_in_pending(mc->session, pk->packet_id) &&
	    mqtt_sub_ack_misplaced(mc, MQTT_PUBREL, pk->packet_id))
		return -1;
	/* Other unknown ids are answered too: the standard wants PUBCOMP for
	 * a PUBREL repeated after a reconnect. */
	mqtt_session_in_clear(mc->session, pk->packet_id);
	if (mqtt_put_ack(&mc->conn->out, MQTT_PUBCOMP, pk->packet_id) < 0)
		return -1;
	conn_flush_later(mc->conn);
	return 0;
}

static int on_ack(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	return mqtt_sub_acked(mc, pk);
}

static int on_subscribe(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	uint8_t *codes = malloc(pk->nfilters);
	if (!codes)
		return -1;
	for (size_t i = 0; i < pk->nfilters; i++)
		codes[i] = mqtt_sub_add(mc, pk->filters[i].filter, pk->filters[i].qos);
	int rc = mqtt_put_suback(&mc->conn->out, pk->packet_id, codes, pk->nfilters);
	free(codes);
	conn_flush_later(mc->conn);
	return rc;
}

static int on_unsubscribe(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	for (size_t i = 0; i < pk->nfilters; i++)
		mqtt_sub_remove(mc, pk->filters[i].filter);
	if (mqtt_put_ack(&mc->conn->out, MQTT_UNSUBACK, pk->packet_id) < 0)
		return -1;
	conn_flush_later(mc->conn);
	return 0;
}

static int on_pingreq(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	(void)pk;
	if (mqtt_put_pingresp(&mc->conn->out) < 0)
		return -1;
	conn_flush_later(mc->conn);
	return 0;
}

static int on_disconnect(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	(void)pk;
	mc->said_disconnect = true;
	/* The session ends now, not when the socket does: the connection
	 * lingers until the client closes its end, and a client that
	 * connects again at once must not find it (that took a clean
	 * session over, see take_over). */
	leave_session(mc);
	conn_close_after_flush(mc->conn);
	return 0;
}

/* What a client may send; the rest (CONNACK, SUBACK, UNSUBACK, PINGRESP)
 * only a server sends. */
static int (*const handlers[])(struct mqtt_conn *mc, struct mqtt_packet *pk) = {
	[MQTT_CONNECT] = on_connect,
	[MQTT_PUBLISH] = on_publish,
	[MQTT_PUBACK] = on_ack,
	[MQTT_PUBREC] = on_ack,
	[MQTT_PUBREL] = on_pubrel,
	[MQTT_PUBCOMP] = on_ack,
	[MQTT_SUBSCRIBE] = on_subscribe,
	[MQTT_UNSUBSCRIBE] = on_unsubscribe,
	[MQTT_PINGREQ] = on_pingreq,
	[MQTT_DISCONNECT] = on_disconnect,
};

static const char *const type_names[] = {
	"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
	"PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ",
	"PINGRESP", "DISCONNECT",
};

static void handle_packet(struct mqtt_conn *mc, struct mqtt_packet *pk)
{
	const char *name = type_names[pk->type];
	if (!handlers[pk->type]) {
		mqtt_close(mc, "a client sent %s, which only a server sends", name);
		return;
	}
	if (!mc->connected && pk->type != MQTT_CONNECT) {
		mqtt_close(mc, "the first packet was %s, not CONNECT", name);
		return;
	}
	if (handlers[pk->type](mc, pk) < 0 && !mc->conn->dead && !mc->conn->closing)
		mqtt_close(mc, "out of memory handling %s", name);
}

/* ---- the connection ---- */

static void mqtt_on_data(struct conn *c)
{
	struct mqtt_conn *mc = c->state;
	while (buf_len(&c->in) > 0 && !c->dead && !c->closing && !c->read_paused) {
		struct mqtt_packet *pk = NULL;
		const char *err = NULL;
		ssize_t n = mqtt_parser_feed(mc->parser, buf_data(&c->in), buf_len(&c->in),
					     &pk, &err);
		if (n < 0) {
			buf_reset(&c->in);
			if (err == mqtt_err_too_large && !mc->connected)
				mqtt_close(mc, "a packet before CONNECT is accepted may have at most "
					   "%d bytes", CONN_LOGIN_FRAME_MAX);
			else
				mqtt_close(mc, "malformed packet: %s", err ? err : "protocol error");
			return;
		}
		buf_consume(&c->in, (size_t)n);
		if (!pk)
			return;
		handle_packet(mc, pk);
		mqtt_packet_free(pk);
	}
}

static void mqtt_on_drain(struct conn *c)
{
	mqtt_sub_wakeup(c->state);
}

static int mqtt_open(struct conn *c)
{
	struct mqtt_conn *mc = calloc(1, sizeof *mc);
	if (!mc)
		return -1;
	mc->parser = mqtt_parser_new(conn_frame_max(c, MQTT_MAX_PACKET));
	if (!mc->parser) {
		free(mc);
		return -1;
	}
	mc->conn = c;
	c->state = mc;
	return 0;
}

static void mqtt_close_conn(struct conn *c)
{
	struct mqtt_conn *mc = c->state;
	if (!mc)
		return;
	if (mc->session)
		leave_session(mc);
	if (mc->keep_alive_timer)
		loop_del_timer(c->loop, mc->keep_alive_timer);
	if (mc->later_timer)
		loop_del_timer(c->loop, mc->later_timer);
	message_unref(mc->will);
	broker_conn_gone(c);
	mqtt_parser_free(mc->parser);
	free(mc->later);
	free(mc);
}

static size_t mqtt_buffered(const struct conn *c)
{
	const struct mqtt_conn *mc = c->state;
	return mqtt_parser_held(mc->parser);
}

int mqtt_detect(const char *d, size_t len)
{
	/* CONNECT: type 1, no flags, a remaining length, then the protocol
	 * name "MQTT" (3.1.1) or "MQIsdp" (3.1). */
	static const char v4[] = "\0\4MQTT", v3[] = "\0\6MQIsdp";
	if (len < 1)
		return -1;
	if ((unsigned char)d[0] != 0x10)
		return 0;
	size_t i = 1, remaining = 0;
	while (i < len && i < 5) {
		remaining |= ((size_t)(unsigned char)d[i] & 0x7f) << (7 * (i - 1));
		if (!((unsigned char)d[i] & 0x80))
			break;
		i++;
	}
	if (i >= len)
		return -1;
	if (i == 5)
		return 0;
	const char *name = d + i + 1;
	size_t have = len - i - 1;
	/* A whole packet too short for the name is no CONNECT: "\x10\x00"
	 * waited for more until protocolDetectionTimeOut. */
	bool whole = have >= remaining;
	if (whole)
		have = remaining;
	size_t n4 = have < 6 ? have : 6, n3 = have < 8 ? have : 8;
	if (memcmp(name, v4, n4) && memcmp(name, v3, n3))
		return 0;
	if (have >= 6 && !memcmp(name, v4, 6))
		return 1;
	if (have >= 8)
		return 1;
	return whole ? 0 : -1;
}

/* The sessions the store names (and the ids each had in flight) are
 * there again after a restart or a failover. */
static int mqtt_load(struct store *st)
{
	return store_load_session_ids(st, mqtt_session_restore, NULL);
}

const struct proto mqtt_proto = {
	.name = "mqtt",
	.label = "MQTT",
	.detect = mqtt_detect,
	.open = mqtt_open,
	.on_data = mqtt_on_data,
	.on_drain = mqtt_on_drain,
	.close = mqtt_close_conn,
	.load = mqtt_load,
	.stop = mqtt_session_free_all,
	.buffered = mqtt_buffered,
};
