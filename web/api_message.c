/*
 * api_message.c - /api/message/DEST?type=queue|topic, as ActiveMQ's REST
 * API: POST sends a message, GET consumes one.
 *
 * POST: the body is the message's (or the "body" field of a form); the
 * query's (and form's) other parameters become its headers, except
 * JMSDeliveryMode/persistent, JMSPriority/priority, JMSTimeToLive,
 * JMSCorrelationID, JMSReplyTo and JMSType, which set what they name. A
 * persistent message is answered once it is in the store, as a STOMP
 * receipt is.
 *
 * GET: a consumer of prefetch 1 opens on the destination and the request
 * waits (suspended) up to readTimeout ms for a message: 200 with it, or
 * 204 when none came. The message is acknowledged only when the answer
 * has gone out whole; a client that goes away leaves it to be redelivered.
 *
 * As ActiveMQ, the type is a topic unless type=queue says otherwise, and
 * a "/" in DEST is a ".".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "broker.h"
#include "config.h"
#include "consumer.h"
#include "flow.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "send.h"

#define PREFIX "/api/message/"
#define TIMEOUT_DEFAULT_MS 20000
#define TIMEOUT_MAX_MS 600000
#define TIMEOUT_MIN_MS 10
#define DEST_MAX 512

/* Parameters that are not message headers. */
static const char *const reserved[] = {
	"type", "body", "readTimeout", "timeout", "clientId", "oneShot", "selector",
	"JMSDeliveryMode", "persistent", "JMSPriority", "priority", "JMSTimeToLive",
	"JMSCorrelationID", "JMSReplyTo", "JMSType", "csrf", NULL,
};

static bool is_reserved(const char *name)
{
	for (const char *const *p = reserved; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* The destination of the path and ?type=; -1 with the request answered. */
static int destination(struct web_req *r, enum dest_type *type, char *name, int *rc)
{
	const char *d = r->path + strlen(PREFIX);
	const char *t = web_arg(r, "type");
	if (!t)
		t = web_field(r, "type");
	*type = t && !strcmp(t, "queue") ? DEST_QUEUE : DEST_TOPIC;
	if (t && strcmp(t, "queue") && strcmp(t, "topic")) {
		*rc = web_text(r, 400, "type is queue or topic, not %s", t);
		return -1;
	}
	if (!*d || strlen(d) > DEST_MAX) {
		*rc = web_text(r, 400, "The destination name after %s has 1 to %d characters",
			       PREFIX, DEST_MAX);
		return -1;
	}
	snprintf(name, DEST_MAX + 1, "%s", d);
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '.';
	if (!broker_serving()) {
		*rc = web_text(r, 503, "Broker %s is a slave waiting for its store's lock: "
			       "send to the master", broker.cfg->broker_name);
		return -1;
	}
	return 0;
}

/* ---- POST: send ---- */

struct message *web_message_new(enum dest_type type, const char *name, struct header *h,
				size_t nheaders, const char *body, size_t body_len)
{
	char *copy = malloc(body_len + 1);
	char *id = broker_new_message_id();
	char *dest = strdup(name);
	if (!copy || !id || !dest) {
		headers_free(h, nheaders);
		free(copy);
		free(id);
		free(dest);
		return NULL;
	}
	if (body_len)
		memcpy(copy, body, body_len);
	copy[body_len] = '\0';
	return message_new_take(id, type, dest, h, nheaders, copy, body_len);
}

int web_message_send(struct message *m, char *err, size_t errlen)
{
	if (flow_check(m, err, errlen) == FLOW_FAIL) {
		message_unref(m);
		return -EBUSY;
	}
	int rc = broker_send(m, err, errlen);
	message_unref(m);
	return rc < 0 ? -EIO : 0;
}

struct param_walk {
	struct header *h;
	size_t n, cap;
};

static int add_param(struct param_walk *w, const char *name, const char *value)
{
	if (is_reserved(name) || !value || header_get(w->h, w->n, name))
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct header *h = realloc(w->h, cap * sizeof *h);
		if (!h)
			return -1;
		w->h = h;
		w->cap = cap;
	}
	w->h[w->n].name = strdup(name);
	w->h[w->n].value = strdup(value);
	if (!w->h[w->n].name || !w->h[w->n].value) {
		free(w->h[w->n].name);
		free(w->h[w->n].value);
		return -1;
	}
	w->n++;
	return 0;
}

static enum MHD_Result query_param(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	return add_param(cls, key, value ? value : "") < 0 ? MHD_NO : MHD_YES;
}

/* The value of a JMS parameter from the query or the form. */
static const char *param(struct web_req *r, const char *a, const char *b)
{
	const char *v = web_arg(r, a);
	if (!v && b)
		v = web_arg(r, b);
	if (!v)
		v = web_field(r, a);
	if (!v && b)
		v = web_field(r, b);
	return v;
}

static bool is_form(struct web_req *r)
{
	const char *ct = web_header(r, "Content-Type");
	return ct && (!strncasecmp(ct, "application/x-www-form-urlencoded", 33) ||
		      !strncasecmp(ct, "multipart/form-data", 19));
}

struct send_wait {
	struct web_req *r;	/* NULL once the request ended */
	bool committed;
	int err;
	char *id;
};

static void send_wait_free(struct send_wait *w)
{
	free(w->id);
	free(w);
}

static void on_commit(void *ctx, int err)
{
	struct send_wait *w = ctx;
	if (!w->r) {
		send_wait_free(w);
		return;
	}
	w->committed = true;
	w->err = err;
	web_resume(w->r);
}

static int sent_answer(struct web_req *r)
{
	struct send_wait *w = r->wait;
	if (w->err < 0)
		return web_text(r, 500, "The broker could not make the message durable: %s",
				strerror(-w->err));
	web_add_header(r, "messageId", w->id);
	return web_text(r, 200, "Message sent: %s", w->id);
}

static void sent_done(struct web_req *r, bool ok)
{
	(void)ok;
	struct send_wait *w = r->wait;
	if (w->committed)
		send_wait_free(w);
	else
		w->r = NULL;	/* on_commit frees it */
}

/* Headers and body of the message from the request; NULL with the
 * request answered in *rc. */
static struct message *build(struct web_req *r, enum dest_type type, const char *name, int *rc)
{
	long long prio = MSG_PRIORITY_DEFAULT, ttl = 0;
	const char *p = param(r, "JMSPriority", "priority");
	const char *t = param(r, "JMSTimeToLive", NULL);
	char *end;
	if (p && (prio = strtoll(p, &end, 10), *end || !*p || prio < 0 || prio > MSG_PRIORITY_MAX)) {
		*rc = web_text(r, 400, "JMSPriority is a whole number from 0 to 9, not '%s'", p);
		return NULL;
	}
	if (t && (ttl = strtoll(t, &end, 10), *end || !*t || ttl < 0)) {
		*rc = web_text(r, 400, "JMSTimeToLive is milliseconds (0 for ever), not '%s'", t);
		return NULL;
	}
	struct param_walk w = { 0 };
	static const struct { const char *param, *header; } jms[] = {
		{ "JMSCorrelationID", "correlation-id" }, { "JMSReplyTo", "reply-to" },
		{ "JMSType", "type" },
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof jms / sizeof *jms; i++) {
		const char *v = param(r, jms[i].param, NULL);
		if (v)
			bad |= add_param(&w, jms[i].header, v);
	}
	MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, query_param, &w);
	const char *body = NULL;
	size_t body_len = 0;
	if (is_form(r)) {
		const char *key;
		json_t *v;
		json_object_foreach(web_form(r), key, v)
			bad |= add_param(&w, key, json_string_value(v));
		json_t *b = json_object_get(web_form(r), "body");
		body = json_string_value(b);
		body_len = json_string_length(b);
	} else if (buf_len(&r->body)) {
		body = buf_data(&r->body);
		body_len = buf_len(&r->body);
	}
	struct message *m = bad ? (headers_free(w.h, w.n), NULL)
				: web_message_new(type, name, w.h, w.n, body, body_len);
	if (!m) {
		*rc = web_text(r, 500, "out of memory");
		return NULL;
	}
	const char *mode = param(r, "JMSDeliveryMode", "persistent");
	m->persistent = mode && (!strcasecmp(mode, "persistent") || !strcmp(mode, "2") ||
				 !strcmp(mode, "true"));
	m->priority = (uint8_t)prio;
	m->expires = ttl ? wall_ms() + ttl : 0;
	return m;
}

