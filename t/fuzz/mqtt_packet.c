/*
 * mqtt_packet.c - fuzz harness: the MQTT packet parser (broker/mqtt/mqtt_packet.c).
 *
 * The first byte says how the rest is cut into the pieces the parser is
 * fed (any chunking must give the same packets). What the parser hands on
 * must keep its header's promises (mqtt_packet.h): strings are there and
 * NUL-terminated, topics and filters are valid. A packet that the
 * encoder can also write (PUBLISH, SUBSCRIBE, the acks, a 3.1.1 CONNECT)
 * must read back the same.
 *
 * The handler's side (mqtt.c) is not reached from here: a CONNECT whose
 * protocol name and level disagree is returned without a client id by
 * design, and on_connect must not read one (issue 16, point 1).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_packet.h"

#define MAX_PACKET 8192

static void broken(const char *what)
{
	fprintf(stderr, "mqtt_packet harness: %s\n", what);
	abort();
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static bool same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

static struct mqtt_packet *read_back(struct buf *out)
{
	struct mqtt_parser *p = mqtt_parser_new(4 * MAX_PACKET);
	struct mqtt_packet *back = NULL;
	const char *err = NULL;
	ssize_t used = p ? mqtt_parser_feed(p, out->data + out->off, buf_len(out), &back, &err) : -1;
	if (used != (ssize_t)buf_len(out) || !back) {
		fprintf(stderr, "%s\n", err ? err : "no packet");
		broken("what the encoder wrote does not parse back as one packet");
	}
	mqtt_parser_free(p);
	return back;
}

/* A password or will payload the encoder takes as a string. */
static bool stringy(const char *s, size_t len)
{
	return !s || strlen(s) == len;
}

static int encode(struct buf *out, const struct mqtt_packet *pk)
{
	switch (pk->type) {
	case MQTT_PUBLISH:
		return mqtt_put_publish(out, pk->qos, pk->retain, pk->dup, pk->topic, pk->packet_id,
					pk->payload, pk->payload_len);
	case MQTT_SUBSCRIBE:
		return mqtt_put_subscribe(out, pk->packet_id, pk->filters, pk->nfilters);
	case MQTT_PUBACK:
	case MQTT_PUBREC:
	case MQTT_PUBREL:
	case MQTT_PUBCOMP:
	case MQTT_UNSUBACK:
		return mqtt_put_ack(out, pk->type, pk->packet_id);
	case MQTT_CONNACK:
		return mqtt_put_connack(out, pk->session_present, pk->return_code);
	case MQTT_SUBACK:
		return mqtt_put_suback(out, pk->packet_id, pk->codes, pk->ncodes);
	case MQTT_PINGRESP:
		return mqtt_put_pingresp(out);
	case MQTT_CONNECT:
		if (pk->level != 4 || strcmp(pk->protocol, "MQTT") || !pk->client_id || !stringy(pk->password, pk->password_len) ||
		    !stringy(pk->will_payload, pk->will_len) || (pk->password && !pk->username))
			return 1;
		return mqtt_put_connect(out, pk->client_id, pk->clean_session, pk->keep_alive,
					pk->will ? pk->will_topic : NULL, pk->will_payload,
					pk->will_qos, pk->will_retain, pk->username, pk->password);
	default:
		return 1;	/* no encoder: the client's other packets */
	}
}

static void same_packet(const struct mqtt_packet *a, const struct mqtt_packet *b)
{
	bool same = a->type == b->type && a->flags == b->flags && a->packet_id == b->packet_id &&
		same_str(a->topic, b->topic) &&
		same_bytes(a->payload, a->payload_len, b->payload, b->payload_len) &&
		a->nfilters == b->nfilters && a->ncodes == b->ncodes &&
		same_bytes((const char *)a->codes, a->ncodes, (const char *)b->codes, b->ncodes) &&
		a->return_code == b->return_code && a->session_present == b->session_present;
	for (size_t i = 0; same && i < a->nfilters; i++)
		same = !strcmp(a->filters[i].filter, b->filters[i].filter) &&
		       a->filters[i].qos == b->filters[i].qos;
	if (same && a->type == MQTT_CONNECT)
		same = same_str(a->client_id, b->client_id) && a->keep_alive == b->keep_alive &&
		       a->clean_session == b->clean_session && a->will == b->will &&
		       same_str(a->will_topic, b->will_topic) &&
		       same_bytes(a->will_payload, a->will_len, b->will_payload, b->will_len) &&
		       a->will_qos == b->will_qos && a->will_retain == b->will_retain &&
		       same_str(a->username, b->username) && same_str(a->password, b->password);
	if (!same)
		broken("a packet read back differs");
}

static void check(const struct mqtt_packet *pk)
{
	if (pk->type == MQTT_PUBLISH &&
	    (!pk->topic || !mqtt_topic_name_valid(pk->topic, strlen(pk->topic)) || !pk->payload ||
	     pk->payload[pk->payload_len] != '\0'))
		broken("a PUBLISH without a valid topic or a terminated payload");
	for (size_t i = 0; i < pk->nfilters; i++)
		if (!pk->filters[i].filter ||
		    !mqtt_topic_filter_valid(pk->filters[i].filter, strlen(pk->filters[i].filter)))
			broken("a topic filter that is not valid");
	if (pk->type == MQTT_CONNECT) {
		bool matching = pk->protocol && ((!strcmp(pk->protocol, "MQTT") && pk->level == 4) ||
						 (!strcmp(pk->protocol, "MQIsdp") && pk->level == 3));
		if (matching && !pk->client_id)
			broken("a CONNECT of a known version without a client id");
		if (pk->will && (!pk->will_topic || !pk->will_payload))
			broken("a will without topic or payload");
	}
	struct buf out = { 0 };
	if (encode(&out, pk) == 0) {
		struct mqtt_packet *back = read_back(&out);
		same_packet(pk, back);
		mqtt_packet_free(back);
	}
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = data[0] ? data[0] : size;
	const char *in = (const char *)data + 1;
	size_t len = size - 1, off = 0;

	/* The checks on their own, on the raw bytes. */
	mqtt_utf8_valid(in, len);
	mqtt_topic_name_valid(in, len);
	mqtt_topic_filter_valid(in, len);

	struct mqtt_parser *p = mqtt_parser_new(MAX_PACKET);
	if (!p)
		return 0;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		struct mqtt_packet *pk = NULL;
		const char *err = NULL;
		ssize_t used = mqtt_parser_feed(p, in + off, n, &pk, &err);
		if (used < 0) {
			if (!err)
				broken("an error without a reason");
			break;
		}
		if ((size_t)used > n || (!used && !pk))
			broken("the parser neither used bytes nor gave a packet");
		off += (size_t)used;
		if (pk) {
			check(pk);
			mqtt_packet_free(pk);
		}
	}
	mqtt_parser_free(p);
	return 0;
}
