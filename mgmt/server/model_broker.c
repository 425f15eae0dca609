/*
 * model_broker.c - the management model's broker-wide classes: the
 * broker itself, its connectors and client connections, the store and
 * the health check (see model.h and man tandem-mgmt(7)).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "flow.h"
#include "log.h"
#include "locker.h"
#include "loop.h"
#include "mgmt_server.h"
#include "model.h"
#include "proto.h"
#include "queue.h"
#include "store.h"
#include "temp_store.h"
#include "topic.h"
#include "version.h"

#define BROKER_FMT MODEL_DOMAIN ":type=Broker,brokerName=%s"

/* ---- helpers shared by the getters ---- */

static int percent(long long used, long long limit)
{
	if (limit <= 0)
		return 0;
	long long p = used * 100 / limit;
	return p > 100 ? 100 : (int)p;
}

static long long temp_limit_used(void)
{
	return temp_store_used();
}

static unsigned long long total_messages(void)
{
	return queue_held(QUEUE_NAMED) + queue_held(QUEUE_DURABLE);
}

/* ---- the broker ---- */

static json_t *b_name(const struct mobj *o) { (void)o; return json_string(broker.cfg->broker_name); }
static json_t *b_id(const struct mobj *o) { (void)o; return json_string(broker.id_prefix); }
static json_t *b_version(const struct mobj *o) { (void)o; return json_string(TANDEM_VERSION); }
static json_t *b_uptime_ms(const struct mobj *o)
{
	(void)o;
	return json_integer(wall_ms() - broker.started_wall);
}
static json_t *b_uptime(const struct mobj *o)
{
	(void)o;
	char text[64];
	model_uptime_text(wall_ms() - broker.started_wall, text, sizeof text);
	return json_string(text);
}
static json_t *b_slave(const struct mobj *o)
{
	(void)o;
	struct locker_state s;
	locker_state(&s);
	return json_boolean(broker.cfg->persistent && s.role != LOCKER_MASTER);
}
static json_t *b_data_dir(const struct mobj *o) { (void)o; return json_string(broker.cfg->data_directory); }
static json_t *b_enqueues(const struct mobj *o) { (void)o; return json_count(broker.total_enqueues); }
static json_t *b_dequeues(const struct mobj *o) { (void)o; return json_count(broker.total_dequeues); }
static json_t *b_messages(const struct mobj *o) { (void)o; return json_count(total_messages()); }

static json_t *b_consumers(const struct mobj *o)
{
	(void)o;
	long n = 0;
	for (struct conn *c = conn_first(); c; c = c->next)
		n += c->consumers;
	return json_integer(n);
}

static json_t *b_producers(const struct mobj *o)
{
	(void)o;
	long n = 0;
	for (struct conn *c = conn_first(); c; c = c->next)
		n += c->producer_dest != NULL;
	return json_integer(n);
}

static json_t *b_connections(const struct mobj *o)
{
	(void)o;
	long n = 0;
	for (size_t i = 0; i < broker.nconnectors; i++)
		n += broker.connectors[i].current;
	return json_integer(n);
}

static json_t *b_queue_count(const struct mobj *o)
{
	(void)o;
	return json_count(broker.queue_index.count);
}

static json_t *b_loop_longest(const struct mobj *o)
{
	(void)o;
	return json_integer(loop_longest_us(broker.loop));
}

static json_t *b_mgmt_deferred(const struct mobj *o)
{
	(void)o;
	return json_integer((json_int_t)mgmt_deferred());
}

static int b_reset_loop_longest(const struct mobj *o, json_t *v, char *err, size_t errlen)
{
	(void)o;
	if (!json_is_integer(v) || json_integer_value(v) != 0) {
		snprintf(err, errlen, "LoopLongestIterationMicros is only reset, by writing 0");
		return -1;
	}
	loop_longest_reset(broker.loop);
	return 0;
}

