/*
 * model_network.c - the management model's network bridges: one object
 * per bridge of every networkConnector, with its state, why it is not
 * active, and what it forwards (see bridge.h and man tandem-mgmt(7)).
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "model.h"
#include "objname.h"

#define BRIDGE(o) ((struct bridge *)(o)->ptr)

static json_t *opt(const char *s) { return json_string(s ? s : ""); }
static json_t *n_entry(const struct mobj *o) { return json_string(BRIDGE(o)->entry); }
static json_t *n_connector(const struct mobj *o) { return json_string(BRIDGE(o)->nc->name); }
static json_t *n_addr(const struct mobj *o) { return json_string(BRIDGE(o)->remote_addr); }
static json_t *n_remote(const struct mobj *o) { return opt(BRIDGE(o)->remote_name); }
static json_t *n_state(const struct mobj *o) { return json_string(bridge_state_name(BRIDGE(o)->state)); }
static json_t *n_since(const struct mobj *o) { return json_integer(BRIDGE(o)->state_since); }
static json_t *n_down(const struct mobj *o) { return json_integer(BRIDGE(o)->down_since); }
static json_t *n_error(const struct mobj *o) { return json_string(BRIDGE(o)->last_error); }
static json_t *n_connects(const struct mobj *o) { return json_integer(BRIDGE(o)->connects); }
static json_t *n_failures(const struct mobj *o) { return json_integer(BRIDGE(o)->failures); }
static json_t *n_forwarded(const struct mobj *o) { return json_count(BRIDGE(o)->forwarded); }
static json_t *n_ttl(const struct mobj *o) { return json_integer(BRIDGE(o)->nc->network_ttl); }
static json_t *n_demand(const struct mobj *o)
{
	char text[4096];
	bridge_demand_text(BRIDGE(o), text, sizeof text);
	return json_string(text);
}

static const struct mattr bridge_attrs[] = {
	{ "NetworkConnectorName", "java.lang.String", "networkConnector@name", n_connector, NULL },
	{ "Uri", "java.lang.String", "Its entry in the static:(...) list", n_entry, NULL },
	{ "RemoteAddress", "java.lang.String", "The address tried or connected last", n_addr, NULL },
	{ "RemoteBrokerName", "java.lang.String", "The remote broker's name; empty before the handshake", n_remote, NULL },
	{ "State", "java.lang.String", "connecting, handshake, active or backing off", n_state, NULL },
	{ "StateSinceMillis", "long", "In this state since (ms since the epoch)", n_since, NULL },
	{ "DownSinceMillis", "long", "Not active since (ms since the epoch); 0 while active", n_down, NULL },
	{ "LastError", "java.lang.String", "Why it last failed; empty when none since it connected", n_error, NULL },
	{ "Connects", "long", "Handshakes completed", n_connects, NULL },
	{ "Failures", "long", "Connections failed or lost", n_failures, NULL },
	{ "EnqueueCounter", "long", "Messages forwarded and stored by the remote", n_forwarded, NULL },
	{ "DequeueCounter", "long", "The same (ActiveMQ's name)", n_forwarded, NULL },
	{ "NetworkTTL", "int", "networkTTL: hops a message may make", n_ttl, NULL },
	{ "Demand", "java.lang.String", "Queues the remote has consumers for, comma-separated", n_demand, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool bridge_each(mobj_fn fn, void *ctx)
{
	for (struct bridge *b = bridge_first(); b; b = b->next) {
		char conn_q[256], remote_q[256];
		objname_quote(b->nc->name, conn_q, sizeof conn_q);
		objname_quote(b->entry, remote_q, sizeof remote_q);
		struct mobj o;
		mobj_set(&o, &mclass_bridge, b, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			 "connector=networkConnectors,networkConnectorName=%s,networkBridge=%s",
			 model_broker_name(), conn_q, remote_q);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_bridge = { "NetworkBridge", bridge_attrs, NULL, bridge_each };
