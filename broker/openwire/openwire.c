/*
 * openwire.c - the OpenWire protocol handler: commands of ActiveMQ's JMS
 * client turned into broker calls (openwire.h).
 *
 * What is served (issue 20's first slice): the WireFormatInfo exchange,
 * BrokerInfo on connect, ConnectionInfo's login (as STOMP's CONNECT),
 * sessions and producers, TextMessage sends to queues and topics through
 * broker_publish() (a send that asks for an answer gets its Response once
 * the message is durable, or an ExceptionResponse naming the Java
 * exception the client throws), consumers with a prefetch, MessageDispatch,
 * the standard, individual, delivered and poison acks, RemoveInfo,
 * ShutdownInfo and KeepAliveInfo at a third of the negotiated
 * maxInactivityDuration. Anything else a client asks an answer for
 * (transactions, temporary destinations, message pulls, browsers, other
 * message kinds) gets an ExceptionResponse saying it is not served yet,
 * so the application sees a JMSException, not a hang.
 *
 * Messages shared with STOMP and MQTT: a TextMessage's text is the
 * message body (UTF-8); JMSCorrelationID and JMSType are the headers
 * correlation-id and type; JMSPriority, JMSExpiration, JMSTimestamp and
 * the delivery mode are the message's own. A message whose body is not
 * UTF-8 goes to a JMS consumer as a BytesMessage. JMS properties are not
 * carried yet.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "consumer.h"
#include "log.h"
#include "loop.h"
#include "openwire.h"
#include "openwire_codec.h"
#include "openwire_frame.h"
#include "openwire_wireformat.h"
#include "publish.h"

/* ActiveMQ's defaults: wireFormat.maxFrameSize for a connection no
 * connector accepted, maxInactivityDuration (ms), and the prefetch the
 * core bounds a consumer with when the client asks for none (a pull
 * consumer, served as prefetch 1). */
#define OW_MAX_FRAME 104857600
#define OW_MAX_INACTIVITY 30000
#define OW_PREFETCH_MIN 1
/* The most destinations one composite consumer names (a,b,c). */
#define OW_COMPOSITE_MAX 16

/* Java exception classes the client turns into JMS exceptions. */
#define EX_JMS "javax.jms.JMSException"
#define EX_SECURITY "java.lang.SecurityException"
#define EX_FULL "javax.jms.ResourceAllocationException"
#define EX_DEST "javax.jms.InvalidDestinationException"
#define EX_SELECTOR "javax.jms.InvalidSelectorException"
#define EX_IO "java.io.IOException"

struct ow_conn;

struct ow_sub {
	struct ow_conn *oc;
	struct ow_consumer_id *id;	/* the client's (a reference) */
	/* One per destination a composite destination names (the Java
	 * client's advisory consumer watches two topics). */
	struct consumer *consumers[OW_COMPOSITE_MAX];
	size_t n;
	struct ow_sub *next;
};

struct ow_conn {
	struct conn *conn;
	struct ow_frame_reader *reader;
	struct ow_format fmt;
	bool negotiated;	/* the client's WireFormatInfo was read */
	bool connected;		/* its ConnectionInfo was accepted */
	int64_t max_frame;	/* negotiated wireFormat.maxFrameSize */
	int64_t inactivity;	/* negotiated maxInactivityDuration; 0 off */
	uint64_t ka_timer;
	int32_t next_command_id;
	struct ow_sub *subs;
};

/* ---- output ---- */

static int send_cmd(struct ow_conn *oc, struct ow_obj *o)
{
	if (o && o->type != OW_WIREFORMAT_INFO)
		((struct ow_command *)o)->command_id = ++oc->next_command_id;
	int rc = o ? ow_encode(&oc->fmt, o, &oc->conn->out) : -1;
	ow_obj_free(o);
	if (rc == 0)
		conn_flush_later(oc->conn);
	return rc;
}