static json_t *b_topic_count(const struct mobj *o) { (void)o; return json_count(topic_count()); }
static json_t *b_mem_limit(const struct mobj *o) { (void)o; return json_integer(flow_memory_limit()); }
static json_t *b_mem_pct(const struct mobj *o)
{
	(void)o;
	return json_integer(percent(flow_memory_used(), flow_memory_limit()));
}
/* The queue whose memory is fullest, % of its own limit (above 100 when
 * over it: the broker's meter can read 0% while one queue is at 108%),
 * walked once per request and loop iteration as problems() is. */
struct mem_max {
	long long pct;
	char name[256];
	bool own_limit;		/* its memoryLimit, not the broker's */
};
static const struct mem_max *dest_memory_max(void);

static json_t *b_dest_mem_max(const struct mobj *o)
{
	(void)o;
	return json_integer(dest_memory_max()->pct);
}
static json_t *b_dest_mem_max_name(const struct mobj *o)
{
	(void)o;
	return json_string(dest_memory_max()->name);
}
static json_t *b_store_limit(const struct mobj *o) { (void)o; return json_integer(flow_store_limit()); }
static json_t *b_store_pct(const struct mobj *o)
{
	(void)o;
	return json_integer(percent(flow_store_used(), flow_store_limit()));
}
static json_t *b_temp_limit(const struct mobj *o) { (void)o; return json_integer(flow_temp_limit()); }
static json_t *b_temp_pct(const struct mobj *o)
{
	(void)o;
	return json_integer(percent(temp_limit_used(), flow_temp_limit()));
}

static json_t *b_connectors(const struct mobj *o)
{
	(void)o;
	json_t *out = json_object();
	for (size_t i = 0; i < broker.nconnectors; i++)
		json_object_set_new(out, broker.connectors[i].conf->name,
				    json_string(broker.connectors[i].advertised[0]
							? broker.connectors[i].advertised
							: broker.connectors[i].conf->uri));
	return out;
}

/* The Queues and Topics attributes name the first DEST_NAMES_MAX by
 * name, not every one: over 100,000 queues a read of the Broker took
 * 360 ms and 10 MB. A search lists them all, in pages. */
#define DEST_NAMES_MAX 1000

static bool append_name(const struct mobj *o, void *ctx)
{
	json_array_append_new(ctx, json_string(o->name));
	return json_array_size(ctx) < DEST_NAMES_MAX;
}

static json_t *dest_names(bool topics)
{
	json_t *out = json_array();
	(topics ? &mclass_topic : &mclass_queue)->each(append_name, out);
	return out;
}

static json_t *b_queues(const struct mobj *o) { (void)o; return dest_names(false); }
static json_t *b_topics(const struct mobj *o) { (void)o; return dest_names(true); }

static const char *arg_string(json_t *args, size_t i, char *err, size_t errlen)
{
	const char *s = json_string_value(json_array_get(args, i));
	if (!s || !*s)
		snprintf(err, errlen, "Argument %zu must be a non-empty string", i + 1);
	return s && *s ? s : NULL;
}

static json_t *op_add_queue(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)o;
	const char *name = arg_string(args, 0, err, errlen);
	if (!name)
		return NULL;
	if (strpbrk(name, "*>")) {
		snprintf(err, errlen, "A queue name cannot hold wildcards: %s", name);
		return NULL;
	}
	if (!broker_queue(name, true)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return json_null();
}

static json_t *op_add_topic(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)o;
	const char *name = arg_string(args, 0, err, errlen);
	if (!name)
		return NULL;
	if (!topic_get(name, true)) {
		snprintf(err, errlen, "Cannot add topic %s (wildcards are not topics)", name);
		return NULL;
	}
	return json_null();
}

static json_t *op_remove_queue(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)o;
	const char *name = arg_string(args, 0, err, errlen);
	if (!name || broker_queue_remove(name, err, errlen) < 0)
		return NULL;
	return json_null();
}

static json_t *op_remove_topic(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)o;
	const char *name = arg_string(args, 0, err, errlen);
	if (!name)
		return NULL;
	if (topic_remove(name) < 0) {
		snprintf(err, errlen, "No topic %s", name);
		return NULL;
	}
	return json_null();
}

static void stop_now(struct loop *l, void *ctx)
{
	(void)ctx;
	loop_stop(l);
}

