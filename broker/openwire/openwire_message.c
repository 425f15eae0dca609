/*
 * openwire_message.c - a JMS message to a core message and back
 * (openwire_message.h).
 *
 * What maps to what (tandemd(8), OPENWIRE, says it for users):
 *   body            openwire_body.c: a TextMessage's text is the UTF-8
 *                   body, the other types' content the body as it is
 *   properties      openwire_props.c: headers in ActiveMQ's string forms,
 *                   their types in the reserved header (message_jms.h)
 *   JMSMessageID    the message's id: the producer's, as ActiveMQ keeps it
 *   JMSCorrelationID, JMSType
 *                   the headers correlation-id and type, as STOMP has them
 *   JMSReplyTo      the header reply-to in STOMP's forms: /queue/x,
 *                   /topic/x, /remote-temp-queue/x, /remote-temp-topic/x
 *   JMSXGroupID, JMSXGroupSeq
 *                   headers of those names (the second an int)
 *   JMSTimestamp    the producer's, in the reserved header (the core's
 *                   timestamp is when the broker took the message)
 *   JMSPriority, JMSExpiration, JMSDeliveryMode
 *                   the message's own priority, expires and persistent
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "buf.h"
#include "message_jms.h"
#include "openwire_body.h"
#include "openwire_conn.h"
#include "openwire_message.h"
#include "openwire_network.h"
#include "openwire_props.h"

/* ---- from the client ---- */

struct building {
	struct ow_headers h;
	struct buf jms;		/* the reserved header's value */
	bool oom;
	char *err;
	size_t errlen;
};

/* A string field as header `name` (none for Java's null). */
static int add_str(struct building *b, const char *name, const struct ow_str *v)
{
	struct buf u = BUF_INIT;
	int rc = 0;
	if (!v->s)
		return 0;
	if (ow_str_to_utf8(v, &u) < 0 || buf_append(&u, "", 0) < 0) {
		b->oom = true;
		rc = -1;
	} else if (strlen(buf_data(&u)) != buf_len(&u)) {
		snprintf(b->err, b->errlen, "The message's %s holds U+0000, which Tandem does "
			 "not keep", name);
		rc = -1;
	} else if (ow_headers_add(&b->h, name, buf_data(&u)) < 0) {
		b->oom = true;
		rc = -1;
	}
	buf_free(&u);
	return rc;
}

/* JMSReplyTo in STOMP's forms (openwire_dest.c). */
static int add_reply_to(struct building *b, const struct ow_destination *d)
{
	bool oom = false;
	char *v = d ? ow_reply_to_header(d, &oom) : NULL;
	int rc = v && ow_headers_add(&b->h, "reply-to", v) < 0 ? -1 : 0;
	free(v);
	if (oom || rc < 0) {
		b->oom = true;
		return -1;
	}
	return 0;
}

static int add_group(struct building *b, const struct ow_message *om)
{
	char seq[16];
	if (!om->group_id.s)
		return 0;
	snprintf(seq, sizeof seq, "%" PRId32, om->group_sequence);
	if (add_str(b, "JMSXGroupID", &om->group_id) < 0)
		return -1;
	if (ow_headers_add(&b->h, "JMSXGroupSeq", seq) < 0 ||
	    message_jms_put(&b->jms, 'i', "JMSXGroupSeq", 12) < 0) {
		b->oom = true;
		return -1;
	}
	return 0;
}

/* The producer's JMSTimestamp and a null text, as entries; the reserved
 * header last. */
static int add_reserved(struct building *b, const struct ow_message *om, bool null_text)
{
	char ts[24];
	int n = snprintf(ts, sizeof ts, "%" PRId64, om->timestamp);
	if ((om->timestamp && message_jms_put(&b->jms, JMS_ENTRY_TIMESTAMP, ts, (size_t)n) < 0) ||
	    (null_text && message_jms_put(&b->jms, JMS_ENTRY_NULL_TEXT, "", 0) < 0) ||
	    buf_append(&b->jms, "", 0) < 0 ||
	    ow_headers_add(&b->h, MESSAGE_JMS_HEADER, buf_data(&b->jms)) < 0) {
		b->oom = true;
		return -1;
	}
	return 0;
}

