/*
 * screen_cluster.c - the Cluster screen: one row per node, grouped by
 * pair (the store directory the nodes share, or the cluster file's
 * PAIRNAME): role, lock holder and how long a slave has waited, uptime,
 * connections, messages stored, memory and store use, message rates.
 * Enter shows one node whole: its broker, its lock's story, its bridges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "screen.h"

enum { C_BROKER, C_ROLE, C_NODE, C_HOLDER, C_WAIT, C_UPTIME, C_CONN, C_MSGS, C_MEM, C_STORE,
       C_IN, C_OUT };

static const struct vcol cols[] = {
	[C_BROKER] = { "BROKER", 6, 16, false, 0 },
	[C_ROLE] = { "ROLE", 10, 10, false, 0 },
	[C_NODE] = { "NODE", 9, 21, false, 4 },
	[C_HOLDER] = { "HOLDER", 6, 14, false, 3 },
	[C_WAIT] = { "WAITING", 7, 14, false, 2 },
	[C_UPTIME] = { "UPTIME", 6, 10, true, 5 },
	[C_CONN] = { "CONN", 4, 6, true, 6 },
	[C_MSGS] = { "MSGS", 4, 9, true, 1 },
	[C_MEM] = { "MEM", 10, 10, false, 7 },
	[C_STORE] = { "STORE", 10, 10, false, 8 },
	[C_IN] = { "IN/s", 4, 8, true, 2 },
	[C_OUT] = { "OUT/s", 5, 8, true, 2 },
};

/* htop's meters: "[|||   42%]". */
static void bar(struct vrow *r, size_t col, json_t *attrs, const char *key)
{
	json_t *v = json_object_get(attrs, key);
	if (!v) {
		view_cell(r, col, "-");
		return;
	}
	long pct = mlong(attrs, key);
	char fill[9], label[8];
	int n = snprintf(label, sizeof label, "%ld%%", pct);
	if (n < 0 || n >= (int)sizeof label)
		n = (int)sizeof label - 1;	/* a usage beyond reason, cut */
	int bars = (int)((pct > 100 ? 100 : pct < 0 ? 0 : pct) * 8 / 100);
	for (int i = 0; i < 8; i++)
		fill[i] = i < bars ? '|' : ' ';
	memcpy(fill + 8 - n, label, (size_t)n);
	fill[8] = '\0';
	view_cell(r, col, "[%s]", fill);
	view_cell_num(r, col, (double)pct);
	view_cell_style(r, col, pct >= 90 ? V_BAD : pct >= 70 ? V_WARN : V_NORMAL);
}

static enum vstyle role_style(enum role role)
{
	switch (role) {
	case ROLE_MASTER: return V_GOOD;
	case ROLE_SLAVE: return V_ACCENT;
	case ROLE_DOWN: return V_BAD;
	default: return V_WARN;
	}
}

/* The holder's broker name: the lock file's line starts with it. */
static void holder_name(const char *holder, char *out, size_t outlen)
{
	snprintf(out, outlen, "%.*s", (int)strcspn(holder, " "), holder);
}

static void node_row(struct view *v, int group, const struct mnode *n)
{
	struct vrow *r = view_row(v, group, n->addr);
	char text[64];
	view_cell(r, C_BROKER, "%s", n->name ? n->name : "?");
	view_cell(r, C_ROLE, "%s", model_role_name(n->role));
	view_cell_style(r, C_ROLE, role_style(n->role));
	view_cell(r, C_NODE, "%s", n->addr);
	if (n->role == ROLE_DOWN || n->role == ROLE_CONNECTING) {
		if (r)
			r->style = V_DIM;
		view_cell(r, C_HOLDER, "%s", n->role == ROLE_DOWN ? n->error : "");
		return;
	}
	const char *holder = mstr(n->locker, "Holder");
	holder_name(holder, text, sizeof text);
	view_cell(r, C_HOLDER, "%s", n->role == ROLE_MASTER ? "self" : *text ? text : "?");
	/* A hung holder keeps its lock: nobody serves and nobody takes over. */
	if (json_is_true(json_object_get(n->locker, "HolderStale"))) {
		view_cell(r, C_HOLDER, "%s stale %lds", text, mlong(n->locker, "HolderRefreshedAgo") / 1000);
		view_cell_style(r, C_HOLDER, V_BAD);
	}
	int64_t since = json_integer_value(json_object_get(n->locker, "WaitingSinceMillis"));
	if (n->role != ROLE_MASTER && since > 0) {
		int64_t ms = mgmt_ms_since(since);
		mgmt_duration_text(ms, text, sizeof text);
		view_cell(r, C_WAIT, "%s #%ld", text, mlong(n->locker, "Attempts"));
		view_cell_num(r, C_WAIT, (double)ms);
	}
	int64_t up = json_integer_value(json_object_get(n->broker, "UptimeMillis"));
	mgmt_duration_text(up, text, sizeof text);
	view_cell(r, C_UPTIME, "%s", text);
	view_cell_num(r, C_UPTIME, (double)up);
	view_cell(r, C_CONN, "%ld", mlong(n->broker, "CurrentConnectionsCount"));
	view_cell_num(r, C_CONN, (double)mlong(n->broker, "CurrentConnectionsCount"));
	view_cell(r, C_MSGS, "%ld", mlong(n->broker, "TotalMessageCount"));
	view_cell_num(r, C_MSGS, (double)mlong(n->broker, "TotalMessageCount"));
	bar(r, C_MEM, n->broker, "MemoryPercentUsage");
	bar(r, C_STORE, n->broker, "StorePercentUsage");
	screen_rate(r, C_IN, n->enq_rate);
	screen_rate(r, C_OUT, n->deq_rate);
}

