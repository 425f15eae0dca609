/*
 * page_queues.c - /queues (the queues with their counts, a page at a
 * time (paging.h), and purge, delete, create) and a queue's messages: /queue?name=Q (browse, with
 * delete, move and, on a dead letter queue, retry) and /message?queue=Q&id=ID
 * (one message's headers and body). Every action is a POST with the
 * session's CSRF token, done through the model's operations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "paging.h"
#include "query.h"

#define BODY_PREVIEW 120

/* <a href="/queue?name=NAME">TEXT</a> */
static void link_queue(struct buf *b, const char *name, const char *text)
{
	struct buf url = BUF_INIT;
	buf_puts(&url, "/queue?name=");
	url_text(&url, name);
	buf_puts(b, "<a href=\"");
	html_textn(b, buf_data(&url), buf_len(&url));
	buf_free(&url);
	buf_puts(b, "\">");
	html_text(b, text);
	buf_puts(b, "</a>");
}

int page_queues(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Queues");
	json_t *config = paging_config(r, "Name");
	struct jolokia_page page;
	json_t *rows = query_page("Name,QueueSize,ConsumerCount,EnqueueCount,DequeueCount", config,
				  &page, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
				  "destinationType=Queue,destinationName=*", model_broker_name());
	paging_nav(&b, r, "/queues", "Name", &page);
	buf_printf(&b, "<table id=\"queues\" data-refresh=\"" MODEL_DOMAIN ":type=Broker,"
		   "brokerName=%s,destinationType=Queue,destinationName=*\"", model_broker_name());
	paging_refresh_attrs(&b, config);
	json_decref(config);
	buf_puts(&b, "><tr><th>Name</th><th>Size</th><th>Consumers</th><th>Enqueued</th>"
		 "<th>Dequeued</th><th>Actions</th></tr>");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *name = json_string_value(json_object_get(row, "Name"));
		buf_puts(&b, "<tr data-mbean=\"");
		html_value(&b, json_object_get(row, "_name"));
		buf_puts(&b, "\"><td>");
		link_queue(&b, name, name);
		buf_puts(&b, "</td>");
		static const char *const counts[] = {
			"QueueSize", "ConsumerCount", "EnqueueCount", "DequeueCount",
		};
		for (size_t k = 0; k < 4; k++) {
			buf_printf(&b, "<td data-attr=\"%s\">", counts[k]);
			html_value(&b, json_object_get(row, counts[k]));
			buf_puts(&b, "</td>");
		}
		buf_puts(&b, "<td class=\"actions\">");
		link_queue(&b, name, "Browse");
		buf_puts(&b, " <a href=\"/send?type=queue&amp;dest=");
		struct buf url = BUF_INIT;
		url_text(&url, name);
		html_textn(&b, buf_data(&url), buf_len(&url));
		buf_free(&url);
		buf_puts(&b, "\">Send</a> ");
		html_button(r, &b, "/queues/purge", "Purge", "Remove every message of this queue?",
			    "name", name, NULL);
		html_button(r, &b, "/queues/delete", "Delete", "Delete this queue and its messages?",
			    "name", name, NULL);
		buf_puts(&b, "</td></tr>\n");
	}
	if (!json_array_size(rows))
		buf_puts(&b, page.next[0] ? "<tr><td colspan=\"6\">none in this part of the "
			 "list: Next looks further</td></tr>" : "<tr><td colspan=\"6\">no queues</td></tr>");
	buf_puts(&b, "</table>\n");
	paging_nav(&b, r, "/queues", NULL, &page);
	buf_puts(&b, "<h2>New queue</h2>");
	html_form(r, &b, "/queues/create");
	buf_puts(&b, "<label>Name <input name=\"name\" required></label> <button>Create</button>"
		 "</form>\n");
	json_decref(rows);
	return html_end(r, &b);
}

/* Runs op on the broker or on the named queue, then goes back. */
static int queue_action(struct web_req *r, const char *op, bool on_broker, const char *done)
{
	const char *name = web_field(r, "name");
	if (!name || !*name)
		return html_failed(r, "/queues", "No queue named");
	char mbean[MOBJ_NAME_MAX * 2], err[512];
	if (on_broker)
		query_broker_name(mbean, sizeof mbean);
	else
		query_dest_name(mbean, sizeof mbean, "Queue", name);
	json_t *args = on_broker ? json_pack("[s]", name) : json_array();
	if (query_exec(r, mbean, op, args, NULL, err, sizeof err) < 0)
		return html_failed(r, "/queues", "%s %s: %s", op, name, err);
	return html_done(r, "/queues", "%s %s", done, name);
}

