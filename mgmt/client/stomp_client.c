/*
 * stomp_client.c - a blocking STOMP 1.2 client (see stomp_client.h).
 *
 * The input buffer holds bytes read but not yet fed to the parser; the
 * parser stops after each whole frame, so one read may yield many frames.
 * A connection is fd, parser and input buffer together: a reconnection
 * replaces all three, so nothing half-read from the old broker is ever
 * taken for the new one's. Subscriptions are the connection's state the
 * client restores, as ActiveMQ's failover transport restores consumers:
 * each SUBSCRIBE is kept as sent (until its UNSUBSCRIBE) and sent again
 * on every new connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "failover.h"
#include "net.h"
#include "stomp_client.h"

/* Bounds a frame the broker sends us; generous, only against garbage. */
#define MAX_FRAME (256u << 20)

/* A SUBSCRIBE frame as it was sent. */
struct sub {
	char *id;
	char *frame;
	size_t len;
};

struct stomp_client {
	int fd;			/* -1 between connections */
	struct stomp_client_config cfg;
	struct failover uri;
	struct failover_state where;
	long last;		/* index of the address of the latest connection */
	bool broken;
	long reconnects;
	struct sub *subs;
	size_t nsubs;
	struct stomp_parser *parser;
	struct buf in;
	struct buf out;
	char err[512];
};

const char *stomp_client_error(const struct stomp_client *c) { return c->err; }
bool stomp_client_broken(const struct stomp_client *c) { return c->broken; }
long stomp_client_reconnects(const struct stomp_client *c) { return c->reconnects; }

const char *stomp_client_addr(const struct stomp_client *c)
{
	return c->uri.addrs[c->last];
}

static const char *header_of(const char *const *headers, const char *name)
{
	for (size_t i = 0; headers && headers[i]; i += 2)
		if (!strcmp(headers[i], name))
			return headers[i + 1];
	return NULL;
}

static void drop_sub(struct stomp_client *c, const char *id)
{
	for (size_t i = 0; i < c->nsubs; i++) {
		if (strcmp(c->subs[i].id, id))
			continue;
		free(c->subs[i].id);
		free(c->subs[i].frame);
		c->subs[i] = c->subs[--c->nsubs];
		return;
	}
}

/* Keeps the subscriptions up to date with the frame in c->out. */
static int track(struct stomp_client *c, const char *command, const char *const *headers)
{
	bool sub = !strcmp(command, "SUBSCRIBE");
	const char *id = header_of(headers, "id");
	if ((!sub && strcmp(command, "UNSUBSCRIBE")) || !id)
		return 0;
	drop_sub(c, id);
	if (!sub)
		return 0;
	struct sub *subs = realloc(c->subs, (c->nsubs + 1) * sizeof *subs);
	if (!subs)
		return -1;
	c->subs = subs;
	struct sub *s = &subs[c->nsubs];
	s->len = buf_len(&c->out);
	s->id = strdup(id);
	s->frame = malloc(s->len);
	if (!s->id || !s->frame) {
		free(s->id);
		free(s->frame);
		return -1;
	}
	memcpy(s->frame, buf_data(&c->out), s->len);
	c->nsubs++;
	return 0;
}

int stomp_client_frame(struct stomp_client *c, const char *command, const char *const *headers,
		       const char *body, size_t body_len)
{
	int version = strcmp(command, "CONNECT") ? STOMP_V12 : STOMP_V10;
	buf_reset(&c->out);
	int r = stomp_put_command(&c->out, command);
	for (size_t i = 0; headers && headers[i] && r == 0; i += 2)
		r = stomp_put_header(&c->out, version, headers[i], headers[i + 1]);
	if (r == 0)
		r = stomp_put_body(&c->out, body, body_len, body != NULL);
	if (r == 0)
		r = track(c, command, headers);
	if (r < 0) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	if (c->fd < 0) {
		snprintf(c->err, sizeof c->err, "not connected");
		c->broken = true;
		return -1;
	}
	/* A write that cannot finish in time is a broker that stopped
	 * reading: as good as gone, for a client that can go elsewhere. */
	r = net_write_all(c->fd, buf_data(&c->out), buf_len(&c->out),
			  net_now_ms() + c->cfg.timeout_ms, c->err, sizeof c->err);
	c->broken |= r < 0;
	return r;
}

/* A frame already in the buffer, if a whole one is there. */
static int parse(struct stomp_client *c, struct stomp_frame **f)
{
	const char *why = NULL;
	ssize_t n = stomp_parser_feed(c->parser, buf_data(&c->in), buf_len(&c->in), f, &why);
	if (n < 0) {
		snprintf(c->err, sizeof c->err, "bad frame from the broker: %s", why);
		c->broken = true;
		return -1;
	}
	buf_consume(&c->in, (size_t)n);
	return 0;
}

