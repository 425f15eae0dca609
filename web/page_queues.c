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
#include "loop.h"
#include "model.h"
#include "paging.h"
#include "query.h"

#define BODY_PREVIEW 120
#define BROWSE_PAGE 50

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

/* The confirmation a destructive button asks, naming what it acts on:
 * before NAME after, NUL-terminated in t. */
static const char *confirm_text(struct buf *t, const char *before, const char *name,
				const char *after)
{
	buf_puts(t, before);
	buf_puts(t, name);
	buf_puts(t, after);
	buf_append(t, "", 1);
	return buf_data(t);
}

/* Purge and delete of one queue; back_here: purge comes back to the
 * queue's own page. */
static void queue_buttons(struct web_req *r, struct buf *b, const char *name, bool back_here)
{
	struct buf t = BUF_INIT;
	html_button(r, b, "/queues/purge", "Purge",
		    confirm_text(&t, "Remove every message of queue ", name, "?"),
		    "name", name, "back", back_here ? "queue" : "", NULL);
	buf_reset(&t);
	html_button(r, b, "/queues/delete", "Delete",
		    confirm_text(&t, "Delete queue ", name, " and every message in it?"),
		    "name", name, NULL);
	buf_free(&t);
}

static void send_link(struct buf *b, const char *name)
{
	struct buf url = BUF_INIT;
	buf_puts(&url, "/send?type=queue&dest=");
	url_text(&url, name);
	buf_puts(b, "<a href=\"");
	html_textn(b, buf_data(&url), buf_len(&url));
	buf_puts(b, "\">Send</a> ");
	buf_free(&url);
}

/* The columns of /queues; `sort`: numbers sort largest first. */
static const struct queue_col {
	const char *attr, *heading;
} queue_cols[] = {
	{ "QueueSize", "Size" }, { "ConsumerCount", "Consumers" },
	{ "ProducerCount", "Producers" }, { "EnqueueCount", "Enqueued" },
	{ "DequeueCount", "Dequeued" }, { "MemoryPercentUsage", "Memory %" },
	{ "BlockedProducers", "Blocked" },
};
#define NCOLS (sizeof queue_cols / sizeof *queue_cols)
#define QUEUE_ATTRS "Name,QueueSize,ConsumerCount,ProducerCount,EnqueueCount,DequeueCount," \
	"MemoryPercentUsage,BlockedProducers"

/* The ?sort= of the request when it names a column ("-" first for
 * descending), else NULL: name order, the model's own. */
static const char *queues_sort(struct web_req *r)
{
	const char *sort = web_arg(r, "sort");
	if (!sort)
		return NULL;
	const char *attr = sort + (*sort == '-');
	if (!strcmp(attr, "Name"))
		return sort;
	for (size_t k = 0; k < NCOLS; k++)
		if (!strcmp(attr, queue_cols[k].attr))
			return sort;
	return NULL;
}

/* /queues?sort=S&offset=N&filter=F as an attribute value. */
static void queues_link(struct buf *b, struct web_req *r, const char *sort, long long offset)
{
	char off[24] = "";
	if (offset > 0)
		snprintf(off, sizeof off, "%lld", offset);
	const struct paging_arg args[] = {
		{ "sort", sort }, { "offset", off }, { "filter", web_arg(r, "filter") },
	};
	paging_href(b, "/queues", args, 3);
}

/* A column's heading, a link that sorts by it: numbers largest first,
 * then, clicked again, smallest first; names A to Z, then Z to A. */
static void sort_heading(struct buf *b, struct web_req *r, const char *attr, const char *heading,
			 const char *sort)
{
	bool name = !strcmp(attr, "Name");
	bool on = sort && !strcmp(sort + (*sort == '-'), attr);
	bool desc = on && *sort == '-';
	if (name && !sort)
		on = true;	/* the model's order */
	char next[64];
	if (name)
		snprintf(next, sizeof next, "%s", on && !desc ? "-Name" : "");
	else
		snprintf(next, sizeof next, "%s%s", on && desc ? "" : "-", attr);
	buf_printf(b, "<th%s%s", name ? "" : " class=\"num\"",
		   on ? desc ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"" : "");
	buf_puts(b, "><a class=\"sort\" href=\"");
	queues_link(b, r, next[0] ? next : NULL, 0);
	buf_printf(b, "\">%s%s</a></th>", heading, on ? desc ? " &#9660;" : " &#9650;" : "");
}

