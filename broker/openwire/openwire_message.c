/*
 * openwire_message.c - a JMS message to a core message and back
 * (openwire_message.h).
 *
 * Messages shared with STOMP and MQTT: a TextMessage's text is the
 * message body (UTF-8); JMSCorrelationID and JMSType are the headers
 * correlation-id and type; JMSPriority, JMSExpiration, JMSTimestamp and
 * the delivery mode are the message's own. A message whose body is not
 * UTF-8 goes to a JMS consumer as a BytesMessage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "buf.h"
#include "openwire_conn.h"
#include "openwire_message.h"

/* ---- from the client ---- */

static int add_header(struct header *h, size_t *nh, const char *name, const struct ow_str *v,
		      bool *oom)
{
	if (!v->s)
		return 0;
	h[*nh].name = strdup(name);
	h[*nh].value = ow_utf8_of(v, oom);
	(*nh)++;
	if (!h[*nh - 1].name || !h[*nh - 1].value)
		*oom = true;
	return *oom ? -1 : 0;
}

struct message *ow_message_to_core(const struct ow_message *om, enum dest_type type,
				   char *dest, bool *oom, char *err, size_t errlen)
{
	*oom = false;
	/* The text: a 32-bit length (-1: null) and modified UTF-8. */
	const uint8_t *p = om->content.data;
	uint32_t n = om->content.len;
	int64_t tlen = n >= 4 ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
					  (uint32_t)p[2] << 8 | p[3]) : -1;
	if (p && (n < 4 || tlen < -1 || tlen > (int64_t)n - 4)) {
		snprintf(err, errlen, "The TextMessage's body is malformed");
		free(dest);
		return NULL;
	}
	struct buf body = BUF_INIT;
	struct ow_str text = { (char *)(p ? p + 4 : NULL), tlen > 0 ? (uint32_t)tlen : 0 };
	bool bad = ow_str_to_utf8(&text, &body) < 0 || buf_append(&body, "", 0) < 0;
	struct header *h = calloc(3, sizeof *h);
	size_t nh = 0;
	if (!h || bad || add_header(h, &nh, "correlation-id", &om->correlation_id, &bad) < 0 ||
	    add_header(h, &nh, "type", &om->type, &bad) < 0)
		bad = true;
	char *reply_to = !bad ? ow_reply_to_header(om->reply_to, &bad) : NULL;	/* openwire_dest.c */
	if (reply_to && (h[nh].name = strdup("reply-to")))
		h[nh++].value = reply_to;
	else if (reply_to)
		free(reply_to), bad = true;
	size_t blen;
	char *b = bad ? NULL : buf_steal(&body, &blen);
	struct message *m = NULL;
	if (b) {
		char *id = broker_new_message_id();
		m = message_new_take(id, type, dest, h, nh, b, blen);
		if (m && !id) {
			message_unref(m);
			m = NULL;
		}
		dest = NULL;
		h = NULL;
	}
	buf_free(&body);
	free(dest);
	if (h)
		headers_free(h, nh);
	if (!m) {
		*oom = true;
		snprintf(err, errlen, "The broker is out of memory");
		return NULL;
	}
	m->persistent = om->persistent;
	m->priority = om->priority < 0 ? 0 : om->priority > MSG_PRIORITY_MAX ? MSG_PRIORITY_MAX
									      : (uint8_t)om->priority;
	m->expires = om->expiration > 0 ? om->expiration : 0;
	return m;
}

/* ---- to the client ---- */

/* What the consumer sees as JMSMessageID: the broker's message id, and
 * the producer id and sequence the client's duplicate check keys on,
 * taken from it so that a redelivery is recognised as the same message.
 * broker_sequence_id is the delivery, which the ack names. */
