/*
 * mgmt_server.c - the management socket (see mgmt_server.h).
 *
 * A session reads request lines, answers each with one line, and keeps
 * the watches it started: each is a loop timer that writes a snapshot
 * when it fires, unless the client has not read the last ones (then that
 * snapshot is skipped: a watcher never costs more than its buffer).
 *
 * Who may do what (man tandem-mgmt(7), "Access"): with users, whoever
 * logged in, as the authorizationPlugin says (authz.h); without, the
 * broker's own uid and root everything, anyone else only reads (the uid
 * of a peer: server_peer.c). Logins wait their address's turn after
 * failures (server_guard.c). A session closes when idle: loginTimeout
 * before it logs in, idleTimeout after, never while it has watches; and
 * when CONNS_MAX are open, a new connection closes the one idle longest
 * (not logged in first) rather than be refused, so that a pile of idle
 * sockets cannot lock the operator out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "advertise.h"
#include "authz.h"
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
#include "mgmt_server.h"

#define LINE_MAX_BYTES (1 << 20)
#define WATCH_MIN_MS 100
#define WATCH_DEFAULT_MS 1000
/* A day: further, now + interval would overflow the loop's clock and fire
 * at once, every turn. */
#define WATCH_MAX_MS (24 * 3600 * 1000)
#define WATCHES_MAX 16
/* A watch keeps its request: 16 a connection of a megabyte each pinned
 * 30 MB per connection, 2 GB for 64 connections. */
#define WATCH_MAX_BYTES 16384
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
	struct session *next, *prev;	/* every session, for the one to close */
	/* Logged in; without users, asked something. Until then it may
	 * idle only loginTimeout. */
	bool logged_in;
	/* Counted against CONNS_MAX: a TCP connection. The unix socket's
	 * (only the broker's user and root may open it) are not, so that a
	 * crowd on TCP never locks the operator out there. */
	bool counted;
	char *user;		/* who logged in */
	char name[32];		/* without users: "uid N" */
	struct authz_who who;	/* what it may do */
	int64_t active_ms;	/* loop time of its latest request */
	uint64_t idle_timer;
	json_t *held;		/* a login waiting for its address's turn */
	uint64_t hold_timer;
	int next_watch;
	int nwatches;
	struct watch *watches;
	uint64_t resume_timer;	/* answering the lines left for later */
	struct bulk *bulk;	/* a bulk request being answered; lines wait */
};

static struct {
	struct loop *loop;
	const struct config *cfg;
	int fd;
	int port;
	int unix_fd;
	char unix_path[sizeof ((struct sockaddr_un *)0)->sun_path];
	char address[300];	/* mgmt_address() */
	char hint[600];		/* how a read-only peer gets full access */
	struct session *sessions;
	int nconns;
	long refused, evicted;
	int64_t refusal_logged_ms;
} srv = { .fd = -1, .unix_fd = -1 };

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

/* ---- one loop turn's share ---- */

/* Every management client's request lines together take at most TURN_US
 * of a loop iteration, and their watch snapshots as much again (apart, so
 * that watches never starve requests); the rest waits for the next
 * iteration. Each client alone is bounded (a page, 3 ms of lines), but 64
 * connections of 16 watches, all due at once, held the loop 1.2 s. */
#define TURN_US 5000

enum turn_work { TURN_LINES, TURN_WATCHES };

static uint64_t deferred;	/* times turn_spent said so */

uint64_t mgmt_deferred(void)
{
	return deferred;
}

/* Whether this iteration's share of that work is spent; its first piece
 * always runs, so every client gets on. */