struct stomp_frame *stomp_client_next(struct stomp_client *c, int timeout_ms, int *timed_out)
{
	int64_t deadline = net_now_ms() + timeout_ms;
	*timed_out = 0;
	for (;;) {
		struct stomp_frame *f = NULL;
		if (buf_len(&c->in) && parse(c, &f) < 0)
			return NULL;
		if (f && !strcmp(f->command, "ERROR")) {
			const char *m = stomp_frame_header(f, "message");
			snprintf(c->err, sizeof c->err, "the broker sent an ERROR: %s", m ? m : f->body);
			stomp_frame_free(f);
			return NULL;
		}
		if (f)
			return f;
		char *space = buf_space(&c->in, 65536);
		if (!space) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return NULL;
		}
		ssize_t r = c->fd < 0 ? -1 : net_read(c->fd, space, 65536, deadline, c->err, sizeof c->err);
		if (c->fd < 0)
			snprintf(c->err, sizeof c->err, "not connected");
		if (r == 0)
			snprintf(c->err, sizeof c->err, "the broker closed the connection");
		if (r == -2)
			*timed_out = 1;
		c->broken |= r == 0 || r == -1;
		if (r <= 0)
			return NULL;
		buf_commit(&c->in, (size_t)r);
	}
}

int stomp_client_receipt(struct stomp_client *c, const char *id, int timeout_ms)
{
	int64_t deadline = net_now_ms() + timeout_ms;
	for (;;) {
		int timed_out, left = (int)(deadline - net_now_ms());
		struct stomp_frame *f = stomp_client_next(c, left > 0 ? left : 0, &timed_out);
		if (!f && timed_out) {
			snprintf(c->err, sizeof c->err, "no RECEIPT for %s within %.1fs", id,
				 (double)timeout_ms / 1000);
			c->broken = true;
		}
		if (!f)
			return -1;
		const char *rid = stomp_frame_header(f, "receipt-id");
		int done = !strcmp(f->command, "RECEIPT") && rid && !strcmp(rid, id);
		stomp_frame_free(f);
		if (done)
			return 0;
	}
}

/* Drops the connection, keeping the rest of the client. */
static void disconnect(struct stomp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_reset(&c->in);
	stomp_parser_free(c->parser);
	c->parser = NULL;
}

/* failover_connect's try: one address, CONNECT and CONNECTED. */
static int connect_addr(void *ctx, const char *addr, char *err, size_t errlen)
{
	struct stomp_client *c = ctx;
	disconnect(c);
	if (!(c->parser = stomp_parser_new(MAX_FRAME))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->fd = net_connect(addr, c->cfg.timeout_ms, c->err, sizeof c->err);
	/* Without a user the list ends at the NULL in place of "login". */
	const char *const headers[] = {
		"accept-version", "1.2", "host", "localhost",
		c->cfg.user ? "login" : NULL, c->cfg.user,
		"passcode", c->cfg.password ? c->cfg.password : "", NULL,
	};
	struct stomp_frame *f = NULL;
	int timed_out;
	if (c->fd >= 0 && stomp_client_frame(c, "CONNECT", headers, NULL, 0) == 0)
		f = stomp_client_next(c, c->cfg.timeout_ms, &timed_out);
	if (f && strcmp(f->command, "CONNECTED"))
		snprintf(c->err, sizeof c->err, "expected CONNECTED, got %s", f->command);
	bool ok = f && !strcmp(f->command, "CONNECTED");
	stomp_frame_free(f);
	for (size_t i = 0; ok && i < c->nsubs; i++)
		ok = net_write_all(c->fd, c->subs[i].frame, c->subs[i].len,
				   net_now_ms() + c->cfg.timeout_ms, c->err, sizeof c->err) == 0;
	if (!ok) {
		snprintf(err, errlen, "%s", c->err);
		disconnect(c);
		return -1;
	}
	stomp_parser_set_version(c->parser, STOMP_V12);
	c->broken = false;
	return 0;
}

/* Through the list, within the client's wait. */
static int connect_list(struct stomp_client *c)
{
	char why[sizeof c->err];
	if (failover_connect(&c->where, net_now_ms() + c->cfg.wait_ms, connect_addr, c,
			     why, sizeof why) < 0) {
		snprintf(c->err, sizeof c->err, "%s", why);
		c->broken = true;
		return -1;
	}
	c->last = c->where.current;
	return 0;
}

int stomp_client_reconnect(struct stomp_client *c)
{
	char was[sizeof c->err];
	snprintf(was, sizeof was, "%s", c->err);
	disconnect(c);
	if (connect_list(c) < 0) {
		/* Both halves: why the old connection ended, why no new one. */
		char why[sizeof c->err];
		snprintf(why, sizeof why, "%s", c->err);
		snprintf(c->err, sizeof c->err, "%.200s; %.300s", was, why);
		return -1;
	}
	c->reconnects++;
	return 0;
}

struct stomp_client *stomp_client_open(const struct stomp_client_config *cfg, char *err,
				       size_t errlen)
{
	struct stomp_client *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->cfg = *cfg;
	if (failover_parse(cfg->uri, &c->uri, c->err, sizeof c->err) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->uri, c->err);
		free(c);
		return NULL;
	}
	/* Threads that open at the same moment should not shuffle alike. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	failover_state_init(&c->where, &c->uri, (unsigned)(ts.tv_nsec ^ getpid() ^ (uintptr_t)c));
	if (connect_list(c) < 0) {
		snprintf(err, errlen, "%s", c->err);
		stomp_client_close(c);
		return NULL;
	}
	return c;
}

void stomp_client_close(struct stomp_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		stomp_client_frame(c, "DISCONNECT", NULL, NULL, 0);
	disconnect(c);
	while (c->nsubs)
		drop_sub(c, c->subs[0].id);
	free(c->subs);
	failover_free(&c->uri);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}
