/*
 * page_cluster.c - /cluster: every node of every pair on one page, as
 * tandemtop shows them, from the view cluster_poll.c's thread collects
 * (this handler never waits on another node; before the thread's first
 * round it waits for it, suspended, a few seconds at most).
 *
 * Sections: the nodes (role master, slave or down, never a guess; the
 * lock's holder; how long each slave has waited), each queue's depth on
 * every node side by side with the total, every bridge with its state
 * and its rates both ways, and what crossed each bridge per destination.
 * Queues with messages stuck on a node (no consumer there, consumers
 * elsewhere) and blocked producers are marked; a node down keeps its
 * last known numbers, greyed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "broker.h"
#include "cluster.h"
#include "cluster_poll.h"
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "loop.h"
#include "mgmt_server.h"
#include "model.h"
#include "query.h"

#define FIRST_VIEW_WAIT_MS 100
#define FIRST_VIEW_TRIES 40	/* 4 s for the first round */
#define QUEUE_ROWS_MAX 500
#define BROKER MODEL_DOMAIN ":type=Broker,brokerName=%s"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_real(v) ? (long long)json_real_value(v) : json_integer_value(v);
}

static void duration_cell(struct buf *b, int64_t since_ms)
{
	char text[32];
	if (since_ms <= 0) {
		buf_puts(b, "<td></td>");
		return;
	}
	mgmt_duration_text(mgmt_ms_since(since_ms), text, sizeof text);
	buf_printf(b, "<td class=\"num\">%s</td>", text);
}

static void text_cell(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	html_text(b, text);
	buf_puts(b, "</td>");
}

/* Does an answering node's lock name n as its holder, fresh? The lock
 * file names its holder first: "NAME on HOST pid ...". */
static bool holds_lock(json_t *view, json_t *n)
{
	const char *name = str(n, "name");
	size_t i, len = strlen(name);
	json_t *o;
	json_array_foreach(json_object_get(view, "nodes"), i, o) {
		json_t *lk = json_object_get(o, "locker");
		const char *holder = str(lk, "Holder");
		if (json_is_true(json_object_get(o, "up")) && len && !strncmp(holder, name, len) &&
		    holder[len] == ' ' && !json_is_true(json_object_get(lk, "HolderStale")))
			return true;
	}
	return false;
}

/* master, slave or down: a node that answers says which it is; one
 * without a management socket is the master when the lock says so. */
static const char *role_of(json_t *view, json_t *n)
{
	bool up = json_is_true(json_object_get(n, "up"));
	if (json_is_true(json_object_get(n, "refused")))
		return "unknown";
	if (!up && !*str(n, "addr"))
		return holds_lock(view, n) ? "master" : "unknown";
	if (!up)
		return "down";
	const char *role = str(json_object_get(n, "locker"), "Role");
	if (*role)
		return role;
	return json_is_true(json_object_get(json_object_get(n, "broker"), "Slave")) ? "slave"
										   : "master";
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The pair a node belongs to: the names its store directory lists. */
static void pair_of(json_t *n, char *out, size_t outlen)
{
	json_t *pair = json_object_get(json_object_get(n, "locker"), "PairNodes");
	const char *names[16];
	size_t k = 0;
	const char *name;
	json_t *v;
	json_object_foreach(pair, name, v)
		if (k < 16)
			names[k++] = name;
	if (k)
		qsort(names, k, sizeof *names, by_text);
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < k && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? " / " : "", names[i]);
	if (!k)
		snprintf(out, outlen, "%s", str(n, "name"));
}

static int by_pair(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	char px[256], py[256];
	pair_of(x, px, sizeof px);
	pair_of(y, py, sizeof py);
	int c = strcmp(px, py);
	return c ? c : strcmp(str(x, "name"), str(y, "name"));
}

/* The view's nodes in pair order (borrowed); *n their count. */
static json_t **sorted_nodes(json_t *view, size_t *n)
{
	json_t *nodes = json_object_get(view, "nodes");
	*n = json_array_size(nodes);
	json_t **v = calloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; v && i < *n; i++)
		v[i] = json_array_get(nodes, i);
	if (v)
		qsort(v, *n, sizeof *v, by_pair);
	else
		*n = 0;
	return v;
}

static void node_name(struct buf *b, json_t *n)
{
	bool self = !strcmp(str(n, "name"), model_broker_name());
	if (self)
		buf_puts(b, "<a href=\"/\">");
	html_text(b, *str(n, "name") ? str(n, "name") : str(n, "addr"));
	buf_puts(b, self ? "</a> (this node)" : "");
}

