/*
 * page_send.c - /send: a form for one message (destination, queue or
 * topic, headers as "name: value" lines, persistent, priority, body),
 * sent through the broker core as the REST API sends.
 *
 * A form that cannot be sent (a priority of "urgent", a wildcard
 * destination, a bad header line, a slave) comes back with the error
 * above it and every value the user typed still in it: nothing is sent
 * with a value guessed in its place. On a slave the form links to the
 * master's own send form, found from the lock's holder and the pair's
 * roster of consoles.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "broker.h"
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "query.h"
#include "send.h"

#define HEADERS_MAX 64
#define DEST_MAX 512

/* What the form holds: the request's values (a GET's arguments, a
 * POST's fields), or the defaults. */
struct send_form {
	const char *type, *dest, *priority, *headers, *body;
	bool persistent;
};

static void form_values(struct web_req *r, struct send_form *f)
{
	bool post = !strcmp(r->method, "POST");
	const char *(*get)(struct web_req *, const char *) = post ? web_field : web_arg;
	f->type = get(r, "type");
	f->dest = get(r, "dest");
	f->priority = get(r, "priority");
	f->headers = get(r, "headers");
	f->body = get(r, "body");
	/* An unticked box sends nothing: only a GET's form starts ticked. */
	f->persistent = post ? web_field(r, "persistent") != NULL : true;
}

static void field(struct buf *b, const char *label, const char *name, const char *value,
		  const char *extra)
{
	buf_printf(b, "<label>%s <input name=\"%s\" %s value=\"", label, name, extra);
	html_text(b, value);
	buf_puts(b, "\"></label>");
}

/* The master's console URL, as the pair's roster of consoles has it
 * (a new string), or NULL: the lock file names its holder first,
 * "NAME on HOST ...", a lease by its leaseHolderId alone. */
static char *master_console(void)
{
	if (!broker.cfg->persistent)
		return NULL;
	char mbean[MOBJ_NAME_MAX];
	snprintf(mbean, sizeof mbean, MODEL_DOMAIN ":type=Broker,brokerName=%s,service=Locker",
		 model_broker_name());
	json_t *holder = query_attr(mbean, "Holder");
	json_t *consoles = model_roster_read_from(broker.cfg, "web");
	const char *h = json_string_value(holder), *name;
	json_t *url;
	char *found = NULL;
	json_object_foreach(consoles, name, url) {
		size_t n = strlen(name);
		const char *u = json_string_value(url);
		if (h && !strncmp(h, name, n) && (h[n] == ' ' || !h[n]) && u && !strncmp(u, "http", 4))
			found = strdup(u);
	}
	json_decref(holder);
	json_decref(consoles);
	return found;
}

/* On a slave: where to send instead, with the form's destination. */
static void slave_note(struct buf *b, const struct send_form *f)
{
	char *url = master_console();
	buf_puts(b, "<p class=\"warn\" id=\"send-slave\">A slave sends nothing: ");
	if (!url) {
		buf_puts(b, "its master is not known here (see <a href=\"/ha\">HA</a>).</p>\n");
		return;
	}
	struct buf to = BUF_INIT;
	buf_puts(&to, url);
	buf_puts(&to, buf_len(&to) && url[strlen(url) - 1] == '/' ? "send" : "/send");
	buf_puts(&to, "?type=");
	url_text(&to, f->type && !strcmp(f->type, "topic") ? "topic" : "queue");
	buf_puts(&to, "&dest=");
	url_text(&to, f->dest ? f->dest : "");
	buf_puts(b, "send on the master&#39;s console: <a id=\"master-send\" href=\"");
	html_textn(b, buf_data(&to), buf_len(&to));
	buf_puts(b, "\">");
	html_text(b, url);
	buf_puts(b, "</a></p>\n");
	buf_free(&to);
	free(url);
}

/* The form, holding f's values, under the error that sent it back
 * (NULL: none). */
