/*
 * model_mqtt.c - MQTT sessions in the management model (see model.h).
 *
 * One object per MQTT session the broker knows in memory: every connected
 * MQTT client, and each persistent (cleanSession=0) session whose client
 * connected since the broker started, connected or not:
 *
 *   org.apache.activemq:type=Broker,brokerName=B,service=MQTT,clientId=ID
 *
 * with its subscriptions (filter, granted QoS, broker destination,
 * in-flight and waiting counts) and its packet ids in flight. The
 * subscriptions of a persistent session are durable subscriptions too, so
 * they also show as Subscription objects, also after a restart.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "message.h"
#include "model.h"
#include "mqtt.h"
#include "mqtt_session.h"
#include "mqtt_sub.h"
#include "mqtt_topic.h"

#define SESSION(o) ((struct mqtt_session *)(o)->ptr)

static json_t *opt_string(const char *s) { return s ? json_string(s) : json_null(); }

static const struct mqtt_conn *mconn(const struct mobj *o)
{
	const struct conn *c = SESSION(o)->conn;
	return c ? c->state : NULL;
}

static json_t *s_client(const struct mobj *o) { return json_string(SESSION(o)->client_id); }
static json_t *s_clean(const struct mobj *o) { return json_boolean(!SESSION(o)->persistent); }
static json_t *s_connected(const struct mobj *o) { return json_boolean(SESSION(o)->conn != NULL); }
static json_t *s_since(const struct mobj *o) { return json_integer(SESSION(o)->since_ms); }
static json_t *s_remote(const struct mobj *o)
{
	const struct conn *c = SESSION(o)->conn;
	char s[96];
	snprintf(s, sizeof s, "tcp://%s", c ? c->peer : "");
	return c ? json_string(s) : json_null();
}
static json_t *s_keep_alive(const struct mobj *o)
{
	const struct mqtt_conn *mc = mconn(o);
	return mc ? json_integer(mc->keep_alive) : json_null();
}
static json_t *s_will(const struct mobj *o)
{
	const struct mqtt_conn *mc = mconn(o);
	if (!mc || !mc->will)
		return json_null();
	char *topic = mqtt_topic_from_dest(mc->will->dest);
	json_t *v = opt_string(topic);
	free(topic);
	return v;
}
static json_t *s_inflight(const struct mobj *o) { return json_count(SESSION(o)->nout); }
static json_t *s_awaiting(const struct mobj *o) { return json_count(SESSION(o)->nin); }

static void add_sub(void *ctx, const struct mqtt_sub_info *i)
{
	json_array_append_new(ctx, json_pack("{s:s, s:i, s:s, s:b, s:b, s:I, s:I}",
					     "TopicFilter", i->filter, "QoS", i->qos,
					     "Destination", i->dest, "Durable", i->durable,
					     "Active", i->active, "InFlight", (json_int_t)i->inflight,
					     "Pending", (json_int_t)i->pending));
}

static json_t *s_subs(const struct mobj *o)
{
	json_t *a = json_array();
	if (a)
		mqtt_sub_each(SESSION(o), add_sub, a);
	return a;
}

static const struct mattr session_attrs[] = {
	{ "ClientId", "java.lang.String", "The MQTT client id", s_client, NULL },
	{ "CleanSession", "boolean", "cleanSession=1: the session ends with the connection", s_clean, NULL },
	{ "Connected", "boolean", "Its client is connected", s_connected, NULL },
	{ "Since", "long", "Milliseconds since the epoch of its last connect or disconnect", s_since, NULL },
	{ "RemoteAddress", "java.lang.String", "The client's address while connected", s_remote, NULL },
	{ "KeepAlive", "int", "Keep-alive in seconds (0: none) while connected", s_keep_alive, NULL },
	{ "WillTopic", "java.lang.String", "The topic of its will, if any", s_will, NULL },
	{ "Subscriptions", "javax.management.openmbean.CompositeData[]",
	  "Each subscription: TopicFilter, QoS, Destination, Durable, Active, InFlight, Pending", s_subs, NULL },
	{ "InFlightCount", "int", "QoS 1/2 deliveries waiting for PUBACK, PUBREC or PUBCOMP", s_inflight, NULL },
	{ "AwaitingReleaseCount", "int", "QoS 2 messages received, waiting for their PUBREL", s_awaiting, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* By place in the list (a session per MQTT client id: many). */
static bool session_each_after(const char *after, mobj_fn fn, void *ctx)
{
	size_t place = 0, from = mobj_place_after(after);
	for (struct mqtt_session *s = mqtt_session_first(); s; s = s->next, place++) {
		if (place < from)
			continue;
		char client[MOBJ_NAME_MAX / 4];
		objname_quote(s->client_id, client, sizeof client);
		struct mobj o;
		mobj_set(&o, &mclass_mqtt_session, s, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			 "service=MQTT,clientId=%s", model_broker_name(), client);
		mobj_set_serial(&o, place);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool session_each(mobj_fn fn, void *ctx)
{
	return session_each_after(NULL, fn, ctx);
}

const struct mclass mclass_mqtt_session = { "MQTTSession", session_attrs, NULL, session_each,
					     session_each_after, NULL };