static void send_response(struct ow_conn *oc, int32_t correlation)
{
	struct ow_response *r = (struct ow_response *)ow_obj_new(OW_RESPONSE);
	if (r)
		r->correlation_id = correlation;
	send_cmd(oc, r ? &r->c.h : NULL);
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

/* An ExceptionResponse to the command `correlation` when it asked for an
 * answer, else a ConnectionError (the client's exception listener hears
 * it; ActiveMQ tells a failed one-way command so too). */
static void send_refusal(struct ow_conn *oc, const struct ow_command *cmd, const char *klass,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void send_refusal(struct ow_conn *oc, const struct ow_command *cmd, const char *klass,
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
	send_cmd(oc, o);
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
	send_refusal(oc, NULL, EX_IO, "%s", text);
	conn_close_after_flush(oc->conn);
}

/* ---- strings ---- */

/* A string field as a NUL-terminated UTF-8 copy; NULL for Java's null or
 * when memory runs out (*oom then says which). */
static char *utf8_of(const struct ow_str *s, bool *oom)
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

/* A destination of the client's as a core one: 0, or -1 with the reason
 * (answered) when it is none the core serves yet. *name is malloc'ed. */
static int dest_of(struct ow_conn *oc, const struct ow_command *cmd,
		   const struct ow_destination *d, enum dest_type *type, char **name)
{
	bool oom = false;
	*name = NULL;
	if (!d) {
		send_refusal(oc, cmd, EX_DEST, "The command names no destination");
		return -1;
	}
	if (d->h.type == OW_TEMP_QUEUE || d->h.type == OW_TEMP_TOPIC) {
		send_refusal(oc, cmd, EX_DEST, "Temporary destinations are not served over "
			     "OpenWire by this version of Tandem yet");
		return -1;
	}
	*type = d->h.type == OW_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	*name = utf8_of(&d->physical_name, &oom);
	const char *why = oom ? "The broker is out of memory"
			  : !*name || !**name ? "The destination has no name"
			  : strstr(*name, "://") ? "Composite destinations of queues and "
						   "topics together are not served over "
						   "OpenWire by this version of Tandem yet"
			  : NULL;
	if (why) {
		send_refusal(oc, cmd, oom ? EX_JMS : EX_DEST, "%s: [%.200s]", why,
			     *name ? *name : "");
		free(*name);
		*name = NULL;
		return -1;
	}
	return 0;
}

/* ---- answers after the commit ---- */

struct answer {
	struct conn *conn;
	int32_t correlation;
};

static void answer_done(void *ctx, int err)
{
	struct answer *a = ctx;
	struct conn *c = a->conn;
	struct ow_conn *oc = c->state;
	if (!c->dead && !c->closing && oc) {
		struct ow_command cmd = { .command_id = a->correlation, .response_required = true };
		if (err < 0)
			send_refusal(oc, &cmd, EX_IO, "The broker could not make the message "
				     "durable: %s", strerror(-err));
		else
			send_response(oc, a->correlation);
	}
	conn_unref(c);
	free(a);
}

/* The Response once everything the command caused is durable. */
static int answer_after_commit(struct ow_conn *oc, int32_t correlation)
{
	struct answer *a = calloc(1, sizeof *a);
	if (!a)
		return -1;
	a->conn = oc->conn;
	a->correlation = correlation;
	conn_ref(oc->conn);
	broker_after_commit(answer_done, a);
	return 0;
}

/* A commit holding a one-way persistent send failed. */
static void commit_failed(struct conn *c, int err)
{
	struct ow_conn *oc = c->state;
	if (oc)
		send_refusal(oc, NULL, EX_IO, "The broker could not make persistent messages "
			     "sent on this connection durable: %s", strerror(-err));
}

/* ---- delivery ---- */

static bool sub_writable(struct consumer *c)
{
	struct ow_sub *s = c->ctx;
	return conn_writable(s->oc->conn);
}

/* What the consumer sees as JMSMessageID: the broker's message id, and
 * the producer id and sequence the client's duplicate check keys on,
 * taken from it so that a redelivery is recognised as the same message.
 * broker_sequence_id is the delivery, which the ack names. */
static struct ow_message_id *message_id_of(const struct message *m, uint64_t delivery)
{
	struct ow_message_id *id = (void *)ow_obj_new(OW_MESSAGE_ID);
	struct ow_producer_id *p = (void *)ow_obj_new(OW_PRODUCER_ID);
	if (!id || !p)
		goto fail;
	id->producer_id = p;
	id->broker_sequence_id = (int64_t)delivery;
	/* Ours are PREFIX:SEQ; the prefix names the producer. */
	const char *colon = strrchr(m->id, ':');
	char *end = NULL;
	unsigned long long seq = colon ? strtoull(colon + 1, &end, 10) : 0;
	bool ours = colon && end && !*end && colon[1];
	size_t plen = ours ? (size_t)(colon - m->id) : strlen(m->id);
	if (ow_str_from_utf8(&p->connection_id, m->id, plen) < 0 ||
	    ow_str_from_utf8(&id->text_view, m->id, strlen(m->id)) < 0)
		goto fail;
	id->producer_sequence_id = ours ? (int64_t)seq : 1;
	return id;
fail:
	ow_obj_free(id ? &id->h : NULL);
	if (!id && p)
		ow_obj_free(&p->h);
	return NULL;
}

static struct ow_destination *destination_of(enum dest_type type, const char *name)
{
	struct ow_destination *d = (void *)ow_obj_new(type == DEST_TOPIC ? OW_TOPIC : OW_QUEUE);
	if (d && ow_str_from_utf8(&d->physical_name, name, strlen(name)) < 0) {
		ow_obj_free(&d->h);
		return NULL;
	}
	return d;
}

/* The body: a TextMessage's 32-bit length and modified UTF-8 text, or a
 * BytesMessage's bytes when the body is no UTF-8. 0 or -1. */
static int put_body(struct ow_message *om, const struct message *m)
{
	struct ow_str s = { 0 };
	if (ow_str_from_utf8(&s, m->body, m->body_len) < 0) {
		om->c.h.type = OW_BYTES_MESSAGE;
		om->content.data = malloc(m->body_len + 1);
		if (!om->content.data)
			return -1;
		memcpy(om->content.data, m->body, m->body_len);
		om->content.data[m->body_len] = 0;
		om->content.len = (uint32_t)m->body_len;
		return 0;
	}
	om->content.data = malloc((size_t)s.len + 5);
	if (!om->content.data) {
		ow_str_clear(&s);
		return -1;
	}
	uint8_t *p = om->content.data;
	p[0] = (uint8_t)(s.len >> 24);
	p[1] = (uint8_t)(s.len >> 16);
	p[2] = (uint8_t)(s.len >> 8);
	p[3] = (uint8_t)s.len;
	memcpy(p + 4, s.s, s.len);
	p[4 + s.len] = 0;
	om->content.len = s.len + 4;
	ow_str_clear(&s);
	return 0;
}

/* The headers JMS has fields for. */
static int put_headers(struct ow_message *om, const struct message *m)
{
	const char *corr = message_header(m, "correlation-id");
	const char *type = message_header(m, "type");
	if (corr && ow_str_from_utf8(&om->correlation_id, corr, strlen(corr)) < 0)
		ow_str_set(&om->correlation_id, "", 0);
	if (type && ow_str_from_utf8(&om->type, type, strlen(type)) < 0)
		ow_str_set(&om->type, "", 0);
	return 0;
}

static struct ow_message *jms_message(const struct message *m, const struct qentry *e)
{
	struct ow_message *om = (void *)ow_obj_new(OW_TEXT_MESSAGE);
	if (!om)
		return NULL;
	om->message_id = message_id_of(m, e->delivery_id);
	om->destination = destination_of(m->dest_type, m->dest);
	if (!om->message_id || !om->destination || put_body(om, m) < 0 ||
	    put_headers(om, m) < 0) {
		ow_obj_free(&om->c.h);
		return NULL;
	}
	om->producer_id = (void *)ow_obj_ref(&om->message_id->producer_id->h);
	om->persistent = m->persistent;
	om->priority = (int8_t)m->priority;
	om->expiration = m->expires;
	om->timestamp = m->timestamp;
	om->redelivery_counter = (int32_t)e->redeliveries;
	return om;
}

static int sub_deliver(struct consumer *c, struct qentry *e)
{
	struct ow_sub *s = c->ctx;
	struct ow_conn *oc = s->oc;
	struct ow_message_dispatch *d = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	struct ow_message *om = jms_message(e->msg, e);
	if (!d || !om) {
		ow_obj_free(d ? &d->c.h : NULL);
		ow_obj_free(om ? &om->c.h : NULL);
		return -1;
	}
	d->consumer_id = (void *)ow_obj_ref(&s->id->h);
	d->destination = (void *)ow_obj_ref(&om->destination->h);
	d->message = om;
	d->redelivery_counter = om->redelivery_counter;
	if (send_cmd(oc, &d->c.h) < 0)
		return -1;
	oc->conn->msgs_out++;
	return 0;
}

static const struct consumer_ops sub_ops = { sub_deliver, sub_writable, NULL };

static bool same_consumer(const struct ow_consumer_id *a, const struct ow_consumer_id *b)
{
	return a->value == b->value && a->session_id == b->session_id &&
	       a->connection_id.len == b->connection_id.len &&
	       (!a->connection_id.len ||
		!memcmp(a->connection_id.s, b->connection_id.s, a->connection_id.len));
}

static struct ow_sub **find_sub(struct ow_conn *oc, const struct ow_consumer_id *id)
{
	struct ow_sub **p = &oc->subs;
	while (*p && !(id && same_consumer((*p)->id, id)))
		p = &(*p)->next;
	return p;
}

static void sub_free(struct ow_sub *s)
{
	for (size_t i = 0; i < s->n; i++) {
		s->oc->conn->consumers--;
		consumer_close(s->consumers[i]);
	}
	ow_obj_free(&s->id->h);
	free(s);
}

/* Closes the subscriptions `match` picks. */
static void close_subs(struct ow_conn *oc, bool (*match)(const struct ow_sub *, const void *),
		       const void *arg)
{
	for (struct ow_sub **p = &oc->subs; *p;) {
		struct ow_sub *s = *p;
		if (match(s, arg)) {
			*p = s->next;
			sub_free(s);
		} else {
			p = &s->next;
		}
	}
}

static bool sub_is(const struct ow_sub *s, const void *arg)
{
	return same_consumer(s->id, arg);
}

static bool sub_in_session(const struct ow_sub *s, const void *arg)
{
	const struct ow_session_id *sid = arg;
	return s->id->session_id == sid->value;
}

static bool sub_any(const struct ow_sub *s, const void *arg)
{
	(void)s;
	(void)arg;
	return true;
}

/* ---- commands ---- */

/* Handlers return 0: done, the caller answers a command that asks for
 * it; 1: answered (or to be, after the commit); -1: refused (answered). */

static int on_connection_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_connection_info *ci = (void *)o;
	struct conn *c = oc->conn;
	bool oom = false;
	char *user = utf8_of(&ci->user_name, &oom);
	char *password = utf8_of(&ci->password, &oom);
	char *client_id = utf8_of(&ci->client_id, &oom);
	int rc = 0;
	if (oom) {
		send_refusal(oc, &ci->c, EX_JMS, "The broker is out of memory");
		rc = -1;
	} else if (!c->trusted && !broker_login_ok(user, password)) {
		log_warn("openwire", "Security error: user name [%s] or password is invalid "
			 "(from %s)", user ? user : "", c->peer);
		send_refusal(oc, &ci->c, EX_SECURITY, "User name [%s] or password is invalid.",
			     user ? user : "");
		conn_close_after_flush(c);
		rc = -1;
	} else if (!oc->connected) {
		oc->connected = true;
		conn_logged_in(c);
		int64_t max = (int64_t)conn_frame_max(c, OW_MAX_FRAME);
		ow_frame_reader_set_max(oc->reader, (uint64_t)(oc->max_frame && oc->max_frame < max
							       ? oc->max_frame : max));
		if (client_id && *client_id && !c->client_id)
			c->client_id = client_id, client_id = NULL;
		if (user && *user && !c->user)
			c->user = user, user = NULL;
		log_debug("openwire", "%s connected with OpenWire %d", c->peer, oc->fmt.version);
	}
	free(user);
	free(password);
	free(client_id);
	return rc;
}

static int on_message(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message *om = (void *)o;
	const struct ow_command *cmd = &om->c;
	if (o->type != OW_TEXT_MESSAGE) {
		send_refusal(oc, cmd, EX_JMS, "Only TextMessages are served over OpenWire by "
			     "this version of Tandem yet");
		return -1;
	}
	if (om->transaction_id) {
		send_refusal(oc, cmd, EX_JMS, "Transacted sessions are not served over "
			     "OpenWire by this version of Tandem yet");
		return -1;
	}
	if (om->compressed) {
		send_refusal(oc, cmd, EX_JMS, "Compressed messages are not served over "
			     "OpenWire by this version of Tandem yet");
		return -1;
	}
	/* The text: a 32-bit length (-1: null) and modified UTF-8. */
	const uint8_t *p = om->content.data;
	uint32_t n = om->content.len;
	int64_t tlen = n >= 4 ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
					  (uint32_t)p[2] << 8 | p[3]) : -1;
	if (p && (n < 4 || tlen < -1 || tlen > (int64_t)n - 4)) {
		send_refusal(oc, cmd, EX_JMS, "The TextMessage's body is malformed");
		return -1;
	}
	enum dest_type type;
	char *dest;
	if (dest_of(oc, cmd, om->destination, &type, &dest) < 0)
		return -1;
	struct buf body = BUF_INIT;
	struct ow_str text = { (char *)(p ? p + 4 : NULL), tlen > 0 ? (uint32_t)tlen : 0 };
	bool oom = ow_str_to_utf8(&text, &body) < 0 || buf_append(&body, "", 0) < 0;
	struct header *h = calloc(2, sizeof *h);
	size_t nh = 0;
	if (!oom && h && om->correlation_id.s) {
		h[nh].name = strdup("correlation-id");
		h[nh++].value = utf8_of(&om->correlation_id, &oom);
	}
	if (!oom && h && om->type.s) {
		h[nh].name = strdup("type");
		h[nh++].value = utf8_of(&om->type, &oom);
	}
	for (size_t i = 0; i < nh; i++)
		oom |= !h[i].name || !h[i].value;
	size_t blen;
	char *b = oom || !h ? NULL : buf_steal(&body, &blen);
	struct message *m = NULL;
	if (b) {
		char *id = broker_new_message_id();
		m = message_new_take(id ? id : NULL, type, dest, h, nh, b, blen);
		if (m && !id) {
			message_unref(m);
			m = NULL;
		}
		dest = NULL;
		h = NULL;
	}
	buf_free(&body);
	free(dest);
	if (h)
		headers_free(h, nh);
	if (!m) {
		send_refusal(oc, cmd, EX_JMS, "The broker is out of memory");
		return -1;
	}
	m->persistent = om->persistent;
	m->priority = om->priority < 0 ? 0 : om->priority > MSG_PRIORITY_MAX ? MSG_PRIORITY_MAX
									      : (uint8_t)om->priority;
	m->expires = om->expiration > 0 ? om->expiration : 0;
	struct producer pr = { .conn = oc->conn, .commit_failed = commit_failed,
			       .answered_after_commit = cmd->response_required };
	char err[700];
	int rc = broker_publish(&pr, m, err, sizeof err);
	message_unref(m);
	if (rc < 0) {
		send_refusal(oc, cmd, rc == PUBLISH_DENIED ? EX_SECURITY
				      : rc == PUBLISH_FULL ? EX_FULL : EX_JMS, "%s", err);
		return -1;
	}
	if (cmd->response_required && answer_after_commit(oc, cmd->command_id) < 0) {
		send_refusal(oc, cmd, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 1;
}

static int on_consumer_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_consumer_info *ci = (void *)o;
	const struct ow_command *cmd = &ci->c;
	if (!ci->consumer_id || *find_sub(oc, ci->consumer_id)) {
		send_refusal(oc, cmd, EX_JMS, "The consumer id is missing or in use");
		return -1;
	}
	if (ci->browser) {
		send_refusal(oc, cmd, EX_JMS, "Queue browsers are not served over OpenWire by "
			     "this version of Tandem yet");
		return -1;
	}
	struct consumer_spec spec = { .ack = ACK_CLIENT_INDIVIDUAL, .conn = oc->conn };
	char *dest, err[700];
	if (dest_of(oc, cmd, ci->destination, &spec.type, &dest) < 0)
		return -1;
	bool oom = false;
	char *selector = utf8_of(&ci->selector, &oom);
	char *durable = spec.type == DEST_TOPIC ? utf8_of(&ci->subscription_name, &oom) : NULL;
	char id[128];
	snprintf(id, sizeof id, "%" PRId64 ":%" PRId64, ci->consumer_id->session_id,
		 ci->consumer_id->value);
	spec.selector = selector && *selector ? selector : NULL;
	spec.durable_name = durable;
	spec.client_id = oc->conn->client_id;
	spec.prefetch = ci->prefetch_size > OW_PREFETCH_MIN ? (unsigned)ci->prefetch_size
							     : OW_PREFETCH_MIN;
	spec.priority = ci->priority;
	spec.id = id;
	struct ow_sub *s = oom ? NULL : calloc(1, sizeof *s);
	int rc = 0;
	if (!s) {
		send_refusal(oc, cmd, EX_JMS, "The broker is out of memory");
		free(dest);
		free(selector);
		free(durable);
		return -1;
	}
	s->oc = oc;
	s->id = (void *)ow_obj_ref(&ci->consumer_id->h);
	/* A composite destination (a,b) is a core consumer on each. */
	char *save = NULL;
	for (char *part = strtok_r(dest, ",", &save); part && rc == 0;
	     part = strtok_r(NULL, ",", &save)) {
		spec.dest = part;
		if (s->n == OW_COMPOSITE_MAX) {
			snprintf(err, sizeof err, "A composite destination may name at most %d",
				 OW_COMPOSITE_MAX);
			rc = -1;
		} else if (!authz_allows_use(oc->conn, false, AUTHZ_READ, spec.type, part, err,
					     sizeof err)) {
			rc = -2;
		} else if (!(s->consumers[s->n] = consumer_open(&spec, &sub_ops, s, err,
								sizeof err))) {
			rc = spec.selector && strstr(err, "elector") ? -3 : -1;
		} else {
			s->n++;
			oc->conn->consumers++;
		}
	}
	if (rc < 0) {
		sub_free(s);
		send_refusal(oc, cmd, rc == -2 ? EX_SECURITY : rc == -3 ? EX_SELECTOR : EX_JMS,
			     "%s", err);
		rc = -1;
	} else {
		s->next = oc->subs;
		oc->subs = s;
	}
	free(dest);
	free(selector);
	free(durable);
	return rc;
}

static int on_remove_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_remove_info *ri = (void *)o;
	const struct ow_obj *id = ri->object_id;
	if (!id)
		return 0;
	if (id->type == OW_CONSUMER_ID)
		close_subs(oc, sub_is, id);
	else if (id->type == OW_SESSION_ID)
		close_subs(oc, sub_in_session, id);
	else if (id->type == OW_CONNECTION_ID)
		close_subs(oc, sub_any, NULL);
	return 0;
}

