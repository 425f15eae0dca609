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
#include "loop.h"
#include "model.h"
#include "neighbour.h"
#include "netflow.h"
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
static json_t *n_remote_id(const struct mobj *o) { return opt(BRIDGE(o)->remote_id); }
static json_t *n_remote_mgmt(const struct mobj *o) { return opt(BRIDGE(o)->remote_mgmt); }
static json_t *n_local(const struct mobj *o) { return json_string(BRIDGE(o)->local_addr); }
static json_t *n_duplex(const struct mobj *o) { return json_boolean(BRIDGE(o)->created_by_duplex); }
/* The kind of broker at the other end, from what the bridge speaks to it. */
static json_t *n_kind(const struct mobj *o)
{
	return json_string(BRIDGE(o)->openwire ? "ActiveMQ" : "Tandem");
}
static json_t *n_neighbour(const struct mobj *o)
{
	return neighbour_summary(BRIDGE(o)->openwire ? BRIDGE(o)->remote_name : NULL);
}
static json_t *n_inactivity(const struct mobj *o) { return json_integer(BRIDGE(o)->inactivity_ms); }
static json_t *n_beats(const struct mobj *o)
{
	char text[48];
	snprintf(text, sizeof text, "%lld,%lld", (long long)BRIDGE(o)->beat_out_ms,
		 (long long)BRIDGE(o)->beat_in_ms);
	return json_string(text);
}
static json_t *n_demand(const struct mobj *o)
{
	char text[4096];
	bridge_demand_text(BRIDGE(o), text, sizeof text);
	return json_string(text);
}
static json_t *n_refused(const struct mobj *o)
{
	char text[4096];
	bridge_demand_refused_text(BRIDGE(o), text, sizeof text);
	return json_string(text);
}

