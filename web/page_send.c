/*
 * page_send.c - /send: a form for one message (destination, queue or
 * topic, headers as "name: value" lines, persistent, priority, body),
 * sent through the broker core as the REST API sends.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "broker.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "send.h"

#define HEADERS_MAX 64

static void field(struct buf *b, const char *label, const char *name, const char *value)
{
	buf_printf(b, "<label>%s <input name=\"%s\" value=\"", label, name);
	html_text(b, value);
	buf_puts(b, "\"></label>");
}

static int form(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Send a message");
	const char *type = web_arg(r, "type");
	bool topic = type && !strcmp(type, "topic");
	html_form(r, &b, "/send");
	buf_printf(&b, "<p><label>Type <select name=\"type\"><option value=\"queue\"%s>queue</option>"
		   "<option value=\"topic\"%s>topic</option></select></label> ",
		   topic ? "" : " selected", topic ? " selected" : "");
	const char *dest = web_arg(r, "dest");
	field(&b, "Destination", "dest", dest ? dest : "");
	buf_puts(&b, "</p><p><label><input type=\"checkbox\" name=\"persistent\" value=\"true\" "
		 "checked> persistent</label> ");
	field(&b, "Priority", "priority", "4");
	buf_puts(&b, "</p><p><label>Headers, one \"name: value\" a line<br><textarea "
		 "name=\"headers\" rows=\"4\" cols=\"60\"></textarea></label></p><p><label>Body<br>"
		 "<textarea name=\"body\" rows=\"10\" cols=\"60\"></textarea></label></p>"
		 "<p><button>Send</button></p></form>\n");
	return html_end(r, &b);
}

/* "name: value" lines into headers; -1 with the line at fault. */
static int parse_headers(const char *text, struct header *h, size_t *n, const char **bad)
{
	*n = 0;
	for (const char *p = text ? text : ""; *p; ) {
		size_t len = strcspn(p, "\r\n");
		const char *colon = memchr(p, ':', len);
		if (len && (!colon || colon == p || *n == HEADERS_MAX)) {
			*bad = p;
			return -1;
		}
		if (len) {
			const char *v = colon + 1;
			while (*v == ' ' && v < p + len)
				v++;
			h[*n].name = strndup(p, (size_t)(colon - p));
			h[*n].value = strndup(v, (size_t)(p + len - v));
			(*n)++;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return 0;
}

int page_send(struct web_req *r)
{
	if (strcmp(r->method, "POST"))
		return form(r);
	const char *type = web_field(r, "type"), *dest = web_field(r, "dest");
	const char *prio = web_field(r, "priority");
	if (!dest || !*dest || strlen(dest) > 512 || strpbrk(dest, "*>"))
		return html_failed(r, "/send", "The destination is 1 to 512 characters, no wildcards");
	long p = prio && *prio ? strtol(prio, NULL, 10) : MSG_PRIORITY_DEFAULT;
	if (p < 0 || p > MSG_PRIORITY_MAX)
		return html_failed(r, "/send", "The priority is from 0 to 9");
	if (!broker_serving())
		return html_failed(r, "/send", "This node is a slave: send to the master");
	struct header *h = calloc(HEADERS_MAX, sizeof *h);
	size_t n = 0;
	const char *bad = NULL;
	if (!h || parse_headers(web_field(r, "headers"), h, &n, &bad) < 0) {
		headers_free(h, n);
		return html_failed(r, "/send", "A header line is not \"name: value\" (at most %d): %.60s",
				   HEADERS_MAX, bad ? bad : "");
	}
	json_t *body = json_object_get(web_form(r), "body");
	enum dest_type t = type && !strcmp(type, "topic") ? DEST_TOPIC : DEST_QUEUE;
	struct message *m = web_message_new(t, dest, h, n, json_string_value(body) ?: "",
					    json_string_length(body));
	if (!m)
		return html_failed(r, "/send", "out of memory");
	const char *pers = web_field(r, "persistent");
	m->persistent = pers && !strcmp(pers, "true");
	m->priority = (uint8_t)p;
	char err[512], id[256];
	snprintf(id, sizeof id, "%s", m->id);
	struct authz_who who;
	web_auth_who(r->user, r->peer, &who);
	if (web_message_send(m, &who, err, sizeof err) < 0)
		return html_failed(r, "/send", "Not sent: %s", err);
	return html_done(r, "/send", "Sent %s to %s://%s", id, dest_type_name(t), dest);
}
