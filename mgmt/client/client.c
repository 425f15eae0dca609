/*
 * client.c - the management socket's client (see client.h).
 *
 * A client is a socket, an input buffer of bytes not yet split into lines,
 * and a short queue of watch snapshots that arrived while a response was
 * awaited. Responses come back in request order (tandem-mgmt(7)), so the
 * next line that is not a snapshot is the answer to the request just sent.
 *
 * An address http://HOST:PORT reaches the node's web console instead
 * (client_http.c): each request is POSTed to its /api/jolokia with HTTP
 * Basic, and watches, which HTTP has not, are polled here: a watch is its
 * request and when it is next due, and mgmt_client_next_snapshot() reads
 * the watched objects when that time comes, as the node would.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "client_http.h"
#include "net.h"

/* Answers can be large (a browse of 400 big messages); the bound only
 * stops a broken peer from eating all memory. */
#define MAX_LINE (256u << 20)
/* Snapshots queued while nobody reads them: older ones are dropped, as
 * the server itself skips snapshots for a slow reader. */
#define MAX_QUEUED_SNAPSHOTS 64

struct mgmt_client {
	char *addr;
	int timeout_ms;
	int fd;			/* -1 when not connected */
	struct buf in;		/* bytes read, not yet a whole line */
	char *user, *password;	/* NULL: no login */
	json_t *snapshots;	/* array, oldest first */
	struct mgmt_http *http;	/* web console transport; NULL for the socket */
	bool http_up;		/* the last HTTP request got an answer */
	json_t *polls;		/* HTTP watches: [{id, req, interval, due}] */
	int next_poll;
	char err[512];
};

