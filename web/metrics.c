/*
 * metrics.c - GET /metrics: the management model in Prometheus's text
 * format (0.0.4), for scraping. Each row of the table below is one metric
 * family: an attribute of one class of objects (model.h), one sample per
 * object, labelled with the keys of its object name. The names are listed
 * in man tandem-mgmt(7), METRICS.
 *
 * A scrape is complete (Prometheus needs every sample) but made in
 * slices as the connection drains, each of at most SLICE_OBJECTS
 * objects, walked on from where the last slice stopped: with 100,000
 * queues the 79 MB answer, made at once, held the loop for over a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "http.h"
#include "loop.h"
#include "model.h"
#include "objname.h"

#define SLICE_OBJECTS 200

enum conv {
	AS_NUMBER,	/* numbers as they are, booleans 1 or 0 */
	MS_TO_S,	/* milliseconds to seconds */
	SINCE_S,	/* ms since the epoch to seconds ago; 0 stays 0 */
	IS_MASTER,	/* a Role string: 1 for "master" */
	IS_ACTIVE,	/* a bridge State string: 1 for "active" */
};

struct metric {
	const struct mclass *cls;
	const char *attr;
	const char *name;
	const char *type;	/* "gauge" or "counter" */
	enum conv conv;
	const char *help;
};

