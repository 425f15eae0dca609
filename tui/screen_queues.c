/*
 * screen_queues.c - the Queues screen: one row per destination (queues,
 * then topics), its depth on each node side by side, the total,
 * consumers, enqueue and dequeue rates and a sparkline of the total depth
 * over the last minute. Messages stuck on a node (depth there, no
 * consumer there, consumers elsewhere) and producers held by flow control
 * stand out. Enter shows a destination across the nodes, with what the
 * network moves of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "screen.h"

#define SPARK_WIDTH 20

/* The nodes that hold destinations (masters, and nodes without a pair):
 * the per-node columns, in the model's order. */
static size_t holders(const struct model *m, size_t *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nnodes; i++) {
		bool holds = false;
		for (size_t d = 0; d < m->ndests && !holds; d++)
			holds = i < m->dests[d]->nnodes && m->dests[d]->depth[i] >= 0;
		if (holds)
			idx[n++] = i;
	}
	return n;
}

static int by_name(const void *a, const void *b)
{
	const struct mdest *x = *(struct mdest *const *)a, *y = *(struct mdest *const *)b;
	return x->type != y->type ? (x->type == 'Q' ? -1 : 1) : strcmp(x->name, y->name);
}

static void note(struct vrow *r, size_t col, const struct model *m, const struct mdest *d)
{
	char text[200] = "";
	size_t len = 0;
	for (size_t k = 0; k < d->nnodes && len < sizeof text; k++)
		if (model_stuck_on(d, k) || (d->stale[k] && d->depth[k] > 0))
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s on %s",
						len ? ", " : "", d->stale[k] ? "stale" : "stuck",
						m->nodes[k]->name ? m->nodes[k]->name : m->nodes[k]->addr);
	if (d->total_blocked > 0 && len < sizeof text)
		snprintf(text + len, sizeof text - len, "%s%ld producer%s blocked", len ? ", " : "",
			 d->total_blocked, d->total_blocked == 1 ? "" : "s");
	view_cell(r, col, "%s", text);
}

static void build(const struct model *m, struct view *v)
{
	size_t *idx = calloc(m->nnodes ? m->nnodes : 1, sizeof *idx);
	struct mdest **dests = calloc(m->ndests ? m->ndests : 1, sizeof *dests);
	if (!idx || !dests) {
		free(idx);
		free(dests);
		return;
	}
	size_t nh = holders(m, idx);
	/* T stays at any width: a queue and a topic may share a name. */
	size_t c_type = view_col(v, "T", 1, 1, false, 0);
	size_t c_name = view_col(v, "NAME", 8, 40, false, 0);
	size_t c_node0 = v->ncols;
	for (size_t h = 0; h < nh; h++) {
		const struct mnode *n = m->nodes[idx[h]];
		view_col(v, n->name ? n->name : n->addr, 5, 10, true, 5);
	}
	size_t c_total = view_col(v, "TOTAL", 5, 9, true, 0);
	size_t c_cons = view_col(v, "CONS", 4, 6, true, 1);
	size_t c_in = view_col(v, "IN/s", 4, 8, true, 3);
	size_t c_out = view_col(v, "OUT/s", 5, 8, true, 3);
	/* The sparkline goes first on a narrow screen: each node's depth says more. */
	size_t c_spark = view_col(v, "LAST MINUTE", SPARK_WIDTH, SPARK_WIDTH, false, 6);
	size_t c_note = view_col(v, "NOTE", 4, 40, false, 2);

	if (m->ndests)
		memcpy(dests, m->dests, m->ndests * sizeof *dests);
	qsort(dests, m->ndests, sizeof *dests, by_name);
	for (size_t i = 0; i < m->ndests; i++) {
		const struct mdest *d = dests[i];
		char key[1100], spark[SPARK_WIDTH * 4 + 1];
		snprintf(key, sizeof key, "%c:%s", d->type, d->name);
		struct vrow *r = view_row(v, 0, key);
		view_cell(r, c_type, "%c", d->type);
		view_cell(r, c_name, "%s", d->name);
		for (size_t h = 0; h < nh; h++) {
			size_t k = idx[h];
			long depth = k < d->nnodes ? d->depth[k] : -1;
			if (depth < 0) {
				view_cell(r, c_node0 + h, "-");
				continue;
			}
			/* Last known, from a node down: marked, not hidden. */
			view_cell(r, c_node0 + h, d->stale[k] ? "%ld?" : "%ld", depth);
			view_cell_num(r, c_node0 + h, (double)depth);
			if (d->stale[k])
				view_cell_style(r, c_node0 + h, V_WARN);
			else if (model_stuck_on(d, k))
				view_cell_style(r, c_node0 + h, V_BAD);
		}
		if (d->present) {
			view_cell(r, c_total, d->stale_total ? "%ld?" : "%ld", d->total);
			if (d->stale_total)
				view_cell_style(r, c_total, V_WARN);
			view_cell_num(r, c_total, (double)d->total);
			view_cell(r, c_cons, "%ld", d->total_consumers);
			view_cell_num(r, c_cons, (double)d->total_consumers);
		} else {
			view_cell(r, c_total, "-");
			view_cell(r, c_cons, "-");
		}
		screen_rate(r, c_in, d->enq_rate);
		screen_rate(r, c_out, d->deq_rate);
		spark_text(d->history, d->nhistory, SPARK_WIDTH, screen_utf8, spark, sizeof spark);
		view_cell(r, c_spark, "%s", spark);
		note(r, c_note, m, d);
		if (r)
			r->style = d->stuck ? V_BAD : d->total_blocked > 0 || d->stale_total ? V_WARN
				 : !d->present ? V_DIM : V_NORMAL;
	}
	free(idx);
	free(dests);
}

