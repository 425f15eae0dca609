/*
 * top_discover.c - the rest of a cluster from one node (see top_model.h).
 *
 * A node names two kinds of neighbours in its snapshot: the nodes of its
 * pair, which recorded their management addresses in the store directory
 * they share (the Locker's PairNodes), and the brokers its bridges reach,
 * which told their management addresses in the handshake (NetworkBridge
 * RemoteManagementAddress). Each new address becomes a node, which names
 * its own neighbours in turn, so a chain of pairs is found whole.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "top_model.h"

/* A remote that advertises a loopback address is on the host its bridge
 * reached: that host is the one to ask. */
static void reachable(const char *advertised, const char *via_addr, char *out, size_t outlen)
{
	const char *colon = strrchr(advertised, ':');
	const char *via_colon = strrchr(via_addr, ':');
	bool loop = !strncmp(advertised, "127.", 4) || !strncmp(advertised, "localhost:", 10) ||
		    !strncmp(advertised, "[::1]:", 6);
	bool via_loop = !strncmp(via_addr, "127.", 4) || !strncmp(via_addr, "localhost:", 10) ||
			!strncmp(via_addr, "[::1]:", 6);
	if (loop && !via_loop && colon && via_colon)
		snprintf(out, outlen, "%.*s%s", (int)(via_colon - via_addr), via_addr, colon);
	else
		snprintf(out, outlen, "%s", advertised);
}

/* Whether a node of this pair with this broker name is watched already:
 * the roster may list it at an address we do not reach it by (the
 * host's name of a node bound to every address), and in one pair names
 * are unique. */
static bool pair_knows(const struct model *m, const char *pair, const char *name)
{
	for (size_t i = 0; pair && i < m->nnodes; i++) {
		const struct mnode *n = m->nodes[i];
		if (n->pair && n->name && !strcmp(n->pair, pair) && !strcmp(n->name, name))
			return true;
	}
	return false;
}

void model_discover(struct model *m)
{
	/* Nodes added here are looked at in this same loop (m->nnodes grows). */
	for (size_t i = 0; i < m->nnodes; i++) {
		struct mnode *n = m->nodes[i];
		if (n->state != NODE_UP)
			continue;
		const char *who = n->name ? n->name : n->addr;
		const char *name, *mbean;
		json_t *addr, *attrs;
		char via[200];
		json_object_foreach(json_object_get(n->locker, "PairNodes"), name, addr) {
			if (!json_string_length(addr) || pair_knows(m, n->pair, name))
				continue;
			snprintf(via, sizeof via, "pair of %s", who);
			model_add_node(m, json_string_value(addr), n->pair, name, via);
		}
		json_object_foreach(n->snap, mbean, attrs) {
			const char *remote = mstr(attrs, "RemoteManagementAddress");
			if (!strstr(mbean, ",networkBridge=") || strstr(mbean, ",direction=") || !*remote)
				continue;
			char target[300];
			reachable(remote, mstr(attrs, "RemoteAddress"), target, sizeof target);
			snprintf(via, sizeof via, "bridged from %s", who);
			model_add_node(m, target, NULL, mstr(attrs, "RemoteBrokerName"), via);
		}
	}
}