static const struct metric metrics[] = {
	{ &mclass_broker, "UptimeMillis", "tandem_broker_uptime_seconds", "gauge", MS_TO_S, "Seconds since the broker started" },
	{ &mclass_broker, "Slave", "tandem_broker_slave", "gauge", AS_NUMBER, "1 while the broker waits for its store's lock" },
	{ &mclass_broker, "TotalEnqueueCount", "tandem_broker_enqueue_total", "counter", AS_NUMBER, "Messages sent to the broker" },
	{ &mclass_broker, "TotalDequeueCount", "tandem_broker_dequeue_total", "counter", AS_NUMBER, "Messages consumed and acknowledged" },
	{ &mclass_broker, "TotalMessageCount", "tandem_broker_messages", "gauge", AS_NUMBER, "Messages held in every queue" },
	{ &mclass_broker, "TotalConsumerCount", "tandem_broker_consumers", "gauge", AS_NUMBER, "Open consumers" },
	{ &mclass_broker, "TotalProducerCount", "tandem_broker_producers", "gauge", AS_NUMBER, "Producers" },
	{ &mclass_broker, "CurrentConnectionsCount", "tandem_broker_connections", "gauge", AS_NUMBER, "Open client connections" },
	{ &mclass_broker, "MemoryPercentUsage", "tandem_broker_memory_usage_percent", "gauge", AS_NUMBER, "Memory use against memoryUsage" },
	{ &mclass_broker, "StorePercentUsage", "tandem_broker_store_usage_percent", "gauge", AS_NUMBER, "Store use against storeUsage" },
	{ &mclass_broker, "TempPercentUsage", "tandem_broker_temp_usage_percent", "gauge", AS_NUMBER, "Temporary store use against tempUsage" },
	{ &mclass_queue, "QueueSize", "tandem_queue_size", "gauge", AS_NUMBER, "Messages in the queue" },
	{ &mclass_queue, "EnqueueCount", "tandem_queue_enqueue_total", "counter", AS_NUMBER, "Messages sent to the queue" },
	{ &mclass_queue, "DequeueCount", "tandem_queue_dequeue_total", "counter", AS_NUMBER, "Messages acknowledged from the queue" },
	{ &mclass_queue, "DispatchCount", "tandem_queue_dispatch_total", "counter", AS_NUMBER, "Deliveries to consumers" },
	{ &mclass_queue, "ExpiredCount", "tandem_queue_expired_total", "counter", AS_NUMBER, "Messages that expired" },
	{ &mclass_queue, "InFlightCount", "tandem_queue_inflight", "gauge", AS_NUMBER, "Delivered, not yet acknowledged" },
	{ &mclass_queue, "ConsumerCount", "tandem_queue_consumers", "gauge", AS_NUMBER, "Consumers of the queue" },
	{ &mclass_queue, "ProducerCount", "tandem_queue_producers", "gauge", AS_NUMBER, "Producers to the queue" },
	{ &mclass_queue, "MemoryUsageByteCount", "tandem_queue_memory_bytes", "gauge", AS_NUMBER, "Bytes of the queue's messages in memory" },
	{ &mclass_topic, "EnqueueCount", "tandem_topic_enqueue_total", "counter", AS_NUMBER, "Messages published to the topic" },
	{ &mclass_topic, "DequeueCount", "tandem_topic_dequeue_total", "counter", AS_NUMBER, "Messages its subscribers acknowledged" },
	{ &mclass_topic, "DispatchCount", "tandem_topic_dispatch_total", "counter", AS_NUMBER, "Deliveries to subscribers" },
	{ &mclass_topic, "ConsumerCount", "tandem_topic_consumers", "gauge", AS_NUMBER, "Subscribers of the topic" },
	{ &mclass_topic, "ProducerCount", "tandem_topic_producers", "gauge", AS_NUMBER, "Producers to the topic" },
	{ &mclass_durable, "PendingQueueSize", "tandem_subscription_pending", "gauge", AS_NUMBER, "Messages waiting for a durable subscriber" },
	{ &mclass_connector, "CurrentConnections", "tandem_connector_connections", "gauge", AS_NUMBER, "Open connections of the connector" },
	{ &mclass_connector, "RefusedConnections", "tandem_connector_refused_total", "counter", AS_NUMBER, "Connections refused (maximumConnections)" },
	{ &mclass_connection, "EnqueueCount", "tandem_connection_sent_total", "counter", AS_NUMBER, "Messages the client sent" },
	{ &mclass_connection, "DispatchCount", "tandem_connection_delivered_total", "counter", AS_NUMBER, "Messages delivered to the client" },
	{ &mclass_connection, "Blocked", "tandem_connection_blocked", "gauge", AS_NUMBER, "1 while flow control holds the producer" },
	{ &mclass_store, "Size", "tandem_store_bytes", "gauge", AS_NUMBER, "Bytes of messages in the store" },
	{ &mclass_store, "UnwrittenOperations", "tandem_store_unwritten_operations", "gauge", AS_NUMBER, "Operations queued for the store's writer or being written" },
	{ &mclass_store, "MessagesNotWritten", "tandem_store_messages_not_written_total", "counter", AS_NUMBER, "Persistent messages acknowledged before their commit began, so never written" },
	{ &mclass_store, "FreeBytes", "tandem_store_free_bytes", "gauge", AS_NUMBER, "Bytes of free pages inside the store's file, not yet given back to the file system" },
	{ &mclass_locker, "Role", "tandem_lock_master", "gauge", IS_MASTER, "1 while this node holds the store's lock" },
	{ &mclass_locker, "Attempts", "tandem_lock_attempts", "gauge", AS_NUMBER, "Tries for the lock in the current wait" },
	{ &mclass_locker, "WaitingSinceMillis", "tandem_lock_waiting_seconds", "gauge", SINCE_S, "Seconds this slave has waited; 0 for a master" },
	{ &mclass_bridge, "State", "tandem_bridge_up", "gauge", IS_ACTIVE, "1 while the network bridge is active" },
	{ &mclass_bridge, "EnqueueCounter", "tandem_bridge_forwarded_total", "counter", AS_NUMBER, "Messages the bridge forwarded" },
	{ &mclass_bridge, "Connects", "tandem_bridge_connects_total", "counter", AS_NUMBER, "Times the bridge connected" },
	{ &mclass_bridge, "Failures", "tandem_bridge_failures_total", "counter", AS_NUMBER, "Times the bridge failed" },
	{ &mclass_network_flow, "Count", "tandem_network_flow_total", "counter", AS_NUMBER, "Messages that crossed a bridge, per neighbour, direction and destination" },
};

