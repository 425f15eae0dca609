/*
 * bridge_demand.c - what a bridge forwards (see bridge.h): the remote's
 * consumers as its advisories tell them, and the local consumers that
 * feed them.
 *
 * A bridge keeps one bridge_demand per destination the remote advertised,
 * with the remote's own consumer count, how far its nearest consumers are
 * and the demand of its own bridges. reconcile() turns that into local
 * consumers: one per destination (conduitSubscriptions, the default), or
 * one per remote consumer of a queue (conduitSubscriptions="false", so a
 * broker with three consumers gets three shares of the queue, not one);
 * none while suppressDuplicateQueueSubscriptions says the demand is only
 * an echo of consumers this broker reaches directly.
 *
 * A topic the remote has durable subscriptions for is consumed here by a
 * network durable subscription (NETWORK_DURABLE_PREFIX), so that what is
 * published while the bridge is down, or while the remote's subscribers
 * are away with dynamicOnly, is kept here and forwarded later. It is
 * active while the remote has subscribers connected, or always without
 * dynamicOnly (the remote keeps the messages for its own offline durables
 * then), and removed when the remote's last durable subscription is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "authz.h"
#include "bridge.h"
#include "bridge_openwire.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "consumer.h"
#include "log.h"
#include "netflow.h"
#include "queue.h"
#include "stomp_frame.h"
#include "temp_dest.h"

struct bridge_demand {
	struct bridge *bridge;
	enum dest_type type;
	char *name;
	int hops;		/* bridges to the nearest consumer: 1 + the remote's; 0 none */
	long remote_local;	/* the remote's own consumers of it */
	char *via;		/* the remote's bridges' demand (advisory.h), "" for none */
	long remote_durables;	/* the remote's durable subscriptions of a topic */
	bool durable;		/* the consumers are a network durable subscription */
	bool statically;	/* staticallyIncludedDestinations: no advisory needed */
	bool refused;		/* the bridge's user may not read it here (may_forward) */
	bool refusal_said;	/* logged: once per destination while connected */
	struct consumer **consumers;
	size_t nconsumers;
	struct bridge_demand *next;
};

static const char *type_name(enum dest_type type)
{
	return type == DEST_QUEUE ? "queue" : "topic";
}

const char *bridge_remote_key(const struct bridge *b)
{
	return b->remote_id ? b->remote_id : b->remote_name;
}

/* ---- the local consumers' side ---- */

/* A message that went through the remote before may go back there only
 * as a replay (replayWhenNoConsumers): nobody here consumes it and the
 * remote has consumers of its own, so it is not stranded here, and it
 * cannot ping-pong (it only ever moves toward a consumer). */
static bool replays(const struct bridge_demand *d, const struct message *m)
{
	/* Never to an ActiveMQ broker: its duplicate check knows the message
	 * id (the message came from there) and would drop the replay after
	 * answering it, and the answer acks it here: lost. ActiveMQ itself
	 * replays only with the audit turned off (enableAudit="false"). */
	if (d->type != DEST_QUEUE || d->remote_local <= 0 || d->bridge->openwire)
		return false;
	const struct conf_policy *pol = config_policy_for(broker.cfg, false, m->dest);
	if (pol && !pol->replay_when_no_consumers)
		return false;
	const struct queue *q = broker_queue(m->dest, false);
	return !q || advisory_local_consumers(q) == 0;
}

static bool demand_wants(const struct consumer *c, const struct message *m)
{
	const struct bridge_demand *d = c->ctx;
	const struct bridge *b = d->bridge;
	/* A durable subscription chose when the message was published
	 * (bridge_durable_admits); one it would not take stays for ever. */
	if (c->durable)
		return true;
	const char *path = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	if (bridge_remote_key(b) && broker_path_has(path, bridge_remote_key(b)))
		return replays(d, m);
	return broker_path_length(path) < b->nc->message_ttl;
}

static bool demand_writable(struct consumer *c)
{
	const struct bridge_demand *d = c->ctx;
	return d->bridge->conn && conn_writable(d->bridge->conn);
}

/* Sends the message on to the remote, asking for a RECEIPT that names
 * the delivery: the local ack waits for it. */
