/* The MQTT 3.1.1 packet parser and encoder: any chunking (whole, byte by
 * byte, three bytes at a time) gives the same packets; every malformed
 * packet the standard names is refused with a reason, before anything
 * oversized is allocated; what the encoder writes parses back. */
#include <stdbool.h>
#include <stdlib.h>

#include "mqtt_packet.h"
#include "tap.h"

#define MAXP 1024
#define BYTES(s) s, sizeof s - 1

/* Parses data in chunks of `chunk` bytes (0: all at once). Returns the
 * packets (up to max) and their count, or -1 with *err on a refusal. */
static int parse(const char *data, size_t len, size_t chunk,
		 struct mqtt_packet **out, int max, const char **err)
{
	struct mqtt_parser *p = mqtt_parser_new(MAXP);
	int n = 0;
	size_t off = 0;
	*err = NULL;
	while (off < len) {
		size_t avail = chunk && len - off > chunk ? chunk : len - off;
		size_t pos = 0;
		while (pos < avail) {
			struct mqtt_packet *pk;
			ssize_t used = mqtt_parser_feed(p, data + off + pos, avail - pos, &pk, err);
			if (used < 0) {
				mqtt_parser_free(p);
				for (int i = 0; i < n; i++)
					mqtt_packet_free(out[i]);
				return -1;
			}
			pos += (size_t)used;
			if (pk && n < max)
				out[n++] = pk;
			else
				mqtt_packet_free(pk);
		}
		off += avail;
	}
	mqtt_parser_free(p);
	return n;
}

static const size_t chunks[] = { 0, 1, 3 };
#define NCHUNKS (sizeof chunks / sizeof chunks[0])

/* The one packet data holds, parsed the same in every chunking. */
static struct mqtt_packet *one(const char *data, size_t len, const char *label)
{
	struct mqtt_packet *kept = NULL;
	for (size_t i = 0; i < NCHUNKS; i++) {
		struct mqtt_packet *pk[2];
		const char *err;
		int n = parse(data, len, chunks[i], pk, 2, &err);
		char name[160];
		snprintf(name, sizeof name, "%s: one packet (chunk %zu)", label, chunks[i]);
		if (!ok(n == 1, name))
			diag("n=%d err=%s", n, err ? err : "-");
		for (int k = 0; k < n; k++) {
			if (!kept && k == 0)
				kept = pk[k];
			else
				mqtt_packet_free(pk[k]);
		}
	}
	return kept;
}

/* data is refused in every chunking, with a reason. */
static void refused(const char *data, size_t len, const char *label)
{
	for (size_t i = 0; i < NCHUNKS; i++) {
		struct mqtt_packet *pk[2];
		const char *err;
		int n = parse(data, len, chunks[i], pk, 2, &err);
		char name[200];
		snprintf(name, sizeof name, "refused: %s (chunk %zu)", label, chunks[i]);
		if (!ok(n == -1 && err && *err, name))
			diag("n=%d", n);
		else if (i == 0)
			diag("%s: %s", label, err);
	}
}