static int form(struct web_req *r, const struct send_form *f, const char *error)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Send a message");
	if (error) {
		buf_puts(&b, "<p class=\"error\" id=\"send-error\">Not sent: ");
		html_text(&b, error);
		buf_puts(&b, "</p>\n");
	}
	if (!broker_serving())
		slave_note(&b, f);
	bool topic = f->type && !strcmp(f->type, "topic");
	html_form(r, &b, "/send");
	buf_printf(&b, "<p><label>Type <select name=\"type\"><option value=\"queue\"%s>queue</option>"
		   "<option value=\"topic\"%s>topic</option></select></label> ",
		   topic ? "" : " selected", topic ? " selected" : "");
	field(&b, "Destination", "dest", f->dest ? f->dest : "", "required");
	buf_printf(&b, "</p><p><label><input type=\"checkbox\" name=\"persistent\" value=\"true\"%s>"
		   " persistent</label> ", f->persistent ? " checked" : "");
	field(&b, "Priority", "priority", f->priority ? f->priority : "4",
	      "size=\"2\" inputmode=\"numeric\" title=\"0 (lowest) to 9 (highest)\"");
	buf_puts(&b, "</p><p><label>Headers, one \"name: value\" a line<br><textarea "
		 "name=\"headers\" rows=\"4\" cols=\"60\">");
	html_text(&b, f->headers);
	buf_puts(&b, "</textarea></label></p><p><label>Body<br><textarea name=\"body\" rows=\"10\" "
		 "cols=\"60\">");
	html_text(&b, f->body);
	buf_puts(&b, "</textarea></label></p><p><button>Send</button></p></form>\n");
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

/* The priority field: empty for the default, else one digit 0-9 (a
 * "urgent" read as a number would be 0, the lowest); -1 when neither. */
static int parse_priority(const char *text)
{
	text = text ? text + strspn(text, " ") : "";
	size_t len = strcspn(text, " ");
	if (text[len + strspn(text + len, " ")])
		return -1;	/* more than one word */
	if (!len)
		return MSG_PRIORITY_DEFAULT;
	if (len != 1 || text[0] < '0' || text[0] > '0' + MSG_PRIORITY_MAX)
		return -1;
	return text[0] - '0';
}

/* Why the form cannot be sent as it is, or NULL. */
static const char *form_error(const struct send_form *f, int priority)
{
	if (f->type && strcmp(f->type, "queue") && strcmp(f->type, "topic"))
		return "the type is queue or topic";
	if (!f->dest || !*f->dest || strlen(f->dest) > DEST_MAX || strpbrk(f->dest, "*>"))
		return "the destination is 1 to 512 characters, with no wildcards (* or >)";
	if (priority < 0)
		return "the priority is a number from 0 (lowest) to 9 (highest), or empty for 4";
	if (!broker_serving())
		return "this node is a slave";
	return NULL;
}

int page_send(struct web_req *r)
{
	struct send_form f;
	form_values(r, &f);
	if (strcmp(r->method, "POST"))
		return form(r, &f, NULL);
	int p = parse_priority(f.priority);
	const char *why = form_error(&f, p);
	if (why)
		return form(r, &f, why);
	struct header *h = calloc(HEADERS_MAX, sizeof *h);
	size_t n = 0;
	const char *bad = NULL;
	if (!h || parse_headers(f.headers, h, &n, &bad) < 0) {
		headers_free(h, n);
		char text[160];
		snprintf(text, sizeof text, "a header line is not \"name: value\" (at most %d "
			 "lines): %.60s", HEADERS_MAX, bad ? bad : "");
		return form(r, &f, text);
	}
	json_t *body = json_object_get(web_form(r), "body");
	enum dest_type t = f.type && !strcmp(f.type, "topic") ? DEST_TOPIC : DEST_QUEUE;
	struct message *m = web_message_new(t, f.dest, h, n, json_string_value(body) ?: "",
					    json_string_length(body));
	if (!m)
		return form(r, &f, "out of memory");
	m->persistent = f.persistent;
	m->priority = (uint8_t)p;
	char err[512], id[256];
	snprintf(id, sizeof id, "%s", m->id);
	struct authz_who who;
	web_auth_who(r->user, r->peer, &who);
	if (web_message_send(m, &who, err, sizeof err) < 0)
		return form(r, &f, err);
	return html_done(r, "/send", "Sent %s to %s://%s", id, dest_type_name(t), f.dest);
}