int page_queue_purge(struct web_req *r) { return queue_action(r, "purge", false, "Purged"); }
int page_queue_delete(struct web_req *r) { return queue_action(r, "removeQueue", true, "Deleted"); }
int page_queue_create(struct web_req *r) { return queue_action(r, "addQueue", true, "Created"); }

/* The queue's first messages (browse), a new reference; NULL with err. */
static json_t *browse(struct web_req *r, const char *queue, char *err, size_t errlen)
{
	char mbean[MOBJ_NAME_MAX * 2];
	query_dest_name(mbean, sizeof mbean, "Queue", queue);
	json_t *list = NULL;
	if (query_exec(r, mbean, "browse", NULL, &list, err, errlen) < 0)
		return NULL;
	return list;
}

static void message_link(struct buf *b, const char *queue, const char *id, const char *text)
{
	struct buf url = BUF_INIT;
	buf_puts(&url, "/message?queue=");
	url_text(&url, queue);
	buf_puts(&url, "&id=");
	url_text(&url, id);
	buf_puts(b, "<a href=\"");
	html_textn(b, buf_data(&url), buf_len(&url));
	buf_puts(b, "\">");
	html_text(b, text);
	buf_puts(b, "</a>");
	buf_free(&url);
}

static void message_actions(struct web_req *r, struct buf *b, const char *queue, const char *id)
{
	html_button(r, b, "/message/delete", "Delete", "Delete this message?", "queue", queue,
		    "id", id, NULL);
	html_form(r, b, "/message/move");
	buf_puts(b, "<input type=\"hidden\" name=\"queue\" value=\"");
	html_text(b, queue);
	buf_puts(b, "\"><input type=\"hidden\" name=\"id\" value=\"");
	html_text(b, id);
	buf_puts(b, "\"><input name=\"to\" placeholder=\"to queue\" required size=\"12\"> "
		 "<button>Move</button></form>");
}

int page_queue(struct web_req *r)
{
	const char *name = web_arg(r, "name");
	if (!name)
		return html_failed(r, "/queues", "Which queue? (/queue?name=...)");
	char err[512];
	json_t *list = browse(r, name, err, sizeof err);
	if (!list)
		return html_failed(r, "/queues", "%s: %s", name, err);
	struct buf b = BUF_INIT;
	char title[600];
	snprintf(title, sizeof title, "Queue %s", name);
	html_begin(r, &b, title);
	char mbean[MOBJ_NAME_MAX * 2];
	query_dest_name(mbean, sizeof mbean, "Queue", name);
	json_t *size = query_attr(mbean, "QueueSize");
	buf_puts(&b, "<p>Messages: <span id=\"size\">");
	html_value(&b, size);
	buf_printf(&b, "</span> (the first %zu shown)</p>", json_array_size(list));
	json_decref(size);
	if (strstr(name, "DLQ"))
		html_button(r, &b, "/queue/retry", "Retry all", "Send every message back to where "
			    "it came from?", "queue", name, NULL);
	buf_puts(&b, "<div class=\"chart\" data-chart=\"queue\" data-mbean=\"");
	html_text(&b, mbean);
	buf_puts(&b, "\"></div><table id=\"messages\"><tr><th>Message id</th><th>Priority</th>"
		 "<th>Persistent</th><th>Redelivered</th><th>Headers</th><th>Body</th>"
		 "<th>Actions</th></tr>\n");
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		const char *id = json_string_value(json_object_get(m, "JMSMessageID"));
		json_t *text = json_object_get(m, "Text");
		buf_puts(&b, "<tr><td>");
		message_link(&b, name, id ? id : "", id ? id : "");
		buf_puts(&b, "</td>");
		html_cell(&b, json_object_get(m, "JMSPriority"));
		html_cell(&b, json_object_get(m, "JMSDeliveryMode"));
		html_cell(&b, json_object_get(m, "JMSRedelivered"));
		html_cell(&b, json_object_get(m, "PropertiesText"));
		buf_puts(&b, "<td class=\"body\">");
		size_t len = json_string_length(text);
		html_textn(&b, json_string_value(text) ? json_string_value(text) : "",
			   len > BODY_PREVIEW ? BODY_PREVIEW : len);
		buf_puts(&b, len > BODY_PREVIEW ? "&hellip;</td><td class=\"actions\">"
			 : "</td><td class=\"actions\">");
		message_actions(r, &b, name, id ? id : "");
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</table>\n");
	json_decref(list);
	return html_end(r, &b);
}