static void test_connect(void)
{
	struct buf b = BUF_INIT;
	ok(mqtt_put_connect(&b, "dev-1", false, 30, "status/dev-1", "gone", 1, true,
			    "user", "secret") == 0, "CONNECT encodes");
	struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), "CONNECT with will and login");
	if (pk) {
		is(pk->type, MQTT_CONNECT, "type CONNECT");
		is_str(pk->protocol, "MQTT", "protocol name");
		is(pk->level, 4, "level 4");
		is(pk->clean_session, 0, "clean session off");
		is(pk->keep_alive, 30, "keep alive");
		is_str(pk->client_id, "dev-1", "client id");
		ok(pk->will && pk->will_qos == 1 && pk->will_retain, "will, QoS 1, retained");
		is_str(pk->will_topic, "status/dev-1", "will topic");
		ok(pk->will_len == 4 && !memcmp(pk->will_payload, "gone", 4), "will payload");
		is_str(pk->username, "user", "user name");
		ok(pk->password_len == 6 && !memcmp(pk->password, "secret", 6), "password");
	}
	mqtt_packet_free(pk);
	buf_reset(&b);

	mqtt_put_connect(&b, "", true, 0, NULL, NULL, 0, false, NULL, NULL);
	pk = one(buf_data(&b), buf_len(&b), "CONNECT, empty id, clean");
	if (pk)
		ok(pk->clean_session && !pk->will && !pk->username && !pk->password &&
		   pk->client_id && !*pk->client_id, "empty client id, clean session, no will/login");
	mqtt_packet_free(pk);
	buf_free(&b);

	/* MQTT 5 (level 5): returned with its level for CONNACK 0x01. */
	static const char v5[] = "\x10\x10\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x03" "abc";
	pk = one(BYTES(v5), "CONNECT level 5");
	if (pk)
		is(pk->level, 5, "an unsupported level is handed to the handler");
	mqtt_packet_free(pk);

	static const char v31[] = "\x10\x11\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x03" "abc";
	pk = one(BYTES(v31), "CONNECT MQTT 3.1");
	if (pk)
		ok(pk->level == 3 && !strcmp(pk->client_id, "abc"), "3.1 (MQIsdp) parses");
	mqtt_packet_free(pk);
}

/* What a CONNECT that parsed holds, whatever the bytes: the handler
 * (mqtt.c on_connect) reads these fields without checking them again.
 * The first two rows crashed tandemd (issue 16): a name and a level that
 * disagree were returned without a client id. */
static const struct {
	const char *label;
	const char *data;
	size_t len;
	bool version_ok, will, user, password;
} connects[] = {
	{ "MQTT with level 3", BYTES("\x10\x0d\x00\x04MQTT\x03\x02\x00\x3c\x00\x01x"),
	  false, false, false, false },
	{ "MQIsdp with level 4", BYTES("\x10\x0f\x00\x06MQIsdp\x04\x02\x00\x3c\x00\x01x"),
	  false, false, false, false },
	{ "MQTT with level 5 and properties", BYTES("\x10\x10\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x03" "abc"),
	  false, false, false, false },
	{ "MQTT with level 0", BYTES("\x10\x0d\x00\x04MQTT\x00\x02\x00\x3c\x00\x01x"),
	  false, false, false, false },
	{ "MQIsdp with level 3, a password without a user (3.1 allows it)",
	  BYTES("\x10\x13\x00\x06MQIsdp\x03\x42\x00\x3c\x00\x01x\x00\x02pw"),
	  true, false, false, true },
	{ "MQTT 4, a user without a password", BYTES("\x10\x10\x00\x04MQTT\x04\x82\x00\x3c\x00\x01x\x00\x01u"),
	  true, false, true, false },
	{ "MQTT 4, a will with an empty message", BYTES("\x10\x12\x00\x04MQTT\x04\x06\x00\x3c\x00\x01x\x00\x01t\x00\x00"),
	  true, true, false, false },
	{ "MQTT 4, an empty client id, will, user and password",
	  BYTES("\x10\x19\x00\x04MQTT\x04\xc6\x00\x00\x00\x00\x00\x01t\x00\x01m\x00\x01u\x00\x02pw"),
	  true, true, true, true },
};

static void test_connect_fields(void)
{
	for (size_t i = 0; i < sizeof connects / sizeof connects[0]; i++) {
		struct mqtt_packet *pk = one(connects[i].data, connects[i].len, connects[i].label);
		if (!pk)
			continue;
		char name[200];
		snprintf(name, sizeof name, "%s: version_ok %d, protocol kept", connects[i].label,
			 connects[i].version_ok);
		ok(pk->version_ok == connects[i].version_ok && pk->protocol, name);
		snprintf(name, sizeof name, "%s: a client id exactly when the version is read",
			 connects[i].label);
		ok(!pk->client_id == !connects[i].version_ok, name);
		snprintf(name, sizeof name, "%s: will topic and message with the will flag only",
			 connects[i].label);
		ok(pk->will == connects[i].will && !pk->will_topic == !pk->will &&
		   !pk->will_payload == !pk->will, name);
		snprintf(name, sizeof name, "%s: user name and password as flagged", connects[i].label);
		ok(!pk->username == !connects[i].user && !pk->password == !connects[i].password, name);
		mqtt_packet_free(pk);
	}
}