static int do_send(struct web_req *r)
{
	enum dest_type type;
	char name[DEST_MAX + 1];
	int rc;
	if (destination(r, &type, name, &rc) < 0)
		return rc;
	if (strpbrk(name, "*>"))
		return web_text(r, 400, "Messages go to one destination, not a wildcard: %s", name);
	struct message *m = build(r, type, name, &rc);
	if (!m)
		return rc;
	char err[512];
	struct send_wait *w = calloc(1, sizeof *w);
	if (!w || !(w->id = strdup(m->id))) {
		free(w);
		message_unref(m);
		return web_text(r, 500, "out of memory");
	}
	bool persistent = m->persistent;
	rc = web_message_send(m, err, sizeof err);
	if (rc < 0) {
		send_wait_free(w);
		return web_text(r, rc == -EBUSY ? 503 : 500, "Send failed: %s", err);
	}
	log_debug("web", "%s sent %s to %s://%s over HTTP", r->user, w->id, dest_type_name(type),
		  name);
	w->r = r;
	r->wait = w;
	r->resume = sent_answer;
	r->done = sent_done;
	if (!persistent) {
		w->committed = true;
		return sent_answer(r);
	}
	/* Answered once durable, as a receipt; on_commit frees w should the
	 * request end first. */
	broker_after_commit(on_commit, w);
	return web_suspend(r);
}

/* ---- GET: consume one ---- */

struct take {
	struct web_req *r;
	struct consumer *consumer;
	struct qentry *entry;	/* the message delivered, not yet acked */
	uint64_t timer;
	bool timed_out, cancelled;
};