/* The message's id: the producer's (ActiveMQ's MessageId.toString), or a
 * broker one when it sent none. */
static char *id_of(const struct ow_message *om, bool *oom)
{
	const struct ow_message_id *id = om->message_id;
	if (id && id->text_view.s)
		return ow_utf8_of(&id->text_view, oom);
	if (!id || !id->producer_id || !id->producer_id->connection_id.s)
		return broker_new_message_id();
	char *conn = ow_utf8_of(&id->producer_id->connection_id, oom), *s = NULL;
	if (conn && asprintf(&s, "%s:%" PRId64 ":%" PRId64 ":%" PRId64, conn,
			     id->producer_id->session_id, id->producer_id->value,
			     id->producer_sequence_id) < 0)
		s = NULL;
	free(conn);
	return s;
}

static int build_headers(struct building *b, const struct ow_message *om, bool null_text)
{
	char kind = ow_body_kind(om->c.h.type);
	if (buf_append(&b->jms, &kind, 1) < 0) {
		b->oom = true;
		return -1;
	}
	if (add_str(b, "correlation-id", &om->correlation_id) < 0 ||
	    add_str(b, "type", &om->type) < 0 || add_reply_to(b, om->reply_to) < 0 ||
	    add_group(b, om) < 0 ||
	    ow_props_to_headers(&om->marshalled_properties, &b->h, &b->jms, &b->oom, b->err,
				b->errlen) < 0 || ow_network_path_header(om, &b->h, &b->oom) < 0)
		return -1;
	return add_reserved(b, om, null_text);
}

struct message *ow_message_to_core(const struct ow_message *om, enum dest_type type,
				   char *dest, size_t max_body, bool *oom, char *err,
				   size_t errlen)
{
	struct building b = { .jms = BUF_INIT, .err = err, .errlen = errlen };
	char *body = NULL, *id = NULL;
	size_t blen = 0;
	bool null_text;
	struct message *m = NULL;
	*oom = false;
	err[0] = 0;
	if (ow_body_to_core(om, max_body, &body, &blen, &null_text, oom, err, errlen) == 0 &&
	    build_headers(&b, om, null_text) == 0 && (id = id_of(om, &b.oom))) {
		m = message_new_take(id, type, dest, b.h.v, b.h.n, body, blen);
		b.h = (struct ow_headers){ 0 };
		dest = body = NULL;
		if (!m)
			b.oom = true;
	}
	*oom |= b.oom;
	if (!m && (*oom || !err[0]))
		snprintf(err, errlen, "The broker is out of memory");
	free(dest);
	free(body);
	ow_headers_clear(&b.h);
	buf_free(&b.jms);
	if (!m)
		return NULL;
	m->persistent = om->persistent;
	m->priority = om->priority < 0 ? 0 : om->priority > MSG_PRIORITY_MAX ? MSG_PRIORITY_MAX
									      : (uint8_t)om->priority;
	m->expires = om->expiration > 0 ? om->expiration : 0;
	return m;
}

/* ---- to the client ---- */