static void test_publish(void)
{
	struct buf b = BUF_INIT;
	static const char payload[] = "a\0b\xff";
	for (int qos = 0; qos <= 2; qos++) {
		buf_reset(&b);
		ok(mqtt_put_publish(&b, (uint8_t)qos, qos == 1, qos == 2, "a/b/c", 77,
				    payload, 4) == 0, "PUBLISH encodes");
		char label[64];
		snprintf(label, sizeof label, "PUBLISH QoS %d", qos);
		struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), label);
		if (!pk)
			continue;
		ok(pk->type == MQTT_PUBLISH && pk->qos == qos, "type and QoS");
		is(pk->retain, qos == 1, "retain flag");
		is(pk->dup, qos == 2, "dup flag");
		is_str(pk->topic, "a/b/c", "topic");
		is(pk->packet_id, qos ? 77 : 0, "packet id only with QoS > 0");
		ok(pk->payload_len == 4 && !memcmp(pk->payload, payload, 4) &&
		   pk->payload[4] == '\0', "binary payload, NUL-terminated");
		mqtt_packet_free(pk);
	}
	/* Remaining lengths of two and three bytes. */
	size_t sizes[] = { 200, 20000 };
	for (size_t i = 0; i < 2; i++) {
		char *big = malloc(sizes[i]);
		memset(big, 'x', sizes[i]);
		buf_reset(&b);
		mqtt_put_publish(&b, 1, false, false, "t", 1, big, sizes[i]);
		struct mqtt_parser *p = mqtt_parser_new(1 << 20);
		struct mqtt_packet *pk = NULL;
		const char *err;
		size_t off = 0;
		while (off < buf_len(&b) && !pk) {
			ssize_t n = mqtt_parser_feed(p, buf_data(&b) + off, 1, &pk, &err);
			if (n < 0)
				break;
			off += (size_t)n;
		}
		ok(pk && pk->payload_len == sizes[i], "a multi-byte remaining length, byte by byte");
		mqtt_packet_free(pk);
		mqtt_parser_free(p);
		free(big);
	}
	/* Empty payload (clears a retained message). */
	buf_reset(&b);
	mqtt_put_publish(&b, 0, true, false, "r", 0, "", 0);
	struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), "PUBLISH empty payload");
	if (pk)
		ok(pk->payload_len == 0 && pk->retain, "zero-length retained payload");
	mqtt_packet_free(pk);
	buf_free(&b);
}

/* A PUBLISH encoded once and given another subscriber's flags and id is
 * byte for byte what encoding it for that subscriber writes: with a one
 * and a two-byte remaining length, from QoS 0 to QoS 0 and from each QoS
 * above 0 to every other. */
static void test_restamp(void)
{
	static const struct { uint8_t from_qos, qos; bool retain, dup; uint16_t id; } cases[] = {
		{ 0, 0, false, false, 0 }, { 0, 0, true, false, 0 },
		{ 1, 1, false, false, 513 }, { 1, 2, true, true, 65535 },
		{ 2, 1, false, true, 1 }, { 2, 2, false, false, 258 },
	};
	static const size_t sizes[] = { 10, 300 };
	char payload[300];
	memset(payload, 'p', sizeof payload);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (size_t k = 0; k < 2; k++) {
			struct buf shared = BUF_INIT, own = BUF_INIT;
			mqtt_put_publish(&shared, cases[i].from_qos, !cases[i].retain, false,
					 "a/topic", 7, payload, sizes[k]);
			mqtt_put_publish(&own, cases[i].qos, cases[i].retain, cases[i].dup,
					 "a/topic", cases[i].id, payload, sizes[k]);
			mqtt_publish_restamp(buf_data(&shared), cases[i].qos, cases[i].retain,
					     cases[i].dup, cases[i].id);
			char name[120];
			snprintf(name, sizeof name, "restamped QoS %u to QoS %u retain %d dup %d "
				 "id %u, %zu-byte payload", cases[i].from_qos, cases[i].qos,
				 cases[i].retain, cases[i].dup, cases[i].id, sizes[k]);
			ok(buf_len(&shared) == buf_len(&own) &&
			   !memcmp(buf_data(&shared), buf_data(&own), buf_len(&own)), name);
			buf_free(&shared);
			buf_free(&own);
		}
	}
}

