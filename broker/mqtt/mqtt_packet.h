/*
 * mqtt_packet.h - MQTT 3.1.1 control packets: an incremental parser and
 * the encoder.
 *
 * The parser is a state machine fed whatever bytes arrived, in any
 * chunking (one byte at a time or many packets at once). It is bounded
 * before it allocates: a packet whose remaining length exceeds the limit
 * is refused as soon as the length is read. It checks everything the
 * standard makes a "malformed packet": the remaining length (at most four
 * bytes, and exactly what the packet's fields need), the fixed-header flags
 * each type reserves, unknown types, string lengths, UTF-8 (well formed, no
 * U+0000, no surrogates), topic names without wildcards, topic filters with
 * '+' and '#' only as whole levels ('#' last), QoS 3, packet id 0, empty
 * SUBSCRIBE and UNSUBSCRIBE, the CONNECT flags. Whether a packet may come
 * from a client at this point of the session is the handler's business
 * (mqtt.c), so every type parses, which lets the tests read back what the
 * encoder writes.
 *
 * An unsupported protocol version in CONNECT is not malformed: the packet is
 * returned with `version_ok` false and its `protocol` and `level` so that
 * the handler can answer CONNACK 0x01. Only those three fields are set
 * then: the rest of such a packet is another version's and is not read.
 * "MQTT" goes with level 4 and "MQIsdp" with level 3; a name and a level
 * that disagree are another version too, as mosquitto answers them.
 *
 * What a packet that parsed holds, whatever the input (the handler relies
 * on it): a CONNECT with version_ok has protocol and client_id (maybe ""),
 * will_topic and will_payload when `will`, username and password exactly
 * when their flags were set (a password alone only at level 3, as 3.1
 * allows); a PUBLISH has topic and payload; a SUBSCRIBE or UNSUBSCRIBE has
 * at least one filter; a SUBACK has codes.
 */
#ifndef TANDEM_MQTT_PACKET_H
#define TANDEM_MQTT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum mqtt_type {
	MQTT_CONNECT = 1, MQTT_CONNACK, MQTT_PUBLISH, MQTT_PUBACK, MQTT_PUBREC,
	MQTT_PUBREL, MQTT_PUBCOMP, MQTT_SUBSCRIBE, MQTT_SUBACK, MQTT_UNSUBSCRIBE,
	MQTT_UNSUBACK, MQTT_PINGREQ, MQTT_PINGRESP, MQTT_DISCONNECT,
};

/* CONNACK return codes. */
enum mqtt_connack {
	MQTT_CONNACK_ACCEPTED = 0,
	MQTT_CONNACK_BAD_LEVEL = 1,
	MQTT_CONNACK_BAD_ID = 2,
	MQTT_CONNACK_UNAVAILABLE = 3,
	MQTT_CONNACK_BAD_LOGIN = 4,
	MQTT_CONNACK_NOT_AUTHORIZED = 5,
};

#define MQTT_SUBACK_FAILURE 0x80

/* One topic filter of a SUBSCRIBE (qos) or UNSUBSCRIBE (qos 0). */
struct mqtt_filter {
	char *filter;
	uint8_t qos;
};

/* A parsed packet. Strings are separate malloc'ed, NUL-terminated blocks
 * that the holder may move out (leaving NULL), but for a PUBLISH's topic
 * and payload, which live in the packet's own block (`packed`): copy
 * those. Payloads carry a length and are NUL-terminated too (one byte
 * more than their length). */
struct mqtt_packet {
	enum mqtt_type type;
	uint8_t flags;		/* the fixed header's low four bits */
	uint16_t packet_id;	/* PUBLISH QoS > 0, acks, (UN)SUBSCRIBE, (UN)SUBACK */