static const struct mattr bridge_attrs[] = {
	{ "NetworkConnectorName", "java.lang.String", "networkConnector@name", n_connector, NULL },
	{ "Uri", "java.lang.String", "Its entry in the static:(...) list", n_entry, NULL },
	{ "RemoteAddress", "java.lang.String", "The address tried or connected last", n_addr, NULL },
	{ "RemoteBrokerName", "java.lang.String", "The remote broker's name; empty before the handshake", n_remote, NULL },
	{ "RemoteBrokerId", "java.lang.String", "The remote broker's BrokerId; empty before the handshake", n_remote_id, NULL },
	{ "RemoteBrokerType", "java.lang.String", "ActiveMQ (the bridge speaks OpenWire to it, bridge_openwire.h) or Tandem", n_kind, NULL },
	{ "RemoteManagementAddress", "java.lang.String", "The remote's management socket, HOST:PORT; empty before the handshake or when it has none", n_remote_mgmt, NULL },
	{ "LocalAddress", "java.lang.String", "This end of the connection, HOST:PORT", n_local, NULL },
	{ "CreatedByDuplex", "boolean", "Made by a remote's duplex networkConnector (its options are the remote's)", n_duplex, NULL },
	{ "State", "java.lang.String", "connecting, handshake, active or backing off", n_state, NULL },
	{ "StateSinceMillis", "long", "In this state since (ms since the epoch)", n_since, NULL },
	{ "DownSinceMillis", "long", "Not active since (ms since the epoch); 0 while active", n_down, NULL },
	{ "LastError", "java.lang.String", "Why it last failed; empty when none since it connected", n_error, NULL },
	{ "Connects", "long", "Handshakes completed", n_connects, NULL },
	{ "Failures", "long", "Connections failed or lost", n_failures, NULL },
	{ "EnqueueCounter", "long", "Messages forwarded and stored by the remote", n_forwarded, NULL },
	{ "DequeueCounter", "long", "The same (ActiveMQ's name)", n_forwarded, NULL },
	{ "NetworkTTL", "int", "networkTTL: hops a message may make", n_ttl, NULL },
	{ "MaxInactivityDuration", "long", "wireFormat.maxInactivityDuration: ms of silence after which the link is dead; 0: never", n_inactivity, NULL },
	{ "HeartBeat", "java.lang.String", "STOMP heart-beats agreed with the remote, ms: SENT,EXPECTED (0: none)", n_beats, NULL },
	{ "Demand", "java.lang.String", "Destinations the remote has consumers for (queue://A,topic://B)", n_demand, NULL },
	{ "DemandRefused", "java.lang.String", "Destinations the remote has consumers for that the bridge's user (its networkConnector's userName; a duplex peer's login) may not read here, so not forwarded (queue://A,topic://B)", n_refused, NULL },
	{ "Neighbour", "java.lang.String", "An ActiveMQ remote's own state from its Jolokia (JolokiaNeighbour's Summary); empty when no jolokiaNeighbour names it", n_neighbour, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool bridge_each(mobj_fn fn, void *ctx)
{
	for (struct bridge *b = bridge_first(); b; b = b->next) {
		char conn_q[256], remote_q[256];
		objname_quote(b->nc->name, conn_q, sizeof conn_q);
		objname_quote(b->entry, remote_q, sizeof remote_q);
		struct mobj o;
		/* ActiveMQ's name for the connectors duplex peers make */
		mobj_set(&o, &mclass_bridge, b, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			 "connector=%s,networkConnectorName=%s,networkBridge=%s",
			 model_broker_name(), b->created_by_duplex ? "duplexNetworkConnectors"
			 : "networkConnectors", conn_q, remote_q);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_bridge = { "NetworkBridge", bridge_attrs, NULL, bridge_each, NULL, NULL };

/* ---- one network connector ---- */

#define NC(o) ((const struct conf_network_connector *)(o)->ptr)

static json_t *c_name(const struct mobj *o) { return json_string(NC(o)->name); }
static json_t *c_uri(const struct mobj *o) { return json_string(NC(o)->uri); }
static json_t *c_ttl(const struct mobj *o) { return json_integer(NC(o)->network_ttl); }
static json_t *c_msg_ttl(const struct mobj *o) { return json_integer(NC(o)->message_ttl); }
static json_t *c_cons_ttl(const struct mobj *o) { return json_integer(NC(o)->consumer_ttl); }
static json_t *c_prefetch(const struct mobj *o) { return json_integer(NC(o)->prefetch_size); }
static json_t *c_decrease(const struct mobj *o) { return json_boolean(NC(o)->decrease_network_consumer_priority); }
static json_t *c_conduit(const struct mobj *o) { return json_boolean(NC(o)->conduit_subscriptions); }
static json_t *c_dynamic_only(const struct mobj *o) { return json_boolean(NC(o)->dynamic_only); }
static json_t *c_duplex(const struct mobj *o) { return json_boolean(NC(o)->duplex); }
static json_t *c_bridges(const struct mobj *o)
{
	long n = 0;
	for (const struct bridge *b = bridge_first(); b; b = b->next)
		n += b->nc == NC(o);
	return json_integer(n);
}

static const struct mattr connector_attrs[] = {
	{ "Name", "java.lang.String", "networkConnector@name", c_name, NULL },
	{ "Uri", "java.lang.String", "networkConnector@uri", c_uri, NULL },
	{ "NetworkTTL", "int", "networkTTL", c_ttl, NULL },
	{ "MessageTTL", "int", "Brokers a message may pass through", c_msg_ttl, NULL },
	{ "ConsumerTTL", "int", "Bridges a consumer may be away for this broker to forward", c_cons_ttl, NULL },
	{ "PrefetchSize", "int", "prefetchSize of the bridges' consumers", c_prefetch, NULL },
	{ "DecreaseNetworkConsumerPriority", "boolean", "decreaseNetworkConsumerPriority", c_decrease, NULL },
	{ "ConduitSubscriptions", "boolean", "conduitSubscriptions", c_conduit, NULL },
	{ "DynamicOnly", "boolean", "dynamicOnly", c_dynamic_only, NULL },
	{ "Duplex", "boolean", "duplex: the remote forwards back over connections from here", c_duplex, NULL },
	{ "Bridges", "int", "Bridges it has now (while this broker is master)", c_bridges, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool connector_each(mobj_fn fn, void *ctx)
{
	const struct config *cfg = broker.cfg;
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++) {
		char q[256];
		objname_quote(cfg->network_connectors[i].name, q, sizeof q);
		struct mobj o;
		mobj_set(&o, &mclass_network_connector, &cfg->network_connectors[i],
			 MODEL_DOMAIN ":type=Broker,brokerName=%s,connector=networkConnectors,"
			 "networkConnectorName=%s", model_broker_name(), q);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_network_connector = { "NetworkConnector", connector_attrs, NULL,
						 connector_each, NULL, NULL };

/* ---- what moves, per neighbour, direction and destination ---- */

#define FLOW(o) ((const struct netflow *)(o)->ptr)

static json_t *f_peer(const struct mobj *o) { return json_string(FLOW(o)->peer); }
static json_t *f_peer_id(const struct mobj *o)
{
	return json_string(FLOW(o)->peer_id ? FLOW(o)->peer_id : "");
}
static json_t *f_dir(const struct mobj *o) { return json_string(netflow_dir_name(FLOW(o)->dir)); }
static json_t *f_dest(const struct mobj *o) { return json_string(FLOW(o)->dest); }
static json_t *f_count(const struct mobj *o) { return json_count(FLOW(o)->count); }
static json_t *f_last(const struct mobj *o) { return json_integer(FLOW(o)->last_ms); }
static json_t *f_rate(const struct mobj *o) { return json_real(netflow_rate(FLOW(o), wall_ms())); }

static const struct mattr flow_attrs[] = {
	{ "RemoteBrokerName", "java.lang.String", "The broker at the other end", f_peer, NULL },
	{ "RemoteBrokerId", "java.lang.String", "Its BrokerId (empty from a broker that did not say it)", f_peer_id, NULL },
	{ "Direction", "java.lang.String", "outbound (forwarded there) or inbound (brought here)", f_dir, NULL },
	{ "DestinationName", "java.lang.String", "The queue or topic", f_dest, NULL },
	{ "Count", "long", "Messages moved (outbound: stored by the remote)", f_count, NULL },
	{ "Rate", "double", "Messages/s over the last second measured", f_rate, NULL },
	{ "LastMillis", "long", "When the latest moved (ms since the epoch)", f_last, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* By place in the list: one per destination and neighbour, so as many as
 * the queues in a network that forwards them all. */
static bool flow_each_after(const char *after, mobj_fn fn, void *ctx)
{
	size_t place = 0, from = mobj_place_after(after);
	for (const struct netflow *f = netflow_first(); f; f = f->next, place++) {
		if (place < from)
			continue;
		char peer_q[256], id_q[256], dest_q[1024];
		objname_quote(f->peer, peer_q, sizeof peer_q);
		objname_quote(f->peer_id ? f->peer_id : "", id_q, sizeof id_q);
		objname_quote(f->dest, dest_q, sizeof dest_q);
		/* With the remote's id when known: two remotes may share a name. */
		struct mobj o;
		mobj_set(&o, &mclass_network_flow, (void *)f, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			 "connector=networkConnectors,networkBridge=%s,direction=%s,"
			 "destinationType=%s,destinationName=%s%s%s", model_broker_name(), peer_q,
			 netflow_dir_name(f->dir), f->type == DEST_QUEUE ? "Queue" : "Topic", dest_q,
			 f->peer_id ? ",remoteBrokerId=" : "", id_q);
		mobj_set_serial(&o, place);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool flow_each(mobj_fn fn, void *ctx)
{
	return flow_each_after(NULL, fn, ctx);
}

const struct mclass mclass_network_flow = { "NetworkFlow", flow_attrs, NULL, flow_each,
					     flow_each_after, NULL };