static void nodes_table(struct buf *b, json_t *view, json_t **nodes, size_t n, json_t *consoles)
{
	buf_puts(b, "<section><h2>Nodes</h2><table id=\"cluster-nodes\"><tr><th>Pair</th>"
		 "<th>Node</th><th>Role</th><th>Lock holder</th><th>Waiting for the lock</th>"
		 "<th>Messages</th><th>Connections</th><th>Management address</th>"
		 "<th>Console</th><th>Note</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_t *nd = nodes[i], *lk = json_object_get(nd, "locker");
		json_t *br = json_object_get(nd, "broker");
		const char *role = role_of(view, nd);
		bool up = json_is_true(json_object_get(nd, "up"));
		char pair[256];
		pair_of(nd, pair, sizeof pair);
		buf_printf(b, "<tr%s>", up ? "" : " class=\"stale\"");
		text_cell(b, NULL, pair);
		buf_puts(b, "<td>");
		node_name(b, nd);
		buf_puts(b, "</td>");
		buf_printf(b, "<td><span class=\"role %s\">%s</span></td>", role, role);
		text_cell(b, NULL, str(lk, "Holder"));
		if (!strcmp(role, "slave"))
			duration_cell(b, num(lk, "WaitingSinceMillis"));
		else
			buf_puts(b, "<td></td>");
		buf_printf(b, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td>",
			   num(br, "TotalMessageCount"), num(br, "CurrentConnectionsCount"));
		text_cell(b, NULL, str(nd, "addr"));
		const char *url = json_string_value(json_object_get(consoles, str(nd, "name")));
		buf_puts(b, "<td>");
		if (url && !strncmp(url, "http", 4)) {
			buf_puts(b, "<a href=\"");
			html_text(b, url);
			buf_puts(b, "\">");
			html_text(b, url);
			buf_puts(b, "</a>");
		}
		buf_puts(b, "</td><td>");
		if (!*str(nd, "addr")) {
			buf_puts(b, "no management socket: its role is the lock's word");
		} else if (json_is_true(json_object_get(nd, "refused"))) {
			html_text(b, str(nd, "error"));
			buf_puts(b, " (it answers: not down)");
		} else if (!up) {
			char since[32];
			mgmt_duration_text(mgmt_ms_since(num(nd, "downSince")), since, sizeof since);
			buf_printf(b, "<b>down for %s</b>: ", since);
			html_text(b, str(nd, "error"));
			buf_puts(b, num(nd, "seen") ? " (its numbers are as it last answered)"
				 : " (it has not answered yet)");
		} else if (json_is_true(json_object_get(lk, "HolderStale"))) {
			buf_puts(b, "<span class=\"bad\">the lock's holder has not refreshed it: "
				 "it may be hung</span>");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table></section>\n");
}

/* One queue across the nodes: depth and consumers per node. */
struct qrow {
	const char *name;
	long long *depth, *consumers;
	bool *present;
	long long total, total_consumers, blocked;
	bool stuck;
};

static int by_trouble(const void *a, const void *b)
{
	const struct qrow *x = a, *y = b;
	int tx = x->stuck * 2 + (x->blocked > 0), ty = y->stuck * 2 + (y->blocked > 0);
	if (tx != ty)
		return ty - tx;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct qrow *find_row(struct qrow *rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

/* The queues of the nodes that have any, a row each (*nrows); NULL
 * when none. Names are borrowed from the view. */
static struct qrow *queue_rows(json_t **nodes, size_t n, size_t *nrows)
{
	struct qrow *rows = NULL;
	size_t nr = 0, cap = 0;
	for (size_t k = 0; k < n; k++) {
		const char *mbean;
		json_t *q;
		json_object_foreach(json_object_get(nodes[k], "queues"), mbean, q) {
			const char *name = str(q, "Name");
			struct qrow *r = find_row(rows, nr, name);
			if (!r) {
				if (nr == cap) {
					size_t ncap = cap ? cap * 2 : 64;
					struct qrow *grown = realloc(rows, ncap * sizeof *rows);
					if (!grown)
						continue;
					rows = grown;
					cap = ncap;
				}
				r = &rows[nr++];
				memset(r, 0, sizeof *r);
				r->name = name;
				r->depth = calloc(n, sizeof *r->depth);
				r->consumers = calloc(n, sizeof *r->consumers);
				r->present = calloc(n, sizeof *r->present);
				if (!r->depth || !r->consumers || !r->present) {
					free(r->depth);
					free(r->consumers);
					free(r->present);
					nr--;
					continue;
				}
			}
			r->present[k] = true;
			r->depth[k] = num(q, "QueueSize");
			r->consumers[k] = num(q, "ConsumerCount");
			r->total += r->depth[k];
			r->total_consumers += r->consumers[k];
			r->blocked += num(q, "BlockedProducers");
		}
	}
	/* Stuck as tandemtop says it: messages on a node with no consumer,
	 * while consumers wait on another. */
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < n; k++)
			rows[i].stuck |= rows[i].depth[k] > 0 && rows[i].consumers[k] == 0 &&
					 rows[i].total_consumers > 0;
	if (nr)	/* no rows, no array: qsort wants one */
		qsort(rows, nr, sizeof *rows, by_trouble);
	*nrows = nr;
	return rows;
}

static void queues_table(struct buf *b, json_t **nodes, size_t n)
{
	size_t nr;
	struct qrow *rows = queue_rows(nodes, n, &nr);
	/* Only the nodes that hold queues get a column (slaves hold none). */
	bool *col = calloc(n ? n : 1, sizeof *col);
	for (size_t k = 0; col && k < n; k++)
		col[k] = json_object_size(json_object_get(nodes[k], "queues")) > 0;
	buf_puts(b, "<section><h2>Queues, depth per node</h2><table id=\"cluster-queues\"><tr>"
		 "<th>Queue</th>");
	for (size_t k = 0; col && k < n; k++) {
		if (!col[k])
			continue;
		bool up = json_is_true(json_object_get(nodes[k], "up"));
		buf_printf(b, "<th%s>", up ? "" : " class=\"stale\"");
		html_text(b, str(nodes[k], "name"));
		buf_puts(b, up ? "</th>" : " (down, last known)</th>");
	}
	buf_puts(b, "<th>Total</th><th>Consumers</th><th>Blocked producers</th><th>Note</th></tr>\n");
	for (size_t i = 0; i < nr && i < QUEUE_ROWS_MAX; i++) {
		struct qrow *r = &rows[i];
		buf_printf(b, "<tr%s>", r->stuck ? " class=\"stuck\"" : r->blocked ? " class=\"blocked\"" : "");
		text_cell(b, NULL, r->name);
		for (size_t k = 0; col && k < n; k++) {
			if (!col[k])
				continue;
			bool up = json_is_true(json_object_get(nodes[k], "up"));
			bool stuck_here = r->depth[k] > 0 && r->consumers[k] == 0 && r->total_consumers > 0;
			if (!r->present[k])
				buf_printf(b, "<td class=\"num%s\"></td>", up ? "" : " stale");
			else
				buf_printf(b, "<td class=\"num%s%s\">%lld</td>", stuck_here ? " bad" : "",
					   up ? "" : " stale", r->depth[k]);
		}
		buf_printf(b, "<td class=\"num\"><b>%lld</b></td><td class=\"num\">%lld</td>"
			   "<td class=\"num%s\">%lld</td><td>%s%s</td></tr>\n", r->total,
			   r->total_consumers, r->blocked ? " bad" : "", r->blocked,
			   r->stuck ? "STUCK: messages on a node without consumers " : "",
			   r->blocked ? "producers blocked by flow control" : "");
	}
	if (!nr)
		buf_printf(b, "<tr><td colspan=\"5\">no queues</td></tr>");
	else if (nr > QUEUE_ROWS_MAX)
		buf_printf(b, "<tr><td colspan=\"5\">%zu more, quieter queues not shown</td></tr>",
			   nr - QUEUE_ROWS_MAX);
	buf_puts(b, "</table></section>\n");
	for (size_t i = 0; i < nr; i++) {
		free(rows[i].depth);
		free(rows[i].consumers);
		free(rows[i].present);
	}
	free(rows);
	free(col);
}

/* A bridge's flows summed per direction: msg/s out and in. */
static void bridge_rates(json_t *node, const char *remote, double *out, double *in)
{
	const char *mbean;
	json_t *f;
	*out = *in = 0;
	json_object_foreach(json_object_get(node, "flows"), mbean, f) {
		if (strcmp(str(f, "RemoteBrokerName"), remote))
			continue;
		double rate = json_number_value(json_object_get(f, "Rate"));
		*(strcmp(str(f, "Direction"), "inbound") ? out : in) += rate;
	}
}

static void bridges_table(struct buf *b, json_t **nodes, size_t n)
{
	buf_puts(b, "<section><h2>Bridges</h2><table id=\"cluster-bridges\"><tr><th>Node</th>"
		 "<th>Remote broker</th><th>Remote address</th><th>State</th><th>For</th>"
		 "<th>Forwarded</th><th>Out (msg/s)</th><th>In (msg/s)</th></tr>\n");
	size_t shown = 0;
	for (size_t k = 0; k < n; k++) {
		bool up = json_is_true(json_object_get(nodes[k], "up"));
		const char *mbean;
		json_t *br;
		json_object_foreach(json_object_get(nodes[k], "bridges"), mbean, br) {
			const char *state = str(br, "State");
			bool active = !strcmp(state, "active");
			double out, in;
			bridge_rates(nodes[k], str(br, "RemoteBrokerName"), &out, &in);
			buf_printf(b, "<tr class=\"%s%s\"><td>", active ? "ok" : "bad",
				   up ? "" : " stale");
			node_name(b, nodes[k]);
			buf_puts(b, "</td>");
			char remote[300];
			/* An ActiveMQ neighbour is marked: its own state is not here. */
			snprintf(remote, sizeof remote, "%s%s%s", str(br, "RemoteBrokerName"),
				 !strcmp(str(br, "RemoteBrokerType"), "ActiveMQ") ? " (ActiveMQ)" : "",
				 !strcmp(str(br, "Direction"), "inbound") ? ", dialled in" : "");
			text_cell(b, NULL, remote);
			text_cell(b, NULL, str(br, "RemoteAddress"));
			text_cell(b, active ? "state ok" : "state bad", state);
			/* down: since it went down, not since its latest retry */
			duration_cell(b, active ? num(br, "StateSinceMillis") : num(br, "DownSinceMillis"));
			buf_printf(b, "<td class=\"num\">%lld</td><td class=\"num\">%.1f</td>"
				   "<td class=\"num\">%.1f</td></tr>\n", num(br, "EnqueueCounter"), out, in);
			shown++;
		}
	}
	if (!shown)
		buf_puts(b, "<tr><td colspan=\"8\">no bridges</td></tr>");
	buf_puts(b, "</table></section>\n");
}

static void flows_table(struct buf *b, json_t **nodes, size_t n)
{
	buf_puts(b, "<section><h2>Forwarded, per destination</h2><table id=\"cluster-flows\">"
		 "<tr><th>Node</th><th>Neighbour</th><th>Direction</th><th>Destination</th>"
		 "<th>Messages</th><th>Rate (msg/s)</th></tr>\n");
	size_t shown = 0;
	for (size_t k = 0; k < n; k++) {
		const char *mbean;
		json_t *f;
		json_object_foreach(json_object_get(nodes[k], "flows"), mbean, f) {
			buf_puts(b, "<tr><td>");
			node_name(b, nodes[k]);
			buf_puts(b, "</td>");
			text_cell(b, NULL, str(f, "RemoteBrokerName"));
			text_cell(b, NULL, str(f, "Direction"));
			text_cell(b, NULL, str(f, "DestinationName"));
			buf_printf(b, "<td class=\"num\">%lld</td><td class=\"num\">%.1f</td></tr>\n",
				   num(f, "Count"), json_number_value(json_object_get(f, "Rate")));
			shown++;
		}
	}
	if (!shown)
		buf_puts(b, "<tr><td colspan=\"6\">nothing forwarded yet</td></tr>");
	buf_puts(b, "</table></section>\n");
}

/* One object of this node's own model (borrowed into a copy). */
static json_t *local_one(const char *pattern)
{
	json_t *read = query_read(NULL, NULL, pattern, model_broker_name());
	json_t *first = query_first(read);
	json_t *copy = first ? json_incref(first) : json_object();
	json_decref(read);
	return copy;
}

/* This node from its own model, read in the loop: always fresh, and
 * there even when it has no management socket for the thread to ask. */
static json_t *local_node(void)
{
	const char *me = model_broker_name();
	json_t *n = json_pack("{s:s, s:s, s:b, s:s, s:I, s:I}", "addr", mgmt_address(), "name",
			      me, "up", 1, "error", "", "downSince", (json_int_t)0, "seen",
			      (json_int_t)wall_ms());
	json_object_set_new(n, "broker", local_one(BROKER));
	json_object_set_new(n, "locker", local_one(BROKER ",service=Locker"));
	json_object_set_new(n, "queues", query_read("Name,QueueSize,ConsumerCount,ProducerCount,"
						    "BlockedProducers", NULL, BROKER
						    ",destinationType=Queue,destinationName=*", me));
	json_object_set_new(n, "bridges", query_read(NULL, NULL, BROKER ",connector=*,"
						     "networkConnectorName=*,networkBridge=*", me));
	json_object_set_new(n, "flows", query_read(NULL, NULL, BROKER ",connector=networkConnectors,"
						   "networkBridge=*,direction=*,destinationType=*,"
						   "destinationName=*,*", me));
	return n;
}

/* The thread's view with this node's own entry from the loop; without
 * a view (no management socket to start from, or before the first
 * round), this node and its pair as the lock knows them. A new view. */
static json_t *merged_view(json_t *polled, json_t *consoles)
{
	json_t *self = local_node(), *nodes = json_array();
	const char *me = model_broker_name();
	size_t i;
	json_t *n;
	json_array_append_new(nodes, self);
	json_array_foreach(json_object_get(polled, "nodes"), i, n)
		if (strcmp(str(n, "name"), me))
			json_array_append(nodes, n);
	/* The pair's nodes as the store directory knows them (one with a
	 * console and no management socket is only in the consoles' list). */
	json_t *names = json_object();
	json_object_update(names, json_object_get(json_object_get(self, "locker"), "PairNodes"));
	json_object_update(names, consoles);
	const char *name;
	json_t *v;
	json_object_foreach(names, name, v) {
		bool known = false;
		json_array_foreach(nodes, i, n)
			known |= !strcmp(str(n, "name"), name);
		if (!known)
			json_array_append_new(nodes, json_pack("{s:s, s:s, s:b, s:s}", "addr", "",
							       "name", name, "up", 0, "error", ""));
	}
	json_decref(names);
	json_int_t at = polled ? json_integer_value(json_object_get(polled, "at")) : wall_ms();
	return json_pack("{s:I, s:o}", "at", at, "nodes", nodes);
}

static int render(struct web_req *r, json_t *polled)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Cluster");
	json_t *consoles = broker.cfg->persistent
		? model_roster_read_from(broker.cfg, "web") : json_object();
	json_t *view = merged_view(polled, consoles);
	if (!polled)
		buf_puts(&b, "<p class=\"warn\" id=\"cluster-none\">The other nodes have not "
			 "answered yet, or this node has no management socket to ask them "
			 "through: this node, and its pair as the lock knows it.</p>");
	size_t n;
	json_t **nodes = sorted_nodes(view, &n);
	size_t down = 0;
	for (size_t i = 0; i < n; i++)
		down += !strcmp(role_of(view, nodes[i]), "down");
	buf_printf(&b, "<p id=\"cluster-summary\" data-live class=\"%s\">%zu node(s), %zu down; asked at ",
		   down ? "error" : "done", n, down);
	html_time_text(&b, num(view, "at"));
	buf_puts(&b, " (UTC), every 2 s while this page is open.</p>\n");
	nodes_table(&b, view, nodes, n, consoles);
	json_decref(consoles);
	queues_table(&b, nodes, n);
	bridges_table(&b, nodes, n);
	flows_table(&b, nodes, n);
	free(nodes);
	json_decref(view);
	return html_end(r, &b);
}

static int resume(struct web_req *r)
{
	json_t *view = cluster_poll_view();
	intptr_t tries = (intptr_t)r->wait + 1;
	/* r->wait counts the tries (no pointer: nothing to free) */
	if (!view && tries < FIRST_VIEW_TRIES) {
		r->wait = (void *)tries;
		if (web_suspend_for(r, FIRST_VIEW_WAIT_MS))
			return MHD_YES;
	}
	r->wait = NULL;
	int rc = render(r, view);
	json_decref(view);
	return rc;
}

/* What this node knows of its neighbours, for the thread to start from. */
static json_t *seed(void)
{
	json_t *lk = local_one(BROKER ",service=Locker");
	json_t *s = json_pack("{s:{s:O?}, s:o}", "locker", "PairNodes",
			      json_object_get(lk, "PairNodes"), "bridges",
			      query_read("RemoteManagementAddress,RemoteAddress,RemoteBrokerName",
					 NULL, BROKER ",connector=*,networkConnectorName=*,"
					 "networkBridge=*", model_broker_name()));
	json_decref(lk);
	return s;
}

int page_cluster(struct web_req *r)
{
	/* Without a thread, nothing to wait for. */
	r->wait = cluster_poll_want(broker.cfg, seed()) < 0 ? (void *)(intptr_t)FIRST_VIEW_TRIES
							     : NULL;
	r->resume = resume;
	return resume(r);
}
