/*
 * server.c - the management socket (see server.h).
 *
 * A session reads request lines, answers each with one line, and keeps
 * the watches it started: each is a loop timer that writes a snapshot
 * when it fires, unless the client has not read the last ones (then that
 * snapshot is skipped: a watcher never costs more than its buffer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "buf.h"
#include "config.h"
#include "conn.h"
#include "jolokia.h"
#include "log.h"
#include "loop.h"
#include "listener.h"
#include "model.h"
#include "proto.h"
#include "server.h"

#define LINE_MAX_BYTES (1 << 20)
#define WATCH_MIN_MS 100
#define WATCH_DEFAULT_MS 1000
#define WATCHES_MAX 16
#define CONNS_MAX 64		/* management clients at once */
#define REFUSAL_LOG_MS 10000

struct watch {
	struct session *s;
	int id;
	json_t *mbean, *attrs, *config;
	int64_t interval_ms;
	uint64_t timer;
	struct watch *next;
};

struct session {
	struct conn *conn;
	bool logged_in;
	int next_watch;
	int nwatches;
	struct watch *watches;
	uint64_t resume_timer;	/* answering the lines left for later */
};

static struct {
	struct loop *loop;
	const struct config *cfg;
	int fd;
	int port;
	char address[300];	/* mgmt_address() */
	int nconns;
	long refused;
	int64_t refusal_logged_ms;
} srv = { .fd = -1 };

static bool needs_login(void)
{
	return srv.cfg->nusers > 0;
}

/* Writes one JSON value as a line; takes the reference. */
static void send_json(struct session *s, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (!text) {
		conn_close(s->conn, "out of memory");
		return;
	}
	if (buf_puts(&s->conn->out, text) < 0 || buf_append(&s->conn->out, "\n", 1) < 0)
		conn_close(s->conn, "out of memory");
	else
		conn_flush_later(s->conn);
	free(text);
}

/* ---- watches ---- */

static void watch_free(struct watch *w)
{
	if (w->timer)
		loop_del_timer(srv.loop, w->timer);
	json_decref(w->mbean);
	json_decref(w->attrs);
	json_decref(w->config);
	free(w);
}

/* A snapshot is one page, like a read's (bounded: a watch over 100,000
 * queues must not hold the loop each second); "next" says it was cut. */
static json_t *snapshot(struct watch *w, struct jolokia_page *page)
{
	char err[256];
	json_t *v = jolokia_pattern_read(w->mbean, w->attrs, w->config, page, err, sizeof err);
	return v ? v : json_object();
}

static json_t *with_next(json_t *line, const struct jolokia_page *page)
{
	if (page->next[0])
		json_object_set_new(line, "next", json_string(page->next));
	return line;
}

static void watch_fire(struct loop *l, void *ctx)
{
	struct watch *w = ctx;
	w->timer = loop_add_timer(l, w->interval_ms, watch_fire, w);
	/* A client that does not read its snapshots gets no more of them
	 * until it does. */
	if (!conn_writable(w->s->conn) || w->s->conn->closing)
		return;
	int64_t now = wall_ms();
	struct jolokia_page page = { .total = -1 };
	json_t *value = snapshot(w, &page);
	send_json(w->s, with_next(json_pack("{s:i, s:I, s:I, s:o}", "watch", w->id,
					    "timestamp", (json_int_t)(now / 1000),
					    "time_ms", (json_int_t)now, "value", value), &page));
}

static json_t *start_watch(struct session *s, json_t *req)
{
	json_t *mbean = json_object_get(req, "mbean");
	if (!json_is_string(mbean) && !json_is_array(mbean))
		return jolokia_error(req, 400, "java.lang.IllegalArgumentException",
				     "A watch needs \"mbean\": a pattern or a list of them");
	if (s->nwatches >= WATCHES_MAX)
		return jolokia_error(req, 400, "java.lang.IllegalArgumentException",
				     "At most %d watches per connection", WATCHES_MAX);
	json_int_t interval = json_integer_value(json_object_get(req, "interval"));
	if (!interval)
		interval = WATCH_DEFAULT_MS;
	if (interval < WATCH_MIN_MS)
		interval = WATCH_MIN_MS;
	struct watch *w = calloc(1, sizeof *w);
	if (!w)
		return jolokia_error(req, 500, "java.lang.OutOfMemoryError", "out of memory");
	w->s = s;
	w->id = ++s->next_watch;
	w->mbean = json_incref(mbean);
	w->attrs = json_incref(json_object_get(req, "attribute"));
	w->config = json_incref(json_object_get(req, "config"));
	w->interval_ms = interval;
	char err[256];
	struct jolokia_page page;
	json_t *first = jolokia_pattern_read(mbean, w->attrs, w->config, &page, err, sizeof err);
	if (!first) {
		watch_free(w);
		return jolokia_error(req, 400, "java.lang.IllegalArgumentException", "%s", err);
	}
	w->timer = loop_add_timer(srv.loop, interval, watch_fire, w);
	w->next = s->watches;
	s->watches = w;
	s->nwatches++;
	json_t *r = with_next(jolokia_ok(req, first), &page);
	json_object_set_new(r, "watch", json_integer(w->id));
	return r;
}