static bool turn_spent(enum turn_work what)
{
	static struct {
		uint64_t iteration;
		int64_t start_us;
	} turn[2];
	uint64_t it = loop_iteration(srv.loop);
	if (turn[what].iteration != it) {
		turn[what].iteration = it;
		turn[what].start_us = mono_us();
		return false;
	}
	bool spent = mono_us() - turn[what].start_us >= TURN_US;
	deferred += spent;
	return spent;
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
	if (turn_spent(TURN_WATCHES)) {
		/* In a later iteration (a timer of 0 could run in this one). */
		w->timer = loop_add_timer(l, 1, watch_fire, w);
		return;
	}
	w->timer = loop_add_timer(l, w->interval_ms, watch_fire, w);
	/* A client that does not read its snapshots gets no more of them
	 * until it does. */
	if (!conn_writable(w->s->conn) || w->s->conn->closing || w->s->bulk)
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
	size_t size = json_dumpb(req, NULL, 0, JSON_COMPACT);
	if (size > WATCH_MAX_BYTES)
		return jolokia_error(req, 400, "java.lang.IllegalArgumentException",
				     "A watch request is at most %d bytes, not %zu: watch fewer "
				     "patterns, or one that matches them all", WATCH_MAX_BYTES, size);
	json_int_t interval = json_integer_value(json_object_get(req, "interval"));
	if (!interval)
		interval = WATCH_DEFAULT_MS;
	if (interval < WATCH_MIN_MS)
		interval = WATCH_MIN_MS;
	if (interval > WATCH_MAX_MS)
		interval = WATCH_MAX_MS;
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

/* ---- logins ---- */

static json_t *check_login(struct session *s, json_t *req, bool waited)
{
	const char *user = json_string_value(json_object_get(req, "user"));
	const char *pass = json_string_value(json_object_get(req, "password"));
	for (size_t i = 0; user && pass && i < srv.cfg->nusers; i++) {
		if (!strcmp(srv.cfg->users[i].username, user) &&
		    !strcmp(srv.cfg->users[i].password, pass)) {
			free(s->user);
			s->user = strdup(user);
			s->who = (struct authz_who){ .user = s->user, .peer = s->conn->peer,
						     .level = AUTHZ_GROUPS };
			s->logged_in = s->user != NULL;
			log_debug("mgmt", "%s logged in as %s", s->conn->peer, user);
			return s->user ? jolokia_ok(req, json_string(user))
				: jolokia_error(req, 500, "java.lang.OutOfMemoryError", "out of memory");
		}
	}
	mgmt_guard_failed(s->conn->peer, user ? user : "", waited, loop_now(srv.loop));
	conn_close_after_flush(s->conn);
	return jolokia_error(req, 401, "java.lang.SecurityException",
			     "User name [%s] or password is invalid.", user ? user : "");
}

static void hold_fire(struct loop *l, void *ctx)
{
	(void)l;
	struct session *s = ctx;
	json_t *req = s->held;
	s->hold_timer = 0;
	s->held = NULL;
	/* Closed for a newcomer meanwhile, not yet reaped: nobody to answer. */
	if (s->conn->dead) {
		json_decref(req);
		return;
	}
	s->active_ms = loop_now(srv.loop);
	send_json(s, check_login(s, req, true));
	json_decref(req);
	/* Lines that came meanwhile are read now. */
	conn_resume_read(s->conn);
}

/* A login, checked when its address's turn comes (server_guard.c): NULL
 * while it waits (`may_wait`: not inside a bulk request), the session
 * reading nothing more meanwhile. */
static json_t *login(struct session *s, json_t *req, bool may_wait)
{
	int64_t now = loop_now(srv.loop);
	int64_t at = mgmt_guard_slot(s->conn->peer, now);
	if (at == now)
		return check_login(s, req, false);
	if (at > now && may_wait) {
		s->held = json_incref(req);
		s->hold_timer = loop_add_timer(srv.loop, at - now, hold_fire, s);
		if (s->hold_timer) {
			conn_pause_read(s->conn);
			return NULL;
		}
		json_decref(s->held);
		s->held = NULL;
	}
	conn_close_after_flush(s->conn);
	return jolokia_error(req, 429, "java.lang.SecurityException",
			     "Too many failed logins from here: try again later%s",
			     at > now ? ", and log in alone on a line" : "");
}

/* ---- requests ---- */

/* The answer to one request, or NULL while a login waits (login()). */
static json_t *answer(struct session *s, json_t *req, bool may_wait)
{
	const char *type = json_string_value(json_object_get(req, "type"));
	s->active_ms = loop_now(srv.loop);
	if (!needs_login())
		s->logged_in = true;
	if (type && !strcmp(type, "login"))
		return needs_login() ? login(s, req, may_wait) : jolokia_ok(req, json_string("anonymous"));
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
	return jolokia_request(req, &s->who);
}

/* A bulk request answered over as many loop turns as it takes, each
 * answer written as it is made: one of 8,000 reads, answered and written
 * at once, held the loop 0.7 s. Its line is open meanwhile, so watches
 * send nothing until it ends. */
struct bulk {
	json_t *req;		/* the array */
	size_t next;		/* the next to answer */
};

static void bulk_free(struct bulk *b)
{
	json_decref(b->req);
	free(b);
}

static void put_text(struct session *s, const char *text)
{
	if (buf_puts(&s->conn->out, text) < 0)
		conn_close(s->conn, "out of memory");
}

static void lines_resume(struct loop *l, void *ctx);

/* Answers the session's bulk on from where it stopped, for this turn's
 * share (at least one request, so that it ends), and closes its line
 * once all are answered. */
static void bulk_go_on(struct session *s)
{
	struct bulk *b = s->bulk;
	size_t n = json_array_size(b->req), first = b->next;
	jolokia_bulk_begin();
	while (b->next < n && !s->conn->closing && (b->next == first || !turn_spent(TURN_LINES))) {
		json_t *one = answer(s, json_array_get(b->req, b->next), false);
		if (jolokia_bulk_put(&s->conn->out, b->next++, one) < 0)
			conn_close(s->conn, "out of memory");
	}
	jolokia_bulk_end();
	conn_flush_later(s->conn);
	if (b->next < n && !s->conn->closing) {
		if (!s->resume_timer)
			s->resume_timer = loop_add_timer(srv.loop, 1, lines_resume, s);
		return;
	}
	put_text(s, "]\n");
	s->bulk = NULL;
	bulk_free(b);
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
		struct bulk *b = calloc(1, sizeof *b);
		if (!b) {
			json_decref(req);
			conn_close(s->conn, "out of memory");
			return;
		}
		*b = (struct bulk){ req, 0 };
		s->bulk = b;
		put_text(s, "[");
		bulk_go_on(s);
		return;
	}
	json_t *out = answer(s, req, true);
	if (out)
		send_json(s, out);
	json_decref(req);
}