static json_t *op_stop(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)o;
	(void)args;
	(void)err;
	(void)errlen;
	log_info("broker", "Stop requested over the management socket");
	/* After this iteration has sent the answer. */
	loop_add_timer(broker.loop, 50, stop_now, NULL);
	return json_null();
}

static const struct mattr broker_attrs[] = {
	{ "BrokerName", "java.lang.String", "The broker's name", b_name, NULL },
	{ "BrokerId", "java.lang.String", "The broker's id", b_id, NULL },
	{ "BrokerVersion", "java.lang.String", "Tandem's version", b_version, NULL },
	{ "Uptime", "java.lang.String", "Time since start, as text", b_uptime, NULL },
	{ "UptimeMillis", "long", "Milliseconds since start", b_uptime_ms, NULL },
	{ "Slave", "boolean", "True while waiting for the store's lock", b_slave, NULL },
	{ "DataDirectory", "java.lang.String", "The data directory", b_data_dir, NULL },
	{ "TotalEnqueueCount", "long", "Messages sent to the broker", b_enqueues, NULL },
	{ "TotalDequeueCount", "long", "Messages acknowledged", b_dequeues, NULL },
	{ "TotalConsumerCount", "long", "Open subscriptions", b_consumers, NULL },
	{ "TotalProducerCount", "long", "Connections that have sent messages", b_producers, NULL },
	{ "TotalMessageCount", "long", "Messages held in queues and durable subscriptions",
	  b_messages, NULL },
	{ "CurrentConnectionsCount", "int", "Open client connections", b_connections, NULL },
	{ "QueueCount", "long", "Queues", b_queue_count, NULL },
	{ "TopicCount", "long", "Known topics", b_topic_count, NULL },
	{ "MemoryLimit", "long", "memoryUsage limit, bytes", b_mem_limit, NULL },
	{ "MemoryPercentUsage", "int", "Memory in use, % of the limit", b_mem_pct, NULL },
	{ "DestinationMemoryPercentUsageMax", "int", "The fullest queue's memory, % of its own limit (over 100 when over it)", b_dest_mem_max, NULL },
	{ "DestinationMemoryPercentUsageMaxName", "java.lang.String", "That queue's name (empty when every queue is empty)", b_dest_mem_max_name, NULL },
	{ "StoreLimit", "long", "storeUsage limit, bytes", b_store_limit, NULL },
	{ "StorePercentUsage", "int", "Store in use, % of the limit", b_store_pct, NULL },
	{ "TempLimit", "long", "tempUsage limit, bytes", b_temp_limit, NULL },
	{ "TempPercentUsage", "int", "Temp store in use, % of the limit", b_temp_pct, NULL },
	{ "TransportConnectors", "java.util.Map", "Connector name to the URI it is reached at "
	  "(the PublishableConnectString: never 0.0.0.0)", b_connectors, NULL },
	{ "LoopLongestIterationMicros", "long", "The longest the event loop worked without "
	  "waiting (every client waited that long), in microseconds; write 0 to start again",
	  b_loop_longest, b_reset_loop_longest },
	{ "ManagementWorkDeferred", "long", "Times management requests or watches were left for "
	  "a later loop iteration so that clients were not kept waiting", b_mgmt_deferred, NULL },
	{ "Queues", "javax.management.ObjectName[]", "The first 1000 queues by name", b_queues, NULL },
	{ "Topics", "javax.management.ObjectName[]", "The first 1000 topics by name", b_topics, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Making and removing a destination is admin on the one named. */
static const struct mop broker_ops[] = {
	{ "addQueue", 1, "name:java.lang.String", "void", "Creates a queue", op_add_queue,
	  { .need = MPERM_ADMIN, .arg = 1 } },
	{ "addTopic", 1, "name:java.lang.String", "void", "Creates a topic", op_add_topic,
	  { .need = MPERM_ADMIN, .arg = 1, .topic = true } },
	{ "removeQueue", 1, "name:java.lang.String", "void",
	  "Removes a queue without consumers, and its messages", op_remove_queue,
	  { .need = MPERM_ADMIN, .arg = 1 } },
	{ "removeTopic", 1, "name:java.lang.String", "void", "Forgets a topic", op_remove_topic,
	  { .need = MPERM_ADMIN, .arg = 1, .topic = true } },
	{ "stop", 0, NULL, "void", "Stops the broker cleanly", op_stop,
	  { .need = MPERM_BROKER } },
	{ NULL, 0, NULL, NULL, NULL, NULL, { .need = MPERM_BROKER } },
};

static bool broker_each(mobj_fn fn, void *ctx)
{
	struct mobj o;
	mobj_set(&o, &mclass_broker, NULL, BROKER_FMT, model_broker_name());
	return fn(&o, ctx);
}

const struct mclass mclass_broker = { "Broker", broker_attrs, broker_ops, broker_each, NULL, NULL };

/* ---- connectors ---- */

#define CONNECTOR(o) ((struct connector *)(o)->ptr)

static json_t *ct_name(const struct mobj *o) { return json_string(CONNECTOR(o)->conf->name); }
static json_t *ct_uri(const struct mobj *o) { return json_string(CONNECTOR(o)->conf->uri); }
static json_t *ct_advertised(const struct mobj *o) { return json_string(CONNECTOR(o)->advertised); }
static json_t *ct_scheme(const struct mobj *o) { return json_string(CONNECTOR(o)->conf->scheme); }
static json_t *ct_port(const struct mobj *o) { return json_integer(CONNECTOR(o)->port); }
static json_t *ct_current(const struct mobj *o) { return json_integer(CONNECTOR(o)->current); }
static json_t *ct_max(const struct mobj *o) { return json_integer(CONNECTOR(o)->conf->max_connections); }
static json_t *ct_refused(const struct mobj *o) { return json_integer(CONNECTOR(o)->refused); }

static const struct mattr connector_attrs[] = {
	{ "Name", "java.lang.String", "transportConnector@name", ct_name, NULL },
	{ "Uri", "java.lang.String", "transportConnector@uri", ct_uri, NULL },
	{ "PublishableConnectString", "java.lang.String", "scheme://HOST:PORT as told to clients: "
	  "for a connector bound to every address the host's name (or its first address), never 0.0.0.0",
	  ct_advertised, NULL },
	{ "Protocols", "java.lang.String", "The URI's scheme", ct_scheme, NULL },
	{ "Port", "int", "The port bound", ct_port, NULL },
	{ "CurrentConnections", "int", "Open connections", ct_current, NULL },
	{ "MaximumConnections", "int", "maximumConnections", ct_max, NULL },
	{ "RefusedConnections", "long", "Connections refused past the maximum", ct_refused, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void connector_name(struct mobj *o, struct connector *ct)
{
	char quoted[256];
	objname_quote(ct->conf->name, quoted, sizeof quoted);
	mobj_set(o, &mclass_connector, ct, BROKER_FMT ",connector=clientConnectors,connectorName=%s",
		 model_broker_name(), quoted);
}

static bool connector_each(mobj_fn fn, void *ctx)
{
	for (size_t i = 0; i < broker.nconnectors; i++) {
		struct mobj o;
		connector_name(&o, &broker.connectors[i]);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

const struct mclass mclass_connector = { "Connector", connector_attrs, NULL, connector_each, NULL, NULL };

/* ---- client connections ---- */

#define CONN(o) ((struct conn *)(o)->ptr)

static json_t *c_remote(const struct mobj *o)
{
	char s[96];
	snprintf(s, sizeof s, "tcp://%s", CONN(o)->peer);
	return json_string(s);
}
static json_t *opt_string(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *c_client_id(const struct mobj *o) { return opt_string(CONN(o)->client_id); }
static json_t *c_user(const struct mobj *o) { return opt_string(CONN(o)->user); }
static json_t *c_proto(const struct mobj *o)
{
	return opt_string(CONN(o)->proto ? CONN(o)->proto->name : NULL);
}
static json_t *c_network(const struct mobj *o) { return json_boolean(CONN(o)->network_broker); }
static json_t *c_broker(const struct mobj *o) { return opt_string(CONN(o)->network_broker); }
static json_t *c_broker_id(const struct mobj *o)
{
	return opt_string(CONN(o)->network_broker_id);
}
static json_t *c_since(const struct mobj *o) { return json_integer(CONN(o)->since_ms); }
static json_t *c_consumers(const struct mobj *o) { return json_integer(CONN(o)->consumers); }
static json_t *c_in(const struct mobj *o) { return json_count(CONN(o)->msgs_in); }
static json_t *c_out(const struct mobj *o) { return json_count(CONN(o)->msgs_out); }
static json_t *c_blocked(const struct mobj *o) { return json_boolean(CONN(o)->read_paused); }

static json_t *op_conn_stop(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	conn_close(CONN(o), "closed by an operator");
	return json_null();
}

static const struct mattr connection_attrs[] = {
	{ "RemoteAddress", "java.lang.String", "The client's address", c_remote, NULL },
	{ "ClientId", "java.lang.String", "The client id it gave", c_client_id, NULL },
	{ "UserName", "java.lang.String", "The user it logged in as", c_user, NULL },
	{ "Protocol", "java.lang.String", "stomp, mqtt, ...", c_proto, NULL },
	{ "NetworkConnection", "boolean", "The client is another broker's network bridge (a Tandem's, or an ActiveMQ's networkConnector)", c_network, NULL },
	{ "RemoteBrokerName", "java.lang.String", "That broker's name; null for a client", c_broker, NULL },
	{ "RemoteBrokerId", "java.lang.String", "That broker's BrokerId; null for a client or when it did not say", c_broker_id, NULL },
	{ "ConnectedSince", "long", "Milliseconds since the epoch", c_since, NULL },
	{ "Consumers", "int", "Its open subscriptions", c_consumers, NULL },
	{ "EnqueueCount", "long", "Messages it sent", c_in, NULL },
	{ "DispatchCount", "long", "Messages it was sent", c_out, NULL },
	{ "Blocked", "boolean", "Held by producer flow control", c_blocked, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct mop connection_ops[] = {
	{ "stop", 0, NULL, "void", "Closes the connection", op_conn_stop,
	  { .need = MPERM_BROKER } },
	{ NULL, 0, NULL, NULL, NULL, NULL, { .need = MPERM_BROKER } },
};

/* Newest first, by id (the list's order): a page goes on below the last
 * id it gave. */
static bool connection_each_after(const char *after, mobj_fn fn, void *ctx)
{
	unsigned long long below = mobj_serial_after(after);
	for (struct conn *c = conn_first(); c; c = c->next) {
		if (!c->connector || c->dead || c->id >= below)
			continue;	/* management's own, going, or on an earlier page */
		char conn_name[128], ct_name[256], addr[96];
		snprintf(addr, sizeof addr, "tcp://%s", c->peer);
		objname_quote(addr, conn_name, sizeof conn_name);
		objname_quote(c->connector->conf->name, ct_name, sizeof ct_name);
		struct mobj o;
		mobj_set(&o, &mclass_connection, c, BROKER_FMT ",connector=clientConnectors,"
			 "connectorName=%s,connectionViewType=remoteAddress,connectionName=%s",
			 model_broker_name(), ct_name, conn_name);
		mobj_set_serial(&o, c->id);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool connection_each(mobj_fn fn, void *ctx)
{
	return connection_each_after(NULL, fn, ctx);
}

const struct mclass mclass_connection = { "Connection", connection_attrs, connection_ops,
					   connection_each, connection_each_after, NULL };

/* ---- the store ---- */

static json_t *s_dir(const struct mobj *o) { (void)o; return json_string(broker.cfg->store_directory); }
static json_t *s_used(const struct mobj *o) { (void)o; return json_integer(flow_store_used()); }
static json_t *s_file(const struct mobj *o)
{
	(void)o;
	struct store_size sz = { 0, 0 };
	if (broker.store)
		store_size(broker.store, &sz);
	return json_integer(sz.file_bytes);
}
static json_t *s_free(const struct mobj *o)
{
	(void)o;
	struct store_size sz = { 0, 0 };
	if (broker.store)
		store_size(broker.store, &sz);
	return json_integer(sz.free_bytes);
}
static json_t *s_sync(const struct mobj *o) { (void)o; return json_boolean(broker.cfg->journal_disk_syncs); }
static json_t *s_unwritten(const struct mobj *o)
{
	(void)o;
	return json_integer(broker.store ? (json_int_t)store_unwritten(broker.store) : 0);
}
static json_t *s_not_written(const struct mobj *o)
{
	(void)o;
	return json_count(broker.store ? store_not_written(broker.store) : 0);
}
static json_t *s_temp_dir(const struct mobj *o) { (void)o; return json_string(broker.cfg->temp_directory); }
static json_t *s_temp_size(const struct mobj *o) { (void)o; return json_integer(temp_store_used()); }

static const struct mattr store_attrs[] = {
	{ "Directory", "java.lang.String", "The store directory", s_dir, NULL },
	{ "Size", "long", "Bytes in use", s_used, NULL },
	{ "FileSize", "long", "Bytes of the database file", s_file, NULL },
	{ "FreeBytes", "long", "Free pages not yet given back", s_free, NULL },
	{ "Synchronous", "boolean", "enableJournalDiskSyncs", s_sync, NULL },
	{ "UnwrittenOperations", "long", "Operations queued for the store's writer or being written", s_unwritten, NULL },
	{ "MessagesNotWritten", "long", "Persistent messages acknowledged before their commit began, so never written", s_not_written, NULL },
	{ "TempDirectory", "java.lang.String", "The temp store's directory", s_temp_dir, NULL },
	{ "TempSize", "long", "Bytes in use in the temp store", s_temp_size, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool store_each(mobj_fn fn, void *ctx)
{
	if (!broker.store)
		return true;
	struct mobj o;
	mobj_set(&o, &mclass_store, NULL, BROKER_FMT ",service=PersistenceAdapter,instanceName=Store",
		 model_broker_name());
	return fn(&o, ctx);
}

const struct mclass mclass_store = { "Store", store_attrs, NULL, store_each, NULL, NULL };

/* ---- health ---- */

#define HEALTH_IDLE_MS 60000
#define HEALTH_BRIDGE_DOWN_MS 5000
#define HEALTH_USAGE_PCT 90

/* Each problem is a row of the console's health table: which check
 * found it, how bad (a bridge down outranks a queue with one message
 * waiting) and since when (0: not known). */
enum severity { WARN, CRIT };
static const char *const severity_names[] = { "WARN", "CRIT" };

static void problem(json_t *list, const char *check, enum severity sev, int64_t since,
		    const char *resource, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void problem(json_t *list, const char *check, enum severity sev, int64_t since,
		    const char *resource, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:I}", "Resource", resource,
					      "Message", msg, "Check", check, "Severity",
					      severity_names[sev], "SinceMillis", (json_int_t)since));
}

/* Queues with messages and nobody to take them for HEALTH_IDLE_MS: the
 * first HEALTH_QUEUES_MAX named, the rest counted in one line, so that
 * the list stays small when thousands are idle. The unserved list is in
 * the order queues became so: the young ones are at its tail, and
 * counting them back from there tells how many are idle without a walk
 * of them all (over 100,000 queues a walk took 5 ms). Both walks stop
 * after HEALTH_WALK_MAX queues; then the count is a lower bound. */
#define HEALTH_QUEUES_MAX 100
#define HEALTH_WALK_MAX 2000

/* Tests only: TANDEM_TEST_HEALTH_IDLE_MS shortens the minute. */
static int64_t health_idle_ms(void)
{
	static int64_t ms = -1;
	if (ms < 0) {
		const char *v = getenv("TANDEM_TEST_HEALTH_IDLE_MS");
		ms = v && *v ? strtoll(v, NULL, 10) : HEALTH_IDLE_MS;
	}
	return ms;
}

static bool idle_since(const struct queue *q, int64_t now)
{
	return now - q->unserved_since >= health_idle_ms();
}

static void idle_queues(json_t *list, int64_t now)
{
	size_t young = 0;
	const struct queue *q = queue_unserved_last();
	for (; q && !idle_since(q, now) && young < HEALTH_WALK_MAX; q = q->unserved_prev)
		young++;
	bool exact = !q || idle_since(q, now);
	size_t named = 0, seen = 0;
	for (q = queue_unserved_first(); q && idle_since(q, now) && seen < HEALTH_WALK_MAX;
	     q = q->unserved_next, seen++) {
		if (named == HEALTH_QUEUES_MAX)
			continue;
		named++;
		problem(list, "Queues without consumers", WARN, q->unserved_since, q->name,
			"Queue %s has %zu message(s) and no consumer for %lld s",
			q->name, queue_size(q), (long long)(now - q->unserved_since) / 1000);
	}
	size_t idle = exact ? queue_unserved_count() - young : seen;
	if (idle > named)
		problem(list, "Queues without consumers", WARN, 0, "Queues", "%zu%s more queues have messages and no consumer",
			idle - named, !exact && seen == HEALTH_WALK_MAX ? " or" : "");
}

static const struct mem_max *dest_memory_max(void)
{
	static struct mem_max memo;
	static uint64_t memo_iteration;
	static unsigned long memo_epoch;
	static bool valid;
	uint64_t now = loop_iteration(broker.loop);
	if (valid && now == memo_iteration && model_epoch() == memo_epoch)
		return &memo;
	memo.pct = 0;
	memo.own_limit = false;
	memo.name[0] = '\0';
	for (struct queue *q = nameset_after(&broker.queue_index, NULL); q;
	     q = nameset_after(&broker.queue_index, q->name)) {
		long long lim = q->mem_limit ? q->mem_limit : flow_memory_limit();
		long long pct = lim > 0 ? q->mem_used * 100 / lim : 0;
		if (pct > memo.pct) {
			memo.pct = pct;
			memo.own_limit = q->mem_limit > 0;
			snprintf(memo.name, sizeof memo.name, "%s", q->name);
		}
	}
	valid = true;
	memo_iteration = now;
	memo_epoch = model_epoch();
	return &memo;
}

/* Producers held by flow control, a row per destination with the
 * oldest hold's time. */
static void on_held(void *ctx, enum dest_type type, const char *dest, int64_t since)
{
	char key[300];
	snprintf(key, sizeof key, "%s://%s", type == DEST_QUEUE ? "queue" : "topic", dest);
	json_t *e = json_object_get(ctx, key);
	if (!e)
		json_object_set_new(ctx, key, e = json_pack("{s:I, s:I}", "n", (json_int_t)0,
							 "since", (json_int_t)since));
	json_object_set_new(e, "n", json_integer(json_integer_value(json_object_get(e, "n")) + 1));
	/* newest first: the last seen is the oldest */
	json_object_set_new(e, "since", json_integer(since));
}

static void blocked_producers(json_t *list, int64_t now)
{
	json_t *by_dest = json_object();
	flow_held_each(on_held, by_dest);
	const char *dest;
	json_t *e;
	json_object_foreach(by_dest, dest, e) {
		int64_t since = json_integer_value(json_object_get(e, "since"));
		problem(list, "Blocked producers", CRIT, since, dest,
			"%lld producer(s) held by flow control sending to %s for %lld s",
			(long long)json_integer_value(json_object_get(e, "n")), dest,
			(long long)(now - since) / 1000);
	}
	json_decref(by_dest);
}

static json_t *find_problems(void)
{
	json_t *list = json_array();
	int64_t now = wall_ms();
	struct locker_state lock;
	locker_state(&lock);
	/* A slave waiting for a known master is a healthy pair; one that
	 * cannot tell who holds the lock, or cannot even try, is not. */
	if (broker.cfg->persistent && lock.role == LOCKER_SLAVE && lock.last_error[0])
		problem(list, "Lock", CRIT, lock.waiting_since_ms, "Locker",
			"Slave: waiting %lld s for the lock on %s: %s",
			(long long)(now - lock.waiting_since_ms) / 1000, lock.path, lock.last_error);
	else if (broker.cfg->persistent && lock.role == LOCKER_SLAVE && !lock.holder[0])
		problem(list, "Lock", WARN, lock.waiting_since_ms, "Locker",
			"Slave: waiting %lld s for the lock on %s, whose holder "
			"is unknown (the lock file names nobody)",
			(long long)(now - lock.waiting_since_ms) / 1000, lock.path);
	/* A hung master keeps its lock: clients wait and nobody takes over. */
	if (broker.cfg->persistent && lock.holder_stale)
		problem(list, "Lock", CRIT, now - lock.holder_refreshed_ago_ms, "Locker",
			"Slave: holder %s has not refreshed its lock for %lld s: "
			"it may be hung", lock.holder, (long long)lock.holder_refreshed_ago_ms / 1000);
	for (struct bridge *b = bridge_first(); b; b = b->next)
		if (b->down_since && now - b->down_since >= HEALTH_BRIDGE_DOWN_MS)
			problem(list, "Network bridges", CRIT, b->down_since, "NetworkBridge",
				"Bridge %s of networkConnector %s is %s, "
				"not active for %lld s: %s", b->entry, b->nc->name,
				bridge_state_name(b->state), (long long)(now - b->down_since) / 1000,
				b->last_error[0] ? b->last_error : "(no error yet)");
	idle_queues(list, now);
	blocked_producers(list, now);
	struct { const char *what; long long used, limit; } usage[] = {
		{ "Memory", flow_memory_used(), flow_memory_limit() },
		{ "Store", flow_store_used(), flow_store_limit() },
		{ "Temp store", temp_store_used(), flow_temp_limit() },
	};
	for (size_t i = 0; i < sizeof usage / sizeof *usage; i++) {
		int p = percent(usage[i].used, usage[i].limit);
		if (p >= HEALTH_USAGE_PCT)
			problem(list, usage[i].what, p >= 100 ? CRIT : WARN, 0, usage[i].what,
				"%s usage is %d%% of its limit (%lld bytes)",
				usage[i].what, p, usage[i].limit);
	}
	/* A queue under the broker's limit is the Memory problem above. */
	const struct mem_max *dm = dest_memory_max();
	if (dm->own_limit && dm->pct >= HEALTH_USAGE_PCT)
		problem(list, "Destination memory", dm->pct >= 100 ? CRIT : WARN, 0, dm->name,
			"Queue %s uses %lld%% of its memory limit", dm->name, dm->pct);
	return list;
}

/* The problems, looked for once per request (model_epoch) and loop
 * iteration: a read of Health asks for them twice (Problems,
 * CurrentStatus), and over 100,000 queues each look takes milliseconds.
 * A new reference. */
static json_t *problems(void)
{
	static json_t *memo;
	static uint64_t memo_iteration;
	static unsigned long memo_epoch;
	uint64_t now = loop_iteration(broker.loop);
	if (!memo || now != memo_iteration || model_epoch() != memo_epoch) {
		json_decref(memo);
		memo = find_problems();
		memo_iteration = now;
		memo_epoch = model_epoch();
	}
	return json_deep_copy(memo);
}

static json_t *h_problems(const struct mobj *o)
{
	(void)o;
	return problems();
}

static json_t *h_status(const struct mobj *o)
{
	(void)o;
	json_t *list = problems();
	if (!json_array_size(list)) {
		json_decref(list);
		return json_string("Good");
	}
	char text[2048] = "";
	size_t len = 0, i;
	json_t *p;
	json_array_foreach(list, i, p) {
		len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0, "%s%s",
					i ? "; " : "",
					json_string_value(json_object_get(p, "Message")));
		if (len >= sizeof text)
			break;
	}
	json_decref(list);
	return json_string(text);
}

static const struct mattr health_attrs[] = {
	{ "CurrentStatus", "java.lang.String", "Good, or the problems found", h_status, NULL },
	{ "Problems", "java.util.List", "Each problem's resource and message", h_problems, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool health_each(mobj_fn fn, void *ctx)
{
	struct mobj o;
	mobj_set(&o, &mclass_health, NULL, BROKER_FMT ",service=Health", model_broker_name());
	return fn(&o, ctx);
}

const struct mclass mclass_health = { "Health", health_attrs, NULL, health_each, NULL, NULL };