/* Object name keys and the labels they become. */
static const struct {
	const char *key, *label;
} labels[] = {
	{ "brokerName", "broker" }, { "destinationType", "destination_type" },
	{ "destinationName", "destination" },
	{ "clientId", "client_id" }, { "subscriptionName", "subscription" },
	{ "connectorName", "connector" }, { "connectionName", "connection" },
	{ "networkConnectorName", "network_connector" }, { "networkBridge", "bridge" },
	{ "remoteBrokerName", "remote_broker" }, { "direction", "direction" },
	{ "remoteBrokerId", "remote_broker_id" },
};

/* A label value: backslash, quote and newline escaped, as the format says. */
static void label_value(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, v, 1);
	}
}

struct walk {
	const struct metric *m;
	struct buf *b;
	int64_t now_ms;
};

static bool sample(const struct mobj *o, void *ctx)
{
	struct walk *w = ctx;
	const struct mattr *a = model_attr(o->cls, w->m->attr);
	if (!a)
		return true;
	json_t *v = a->get(o);
	double x;
	const char *s = json_string_value(v);
	switch (w->m->conv) {
	case IS_MASTER: x = s && !strcmp(s, "master"); break;
	case IS_ACTIVE: x = s && !strcmp(s, "active"); break;
	case MS_TO_S: x = json_number_value(v) / 1000.0; break;
	case SINCE_S:
		x = json_number_value(v) > 0 ? (w->now_ms - json_number_value(v)) / 1000.0 : 0;
		break;
	default: x = json_is_boolean(v) ? json_is_true(v) : json_number_value(v); break;
	}
	json_decref(v);
	char copy[MOBJ_NAME_MAX];
	struct objname n;
	if (objname_parse_in(o->name, copy, sizeof copy, &n) < 0)
		return true;
	buf_puts(w->b, w->m->name);
	const char *sep = "{";
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
		const char *v = objname_get(&n, labels[i].key);
		if (!v)
			continue;
		buf_printf(w->b, "%s%s=\"", sep, labels[i].label);
		label_value(w->b, v);
		buf_puts(w->b, "\"");
		sep = ",";
	}
	buf_printf(w->b, "%s %.17g\n", *sep == ',' ? "}" : "", x);
	return true;
}

/* A scrape under way: the family and the place in its class's walk. */
struct scrape {
	size_t family;		/* index in metrics[]; N: tandem_up, the last */
	bool started;		/* the family's HELP and TYPE are out */
	struct mcursor at;
	int64_t now_ms;
	unsigned long slices;	/* told at the end: how the scrape was cut */
};

#define NMETRICS (sizeof metrics / sizeof *metrics)

/* The next slice: one family's header, or up to SLICE_OBJECTS samples
 * (web_slice_fn). */
static bool slice(void *ctx, struct buf *out)
{
	struct scrape *sc = ctx;
	sc->slices++;
	if (sc->family == NMETRICS) {
		buf_printf(out, "# HELP tandem_metrics_slices Slices this scrape was made in, "
			   "the loop running between them\n# TYPE tandem_metrics_slices gauge\n"
			   "tandem_metrics_slices %lu\n", sc->slices);
		buf_printf(out, "# HELP tandem_up 1: the node answers\n"
			   "# TYPE tandem_up gauge\ntandem_up 1\n");
		return false;
	}
	const struct metric *m = &metrics[sc->family];
	if (!sc->started) {
		buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
			   m->type);
		sc->started = true;
		memset(&sc->at, 0, sizeof sc->at);
	}
	struct walk w = { .m = m, .b = out, .now_ms = sc->now_ms };
	struct mwalk mw = { .at = sc->at, .budget = SLICE_OBJECTS, .fn = sample, .ctx = &w,
			    .only = m->cls };
	if (model_walk(&mw)) {
		sc->family++;
		sc->started = false;
	} else {
		sc->at = mw.at;
	}
	return true;
}

int web_metrics(struct web_req *r)
{
	struct scrape *sc = calloc(1, sizeof *sc);
	if (!sc)
		return web_text(r, 503, "out of memory");
	sc->now_ms = wall_ms();
	return web_respond_stream(r, 200, "text/plain; version=0.0.4; charset=utf-8", slice, sc,
				  free);
}