static int demand_forward(struct consumer *c, struct qentry *e)
{
	struct bridge_demand *d = c->ctx;
	struct bridge *b = d->bridge;
	if (b->ow)
		return bridge_ow_forward(b, e);
	struct buf *out = &b->conn->out;
	const struct message *m = e->msg;
	const char *old = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	char num[32], receipt[48], *path = NULL, dest[1024];
	bool replay = bridge_remote_key(b) && broker_path_has(old, bridge_remote_key(b));
	if (asprintf(&path, "%s%s%s", old ? old : "", old ? "," : "", broker.id_prefix) < 0)
		return -1;
	size_t mark = buf_len(out);
	snprintf(dest, sizeof dest, "/%s/%s", type_name(d->type), m->dest);
	snprintf(receipt, sizeof receipt, "d%" PRIu64, e->delivery_id);
	int rc = stomp_put_command(out, "SEND");
	rc |= stomp_put_header(out, STOMP_V12, "destination", dest);
	rc |= stomp_put_header(out, STOMP_V12, "receipt", receipt);
	rc |= stomp_put_header(out, STOMP_V12, "tandem-message-id", m->id);
	if (m->persistent)
		rc |= stomp_put_header(out, STOMP_V12, "persistent", "true");
	snprintf(num, sizeof num, "%u", m->priority);
	rc |= stomp_put_header(out, STOMP_V12, "priority", num);
	if (m->expires) {
		snprintf(num, sizeof num, "%" PRId64, m->expires);
		rc |= stomp_put_header(out, STOMP_V12, "expires", num);
	}
	rc |= stomp_put_header(out, STOMP_V12, NETWORK_PATH_HEADER, path);
	if (replay)
		rc |= stomp_put_header(out, STOMP_V12, NETWORK_REPLAY_HEADER, "true");
	for (size_t i = 0; i < m->nheaders; i++)
		if (strcmp(m->headers[i].name, NETWORK_PATH_HEADER) &&
		    strcmp(m->headers[i].name, NETWORK_REPLAY_HEADER))
			rc |= stomp_put_header(out, STOMP_V12, m->headers[i].name,
					       m->headers[i].value);
	rc |= stomp_put_body(out, m->body, m->body_len, 1);
	free(path);
	if (rc) {
		buf_truncate(out, mark);
		return -1;
	}
	conn_flush_later(b->conn);
	b->conn->msgs_out++;
	return 0;
}

static const struct consumer_ops demand_ops = { demand_forward, demand_writable, demand_wants };

bool bridge_consumer_demand(const struct consumer *c, const char **remote, int *hops)
{
	if (!c->network || c->ops != &demand_ops)
		return false;
	const struct bridge_demand *d = c->ctx;
	if (!d->bridge->remote_name)
		return false;
	*remote = bridge_remote_key(d->bridge);
	*hops = d->hops;
	return true;
}

/* The client id of b's network durable subscriptions. */
static void durable_client(const struct bridge *b, char *out, size_t outlen)
{
	/* A duplex bridge's entry names the connection, which changes. */
	if (b->created_by_duplex)
		snprintf(out, outlen, NETWORK_DURABLE_PREFIX "%s:duplex:%s", b->nc->name,
			 b->remote_name ? b->remote_name : "?");
	else
		snprintf(out, outlen, NETWORK_DURABLE_PREFIX "%s:%s", b->nc->name, b->entry);
}

bool bridge_durable_admits(const struct durable *ds, const struct message *m)
{
	char client[600];
	for (const struct bridge *b = bridge_first(); b; b = b->next) {
		durable_client(b, client, sizeof client);
		if (strcmp(client, ds->client_id))
			continue;
		const char *path = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
		const char *key = bridge_remote_key(b);
		return !(key && broker_path_has(path, key)) &&
		       broker_path_length(path) < b->nc->message_ttl;
	}
	/* Its bridge is gone from the configuration: keep what comes; the
	 * remote drops what it has seen (a loop) if the bridge comes back. */
	return true;
}

/* The login whose rights b reads with here: a bridge made over a
 * connection the remote opened (duplex) has that connection's, as
 * ActiveMQ's duplex responder logs in here with the remote's credentials;
 * one this broker dialled has its networkConnector's userName, as
 * ActiveMQ's bridge logs in at its own broker with it
 * (DemandForwardingBridgeSupport.startLocalBridge). */
static const char *reader(const struct bridge *b)
{
	return b->created_by_duplex ? b->conn->user : b->nc->user_name;
}

