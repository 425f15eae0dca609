/*
 * bridge_openwire.c - a bridge's connection to an ActiveMQ broker, in
 * OpenWire (bridge_openwire.h says the conversation): the WireFormatInfo
 * exchange, introducing this broker as a network bridge, keep-alive, and
 * the messages forwarded with their Responses. What the remote's
 * advisories say is bridge_openwire_demand.c's; what is forwarded, and
 * when, is bridge_demand.c's, as for a bridge to a Tandem.
 *
 * The codec is broker/openwire's (ow_encode, ow_decode); the core
 * message becomes a JMS message as an OpenWire consumer here would get it
 * (ow_message_from_core), its id kept.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bridge_openwire.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "message.h"
#include "openwire.h"
#include "openwire_codec.h"
#include "openwire_frame.h"
#include "openwire_message.h"
#include "openwire_wireformat.h"
#include "proto.h"
#include "queue.h"

#define OW_BRIDGE_MAX_FRAME (100u << 20)
/* ActiveMQ's default prefetch of a bridge's advisory consumer. */
#define ADVISORY_PREFETCH 1000
#define ADVISORY_TOPIC "ActiveMQ.Advisory.Consumer.>"

/* A forwarded message waiting for its Response: the command that carried
 * it and the local delivery to acknowledge then. */
struct in_flight {
	int32_t command_id;
	uint64_t delivery;
};

struct bridge_ow {
	struct ow_frame_reader *reader;
	struct ow_format fmt;
	bool negotiated;		/* the remote's WireFormatInfo was read */
	bool logged_in;			/* its Response to our ConnectionInfo came */
	int32_t next_command_id;
	int32_t connection_info_id;	/* the command id of our ConnectionInfo */
	char *remote_name, *remote_id;	/* from its BrokerInfo */
	char connection_id[160];	/* ours at the remote */
	int64_t inactivity_ms, initial_delay_ms;	/* negotiated; 0: none */
	int64_t since;			/* loop time the connection started */
	struct loop *loop;
	uint64_t ka_timer;
	struct in_flight *flight;
	size_t nflight, cap;
	uint64_t advisories;		/* read, for the next ack */
	/* Duplex, the dialled side (bridge_openwire_duplex.c): the remote's
	 * own bridge's connection, served by the OpenWire handler, which
	 * encodes b's commands too; NULL when b has a connection of its own. */
	const struct bridge_ow_host *host;
	struct conn *hosted_by;		/* that connection, until either side goes */
};

static const struct proto bridge_ow_proto;

bool bridge_ow_wanted(const char *entry)
{
	const char *p = strstr(entry, "protocol=openwire");
	return p && p > entry && (p[-1] == '?' || p[-1] == '&');
}

int bridge_ow_detect(const char *data, size_t len)
{
	return len ? openwire_detect(data, len) : -1;
}

/* ---- output ---- */

int bridge_ow_send(struct bridge *b, struct ow_obj *o)
{
	struct bridge_ow *ow = b->ow;
	if (!o)
		return -1;
	if (ow->host) {
		/* One stream of command ids on the connection: the host's. */
		int32_t id = ow->hosted_by ? ow->host->send(ow->hosted_by, o) : (ow_obj_free(o), -1);
		if (id < 0)
			return -1;
		ow->next_command_id = id;
		return 0;
	}
	if (o->type != OW_WIREFORMAT_INFO)
		((struct ow_command *)o)->command_id = ++ow->next_command_id;
	int rc = b->conn ? ow_encode(&ow->fmt, o, &b->conn->out) : -1;
	ow_obj_free(o);
	if (rc == 0)
		conn_flush_later(b->conn);
	return rc;
}

static int set_str(struct ow_str *s, const char *v)
{
	return ow_str_from_utf8(s, v, strlen(v));
}

/* o with its string field *s set to v; NULL (o freed) when memory runs
 * out. */
static void *with_str(struct ow_obj *o, struct ow_str *s, const char *v)
{
	if (o && set_str(s, v) < 0) {
		ow_obj_free(o);
		return NULL;
	}
	return o;
}