/* Lines are answered for at most LINES_SLICE_US per loop iteration, and
 * not while the client leaves its answers unread: a client that sends
 * many requests at once waits its turn instead of pausing the broker. */
#define LINES_SLICE_US 3000

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
	if (!buf_len(&c->in))
		return false;
	bool spent = turn_spent(TURN_LINES);
	if (!spent && mono_us() - start_us < LINES_SLICE_US)
		return false;
	if (!s->resume_timer)
		s->resume_timer = loop_add_timer(srv.loop, spent ? 1 : 0, lines_resume, s);
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
	if (s->bulk && !c->dead)
		bulk_go_on(s);
	while (!s->bulk && !c->dead && !c->closing && !c->read_paused && buf_len(&c->in) &&
	       !lines_later(s, start_us)) {
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

/* ---- sessions: access, idling, room for newcomers ---- */

/* Without users: the broker's own uid and root may do everything, anyone
 * else (another local user, a remote peer) only read. */
static void grant(struct session *s)
{
	s->who = (struct authz_who){ .peer = s->conn->peer, .level = AUTHZ_GROUPS };
	if (needs_login())
		return;
	uid_t uid;
	bool known = mgmt_peer_uid(s->conn->fd, &uid) == 0;
	if (known)
		snprintf(s->name, sizeof s->name, "uid %u", (unsigned)uid);
	else
		snprintf(s->name, sizeof s->name, "(anonymous)");
	s->who.user = s->name;
	s->who.level = known && (uid == 0 || uid == geteuid()) ? AUTHZ_ALL : AUTHZ_READ_ONLY;
	s->who.hint = srv.hint;
}

static void idle_fire(struct loop *l, void *ctx)
{
	struct session *s = ctx;
	s->idle_timer = 0;
	int64_t limit = s->logged_in ? srv.cfg->management_idle_timeout_ms
				     : srv.cfg->management_login_timeout_ms;
	int64_t idle = loop_now(l) - s->active_ms;
	/* Watching, or waiting for its login's turn, is not idling. */
	if (s->nwatches || s->held)
		idle = 0;
	if (idle >= limit) {
		log_debug("mgmt", "Closed the management connection from %s: idle %lld ms%s",
			  s->conn->peer, (long long)idle, s->logged_in ? "" : " without logging in");
		conn_close(s->conn, "idle");
		return;
	}
	s->idle_timer = loop_add_timer(l, limit - idle, idle_fire, s);
}

static int mgmt_open(struct conn *c)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->conn = c;
	c->state = s;
	s->active_ms = loop_now(srv.loop);
	grant(s);
	s->idle_timer = loop_add_timer(srv.loop, srv.cfg->management_login_timeout_ms, idle_fire, s);
	s->next = srv.sessions;
	if (s->next)
		s->next->prev = s;
	srv.sessions = s;
	s->counted = strncmp(c->peer, "unix", 4) != 0;
	srv.nconns += s->counted;
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
	if (s->idle_timer)
		loop_del_timer(srv.loop, s->idle_timer);
	if (s->hold_timer)
		loop_del_timer(srv.loop, s->hold_timer);
	if (s->bulk)
		bulk_free(s->bulk);
	json_decref(s->held);
	if (s->prev)
		s->prev->next = s->next;
	else
		srv.sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	srv.nconns -= s->counted;
	free(s->user);
	free(s);
	c->state = NULL;
}

