/*
 * screen_flows.c - the Flows screen: one row per network bridge, from the
 * broker that owns it to its remote: state and for how long, messages a
 * second forwarded each way (the other way is the remote's own bridge,
 * when the remote is watched), totals, and what the remote asks for. A
 * bridge that is not active stands out, with its last error. Enter shows
 * the bridge's flows, destination by destination.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "screen.h"

enum { F_FROM, F_TO, F_STATE, F_RATE, F_FWD, F_BACK_RATE, F_BACK, F_DEMAND, F_ERROR };

static const struct vcol cols[] = {
	[F_FROM] = { "FROM", 4, 16, false, 0 },
	[F_TO] = { "TO", 4, 21, false, 0 },
	[F_STATE] = { "STATE", 6, 22, false, 0 },
	[F_RATE] = { "FWD/s", 5, 8, true, 0 },
	[F_FWD] = { "FWD", 3, 10, true, 2 },
	[F_BACK_RATE] = { "BACK/s", 6, 8, true, 1 },
	[F_BACK] = { "BACK", 4, 10, true, 3 },
	[F_DEMAND] = { "DEMAND", 6, 30, false, 5 },
	[F_ERROR] = { "LAST ERROR", 10, 60, false, 4 },
};

static void build(const struct model *m, struct view *v)
{
	view_cols(v, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < m->nbridges; i++) {
		const struct mbridge *b = &m->bridges[i];
		char key[1100], span[32];
		snprintf(key, sizeof key, "%s %s", m->nodes[b->node]->addr, b->mbean);
		struct vrow *r = view_row(v, 0, key);
		view_cell(r, F_FROM, "%s%s", b->from, b->activemq && b->inbound ? " (ActiveMQ)" : "");
		view_cell(r, F_TO, "%s%s", b->to, b->activemq && !b->inbound ? " (ActiveMQ)" : "");
		if (b->state_since > 0) {
			mgmt_duration_text(mgmt_ms_since(b->state_since), span, sizeof span);
			view_cell(r, F_STATE, "%s %s", b->state, span);
		} else {
			view_cell(r, F_STATE, "%s", b->state);
		}
		view_cell_style(r, F_STATE, b->active ? V_GOOD : V_BAD);
		screen_rate(r, F_RATE, b->rate);
		if (b->rate > 0)
			view_cell_style(r, F_RATE, V_ACCENT);
		view_cell(r, F_FWD, "%ld", b->forwarded);
		view_cell_num(r, F_FWD, (double)b->forwarded);
		screen_rate(r, F_BACK_RATE, b->back_rate);
		if (b->back >= 0) {
			view_cell(r, F_BACK, "%ld", b->back);
			view_cell_num(r, F_BACK, (double)b->back);
		} else {
			view_cell(r, F_BACK, "-");
		}
		view_cell(r, F_DEMAND, "%s", b->demand);
		if (!b->active) {
			view_cell(r, F_ERROR, "%s", b->error);
			if (r)
				r->style = V_BAD;
		}
	}
}

/* Whether a NetworkFlow object (its attributes) is bridge b's: by the
 * remote's id where both say it, as bridges pair up (names repeat across
 * pairs). */
static bool flow_of(const struct mbridge *b, json_t *attrs)
{
	const char *id = mstr(attrs, "RemoteBrokerId");
	const char *remote = b->inbound ? b->from : b->to;
	const char *remote_id = b->inbound ? b->from_id : b->to_id;
	if (*id && *remote_id)
		return !strcmp(id, remote_id);
	return !strcmp(mstr(attrs, "RemoteBrokerName"), remote);
}

/* One line per destination the bridge moves, each way: the count, the
 * rate over the last seconds (by the counts, so it falls to 0 when the
 * traffic stops) and when the last one went. */
static void flow_lines(const struct mnode *n, const struct mbridge *b, struct page *p)
{
	page_add(p, V_GROUP, "Flows between %s and %s, destination by destination", b->from, b->to);
	page_add(p, V_DIM, "  %-8s %-34s %10s %8s  %s", "WAY", "DESTINATION", "MESSAGES", "MSGS/s", "LAST");
	const char *mbean;
	json_t *attrs;
	int lines = 0;
	json_object_foreach(n->snap, mbean, attrs) {
		if (!strstr(mbean, ",direction=") || !flow_of(b, attrs))
			continue;
		char rate[16] = "-", last[64];
		double r = model_rate(n, mbean, "Count");
		if (r >= 0)
			snprintf(rate, sizeof rate, "%.1f", r);
		screen_attr_text("LastMillis", json_object_get(attrs, "LastMillis"), last, sizeof last);
		bool out = !strcmp(mstr(attrs, "Direction"), "outbound");
		page_add(p, V_NORMAL, "  %-8s %-34s %10ld %8s  %s", out ? "-> out" : "<- in",
			 mstr(attrs, "DestinationName"), mlong(attrs, "Count"), rate, last);
		lines++;
	}
	if (!lines)
		page_add(p, V_DIM, "  (nothing moved yet)");
}

static void detail(const struct model *m, const char *key, struct page *p)
{
	const struct mbridge *b = NULL;
	for (size_t i = 0; i < m->nbridges && !b; i++) {
		char k[1100];
		snprintf(k, sizeof k, "%s %s", m->nodes[m->bridges[i].node]->addr, m->bridges[i].mbean);
		if (!strcmp(k, key))
			b = &m->bridges[i];
	}
	if (!b)
		return;
	const struct mnode *n = m->nodes[b->node];
	snprintf(p->title, sizeof p->title, "bridge %s -> %s", b->from, b->to);
	page_add(p, V_DIM, "%s", b->mbean);
	flow_lines(n, b, p);
	page_add(p, V_GROUP, "Bridge");
	const char *name;
	json_t *val;
	json_object_foreach(json_object_get(n->snap, b->mbean), name, val) {
		char text[256];
		screen_attr_text(name, val, text, sizeof text);
		page_add(p, V_NORMAL, "  %-24s %s", name, text);
	}
}

const struct screen screen_flows = {
	"Flows", "every network bridge: from, to, state, messages/s each way, totals", build, detail,
};