static struct ow_obj *connection_id(const struct bridge_ow *ow)
{
	struct ow_connection_id *id = (void *)ow_obj_new(OW_CONNECTION_ID);
	return id ? with_str(&id->h, &id->value, ow->connection_id) : NULL;
}

/* Our ids at the remote: session 1, producer 1, consumer 1 of it. */
static struct ow_producer_id *producer_id(const struct bridge_ow *ow)
{
	struct ow_producer_id *id = (void *)ow_obj_new(OW_PRODUCER_ID);
	if (!id)
		return NULL;
	id->session_id = id->value = 1;
	return with_str(&id->h, &id->connection_id, ow->connection_id);
}

static struct ow_consumer_id *consumer_id(const struct bridge_ow *ow)
{
	struct ow_consumer_id *id = (void *)ow_obj_new(OW_CONSUMER_ID);
	if (!id)
		return NULL;
	id->session_id = id->value = 1;
	return with_str(&id->h, &id->connection_id, ow->connection_id);
}

static struct ow_broker_id *broker_id(const char *value)
{
	struct ow_broker_id *id = (void *)ow_obj_new(OW_BROKER_ID);
	return id ? with_str(&id->h, &id->value, value) : NULL;
}

/* BrokerInfo: who this broker is, and that this is a network bridge, so
 * the remote treats the connection as ActiveMQ treats another broker's. */
static int send_broker_info(struct bridge *b)
{
	struct ow_broker_info *bi = (void *)ow_obj_new(OW_BROKER_INFO);
	if (!bi)
		return -1;
	bi->broker_id = broker_id(broker.id_prefix);
	bi->network_connection = true;
	if (!bi->broker_id || set_str(&bi->broker_name, broker.cfg->broker_name) < 0) {
		ow_obj_free(&bi->c.h);
		return -1;
	}
	return bridge_ow_send(b, &bi->c.h);
}

/* ConnectionInfo with a Response asked (the login's answer), then the
 * session and the producer every forwarded message names. */
static int send_login(struct bridge *b)
{
	struct bridge_ow *ow = b->ow;
	struct ow_connection_info *ci = (void *)ow_obj_new(OW_CONNECTION_INFO);
	char client[512];
	/* ActiveMQ's: CONNECTOR_BROKER_outbound. */
	snprintf(client, sizeof client, "%s_%s_outbound", b->nc->name, broker.cfg->broker_name);
	if (!ci || !(ci->connection_id = (void *)connection_id(ow)) ||
	    set_str(&ci->client_id, client) < 0 ||
	    (b->nc->user_name && set_str(&ci->user_name, b->nc->user_name) < 0) ||
	    (b->nc->password && set_str(&ci->password, b->nc->password) < 0)) {
		ow_obj_free(ci ? &ci->c.h : NULL);
		return -1;
	}
	/* On a duplex connection (either end) nothing answers it: ActiveMQ
	 * hands it to its broker one way, and sends it so itself. */
	ci->c.response_required = !ow->logged_in;
	if (bridge_ow_send(b, &ci->c.h) < 0)
		return -1;
	ow->connection_info_id = ow->logged_in ? -1 : ow->next_command_id;
	struct ow_session_info *si = (void *)ow_obj_new(OW_SESSION_INFO);
	struct ow_session_id *sid = (void *)ow_obj_new(OW_SESSION_ID);
	if (sid)
		sid->value = 1;
	if (!si || !(si->session_id = sid ? with_str(&sid->h, &sid->connection_id,
						     ow->connection_id) : NULL)) {
		ow_obj_free(si ? &si->c.h : NULL);
		return -1;
	}
	if (bridge_ow_send(b, &si->c.h) < 0)
		return -1;
	struct ow_producer_info *pi = (void *)ow_obj_new(OW_PRODUCER_INFO);
	if (!pi || !(pi->producer_id = producer_id(ow))) {
		ow_obj_free(pi ? &pi->c.h : NULL);
		return -1;
	}
	return bridge_ow_send(b, &pi->c.h);
}