/* Should a newcomer rather close a than b? */
static bool idler(const struct session *a, const struct session *b)
{
	if (a->logged_in != b->logged_in)
		return !a->logged_in;
	if (a->active_ms != b->active_ms)
		return a->active_ms < b->active_ms;
	/* Accepted in one go (same loop time): the older, or a flood that
	 * arrives with tandemctl would close tandemctl's. */
	return a->conn->id < b->conn->id;
}

/* The session a newcomer may take the place of: no watches, not logged
 * in before logged in, then idle longest; NULL when all watch. */
static struct session *evictable(void)
{
	struct session *best = NULL;
	for (struct session *s = srv.sessions; s; s = s->next)
		if (s->counted && !s->nwatches && !s->conn->dead && (!best || idler(s, best)))
			best = s;
	return best;
}

/* Makes room for one more connection: 0, or -1 when there is none. */
static int make_room(void)
{
	if (srv.nconns < CONNS_MAX)
		return 0;
	struct session *s = evictable();
	if (!s)
		return -1;
	s->counted = false;
	srv.nconns--;
	srv.evicted++;
	conn_close(s->conn, "closed for a newer management connection");
	return 0;
}

/* Said once per REFUSAL_LOG_MS at most: a flood is one line. */
static void log_crowding(const char *peer)
{
	int64_t now = loop_now(srv.loop);
	if (srv.refusal_logged_ms && now - srv.refusal_logged_ms < REFUSAL_LOG_MS)
		return;
	log_warn("mgmt", "%d management connections are open: closed %ld idle ones for newer "
		 "ones and refused %ld (every one watching), the last from %s", CONNS_MAX,
		 srv.evicted, srv.refused, peer);
	srv.refusal_logged_ms = now;
	srv.refused = srv.evicted = 0;
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

/* A unix socket's peer is named by its uid ("unix uid 1000"): logins
 * are throttled per uid there. */
static int accept_unix(int lfd, char *peer, size_t peerlen)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	uid_t uid;
	if (mgmt_peer_uid(fd, &uid) == 0)
		snprintf(peer, peerlen, "unix uid %u", (unsigned)uid);
	else
		snprintf(peer, peerlen, "unix");
	return fd;
}

