/*
 * html.c - escaping and the frame of the console's pages (see html.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "broker.h"
#include "config.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "session.h"
#include "version.h"

void html_textn(struct buf *b, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = "\xef\xbf\xbd"; break;
		default: continue;
		}
		buf_append(b, s + from, i - from);
		buf_puts(b, rep);
		from = i + 1;
	}
	buf_append(b, s + from, n - from);
}

void html_text(struct buf *b, const char *s)
{
	if (s)
		html_textn(b, s, strlen(s));
}

void html_value(struct buf *b, json_t *v)
{
	if (json_is_string(v)) {
		html_textn(b, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		buf_printf(b, "%.2f", json_real_value(v));
	} else if (json_is_boolean(v)) {
		buf_puts(b, json_is_true(v) ? "yes" : "no");
	} else if (v && !json_is_null(v)) {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		html_text(b, text);
		free(text);
	}
}

void html_cell(struct buf *b, json_t *v)
{
	buf_puts(b, "<td>");
	html_value(b, v);
	buf_puts(b, "</td>");
}

bool html_is_time(const char *attr)
{
	size_t n = strlen(attr);
	return (n > 6 && !strcmp(attr + n - 6, "Millis")) || !strcmp(attr, "ConnectedSince") ||
	       !strcmp(attr, "JMSTimestamp") || !strcmp(attr, "JMSExpiration");
}

void html_time_text(struct buf *b, long long ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char text[64];
	gmtime_r(&t, &tm);
	strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
	buf_printf(b, "%s.%03lldZ", text, ms % 1000);
}

void html_time_cell(struct buf *b, json_t *v)
{
	long long ms = json_integer_value(v);
	if (!json_is_integer(v) || ms <= 0) {
		buf_puts(b, json_is_integer(v) ? "<td>-</td>" : "<td></td>");
		return;
	}
	buf_printf(b, "<td title=\"%lld\">", ms);
	html_time_text(b, ms);
	buf_puts(b, "</td>");
}

void html_rows(struct buf *b, const char *id, json_t *rows, const struct html_col *cols,
	       size_t ncols, const char *none)
{
	buf_printf(b, "<table id=\"%s\"><tr>", id);
	for (size_t k = 0; k < ncols; k++)
		buf_printf(b, "<th>%s</th>", cols[k].heading);
	buf_puts(b, "</tr>\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		buf_puts(b, "<tr>");
		for (size_t k = 0; k < ncols; k++) {
			json_t *v = json_object_get(row, cols[k].attr);
			if (html_is_time(cols[k].attr))
				html_time_cell(b, v);
			else
				html_cell(b, v);
		}
		buf_puts(b, "</tr>\n");
	}
	if (!json_array_size(rows))
		buf_printf(b, "<tr><td colspan=\"%zu\">%s</td></tr>", ncols, none);
	buf_puts(b, "</table>\n");
}

void url_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c))
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

static const struct {
	const char *path, *label;
} nav[] = {
	{ "/", "Overview" }, { "/queues", "Queues" }, { "/topics", "Topics" },
	{ "/subscribers", "Subscribers" }, { "/connections", "Connections" },
	{ "/network", "Network" }, { "/ha", "HA" }, { "/cluster", "Cluster" },
	{ "/send", "Send" },
};

void html_begin(struct web_req *r, struct buf *b, const char *title)
{
	const char *name = broker.cfg->broker_name;
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		 "<link rel=\"stylesheet\" href=\"/static/console.css\">"
		 "<script src=\"/static/console.js\" defer></script>");
	/* issue 21: phones, history charts, the queues' highlights */
	buf_puts(b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		 "<link rel=\"stylesheet\" href=\"/static/layout.css\">"
		 "<script src=\"/static/charts.js\" defer></script>"
		 "<script src=\"/static/queues.js\" defer></script><title>");
	html_text(b, title);
	buf_puts(b, " - ");
	html_text(b, name);
	buf_puts(b, "</title></head><body data-broker=\"" MODEL_DOMAIN ":type=Broker,brokerName=");
	html_text(b, model_broker_name());
	buf_puts(b, "\"><header><span class=\"brand\">Tandem</span> <b>");
	html_text(b, name);
	/* data-live: the script puts the role in place as it changes */
	buf_printf(b, "</b> <span id=\"role\" data-live><span class=\"role %s\">%s</span></span><nav>",
		   broker_serving() ? "master" : "slave", broker_serving() ? "master" : "slave");
	for (size_t i = 0; i < sizeof nav / sizeof *nav; i++)
		buf_printf(b, "<a href=\"%s\"%s>%s</a> ", nav[i].path,
			   !strcmp(r->path, nav[i].path) ? " class=\"here\"" : "", nav[i].label);
	buf_puts(b, "</nav><span class=\"user\">");
	html_text(b, r->user);
	buf_puts(b, " ");
	html_form(r, b, "/logout");
	buf_puts(b, "<button>Log out</button></form></span></header>\n");
	if (web_auth_default_admin())
		buf_puts(b, "<p class=\"warn\" id=\"default-password\">ActiveMQ's default "
			 "admin/admin login is still on (it is only taken from this host): give "
			 "the console users of its own (jetty-realm.properties, or the broker's "
			 "users).</p>\n");
	if (!broker_serving())
		buf_puts(b, "<p class=\"warn\" id=\"slave\">This node is a <b>slave</b>: it waits "
			 "for its store's lock (see <a href=\"/ha\">HA</a>) and serves no "
			 "clients. Its console shows what it knows.</p>\n");
	const char *done = web_arg(r, "done"), *error = web_arg(r, "error");
	if (done) {
		buf_puts(b, "<p class=\"done\">");
		html_text(b, done);
		buf_puts(b, "</p>\n");
	}
	if (error) {
		buf_puts(b, "<p class=\"error\">");
		html_text(b, error);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<main><h1>");
	html_text(b, title);
	buf_puts(b, "</h1>\n");
}

