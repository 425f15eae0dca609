/*
 * bridge_openwire_demand.c - what an ActiveMQ broker's consumer
 * advisories say of its consumers, turned into the demand bridge_demand.c
 * forwards to (bridge_remote_demand), as a Tandem's advisories are.
 *
 * ActiveMQ tells each consumer once, when a bridge's advisory consumer
 * comes (every consumer it has then) and when it comes or goes: a
 * ConsumerInfo, then a RemoveInfo naming its ConsumerId. So a bridge keeps
 * the remote's consumers by id, and after each advisory gives
 * bridge_demand.c the destination's totals:
 *   - the remote's own consumers (an empty brokerPath);
 *   - its network consumers (other brokers' bridges: a brokerPath) as
 *     "BROKER:HOPS" routes, BROKER the last of the path (the broker the
 *     demand came through) and HOPS its length; one whose path holds this
 *     broker is this broker's own demand coming back, and is ignored, as
 *     ActiveMQ's DemandForwardingBridge ignores it;
 *   - the durable subscriptions of a topic (a subscriptionName), until a
 *     RemoveSubscriptionInfo says one is gone: bridge_demand.c keeps a
 *     network durable subscription here for them, as for a Tandem.
 * Browsers are no demand. The remote's offline durable subscriptions are
 * not told by its advisories: the network durable subscription kept here
 * holds what they miss until they come back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bridge_openwire.h"
#include "broker.h"
#include "buf.h"
#include "log.h"
#include "openwire_types.h"
#include "openwire_wire.h"

/* One consumer of the remote, or (consumer NULL) one of its durable
 * subscriptions. */
struct remote_consumer {
	struct bridge *bridge;
	char *id;		/* its ConsumerId as text; NULL for a durable subscription */
	enum dest_type type;
	char *dest;
	char *via;		/* "BROKER:HOPS" for another broker's bridge; NULL: its own */
	char *sub;		/* "CLIENT:NAME" of a durable subscription; NULL: none */
	struct remote_consumer *next;
};

static struct remote_consumer *remote;

static char *consumer_key(const struct ow_consumer_id *id)
{
	char *s = NULL;
	if (id && asprintf(&s, "%s:%lld:%lld", id->connection_id.s ? id->connection_id.s : "",
			   (long long)id->session_id, (long long)id->value) < 0)
		s = NULL;
	return s;
}

static void remote_free(struct remote_consumer *r)
{
	free(r->id);
	free(r->dest);
	free(r->via);
	free(r->sub);
	free(r);
}

/* Tells bridge_demand.c the remote's demand for (type, dest) as it is now. */
static void recount(struct bridge *b, enum dest_type type, const char *dest)
{
	long local = 0, durables = 0;
	struct buf via = BUF_INIT;
	for (const struct remote_consumer *r = remote; r; r = r->next) {
		if (r->bridge != b || r->type != type || strcmp(r->dest, dest))
			continue;
		if (!r->id)
			durables++;
		else if (!r->via)
			local++;
		else if ((buf_len(&via) && buf_append(&via, ",", 1) < 0) ||
			 buf_append(&via, r->via, strlen(r->via)) < 0)
			log_warn("network", "Bridge %s: out of memory", b->entry);
	}
	buf_append(&via, "", 0);
	bridge_remote_demand(b, type, dest, local, buf_len(&via) ? buf_data(&via) : "", durables);
	buf_free(&via);
}

static bool is_self(const struct ow_obj *o)
{
	const struct ow_broker_id *id = (const void *)o;
	return id && id->value.s && !strcmp(id->value.s, broker.id_prefix);
}

/* The route of a network consumer, "BROKER:HOPS"; NULL (and *ours) when
 * the path holds this broker. */
static char *route_of(const struct ow_array *path, bool *ours)
{
	*ours = false;
	if (!path->v || !path->n)
		return NULL;
	for (uint16_t i = 0; i < path->n; i++)
		if (is_self(path->v[i]))
			*ours = true;
	const struct ow_broker_id *last = (const void *)path->v[path->n - 1];
	char *s = NULL;
	if (!*ours && asprintf(&s, "%s:%u", last && last->value.s ? last->value.s : "?",
			       path->n) < 0)
		s = NULL;
	return s;
}

static bool known_durable(const struct bridge *b, enum dest_type type, const char *dest,
			  const char *sub)
{
	for (const struct remote_consumer *r = remote; r; r = r->next)
		if (r->bridge == b && !r->id && r->type == type && !strcmp(r->dest, dest) &&
		    !strcmp(r->sub, sub))
			return true;
	return false;
}