static long long count_of(json_t *row, const char *attr)
{
	return json_integer_value(json_object_get(row, attr));
}

/* What is wrong with a queue, as its row's class and its state cell:
 * messages waiting with no consumer (stuck), producers held by flow
 * control (blocked). */
static void queue_state(json_t *row, bool *stuck, bool *blocked)
{
	*stuck = count_of(row, "QueueSize") > 0 && count_of(row, "ConsumerCount") == 0;
	*blocked = count_of(row, "BlockedProducers") > 0;
}

static void queue_row(struct web_req *r, struct buf *b, json_t *row)
{
	const char *name = json_string_value(json_object_get(row, "Name"));
	bool stuck, blocked;
	queue_state(row, &stuck, &blocked);
	buf_puts(b, "<tr data-mbean=\"");
	html_value(b, json_object_get(row, "_name"));
	buf_printf(b, "\"%s%s%s%s><td>", stuck || blocked ? " class=\"" : "", stuck ? "stuck" : "",
		   stuck && blocked ? " blocked" : blocked ? "blocked" : "", stuck || blocked ? "\"" : "");
	link_queue(b, name, name);
	buf_puts(b, "</td>");
	for (size_t k = 0; k < NCOLS; k++) {
		buf_printf(b, "<td class=\"num\" data-attr=\"%s\">", queue_cols[k].attr);
		html_value(b, json_object_get(row, queue_cols[k].attr));
		buf_puts(b, "</td>");
	}
	buf_printf(b, "<td class=\"state\">%s%s%s</td><td class=\"actions\">",
		   stuck ? "stuck: no consumer" : "", stuck && blocked ? ", " : "",
		   blocked ? "producers blocked" : "");
	link_queue(b, name, "Browse");
	buf_puts(b, " ");
	send_link(b, name);
	queue_buttons(r, b, name, false);
	buf_puts(b, "</td></tr>\n");
}

/* A sorted page's links: first, previous and next, by offset. */
static void sorted_nav(struct buf *b, struct web_req *r, const char *sort, long long offset,
		       size_t shown, long long total)
{
	buf_printf(b, "<p class=\"paging\" id=\"sorted-paging\">Queues %lld to %lld of %lld ",
		   shown ? offset + 1 : offset, offset + (long long)shown, total);
	if (offset > 0) {
		buf_puts(b, "<a id=\"first-page\" href=\"");
		queues_link(b, r, sort, 0);
		buf_puts(b, "\">First page</a> ");
	}
	if (offset + (long long)shown < total) {
		buf_puts(b, "<a id=\"next-page\" rel=\"next\" href=\"");
		queues_link(b, r, sort, offset + PAGING_ROWS);
		buf_printf(b, "\">Next %d</a>", PAGING_ROWS);
	}
	buf_puts(b, "</p>\n");
}

/* A sorted read: the page by offset, and the filter as the pattern's
 * destinationName rather than a "where", so that a filter giving the
 * start of the names ("orders.*") seeks to them and the sort, which
 * looks at 2,000 queues at most, looks at those alone. */
static void sorted_config(json_t *config, const char *sort, long long offset, char *pattern,
			  size_t len)
{
	const char *glob = json_string_value(json_object_get(json_object_get(config, "where"),
							     "Name"));
	snprintf(pattern, len, MODEL_DOMAIN ":type=Broker,brokerName=%s,destinationType=Queue,"
		 "destinationName=%s", model_broker_name(), glob ? glob : "*");
	json_object_del(config, "where");
	json_object_del(config, "after");
	json_object_set_new(config, "sort", json_string(sort));
	json_object_set_new(config, "offset", json_integer(offset));
}