int html_end(struct web_req *r, struct buf *b)
{
	buf_printf(b, "</main><footer>Tandem %s</footer></body></html>\n", TANDEM_VERSION);
	return web_respond_buf(r, 200, "text/html; charset=utf-8", b);
}

void html_form(struct web_req *r, struct buf *b, const char *action)
{
	buf_puts(b, "<form method=\"post\" action=\"");
	html_text(b, action);
	buf_puts(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, r->session ? r->session->csrf : "");
	buf_puts(b, "\">");
}

void html_button(struct web_req *r, struct buf *b, const char *action, const char *label,
		 const char *confirm, ...)
{
	html_form(r, b, action);
	va_list ap;
	va_start(ap, confirm);
	const char *name;
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		buf_puts(b, "<input type=\"hidden\" name=\"");
		html_text(b, name);
		buf_puts(b, "\" value=\"");
		html_text(b, value);
		buf_puts(b, "\">");
	}
	va_end(ap);
	buf_puts(b, "<button");
	if (confirm) {
		buf_puts(b, " data-confirm=\"");
		html_text(b, confirm);
		buf_puts(b, "\"");
	}
	buf_puts(b, ">");
	html_text(b, label);
	buf_puts(b, "</button></form>");
}

static int back(struct web_req *r, const char *to, const char *key, const char *fmt, va_list ap)
{
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	struct buf b = BUF_INIT;
	/* Only ever a path of this console. */
	buf_puts(&b, to[0] == '/' && to[1] != '/' ? to : "/");
	buf_printf(&b, "%s%s=", strchr(to, '?') ? "&" : "?", key);
	url_text(&b, text);
	buf_append(&b, "", 1);
	int rc = web_redirect(r, buf_data(&b));
	buf_free(&b);
	return rc;
}

int html_done(struct web_req *r, const char *to, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = back(r, to, "done", fmt, ap);
	va_end(ap);
	return rc;
}

int html_failed(struct web_req *r, const char *to, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = back(r, to, "error", fmt, ap);
	va_end(ap);
	return rc;
}