static void set_err(struct mgmt_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct mgmt_client *c, const char *fmt, ...)
{
	char msg[sizeof c->err - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(c->err, sizeof c->err, "%s: %s", c->addr, msg);
}

int mgmt_client_check_addr(const char *addr, char *err, size_t errlen)
{
	char *host = NULL;
	int port, r = 0;
	if (addr[0] != '/' && !mgmt_http_addr(addr))
		r = net_split_addr(addr, &host, &port, err, errlen);
	free(host);
	return r;
}

struct mgmt_client *mgmt_client_new(const char *addr, int timeout_ms)
{
	struct mgmt_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->addr = strdup(addr);
	c->snapshots = json_array();
	if (!c->addr || !c->snapshots) {
		mgmt_client_free(c);
		return NULL;
	}
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	c->fd = -1;
	if (mgmt_http_addr(addr) && (!(c->http = mgmt_http_new(addr, c->timeout_ms)) ||
				     !(c->polls = json_array()))) {
		mgmt_client_free(c);
		return NULL;
	}
	return c;
}

void mgmt_client_close(struct mgmt_client *c)
{
	c->http_up = false;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_reset(&c->in);
}

void mgmt_client_free(struct mgmt_client *c)
{
	if (!c)
		return;
	mgmt_client_close(c);
	buf_free(&c->in);
	json_decref(c->snapshots);
	mgmt_http_free(c->http);
	json_decref(c->polls);
	free(c->addr);
	free(c->user);
	free(c->password);
	free(c);
}

const char *mgmt_client_addr(const struct mgmt_client *c) { return c->addr; }
const char *mgmt_client_error(const struct mgmt_client *c) { return c->err; }
bool mgmt_client_connected(const struct mgmt_client *c)
{
	return c->http ? c->http_up : c->fd >= 0;
}

void mgmt_client_set_login(struct mgmt_client *c, const char *user, const char *password)
{
	free(c->user);
	free(c->password);
	c->user = user ? strdup(user) : NULL;
	c->password = user ? strdup(password ? password : "") : NULL;
}

bool mgmt_is_snapshot(json_t *line)
{
	return json_is_object(line) && json_object_get(line, "watch") &&
	       !json_object_get(line, "status");
}

/* Gives up on the connection after an I/O error: the stream is out of step. */
static int down(struct mgmt_client *c, const char *why)
{
	set_err(c, "%s", why);
	mgmt_client_close(c);
	return MGMT_EDOWN;
}

/* Parses the first whole line of the buffer into *line, if there is one:
 * 1 got one, 0 need more bytes, MGMT_EDOWN on JSON that does not parse. */
static int take_line(struct mgmt_client *c, json_t **line)
{
	if (!buf_len(&c->in))	/* memchr may not be given a NULL buffer */
		return 0;
	char *start = buf_data(&c->in);
	char *nl = memchr(start, '\n', buf_len(&c->in));
	if (!nl)
		return 0;
	json_error_t jerr;
	*line = json_loadb(start, (size_t)(nl - start), JSON_DECODE_ANY, &jerr);
	buf_consume(&c->in, (size_t)(nl - start) + 1);
	if (!*line) {
		char why[300];
		snprintf(why, sizeof why, "the node sent a line that is not JSON: %s", jerr.text);
		return down(c, why);
	}
	return 1;
}

/* The next line before the deadline: 0 with *line, 1 on timeout with
 * timeout_is_ok, else MGMT_EDOWN. */
static int read_line(struct mgmt_client *c, int64_t deadline, bool timeout_is_ok, json_t **line)
{
	char why[256];
	for (;;) {
		int r = take_line(c, line);
		if (r)
			return r > 0 ? 0 : r;
		if (buf_len(&c->in) > MAX_LINE)
			return down(c, "the node sent a line longer than 256 MiB");
		char *space = buf_space(&c->in, 65536);
		if (!space)
			return down(c, "out of memory");
		ssize_t n = net_read(c->fd, space, 65536, deadline, why, sizeof why);
		if (n == -2 && timeout_is_ok)
			return 1;
		if (n == 0)
			return down(c, "the node closed the connection");
		if (n < 0)
			return down(c, why);
		buf_commit(&c->in, (size_t)n);
	}
}

static void queue_snapshot(struct mgmt_client *c, json_t *snap)
{
	if (json_array_size(c->snapshots) >= MAX_QUEUED_SNAPSHOTS)
		json_array_remove(c->snapshots, 0);
	json_array_append_new(c->snapshots, snap);
}

/* One request over HTTP: as exchange() below. */
static int exchange_http(struct mgmt_client *c, json_t *req, json_t **resp)
{
	char why[400];
	int r = mgmt_http_post(c->http, c->user, c->password, req, resp, why, sizeof why);
	c->http_up = r != -1;
	if (r < 0)
		set_err(c, "%s", why);
	return r == 0 ? MGMT_OK : r == -2 ? MGMT_EFAIL : MGMT_EDOWN;
}

/* Writes req and reads its answer; assumes a connection. */
static int exchange(struct mgmt_client *c, json_t *req, json_t **resp)
{
	if (c->http)
		return exchange_http(c, req, resp);
	char why[256];
	char *text = json_dumps(req, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text) {
		set_err(c, "cannot encode the request");
		return MGMT_EFAIL;
	}
	size_t len = strlen(text);
	text[len] = '\n';	/* json_dumps left room for its NUL here */
	int64_t deadline = net_now_ms() + c->timeout_ms;
	int w = net_write_all(c->fd, text, len + 1, deadline, why, sizeof why);
	free(text);
	if (w < 0)
		return down(c, why);
	for (;;) {
		json_t *line;
		int r = read_line(c, deadline, false, &line);
		if (r)
			return r;
		if (!mgmt_is_snapshot(line)) {
			*resp = line;
			return MGMT_OK;
		}
		queue_snapshot(c, line);
	}
}

int mgmt_response_status(json_t *resp)
{
	return (int)json_integer_value(json_object_get(resp, "status"));
}

json_t *mgmt_response_value(struct mgmt_client *c, json_t *resp)
{
	int status = mgmt_response_status(resp);
	if (status == 200)
		return json_object_get(resp, "value");
	const char *error = json_string_value(json_object_get(resp, "error"));
	set_err(c, "%s (status %d)", error ? error : "error", status);
	/* After a 401 the node closes the connection; the next call starts
	 * afresh (and logs in) instead of writing into a dead socket. */
	if (status == 401)
		mgmt_client_close(c);
	return NULL;
}

static int login(struct mgmt_client *c)
{
	json_t *req = json_pack("{s:s, s:s, s:s}", "type", "login", "user", c->user,
				"password", c->password);
	json_t *resp = NULL;
	int r = req ? exchange(c, req, &resp) : MGMT_EFAIL;
	json_decref(req);
	if (r)
		return r;
	if (!mgmt_response_value(c, resp))
		r = MGMT_EFAIL;
	json_decref(resp);
	return r;
}

int mgmt_client_connect(struct mgmt_client *c)
{
	char why[256];
	if (c->http) {
		/* HTTP has no connection to open: a version request tells
		 * whether the node answers, and takes the login. */
		if (c->http_up)
			return MGMT_OK;
		json_t *req = json_pack("{s:s}", "type", "version"), *resp = NULL;
		int r = req ? exchange(c, req, &resp) : MGMT_EFAIL;
		json_decref(req);
		json_decref(resp);
		return r;
	}
	if (c->fd >= 0)
		return MGMT_OK;
	c->fd = net_connect(c->addr, c->timeout_ms, why, sizeof why);
	if (c->fd < 0) {
		set_err(c, "%s", why);
		return MGMT_EDOWN;
	}
	return c->user ? login(c) : MGMT_OK;
}

/* ---- pages ---- */

#define PAGES_MAX 100000

/* Whether the answer to req goes on in pages the client should fetch:
 * when the node cut it (tandem-mgmt(7), Paging) and the request did not
 * choose its own page. */
static bool more_pages(json_t *req, json_t *resp)
{
	json_t *config = json_object_get(req, "config");
	static const char *const own[] = { "limit", "maxObjects", "offset", "after" };
	const char *type = json_string_value(json_object_get(req, "type"));
	if (!type || (strcmp(type, "read") && strcmp(type, "search") && strcmp(type, "list")) ||
	    !json_is_object(resp) || !json_is_string(json_object_get(resp, "next")) ||
	    mgmt_response_status(resp) != 200)
		return false;
	for (size_t i = 0; i < sizeof own / sizeof *own; i++)
		if (json_object_get(config, own[i]))
			return false;
	return true;
}

/* Adds a later page's value to what the first held: names to a
 * search's list, objects to a read's or list's. */
static void merge_page(json_t *into, json_t *page)
{
	if (json_is_array(into))
		json_array_extend(into, page);
	else if (json_is_object(into) && json_is_object(page))
		json_object_update_recursive(into, page);
}

/* Fetches the further pages of one answer into it; the whole listing,
 * as tandemctl and tandemtop need it, without the node ever making a
 * big answer at once. */
static int follow_pages(struct mgmt_client *c, json_t *req, json_t *resp)
{
	int pages = 0;
	for (; more_pages(req, resp); pages++) {
		if (pages == PAGES_MAX) {
			set_err(c, "the node's answer goes on past %d pages", PAGES_MAX);
			return MGMT_EFAIL;
		}
		json_t *again = json_deep_copy(req), *next;
		json_t *config = json_object_get(again, "config");
		if (!json_is_object(config)) {
			config = json_object();
			json_object_set_new(again, "config", config);
		}
		json_object_set(config, "after", json_object_get(resp, "next"));
		int r = exchange(c, again, &next);
		json_decref(again);
		if (r)
			return r;
		if (mgmt_response_status(next) != 200) {
			json_object_update(resp, next);	/* the error is the answer */
			json_decref(next);
			return MGMT_OK;
		}
		merge_page(json_object_get(resp, "value"), json_object_get(next, "value"));
		json_object_del(resp, "next");
		if (json_object_get(next, "next"))
			json_object_set(resp, "next", json_object_get(next, "next"));
		json_decref(next);
	}
	if (pages)
		json_object_del(resp, "total");	/* the count of a page alone */
	return MGMT_OK;
}

/* The rest of a watch's snapshot that the node cut at `next`, read
 * page by page into value. */
static int snapshot_rest(struct mgmt_client *c, json_t *watch_req, json_t *next, json_t *value)
{
	if (!json_is_string(next))
		return MGMT_OK;
	json_t *req = json_pack("{s:s, s:O}", "type", "read", "mbean",
				json_object_get(watch_req, "mbean"));
	if (json_object_get(watch_req, "attribute"))
		json_object_set(req, "attribute", json_object_get(watch_req, "attribute"));
	json_t *config = json_object_get(watch_req, "config");
	config = json_is_object(config) ? json_deep_copy(config) : json_object();
	json_object_del(config, "after");
	json_object_set_new(req, "config", config);
	/* As a read that follows its own pages from the first cut. */
	json_t *resp = json_pack("{s:i, s:O, s:O}", "status", 200, "value", value, "next", next);
	int r = follow_pages(c, req, resp);
	if (!r && mgmt_response_status(resp) != 200) {
		set_err(c, "%s", json_string_value(json_object_get(resp, "error")) ?: "a page failed");
		r = MGMT_EFAIL;
	}
	json_decref(resp);
	json_decref(req);
	return r;
}

int mgmt_client_snapshot_rest(struct mgmt_client *c, json_t *watch_req, json_t *snap)
{
	return snapshot_rest(c, watch_req, json_object_get(snap, "next"),
			     json_object_get(snap, "value"));
}

int mgmt_client_send(struct mgmt_client *c, json_t *req, json_t **resp)
{
	int r = mgmt_client_connect(c);
	if (!r)
		r = exchange(c, req, resp);
	if (r)
		return r;
	if (!json_is_array(req)) {
		r = follow_pages(c, req, *resp);
	} else {
		for (size_t i = 0; !r && i < json_array_size(req); i++)
			r = follow_pages(c, json_array_get(req, i), json_array_get(*resp, i));
	}
	if (r) {
		json_decref(*resp);
		*resp = NULL;
	}
	return r;
}

int mgmt_client_call(struct mgmt_client *c, json_t *req, json_t **value)
{
	json_t *resp, *v = NULL;
	int r = mgmt_client_send(c, req, &resp);
	if (r)
		return r;
	if (json_is_object(resp))
		v = mgmt_response_value(c, resp);
	else
		set_err(c, "the node answered a request with something that is not an object");
	if (v)
		*value = json_incref(v);
	json_decref(resp);
	return v ? MGMT_OK : MGMT_EFAIL;
}

/* ---- watches over HTTP, polled ---- */

/* What a watch of req shows now, as the node's watch would send it:
 * {name: {attr: value}} for every object its mbean (a pattern, a name or
 * a list of them) names. NULL with the client's error set. */
static json_t *poll_read(struct mgmt_client *c, json_t *req)
{
	json_t *mbean = json_object_get(req, "mbean");
	json_t *attrs = json_object_get(req, "attribute");
	json_t *names = json_is_array(mbean) ? json_incref(mbean) : json_pack("[O]", mbean);
	json_t *bulk = json_array(), *resp = NULL, *one;
	size_t i;
	json_array_foreach(names, i, one) {
		json_t *r = json_pack("{s:s, s:O}", "type", "read", "mbean", one);
		if (attrs)
			json_object_set(r, "attribute", attrs);
		if (json_object_get(req, "config"))
			json_object_set(r, "config", json_object_get(req, "config"));
		json_array_append_new(bulk, r);
	}
	int rc = exchange(c, bulk, &resp);
	/* each pattern's answer may be cut into pages: the rest is read */
	for (i = 0; rc == MGMT_OK && json_is_array(resp) && i < json_array_size(resp); i++)
		rc = follow_pages(c, json_array_get(bulk, i), json_array_get(resp, i));
	json_decref(bulk);
	json_t *out = NULL;
	if (rc == MGMT_OK && json_is_array(resp) && json_array_size(resp) == json_array_size(names)) {
		out = json_object();
		json_array_foreach(names, i, one) {
			json_t *r = json_array_get(resp, i), *v = json_object_get(r, "value");
			const char *name = json_string_value(one);
			if (mgmt_response_status(r) != 200 || !name)
				continue;	/* gone, as a watch leaves it out */
			if (strpbrk(name, "*?")) {
				json_object_update(out, v);
			} else if (json_is_string(attrs)) {
				json_object_set_new(out, name, json_pack("{s:O}",
									 json_string_value(attrs), v));
			} else {
				json_object_set(out, name, v);
			}
		}
	} else if (rc == MGMT_OK) {
		set_err(c, "the node's answer to a bulk read is not one response per object");
	}
	json_decref(resp);
	json_decref(names);
	return out;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int poll_start(struct mgmt_client *c, json_t *req, json_t **first)
{
	json_int_t interval = json_integer_value(json_object_get(req, "interval"));
	if (interval <= 0)
		interval = 1000;
	if (interval < 100)
		interval = 100;
	*first = poll_read(c, req);
	if (!*first)
		return MGMT_EFAIL;
	int id = ++c->next_poll;
	json_array_append_new(c->polls, json_pack("{s:i, s:O, s:I, s:I}", "id", id, "req", req,
						  "interval", interval,
						  "due", (json_int_t)(net_now_ms() + interval)));
	return id;
}

static int poll_next(struct mgmt_client *c, int timeout_ms, json_t **snap)
{
	json_t *next = NULL, *p;
	size_t i;
	json_array_foreach(c->polls, i, p)
		if (!next || json_integer_value(json_object_get(p, "due")) <
			     json_integer_value(json_object_get(next, "due")))
			next = p;
	int64_t now = net_now_ms(), due = next ? json_integer_value(json_object_get(next, "due"))
					       : now + timeout_ms;
	if (due > now + timeout_ms) {
		sleep_ms(timeout_ms);
		return 1;
	}
	if (due > now)
		sleep_ms((int)(due - now));
	if (!next)
		return 1;
	json_object_set_new(next, "due", json_integer(due + json_integer_value(
		json_object_get(next, "interval"))));
	json_t *v = poll_read(c, json_object_get(next, "req"));
	if (!v)
		return mgmt_client_connected(c) ? MGMT_EFAIL : MGMT_EDOWN;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	int64_t ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
	*snap = json_pack("{s:I, s:I, s:I, s:o}", "watch", json_integer_value(json_object_get(next, "id")),
			  "timestamp", (json_int_t)(ms / 1000), "time_ms", (json_int_t)ms, "value", v);
	return MGMT_OK;
}

int mgmt_client_watch(struct mgmt_client *c, json_t *req, json_t **first)
{
	if (c->http)
		return poll_start(c, req, first);
	json_t *resp;
	int r = mgmt_client_send(c, req, &resp);
	if (r)
		return r;
	json_t *v = mgmt_response_value(c, resp);
	json_int_t id = json_integer_value(json_object_get(resp, "watch"));
	if (v && id <= 0)
		set_err(c, "the node's answer to watch has no watch id");
	if (v && id > 0 && snapshot_rest(c, req, json_object_get(resp, "next"), v))
		v = NULL;
	if (v && id > 0) {
		*first = json_incref(v);
		r = (int)id;
	} else {
		r = MGMT_EFAIL;
	}
	json_decref(resp);
	return r;
}

int mgmt_client_unwatch(struct mgmt_client *c, int watch_id)
{
	for (size_t i = 0; c->http && i < json_array_size(c->polls); i++) {
		if (json_integer_value(json_object_get(json_array_get(c->polls, i), "id")) == watch_id) {
			json_array_remove(c->polls, i);
			return MGMT_OK;
		}
	}
	if (c->http) {
		set_err(c, "No watch %d", watch_id);
		return MGMT_EFAIL;
	}
	json_t *req = json_pack("{s:s, s:i}", "type", "unwatch", "watch", watch_id);
	json_t *value = NULL;
	int r = req ? mgmt_client_call(c, req, &value) : MGMT_EFAIL;
	json_decref(req);
	json_decref(value);
	return r;
}

int mgmt_client_next_snapshot(struct mgmt_client *c, int timeout_ms, json_t **snap)
{
	if (c->http)
		return poll_next(c, timeout_ms, snap);
	if (json_array_size(c->snapshots)) {
		*snap = json_incref(json_array_get(c->snapshots, 0));
		json_array_remove(c->snapshots, 0);
		return MGMT_OK;
	}
	if (c->fd < 0) {
		set_err(c, "not connected");
		return MGMT_EDOWN;
	}
	int64_t deadline = net_now_ms() + timeout_ms;
	for (;;) {
		json_t *line;
		int r = read_line(c, deadline, true, &line);
		if (r)
			return r;
		if (mgmt_is_snapshot(line)) {
			*snap = line;
			return MGMT_OK;
		}
		json_decref(line);	/* an answer nobody waits for */
	}
}

int mgmt_client_broker(struct mgmt_client *c, char **name)
{
	json_t *names = NULL;
	json_t *req = mgmt_request("search", MGMT_DOMAIN ":type=Broker,brokerName=*");
	int r = req ? mgmt_client_call(c, req, &names) : MGMT_EFAIL;
	json_decref(req);
	if (r)
		return r;
	*name = mgmt_name_key(json_string_value(json_array_get(names, 0)), "brokerName");
	json_decref(names);
	if (!*name)
		set_err(c, "the node has no broker object");
	return *name ? MGMT_OK : MGMT_EFAIL;
}

char *mgmt_name_key(const char *objname, const char *key)
{
	if (!objname)
		return NULL;
	const char *p = strchr(objname, ':');
	size_t klen = strlen(key);
	for (p = p ? p + 1 : objname; *p; ) {
		const char *eq = strchr(p, '=');
		if (!eq)
			return NULL;
		const char *v = eq + 1, *end;
		if (*v == '"') {	/* a quoted value: up to the closing quote */
			for (end = v + 1; *end && *end != '"'; end += (end[0] == '\\' && end[1]) ? 2 : 1)
				;
			if (*end)
				end++;
		} else {
			end = v + strcspn(v, ",");
		}
		if ((size_t)(eq - p) == klen && !strncmp(p, key, klen)) {
			if (*v == '"' && end - v >= 2)
				return strndup(v + 1, (size_t)(end - v - 2));
			return strndup(v, (size_t)(end - v));
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

json_t *mgmt_request(const char *type, const char *mbean)
{
	return json_pack("{s:s, s:s}", "type", type, "mbean", mbean);
}