/* A pair's title: where its store is and how its nodes stand. */
static void pair_header(struct view *v, int group, const struct model *m, const char *pair)
{
	int masters = 0, slaves = 0, down = 0, count = 0;
	for (size_t i = 0; i < m->nnodes; i++) {
		const struct mnode *n = m->nodes[i];
		if (!n->pair || strcmp(n->pair, pair))
			continue;
		count++;
		masters += n->role == ROLE_MASTER;
		slaves += n->role == ROLE_SLAVE;
		down += n->role == ROLE_DOWN;
	}
	char shortp[200];
	model_short_path(pair, shortp, sizeof shortp);
	view_header(v, group, masters == 1 ? V_GROUP : V_BAD,
		    "pair %s: %d node%s, %d master, %d slave%s%s%s", shortp, count, count == 1 ? "" : "s",
		    masters, slaves, slaves == 1 ? "" : "s", down ? ", down: " : "",
		    down ? (down == 1 ? "1" : "several") : "");
}

static void build(const struct model *m, struct view *v)
{
	view_cols(v, cols, sizeof cols / sizeof cols[0]);
	int group = 0;
	/* Pairs in the order their first node was given or found. */
	for (size_t i = 0; i < m->nnodes; i++) {
		const char *pair = m->nodes[i]->pair;
		bool first = true;
		for (size_t j = 0; pair && j < i; j++)
			first &= !m->nodes[j]->pair || strcmp(m->nodes[j]->pair, pair);
		if (!pair || !first)
			continue;
		pair_header(v, group, m, pair);
		for (size_t j = i; j < m->nnodes; j++)
			if (m->nodes[j]->pair && !strcmp(m->nodes[j]->pair, pair))
				node_row(v, group, m->nodes[j]);
		group++;
	}
	bool header = false;
	for (size_t i = 0; i < m->nnodes; i++) {
		if (m->nodes[i]->pair)
			continue;
		if (!header)
			view_header(v, group, V_GROUP, "no pair known (no store, or not reached yet)");
		header = true;
		node_row(v, group, m->nodes[i]);
	}
}

static const struct mnode *find_node(const struct model *m, const char *addr)
{
	for (size_t i = 0; i < m->nnodes; i++)
		if (!strcmp(m->nodes[i]->addr, addr))
			return m->nodes[i];
	return NULL;
}

static void detail(const struct model *m, const char *key, struct page *p)
{
	const struct mnode *n = find_node(m, key);
	if (!n)
		return;
	snprintf(p->title, sizeof p->title, "node %s (%s)", n->addr, n->name ? n->name : "?");
	page_add(p, role_style(n->role), "role: %s%s%s", model_role_name(n->role),
		 *n->error ? "  last error: " : "", n->error);
	if (n->found_via)
		page_add(p, V_DIM, "found: %s", n->found_via);
	if (n->pair)
		page_add(p, V_NORMAL, "pair (%s): %s", strcmp(mstr(n->locker, "Kind"), "lease")
			 ? "store directory" : "database", n->pair);
	const char *key_name;
	json_t *val;
	if (n->broker)
		page_add(p, V_GROUP, "Broker");
	json_object_foreach(n->broker, key_name, val) {
		char text[256];
		screen_attr_text(key_name, val, text, sizeof text);
		page_add(p, V_NORMAL, "  %-24s %s", key_name, text);
	}
	if (n->locker) {
		page_add(p, V_GROUP, "Locker");
		/* Database, TablePrefix and LeaseExpires: a lease's (empty for a file) */
		static const char *const shown[] = { "Role", "Holder", "StoreDirectory", "Kind",
						     "Database", "TablePrefix", "LeaseExpires",
						     "LastError", NULL };
		for (size_t i = 0; shown[i]; i++)
			page_add(p, V_NORMAL, "  %-24s %s", shown[i],
				 json_is_string(json_object_get(n->locker, shown[i]))
					 ? mstr(n->locker, shown[i]) : "");
		page_add(p, V_NORMAL, "  %-24s %ld", "Attempts", mlong(n->locker, "Attempts"));
		char ago[32];
		mgmt_duration_text(mlong(n->locker, "HolderRefreshedAgo"), ago, sizeof ago);
		page_add(p, V_NORMAL, "  %-24s %s ago", "HolderRefreshed", ago);
		json_object_foreach(json_object_get(n->locker, "PairNodes"), key_name, val)
			page_add(p, V_NORMAL, "  pair node %-14s %s", key_name, json_string_value(val));
		page_add(p, V_GROUP, "Lock events");
		size_t i;
		json_array_foreach(json_object_get(n->locker, "Events"), i, val)
			page_add(p, V_NORMAL, "  %s  %s", mstr(val, "iso"), mstr(val, "event"));
	}
	bool any = false;
	for (size_t i = 0; i < m->nbridges; i++) {
		const struct mbridge *b = &m->bridges[i];
		if (m->nodes[b->node] != n)
			continue;
		if (!any)
			page_add(p, V_GROUP, "Bridges");
		any = true;
		page_add(p, b->active ? V_NORMAL : V_BAD, "  -> %s  %s  forwarded %ld%s%s", b->to,
			 b->state, b->forwarded, *b->error ? "  " : "", b->error);
	}
}

const struct screen screen_cluster = {
	"Cluster", "every node, grouped by pair: role, lock, usage, rates", build, detail,
};
