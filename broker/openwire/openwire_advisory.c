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

/* Every OpenWire producer with a destination, broker-wide: few, and
 * counted only when one comes or goes. */
struct ow_producer {
	const struct conn *conn;
	int64_t session, value;
	enum dest_type type;
	char *dest;
	struct ow_producer *next;
};
static struct ow_producer *producers;

static void producer_advisory(const struct ow_producer *p, bool added)
{
	if (!strncmp(p->dest, "ActiveMQ.", 9))
		return;
	long count = 0;
	for (const struct ow_producer *q = producers; q; q = q->next)
		count += q->type == p->type && !strcmp(q->dest, p->dest);
	char topic[1200], dest[1100], conn[128], id[64], num[24];
	bool queue = p->type == DEST_QUEUE;
	snprintf(topic, sizeof topic, "%s%s", queue ? ADVISORY_PRODUCER_QUEUE_PREFIX
		 : ADVISORY_PRODUCER_TOPIC_PREFIX, p->dest);
	snprintf(dest, sizeof dest, "%s%s", queue ? "queue://" : "topic://", p->dest);
	advisory_conn_id(p->conn, conn, sizeof conn);
	snprintf(id, sizeof id, "%" PRId64 ":%" PRId64, p->session, p->value);
	snprintf(num, sizeof num, "%ld", count);
	const char *fields[] = {
		ADVISORY_SUBJECT, added ? "ProducerInfo" : "RemoveInfo",
		ADVISORY_DESTINATION, dest,
		ADVISORY_CONNECTION_ID, conn,
		ADVISORY_ID, id,
		"producerCount", num,
		NULL
	};
	advisory_event(topic, fields);
}

int ow_on_producer_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_producer_info *pi = (void *)o;
	if (!pi->producer_id || !pi->destination)
		return 0;	/* an anonymous producer: nothing to tell */
	bool oom = false;
	struct ow_producer *p = calloc(1, sizeof *p);
	if (p)
		p->dest = ow_utf8_of(&pi->destination->physical_name, &oom);
	if (!p || !p->dest) {
		free(p);
		return 0;	/* not told; the producer works */
	}
	uint8_t t = pi->destination->h.type;
	p->type = t == OW_TOPIC || t == OW_TEMP_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	p->conn = oc->conn;
	p->session = pi->producer_id->session_id;
	p->value = pi->producer_id->value;
	p->next = producers;
	producers = p;
	producer_advisory(p, true);
	return 0;
}

/* Forgets the producers `match` picks, telling each. */
static void producers_gone(const struct conn *c, bool (*match)(const struct ow_producer *,
							      const struct ow_obj *),
			   const struct ow_obj *id)
{
	for (struct ow_producer **pp = &producers; *pp;) {
		struct ow_producer *p = *pp;
		if (p->conn != c || (match && !match(p, id))) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		producer_advisory(p, false);
		free(p->dest);
		free(p);
	}
}

static bool producer_is(const struct ow_producer *p, const struct ow_obj *o)
{
	const struct ow_producer_id *id = (const void *)o;
	return p->session == id->session_id && p->value == id->value;
}

static bool producer_in_session(const struct ow_producer *p, const struct ow_obj *o)
{
	return p->session == ((const struct ow_session_id *)o)->value;
}

int ow_on_remove(struct ow_conn *oc, struct ow_obj *o)
{
	const struct ow_obj *id = ((struct ow_remove_info *)o)->object_id;
	if (id)
		ow_producers_forget(oc, id);
	if (id && id->type == OW_PRODUCER_ID)
		producers_gone(oc->conn, producer_is, id);
	else if (id && id->type == OW_SESSION_ID)
		producers_gone(oc->conn, producer_in_session, id);
	else if (id && id->type == OW_CONNECTION_ID)
		producers_gone(oc->conn, NULL, NULL);
	return ow_on_remove_info(oc, o);
}

/* ---- connections ---- */

void ow_advisory_connection(struct ow_conn *oc, bool added)
{
	struct conn *c = oc->conn;
	if (!added)
		producers_gone(c, NULL, NULL);
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
