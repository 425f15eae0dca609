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
 * GET takes one message (api_take.c).
 *
 * As ActiveMQ, the type is a topic unless type=queue says otherwise, and
 * a "/" in DEST is a ".".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "auth.h"
#include "authz.h"
#include "broker.h"
#include "config.h"
#include "flow.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "send.h"

#define PREFIX "/api/message/"
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
	struct authz_who who;
	web_auth_who(r->user, r->peer, &who);
	rc = web_message_send(m, &who, err, sizeof err);
	if (rc < 0) {
		send_wait_free(w);
		return web_text(r, rc == -EACCES ? 403 : rc == -EBUSY ? 503 : 500, "Send failed: %s",
				err);
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

int web_message(struct web_req *r)
{
	if (!strcmp(r->method, "POST"))
		return do_send(r);
	enum dest_type type;
	char name[DEST_MAX + 1];
	int rc;
	if (destination(r, &type, name, &rc) < 0)
		return rc;
	return web_message_take(r, type, name);
}