	/* CONNECT */
	char *protocol;		/* "MQTT" (3.1.1) or "MQIsdp" (3.1) */
	uint8_t level;		/* 4 for 3.1.1, 3 for 3.1 */
	/* The protocol and level name 3.1.1 or 3.1, and the rest of the
	 * packet was read. False: nothing below is set. */
	bool version_ok;
	bool clean_session;
	uint16_t keep_alive;	/* seconds; 0 off */
	char *client_id;	/* may be "" */
	bool will;
	uint8_t will_qos;
	bool will_retain;
	char *will_topic;
	char *will_payload;
	size_t will_len;
	char *username;		/* NULL when absent */
	char *password;		/* NULL when absent; binary */
	size_t password_len;

	/* CONNACK */
	bool session_present;
	uint8_t return_code;

	/* PUBLISH */
	uint8_t qos;
	bool dup, retain;
	char *topic;
	char *payload;
	size_t payload_len;

	/* SUBSCRIBE, UNSUBSCRIBE; SUBACK return codes in `codes` */
	struct mqtt_filter *filters;
	size_t nfilters;
	uint8_t *codes;
	size_t ncodes;

	bool packed;		/* the strings are in space[], freed with it */
	char space[];
};

void mqtt_packet_free(struct mqtt_packet *p);

struct mqtt_parser;

/* max_packet bounds the remaining length (the bytes after the fixed
 * header). NULL on ENOMEM. */
struct mqtt_parser *mqtt_parser_new(size_t max_packet);
void mqtt_parser_free(struct mqtt_parser *p);
/* A new bound, from the next packet on (a connection's limit grows once
 * it is logged in, see conn.h). */
void mqtt_parser_set_max(struct mqtt_parser *p, size_t max_packet);
/* Bytes the parser holds for a packet arriving in pieces. */
size_t mqtt_parser_held(const struct mqtt_parser *p);

/* The reason mqtt_parser_feed() gives for a packet over max_packet. */
extern const char mqtt_err_too_large[];

/* Consumes bytes from data[0, len). Returns how many it used (<= len) and
 * stops right after the first complete packet, which it hands over in
 * *packet (the caller frees it with mqtt_packet_free); *packet is NULL
 * when more bytes are needed. On a malformed packet returns -1 and sets
 * *err to a static human-readable reason; the parser must not be fed
 * again (the standard says: close the connection). */
ssize_t mqtt_parser_feed(struct mqtt_parser *p, const char *data, size_t len,
			 struct mqtt_packet **packet, const char **err);

/* Checks. */
bool mqtt_utf8_valid(const char *s, size_t len);
/* A topic name to publish to: 1..65535 bytes, no '+' or '#'. */
bool mqtt_topic_name_valid(const char *s, size_t len);
/* A topic filter: '+' and '#' only as whole levels, '#' only last. */
bool mqtt_topic_filter_valid(const char *s, size_t len);

/* Encoding: each appends one packet to out and returns 0, or -1 when
 * memory runs out (out is then left as it was). */
int mqtt_put_connack(struct buf *out, bool session_present, uint8_t code);
int mqtt_put_publish(struct buf *out, uint8_t qos, bool retain, bool dup,
		     const char *topic, uint16_t packet_id,
		     const char *payload, size_t payload_len);
/* A PUBLISH that mqtt_put_publish wrote at p, with a packet id exactly
 * when qos is not 0, given these flags and this id instead: one
 * subscriber's copy of an encoding many share (mqtt_message.c). */
void mqtt_publish_restamp(char *p, uint8_t qos, bool retain, bool dup, uint16_t packet_id);
/* PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: type and packet id only. */
int mqtt_put_ack(struct buf *out, enum mqtt_type type, uint16_t packet_id);
int mqtt_put_suback(struct buf *out, uint16_t packet_id, const uint8_t *codes,
		    size_t n);
int mqtt_put_pingresp(struct buf *out);

/* The client's side, for tests and benchmarks. `will_topic` NULL: no
 * will; username/password NULL: absent. */
int mqtt_put_connect(struct buf *out, const char *client_id, bool clean,
		     uint16_t keep_alive, const char *will_topic,
		     const char *will_payload, uint8_t will_qos, bool will_retain,
		     const char *username, const char *password);
int mqtt_put_subscribe(struct buf *out, uint16_t packet_id,
		       const struct mqtt_filter *filters, size_t n);

#endif
