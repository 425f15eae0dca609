/*
 * ctl_conns.c - `connections`: a row per client connection of every node,
 * whatever its protocol (STOMP, MQTT, OpenWire): who it is (client id,
 * user, address) and what it did (subscriptions, messages sent and
 * delivered, held by flow control). The rows are the Connection objects
 * of tandem-mgmt(7) as the node sent them.
 */
#include "ctl.h"

#define NCOLS(c) (sizeof (c) / sizeof (c)[0])

static const char *const conn_attrs[] = {
	"RemoteAddress", "Protocol", "ClientId", "UserName", "ConnectedSince", "Consumers",
	"EnqueueCount", "DispatchCount", "Blocked", "NetworkConnection", "RemoteBrokerName",
	"RemoteBrokerId", NULL,
};

static const struct ctl_column conn_cols[] = {
	{ "node", "NODE", false, 0 }, { "Protocol", "PROTOCOL", false, 0 },
	{ "ClientId", "CLIENT ID", false, 48 }, { "UserName", "USER", false, 0 },
	{ "RemoteAddress", "REMOTE", false, 0 }, { "Consumers", "SUBS", true, 0 },
	{ "EnqueueCount", "SENT", true, 0 }, { "DispatchCount", "DELIVERED", true, 0 },
	{ "Blocked", "BLOCKED", false, 0 },
};

static void conns_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	json_t *resp;
	if (ctl_call_take(ctl, n, ctl_read_request(MGMT_CONNECTIONS, conn_attrs, NULL), &resp))
		return;
	const char *mbean;
	json_t *attrs;
	json_object_foreach(resp, mbean, attrs)
		ctl_table_add(arg, ctl_row(n, attrs));
	json_decref(resp);
}

static int connections(struct ctl *ctl, struct ctl_args *a)
{
	return ctl_table_command(ctl, a, conn_cols, NCOLS(conn_cols), conns_node);
}

const struct ctl_command ctl_cmd_connections = {
	"connections", connections, "",
	"client connections of every protocol: protocol, client id, user, address, "
	"subscriptions, messages sent and delivered, blocked",
	NULL, CTL_SLAVE_REFUSED,
};