static struct ow_sub *sub_of_ack(struct ow_conn *oc, const struct ow_message_ack *a)
{
	return a->consumer_id ? *find_sub(oc, a->consumer_id) : NULL;
}

static int on_ack(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message_ack *a = (void *)o;
	if (a->transaction_id) {
		send_refusal(oc, &a->c, EX_JMS, "Transacted sessions are not served over "
			     "OpenWire by this version of Tandem yet");
		return -1;
	}
	struct ow_sub *s = sub_of_ack(oc, a);
	struct consumer *c = NULL;
	struct qentry *e = NULL;
	for (size_t i = 0; s && a->last_message_id && !e && i < s->n; i++) {
		c = s->consumers[i];
		e = consumer_find(c, (uint64_t)a->last_message_id->broker_sequence_id, NULL);
	}
	if (!e)	/* delivered and redelivered acks, or one for nothing in flight */
		return 0;
	switch (a->ack_type) {
	case OW_ACK_STANDARD:
		consumer_ack(c, e, true);	/* everything up to it */
		break;
	case OW_ACK_INDIVIDUAL:
		consumer_ack(c, e, false);
		break;
	case OW_ACK_POISON: {
		bool oom = false;
		char *cause = a->poison_cause ? utf8_of(&a->poison_cause->message, &oom) : NULL;
		consumer_poison(c, e, cause ? cause : "poison ack");
		free(cause);
		break;
	}
	default:
		break;
	}
	return 0;
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
		send_cmd(oc, ow_obj_new(OW_KEEP_ALIVE_INFO));
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
	{ OW_KEEP_ALIVE_INFO, on_keep_alive, true },
	{ OW_SHUTDOWN_INFO, on_shutdown, true },
	{ OW_REMOVE_INFO, on_remove_info, true },
	{ OW_SESSION_INFO, on_nothing, false },
	{ OW_PRODUCER_INFO, on_nothing, false },
	{ OW_FLUSH_COMMAND, on_nothing, false },
	{ OW_CONSUMER_INFO, on_consumer_info, false },
	{ OW_MESSAGE_ACK, on_ack, false },
	{ OW_MESSAGE, on_message, false },
	{ OW_TEXT_MESSAGE, on_message, false },
	{ OW_BYTES_MESSAGE, on_message, false },
	{ OW_MAP_MESSAGE, on_message, false },
	{ OW_OBJECT_MESSAGE, on_message, false },
	{ OW_STREAM_MESSAGE, on_message, false },
};