/* The consumer of the remote's consumer advisories: its demand. */
static int send_advisory_consumer(struct bridge *b)
{
	struct ow_consumer_info *ci = (void *)ow_obj_new(OW_CONSUMER_INFO);
	if (!ci || !(ci->consumer_id = consumer_id(b->ow)) ||
	    !(ci->destination = (void *)ow_obj_new(OW_TOPIC)) ||
	    set_str(&ci->destination->physical_name, ADVISORY_TOPIC) < 0) {
		ow_obj_free(ci ? &ci->c.h : NULL);
		return -1;
	}
	ci->prefetch_size = ADVISORY_PREFETCH;
	ci->dispatch_async = true;
	ci->priority = 0;
	return bridge_ow_send(b, &ci->c.h);
}

/* ---- keep-alive ---- */

static void keep_alive_tick(struct loop *l, void *ctx)
{
	struct bridge *b = ctx;
	struct bridge_ow *ow = b->ow;
	struct conn *c = b->conn;
	ow->ka_timer = 0;
	if (!c || c->dead || c->closing)
		return;
	int64_t now = loop_now(l), third = ow->inactivity_ms / 3;
	/* ActiveMQ's InactivityMonitor starts writing after the initial
	 * delay: its first keep-alive may come that late, and then up to a
	 * maxInactivityDuration later (judged from the delay's end, a bridge
	 * to an idle ActiveMQ failed every 10 s, t/81-seed-mixed.t). */
	int64_t heard = c->last_read, start = ow->since + ow->initial_delay_ms;
	if (heard < start)
		heard = start;
	if (!c->read_paused && now - heard > ow->inactivity_ms) {
		bridge_fail(b, "nothing from %s for %" PRId64 " ms, more than the "
			    "maxInactivityDuration of %" PRId64 " ms: the link is down",
			    b->remote_addr, now - c->last_read, ow->inactivity_ms);
		return;
	}
	if (now - c->last_write >= third)
		bridge_ow_send(b, ow_obj_new(OW_KEEP_ALIVE_INFO));
	ow->ka_timer = loop_add_timer(l, third, keep_alive_tick, b);
}

/* ---- input ---- */

/* The remote's WireFormatInfo: both sides switch to what was agreed,
 * then this broker introduces itself. */
static void on_wireformat(struct bridge *b, const struct ow_wireformat_info *info)
{
	struct bridge_ow *ow = b->ow;
	struct ow_wire_options theirs, ours, agreed;
	char err[OW_ERR_MAX];
	if (ow->negotiated)
		return;
	if (ow_wireformat_read(info, &theirs, err) < 0) {
		bridge_fail(b, "%s sent a WireFormatInfo Tandem cannot use: %s", b->remote_addr, err);
		return;
	}
	ow_wireformat_broker(&ours, OW_BRIDGE_MAX_FRAME, b->inactivity_ms);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	int rc = ow_wireformat_apply(&ow->fmt, &agreed);
	ow->inactivity_ms = agreed.max_inactivity;
	ow->initial_delay_ms = agreed.max_inactivity_initial_delay;
	ow_wire_options_release(&theirs);
	if (rc < 0 || send_broker_info(b) < 0 || send_login(b) < 0) {
		bridge_fail(b, "out of memory");
		return;
	}
	ow->negotiated = true;
	if (ow->inactivity_ms > 0) {
		if (ow->inactivity_ms < 30)
			ow->inactivity_ms = 30;
		ow->ka_timer = loop_add_timer(b->conn->loop, ow->inactivity_ms / 3, keep_alive_tick, b);
	}
}

char *bridge_ow_text(const struct ow_str *s)
{
	struct buf b = BUF_INIT;
	size_t len;
	if (!s->s || ow_str_to_utf8(s, &b) < 0 || buf_append(&b, "", 0) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, &len);
}

/* Both its BrokerInfo and the answer to our login are in: the bridge is
 * up, and asks for the remote's demand. */
