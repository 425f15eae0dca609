/*
 * routes.c - which handler answers which path, and the login each needs
 * (see http.h).
 *
 * The API takes HTTP Basic on every request (a GET may also ride on the
 * console's session, for the console's own refreshes); a POST to the API
 * needs Basic. A browser sends cached Basic credentials with any site's
 * requests, so the API's routes are marked csrf: a request a browser
 * makes for a page of another origin is refused (origin.c), before any
 * login is looked at. The console takes its session cookie
 * (SameSite=Strict), or Basic; a console POST also needs the session's
 * CSRF token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "auth.h"
#include "broker.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "origin.h"
#include "session.h"
#include "throttle.h"

#define REALM "Tandem"

static const struct web_route routes[] = {
	{ "/health", false, "GET,HEAD", WEB_OPEN, false, web_health },
	{ "/metrics", false, "GET,HEAD", WEB_API, false, web_metrics },
	{ "/api/jolokia", true, "GET,POST", WEB_API, true, web_jolokia },
	{ "/api/message/", true, "GET,POST", WEB_API, true, web_message },
	{ "/static/charts.js", false, "GET,HEAD", WEB_OPEN, false, web_static_charts },
	{ "/static/queues.js", false, "GET,HEAD", WEB_OPEN, false, web_static_queues },
	{ "/static/layout.css", false, "GET,HEAD", WEB_OPEN, false, web_static_layout },
	{ "/static/", true, "GET,HEAD", WEB_OPEN, false, web_static },
	{ "/login", false, "GET,POST", WEB_OPEN, false, page_login },
	{ "/logout", false, "POST", WEB_CONSOLE, true, page_logout },
	{ "/", false, "GET,HEAD", WEB_CONSOLE, false, page_overview },
	{ "/ha", false, "GET,HEAD", WEB_CONSOLE, false, page_ha },
	{ "/cluster", false, "GET,HEAD", WEB_CONSOLE, false, page_cluster },
	{ "/queues", false, "GET,HEAD", WEB_CONSOLE, false, page_queues },
	{ "/queues/purge", false, "POST", WEB_CONSOLE, true, page_queue_purge },
	{ "/queues/delete", false, "POST", WEB_CONSOLE, true, page_queue_delete },
	{ "/queues/create", false, "POST", WEB_CONSOLE, true, page_queue_create },
	{ "/queue", false, "GET,HEAD", WEB_CONSOLE, false, page_queue },
	{ "/queue/retry", false, "POST", WEB_CONSOLE, true, page_queue_retry },
	{ "/message", false, "GET,HEAD", WEB_CONSOLE, false, page_message },
	{ "/message/delete", false, "POST", WEB_CONSOLE, true, page_message_delete },
	{ "/message/move", false, "POST", WEB_CONSOLE, true, page_message_move },
	{ "/topics", false, "GET,HEAD", WEB_CONSOLE, false, page_topics },
	{ "/subscribers", false, "GET,HEAD", WEB_CONSOLE, false, page_subscribers },
	{ "/subscribers/delete", false, "POST", WEB_CONSOLE, true, page_subscriber_delete },
	{ "/connections", false, "GET,HEAD", WEB_CONSOLE, false, page_connections },
	{ "/network", false, "GET,HEAD", WEB_CONSOLE, false, page_network },
	{ "/send", false, "GET,HEAD,POST", WEB_CONSOLE, true, page_send },
	{ NULL, false, NULL, WEB_OPEN, false, NULL },
};

const struct web_route *web_route_find(const char *path)
{
	for (const struct web_route *rt = routes; rt->path; rt++) {
		size_t n = strlen(rt->path);
		if (rt->prefix ? !strncmp(path, rt->path, n) : !strcmp(path, rt->path))
			return rt;
	}
	return NULL;
}

static int refuse(struct web_req *r)
{
	static const char page[] = "Authentication required: a user of this broker's web console\n";
	struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof page - 1, (void *)page,
								    MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	int rc = MHD_queue_basic_auth_fail_response(r->mc, REALM, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	return rc;
}

/* Sets the session's cookie on the answer. */
void web_set_session_cookie(struct web_req *r, const struct web_session *s)
{
	char cookie[160];
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict",
		 WEB_SESSION_COOKIE, s ? s->id : "");
	web_add_header(r, "Set-Cookie", cookie);
}