int page_queues(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Queues");
	json_t *config = paging_config(r, "Name");
	const char *sort = queues_sort(r);
	long long offset = 0;
	struct jolokia_page page;
	char pattern[MOBJ_NAME_MAX], sorted[MOBJ_NAME_MAX];
	snprintf(pattern, sizeof pattern, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
		 "destinationType=Queue,destinationName=*", model_broker_name());
	if (sort) {
		const char *o = web_arg(r, "offset");
		offset = o ? strtoll(o, NULL, 10) : 0;
		offset = offset < 0 ? 0 : offset;
		sorted_config(config, sort, offset, sorted, sizeof sorted);
	}
	json_t *rows = query_page(QUEUE_ATTRS, config, &page, "%s", sort ? sorted : pattern);
	if (sort && !json_array_size(rows) && query_error()[0]) {
		/* a sort takes every queue at once: past its bound, name order */
		buf_puts(&b, "<p class=\"warn\" id=\"sort-refused\">Not sorted: ");
		html_text(&b, query_error());
		buf_puts(&b, ". A filter that gives the start of the names (a glob such as "
			 "<code>orders.*</code>) lets a sort look at those alone.</p>\n");
		json_decref(rows);
		json_decref(config);
		config = paging_config(r, "Name");
		sort = NULL;
		rows = query_page(QUEUE_ATTRS, config, &page, "%s", pattern);
	}
	paging_nav(&b, r, "/queues", "Name", sort ? &(struct jolokia_page){ -1, "" } : &page);
	if (sort)
		sorted_nav(&b, r, sort, offset, json_array_size(rows), page.total);
	buf_puts(&b, "<table id=\"queues\" class=\"queues\" data-refresh=\"");
	html_text(&b, sort ? sorted : pattern);
	buf_puts(&b, "\"");
	paging_refresh_attrs(&b, config);
	json_decref(config);
	buf_puts(&b, "><tr>");
	sort_heading(&b, r, "Name", "Name", sort);
	for (size_t k = 0; k < NCOLS; k++)
		sort_heading(&b, r, queue_cols[k].attr, queue_cols[k].heading, sort);
	buf_puts(&b, "<th>State</th><th>Actions</th></tr>\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		queue_row(r, &b, row);
	if (!json_array_size(rows))
		buf_printf(&b, "<tr><td colspan=\"%zu\">%s</td></tr>", NCOLS + 3,
			   page.next[0] ? "none in this part of the list: Next looks further"
					: "no queues");
	buf_puts(&b, "</table>\n");
	if (!sort)
		paging_nav(&b, r, "/queues", NULL, &page);
	buf_puts(&b, "<p class=\"legend\"><span class=\"stuck\">stuck</span>: messages wait and no "
		 "consumer is attached; <span class=\"blocked\">blocked</span>: flow control holds "
		 "producers (memory at its limit). Click a heading to sort.</p>");
	buf_puts(&b, "<h2>New queue</h2>");
	html_form(r, &b, "/queues/create");
	buf_puts(&b, "<label>Name <input name=\"name\" required></label> <button>Create</button>"
		 "</form>\n");
	json_decref(rows);
	return html_end(r, &b);
}

/* Runs op on the broker or on the named queue, then goes back: to the
 * queue's own page when the form came from there (back=queue), else to
 * the list. A purge says how many messages went. */
static int queue_action(struct web_req *r, const char *op, bool on_broker, const char *done)
{
	const char *name = web_field(r, "name"), *back = web_field(r, "back");
	if (!name || !*name)
		return html_failed(r, "/queues", "No queue named");
	struct buf to = BUF_INIT;
	buf_puts(&to, "/queues");
	if (back && !strcmp(back, "queue") && !on_broker) {
		buf_reset(&to);
		buf_puts(&to, "/queue?name=");
		url_text(&to, name);
	}
	buf_append(&to, "", 1);
	char mbean[MOBJ_NAME_MAX * 2], err[512];
	if (on_broker)
		query_broker_name(mbean, sizeof mbean);
	else
		query_dest_name(mbean, sizeof mbean, "Queue", name);
	json_t *args = on_broker ? json_pack("[s]", name) : json_array();
	json_t *v = NULL;
	int rc;
	if (query_exec(r, mbean, op, args, &v, err, sizeof err) < 0)
		rc = html_failed(r, buf_data(&to), "%s %s: %s", op, name, err);
	else if (json_is_integer(v))
		rc = html_done(r, buf_data(&to), "%s %s (%lld message(s))", done, name,
			       (long long)json_integer_value(v));
	else
		rc = html_done(r, buf_data(&to), "%s %s", done, name);
	json_decref(v);
	buf_free(&to);
	return rc;
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
	struct buf t = BUF_INIT;
	buf_puts(&t, "Delete message ");
	buf_puts(&t, id);
	html_button(r, b, "/message/delete", "Delete", confirm_text(&t, " from queue ", queue, "?"),
		    "queue", queue, "id", id, NULL);
	buf_free(&t);
	html_form(r, b, "/message/move");
	buf_puts(b, "<input type=\"hidden\" name=\"queue\" value=\"");
	html_text(b, queue);
	buf_puts(b, "\"><input type=\"hidden\" name=\"id\" value=\"");
	html_text(b, id);
	buf_puts(b, "\"><input name=\"to\" placeholder=\"to queue\" required size=\"12\"> "
		 "<button>Move</button></form>");
}

/* "12s", "3m12s", "2h05m", "4d03h": how long ago ms (since the epoch). */
static void age_cell(struct buf *b, json_t *v)
{
	long long ms = json_integer_value(v);
	long long s = ms > 0 ? (wall_ms() - ms) / 1000 : -1;
	if (s < 0)
		buf_puts(b, ms > 0 ? "<td class=\"num\">0s</td>" : "<td class=\"num\">-</td>");
	else if (s < 60)
		buf_printf(b, "<td class=\"num\">%llds</td>", s);
	else if (s < 3600)
		buf_printf(b, "<td class=\"num\">%lldm%02llds</td>", s / 60, s % 60);
	else if (s < 86400)
		buf_printf(b, "<td class=\"num\">%lldh%02lldm</td>", s / 3600, s % 3600 / 60);
	else
		buf_printf(b, "<td class=\"num\">%lldd%02lldh</td>", s / 86400, s % 86400 / 3600);
}

static void message_row(struct web_req *r, struct buf *b, const char *queue, json_t *m)
{
	const char *id = json_string_value(json_object_get(m, "JMSMessageID"));
	json_t *text = json_object_get(m, "Text");
	buf_puts(b, "<tr><td>");
	message_link(b, queue, id ? id : "", id ? id : "");
	buf_puts(b, "</td>");
	html_time_cell(b, json_object_get(m, "JMSTimestamp"));
	age_cell(b, json_object_get(m, "JMSTimestamp"));
	html_cell(b, json_object_get(m, "JMSPriority"));
	html_cell(b, json_object_get(m, "JMSDeliveryMode"));
	html_cell(b, json_object_get(m, "JMSRedelivered"));
	html_cell(b, json_object_get(m, "PropertiesText"));
	buf_puts(b, "<td class=\"body\">");
	size_t len = json_string_length(text);
	html_textn(b, json_string_value(text) ? json_string_value(text) : "",
		   len > BODY_PREVIEW ? BODY_PREVIEW : len);
	buf_puts(b, len > BODY_PREVIEW ? "&hellip;</td><td class=\"actions\">"
		 : "</td><td class=\"actions\">");
	message_actions(r, b, queue, id ? id : "");
	buf_puts(b, "</td></tr>\n");
}

/* /queue?name=Q&offset=N as an attribute value. */
static void browse_link(struct buf *b, const char *queue, size_t offset)
{
	char off[24] = "";
	if (offset)
		snprintf(off, sizeof off, "%zu", offset);
	const struct paging_arg args[] = { { "name", queue }, { "offset", off } };
	paging_href(b, "/queue", args, 2);
}

static void browse_nav(struct buf *b, const char *queue, size_t offset, size_t shown,
		       size_t browsed, json_t *size)
{
	buf_printf(b, "<p class=\"paging\" id=\"browse-paging\">Messages %zu to %zu of the first "
		   "%zu waiting (", shown ? offset + 1 : offset, offset + shown, browsed);
	html_value(b, size);
	buf_puts(b, " in the queue) ");
	if (offset) {
		buf_puts(b, "<a id=\"prev-page\" rel=\"prev\" href=\"");
		browse_link(b, queue, offset > BROWSE_PAGE ? offset - BROWSE_PAGE : 0);
		buf_printf(b, "\">Previous %d</a> ", BROWSE_PAGE);
	}
	if (offset + shown < browsed) {
		buf_puts(b, "<a id=\"next-page\" rel=\"next\" href=\"");
		browse_link(b, queue, offset + BROWSE_PAGE);
		buf_printf(b, "\">Next %d</a>", BROWSE_PAGE);
	}
	buf_puts(b, "</p>\n");
}

/* The queue's counts, what is wrong with it, and what can be done. */
static void queue_head(struct web_req *r, struct buf *b, const char *name,
		       json_t *q)
{
	bool stuck, blocked;
	queue_state(q, &stuck, &blocked);
	if (stuck)
		buf_printf(b, "<p class=\"error\" id=\"queue-stuck\">Stuck: %lld message(s) wait "
			   "and no consumer is attached.</p>\n", count_of(q, "QueueSize"));
	if (blocked)
		buf_printf(b, "<p class=\"warn\" id=\"queue-blocked\">Blocked: flow control holds "
			   "%lld producer(s) (memory at %lld%% of its limit).</p>\n",
			   count_of(q, "BlockedProducers"), count_of(q, "MemoryPercentUsage"));
	buf_puts(b, "<table class=\"facts\" id=\"queue-facts\">");
	for (size_t k = 0; k < NCOLS; k++) {
		buf_printf(b, "<tr><th>%s</th><td class=\"num\">", queue_cols[k].heading);
		html_value(b, json_object_get(q, queue_cols[k].attr));
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</table>\n<div class=\"actions\" id=\"queue-actions\">");
	send_link(b, name);
	queue_buttons(r, b, name, true);
	if (strstr(name, "DLQ"))
		html_button(r, b, "/queue/retry", "Retry all", "Send every message back to where "
			    "it came from?", "queue", name, NULL);
	char hist[MOBJ_NAME_MAX * 2];
	model_history_name(hist, sizeof hist, name);
	buf_puts(b, "</div>\n<div class=\"hchart\" id=\"queue-chart\" data-history=\"");
	html_text(b, hist);
	buf_puts(b, "\"><noscript>The chart of the last hour needs "
		 "JavaScript.</noscript></div>\n");
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
	const char *o = web_arg(r, "offset");
	long long from = o ? strtoll(o, NULL, 10) : 0;
	size_t browsed = json_array_size(list);
	size_t offset = from > 0 && (size_t)from < browsed ? (size_t)from : 0;
	size_t shown = browsed - offset < BROWSE_PAGE ? browsed - offset : BROWSE_PAGE;
	struct buf b = BUF_INIT;
	char title[600];
	snprintf(title, sizeof title, "Queue %s", name);
	html_begin(r, &b, title);
	char mbean[MOBJ_NAME_MAX * 2];
	query_dest_name(mbean, sizeof mbean, "Queue", name);
	json_t *read = query_read(QUEUE_ATTRS, NULL, "%s", mbean);
	json_t *q = query_first(read);
	queue_head(r, &b, name, q);
	buf_puts(&b, "<h2>Messages</h2>");
	browse_nav(&b, name, offset, shown, browsed, json_object_get(q, "QueueSize"));
	buf_puts(&b, "<table id=\"messages\"><tr><th>Message id</th><th>Timestamp (UTC)</th>"
		 "<th>Age</th><th>Priority</th><th>Persistent</th><th>Redelivered</th>"
		 "<th>Headers</th><th>Body</th><th>Actions</th></tr>\n");
	for (size_t i = offset; i < offset + shown; i++)
		message_row(r, &b, name, json_array_get(list, i));
	if (!shown)
		buf_puts(&b, "<tr><td colspan=\"9\">no messages waiting</td></tr>");
	buf_puts(&b, "</table>\n");
	json_decref(read);
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
	buf_puts(&b, "</pre><div class=\"actions\">");
	message_actions(r, &b, queue, id);
	buf_puts(&b, "</div>\n");
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
