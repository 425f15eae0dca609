/*
 * openwire_advisory.c - advisories as JMS clients read them (ActiveMQ's
 * AdvisorySupport and AdvisoryBroker are the specification).
 *
 * The core publishes advisories whose subject is in headers (advisory.h):
 * temporary destinations, consumers. Here they become what the Java
 * client expects: an ActiveMQMessage whose dataStructure is the
 * DestinationInfo, ConsumerInfo, ProducerInfo, ConnectionInfo or
 * RemoveInfo, with the consumerCount or producerCount property
 * (ow_advisory_apply(), called as each message is turned into the
 * client's).
 *
 * Producers and connections are OpenWire's own (STOMP and MQTT have no
 * producer to announce): ProducerInfo and RemoveInfo are told on
 * ActiveMQ.Advisory.Producer.Queue.NAME (or .Topic.NAME), a JMS
 * connection that logs in and goes on ActiveMQ.Advisory.Connection.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "openwire_conn.h"
#include "openwire_map.h"
#include "openwire_message.h"
#include "openwire_network.h"
#include "strmap.h"

/* ---- a core advisory as the client's ---- */

static const struct {
	const char *prefix;
	uint8_t type;
} dest_forms[] = {
	{ "queue://", OW_QUEUE },
	{ "topic://", OW_TOPIC },
	{ "temp-queue://", OW_TEMP_QUEUE },
	{ "temp-topic://", OW_TEMP_TOPIC },
};

/* "queue://NAME" and its kin as the client's destination; NULL when it
 * is none of them or memory ran out. */
static struct ow_destination *dest_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof dest_forms / sizeof dest_forms[0]; i++) {
		size_t n = strlen(dest_forms[i].prefix);
		if (strncmp(s, dest_forms[i].prefix, n))
			continue;
		struct ow_destination *d = (void *)ow_obj_new(dest_forms[i].type);
		if (d && ow_str_from_utf8(&d->physical_name, s + n, strlen(s + n)) < 0) {
			ow_obj_free(&d->h);
			return NULL;
		}
		return d;
	}
	return NULL;
}

static int str_of(struct ow_str *out, const char *s)
{
	return s ? ow_str_from_utf8(out, s, strlen(s)) : 0;
}

static struct ow_connection_id *connection_id_of(const char *s)
{
	struct ow_connection_id *id = (void *)ow_obj_new(OW_CONNECTION_ID);
	if (id && str_of(&id->value, s ? s : "") < 0) {
		ow_obj_free(&id->h);
		return NULL;
	}
	return id;
}

/* "SESSION:VALUE" of connection `conn` as a ConsumerId or ProducerId. */
static struct ow_obj *member_id_of(uint8_t type, const char *conn, const char *id)
{
	long long session = 0, value = 0;
	if (id)
		sscanf(id, "%lld:%lld", &session, &value);
	struct ow_obj *o = ow_obj_new(type);
	if (!o)
		return NULL;
	int rc;
	if (type == OW_CONSUMER_ID) {
		struct ow_consumer_id *c = (void *)o;
		c->session_id = session;
		c->value = value;
		rc = str_of(&c->connection_id, conn ? conn : "");
	} else {
		struct ow_producer_id *p = (void *)o;
		p->session_id = session;
		p->value = value;
		rc = str_of(&p->connection_id, conn ? conn : "");
	}
	if (rc < 0) {
		ow_obj_free(o);
		return NULL;
	}
	return o;
}

/* Each subject kind from the message's headers; NULL when memory ran
 * out (or a header it needs is missing). */
typedef struct ow_obj *subject_fn(const struct message *m);

static struct ow_obj *destination_info(const struct message *m)
{
	struct ow_destination_info *di = (void *)ow_obj_new(OW_DESTINATION_INFO);
	if (!di)
		return NULL;
	const char *op = message_header(m, ADVISORY_OPERATION);
	di->operation_type = op && !strcmp(op, "remove") ? OW_DEST_REMOVE : OW_DEST_ADD;
	di->connection_id = connection_id_of(message_header(m, ADVISORY_CONNECTION_ID));
	di->destination = dest_parse(message_header(m, ADVISORY_DESTINATION));
	if (!di->connection_id || !di->destination) {
		ow_obj_free(&di->c.h);
		return NULL;
	}
	return &di->c.h;
}

/* A ConsumerInfo or ProducerInfo: its id (of type id_type) and its
 * destination, at those offsets. */
static struct ow_obj *member_info(const struct message *m, uint8_t type, uint8_t id_type,
				  size_t id_off, size_t dest_off)
{
	struct ow_obj *o = ow_obj_new(type);
	if (!o)
		return NULL;
	struct ow_obj **id = (void *)((char *)o + id_off);
	struct ow_destination **d = (void *)((char *)o + dest_off);
	*id = member_id_of(id_type, message_header(m, ADVISORY_CONNECTION_ID),
			   message_header(m, ADVISORY_ID));
	*d = dest_parse(message_header(m, ADVISORY_DESTINATION));
	if (!*id || !*d) {
		ow_obj_free(o);
		return NULL;
	}
	return o;
}