static void test_subscriptions(void)
{
	struct buf b = BUF_INIT;
	struct mqtt_filter f[] = { { "a/+/c", 1 }, { "#", 2 }, { "$SYS/#", 0 } };
	ok(mqtt_put_subscribe(&b, 9, f, 3) == 0, "SUBSCRIBE encodes");
	struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), "SUBSCRIBE");
	if (pk) {
		ok(pk->type == MQTT_SUBSCRIBE && pk->packet_id == 9 && pk->nfilters == 3,
		   "three filters, packet id");
		ok(!strcmp(pk->filters[0].filter, "a/+/c") && pk->filters[0].qos == 1 &&
		   !strcmp(pk->filters[1].filter, "#") && pk->filters[1].qos == 2 &&
		   !strcmp(pk->filters[2].filter, "$SYS/#") && pk->filters[2].qos == 0,
		   "filters and requested QoS");
	}
	mqtt_packet_free(pk);
	buf_free(&b);

	static const char unsub[] = "\xa2\x09\x00\x05\x00\x01" "a\x00\x02" "b#";
	refused(BYTES(unsub), "UNSUBSCRIBE filter b# (# inside a level)");
	static const char unsub2[] = "\xa2\x0a\x00\x05\x00\x01" "a\x00\x03" "b/#";
	pk = one(BYTES(unsub2), "UNSUBSCRIBE");
	if (pk)
		ok(pk->nfilters == 2 && !strcmp(pk->filters[1].filter, "b/#"), "two filters");
	mqtt_packet_free(pk);

	static const uint8_t codes[] = { 0, 1, 2, MQTT_SUBACK_FAILURE };
	struct buf s = BUF_INIT;
	mqtt_put_suback(&s, 300, codes, 4);
	pk = one(buf_data(&s), buf_len(&s), "SUBACK");
	if (pk)
		ok(pk->packet_id == 300 && pk->ncodes == 4 && !memcmp(pk->codes, codes, 4),
		   "SUBACK codes round-trip");
	mqtt_packet_free(pk);
	buf_free(&s);
}

static void test_small(void)
{
	enum mqtt_type acks[] = { MQTT_PUBACK, MQTT_PUBREC, MQTT_PUBREL, MQTT_PUBCOMP,
				  MQTT_UNSUBACK };
	for (size_t i = 0; i < 5; i++) {
		struct buf b = BUF_INIT;
		mqtt_put_ack(&b, acks[i], 65535);
		struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), "ack");
		ok(pk && pk->type == acks[i] && pk->packet_id == 65535, "ack round-trips");
		mqtt_packet_free(pk);
		buf_free(&b);
	}
	struct buf b = BUF_INIT;
	mqtt_put_connack(&b, true, MQTT_CONNACK_BAD_LOGIN);
	struct mqtt_packet *pk = one(buf_data(&b), buf_len(&b), "CONNACK");
	ok(pk && pk->session_present && pk->return_code == 4, "CONNACK round-trips");
	mqtt_packet_free(pk);
	buf_free(&b);

	/* Several packets in one read come out one by one, in order. */
	static const char many[] = "\xc0\x00" "\x40\x02\x00\x05" "\x30\x05\x00\x01" "xab" "\xe0\x00";
	for (size_t i = 0; i < NCHUNKS; i++) {
		struct mqtt_packet *p[8];
		const char *err;
		int n = parse(BYTES(many), chunks[i], p, 8, &err);
		ok(n == 4 && p[0]->type == MQTT_PINGREQ && p[1]->type == MQTT_PUBACK &&
		   p[1]->packet_id == 5 && p[2]->type == MQTT_PUBLISH && p[2]->payload_len == 2 &&
		   p[3]->type == MQTT_DISCONNECT, "four packets in a row, in order");
		for (int k = 0; k < n; k++)
			mqtt_packet_free(p[k]);
	}
}

