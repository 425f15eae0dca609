/*
 * model_neighbour.c - the management model's ActiveMQ neighbours: one
 * JolokiaNeighbour object per <?tandem jolokiaNeighbour?> of the
 * configuration, with what its Jolokia said last (neighbour.h); the
 * bridges to and from that broker carry its one-line Summary as their
 * Neighbour attribute (model_network.c, model_inbound.c).
 */
#include <string.h>

#include "broker.h"
#include "config.h"
#include "model.h"
#include "neighbour.h"
#include "objname.h"

#define NBR(o) ((const struct conf_jolokia_neighbour *)(o)->ptr)

/* One member of the neighbour's latest view; null before it has one. */
static json_t *member(const struct mobj *o, const char *key)
{
	json_t *view = neighbour_view(NBR(o)->broker_name);
	json_t *v = json_object_get(view, key);
	v = v ? json_incref(v) : json_null();
	json_decref(view);
	return v;
}

static json_t *j_name(const struct mobj *o) { return json_string(NBR(o)->broker_name); }
static json_t *j_url(const struct mobj *o) { return json_string(NBR(o)->url); }
static json_t *j_state(const struct mobj *o) { return member(o, "State"); }
static json_t *j_error(const struct mobj *o) { return member(o, "Error"); }
static json_t *j_read(const struct mobj *o) { return member(o, "ReadMillis"); }
static json_t *j_summary(const struct mobj *o) { return member(o, "Summary"); }
static json_t *j_remote(const struct mobj *o) { return member(o, "BrokerName"); }
static json_t *j_id(const struct mobj *o) { return member(o, "BrokerId"); }
static json_t *j_uptime(const struct mobj *o) { return member(o, "Uptime"); }
static json_t *j_uptime_ms(const struct mobj *o) { return member(o, "UptimeMillis"); }
static json_t *j_total(const struct mobj *o) { return member(o, "TotalMessageCount"); }
static json_t *j_queues(const struct mobj *o) { return member(o, "Queues"); }
static json_t *j_bridges(const struct mobj *o) { return member(o, "NetworkBridges"); }

static const struct mattr neighbour_attrs[] = {
	{ "Name", "java.lang.String", "jolokiaNeighbour@brokerName: the broker it describes", j_name, NULL },
	{ "Url", "java.lang.String", "jolokiaNeighbour@url (its login is never shown)", j_url, NULL },
	{ "State", "java.lang.String", "reachable, unreachable or not read yet", j_state, NULL },
	{ "Error", "java.lang.String", "Why it is unreachable; empty when it is not", j_error, NULL },
	{ "ReadMillis", "long", "When it last answered (ms since the epoch; 0: never)", j_read, NULL },
	{ "Summary", "java.lang.String", "One line: its state, uptime, messages, queues, bridges", j_summary, NULL },
	{ "BrokerName", "java.lang.String", "Its BrokerName, as its Jolokia says", j_remote, NULL },
	{ "BrokerId", "java.lang.String", "Its BrokerId", j_id, NULL },
	{ "Uptime", "java.lang.String", "Its Uptime", j_uptime, NULL },
	{ "UptimeMillis", "long", "Its UptimeMillis", j_uptime_ms, NULL },
	{ "TotalMessageCount", "long", "Its TotalMessageCount", j_total, NULL },
	{ "Queues", "javax.management.openmbean.TabularData", "Its queues: {NAME: QueueSize}", j_queues, NULL },
	{ "NetworkBridges", "javax.management.openmbean.TabularData", "Its network bridges: RemoteBrokerName, RemoteAddress, EnqueueCounter, DequeueCounter", j_bridges, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool neighbour_each(mobj_fn fn, void *ctx)
{
	const struct config *cfg = broker.cfg;
	for (size_t i = 0; i < cfg->njolokia_neighbours; i++) {
		char q[256];
		objname_quote(cfg->jolokia_neighbours[i].broker_name, q, sizeof q);
		struct mobj o;
		mobj_set(&o, &mclass_jolokia_neighbour, &cfg->jolokia_neighbours[i],
			 MODEL_DOMAIN ":type=Broker,brokerName=%s,service=JolokiaNeighbour,"
			 "neighbourName=%s", model_broker_name(), q);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_jolokia_neighbour = { "JolokiaNeighbour", neighbour_attrs, NULL,
						 neighbour_each, NULL, NULL };