static void maybe_active(struct bridge *b)
{
	struct bridge_ow *ow = b->ow;
	if (!ow->logged_in || !ow->remote_name || b->state == BRIDGE_ACTIVE)
		return;
	bridge_beat_stop(b, b->conn->loop);	/* the handshake's deadline */
	if (!bridge_connected(b, ow->remote_name, ow->remote_id, NULL))
		return;
	if (send_advisory_consumer(b) < 0) {
		bridge_fail(b, "out of memory");
		return;
	}
	bridge_open_static_demand(b);
}

static void on_broker_info(struct bridge *b, const struct ow_broker_info *bi)
{
	struct bridge_ow *ow = b->ow;
	free(ow->remote_name);
	free(ow->remote_id);
	ow->remote_name = bridge_ow_text(&bi->broker_name);
	ow->remote_id = bi->broker_id ? bridge_ow_text(&bi->broker_id->value) : NULL;
	if (!ow->remote_name)
		ow->remote_name = strdup(b->remote_addr);
	maybe_active(b);
}

/* A Response: to the login, or to a forwarded message (acknowledged here
 * now). */
static void on_response(struct bridge *b, const struct ow_response *r)
{
	struct bridge_ow *ow = b->ow;
	if (r->correlation_id == ow->connection_info_id) {
		ow->logged_in = true;
		maybe_active(b);
		return;
	}
	for (size_t i = 0; i < ow->nflight; i++)
		if (ow->flight[i].command_id == r->correlation_id) {
			uint64_t delivery = ow->flight[i].delivery;
			ow->flight[i] = ow->flight[--ow->nflight];
			bridge_delivered(b, delivery);
			return;
		}
}

/* The remote refused a command: the login (its words say why), or a
 * message (ActiveMQ's bridge fails then too: what was in flight comes
 * back here and goes again once the bridge is up again). */
static void on_exception(struct bridge *b, const struct ow_exception_response *er)
{
	const struct ow_throwable *t = er->exception;
	char *klass = t ? bridge_ow_text(&t->class_name) : NULL;
	char *text = t ? bridge_ow_text(&t->message) : NULL;
	bool login = er->r.correlation_id == b->ow->connection_info_id;
	bridge_fail(b, "%s refused %s: %s: %s", b->remote_addr,
		    login ? "the bridge's login" : "a forwarded message",
		    klass ? klass : "an exception", text ? text : "(no message)");
	free(klass);
	free(text);
}

static void on_connection_error(struct bridge *b, const struct ow_connection_error *ce)
{
	char *text = ce->exception ? bridge_ow_text(&ce->exception->message) : NULL;
	bridge_fail(b, "%s sent a ConnectionError: %s", b->remote_addr, text ? text : "(no message)");
	free(text);
}

/* An advisory read: acknowledged, or the remote stops sending them once
 * the consumer's prefetch is full. */
static void ack_advisory(struct bridge *b, const struct ow_destination *dest,
			 struct ow_message_id *id)
{
	struct ow_message_ack *a = (void *)ow_obj_new(OW_MESSAGE_ACK);
	if (!a || !(a->consumer_id = consumer_id(b->ow))) {
		ow_obj_free(a ? &a->c.h : NULL);
		return;
	}
	a->ack_type = OW_ACK_STANDARD;
	a->message_count = 1;
	if (dest)
		a->destination = (void *)ow_obj_ref((struct ow_obj *)&dest->h);
	if (id) {
		a->first_message_id = (void *)ow_obj_ref(&id->h);
		a->last_message_id = (void *)ow_obj_ref(&id->h);
	}
	bridge_ow_send(b, &a->c.h);
}

static void on_dispatch(struct bridge *b, const struct ow_message_dispatch *md)
{
	if (!md->message)
		return;
	bridge_ow_advisory(b, md->message);
	if (b->ow)	/* else the bridge failed meanwhile */
		ack_advisory(b, md->destination, md->message->message_id);
}

static void on_keep_alive(struct bridge *b, const struct ow_command *c)
{
	if (c->response_required)
		bridge_ow_send(b, ow_obj_new(OW_KEEP_ALIVE_INFO));
}

