/*
 * page_login.c - /login and /logout.
 *
 * The login form carries a token that must equal a cookie set with the
 * form (a double-submitted cookie): another site cannot post it, so it
 * cannot log a browser in as someone else. A failed login is logged with
 * the user name and the address, as the management socket does, and
 * makes the next one of that user from there wait (throttle.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <microhttpd.h>

#include "auth.h"
#include "broker.h"
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "session.h"
#include "throttle.h"

#define LOGIN_COOKIE "TANDEMLOGIN"

/* Where to go after the login: a path of this console, else "/". */
static const char *next_path(const char *next)
{
	return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
	       !strpbrk(next, "\r\n") ? next : "/";
}

static int form(struct web_req *r, int status, const char *error)
{
	char token[WEB_TOKEN_HEX + 1];
	unsigned char raw[WEB_TOKEN_HEX / 2];
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return web_text(r, 500, "no randomness for the login form");
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	char cookie[128];
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/login; HttpOnly; SameSite=Strict",
		 LOGIN_COOKIE, token);
	web_add_header(r, "Set-Cookie", cookie);
	struct buf b = BUF_INIT;
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		 "<link rel=\"stylesheet\" href=\"/static/console.css\"><title>Log in - ");
	html_text(&b, broker.cfg->broker_name);
	buf_puts(&b, "</title></head><body class=\"login\"><main><h1>Tandem: ");
	html_text(&b, broker.cfg->broker_name);
	buf_printf(&b, " <span class=\"role %s\">%s</span></h1>\n",
		   broker_serving() ? "master" : "slave", broker_serving() ? "master" : "slave");
	if (error) {
		buf_puts(&b, "<p class=\"error\">");
		html_text(&b, error);
		buf_puts(&b, "</p>");
	}
	if (web_auth_default_admin())
		buf_puts(&b, "<p class=\"warn\" id=\"default-password\">ActiveMQ's default "
			 "admin/admin login is on, from this host only.</p>");
	buf_puts(&b, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" "
		 "name=\"token\" value=\"");
	html_text(&b, token);
	buf_puts(&b, "\"><input type=\"hidden\" name=\"next\" value=\"");
	const char *next = web_arg(r, "next");
	html_text(&b, next_path(next ? next : web_field(r, "next")));
	buf_puts(&b, "\"><label>User <input name=\"user\" autocomplete=\"username\" "
		 "autofocus></label> <label>Password <input name=\"password\" type=\"password\" "
		 "autocomplete=\"current-password\"></label> <button>Log in</button></form>"
		 "</main></body></html>\n");
	return web_respond_buf(r, status, "text/html; charset=utf-8", &b);
}

int page_login(struct web_req *r)
{
	if (strcmp(r->method, "POST"))
		return form(r, 200, NULL);
	const char *token = web_field(r, "token");
	const char *cookie = MHD_lookup_connection_value(r->mc, MHD_COOKIE_KIND, LOGIN_COOKIE);
	if (!token || !cookie || !web_secret_equal(cookie, token)) {
		log_warn("web", "Refused a login post from %s without its form's token", r->peer);
		return form(r, 403, "The login form expired: log in again.");
	}
	const char *user = web_field(r, "user"), *password = web_field(r, "password");
	int64_t now = loop_now(broker.loop);
	/* After failures of this user from there, the check waits
	 * (throttle.h); page_login runs again when it wakes. */
	int64_t wait = web_throttle_wait(user, r->peer, now);
	if (wait > 0 && web_suspend_for(r, wait)) {
		r->resume = page_login;
		return MHD_YES;
	}
	const char *why = web_auth_check(user, password, r->loopback);
	if (why) {
		log_warn("web", "Web login failed for user [%s] from %s: %s", user ? user : "",
			 r->peer, why);
		web_throttle_failed(user, r->peer, now);
		return form(r, 401, "User name or password is invalid.");
	}
	web_throttle_passed(user, r->peer, now);
	struct web_session *s = web_session_new(user, now);
	if (!s)
		return web_text(r, 500, "cannot open a session");
	log_info("web", "%s logged in to the web console from %s", user, r->peer);
	web_set_session_cookie(r, s);
	return web_redirect(r, next_path(web_field(r, "next")));
}

int page_logout(struct web_req *r)
{
	if (r->session && !r->session->basic)
		web_session_end(r->session);
	r->session = NULL;
	web_set_session_cookie(r, NULL);
	return web_redirect(r, "/login");
}
