/*
 * browse.c - the messages `b` brought back from a queue, one line each
 * (age, size, priority, the body cut to the width), and Enter for one
 * message whole: its headers, properties and every line of its body.
 * actions.c fetches them (the queue's browse operation, on the node that
 * holds the most); keys.c moves over them as over a screen's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "top.h"

enum { B_NUM, B_AGE, B_SIZE, B_PRI, B_MODE, B_ID, B_BODY };

static const struct vcol cols[] = {
	[B_NUM] = { "#", 2, 4, true, 0 },
	[B_AGE] = { "AGE", 5, 8, true, 0 },
	[B_SIZE] = { "SIZE", 4, 8, true, 0 },
	[B_PRI] = { "PRI", 3, 3, true, 2 },
	[B_MODE] = { "MODE", 4, 14, false, 3 },
	[B_ID] = { "ID", 8, 40, false, 1 },
	[B_BODY] = { "BODY", 10, 200, false, 0 },
};

void browse_show(struct top *t, const char *dest, const char *node, json_t *messages)
{
	json_decref(t->browse);
	t->browse = json_incref(messages);
	snprintf(t->browse_title, sizeof t->browse_title,
		 "queue %s on %s: first %zu message%s (Enter: the whole message, Esc: back)", dest, node,
		 json_array_size(messages), json_array_size(messages) == 1 ? "" : "s");
	memset(&t->browse_st, 0, sizeof t->browse_st);
	t->browse_st.sort = -1;
	t->mode = MODE_BROWSE;
	browse_build(t);
}

void browse_build(struct top *t)
{
	struct view *v = &t->browse_view;
	view_clear(v);
	view_cols(v, cols, sizeof cols / sizeof cols[0]);
	size_t i;
	json_t *msg;
	json_array_foreach(t->browse, i, msg) {
		char key[32], age[32];
		snprintf(key, sizeof key, "%zu", i);
		struct vrow *r = view_row(v, 0, key);
		int64_t ts = json_integer_value(json_object_get(msg, "JMSTimestamp"));
		int64_t ms = mgmt_ms_since(ts);
		mgmt_duration_text(ms, age, sizeof age);
		view_cell(r, B_NUM, "%zu", i + 1);
		view_cell(r, B_AGE, "%s", ts > 0 ? age : "-");
		view_cell_num(r, B_AGE, (double)ms);
		size_t size = strlen(mstr(msg, "Text"));
		view_cell(r, B_SIZE, "%zu", size);
		view_cell_num(r, B_SIZE, (double)size);
		view_cell(r, B_PRI, "%ld", mlong(msg, "JMSPriority"));
		view_cell(r, B_MODE, "%s", !strcmp(mstr(msg, "JMSDeliveryMode"), "PERSISTENT")
						  ? "persistent" : "non-persistent");
		view_cell(r, B_ID, "%s", mstr(msg, "JMSMessageID"));
		/* The cell is cut to the column; newlines become spaces there. */
		view_cell(r, B_BODY, "%.1000s", mstr(msg, "Text"));
		if (r && json_is_true(json_object_get(msg, "JMSRedelivered")))
			r->style = V_WARN;
	}
	struct screen_state *st = &t->browse_st;
	if (st->selected >= v->nrows)
		st->selected = v->nrows ? v->nrows - 1 : 0;
}

/* The selected message, whole, as a page (Esc comes back to the list). */
void browse_open(struct top *t)
{
	json_t *msg = json_array_get(t->browse, t->browse_st.selected);
	if (!msg)
		return;
	page_clear(&t->page);
	char title[200], when[64];
	snprintf(title, sizeof title, "message %s (Esc: back to the list)", mstr(msg, "JMSMessageID"));
	page_init(&t->page, title);
	screen_attr_text("JMSTimestampMillis", json_object_get(msg, "JMSTimestamp"), when, sizeof when);
	page_add(&t->page, V_NORMAL, "  %-16s %s", "destination", mstr(msg, "JMSDestination"));
	page_add(&t->page, V_NORMAL, "  %-16s %s", "sent", when);
	screen_attr_text("JMSExpirationMillis", json_object_get(msg, "JMSExpiration"), when, sizeof when);
	page_add(&t->page, V_NORMAL, "  %-16s %s", "expires", json_integer_value(
			 json_object_get(msg, "JMSExpiration")) ? when : "never");
	page_add(&t->page, V_NORMAL, "  %-16s %ld", "priority", mlong(msg, "JMSPriority"));
	page_add(&t->page, V_NORMAL, "  %-16s %s", "delivery mode", mstr(msg, "JMSDeliveryMode"));
	page_add(&t->page, V_NORMAL, "  %-16s %s", "redelivered",
		 json_is_true(json_object_get(msg, "JMSRedelivered")) ? "yes" : "no");
	const char *name;
	json_t *val;
	json_t *props = json_object_get(msg, "StringProperties");
	if (json_object_size(props))
		page_add(&t->page, V_GROUP, "Properties");
	json_object_foreach(props, name, val)
		page_add(&t->page, V_NORMAL, "  %-16s %s", name, json_string_value(val) ? json_string_value(val) : "");
	const char *body = mstr(msg, "Text");
	page_add(&t->page, V_GROUP, "Body, %zu bytes", strlen(body));
	/* Line by line: the page wraps long ones, newlines start new ones. */
	for (const char *line = body; *line;) {
		size_t len = strcspn(line, "\n");
		page_add(&t->page, V_NORMAL, "%.*s", (int)len, line);
		line += len + (line[len] == '\n');
	}
	t->page_scroll = 0;
	t->page_back = MODE_BROWSE;
	t->page_key[0] = '\0';	/* a message does not change */
	t->mode = MODE_PAGE;
}
