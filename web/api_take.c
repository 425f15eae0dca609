/*
 * api_take.c - GET /api/message/DEST: one message taken off a destination
 * (see api_message.c for the API). A consumer of prefetch 1 opens on the
 * destination and the request waits, suspended, up to readTimeout ms: 200
 * with the message, or 204 when none came. The message is acknowledged
 * only when the answer has gone out whole; a client that goes away leaves
 * it to be redelivered. Should the broker stop serving first, the
 * consumer is closed at once and the request answered 503.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "broker.h"
#include "config.h"
#include "consumer.h"
#include "http.h"
#include "loop.h"
#include "message_jms.h"
#include "send.h"

#define TIMEOUT_DEFAULT_MS 20000
#define TIMEOUT_MAX_MS 600000
#define TIMEOUT_MIN_MS 10
#define DEST_MAX 512

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
		if (n[strcspn(n, " \t\r\n:()<>@,;\\\"/[]?={}")] || message_header_hidden(n))
			continue;	/* not an HTTP token, or the broker's own */
		snprintf(name, sizeof name, "property-%s", n);
		web_add_header(r, name, m->headers[i].value);
	}
	return web_respond(r, 200, "text/plain; charset=utf-8", m->body, m->body_len);
}

int web_message_take(struct web_req *r, enum dest_type type, const char *name)
{
	const char *to = web_arg(r, "readTimeout");
	if (!to)
		to = web_arg(r, "timeout");
	long long ms = TIMEOUT_DEFAULT_MS;
	char *end;
	if (to && (ms = strtoll(to, &end, 10), *end || !*to || ms < 0 || ms > TIMEOUT_MAX_MS))
		return web_text(r, 400, "readTimeout is milliseconds from 0 to %d, not '%s'",
				TIMEOUT_MAX_MS, to);
	/* Taking a message is reading it, as a STOMP SUBSCRIBE. */
	struct authz_who who;
	char why[700];
	web_auth_who(r->user, r->peer, &who);
	if (!authz_who_allows(&who, AUTHZ_READ, type, name, why, sizeof why))
		return web_text(r, 403, "%s", why);
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
