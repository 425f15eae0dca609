/*
 * api_jolokia.c - /api/jolokia: Jolokia's HTTP agent protocol over the
 * management model, answered by the same code as the management socket
 * (mgmt/server/jolokia.c), so Jolokia-based monitoring of ActiveMQ reads Tandem
 * unchanged.
 *
 *   GET  /api/jolokia/version
 *   GET  /api/jolokia/read/MBEAN[/ATTRIBUTE]
 *   GET  /api/jolokia/write/MBEAN/ATTRIBUTE/VALUE
 *   GET  /api/jolokia/exec/MBEAN/OPERATION[/ARG...]
 *   GET  /api/jolokia/search/PATTERN
 *   GET  /api/jolokia/list[/DOMAIN[/PROPS]]
 *   POST /api/jolokia   a request object, or an array of them (bulk)
 *
 * In a path "!/" is a "/" inside a part and "!!" a "!", as Jolokia
 * escapes them; ?p=/read/... may carry the path instead. A GET's page
 * (tandem-mgmt(7), Paging) comes from ?maxObjects=N (Jolokia's own
 * parameter) and ?config={...} (the JSON of a request's "config"). Like Jolokia the
 * HTTP status is 200 and each response carries its own status.
 *
 * exec and write change state, so they take POST only (as Jolokia with
 * its restrictor's <http><method>post</method></http>): a GET is one
 * request a browser makes for any page that links or embeds it, with the
 * console's session or cached Basic credentials. Such a GET is refused
 * with 403, in HTTP and in its Jolokia answer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "authz.h"
#include "handlers.h"
#include "http.h"
#include "jolokia.h"
#include "loop.h"

#define PREFIX "/api/jolokia"
#define PARTS_MAX 64

/* Splits a GET path into parts, undoing Jolokia's escapes; a JSON array
 * of strings. */
static json_t *split(const char *path)
{
	json_t *parts = json_array();
	size_t len = strlen(path);
	char *part = malloc(len + 1);
	if (!part)
		return parts;
	size_t n = 0;
	for (const char *p = path; ; p++) {
		if (*p == '!' && p[1]) {
			part[n++] = *++p;
		} else if (*p == '/' || !*p) {
			if (n || (*p && json_array_size(parts)))
				json_array_append_new(parts, json_stringn(part, n));
			n = 0;
			if (!*p)
				break;
		} else {
			part[n++] = *p;
		}
	}
	free(part);
	return parts;
}

/* A GET argument or written value: JSON when it parses as JSON (numbers,
 * booleans, null, maps), else the text itself. */
static json_t *value_of(json_t *part)
{
	const char *s = json_string_value(part);
	if (!strcmp(s, "[null]"))
		return json_null();
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v && !json_is_string(v) && !json_is_array(v) ? v : (json_decref(v), json_incref(part));
}