static struct ow_message_id *message_id_of(const struct message *m, uint64_t delivery)
{
	struct ow_message_id *id = (void *)ow_obj_new(OW_MESSAGE_ID);
	struct ow_producer_id *p = (void *)ow_obj_new(OW_PRODUCER_ID);
	if (!id || !p)
		goto fail;
	id->producer_id = p;
	id->broker_sequence_id = (int64_t)delivery;
	/* Ours are PREFIX:SEQ; the prefix names the producer. */
	const char *colon = strrchr(m->id, ':');
	char *end = NULL;
	unsigned long long seq = colon ? strtoull(colon + 1, &end, 10) : 0;
	bool ours = colon && end && !*end && colon[1];
	size_t plen = ours ? (size_t)(colon - m->id) : strlen(m->id);
	if (ow_str_from_utf8(&p->connection_id, m->id, plen) < 0 ||
	    ow_str_from_utf8(&id->text_view, m->id, strlen(m->id)) < 0)
		goto fail;
	id->producer_sequence_id = ours ? (int64_t)seq : 1;
	return id;
fail:
	ow_obj_free(id ? &id->h : NULL);
	if (!id && p)
		ow_obj_free(&p->h);
	return NULL;
}

/* The body: a TextMessage's 32-bit length and modified UTF-8 text, or a
 * BytesMessage's bytes when the body is no UTF-8. 0 or -1. */
static int put_body(struct ow_message *om, const struct message *m)
{
	struct ow_str s = { 0 };
	if (ow_str_from_utf8(&s, m->body, m->body_len) < 0) {
		om->c.h.type = OW_BYTES_MESSAGE;
		om->content.data = malloc(m->body_len + 1);
		if (!om->content.data)
			return -1;
		memcpy(om->content.data, m->body, m->body_len);
		om->content.data[m->body_len] = 0;
		om->content.len = (uint32_t)m->body_len;
		return 0;
	}
	om->content.data = malloc((size_t)s.len + 5);
	if (!om->content.data) {
		ow_str_clear(&s);
		return -1;
	}
	uint8_t *p = om->content.data;
	p[0] = (uint8_t)(s.len >> 24);
	p[1] = (uint8_t)(s.len >> 16);
	p[2] = (uint8_t)(s.len >> 8);
	p[3] = (uint8_t)s.len;
	memcpy(p + 4, s.s, s.len);
	p[4 + s.len] = 0;
	om->content.len = s.len + 4;
	ow_str_clear(&s);
	return 0;
}

/* The headers JMS has fields for. */
static int put_headers(struct ow_message *om, const struct message *m)
{
	const char *corr = message_header(m, "correlation-id");
	const char *type = message_header(m, "type");
	if (corr && ow_str_from_utf8(&om->correlation_id, corr, strlen(corr)) < 0)
		ow_str_set(&om->correlation_id, "", 0);
	if (type && ow_str_from_utf8(&om->type, type, strlen(type)) < 0)
		ow_str_set(&om->type, "", 0);
	om->reply_to = ow_reply_to_of(message_header(m, "reply-to"));	/* openwire_dest.c */
	return 0;
}

struct ow_message *ow_message_from_core(const struct message *m, uint64_t delivery,
					uint32_t redeliveries)
{
	struct ow_message *om = (void *)ow_obj_new(OW_TEXT_MESSAGE);
	if (!om)
		return NULL;
	om->message_id = message_id_of(m, delivery);
	om->destination = ow_destination_of(m->dest_type, m->dest);
	if (!om->message_id || !om->destination || put_body(om, m) < 0 ||
	    put_headers(om, m) < 0) {
		ow_obj_free(&om->c.h);
		return NULL;
	}
	om->producer_id = (void *)ow_obj_ref(&om->message_id->producer_id->h);
	om->persistent = m->persistent;
	om->priority = (int8_t)m->priority;
	om->expiration = m->expires;
	om->timestamp = m->timestamp;
	om->redelivery_counter = (int32_t)redeliveries;
	/* An advisory's subject (openwire_advisory.c). */
	if (ow_advisory_apply(om, m) < 0) {
		ow_obj_free(&om->c.h);
		return NULL;
	}
	return om;
}