static void on_shutdown(struct bridge *b, const struct ow_command *c)
{
	(void)c;
	bridge_fail(b, "%s is shutting down", b->remote_addr);
}

static const struct {
	uint8_t type;
	void (*handle)(struct bridge *b, const void *cmd);
} commands[] = {
	{ OW_WIREFORMAT_INFO, (void (*)(struct bridge *, const void *))on_wireformat },
	{ OW_BROKER_INFO, (void (*)(struct bridge *, const void *))on_broker_info },
	{ OW_RESPONSE, (void (*)(struct bridge *, const void *))on_response },
	{ OW_EXCEPTION_RESPONSE, (void (*)(struct bridge *, const void *))on_exception },
	{ OW_CONNECTION_ERROR, (void (*)(struct bridge *, const void *))on_connection_error },
	{ OW_MESSAGE_DISPATCH, (void (*)(struct bridge *, const void *))on_dispatch },
	{ OW_KEEP_ALIVE_INFO, (void (*)(struct bridge *, const void *))on_keep_alive },
	{ OW_SHUTDOWN_INFO, (void (*)(struct bridge *, const void *))on_shutdown },
};

static void on_command(struct bridge *b, struct ow_obj *o)
{
	if (o->type != OW_WIREFORMAT_INFO && !b->ow->negotiated) {
		bridge_fail(b, "%s sent a command before its WireFormatInfo", b->remote_addr);
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].type == o->type) {
			commands[i].handle(b, o);
			return;
		}
	/* ConnectionControl, ConsumerControl, ...: nothing a bridge needs. */
	const struct ow_type *t = ow_type_find(o->type);
	log_debug("network", "Bridge %s: %s from %s ignored", b->entry, t ? t->name : "a command",
		  b->remote_addr);
}

static void bridge_ow_on_data(struct conn *c)
{
	while (c->state && buf_len(&c->in) > 0 && !c->dead) {
		struct bridge *b = c->state;
		const uint8_t *frame;
		size_t flen;
		char err[OW_ERR_MAX];
		ssize_t n = ow_frame_feed(b->ow->reader, (const uint8_t *)buf_data(&c->in),
					  buf_len(&c->in), &frame, &flen, err);
		if (n < 0) {
			bridge_fail(b, "bad frame from %s: %s", b->remote_addr, err);
			return;
		}
		buf_consume(&c->in, (size_t)n);
		if (!frame)
			return;
		struct ow_obj *o;
		if (ow_decode(&b->ow->fmt, frame, flen, &o, err) < 0) {
			bridge_fail(b, "malformed command from %s: %s", b->remote_addr, err);
			return;
		}
		on_command(b, o);
		ow_obj_free(o);
	}
}

static void bridge_ow_on_drain(struct conn *c)
{
	struct bridge *b = c->state;
	if (b)
		bridge_wake_demand(b);
}

static void bridge_ow_on_close(struct conn *c)
{
	struct bridge *b = c->state;
	if (!b)
		return;
	b->conn = NULL;		/* it is being reaped */
	bridge_fail(b, "the connection to %s closed", b->remote_addr);
}

static const struct proto bridge_ow_proto = {
	.name = "bridge-openwire", .label = "network bridge (OpenWire)",
	.on_data = bridge_ow_on_data, .on_drain = bridge_ow_on_drain, .close = bridge_ow_on_close,
};

void bridge_ow_start(struct bridge *b, struct conn *c)
{
	static uint64_t connections;
	struct bridge_ow *ow = calloc(1, sizeof *ow);
	b->conn = c;
	c->proto = &bridge_ow_proto;
	c->state = b;
	if (!ow || !(ow->reader = ow_frame_reader_new(OW_BRIDGE_MAX_FRAME))) {
		free(ow);
		bridge_fail(b, "out of memory");
		return;
	}
	b->ow = ow;
	ow_format_init(&ow->fmt);
	ow->loop = c->loop;
	ow->since = loop_now(c->loop);
	snprintf(ow->connection_id, sizeof ow->connection_id, "%s-bridge:%" PRIu64,
		 broker.id_prefix, ++connections);
	struct ow_wire_options ours;
	ow_wireformat_broker(&ours, OW_BRIDGE_MAX_FRAME, b->inactivity_ms);
	struct ow_wireformat_info *w = ow_wireformat_make(&ours);
	if (bridge_ow_send(b, w ? &w->h : NULL) < 0) {
		bridge_fail(b, "out of memory");
		return;
	}
	if (buf_len(&c->in))
		bridge_ow_on_data(c);
}