static const struct mdest *find_dest(const struct model *m, const char *key)
{
	for (size_t i = 0; i < m->ndests; i++)
		if (m->dests[i]->type == key[0] && !strcmp(m->dests[i]->name, key + 2))
			return m->dests[i];
	return NULL;
}

static void detail(const struct model *m, const char *key, struct page *p)
{
	const struct mdest *d = find_dest(m, key);
	if (!d)
		return;
	snprintf(p->title, sizeof p->title, "%s %s", d->type == 'Q' ? "queue" : "topic", d->name);
	page_add(p, V_GROUP, "On each node");
	for (size_t k = 0; k < d->nnodes; k++) {
		if (d->depth[k] < 0)
			continue;
		const struct mnode *n = m->nodes[k];
		bool stuck = model_stuck_on(d, k);
		page_add(p, stuck ? V_BAD : d->stale[k] ? V_WARN : V_NORMAL,
			 "  %-12s %-21s depth %-8ld consumers %-4ld blocked %ld%s",
			 n->name ? n->name : "?", n->addr, d->depth[k], d->consumers[k], d->blocked[k],
			 stuck ? "  STUCK: no consumer here, consumers elsewhere"
			       : d->stale[k] ? "  STALE: last known, the node is down" : "");
	}
	page_add(p, V_NORMAL, "  total depth %ld, consumers %ld, in %.1f/s, out %.1f/s", d->total,
		 d->total_consumers, d->enq_rate < 0 ? 0 : d->enq_rate, d->deq_rate < 0 ? 0 : d->deq_rate);
	char spark[HISTORY * 4 + 1], hist[HISTORY * 12] = "";
	spark_text(d->history, d->nhistory, HISTORY, screen_utf8, spark, sizeof spark);
	page_add(p, V_GROUP, "Depth, last %d s (one a second, oldest first)", d->nhistory);
	page_add(p, V_ACCENT, "  %s", spark);
	size_t len = 0;
	for (int i = 0; i < d->nhistory && len < sizeof hist; i++)
		len += (size_t)snprintf(hist + len, sizeof hist - len, "%s%ld", i ? " " : "", d->history[i]);
	page_add(p, V_DIM, "  %s", hist);
	/* What the network moved of it: the NetworkFlow objects of each node. */
	bool any = false;
	for (size_t k = 0; k < m->nnodes; k++) {
		const struct mnode *n = m->nodes[k];
		const char *mbean;
		json_t *attrs;
		json_object_foreach(n->state == NODE_UP ? n->snap : NULL, mbean, attrs) {
			if (!strstr(mbean, ",direction=") || strcmp(mstr(attrs, "DestinationName"), d->name) ||
			    !strstr(mbean, d->type == 'Q' ? "destinationType=Queue" : "destinationType=Topic"))
				continue;
			if (!any)
				page_add(p, V_GROUP, "Network flows");
			any = true;
			bool out = !strcmp(mstr(attrs, "Direction"), "outbound");
			double rate = model_rate(n, mbean, "Count");
			page_add(p, V_NORMAL, "  %s %s %s: %ld messages, %.1f/s", n->name ? n->name : n->addr,
				 out ? "->" : "<-", mstr(attrs, "RemoteBrokerName"), mlong(attrs, "Count"),
				 rate < 0 ? 0.0 : rate);
		}
	}
	page_add(p, V_DIM, "b: browse its first messages   p: purge it");
}

const struct screen screen_queues = {
	"Queues", "every queue and topic: depth on each node, total, consumers, rates, last minute",
	build, detail,
};