static void test_refusals(void)
{
	/* Unknown types. */
	refused(BYTES("\x00\x00"), "packet type 0");
	refused(BYTES("\xf0\x00"), "packet type 15");
	/* Reserved flags. */
	refused(BYTES("\x60\x02\x00\x01"), "PUBREL without flags 0010");
	refused(BYTES("\x80\x06\x00\x01\x00\x01" "a\x00"), "SUBSCRIBE with flags 0000");
	refused(BYTES("\xa0\x05\x00\x01\x00\x01" "a"), "UNSUBSCRIBE with flags 0000");
	refused(BYTES("\xc1\x00"), "PINGREQ with a flag set");
	refused(BYTES("\x42\x02\x00\x01"), "PUBACK with a flag set");
	refused(BYTES("\xe8\x00"), "DISCONNECT with a flag set");
	refused(BYTES("\x11\x00"), "CONNECT with a flag set");
	/* Remaining length. */
	refused(BYTES("\x30\xff\xff\xff\xff\x01"), "remaining length of five bytes");
	refused(BYTES("\x40\x01\x00"), "PUBACK remaining length too short");
	refused(BYTES("\x40\x03\x00\x01\x00"), "PUBACK remaining length too long");
	refused(BYTES("\xc0\x01\x00"), "PINGREQ with a remaining length");
	refused(BYTES("\x30\x01\x00"), "PUBLISH too short for its topic length");
	refused(BYTES("\x30\x04\x00\x05" "ab"), "PUBLISH topic runs past the packet");
	refused(BYTES("\x32\x03\x00\x01" "a"), "PUBLISH QoS 1 without a packet id");
	refused(BYTES("\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x05" "a"),
		"CONNECT client id past the end");
	/* Too large: refused from the header alone (no body bytes follow). */
	refused(BYTES("\x30\xd1\x0f"), "PUBLISH larger than maxFrameSize, from its header");
	/* PUBLISH content. */
	refused(BYTES("\x36\x04\x00\x01" "a\x00"), "PUBLISH QoS 3");
	refused(BYTES("\x38\x03\x00\x01" "a"), "PUBLISH QoS 0 with DUP");
	refused(BYTES("\x30\x05\x00\x03" "a/+"), "PUBLISH topic with +");
	refused(BYTES("\x30\x05\x00\x03" "a/#"), "PUBLISH topic with #");
	refused(BYTES("\x30\x02\x00\x00"), "PUBLISH with an empty topic");
	refused(BYTES("\x32\x05\x00\x01" "a\x00\x00"), "PUBLISH QoS 1 with packet id 0");
	refused(BYTES("\x30\x04\x00\x02\xc3\x28"), "topic: invalid UTF-8 continuation");
	refused(BYTES("\x30\x04\x00\x02" "a\x00"), "topic: U+0000");
	refused(BYTES("\x30\x05\x00\x03\xed\xa0\x80"), "topic: a UTF-16 surrogate");
	refused(BYTES("\x30\x04\x00\x02\xc0\xaf"), "topic: overlong UTF-8");
	refused(BYTES("\x30\x03\x00\x01\xff"), "topic: byte 0xff");
	refused(BYTES("\x30\x04\x00\x02\xe2\x82"), "topic: truncated UTF-8 sequence");
	/* SUBSCRIBE / UNSUBSCRIBE content. */
	refused(BYTES("\x82\x02\x00\x01"), "SUBSCRIBE without a filter");
	refused(BYTES("\xa2\x02\x00\x01"), "UNSUBSCRIBE without a filter");
	refused(BYTES("\x82\x06\x00\x01\x00\x01" "a\x03"), "SUBSCRIBE QoS 3");
	refused(BYTES("\x82\x06\x00\x01\x00\x01" "a\x81"), "SUBSCRIBE with reserved bits");
	refused(BYTES("\x82\x05\x00\x01\x00\x01" "a"), "SUBSCRIBE without its QoS byte");
	refused(BYTES("\x82\x0a\x00\x01\x00\x05" "a/#/b\x00"), "filter with # not last");
	refused(BYTES("\x82\x07\x00\x01\x00\x02" "a+\x00"), "filter with + inside a level");
	refused(BYTES("\x82\x05\x00\x01\x00\x00\x00"), "empty filter");
	refused(BYTES("\x82\x06\x00\x00\x00\x01" "a\x00"), "SUBSCRIBE with packet id 0");
	/* CONNECT content. */
	refused(BYTES("\x10\x0f\x00\x04MQTX\x04\x02\x00\x3c\x00\x03" "abc"), "protocol name MQTX");
	refused(BYTES("\x10\x0f\x00\x04MQTT\x04\x03\x00\x3c\x00\x03" "abc"), "CONNECT reserved flag");
	refused(BYTES("\x10\x0f\x00\x04MQTT\x04\x1e\x00\x3c\x00\x03" "abc"), "will QoS 3");
	refused(BYTES("\x10\x0f\x00\x04MQTT\x04\x22\x00\x3c\x00\x03" "abc"), "will retain, no will");
	refused(BYTES("\x10\x0f\x00\x04MQTT\x04\x0a\x00\x3c\x00\x03" "abc"), "will QoS, no will");
	refused(BYTES("\x10\x13\x00\x04MQTT\x04\x42\x00\x3c\x00\x03" "abc\x00\x02pw"),
		"password without user name");
	refused(BYTES("\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01\xc3"), "client id not UTF-8");
	refused(BYTES("\x10\x13\x00\x04MQTT\x04\x06\x00\x3c\x00\x01" "a\x00\x01+\x00\x01x"),
		"will topic with a wildcard");
}