static struct remote_consumer *remote_new(struct bridge *b, enum dest_type type, const char *dest)
{
	struct remote_consumer *r = calloc(1, sizeof *r);
	if (!r || !(r->dest = strdup(dest))) {
		free(r);
		return NULL;
	}
	r->bridge = b;
	r->type = type;
	r->next = remote;
	remote = r;
	return r;
}

static void on_consumer(struct bridge *b, const struct ow_consumer_info *ci)
{
	const struct ow_destination *d = ci->destination;
	if (ci->browser || !d)
		return;
	enum dest_type type = d->h.type == OW_TOPIC || d->h.type == OW_TEMP_TOPIC ? DEST_TOPIC
										   : DEST_QUEUE;
	char *dest = bridge_ow_text(&d->physical_name), *key = consumer_key(ci->consumer_id);
	char *client = bridge_ow_text(&ci->client_id), *name = bridge_ow_text(&ci->subscription_name);
	bool ours;
	char *via = route_of(&ci->broker_path, &ours);
	char *sub = NULL;
	if (name && type == DEST_TOPIC && asprintf(&sub, "%s:%s", client ? client : "", name) < 0)
		sub = NULL;
	struct remote_consumer *r = NULL;
	if (!dest || !key || ours || strchr(dest, ','))
		;	/* nothing to forward to (composite destinations are not bridged) */
	else if ((r = remote_new(b, type, dest))) {
		r->id = key, key = NULL;
		r->via = via, via = NULL;
		if (sub && !known_durable(b, type, dest, sub)) {
			struct remote_consumer *ds = remote_new(b, type, dest);
			if (ds)
				ds->sub = strdup(sub);
		}
		recount(b, type, dest);
	}
	free(dest);
	free(key);
	free(client);
	free(name);
	free(via);
	free(sub);
}

/* Unlinks and frees the first remote consumer of b that fn picks, and
 * recounts its destination; false when there is none. */
static bool drop_one(struct bridge *b, bool (*fn)(const struct remote_consumer *r,
						 const void *arg), const void *arg)
{
	for (struct remote_consumer **pp = &remote; *pp; pp = &(*pp)->next) {
		struct remote_consumer *r = *pp;
		if (r->bridge != b || !fn(r, arg))
			continue;
		*pp = r->next;
		enum dest_type type = r->type;
		char *dest = r->dest;
		r->dest = NULL;
		remote_free(r);
		recount(b, type, dest);
		free(dest);
		return true;
	}
	return false;
}

static void drop_where(struct bridge *b, bool (*fn)(const struct remote_consumer *r,
						   const void *arg), const void *arg)
{
	while (drop_one(b, fn, arg))
		;
}

static bool same_id(const struct remote_consumer *r, const void *key)
{
	return r->id && !strcmp(r->id, key);
}

static bool same_sub(const struct remote_consumer *r, const void *sub)
{
	return !r->id && r->sub && !strcmp(r->sub, sub);
}

static void on_remove(struct bridge *b, const struct ow_remove_info *ri)
{
	if (!ri->object_id || ri->object_id->type != OW_CONSUMER_ID)
		return;
	char *key = consumer_key((const struct ow_consumer_id *)ri->object_id);
	if (key)
		drop_where(b, same_id, key);
	free(key);
}

static void on_remove_subscription(struct bridge *b, const struct ow_remove_subscription_info *rs)
{
	char *client = bridge_ow_text(&rs->client_id), *name = bridge_ow_text(&rs->subscription_name), *sub = NULL;
	if (name && asprintf(&sub, "%s:%s", client ? client : "", name) >= 0)
		drop_where(b, same_sub, sub);
	free(client);
	free(name);
	free(sub);
}

void bridge_ow_advisory(struct bridge *b, const struct ow_message *m)
{
	const struct ow_obj *o = m->data_structure;
	if (!o)
		return;
	if (o->type == OW_CONSUMER_INFO)
		on_consumer(b, (const struct ow_consumer_info *)o);
	else if (o->type == OW_REMOVE_INFO)
		on_remove(b, (const struct ow_remove_info *)o);
	else if (o->type == OW_REMOVE_SUBSCRIPTION_INFO)
		on_remove_subscription(b, (const struct ow_remove_subscription_info *)o);
}

void bridge_ow_demand_clear(struct bridge *b)
{
	for (struct remote_consumer **pp = &remote; *pp;) {
		struct remote_consumer *r = *pp;
		if (r->bridge == b) {
			*pp = r->next;
			remote_free(r);
		} else {
			pp = &r->next;
		}
	}
}