static void handle_command(struct ow_conn *oc, struct ow_obj *o)
{
	const struct ow_command *cmd = (const struct ow_command *)o;
	size_t n = sizeof commands / sizeof commands[0], i;
	for (i = 0; i < n && commands[i].type != o->type; i++)
		;
	const struct ow_type *t = ow_type_find(o->type);
	if (i == n) {
		/* One-way ones are let be: a MessagePull of a prefetch-0
		 * consumer (served as prefetch 1, so its message comes anyway)
		 * must not reach the connection's exception listener. */
		if (cmd->response_required)
			send_refusal(oc, cmd, EX_JMS, "%s is not served by this version of "
				     "Tandem yet", t ? t->name : "this command");
		else
			log_debug("openwire", "%s: %s ignored: not served yet", oc->conn->peer,
				  t ? t->name : "a command");
		return;
	}
	if (!oc->connected && !commands[i].before_login) {
		send_refusal(oc, cmd, EX_JMS, "A connection must start with ConnectionInfo, "
			     "not %s", t ? t->name : "this command");
		conn_close_after_flush(oc->conn);
		return;
	}
	int rc = commands[i].handle(oc, o);
	if (rc == 0 && cmd->response_required && !oc->conn->dead)
		send_response(oc, cmd->command_id);
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
		send_cmd(oc, ow_obj_new(OW_KEEP_ALIVE_INFO));
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
	send_cmd(oc, broker_info());
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
	struct ow_conn *oc = c->state;
	for (struct ow_sub *s = oc->subs; s; s = s->next)
		for (size_t i = 0; i < s->n; i++)
			consumer_wakeup(s->consumers[i]);
}

static int openwire_open(struct conn *c)
{
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
	return send_cmd(oc, w ? &w->h : NULL);
}

static void openwire_close(struct conn *c)
{
	struct ow_conn *oc = c->state;
	if (!oc)
		return;
	close_subs(oc, sub_any, NULL);
	if (oc->ka_timer)
		loop_del_timer(c->loop, oc->ka_timer);
	broker_conn_gone(c);
	ow_frame_reader_free(oc->reader);
	ow_format_release(&oc->fmt);
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
	.buffered = openwire_buffered,
};