/* Whether d's messages may go to the remote: only when b's user may read
 * them here. The remote says what it wants in its own advisories, so
 * without this a client of the remote (or the remote itself) read every
 * queue here by consuming it there (t/89-authorization-bridge-reads,
 * t/87-network-duplex-authz). Asked again at each change of the demand
 * (a queue made since needs no admin to create it); said once per
 * destination while the bridge is connected. ActiveMQ's bridge fails
 * whole on such a refusal and starts over, to be refused again; here the
 * other destinations go on. */
static void recheck_later(struct bridge *b);

static bool may_forward(struct bridge_demand *d)
{
	struct bridge *b = d->bridge;
	char err[700];
	enum authz_answer a = authz_user_may_use(reader(b), AUTHZ_READ, d->type, d->name, err,
						 sizeof err);
	d->refused = a != AUTHZ_YES;
	if (a == AUTHZ_NOT_TO_CREATE)
		recheck_later(b);
	if (d->refused && !d->refusal_said)
		log_warn("network", "Bridge %s: not forwarding %s://%s to %s: %s", b->entry,
			 type_name(d->type), d->name, b->remote_name, err);
	d->refusal_said |= d->refused;
	return !d->refused;
}

/* ActiveMQ's bridge, refused the creation of a destination, fails whole
 * and starts over, and so finds it once something else made it; here the
 * demand refused for that alone is asked again every RECHECK_MS while it
 * stands, since a producer may make the destination meanwhile and the
 * remote's advisories then say nothing new. */
#define RECHECK_MS 2000

static void reconcile(struct bridge_demand *d);

static void recheck(struct loop *l, void *ctx)
{
	(void)l;
	struct bridge *b = ctx;
	b->recheck_timer = 0;
	for (struct bridge_demand *d = b->demands; d; d = d->next)
		if (d->refused)
			reconcile(d);
}

static void recheck_later(struct bridge *b)
{
	if (!b->recheck_timer && broker.loop)
		b->recheck_timer = loop_add_timer(broker.loop, RECHECK_MS, recheck, b);
}

/* One more local consumer for d; false (logged) when it cannot open. */
static bool add_consumer(struct bridge_demand *d)
{
	struct bridge *b = d->bridge;
	if (!may_forward(d))
		return false;
	struct consumer **v = realloc(d->consumers, (d->nconsumers + 1) * sizeof *v);
	if (!v)
		return false;
	d->consumers = v;
	char id[160], err[256];
	snprintf(id, sizeof id, "bridge:%s%s%zu", b->remote_name,
		 d->nconsumers ? "#" : "", d->nconsumers);
	if (!d->nconsumers)
		id[strlen(id) - 1] = '\0';	/* the first is plain "bridge:NAME" */
	/* Below every local consumer, and lower still for each hop further. */
	int priority = b->nc->decrease_network_consumer_priority ? -d->hops : 0;
	char client[600];
	durable_client(b, client, sizeof client);
	struct consumer_spec spec = {
		.type = d->type,
		.dest = d->name,
		.ack = ACK_CLIENT_INDIVIDUAL,
		.prefetch = b->nc->prefetch_size > 0 ? (unsigned)b->nc->prefetch_size : 1,
		.priority = priority,
		.conn = b->conn,
		.id = id,
		.network = true,
		.client_id = d->durable ? client : NULL,
		.durable_name = d->durable ? d->name : NULL,
	};
	/* What the bridge may read was asked before (may_forward). */
	struct consumer *c = consumer_open(&spec, &demand_ops, d, err, sizeof err);
	if (!c) {
		log_warn("network", "Bridge %s: cannot consume %s://%s for %s: %s", b->entry,
			 type_name(d->type), d->name, b->remote_name, err);
		return false;
	}
	v[d->nconsumers++] = c;
	return true;
}

/* ---- what the remote wants ---- */

static struct bridge_demand *find_demand(struct bridge *b, enum dest_type type, const char *name)
{
	for (struct bridge_demand *d = b->demands; d; d = d->next)
		if (d->type == type && !strcmp(d->name, name))
			return d;
	return NULL;
}