static void on_accept(struct loop *l, int lfd, int events, void *ctx)
{
	(void)events;
	bool is_unix = ctx != NULL;
	for (int i = 0; i < 16; i++) {
		char peer[64];
		int fd = is_unix ? accept_unix(lfd, peer, sizeof peer)
				 : net_accept(lfd, peer, sizeof peer);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_error("mgmt", "Cannot accept a management connection: %s",
					  strerror(errno));
			return;
		}
		if (!is_unix && srv.nconns >= CONNS_MAX) {
			int room = make_room();
			if (room < 0) {
				close(fd);
				srv.refused++;
			}
			log_crowding(peer);
			if (room < 0)
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

/* A wildcard host means any of this host's addresses: told as one that
 * others can reach (advertise.h). */
static void advertise(const char *host, int port)
{
	advertise_addr(host, port, srv.address, sizeof srv.address);
}

const char *mgmt_address(void) { return srv.address; }

/* The default unix socket: <dataDirectory>/mgmt-<brokerName>.sock (the
 * broker's name keeps two nodes of one data directory apart). */
static void unix_path(const struct config *cfg, char *out, size_t n)
{
	if (cfg->management_socket) {
		/* Cut short, it would name (and replace) another file. */
		if (snprintf(out, n, "%s", cfg->management_socket) >= (int)n)
			out[0] = '\0';
		return;
	}
	int len = snprintf(out, n, "%s/mgmt-", cfg->data_directory ? cfg->data_directory : ".");
	for (const char *p = cfg->broker_name; len >= 0 && (size_t)len + 6 < n && *p; p++)
		out[len++] = *p == '/' ? '_' : *p;
	if (len >= 0 && (size_t)len + 6 < n)
		snprintf(out + len, n - (size_t)len, ".sock");
	else
		out[0] = '\0';	/* too long: none */
}

/* Listens on the unix socket, mode 0600: who may connect is who may open
 * the file. A socket file nobody answers on is a leftover, replaced; one
 * that answers is another broker's, left alone. 0, or -1 (logged; the
 * TCP socket still serves). */
static int listen_unix(const struct config *cfg)
{
	char path[sizeof srv.unix_path];
	unix_path(cfg, path, sizeof path);
	if (!path[0] && cfg->management_socket && cfg->management_socket[0])
		log_warn("mgmt", "managementContext@connectorSocket is too long for a unix socket "
			 "(%zu bytes at most): this broker has no unix management socket",
			 sizeof path - 1);
	else if (!cfg->management_socket && !path[0])
		log_warn("mgmt", "The data directory's path is too long for a unix socket: "
			 "set managementContext@connectorSocket");
	if (!path[0])
		return -1;
	/* Only a socket is a leftover to replace: any other file is not ours. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_warn("mgmt", "%s exists and is not a socket: this broker has no unix "
			 "management socket", path);
		return -1;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		log_warn("mgmt", "Another process answers on %s: this broker has no unix "
			 "management socket", path);
		close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	if (!cfg->management_socket && cfg->data_directory)
		mkdir(cfg->data_directory, 0755);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* Mode before listen(): nobody can connect in between. */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 64) < 0 || loop_add_fd(srv.loop, fd, LOOP_READ, on_accept, &srv) < 0) {
		log_warn("mgmt", "Cannot open the unix management socket %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	srv.unix_fd = fd;
	snprintf(srv.unix_path, sizeof srv.unix_path, "%s", path);
	return 0;
}

/* Says, loudly when it is open to more than the operator, who may do
 * what on the socket. */
static void tell_access(const struct config *cfg)
{
	if (needs_login()) {
		log_info("mgmt", "Management socket at %s:%d%s%s: login required (the broker's "
			 "users); what each may do follows the authorizationPlugin",
			 cfg->management_host, srv.port, srv.unix_fd >= 0 ? " and " : "",
			 srv.unix_path);
		return;
	}
	uid_t me = geteuid();
	snprintf(srv.hint, sizeof srv.hint, "without users the management socket gives full "
		 "access to uid %u and root only: connect as one of them (tandemctl --node %s), "
		 "or configure users (simpleAuthenticationPlugin) and log in", (unsigned)me,
		 srv.unix_fd >= 0 ? srv.unix_path : "HOST:PORT");
	log_warn("mgmt", "THE MANAGEMENT SOCKET HAS NO USERS (no simpleAuthenticationPlugin): "
		 "uid %u (this broker's) and root may do everything on %s:%d%s%s; every other "
		 "local user%s may read every object's attributes, but change nothing and see no "
		 "message", (unsigned)me, cfg->management_host, srv.port,
		 srv.unix_fd >= 0 ? " and on the unix socket " : "", srv.unix_path,
		 loopback(cfg->management_host) ? "" : ", AND ANYONE ON THE NETWORK,");
}

int mgmt_start(struct loop *l, const struct config *cfg)
{
	srv.loop = l;
	srv.cfg = cfg;
	if (!cfg->management_enabled)
		return 0;
	mgmt_guard_start(l, cfg->management_login_delay_ms);
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
	char told[340] = "";
	if (advertise_wildcard(cfg->management_host))
		snprintf(told, sizeof told, ", told to others as %s", srv.address);
	log_info("mgmt", "Management socket listening at %s:%d%s (JSON lines, Jolokia requests; "
		 "see tandem-mgmt(7))", cfg->management_host, srv.port, told);
	listen_unix(cfg);
	tell_access(cfg);
	return 0;
}

void mgmt_stop(void)
{
	if (srv.unix_fd >= 0) {
		loop_del_fd(srv.loop, srv.unix_fd);
		close(srv.unix_fd);
		unlink(srv.unix_path);
		srv.unix_fd = -1;
		srv.unix_path[0] = '\0';
	}
	if (srv.fd < 0)
		return;
	mgmt_guard_stop();
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

const char *mgmt_unix_path(void)
{
	return srv.unix_path;
}
