/*
 * http.h - what the web's handlers share: one request, its answer, and
 * the route table (routes.c) that sends each path to its handler.
 *
 * A request lives from its headers to the end of its answer. web_server.c
 * reads its body (bounded by WEB_BODY_MAX), routes.c checks the login,
 * then the route's handler runs once with the whole body and answers with
 * one of the web_respond*() calls, or suspends the request (web_suspend)
 * and answers later from its resume() hook. Every handler runs in the
 * broker's event loop.
 */
#ifndef TANDEM_WEB_HTTP_H
#define TANDEM_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "framing.h"

struct MHD_Connection;
struct web_session;
struct web_route;

#define WEB_BODY_MAX (8u << 20)

struct web_header {
	char *name, *value;
};

struct web_req {
	struct MHD_Connection *mc;
	char *method;			/* "GET", "POST", ... */
	char *path;			/* without the query */
	char peer[64];			/* "ip:port" for logs */
	struct web_target target;	/* the request target, raw (framing.h) */
	bool loopback;			/* from 127/8 or ::1 */
	char *user;			/* who logged in; NULL before */
	struct web_session *session;	/* the console's session, if any */
	const struct web_route *route;
	struct buf body;
	bool too_big;
	json_t *form;			/* the body as a form, once parsed */
	struct web_header *headers;	/* for the answer */
	size_t nheaders;
	/* A suspended request: resume() answers it when web_resume() wakes
	 * it; cancel() lets go of what it holds in the broker at once (the
	 * broker stops serving; resume() follows); done() runs when the
	 * request ends, ok when its answer went out whole. */
	void *wait;
	int (*resume)(struct web_req *r);
	void (*cancel)(struct web_req *r);
	void (*done)(struct web_req *r, bool ok);
	bool suspended;
	bool readmit;			/* resumed after a login's wait: check again */
	uint64_t wake_timer;		/* of web_suspend_for */
	bool answered;
	bool dispatched;		/* the handler ran */
	bool holding;			/* in the list web_hold() keeps */
	struct web_req *hold_next, *hold_prev;
};

/* A handler answers (its return is web_respond's) or suspends. */
typedef int (*web_handler_fn)(struct web_req *r);

enum web_access {
	WEB_OPEN,	/* no login: /health */
	WEB_API,	/* HTTP Basic (or the console's session for GET) */
	WEB_CONSOLE,	/* the console's session (login form), or HTTP Basic */
};

struct web_route {
	const char *path;
	bool prefix;		/* path is a prefix of the URL */
	const char *methods;	/* "GET,POST" */
	enum web_access access;
	bool csrf;		/* a console POST here needs the session's CSRF
				 * token; an API request must not come from
				 * another site's page (origin.h) */
	web_handler_fn fn;
};

/* The route for a path, or NULL. */
const struct web_route *web_route_find(const char *path);
/* Checks the login a route needs, from the headers. With *answered
 * false the request goes on; otherwise it has been answered (401 or a
 * redirect to the login page) and the return is web_respond's. */
int web_route_admit(struct web_req *r, bool *answered);
/* With the body in: a console POST must carry the session's CSRF token
 * (form field "csrf" or header X-CSRF-Token). As web_route_admit. */
int web_route_check_csrf(struct web_req *r, bool *answered);

/* Sets (or, with s NULL, clears) the console's session cookie. */
void web_set_session_cookie(struct web_req *r, const struct web_session *s);

/* Query parameter or request header, NULL when absent. */
const char *web_arg(struct web_req *r, const char *name);
const char *web_header(struct web_req *r, const char *name);
/* A urlencoded or multipart form body as {name: value}, borrowed from
 * the request (empty when the body is no form). */
json_t *web_form(struct web_req *r);
/* The form's field as a string, NULL when absent. */
const char *web_field(struct web_req *r, const char *name);

/* Adds a header to the answer (values with CR or LF are dropped). */
void web_add_header(struct web_req *r, const char *name, const char *value);
/* Answers with a copy of data. The return goes back to libmicrohttpd. */
int web_respond(struct web_req *r, int status, const char *type, const void *data, size_t len);
/* Answers with b's bytes (b is left empty). */
int web_respond_buf(struct web_req *r, int status, const char *type, struct buf *b);
/* Answers with what fn produces: fn appends the next slice to out, and
 * returns false when that was the last. It is called again whenever the
 * connection has taken the slice before, so a large answer is made in
 * slices with the loop running in between; release(ctx) when the answer
 * ends either way. */
typedef bool (*web_slice_fn)(void *ctx, struct buf *out);
int web_respond_stream(struct web_req *r, int status, const char *type, web_slice_fn fn,
		       void *ctx, void (*release)(void *ctx));
/* A one-line text/plain answer. */
int web_text(struct web_req *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 303 See Other to location (a path on this server). */
int web_redirect(struct web_req *r, const char *location);
/* An answer in JSON (takes the reference). */
int web_json(struct web_req *r, int status, json_t *v);

/* The request holds something of the broker's (a consumer): its
 * cancel() runs if the broker stops serving before the request ends. */
void web_hold(struct web_req *r);
/* Holds the request open; the handler sets r->resume (and r->done). */
int web_suspend(struct web_req *r);
/* Wakes a suspended request: its resume() runs from the loop soon. */
void web_resume(struct web_req *r);
/* Suspends r for ms milliseconds, then wakes it as web_resume does (or
 * sooner, when the broker stops serving). false, and r goes on at once,
 * when the web server is stopping. */
bool web_suspend_for(struct web_req *r, int64_t ms);

#endif
