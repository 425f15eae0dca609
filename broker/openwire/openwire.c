/*
 * openwire.c - the OpenWire protocol handler: commands of ActiveMQ's JMS
 * client turned into broker calls (openwire.h). This file holds the
 * connection: the WireFormatInfo exchange, BrokerInfo on connect,
 * ConnectionInfo's login (as STOMP's CONNECT), KeepAliveInfo at a third
 * of the negotiated maxInactivityDuration, ShutdownInfo, and the table of
 * commands; openwire_conn.h names the files that serve the rest.
 *
 * What is served: client ids unique per broker (ActiveMQ's
 * InvalidClientIDException), sessions and producers, every JMS message
 * type sent to queues and topics (openwire_send.c, openwire_message.c),
 * consumers (openwire_consumer.c: prefetch, pulls, every ack type,
 * durable subscriptions, exclusive, priority, noLocal, ConsumerControl),
 * queue browsers (openwire_browse.c), local and XA transactions
 * (openwire_tx.c), temporary destinations (openwire_dest.c), the
 * advisories JMS clients read (openwire_advisory.c), RemoveInfo. Anything else a client asks an answer for
 * gets an ExceptionResponse saying it is not served yet, so the
 * application sees a JMSException, not a hang.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "client_id.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "log.h"
#include "loop.h"
#include "openwire.h"
#include "openwire_codec.h"
#include "openwire_conn.h"
#include "openwire_frame.h"
#include "openwire_network.h"
#include "openwire_wireformat.h"
#include "proto.h"

/* ActiveMQ's defaults: wireFormat.maxFrameSize for a connection no
 * connector accepted, and maxInactivityDuration (ms). */
#define OW_MAX_FRAME 104857600
#define OW_MAX_INACTIVITY 30000

/* ---- output ---- */

int ow_send(struct ow_conn *oc, struct ow_obj *o)
{
	ow_dest_before_send(oc, o);
	if (o && o->type != OW_WIREFORMAT_INFO)
		((struct ow_command *)o)->command_id = ++oc->next_command_id;
	int rc = o ? ow_encode(&oc->fmt, o, &oc->conn->out) : -1;
	ow_obj_free(o);
	if (rc == 0)
		conn_flush_later(oc->conn);
	return rc;
}

void ow_send_response(struct ow_conn *oc, int32_t correlation)
{
	struct ow_response *r = (struct ow_response *)ow_obj_new(OW_RESPONSE);
	if (r)
		r->correlation_id = correlation;
	ow_send(oc, r ? &r->c.h : NULL);
}

static struct ow_throwable *throwable(const char *klass, const char *text)
{
	struct ow_throwable *t = calloc(1, sizeof *t);
	if (t && (ow_str_from_utf8(&t->class_name, klass, strlen(klass)) < 0 ||
		  (ow_str_from_utf8(&t->message, text, strlen(text)) < 0 &&
		   ow_str_set(&t->message, "?", 1) < 0))) {
		ow_throwable_free(t);
		return NULL;
	}
	return t;
}

/* ActiveMQ tells a failed one-way command in a ConnectionError too: the
 * client's exception listener hears it. */
void ow_refuse(struct ow_conn *oc, const struct ow_command *cmd, const char *klass,
	       const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_debug("openwire", "%s: %s: %s", oc->conn->peer, klass, text);
	struct ow_throwable *t = throwable(klass, text);
	struct ow_obj *o = NULL;
	if (cmd && cmd->response_required) {
		struct ow_exception_response *r = (void *)ow_obj_new(OW_EXCEPTION_RESPONSE);
		if (r) {
			r->r.correlation_id = cmd->command_id;
			r->exception = t;
			t = NULL;
			o = &r->r.c.h;
		}
	} else {
		struct ow_connection_error *e = (void *)ow_obj_new(OW_CONNECTION_ERROR);
		if (e) {
			e->exception = t;
			t = NULL;
			o = &e->c.h;
		}
	}
	ow_throwable_free(t);
	ow_send(oc, o);
}

/* Input the connection cannot go on from: the client hears why in a
 * ConnectionError, then the connection closes, as ActiveMQ's does. */