/* An API request a browser makes for another site's page. */
static int foreign(struct web_req *r, bool *answered)
{
	const char *why = web_origin_foreign(r);
	if (!why)
		return MHD_YES;
	log_warn("web", "Refused a %s to %s from %s: %s", r->method, r->path, r->peer, why);
	*answered = true;
	return web_text(r, 403, "Refused: a page of another site cannot use this API (%s)", why);
}

/* HTTP Basic: the password is checked once the pair's wait (throttle.h)
 * is over; meanwhile the request is suspended, and readmitted when it
 * wakes. No session is opened: Basic requests have the user's Basic
 * token for the console's forms (session.h). Takes user and password. */
static int basic_login(struct web_req *r, char *user, char *password, bool *answered)
{
	int64_t now = loop_now(broker.loop);
	int64_t wait = web_throttle_wait(user, r->peer, now);
	if (wait > 0 && web_suspend_for(r, wait)) {
		r->readmit = true;
		free(user);
		free(password);
		return MHD_YES;
	}
	const char *why = web_auth_check(user, password, r->loopback);
	free(password);
	if (why) {
		log_warn("web", "Web login failed for user [%s] from %s: %s", user, r->peer, why);
		web_throttle_failed(user, r->peer, now);
		free(user);
		*answered = true;
		return refuse(r);
	}
	web_throttle_passed(user, r->peer, now);
	r->user = user;
	if (r->route->access == WEB_CONSOLE)
		r->session = web_session_basic(user);
	return MHD_YES;
}

int web_route_admit(struct web_req *r, bool *answered)
{
	*answered = false;
	const struct web_route *rt = r->route;
	if (rt->access == WEB_OPEN)
		return MHD_YES;
	if (rt->access == WEB_API && rt->csrf) {
		int rc = foreign(r, answered);
		if (*answered)
			return rc;
	}
	bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
	struct web_session *s = web_session_find(
		MHD_lookup_connection_value(r->mc, MHD_COOKIE_KIND, WEB_SESSION_COOKIE),
		loop_now(broker.loop));
	if (s && (rt->access == WEB_CONSOLE || get)) {
		r->session = s;
		r->user = strdup(s->user);
		return r->user ? MHD_YES : MHD_NO;
	}
	char *password = NULL;
	char *user = MHD_basic_auth_get_username_password(r->mc, &password);
	if (!user) {
		free(password);
		*answered = true;
		if (rt->access == WEB_CONSOLE && get) {
			struct buf next = BUF_INIT;
			buf_puts(&next, "/login?next=");
			url_text(&next, r->path);
			buf_append(&next, "", 1);
			int rc = web_redirect(r, buf_data(&next));
			buf_free(&next);
			return rc;
		}
		return refuse(r);
	}
	return basic_login(r, user, password, answered);
}

int web_route_check_csrf(struct web_req *r, bool *answered)
{
	*answered = false;
	if (!r->route->csrf || r->route->access != WEB_CONSOLE || strcmp(r->method, "POST"))
		return MHD_YES;
	const char *token = web_header(r, "X-CSRF-Token");
	if (!token)
		token = web_field(r, "csrf");
	if (r->session && token && web_secret_equal(r->session->csrf, token))
		return MHD_YES;
	log_warn("web", "Refused a POST to %s from %s (user %s): %s", r->path, r->peer,
		 r->user ? r->user : "-", token ? "wrong CSRF token" : "no CSRF token");
	*answered = true;
	return web_text(r, 403, "Refused: this form has no valid CSRF token (reload the page "
			"and submit it again)");
}
