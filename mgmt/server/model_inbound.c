/*
 * model_inbound.c - the management model's inbound network bridges: one
 * object per connection an ActiveMQ broker's networkConnector opened to
 * this broker (broker/openwire/openwire_network.c), so that tandemctl,
 * tandemtop and the web console list an ActiveMQ neighbour that dials in
 * beside the bridges this broker dials (model_network.c).
 *
 * A Tandem neighbour's bridge is its own NetworkBridge object, on the
 * Tandem that dialled; an ActiveMQ's is in ActiveMQ's JMX, which the tools
 * do not read, so this broker reports what it sees of it: who, from
 * where, since when, what it brought and what went back. The name keeps
 * the keys of a NetworkBridge's (the tools' one pattern finds both), as
 * ActiveMQ names the bridges a duplex peer makes
 * (connector=duplexNetworkConnectors): the connector it came in on and
 * the remote address. A connection some struct bridge serves (a duplex
 * bridge made over it) is that bridge's NetworkBridge object, not this.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "model.h"
#include "neighbour.h"
#include "objname.h"
#include "proto.h"

#define CONN(o) ((const struct conn *)(o)->ptr)

static json_t *i_dir(const struct mobj *o) { (void)o; return json_string("inbound"); }
static json_t *i_connector(const struct mobj *o) { return json_string(CONN(o)->connector->conf->name); }
static json_t *i_remote(const struct mobj *o) { return json_string(CONN(o)->network_broker); }
static json_t *i_remote_id(const struct mobj *o)
{
	return json_string(CONN(o)->network_broker_id ? CONN(o)->network_broker_id : "");
}
static json_t *i_kind(const struct mobj *o) { (void)o; return json_string("ActiveMQ"); }
static json_t *i_addr(const struct mobj *o) { return json_string(CONN(o)->peer); }
static json_t *i_state(const struct mobj *o) { (void)o; return json_string("active"); }
static json_t *i_since(const struct mobj *o) { return json_integer(CONN(o)->since_ms); }
static json_t *i_zero(const struct mobj *o) { (void)o; return json_integer(0); }
static json_t *i_none(const struct mobj *o) { (void)o; return json_string(""); }
static json_t *i_in(const struct mobj *o) { return json_count(CONN(o)->msgs_in); }
static json_t *i_out(const struct mobj *o) { return json_count(CONN(o)->network_out); }
static json_t *i_neighbour(const struct mobj *o) { return neighbour_summary(CONN(o)->network_broker); }

static const struct mattr inbound_attrs[] = {
	{ "Direction", "java.lang.String", "inbound: the remote dialled this broker", i_dir, NULL },
	{ "NetworkConnectorName", "java.lang.String", "The transportConnector it came in on", i_connector, NULL },
	{ "RemoteBrokerName", "java.lang.String", "The remote broker's name, from its BrokerInfo", i_remote, NULL },
	{ "RemoteBrokerId", "java.lang.String", "Its BrokerId; empty when it did not say", i_remote_id, NULL },
	{ "RemoteBrokerType", "java.lang.String", "ActiveMQ: its networkConnector speaks OpenWire", i_kind, NULL },
	{ "RemoteAddress", "java.lang.String", "Where it connected from, HOST:PORT", i_addr, NULL },
	{ "State", "java.lang.String", "active (the object goes with the connection)", i_state, NULL },
	{ "StateSinceMillis", "long", "Connected since (ms since the epoch)", i_since, NULL },
	{ "DownSinceMillis", "long", "0: an inbound bridge is listed only while connected", i_zero, NULL },
	{ "LastError", "java.lang.String", "Empty (as DownSinceMillis)", i_none, NULL },
	{ "EnqueueCounter", "long", "Messages it brought and this broker took", i_in, NULL },
	{ "DequeueCounter", "long", "The same (ActiveMQ's name)", i_in, NULL },
	{ "ForwardedBack", "long", "Messages sent back over the same connection to its consumers (a duplex bridge), advisories not counted", i_out, NULL },
	{ "Neighbour", "java.lang.String", "Its own state from its Jolokia, when a jolokiaNeighbour names it (tandem.xml(5)): reachable and a summary, or unreachable: why; empty when none does", i_neighbour, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool served_by_bridge(const struct conn *c)
{
	for (const struct bridge *b = bridge_first(); b; b = b->next)
		if (b->conn == c || b->reverse == c)
			return true;
	return false;
}

static bool is_inbound_bridge(const struct conn *c)
{
	return c->connector && !c->dead && c->network_broker && c->proto &&
	       !strcmp(c->proto->name, "openwire") && !served_by_bridge(c);
}

static bool inbound_each(mobj_fn fn, void *ctx)
{
	for (struct conn *c = conn_first(); c; c = c->next) {
		if (!is_inbound_bridge(c))
			continue;
		char ct_q[256], addr_q[128];
		objname_quote(c->connector->conf->name, ct_q, sizeof ct_q);
		objname_quote(c->peer, addr_q, sizeof addr_q);
		struct mobj o;
		mobj_set(&o, &mclass_inbound_bridge, c, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			 "connector=inboundNetworkBridges,networkConnectorName=%s,networkBridge=%s",
			 model_broker_name(), ct_q, addr_q);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_inbound_bridge = { "InboundNetworkBridge", inbound_attrs, NULL,
					      inbound_each, NULL, NULL };