int page_message(struct web_req *r)
{
	const char *queue = web_arg(r, "queue"), *id = web_arg(r, "id");
	if (!queue || !id)
		return html_failed(r, "/queues", "Which message? (/message?queue=...&id=...)");
	char err[512];
	json_t *list = browse(r, queue, err, sizeof err);
	if (!list)
		return html_failed(r, "/queues", "%s: %s", queue, err);
	json_t *m = NULL, *one;
	size_t i;
	json_array_foreach(list, i, one)
		if (!m && !strcmp(id, json_string_value(json_object_get(one, "JMSMessageID")) ?: ""))
			m = one;
	if (!m) {
		json_decref(list);
		struct buf to = BUF_INIT;
		buf_puts(&to, "/queue?name=");
		url_text(&to, queue);
		buf_append(&to, "", 1);
		int rc = html_failed(r, buf_data(&to), "No message %s among the first of %s "
				     "(consumed, or further back)", id, queue);
		buf_free(&to);
		return rc;
	}
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Message");
	buf_puts(&b, "<p>In queue ");
	link_queue(&b, queue, queue);
	buf_puts(&b, "</p><table class=\"facts\" id=\"message\">");
	static const char *const attrs[] = {
		"JMSMessageID", "JMSDestination", "JMSPriority", "JMSTimestamp", "JMSExpiration",
		"JMSDeliveryMode", "JMSRedelivered",
	};
	for (size_t k = 0; k < sizeof attrs / sizeof *attrs; k++) {
		buf_printf(&b, "<tr><th>%s</th>", attrs[k]);
		if (html_is_time(attrs[k]))
			html_time_cell(&b, json_object_get(m, attrs[k]));
		else
			html_cell(&b, json_object_get(m, attrs[k]));
		buf_puts(&b, "</tr>");
	}
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(m, "StringProperties"), key, v) {
		buf_puts(&b, "<tr><th>");
		html_text(&b, key);
		buf_puts(&b, "</th>");
		html_cell(&b, v);
		buf_puts(&b, "</tr>");
	}
	buf_puts(&b, "</table><h2>Body</h2><pre id=\"body\">");
	html_value(&b, json_object_get(m, "Text"));
	buf_puts(&b, "</pre><p class=\"actions\">");
	message_actions(r, &b, queue, id);
	buf_puts(&b, "</p>\n");
	json_decref(list);
	return html_end(r, &b);
}

/* Back to the queue's page. */
static int to_queue(struct web_req *r, const char *queue, bool ok, const char *fmt,
		    const char *a, const char *c)
{
	struct buf to = BUF_INIT;
	buf_puts(&to, "/queue?name=");
	url_text(&to, queue);
	buf_append(&to, "", 1);
	int rc = ok ? html_done(r, buf_data(&to), fmt, a, c)
		    : html_failed(r, buf_data(&to), fmt, a, c);
	buf_free(&to);
	return rc;
}

static int message_op(struct web_req *r, const char *op)
{
	const char *queue = web_field(r, "queue"), *id = web_field(r, "id");
	const char *to = web_field(r, "to");
	if (!queue || !id || (!strcmp(op, "moveMessageTo") && (!to || !*to)))
		return html_failed(r, "/queues", "The form lacks a queue, a message id or a target");
	char mbean[MOBJ_NAME_MAX * 2], err[512];
	query_dest_name(mbean, sizeof mbean, "Queue", queue);
	json_t *args = to && !strcmp(op, "moveMessageTo") ? json_pack("[s,s]", id, to)
							   : json_pack("[s]", id);
	json_t *v = NULL;
	if (query_exec(r, mbean, op, args, &v, err, sizeof err) < 0)
		return to_queue(r, queue, false, "%s: %s", id, err);
	bool ok = !json_is_false(v);
	json_decref(v);
	if (!ok)
		return to_queue(r, queue, false, "%s: no such message (consumed already?)%s", id, "");
	return to_queue(r, queue, true, "%s %s", strcmp(op, "removeMessage") ? "Moved" : "Deleted",
			id);
}

int page_message_delete(struct web_req *r) { return message_op(r, "removeMessage"); }
int page_message_move(struct web_req *r) { return message_op(r, "moveMessageTo"); }

int page_queue_retry(struct web_req *r)
{
	const char *queue = web_field(r, "queue");
	if (!queue)
		return html_failed(r, "/queues", "Which queue?");
	char mbean[MOBJ_NAME_MAX * 2], err[512];
	query_dest_name(mbean, sizeof mbean, "Queue", queue);
	json_t *v = NULL;
	if (query_exec(r, mbean, "retryMessages", NULL, &v, err, sizeof err) < 0)
		return to_queue(r, queue, false, "%s: %s", "Retry", err);
	char n[32];
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
	json_decref(v);
	return to_queue(r, queue, true, "%s message(s) sent back%s", n, "");
}
