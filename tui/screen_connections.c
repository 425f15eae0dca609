/*
 * screen_connections.c - the Connections screen: one row per client
 * connection of every master, whatever its protocol (stomp, mqtt,
 * openwire): the broker, protocol, client id, user, address, how long it
 * has been connected, subscriptions, messages it sent and was delivered
 * a second and in all, and whether flow control holds it (such a row
 * stands out). Enter shows the connection's attributes. The rows are the
 * Connection objects of tandem-mgmt(7) in each node's watch snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "screen.h"

enum { C_BROKER, C_PROTO, C_CLIENT, C_USER, C_REMOTE, C_SINCE, C_SUBS, C_IN_RATE, C_OUT_RATE,
       C_IN, C_OUT };

static const struct vcol cols[] = {
	[C_BROKER] = { "BROKER", 6, 16, false, 0 },
	[C_PROTO] = { "PROTOCOL", 8, 8, false, 0 },
	[C_CLIENT] = { "CLIENT ID", 9, 40, false, 0 },
	[C_USER] = { "USER", 4, 16, false, 3 },
	[C_REMOTE] = { "REMOTE", 6, 28, false, 2 },
	[C_SINCE] = { "SINCE", 5, 10, true, 5 },
	[C_SUBS] = { "SUBS", 4, 6, true, 4 },
	[C_IN_RATE] = { "IN/s", 4, 8, true, 0 },
	[C_OUT_RATE] = { "OUT/s", 5, 8, true, 0 },
	[C_IN] = { "SENT", 4, 10, true, 6 },
	[C_OUT] = { "DELIVERED", 9, 10, true, 6 },
};

static bool is_connection(const char *mbean)
{
	return strstr(mbean, ",connectionViewType=remoteAddress,") != NULL;
}

static void build(const struct model *m, struct view *v)
{
	view_cols(v, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < m->nnodes; i++) {
		const struct mnode *n = m->nodes[i];
		const char *mbean;
		json_t *a;
		json_object_foreach(n->snap, mbean, a) {
			if (!is_connection(mbean))
				continue;
			char key[1100], span[32];
			snprintf(key, sizeof key, "%s %s", n->addr, mbean);
			struct vrow *r = view_row(v, 0, key);
			view_cell(r, C_BROKER, "%s", n->name ? n->name : n->addr);
			view_cell(r, C_PROTO, "%s", mstr(a, "Protocol"));
			view_cell(r, C_CLIENT, "%s", mstr(a, "ClientId"));
			view_cell(r, C_USER, "%s", mstr(a, "UserName"));
			view_cell(r, C_REMOTE, "%s", mstr(a, "RemoteAddress"));
			long since = mlong(a, "ConnectedSince");
			if (since > 0) {
				mgmt_duration_text(mgmt_ms_since(since), span, sizeof span);
				view_cell(r, C_SINCE, "%s", span);
			}
			view_cell(r, C_SUBS, "%ld", mlong(a, "Consumers"));
			view_cell_num(r, C_SUBS, (double)mlong(a, "Consumers"));
			screen_rate(r, C_IN_RATE, model_rate(n, mbean, "EnqueueCount"));
			screen_rate(r, C_OUT_RATE, model_rate(n, mbean, "DispatchCount"));
			view_cell(r, C_IN, "%ld", mlong(a, "EnqueueCount"));
			view_cell_num(r, C_IN, (double)mlong(a, "EnqueueCount"));
			view_cell(r, C_OUT, "%ld", mlong(a, "DispatchCount"));
			view_cell_num(r, C_OUT, (double)mlong(a, "DispatchCount"));
			if (r && json_is_true(json_object_get(a, "Blocked")))
				r->style = V_BAD;
		}
	}
}

static void detail(const struct model *m, const char *key, struct page *p)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		const struct mnode *n = m->nodes[i];
		size_t alen = strlen(n->addr);
		if (strncmp(key, n->addr, alen) || key[alen] != ' ')
			continue;
		json_t *a = json_object_get(n->snap, key + alen + 1);
		if (!a)
			continue;
		snprintf(p->title, sizeof p->title, "connection %s", mstr(a, "RemoteAddress"));
		page_add(p, V_DIM, "%s", key + alen + 1);
		const char *name;
		json_t *val;
		json_object_foreach(a, name, val) {
			char *text = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
			page_add(p, V_NORMAL, "  %-24s %s", name, text ? text : "?");
			free(text);
		}
		return;
	}
}

const struct screen screen_connections = {
	"Connections", "every client connection: protocol, client id, user, messages/s each way",
	build, detail,
};