/* "A,B" is a list of attributes, as Jolokia reads it. */
static json_t *attributes(json_t *part)
{
	const char *s = json_string_value(part);
	if (!strchr(s, ','))
		return json_incref(part);
	json_t *list = json_array();
	for (const char *p = s; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		json_array_append_new(list, json_stringn(p, strcspn(p, ",")));
	return list;
}

/* The request a GET path describes, or NULL with why. */
static json_t *from_path(const char *path, const char **why)
{
	json_t *parts = split(path);
	size_t n = json_array_size(parts);
	const char *type = n ? json_string_value(json_array_get(parts, 0)) : "version";
	json_t *req = json_pack("{s:s}", "type", type);
	*why = NULL;
	if (n > PARTS_MAX) {
		*why = "too many parts in the path";
	} else if (!strcmp(type, "version")) {
		;
	} else if (!strcmp(type, "read") || !strcmp(type, "search")) {
		if (n < 2)
			*why = "the path names no MBean";
		else
			json_object_set(req, "mbean", json_array_get(parts, 1));
		if (n >= 3 && !strcmp(type, "read"))
			json_object_set_new(req, "attribute", attributes(json_array_get(parts, 2)));
		if (n > 3 && !*why)
			*why = "inner paths into attribute values are not served";
	} else if (!strcmp(type, "write")) {
		if (n != 4)
			*why = "write takes /write/MBEAN/ATTRIBUTE/VALUE";
		else
			json_object_set_new(req, "value", value_of(json_array_get(parts, 3)));
		json_object_set(req, "mbean", json_array_get(parts, 1));
		json_object_set(req, "attribute", json_array_get(parts, 2));
	} else if (!strcmp(type, "exec")) {
		if (n < 3)
			*why = "exec takes /exec/MBEAN/OPERATION[/ARGUMENT...]";
		json_object_set(req, "mbean", json_array_get(parts, 1));
		json_object_set(req, "operation", json_array_get(parts, 2));
		json_t *args = json_array();
		for (size_t i = 3; i < n; i++)
			json_array_append_new(args, value_of(json_array_get(parts, i)));
		json_object_set_new(req, "arguments", args);
	} else if (!strcmp(type, "list")) {
		if (n >= 2) {
			/* domain/props, the props part escaped as one */
			char *p = NULL;
			if (asprintf(&p, "%s%s%s", json_string_value(json_array_get(parts, 1)),
				     n >= 3 ? "/" : "",
				     n >= 3 ? json_string_value(json_array_get(parts, 2)) : "") >= 0)
				json_object_set_new(req, "path", json_string(p));
			free(p);
		}
	}
	json_decref(parts);
	return req;
}

/* A GET's ?config= and ?maxObjects= into the request; NULL, or why not. */
static const char *get_config(struct web_req *r, json_t *req)
{
	const char *text = web_arg(r, "config"), *max = web_arg(r, "maxObjects");
	json_t *config = text ? json_loads(text, 0, NULL) : json_object();
	if (!json_is_object(config)) {
		json_decref(config);
		return "?config= is a JSON object";
	}
	if (max) {
		char *end;
		long n = strtol(max, &end, 10);
		if (end == max || *end || n < 0) {
			json_decref(config);
			return "?maxObjects= is a number of objects";
		}
		json_object_set_new(config, "maxObjects", json_integer(n));
	}
	if (json_object_size(config))
		json_object_set(req, "config", config);
	json_decref(config);
	return NULL;
}

/* The request types a GET may not carry. */
static bool changes_state(json_t *req)
{
	static const char *const types[] = { "exec", "write", NULL };
	const char *type = json_string_value(json_object_get(req, "type"));
	for (const char *const *t = types; type && *t; t++)
		if (!strcmp(type, *t))
			return true;
	return false;
}

static json_t *answer_one(const char *user, const char *peer, json_t *req)
{
	const char *type = json_string_value(json_object_get(req, "type"));
	/* The socket's own requests: over HTTP the login is HTTP's. */
	if (type && (!strcmp(type, "login") || !strcmp(type, "watch") || !strcmp(type, "unwatch")))
		return jolokia_error(req, 400, "java.lang.IllegalArgumentException",
				     "%s is a management socket request; over HTTP, use HTTP "
				     "Basic and poll", type);
	struct authz_who who;
	web_auth_who(user, peer, &who);
	return jolokia_request(req, &who);
}

/* A bulk answered as its answer is sent, a slice of its requests at a
 * time (at most SLICE_US of the loop, at least one request): 40,000
 * reads, answered and written at once, held the loop 0.5 s. A client
 * that goes away before the end leaves the rest unanswered (and not run). */
#define SLICE_US 3000

struct bulk {
	json_t *req;		/* the array */
	size_t next;		/* the next to answer */
	char *user;
	char peer[64];
};

/* The next slice of answers, "[" before the first and "]" after the last
 * (web_slice_fn). */
static bool bulk_slice(void *ctx, struct buf *out)
{
	struct bulk *b = ctx;
	int64_t start = mono_us();
	size_t n = json_array_size(b->req);
	if (!b->next)
		buf_puts(out, "[");
	jolokia_bulk_begin();
	do {
		json_t *one = answer_one(b->user, b->peer, json_array_get(b->req, b->next));
		jolokia_bulk_put(out, b->next++, one);
	} while (b->next < n && buf_len(out) < 16384 && mono_us() - start < SLICE_US);
	jolokia_bulk_end();
	if (b->next < n)
		return true;
	buf_puts(out, "]");
	return false;
}

static void bulk_free(void *ctx)
{
	struct bulk *b = ctx;
	json_decref(b->req);
	free(b->user);
	free(b);
}

static int answer_bulk(struct web_req *r, json_t *req)
{
	if (!json_array_size(req)) {
		json_decref(req);
		return web_json(r, 200, json_array());
	}
	struct bulk *b = calloc(1, sizeof *b);
	if (!b || (r->user && !(b->user = strdup(r->user)))) {
		free(b);
		json_decref(req);
		return web_text(r, 503, "out of memory");
	}
	b->req = req;
	snprintf(b->peer, sizeof b->peer, "%s", r->peer);
	return web_respond_stream(r, 200, "application/json; charset=utf-8", bulk_slice, b,
				  bulk_free);
}

/* As a management socket's line: parsing JSON cannot be cut in slices,
 * and 6 MB of it held the loop over 0.1 s. */
#define POST_MAX (1 << 20)

static int answer_post(struct web_req *r)
{
	if (buf_len(&r->body) > POST_MAX)
		return web_text(r, 413, "A Jolokia request is at most %d bytes (as a management "
				"socket's line): send a big bulk in parts", POST_MAX);
	json_error_t jerr;
	json_t *req = json_loadb(buf_len(&r->body) ? buf_data(&r->body) : "", buf_len(&r->body),
				 JSON_DECODE_ANY, &jerr);
	if (!req)
		return web_json(r, 200, jolokia_error(NULL, 400, "java.lang.IllegalArgumentException",
						      "Not JSON: %s (line %d, column %d)", jerr.text,
						      jerr.line, jerr.column));
	if (json_is_array(req))
		return answer_bulk(r, req);
	json_t *out = answer_one(r->user, r->peer, req);
	json_decref(req);
	return web_json(r, 200, out);
}

int web_jolokia(struct web_req *r)
{
	if (!strcmp(r->method, "POST"))
		return answer_post(r);
	const char *path = r->path + strlen(PREFIX);
	if (*path && *path != '/')
		return web_text(r, 404, "No such page: %s", r->path);
	const char *p = web_arg(r, "p");
	if (p)
		path = p;
	const char *why;
	json_t *req = from_path(path, &why);
	if (changes_state(req)) {
		json_t *resp = jolokia_error(req, 403, "java.lang.SecurityException",
					     "HTTP method GET is not allowed for %s: send it as "
					     "a POST", json_string_value(json_object_get(req, "type")));
		json_decref(req);
		return web_json(r, 403, resp);
	}
	if (!why)
		why = get_config(r, req);
	json_t *resp = why ? jolokia_error(req, 400, "java.lang.IllegalArgumentException", "%s", why)
			   : answer_one(r->user, r->peer, req);
	json_decref(req);
	return web_json(r, 200, resp);
}