static void free_demand(struct bridge *b, struct bridge_demand *d)
{
	for (struct bridge_demand **pp = &b->demands; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	for (size_t i = 0; i < d->nconsumers; i++)
		consumer_close(d->consumers[i]);	/* what was in flight comes back */
	free(d->consumers);
	free(d->via);
	free(d->name);
	free(d);
}

/* The remote wants d no more: forgotten, but for a refusal that was said,
 * kept without consumers while the bridge is connected, so that a remote
 * asking again and again is not answered with a line each time (one
 * bridge_demand per destination refused, as while it was wanted). */
static void demand_ended(struct bridge *b, struct bridge_demand *d)
{
	if (!d->refusal_said) {
		free_demand(b, d);
		return;
	}
	while (d->nconsumers)
		consumer_close(d->consumers[--d->nconsumers]);
	d->hops = 0;
	d->remote_local = d->remote_durables = 0;
	d->durable = d->refused = false;
}

void bridge_drop_demand(struct bridge *b)
{
	if (b->recheck_timer)
		loop_del_timer(broker.loop, b->recheck_timer);
	b->recheck_timer = 0;
	while (b->demands)
		free_demand(b, b->demands);
}

/* Whether the connector forwards this destination on demand at all. */
static bool dynamically_included(const struct conf_network_connector *nc, enum dest_type type,
				  const char *name)
{
	bool topic = type == DEST_TOPIC;
	/* The broker's own destinations (advisories) never travel. */
	if (!strncmp(name, "ActiveMQ.", 9) || config_dest_filtered(&nc->excluded, topic, name))
		return false;
	if (temp_dest_is_temp(name))
		return nc->bridge_temp_destinations;
	return !nc->dynamically_included.n ||
	       config_dest_filtered(&nc->dynamically_included, topic, name);
}

/* Calls fn for each "BROKER:HOPS" entry of a demand header but this
 * broker's own (a route back here is no route); stops when fn says false.
 * False when fn did. */
static bool each_route(const char *demand, bool (*fn)(const char *broker, size_t len, int hops,
						      void *ctx), void *ctx)
{
	const char *self = broker.id_prefix;
	size_t selflen = strlen(self);
	for (const char *p = demand; p && *p;) {
		size_t n = strcspn(p, ",");
		/* "ID:host-1:1::2": the hops follow the last colon */
		const char *colon = NULL;
		for (const char *c = p; c < p + n; c++)
			if (*c == ':')
				colon = c;
		size_t len = colon ? (size_t)(colon - p) : 0;
		if (colon && !(len == selflen && !strncmp(p, self, selflen)) &&
		    !fn(p, len, atoi(colon + 1), ctx))
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

static bool least_hops(const char *broker_id, size_t len, int hops, void *ctx)
{
	(void)broker_id;
	(void)len;
	int *best = ctx;
	if (hops > 0 && (*best < 0 || hops < *best))
		*best = hops;
	return true;
}

/* The hops to the remote's nearest consumer: 0 when it has its own, else
 * 1 + the least of its bridges' demand that does not lead back here; -1
 * when none. */
static int demand_distance(long local, const char *demand)
{
	if (local > 0)
		return 0;
	int best = -1;
	each_route(demand, least_hops, &best);
	return best;
}

/* Does this broker reach that route's consumers by a bridge of its own,
 * one that has them as the remote's own consumers? */
static bool reached_directly(const char *broker_id, size_t len, int hops, void *ctx)
{
	(void)hops;
	const struct bridge_demand *d = ctx;
	for (struct bridge *o = bridge_first(); o; o = o->next) {
		const char *key = bridge_remote_key(o);
		if (o == d->bridge || !key || strlen(key) != len || strncmp(key, broker_id, len))
			continue;
		const struct bridge_demand *od = find_demand(o, d->type, d->name);
		if (od && od->remote_local > 0)
			return true;
	}
	return false;
}

/* suppressDuplicateQueueSubscriptions: the remote only passes on demand
 * of brokers this one has direct bridges to, with their consumers: going
 * through the remote as well would only be a longer way to them. */
static bool suppressed(const struct bridge_demand *d)
{
	if (!d->bridge->nc->suppress_duplicate_queue_subscriptions || d->type != DEST_QUEUE ||
	    d->remote_local > 0 || !d->via || !*d->via)
		return false;
	return each_route(d->via, reached_directly, (void *)d);
}

/* How many local consumers d should have now. */
static size_t wanted(const struct bridge_demand *d)
{
	if (d->statically)
		return 1;
	if (d->type == DEST_TOPIC && d->remote_durables > 0)
		return d->remote_local > 0 || !d->bridge->nc->dynamic_only;
	if (!d->hops || d->hops > d->bridge->nc->consumer_ttl || suppressed(d))
		return 0;
	/* Topics always conduit: one copy per broker, whose own subscribers
	 * each get it there; more copies would be duplicates. */
	if (d->bridge->nc->conduit_subscriptions || d->type == DEST_TOPIC || d->remote_local < 1)
		return 1;
	return (size_t)d->remote_local;
}

/* The remote has no durable subscription of d's topic any more (or b's
 * user may not read it here: refused): neither does this broker for it
 * (d's consumers are closed). */
static void drop_network_durable(const struct bridge *b, const char *topic, bool refused)
{
	char client[600], err[256];
	durable_client(b, client, sizeof client);
	if (broker_durable_remove(client, topic, err, sizeof err) == 0)
		log_info("network", refused
			 ? "Bridge %s: its user may not read topic://%s here: its network durable "
			   "subscription for %s is removed"
			 : "Bridge %s: no durable subscription of topic://%s on %s any more: its "
			   "network durable subscription is removed", b->entry, topic, b->remote_name);
}

/* Opens or closes local consumers until d has what it should, and says
 * why when forwarding starts or stops. */
static void reconcile(struct bridge_demand *d)
{
	struct bridge *b = d->bridge;
	size_t want = wanted(d), had = d->nconsumers;
	bool durable = d->type == DEST_TOPIC && d->remote_durables > 0;
	if (durable != d->durable) {	/* another kind of subscription */
		while (d->nconsumers)
			consumer_close(d->consumers[--d->nconsumers]);
		if (d->durable)
			drop_network_durable(d->bridge, d->name, false);
		d->durable = durable;
		if (durable && may_forward(d))
			log_info("network", "Bridge %s: %ld durable subscription(s) of topic://%s on "
				 "%s: keeping a network durable subscription for them", b->entry,
				 d->remote_durables, d->name, b->remote_name);
	}
	if (!want)
		d->refused = false;	/* nothing is asked of the bridge's user now */
	while (d->nconsumers > want)
		consumer_close(d->consumers[--d->nconsumers]);
	while (d->nconsumers < want && add_consumer(d))
		;
	/* One made before the user's rights were asked (by an older Tandem,
	 * or before an authorizationEntry changed) would keep what is
	 * published for ever, never to be forwarded. */
	if (d->durable && !d->nconsumers && !may_forward(d))
		drop_network_durable(b, d->name, true);
	const char *type = type_name(d->type);
	if (had && !d->nconsumers && d->durable)
		log_info("network", "Bridge %s: the durable subscribers of topic://%s on %s are "
			 "away: its network durable subscription keeps what is published "
			 "(dynamicOnly)", b->entry, d->name, b->remote_name);
	else if (had && !d->nconsumers && suppressed(d))
		log_info("network", "Bridge %s: not forwarding %s://%s through %s: this broker "
			 "reaches its consumers directly", b->entry, type, d->name, b->remote_name);
	else if (had && !d->nconsumers)
		log_info("network", "Bridge %s: consumers of %s://%s are %d bridge(s) beyond %s, "
			 "more than consumerTTL %d: not forwarding", b->entry, type, d->name,
			 d->hops - 1, b->remote_name, b->nc->consumer_ttl);
	else if (!had && d->nconsumers && d->remote_local > 0)
		log_info("network", "Bridge %s: %ld consumer(s) of %s://%s on %s: forwarding%s",
			 b->entry, d->remote_local, type, d->name, b->remote_name,
			 d->nconsumers > 1 ? " (one bridge consumer each)" : "");
	else if (!had && d->nconsumers && !d->statically)
		log_info("network", "Bridge %s: consumers of %s://%s %d bridge(s) beyond %s: "
			 "forwarding", b->entry, type, d->name, d->hops - 1, b->remote_name);
}

/* Some bridge's demand for a destination changed whether its remote has
 * consumers of its own: suppressed demand on the others may change. */
static void reconcile_others(const struct bridge *changed, enum dest_type type,
			     const char *name)
{
	for (struct bridge *o = bridge_first(); o; o = o->next) {
		if (o == changed || !o->nc->suppress_duplicate_queue_subscriptions)
			continue;
		struct bridge_demand *od = find_demand(o, type, name);
		if (od)
			reconcile(od);
	}
}

/* A temporary queue of another broker exists here only to carry replies
 * to it: once its owner's demand is gone (not merely the bridge), the
 * copy goes, with what nobody will take any more. */
static void drop_temp_copy(enum dest_type type, const char *name)
{
	char err[256];
	struct queue *q = type == DEST_QUEUE && temp_dest_is_temp(name)
		? broker_queue(name, false) : NULL;
	if (q && !q->nconsumers && broker_queue_remove(name, err, sizeof err) == 0)
		log_debug("network", "Temporary queue %s: its owner has gone", name);
}

void bridge_remote_demand(struct bridge *b, enum dest_type type, const char *name, long local,
			  const char *via, long durables)
{
	struct bridge_demand *d = find_demand(b, type, name);
	int dist = demand_distance(local, via);
	if (dist < 0 && durables > 0)
		dist = 0;	/* its offline durable subscribers are demand too */
	if (!d) {
		if (dist < 0 || !dynamically_included(b->nc, type, name))
			return;
		if (!(d = calloc(1, sizeof *d)) || !(d->name = strdup(name))) {
			free(d);
			return;
		}
		d->bridge = b;
		d->type = type;
		d->next = b->demands;
		b->demands = d;
	}
	/* Whether the remote's own consumers came or went: see suppressed() */
	bool direct = (d->remote_local > 0) != (local > 0);
	char *copy = strdup(via ? via : "");
	if (copy) {
		free(d->via);
		d->via = copy;
	}
	d->remote_local = local;
	d->remote_durables = durables;
	d->hops = dist < 0 ? 0 : dist + 1;
	if (d->hops || d->statically) {
		reconcile(d);
	} else {
		if (d->nconsumers)
			log_info("network", "Bridge %s: no more consumers of %s://%s on %s or beyond",
				 b->entry, type_name(type), name, b->remote_name);
		bool durable = d->durable;
		demand_ended(b, d);
		if (durable)
			drop_network_durable(b, name, false);
		drop_temp_copy(type, name);
	}
	if (direct)
		reconcile_others(b, type, name);
}

void bridge_open_static_demand(struct bridge *b)
{
	const struct conf_dest_filters *f = &b->nc->statically_included;
	for (size_t i = 0; i < f->n; i++) {
		enum dest_type type = f->v[i].topic ? DEST_TOPIC : DEST_QUEUE;
		struct bridge_demand *d = find_demand(b, type, f->v[i].pattern);
		if (!d && (d = calloc(1, sizeof *d)) && !(d->name = strdup(f->v[i].pattern))) {
			free(d);
			d = NULL;
		}
		if (!d)
			continue;
		if (!d->bridge) {
			d->bridge = b;
			d->type = type;
			d->hops = 1;
			d->next = b->demands;
			b->demands = d;
		}
		d->statically = true;
		reconcile(d);
	}
}

void bridge_receipt(struct bridge *b, const char *id)
{
	if (id && id[0] == 'd')
		bridge_delivered(b, strtoull(id + 1, NULL, 10));
}

void bridge_delivered(struct bridge *b, uint64_t delivery)
{
	for (struct bridge_demand *d = b->demands; d; d = d->next)
		for (size_t i = 0; i < d->nconsumers; i++) {
			struct qentry *e = consumer_find(d->consumers[i], delivery, NULL);
			if (e) {
				netflow_count(b->remote_name, b->remote_id, NETFLOW_OUTBOUND, d->type, e->msg->dest);
				consumer_ack(d->consumers[i], e, false);
				b->forwarded++;
				return;
			}
		}
}

void bridge_wake_demand(struct bridge *b)
{
	for (struct bridge_demand *d = b->demands; d; d = d->next)
		for (size_t i = 0; i < d->nconsumers; i++)
			consumer_wakeup(d->consumers[i]);
}

/* The destinations of b's demand that are forwarded (refused false) or
 * that its user may not read (true), comma-separated, into out. */
static void demand_list(const struct bridge *b, bool refused, char *out, size_t outlen)
{
	size_t len = 0;
	out[0] = '\0';
	for (const struct bridge_demand *d = b->demands; d && len < outlen; d = d->next)
		if (refused ? d->refused : d->nconsumers > 0)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s://%s", len ? "," : "",
						type_name(d->type), d->name);
}

void bridge_demand_text(const struct bridge *b, char *out, size_t outlen)
{
	demand_list(b, false, out, outlen);
}

void bridge_demand_refused_text(const struct bridge *b, char *out, size_t outlen)
{
	demand_list(b, true, out, outlen);
}