void bridge_ow_release(struct bridge *b)
{
	struct bridge_ow *ow = b->ow;
	if (!ow)
		return;
	bridge_ow_demand_clear(b);
	if (ow->host && ow->hosted_by)
		ow->host->detach(ow->hosted_by);
	if (ow->ka_timer)
		loop_del_timer(ow->loop, ow->ka_timer);
	if (ow->reader) {
		ow_frame_reader_free(ow->reader);
		ow_format_release(&ow->fmt);
	}
	free(ow->remote_name);
	free(ow->remote_id);
	free(ow->flight);
	free(ow);
	b->ow = NULL;
}

/* ---- hosted: the dialled end of a remote's duplex bridge ---- */

void bridge_ow_host(struct bridge *b, struct conn *c, const struct bridge_ow_host *host,
		    const char *name, const char *id)
{
	static uint64_t hosted;
	struct bridge_ow *ow = calloc(1, sizeof *ow);
	b->conn = c;
	if (!ow) {
		bridge_fail(b, "out of memory");
		return;
	}
	b->ow = ow;
	ow->host = host;
	ow->hosted_by = c;
	ow->loop = c->loop;
	ow->since = loop_now(c->loop);
	snprintf(ow->connection_id, sizeof ow->connection_id, "%s-duplex:%" PRIu64,
		 broker.id_prefix, ++hosted);
	if (!name)
		return;	/* this broker dialled: bridge_ow_host_ready() */
	/* The connection's WireFormatInfo and BrokerInfo went both ways
	 * already, and the remote logged in here. */
	ow->negotiated = ow->logged_in = true;
	ow->remote_name = strdup(name);
	ow->remote_id = id ? strdup(id) : NULL;
	if (!ow->remote_name || (id && !ow->remote_id) || send_login(b) < 0) {
		bridge_fail(b, "out of memory");
		return;
	}
	maybe_active(b);
}

void bridge_ow_host_ready(struct bridge *b)
{
	if (!b->ow || b->ow->negotiated)
		return;
	/* ActiveMQ's end of a duplex connection hands this ConnectionInfo
	 * to its broker itself and answers nothing (its own dialler sends it
	 * one way): a refused login closes the connection instead. */
	b->ow->negotiated = b->ow->logged_in = true;
	if (send_login(b) < 0) {
		bridge_fail(b, "out of memory");
		return;
	}
	maybe_active(b);
}

void bridge_ow_host_gone(struct bridge *b)
{
	if (!b->ow || !b->ow->host)
		return;
	b->ow->hosted_by = NULL;
	b->conn = NULL;		/* the host's, being reaped */
	bridge_fail(b, "the duplex connection with %s closed", b->remote_addr);
}

bool bridge_ow_hosted(const struct bridge *b)
{
	return b->ow && b->ow->host;
}

/* What ActiveMQ's bridge reads as a consumer advisory when it comes as a
 * message (NetworkBridgeFilter.isAdvisoryInterpretedByNetworkBridge). */
static bool consumer_advisory(const struct ow_message *m)
{
	static const char prefix[] = "ActiveMQ.Advisory.Consumer.";
	const struct ow_destination *d = m->destination;
	return d && d->h.type == OW_TOPIC && d->physical_name.s &&
	       d->physical_name.len >= sizeof prefix - 1 &&
	       !memcmp(d->physical_name.s, prefix, sizeof prefix - 1);
}