/* Whether s[0, n) is a decimal number; its value in *v. */
static bool numeric(const char *s, size_t n, int64_t *v)
{
	char buf[24], *end;
	if (!n || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	*v = strtoll(buf, &end, 10);
	return *end == 0 && buf[0] >= '0' && buf[0] <= '9';
}

/* What the consumer sees as JMSMessageID: the message's id, with the
 * producer id and sequence the client's duplicate check keys on taken
 * from it (a JMS producer's CONNECTION:SESSION:PRODUCER:SEQ; a broker
 * id's PREFIX:SEQ), so that a redelivery is recognised as the same
 * message. broker_sequence_id is the delivery, which the ack names. */
static struct ow_message_id *message_id_of(const struct message *m, uint64_t delivery)
{
	struct ow_message_id *id = (void *)ow_obj_new(OW_MESSAGE_ID);
	struct ow_producer_id *p = (void *)ow_obj_new(OW_PRODUCER_ID);
	if (!id || !p)
		goto fail;
	id->producer_id = p;
	id->broker_sequence_id = (int64_t)delivery;
	/* Up to three numeric fields from the right: seq, producer, session;
	 * cut[i] is where the fields peeled so far begin. */
	int64_t f[3] = { 1, 0, 0 };
	size_t cut[4] = { strlen(m->id) }, nf = 0;
	while (nf < 3) {
		const char *c = memrchr(m->id, ':', cut[nf]);
		if (!c || !numeric(c + 1, cut[nf] - (size_t)(c + 1 - m->id), &f[nf]))
			break;
		cut[++nf] = (size_t)(c - m->id);
	}
	if (nf < 3) {	/* not a JMS producer's: PREFIX:SEQ */
		f[1] = f[2] = 0;
		nf = nf ? 1 : 0;
	}
	size_t end = cut[nf];
	id->producer_sequence_id = f[0];
	p->value = f[1];
	p->session_id = f[2];
	if (ow_str_from_utf8(&p->connection_id, m->id, end) < 0 ||
	    ow_str_from_utf8(&id->text_view, m->id, strlen(m->id)) < 0)
		goto fail;
	return id;
fail:
	ow_obj_free(id ? &id->h : NULL);
	if (!id && p)
		ow_obj_free(&p->h);
	return NULL;
}

/* The headers JMS has fields for. A value no Java string holds (not
 * UTF-8) is left out. */
static int put_headers(struct ow_message *om, const struct message *m)
{
	const char *corr = message_header(m, "correlation-id");
	const char *type = message_header(m, "type");
	const char *reply = message_header(m, "reply-to");
	const char *group = message_header(m, "JMSXGroupID");
	const char *seq = message_header(m, "JMSXGroupSeq");
	if (corr)
		ow_str_from_utf8(&om->correlation_id, corr, strlen(corr));
	if (type)
		ow_str_from_utf8(&om->type, type, strlen(type));
	if (group)
		ow_str_from_utf8(&om->group_id, group, strlen(group));
	om->group_sequence = seq ? (int32_t)strtol(seq, NULL, 10) : 0;
	if (reply && !(om->reply_to = ow_reply_to_of(reply)))
		return -1;
	om->timestamp = m->timestamp;
	message_jms_timestamp(m, &om->timestamp);
	if (ow_network_path_of(om, m) < 0)
		return -1;
	return ow_props_from_message(m, &om->marshalled_properties);
}

struct ow_message *ow_message_from_core(const struct message *m, uint64_t delivery,
					uint32_t redeliveries)
{
	struct ow_message *om = (void *)ow_obj_new(OW_TEXT_MESSAGE);
	if (!om)
		return NULL;
	om->message_id = message_id_of(m, delivery);
	om->destination = ow_destination_of(m->dest_type, m->dest);
	if (!om->message_id || !om->destination || ow_body_from_core(om, m) < 0 ||
	    put_headers(om, m) < 0) {
		ow_obj_free(&om->c.h);
		return NULL;
	}
	om->producer_id = (void *)ow_obj_ref(&om->message_id->producer_id->h);
	om->persistent = m->persistent;
	om->priority = (int8_t)m->priority;
	om->expiration = m->expires;
	om->redelivery_counter = (int32_t)redeliveries;
	/* An advisory's subject (openwire_advisory.c). */
	if (ow_advisory_apply(om, m) < 0) {
		ow_obj_free(&om->c.h);
		return NULL;
	}
	return om;
}