static json_t *stop_watch(struct session *s, json_t *req)
{
	json_int_t id = json_integer_value(json_object_get(req, "watch"));
	for (struct watch **pp = &s->watches; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		struct watch *w = *pp;
		*pp = w->next;
		s->nwatches--;
		watch_free(w);
		return jolokia_ok(req, json_integer(id));
	}
	return jolokia_error(req, 404, "java.lang.IllegalArgumentException", "No watch %lld",
			     (long long)id);
}

/* ---- requests ---- */

static json_t *login(struct session *s, json_t *req)
{
	const char *user = json_string_value(json_object_get(req, "user"));
	const char *pass = json_string_value(json_object_get(req, "password"));
	for (size_t i = 0; user && pass && i < srv.cfg->nusers; i++) {
		if (!strcmp(srv.cfg->users[i].username, user) &&
		    !strcmp(srv.cfg->users[i].password, pass)) {
			s->logged_in = true;
			log_debug("mgmt", "%s logged in as %s", s->conn->peer, user);
			return jolokia_ok(req, json_string(user));
		}
	}
	log_warn("mgmt", "Management login failed for user [%s] from %s", user ? user : "",
		 s->conn->peer);
	conn_close_after_flush(s->conn);
	return jolokia_error(req, 401, "java.lang.SecurityException",
			     "User name [%s] or password is invalid.", user ? user : "");
}

static json_t *answer(struct session *s, json_t *req)
{
	const char *type = json_string_value(json_object_get(req, "type"));
	if (type && !strcmp(type, "login"))
		return needs_login() ? login(s, req) : jolokia_ok(req, json_string("anonymous"));
	if (needs_login() && !s->logged_in) {
		log_warn("mgmt", "Management request without login from %s", s->conn->peer);
		conn_close_after_flush(s->conn);
		return jolokia_error(req, 401, "java.lang.SecurityException",
				     "Log in first: {\"type\":\"login\",\"user\":...,\"password\":...}");
	}
	if (type && !strcmp(type, "watch"))
		return start_watch(s, req);
	if (type && !strcmp(type, "unwatch"))
		return stop_watch(s, req);
	return jolokia_request(req);
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_DECODE_ANY, &jerr);
	if (!req) {
		send_json(s, jolokia_error(NULL, 400, "java.lang.IllegalArgumentException",
					   "Not JSON: %s (column %d)", jerr.text, jerr.column));
		return;
	}
	if (json_is_array(req)) {
		json_t *out = json_array();
		size_t i;
		json_t *one;
		jolokia_bulk_begin();
		json_array_foreach(req, i, one) {
			json_array_append_new(out, answer(s, one));
			if (s->conn->closing)
				break;
		}
		jolokia_bulk_end();
		send_json(s, out);
	} else {
		send_json(s, answer(s, req));
	}
	json_decref(req);
}

/* Lines are answered for at most LINES_SLICE_US per loop iteration, and
 * not while the client leaves its answers unread: a client that sends
 * many requests at once waits its turn instead of pausing the broker. */
#define LINES_SLICE_US 3000

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void mgmt_on_data(struct conn *c);

static void lines_resume(struct loop *l, void *ctx)
{
	(void)l;
	struct session *s = ctx;
	s->resume_timer = 0;
	mgmt_on_data(s->conn);
}

/* Whether to leave the rest of the input for later: true when the
 * answers are not being read, or this iteration's slice is spent (then
 * a timer goes on with it). */
static bool lines_later(struct session *s, int64_t start_us)
{
	struct conn *c = s->conn;
	if (!conn_writable(c))
		return true;	/* on_drain goes on */
	if (!buf_len(&c->in) || mono_us() - start_us < LINES_SLICE_US)
		return false;
	if (!s->resume_timer)
		s->resume_timer = loop_add_timer(srv.loop, 0, lines_resume, s);
	return true;
}

static void mgmt_on_drain(struct conn *c)
{
	if (c->state && buf_len(&c->in))
		mgmt_on_data(c);
}