bool bridge_ow_hosted_command(struct bridge *b, struct ow_obj *o)
{
	switch (o->type) {
	case OW_RESPONSE:
		on_response(b, (void *)o);
		return true;
	case OW_EXCEPTION_RESPONSE:
		on_exception(b, (void *)o);
		return true;
	case OW_MESSAGE_DISPATCH:
		on_dispatch(b, (void *)o);
		return true;
	case OW_BROKER_INFO:
		/* Who the remote is, for the bridge and for the host. */
		on_broker_info(b, (void *)o);
		return false;
	case OW_MESSAGE: case OW_TEXT_MESSAGE: case OW_BYTES_MESSAGE: case OW_MAP_MESSAGE:
	case OW_OBJECT_MESSAGE: case OW_STREAM_MESSAGE:
		break;
	default:
		return false;
	}
	/* The remote's bridge forwards its advisories to this bridge's
	 * advisory consumer as messages, one way; they are acknowledged as
	 * dispatched ones are. */
	struct ow_message *m = (void *)o;
	if (!consumer_advisory(m))
		return false;
	bridge_ow_advisory(b, m);
	if (b->ow)
		ack_advisory(b, m->destination, m->message_id);
	return true;
}

/* ---- forwarding ---- */

/* The message's broker path: the brokers it left (NETWORK_PATH_HEADER,
 * BrokerIds), then this one; whatever ow_message_from_core() put there
 * is replaced. */
static int set_path(struct ow_message *om, const struct message *m)
{
	for (uint16_t i = 0; om->broker_path.v && i < om->broker_path.n; i++)
		ow_obj_free(om->broker_path.v[i]);
	free(om->broker_path.v);
	om->broker_path = (struct ow_array){ NULL, 0 };
	const char *old = message_header(m, NETWORK_PATH_HEADER);
	size_t n = 1;
	for (const char *p = old; p && *p; p++)
		n += *p == ',';
	n += old && *old;
	struct ow_obj **v = calloc(n, sizeof *v);
	if (!v)
		return -1;
	om->broker_path.v = v;
	uint16_t k = 0;
	for (const char *p = old; p && *p && (size_t)k + 1 < n;) {
		size_t len = strcspn(p, ",");
		char *one = strndup(p, len);
		struct ow_broker_id *id = one ? broker_id(one) : NULL;
		free(one);
		if (!id)
			return -1;
		v[k++] = &id->h;
		om->broker_path.n = k;
		p += len + (p[len] == ',');
	}
	struct ow_broker_id *self = broker_id(broker.id_prefix);
	if (!self)
		return -1;
	v[k++] = &self->h;
	om->broker_path.n = k;
	return 0;
}

static int remember(struct bridge_ow *ow, int32_t command_id, uint64_t delivery)
{
	if (ow->nflight == ow->cap) {
		size_t cap = ow->cap ? ow->cap * 2 : 64;
		struct in_flight *v = realloc(ow->flight, cap * sizeof *v);
		if (!v)
			return -1;
		ow->flight = v;
		ow->cap = cap;
	}
	ow->flight[ow->nflight++] = (struct in_flight){ command_id, delivery };
	return 0;
}

int bridge_ow_forward(struct bridge *b, const struct qentry *e)
{
	struct bridge_ow *ow = b->ow;
	const struct message *m = e->msg;
	struct ow_message *om = ow_message_from_core(m, e->delivery_id, 0);
	if (!om)
		return -1;
	/* Sent by the bridge's producer, under the message's own id. */
	ow_obj_free(om->producer_id ? &om->producer_id->h : NULL);
	om->producer_id = producer_id(ow);
	om->c.response_required = true;
	if (!om->producer_id || set_path(om, m) < 0 || remember(ow, 0, e->delivery_id) < 0) {
		ow_obj_free(&om->c.h);
		return -1;
	}
	if (bridge_ow_send(b, &om->c.h) < 0) {
		ow->nflight--;
		return -1;
	}
	/* Its command id is known once sent (a hosted bridge's is the
	 * host's). */
	ow->flight[ow->nflight - 1].command_id = ow->next_command_id;
	b->conn->msgs_out++;
	return 0;
}