static void closing_error(struct ow_conn *oc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void closing_error(struct ow_conn *oc, const char *fmt, ...)
{
	char text[OW_ERR_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ow_refuse(oc, NULL, EX_IO, "%s", text);
	conn_close_after_flush(oc->conn);
}

/* ---- strings ---- */

char *ow_utf8_of(const struct ow_str *s, bool *oom)
{
	if (!s->s)
		return NULL;
	struct buf b = BUF_INIT;
	size_t len;
	if (ow_str_to_utf8(s, &b) < 0 || buf_append(&b, "", 0) < 0) {
		buf_free(&b);
		*oom = true;
		return NULL;
	}
	char *p = buf_steal(&b, &len);
	if (!p)
		*oom = true;
	return p;
}

int ow_dest_of(struct ow_conn *oc, const struct ow_command *cmd,
	       const struct ow_destination *d, enum dest_type *type, char **name)
{
	bool oom = false;
	*name = NULL;
	if (!d) {
		ow_refuse(oc, cmd, EX_DEST, "The command names no destination");
		return -1;
	}
	/* A temporary one goes by the name its client gave it
	 * (openwire_dest.c). */
	if (!ow_dest_temp_of(d, type))
		*type = d->h.type == OW_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	*name = ow_utf8_of(&d->physical_name, &oom);
	const char *why = oom ? "The broker is out of memory"
			  : !*name || !**name ? "The destination has no name"
			  : strstr(*name, "://") ? "Composite destinations of queues and "
						   "topics together are not served over "
						   "OpenWire by this version of Tandem yet"
			  : NULL;
	if (why) {
		ow_refuse(oc, cmd, oom ? EX_JMS : EX_DEST, "%s: [%.200s]", why,
			  *name ? *name : "");
		free(*name);
		*name = NULL;
		return -1;
	}
	if (ow_dest_check(oc, cmd, *type, *name) < 0) {
		free(*name);
		*name = NULL;
		return -1;
	}
	return 0;
}

struct ow_destination *ow_destination_of(enum dest_type type, const char *name)
{
	struct ow_destination *d = (void *)ow_obj_new(type == DEST_TOPIC ? OW_TOPIC : OW_QUEUE);
	if (d && ow_str_from_utf8(&d->physical_name, name, strlen(name)) < 0) {
		ow_obj_free(&d->h);
		return NULL;
	}
	return d;
}

/* ---- client ids ---- */

/* Makes *id (malloc'ed) oc's client id, unique per broker across
 * protocols as ActiveMQ's (client_id.h): 0 (*id taken over), or -1 refused
 * (answered) when another connection, of any protocol, holds it or memory
 * runs out. */
static int hold_client_id(struct ow_conn *oc, const struct ow_command *cmd, char **id)
{
	struct conn *holder = client_id_holder(*id);
	if (holder) {
		log_info("openwire", "%s refused: client id [%s] is in use by %s (%s)",
			 oc->conn->peer, *id, holder->peer, holder->proto->label);
		/* ActiveMQ's words, which the client shows in its
		 * InvalidClientIDException. */
		ow_refuse(oc, cmd, EX_CLIENT_ID, "Broker: %s - Client: %s already connected "
			  "from tcp://%s", broker.cfg->broker_name, *id, holder->peer);
		return -1;
	}
	oc->conn->client_id = *id;
	*id = NULL;
	if (client_id_hold(oc->conn) < 0) {
		ow_refuse(oc, cmd, EX_JMS, "The broker is out of memory");
		free(oc->conn->client_id);
		oc->conn->client_id = NULL;
		return -1;
	}
	oc->holds_client_id = true;
	return 0;
}

void ow_release_client_id(struct ow_conn *oc)
{
	if (oc->holds_client_id)
		client_id_release(oc->conn);
	oc->holds_client_id = false;
}

/* ---- commands ---- */

/* Out of memory it stays NULL: the connection's sends are then not
 * audited, so a resend of one may be stored twice, never dropped. */
static void remember_connection_id(struct ow_conn *oc, const struct ow_connection_info *ci)
{
	const struct ow_str *id = ci->connection_id ? &ci->connection_id->value : NULL;
	if (!id || !id->s || !(oc->connection_id = malloc(id->len ? id->len : 1)))
		return;
	memcpy(oc->connection_id, id->s, id->len);
	oc->connection_id_len = id->len;
}

static int on_connection_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_connection_info *ci = (void *)o;
	struct conn *c = oc->conn;
	bool oom = false;
	char *user = ow_utf8_of(&ci->user_name, &oom);
	char *password = ow_utf8_of(&ci->password, &oom);
	char *client_id = ow_utf8_of(&ci->client_id, &oom);
	int rc = 0;
	if (oom) {
		ow_refuse(oc, &ci->c, EX_JMS, "The broker is out of memory");
		rc = -1;
	} else if (!c->trusted && !broker_login_ok(user, password)) {
		log_warn("openwire", "Security error: user name [%s] or password is invalid "
			 "(from %s)", user ? user : "", c->peer);
		ow_refuse(oc, &ci->c, EX_SECURITY, "User name [%s] or password is invalid.",
			     user ? user : "");
		conn_close_after_flush(c);
		rc = -1;
	} else if (!oc->connected && client_id && *client_id && !c->client_id &&
		   hold_client_id(oc, &ci->c, &client_id) < 0) {
		rc = -1;
	} else if (!oc->connected) {
		oc->connected = true;
		conn_logged_in(c);
		int64_t max = (int64_t)conn_frame_max(c, OW_MAX_FRAME);
		ow_frame_reader_set_max(oc->reader, (uint64_t)(oc->max_frame && oc->max_frame < max
							       ? oc->max_frame : max));
		if (user && *user && !c->user && !c->trusted)
			c->user = user, user = NULL;
		remember_connection_id(oc, ci);
		log_debug("openwire", "%s connected with OpenWire %d", c->peer, oc->fmt.version);
		ow_advisory_connection(oc, true);
		ow_cluster_logged_in(oc, ci);
		ow_network_logged_in(oc);
	}
	free(user);
	free(password);
	free(client_id);
	return rc;
}

static int on_shutdown(struct ow_conn *oc, struct ow_obj *o)
{
	(void)o;
	conn_close_after_flush(oc->conn);
	return 1;
}

static int on_keep_alive(struct ow_conn *oc, struct ow_obj *o)
{
	if (((struct ow_command *)o)->response_required)
		ow_send(oc, ow_obj_new(OW_KEEP_ALIVE_INFO));
	return 1;
}

static int on_nothing(struct ow_conn *oc, struct ow_obj *o)
{
	(void)oc;
	(void)o;
	return 0;
}

static const struct {
	uint8_t type;
	int (*handle)(struct ow_conn *oc, struct ow_obj *o);
	bool before_login;	/* allowed before ConnectionInfo */
} commands[] = {
	{ OW_CONNECTION_INFO, on_connection_info, true },
	{ OW_BROKER_INFO, ow_on_broker_info, true },
	{ OW_KEEP_ALIVE_INFO, on_keep_alive, true },
	{ OW_SHUTDOWN_INFO, on_shutdown, true },
	{ OW_REMOVE_INFO, ow_on_remove, true },
	{ OW_SESSION_INFO, on_nothing, false },
	{ OW_PRODUCER_INFO, ow_on_producer, false },
	{ OW_FLUSH_COMMAND, on_nothing, false },
	{ OW_CONSUMER_INFO, ow_on_consumer_info, false },
	{ OW_MESSAGE_ACK, ow_on_ack, false },
	{ OW_TRANSACTION_INFO, ow_on_transaction_info, false },
	{ OW_MESSAGE, ow_on_message, false },
	{ OW_TEXT_MESSAGE, ow_on_message, false },
	{ OW_BYTES_MESSAGE, ow_on_message, false },
	{ OW_MAP_MESSAGE, ow_on_message, false },
	{ OW_OBJECT_MESSAGE, ow_on_message, false },
	{ OW_STREAM_MESSAGE, ow_on_message, false },
	{ OW_MESSAGE_PULL, ow_on_message_pull, false },
	{ OW_CONSUMER_CONTROL, ow_on_consumer_control, false },
	{ OW_REMOVE_SUBSCRIPTION_INFO, ow_on_remove_subscription, false },
	{ OW_DESTINATION_INFO, ow_on_destination_info, false },
};

static void handle_command(struct ow_conn *oc, struct ow_obj *o)
{
	const struct ow_command *cmd = (const struct ow_command *)o;
	size_t n = sizeof commands / sizeof commands[0], i;
	if (ow_network_duplex_command(oc, o))
		return;	/* it answered this broker's bridge back */
	for (i = 0; i < n && commands[i].type != o->type; i++)
		;
	const struct ow_type *t = ow_type_find(o->type);
	if (i == n) {
		/* One-way ones are let be: a command no JMS application
		 * needs answered must not reach the connection's exception
		 * listener. */
		if (cmd->response_required)
			ow_refuse(oc, cmd, EX_JMS, "%s is not served by this version of "
				     "Tandem yet", t ? t->name : "this command");
		else
			log_debug("openwire", "%s: %s ignored: not served yet", oc->conn->peer,
				  t ? t->name : "a command");
		return;
	}
	if (!oc->connected && !commands[i].before_login) {
		ow_refuse(oc, cmd, EX_JMS, "A connection must start with ConnectionInfo, "
			     "not %s", t ? t->name : "this command");
		conn_close_after_flush(oc->conn);
		return;
	}
	int rc = commands[i].handle(oc, o);
	if (rc == 0 && cmd->response_required && !oc->conn->dead)
		ow_send_response(oc, cmd->command_id);
}

/* ---- the wire format and keep-alive ---- */

static void keep_alive_tick(struct loop *l, void *ctx)
{
	struct ow_conn *oc = ctx;
	struct conn *c = oc->conn;
	oc->ka_timer = 0;
	if (c->dead || c->closing)
		return;
	int64_t now = loop_now(l), third = oc->inactivity / 3;
	/* A producer held by flow control is not read from: its silence is
	 * ours. */
	if (!c->read_paused && now - c->last_read > oc->inactivity) {
		log_info("openwire", "Closing %s: nothing received for %" PRId64 " ms, more than "
			 "its maxInactivityDuration of %" PRId64 " ms", c->peer, now - c->last_read,
			 oc->inactivity);
		conn_close(c, "inactive");
		return;
	}
	if (now - c->last_write >= third)
		ow_send(oc, ow_obj_new(OW_KEEP_ALIVE_INFO));
	oc->ka_timer = loop_add_timer(l, third, keep_alive_tick, oc);
}

static struct ow_obj *broker_info(void)
{
	struct ow_broker_info *bi = (void *)ow_obj_new(OW_BROKER_INFO);
	struct ow_broker_id *id = (void *)ow_obj_new(OW_BROKER_ID);
	const char *name = broker.cfg->broker_name;
	if (!bi || !id || ow_str_from_utf8(&bi->broker_name, name, strlen(name)) < 0 ||
	    ow_str_from_utf8(&id->value, broker.id_prefix, strlen(broker.id_prefix)) < 0) {
		ow_obj_free(bi ? &bi->c.h : NULL);
		ow_obj_free(id ? &id->h : NULL);
		return NULL;
	}
	bi->broker_id = id;
	return &bi->c.h;
}

static int64_t connector_max_frame(const struct conn *c)
{
	return c->connector ? c->connector->conf->max_frame_size : OW_MAX_FRAME;
}

/* The client's WireFormatInfo: both sides switch to what was agreed, then
 * the client hears who we are. */
static int on_wireformat(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_wire_options theirs, ours, agreed;
	char err[OW_ERR_MAX];
	if (ow_wireformat_read((struct ow_wireformat_info *)o, &theirs, err) < 0) {
		log_warn("openwire", "Closing %s: %s", oc->conn->peer, err);
		closing_error(oc, "%s", err);
		return -1;
	}
	ow_wireformat_broker(&ours, connector_max_frame(oc->conn), OW_MAX_INACTIVITY);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	int rc = ow_wireformat_apply(&oc->fmt, &agreed);
	oc->max_frame = agreed.max_frame_size;
	oc->inactivity = agreed.max_inactivity;
	ow_wire_options_release(&theirs);	/* ours holds static strings */
	if (rc < 0) {
		conn_close(oc->conn, "out of memory");
		return -1;
	}
	oc->negotiated = true;
	ow_send(oc, ow_network_broker_info(oc, broker_info()));
	ow_network_negotiated(oc);
	if (oc->inactivity > 0) {
		if (oc->inactivity < 30)
			oc->inactivity = 30;
		oc->ka_timer = loop_add_timer(oc->conn->loop, oc->inactivity / 3, keep_alive_tick,
					      oc);
	}
	return 0;
}

static void on_frame(struct ow_conn *oc, const uint8_t *frame, size_t len)
{
	struct ow_obj *o;
	char err[OW_ERR_MAX];
	if (ow_decode(&oc->fmt, frame, len, &o, err) < 0) {
		log_warn("openwire", "Closing %s: malformed command: %s", oc->conn->peer, err);
		closing_error(oc, "Malformed command: %s", err);
		return;
	}
	if (o->type == OW_WIREFORMAT_INFO) {
		if (!oc->negotiated)
			on_wireformat(oc, o);
	} else if (!oc->negotiated) {
		log_warn("openwire", "Closing %s: it sent a command before its WireFormatInfo",
			 oc->conn->peer);
		closing_error(oc, "A connection must start with WireFormatInfo");
	} else {
		handle_command(oc, o);
	}
	ow_obj_free(o);
}

/* ---- the connection ---- */

static void openwire_on_data(struct conn *c)
{
	struct ow_conn *oc = c->state;
	while (buf_len(&c->in) > 0 && !c->dead && !c->closing && !c->read_paused) {
		const uint8_t *frame;
		size_t flen;
		char err[OW_ERR_MAX];
		ssize_t n = ow_frame_feed(oc->reader, (const uint8_t *)buf_data(&c->in),
					  buf_len(&c->in), &frame, &flen, err);
		if (n < 0) {
			buf_reset(&c->in);
			log_warn("openwire", "Closing %s: %s%s", c->peer, err,
				 oc->connected ? "" : " (before its ConnectionInfo was accepted)");
			closing_error(oc, "%s", err);
			return;
		}
		buf_consume(&c->in, (size_t)n);
		if (!frame)
			return;
		on_frame(oc, frame, flen);
	}
}

static void openwire_on_drain(struct conn *c)
{
	ow_consumers_wakeup(c->state);
	ow_browse_resume(c->state);
	ow_network_drained(c->state);
}

static int openwire_open(struct conn *c)
{
	static bool watching;
	if (!watching) {
		ow_cluster_watch();
		watching = true;
	}
	struct ow_conn *oc = calloc(1, sizeof *oc);
	if (!oc)
		return -1;
	oc->reader = ow_frame_reader_new(conn_frame_max(c, OW_MAX_FRAME));
	if (!oc->reader) {
		free(oc);
		return -1;
	}
	ow_format_init(&oc->fmt);
	oc->conn = c;
	c->state = oc;
	/* Ours goes first, as ActiveMQ's broker sends it on accept. */
	struct ow_wire_options ours;
	ow_wireformat_broker(&ours, connector_max_frame(c), OW_MAX_INACTIVITY);
	struct ow_wireformat_info *w = ow_wireformat_make(&ours);
	return ow_send(oc, w ? &w->h : NULL);
}

static void openwire_close(struct conn *c)
{
	struct ow_conn *oc = c->state;
	if (!oc)
		return;
	ow_tx_close(oc);	/* before its consumers give back what it acked */
	ow_consumers_close(oc);
	ow_browse_stop(oc, NULL);
	ow_producers_forget(oc, NULL);
	ow_release_client_id(oc);
	if (oc->connected)
		ow_advisory_connection(oc, false);
	ow_dest_conn_gone(oc);
	ow_network_release(oc);
	if (oc->ka_timer)
		loop_del_timer(c->loop, oc->ka_timer);
	broker_conn_gone(c);
	ow_frame_reader_free(oc->reader);
	ow_format_release(&oc->fmt);
	free(oc->connection_id);
	free(oc);
	c->state = NULL;
}

static size_t openwire_buffered(const struct conn *c)
{
	const struct ow_conn *oc = c->state;
	return ow_frame_reader_held(oc->reader);
}

int openwire_detect(const char *d, size_t len)
{
	/* 4-byte size, WireFormatInfo type 1, then the magic "ActiveMQ". */
	static const char magic[] = "\x01" "ActiveMQ";
	size_t want = 4 + sizeof magic - 1;
	size_t n = len < want ? len : want;
	/* The size's high byte is 0: a WireFormatInfo is a few hundred
	 * bytes. Without this look, any first packet of 4 bytes or fewer
	 * (an MQTT PINGREQ) kept the connection waiting for the magic until
	 * protocolDetectionTimeOut. */
	if (d[0] != 0)
		return 0;
	if (n <= 4)
		return -1;
	if (memcmp(d + 4, magic, n - 4) != 0)
		return 0;
	return len >= want ? 1 : -1;
}

const struct proto openwire_proto = {
	.name = "openwire",
	.label = "OpenWire",
	.detect = openwire_detect,
	.open = openwire_open,
	.on_data = openwire_on_data,
	.on_drain = openwire_on_drain,
	.close = openwire_close,
	.load = ow_tx_load,
	.stop = ow_tx_stop,
	.buffered = openwire_buffered,
};