static void mgmt_on_data(struct conn *c)
{
	struct session *s = c->state;
	int64_t start_us = mono_us();
	while (!c->dead && !c->closing && buf_len(&c->in) && !lines_later(s, start_us)) {
		const char *data = buf_data(&c->in);
		const char *nl = memchr(data, '\n', buf_len(&c->in));
		if (!nl) {
			if (buf_len(&c->in) > LINE_MAX_BYTES) {
				send_json(s, jolokia_error(NULL, 413, "java.lang.IllegalArgumentException",
							   "A request line is at most %d bytes",
							   LINE_MAX_BYTES));
				log_warn("mgmt", "Management request from %s longer than %d bytes: "
					 "closed", c->peer, LINE_MAX_BYTES);
				conn_close_after_flush(c);
			}
			return;
		}
		size_t len = (size_t)(nl - data);
		if (len > LINE_MAX_BYTES) {
			send_json(s, jolokia_error(NULL, 413, "java.lang.IllegalArgumentException",
						   "A request line is at most %d bytes", LINE_MAX_BYTES));
			conn_close_after_flush(c);
			return;
		}
		/* Blank lines (an interactive nc) are let go. */
		if (len && !(len == 1 && data[0] == '\r'))
			handle_line(s, data, len);
		buf_consume(&c->in, len + 1);
	}
}

static int mgmt_open(struct conn *c)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->conn = c;
	c->state = s;
	srv.nconns++;
	return 0;
}

static void mgmt_close(struct conn *c)
{
	struct session *s = c->state;
	if (!s)
		return;
	while (s->watches) {
		struct watch *w = s->watches;
		s->watches = w->next;
		watch_free(w);
	}
	if (s->resume_timer)
		loop_del_timer(srv.loop, s->resume_timer);
	free(s);
	c->state = NULL;
	srv.nconns--;
}

static const struct proto mgmt_proto = {
	.name = "mgmt",
	.label = "management",
	.open = mgmt_open,
	.on_data = mgmt_on_data,
	.on_drain = mgmt_on_drain,
	.close = mgmt_close,
};

/* ---- the listener ---- */

static void on_accept(struct loop *l, int lfd, int events, void *ctx)
{
	(void)events;
	(void)ctx;
	for (int i = 0; i < 16; i++) {
		char peer[64];
		int fd = net_accept(lfd, peer, sizeof peer);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_error("mgmt", "Cannot accept a management connection: %s",
					  strerror(errno));
			return;
		}
		if (srv.nconns >= CONNS_MAX) {
			close(fd);
			srv.refused++;
			int64_t now = loop_now(l);
			if (!srv.refusal_logged_ms || now - srv.refusal_logged_ms >= REFUSAL_LOG_MS) {
				log_warn("mgmt", "%d management connections are open: refused %ld "
					 "more, the last from %s", CONNS_MAX, srv.refused, peer);
				srv.refusal_logged_ms = now;
				srv.refused = 0;
			}
			continue;
		}
		conn_new(l, NULL, fd, peer, &mgmt_proto);
	}
}

static bool loopback(const char *host)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return !strcmp(host, "::1") || !strcmp(host, "localhost");
}

/* A wildcard host means any of this host's addresses, of which its name
 * is the one others most likely resolve. */
static void advertise(const char *host, int port)
{
	char name[256] = "localhost";
	if (!*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "::")) {
		gethostname(name, sizeof name - 1);
		host = name;
	}
	snprintf(srv.address, sizeof srv.address, strchr(host, ':') ? "[%s]:%d" : "%s:%d",
		 host, port);
}

const char *mgmt_address(void) { return srv.address; }

int mgmt_start(struct loop *l, const struct config *cfg)
{
	srv.loop = l;
	srv.cfg = cfg;
	if (!cfg->management_enabled)
		return 0;
	char err[256];
	int fd = net_listen(cfg->management_host, cfg->management_port, &srv.port, err, sizeof err);
	if (fd < 0) {
		log_error("mgmt", "Cannot open the management socket on %s:%d: %s",
			  cfg->management_host, cfg->management_port, err);
		return -1;
	}
	if (loop_add_fd(l, fd, LOOP_READ, on_accept, NULL) < 0) {
		log_error("mgmt", "Cannot watch the management socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	srv.fd = fd;
	advertise(cfg->management_host, srv.port);
	model_roster_register(cfg, srv.address);
	log_info("mgmt", "Management socket listening at %s:%d (JSON lines, Jolokia requests; "
		 "see tandem-mgmt(7))%s", cfg->management_host, srv.port,
		 needs_login() ? "; login required" : "");
	if (!needs_login() && !loopback(cfg->management_host))
		log_warn("mgmt", "THE MANAGEMENT SOCKET ON %s:%d IS OPEN TO THE NETWORK WITHOUT "
			 "AUTHENTICATION: anyone who reaches it can purge queues and stop the "
			 "broker. Configure users (simpleAuthenticationPlugin) or set "
			 "connectorHost=\"127.0.0.1\"", cfg->management_host, srv.port);
	return 0;
}

void mgmt_stop(void)
{
	if (srv.fd < 0)
		return;
	loop_del_fd(srv.loop, srv.fd);
	close(srv.fd);
	srv.fd = -1;
	srv.port = 0;
	srv.address[0] = '\0';
}

int mgmt_port(void)
{
	return srv.port;
}