static bool take_writable(struct consumer *c)
{
	struct take *t = c->ctx;
	return !t->entry && !t->timed_out && !t->cancelled;
}

static int take_deliver(struct consumer *c, struct qentry *e)
{
	struct take *t = c->ctx;
	if (t->entry || t->timed_out || t->cancelled)
		return -1;
	t->entry = e;
	if (t->timer)
		loop_del_timer(broker.loop, t->timer);
	t->timer = 0;
	web_resume(t->r);
	return 0;
}

static const struct consumer_ops take_ops = {
	.deliver = take_deliver,
	.writable = take_writable,
};

static void take_timeout(struct loop *l, void *ctx)
{
	(void)l;
	struct take *t = ctx;
	t->timer = 0;
	t->timed_out = true;
	web_resume(t->r);
}

/* Closes the consumer; an entry not acked goes back for redelivery. */
static void take_release(struct take *t)
{
	if (t->timer)
		loop_del_timer(broker.loop, t->timer);
	t->timer = 0;
	if (t->consumer)
		consumer_close(t->consumer);
	t->consumer = NULL;
	t->entry = NULL;
}

static void take_cancel(struct web_req *r)
{
	struct take *t = r->wait;
	take_release(t);
	t->cancelled = true;
}

static void take_done(struct web_req *r, bool ok)
{
	struct take *t = r->wait;
	if (ok && t->entry && t->consumer)
		consumer_ack(t->consumer, t->entry, false);
	take_release(t);
	free(t);
}

static int take_answer(struct web_req *r)
{
	struct take *t = r->wait;
	if (t->cancelled)
		return web_text(r, 503, "Broker %s stopped serving", broker.cfg->broker_name);
	if (!t->entry) {
		take_release(t);
		return web_respond(r, 204, NULL, "", 0);
	}
	const struct message *m = t->entry->msg;
	char num[32], dest[DEST_MAX + 16];
	web_add_header(r, "id", m->id);
	snprintf(dest, sizeof dest, "%s://%s", dest_type_name(m->dest_type), m->dest);
	web_add_header(r, "destination", dest);
	snprintf(num, sizeof num, "%u", m->priority);
	web_add_header(r, "priority", num);
	web_add_header(r, "persistent", m->persistent ? "true" : "false");
	snprintf(num, sizeof num, "%" PRId64, m->timestamp);
	web_add_header(r, "timestamp", num);
	snprintf(num, sizeof num, "%" PRId64, m->expires);
	web_add_header(r, "expires", num);
	if (t->entry->redeliveries)
		web_add_header(r, "redelivered", "true");
	/* Application headers under a prefix: they cannot pass for HTTP's
	 * own (Content-Type, Set-Cookie...). */
	for (size_t i = 0; i < m->nheaders; i++) {
		char name[256];
		const char *n = m->headers[i].name;
		if (n[strcspn(n, " \t\r\n:()<>@,;\\\"/[]?={}")])
			continue;	/* not an HTTP token */
		snprintf(name, sizeof name, "property-%s", n);
		web_add_header(r, name, m->headers[i].value);
	}
	return web_respond(r, 200, "text/plain; charset=utf-8", m->body, m->body_len);
}

static int do_take(struct web_req *r)
{
	enum dest_type type;
	char name[DEST_MAX + 1];
	int rc;
	if (destination(r, &type, name, &rc) < 0)
		return rc;
	const char *to = web_arg(r, "readTimeout");
	if (!to)
		to = web_arg(r, "timeout");
	long long ms = TIMEOUT_DEFAULT_MS;
	char *end;
	if (to && (ms = strtoll(to, &end, 10), *end || !*to || ms < 0 || ms > TIMEOUT_MAX_MS))
		return web_text(r, 400, "readTimeout is milliseconds from 0 to %d, not '%s'",
				TIMEOUT_MAX_MS, to);
	struct take *t = calloc(1, sizeof *t);
	if (!t)
		return web_text(r, 500, "out of memory");
	t->r = r;
	r->wait = t;
	r->resume = take_answer;
	r->cancel = take_cancel;
	r->done = take_done;
	web_hold(r);
	char id[64], err[512];
	static unsigned long next_id;
	snprintf(id, sizeof id, "web-%lu", ++next_id);
	struct consumer_spec spec = {
		.type = type, .dest = name, .selector = web_arg(r, "selector"), .ack = ACK_CLIENT,
		.prefetch = 1, .id = id,
	};
	t->consumer = consumer_open(&spec, &take_ops, t, err, sizeof err);
	if (!t->consumer)
		return web_text(r, 400, "%s", err);
	if (t->entry)
		return take_answer(r);
	/* A message already waiting is dispatched at the end of this loop
	 * iteration: even readTimeout=0 waits that long. */
	t->timer = loop_add_timer(broker.loop, ms < TIMEOUT_MIN_MS ? TIMEOUT_MIN_MS : ms,
				  take_timeout, t);
	if (!t->timer)
		return web_text(r, 500, "out of memory");
	return web_suspend(r);
}

int web_message(struct web_req *r)
{
	return !strcmp(r->method, "POST") ? do_send(r) : do_take(r);
}