/* What ActiveMQ's network bridges read of a consumer besides its id and
 * destination (advisory.h, ADVISORY_PRIORITY and the rest): its
 * priority, selector and durable subscription (which a bridge keeps on
 * its side), whether it is a bridge's, and that bridge's broker path
 * (so that a bridge does not forward back to a broker the consumer is
 * reached through, nor further than its networkTTL). */
static struct ow_obj *consumer_info(const struct message *m)
{
	struct ow_consumer_info *ci = (void *)member_info(m, OW_CONSUMER_INFO, OW_CONSUMER_ID,
			offsetof(struct ow_consumer_info, consumer_id),
			offsetof(struct ow_consumer_info, destination));
	if (!ci)
		return NULL;
	const char *prio = message_header(m, ADVISORY_PRIORITY);
	const char *net = message_header(m, ADVISORY_NETWORK);
	ci->priority = prio ? (int8_t)strtol(prio, NULL, 10) : 0;
	ci->network_subscription = net && !strcmp(net, "true");
	if (str_of(&ci->selector, message_header(m, ADVISORY_SELECTOR)) < 0 ||
	    str_of(&ci->subscription_name, message_header(m, ADVISORY_SUBSCRIPTION)) < 0 ||
	    (ci->subscription_name.s &&
	     str_of(&ci->client_id, message_header(m, ADVISORY_CLIENT_ID)) < 0) ||
	    ow_broker_path_parse(&ci->broker_path, message_header(m, ADVISORY_BROKER_PATH)) < 0) {
		ow_obj_free(&ci->c.h);
		return NULL;
	}
	return &ci->c.h;
}

static struct ow_obj *producer_info(const struct message *m)
{
	return member_info(m, OW_PRODUCER_INFO, OW_PRODUCER_ID,
			   offsetof(struct ow_producer_info, producer_id),
			   offsetof(struct ow_producer_info, destination));
}

static struct ow_obj *connection_info(const struct message *m)
{
	struct ow_connection_info *ci = (void *)ow_obj_new(OW_CONNECTION_INFO);
	if (!ci)
		return NULL;
	ci->connection_id = connection_id_of(message_header(m, ADVISORY_CONNECTION_ID));
	if (!ci->connection_id || str_of(&ci->client_id, message_header(m, ADVISORY_CLIENT_ID)) < 0 ||
	    str_of(&ci->user_name, message_header(m, ADVISORY_USER)) < 0) {
		ow_obj_free(&ci->c.h);
		return NULL;
	}
	return &ci->c.h;
}

/* What went: a consumer, a producer or a connection, by the topic. */
static struct ow_obj *remove_info(const struct message *m)
{
	struct ow_remove_info *ri = (void *)ow_obj_new(OW_REMOVE_INFO);
	if (!ri)
		return NULL;
	const char *conn = message_header(m, ADVISORY_CONNECTION_ID);
	const char *id = message_header(m, ADVISORY_ID);
	if (!strncmp(m->dest, ADVISORY_PREFIX, strlen(ADVISORY_PREFIX)))
		ri->object_id = member_id_of(OW_CONSUMER_ID, conn, id);
	else if (!strncmp(m->dest, "ActiveMQ.Advisory.Producer.", 27))
		ri->object_id = member_id_of(OW_PRODUCER_ID, conn, id);
	else
		ri->object_id = (void *)connection_id_of(conn);
	if (!ri->object_id) {
		ow_obj_free(&ri->c.h);
		return NULL;
	}
	return &ri->c.h;
}

static const struct {
	const char *name;
	subject_fn *make;
} subjects[] = {
	{ "DestinationInfo", destination_info },
	{ "ConsumerInfo", consumer_info },
	{ "ProducerInfo", producer_info },
	{ "ConnectionInfo", connection_info },
	{ "RemoveInfo", remove_info },
};

/* The properties ActiveMQ sets on an advisory: the counts (ints), the
 * broker that sent it. */