static void test_checks(void)
{
	ok(mqtt_utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15), "UTF-8 of 1-4 bytes");
	ok(!mqtt_utf8_valid("\xf4\x90\x80\x80", 4), "past U+10FFFF refused");
	ok(mqtt_topic_filter_valid("+", 1) && mqtt_topic_filter_valid("+/+/#", 5) &&
	   mqtt_topic_filter_valid("/+/", 3) && mqtt_topic_filter_valid("a//b", 4),
	   "whole-level wildcards and empty levels are valid filters");
	ok(!mqtt_topic_filter_valid("#/a", 3) && !mqtt_topic_filter_valid("a/b+", 4),
	   "misplaced wildcards are not");
	ok(mqtt_topic_name_valid("/", 1) && !mqtt_topic_name_valid("", 0),
	   "topic names: '/' yes, empty no");
}

/* A connection's limit grows at login (conn.h); held() is the body of a
 * packet arriving in pieces. */
static void test_limit_and_held(void)
{
	struct mqtt_parser *p = mqtt_parser_new(8192);
	struct mqtt_packet *pk = NULL;
	const char *err = NULL;
	static const char big[] = "\x30\xa0\x9c\x01";	/* PUBLISH of 20000 bytes */
	ok(mqtt_parser_feed(p, BYTES(big), &pk, &err) == -1 && err == mqtt_err_too_large,
	   "20000 bytes over a limit of 8192: mqtt_err_too_large, from the header");
	mqtt_parser_free(p);
	p = mqtt_parser_new(8192);
	mqtt_parser_set_max(p, 1 << 20);
	ok(mqtt_parser_feed(p, BYTES(big), &pk, &err) == 4 && !pk, "taken after set_max");
	ok(mqtt_parser_held(p) == 20000, "held: the body gathered");
	mqtt_parser_free(p);
}

int main(void)
{
	test_connect();
	test_connect_fields();
	test_publish();
	test_restamp();
	test_subscriptions();
	test_small();
	test_refusals();
	test_checks();
	test_limit_and_held();
	return done_testing();
}