static int put_properties(struct ow_message *om, const struct message *m)
{
	/* Each property from the first header that has it. */
	static const char *const counts[][2] = {
		{ "consumerCount", "consumerCount" },
		{ "consumerCount", ADVISORY_COUNT },
		{ "producerCount", "producerCount" },
	};
	struct ow_map *map = calloc(1, sizeof *map);
	struct buf b = BUF_INIT;
	int rc = map ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		const char *v = message_header(m, counts[i][1]);
		if (v && !ow_map_get(map, counts[i][0]))
			rc = ow_map_add(map, counts[i][0], (struct ow_value){
				.type = OWP_INT, .v.i32 = (int32_t)strtol(v, NULL, 10) });
	}
	const char *name = broker.cfg->broker_name;
	struct ow_str text = { 0 };
	if (rc == 0 && ow_str_from_utf8(&text, name, strlen(name)) == 0)
		rc = ow_map_add(map, "originBrokerName", (struct ow_value){ .type = OWP_STRING,
				.v.bytes = { (uint8_t *)text.s, text.len } });
	if (rc == 0)
		rc = ow_map_encode(map, &b);
	ow_map_free(map);
	if (rc < 0) {
		buf_free(&b);
		return -1;
	}
	size_t len;
	ow_bytes_clear(&om->marshalled_properties);
	om->marshalled_properties.data = (uint8_t *)buf_steal(&b, &len);
	om->marshalled_properties.len = (uint32_t)len;
	return om->marshalled_properties.data ? 0 : -1;
}

int ow_advisory_apply(struct ow_message *om, const struct message *m)
{
	const char *subject = message_header(m, ADVISORY_SUBJECT);
	if (!subject)
		return 0;
	size_t i, n = sizeof subjects / sizeof subjects[0];
	for (i = 0; i < n && strcmp(subjects[i].name, subject); i++)
		;
	struct ow_obj *ds = i < n ? subjects[i].make(m) : NULL;
	if (!ds)
		return -1;
	/* ActiveMQ's advisories are plain ActiveMQMessages without a body. */
	om->c.h.type = OW_MESSAGE;
	ow_bytes_clear(&om->content);
	ow_obj_free(om->data_structure);
	om->data_structure = ds;
	return put_properties(om, m);
}

/* ---- producers ---- */

/* How many OpenWire producers each destination has, broker-wide, by
 * "Q:NAME" or "T:NAME": their advisories' producerCount, kept as they
 * come and go. Counting them over every producer of the broker at each,
 * as before, held the loop for minutes under 100,000 ProducerInfos on
 * one connection (t/42-many-per-connection.t). */
struct producer_count {
	char *key;
	long n;
};
static struct strmap producer_counts;

/* Adds delta to the count of (type, dest): the count now. */
static long count_producers(enum dest_type type, const char *dest, int delta)
{
	char key[1100];
	snprintf(key, sizeof key, "%c:%s", type == DEST_QUEUE ? 'Q' : 'T', dest);
	struct producer_count *pc = strmap_get(&producer_counts, key);
	if (!pc && delta > 0) {
		pc = calloc(1, sizeof *pc);
		if (!pc || !(pc->key = strdup(key)) ||
		    strmap_put(&producer_counts, pc->key, pc) < 0) {
			if (pc)
				free(pc->key);
			free(pc);
			return 1;	/* told, not counted: memory ran out */
		}
	}
	if (!pc)
		return 0;
	long n = pc->n += delta;
	if (n <= 0) {
		strmap_del(&producer_counts, pc->key);
		free(pc->key);
		free(pc);
		if (!producer_counts.count)
			strmap_clear(&producer_counts);	/* its slots too */
	}
	return n;
}

void ow_producer_advisory(struct ow_conn *oc, int64_t session, int64_t value,
			  enum dest_type type, const char *dest, bool added)
{
	long count = count_producers(type, dest, added ? 1 : -1);
	if (!strncmp(dest, "ActiveMQ.", 9))
		return;
	char topic[1200], name[1100], conn[128], id[64], num[24];
	bool queue = type == DEST_QUEUE;
	snprintf(topic, sizeof topic, "%s%s", queue ? ADVISORY_PRODUCER_QUEUE_PREFIX
		 : ADVISORY_PRODUCER_TOPIC_PREFIX, dest);
	snprintf(name, sizeof name, "%s%s", queue ? "queue://" : "topic://", dest);
	advisory_conn_id(oc->conn, conn, sizeof conn);
	snprintf(id, sizeof id, "%" PRId64 ":%" PRId64, session, value);
	snprintf(num, sizeof num, "%ld", count);
	const char *fields[] = {
		ADVISORY_SUBJECT, added ? "ProducerInfo" : "RemoveInfo",
		ADVISORY_DESTINATION, name,
		ADVISORY_CONNECTION_ID, conn,
		ADVISORY_ID, id,
		"producerCount", num,
		NULL
	};
	advisory_event(topic, fields);
}

/* ---- connections ---- */

void ow_advisory_connection(struct ow_conn *oc, bool added)
{
	struct conn *c = oc->conn;
	char id[128];
	advisory_conn_id(c, id, sizeof id);
	const char *fields[] = {
		ADVISORY_SUBJECT, added ? "ConnectionInfo" : "RemoveInfo",
		ADVISORY_CONNECTION_ID, id,
		ADVISORY_CLIENT_ID, c->client_id ? c->client_id : "",
		ADVISORY_USER, c->user ? c->user : "",
		NULL
	};
	advisory_event(ADVISORY_CONNECTION, fields);
}
