/*
 * mqtt_packet.c - MQTT 3.1.1 wire format (see mqtt_packet.h).
 *
 * The parser has three states: the first byte, the remaining length (one
 * to four bytes, seven bits each), and the body. A body that is wholly in
 * the bytes fed is decoded where it lies; one that arrives in pieces is
 * gathered in `body`, allocated once its length is known (and checked
 * against the limit). Decoding a body is a cursor over (data, len) that
 * fails as soon as a field would run past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "mqtt_packet.h"

enum pstate { P_HEADER, P_LENGTH, P_BODY };

struct mqtt_parser {
	enum pstate state;
	size_t max;
	uint8_t first;
	uint32_t remaining;
	int length_bytes;
	char *body;		/* P_BODY when gathering: remaining bytes */
	size_t got;
};

struct mqtt_parser *mqtt_parser_new(size_t max_packet)
{
	struct mqtt_parser *p = calloc(1, sizeof *p);
	if (p)
		p->max = max_packet;
	return p;
}

const char mqtt_err_too_large[] = "packet larger than wireFormat.maxFrameSize";

void mqtt_parser_set_max(struct mqtt_parser *p, size_t max_packet)
{
	p->max = max_packet;
}

size_t mqtt_parser_held(const struct mqtt_parser *p)
{
	return p->body ? p->remaining : 0;
}

void mqtt_parser_free(struct mqtt_parser *p)
{
	if (!p)
		return;
	free(p->body);
	free(p);
}

void mqtt_packet_free(struct mqtt_packet *p)
{
	if (!p)
		return;
	if (p->packed) {
		free(p);
		return;
	}
	free(p->protocol);
	free(p->client_id);
	free(p->will_topic);
	free(p->will_payload);
	free(p->username);
	free(p->password);
	free(p->topic);
	free(p->payload);
	for (size_t i = 0; i < p->nfilters; i++)
		free(p->filters[i].filter);
	free(p->filters);
	free(p->codes);
	free(p);
}

/* ---- checks ---- */

bool mqtt_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = u[i];
		size_t n;
		uint32_t cp, min;
		if (c == 0)
			return false;	/* U+0000 is forbidden in MQTT strings */
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and code points past U+10FFFF are
		 * ill-formed UTF-8. */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

bool mqtt_topic_name_valid(const char *s, size_t len)
{
	return len > 0 && len <= 65535 && !memchr(s, '+', len) && !memchr(s, '#', len);
}

bool mqtt_topic_filter_valid(const char *s, size_t len)
{
	if (len == 0 || len > 65535)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '+' && s[i] != '#')
			continue;
		bool starts = i == 0 || s[i - 1] == '/';
		bool ends = i + 1 == len || s[i + 1] == '/';
		if (!starts || !ends || (s[i] == '#' && i + 1 != len))
			return false;
	}
	return true;
}

/* ---- decoding a body ---- */

struct cursor {
	const unsigned char *p;
	size_t left;
	const char *err;
	char *space;		/* where strings go when not each to its own malloc */
};

/* n bytes of room for a string: in the packet's own block, or a new one. */
static char *room(struct cursor *c, size_t n)
{
	if (!c->space)
		return malloc(n);
	char *s = c->space;
	c->space += n;
	return s;
}

static bool fail(struct cursor *c, const char *why)
{
	if (!c->err)
		c->err = why;
	return false;
}

static bool get_u8(struct cursor *c, uint8_t *v)
{
	if (c->left < 1)
		return fail(c, "remaining length too short for the packet's fields");
	*v = c->p[0];
	c->p++;
	c->left--;
	return true;
}

static bool get_u16(struct cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return fail(c, "remaining length too short for the packet's fields");
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return true;
}

/* Length-prefixed bytes into a new NUL-terminated block. */
static bool get_bytes(struct cursor *c, char **out, size_t *outlen)
{
	uint16_t n;
	if (!get_u16(c, &n))
		return false;
	if (c->left < n)
		return fail(c, "a string runs past the remaining length");
	char *s = room(c, (size_t)n + 1);
	if (!s)
		return fail(c, "out of memory");
	memcpy(s, c->p, n);
	s[n] = '\0';
	c->p += n;
	c->left -= n;
	*out = s;
	if (outlen)
		*outlen = n;
	return true;
}

static bool get_string(struct cursor *c, char **out, size_t *outlen)
{
	size_t n;
	if (!get_bytes(c, out, &n))
		return false;
	if (!mqtt_utf8_valid(*out, n))
		return fail(c, "a string is not well-formed UTF-8");
	if (outlen)
		*outlen = n;
	return true;
}

static bool get_packet_id(struct cursor *c, struct mqtt_packet *pk)
{
	if (!get_u16(c, &pk->packet_id))
		return false;
	return pk->packet_id ? true : fail(c, "packet identifier 0");
}

static bool get_rest(struct cursor *c, char **out, size_t *outlen)
{
	char *s = room(c, c->left + 1);
	if (!s)
		return fail(c, "out of memory");
	memcpy(s, c->p, c->left);
	s[c->left] = '\0';
	*out = s;
	*outlen = c->left;
	c->p += c->left;
	c->left = 0;
	return true;
}

static bool decode_connect(struct cursor *c, struct mqtt_packet *pk)
{
	uint8_t flags;
	if (!get_string(c, &pk->protocol, NULL) || !get_u8(c, &pk->level))
		return false;
	if (strcmp(pk->protocol, "MQTT") && strcmp(pk->protocol, "MQIsdp"))
		return fail(c, "CONNECT names a protocol other than MQTT");
	if (pk->level != (strcmp(pk->protocol, "MQTT") ? 3 : 4)) {
		/* Another version (MQTT 5 has properties here), or a name and
		 * a level that disagree: the rest is not ours to read; the
		 * handler answers CONNACK 0x01 seeing version_ok false. */
		c->left = 0;
		return true;
	}
	pk->version_ok = true;
	if (!get_u8(c, &flags) || !get_u16(c, &pk->keep_alive))
		return false;
	/* MQTT 3.1 did not check the reserved flag, nor will QoS and retain
	 * without a will (mosquitto neither): ignored there. */
	if (pk->level == 3)
		flags &= (flags & 0x04) ? 0xfe : 0xc6;
	if (flags & 0x01)
		return fail(c, "CONNECT's reserved flag is set");
	pk->clean_session = flags & 0x02;
	pk->will = flags & 0x04;
	pk->will_qos = (flags >> 3) & 3;
	pk->will_retain = flags & 0x20;
	bool has_password = flags & 0x40, has_user = flags & 0x80;
	if (pk->will_qos == 3)
		return fail(c, "CONNECT asks for will QoS 3");
	if (!pk->will && (pk->will_qos || pk->will_retain))
		return fail(c, "CONNECT has will QoS or retain without a will");
	if (has_password && !has_user && pk->level >= 4)
		return fail(c, "CONNECT has a password without a user name");
	if (!get_string(c, &pk->client_id, NULL))
		return false;
	if (pk->will) {
		size_t n;
		if (!get_string(c, &pk->will_topic, &n) || !get_bytes(c, &pk->will_payload, &pk->will_len))
			return false;
		if (!mqtt_topic_name_valid(pk->will_topic, n))
			return fail(c, "the will topic is empty or holds a wildcard");
	}
	if (has_user && !get_string(c, &pk->username, NULL))
		return false;
	if (has_password && !get_bytes(c, &pk->password, &pk->password_len))
		return false;
	return true;
}

static bool decode_publish(struct cursor *c, struct mqtt_packet *pk)
{
	size_t n;
	pk->dup = pk->flags & 0x08;
	pk->qos = (pk->flags >> 1) & 3;
	pk->retain = pk->flags & 0x01;
	if (pk->qos == 3)
		return fail(c, "PUBLISH with QoS 3");
	if (pk->qos == 0 && pk->dup)
		return fail(c, "PUBLISH with QoS 0 and DUP set");
	if (!get_string(c, &pk->topic, &n))
		return false;
	if (!mqtt_topic_name_valid(pk->topic, n))
		return fail(c, "PUBLISH topic name is empty or holds a wildcard");
	if (pk->qos && !get_packet_id(c, pk))
		return false;
	return get_rest(c, &pk->payload, &pk->payload_len);
}

static bool decode_subscribe(struct cursor *c, struct mqtt_packet *pk, bool unsubscribe)
{
	if (!get_packet_id(c, pk))
		return false;
	if (c->left == 0)
		return fail(c, unsubscribe ? "UNSUBSCRIBE without a topic filter"
					   : "SUBSCRIBE without a topic filter");
	while (c->left > 0) {
		struct mqtt_filter *f = realloc(pk->filters, (pk->nfilters + 1) * sizeof *f);
		if (!f)
			return fail(c, "out of memory");
		pk->filters = f;
		f = &pk->filters[pk->nfilters];
		f->filter = NULL;
		f->qos = 0;
		size_t n;
		bool got = get_string(c, &f->filter, &n);
		if (f->filter)
			pk->nfilters++;
		if (!got)
			return false;
		if (!mqtt_topic_filter_valid(f->filter, n))
			return fail(c, "a topic filter is empty or uses + or # other than as a whole level");
		if (!unsubscribe) {
			if (!get_u8(c, &f->qos))
				return false;
			if (f->qos > 2)
				return fail(c, "SUBSCRIBE asks for QoS 3 or sets reserved bits");
		}
	}
	return true;
}

static bool decode_suback(struct cursor *c, struct mqtt_packet *pk)
{
	if (!get_packet_id(c, pk))
		return false;
	pk->ncodes = c->left;
	pk->codes = malloc(c->left ? c->left : 1);
	if (!pk->codes)
		return fail(c, "out of memory");
	memcpy(pk->codes, c->p, c->left);
	c->left = 0;
	return true;
}

/* The flags each type must carry (PUBLISH's are its own). */
static int required_flags(enum mqtt_type t)
{
	return t == MQTT_PUBREL || t == MQTT_SUBSCRIBE || t == MQTT_UNSUBSCRIBE ? 2 : 0;
}

static struct mqtt_packet *decode(uint8_t first, const char *data, size_t len,
				  const char **err)
{
	/* A PUBLISH's topic and payload (with their NULs in place of the
	 * topic's two length bytes) fit in len + 2 bytes after the packet:
	 * one malloc per message received instead of three. */
	bool packed = first >> 4 == MQTT_PUBLISH;
	struct mqtt_packet *pk = malloc(sizeof *pk + (packed ? len + 2 : 0));
	if (!pk) {
		*err = "out of memory";
		return NULL;
	}
	memset(pk, 0, sizeof *pk);
	pk->type = first >> 4;
	pk->flags = first & 0x0f;
	pk->packed = packed;
	struct cursor c = { (const unsigned char *)data, len, NULL, packed ? pk->space : NULL };
	bool ok;
	uint8_t ack_flags = 0;
	switch (pk->type) {
	case MQTT_CONNECT:
		ok = decode_connect(&c, pk);
		break;
	case MQTT_CONNACK:
		ok = get_u8(&c, &ack_flags) && get_u8(&c, &pk->return_code);
		pk->session_present = ack_flags & 1;
		if (ok && (ack_flags & 0xfe))
			ok = fail(&c, "CONNACK's reserved flags are set");
		break;
	case MQTT_PUBLISH:
		ok = decode_publish(&c, pk);
		break;
	case MQTT_PUBACK: case MQTT_PUBREC: case MQTT_PUBREL: case MQTT_PUBCOMP:
	case MQTT_UNSUBACK:
		ok = get_packet_id(&c, pk);
		break;
	case MQTT_SUBSCRIBE:
	case MQTT_UNSUBSCRIBE:
		ok = decode_subscribe(&c, pk, pk->type == MQTT_UNSUBSCRIBE);
		break;
	case MQTT_SUBACK:
		ok = decode_suback(&c, pk);
		break;
	default:	/* PINGREQ, PINGRESP, DISCONNECT: nothing after the header */
		ok = true;
		break;
	}
	if (ok && c.left)
		ok = fail(&c, "remaining length longer than the packet's fields");
	if (!ok) {
		*err = c.err;
		mqtt_packet_free(pk);
		return NULL;
	}
	return pk;
}

/* Checks the first byte: a known type with the flags it requires. */
static const char *check_first(uint8_t first)
{
	int type = first >> 4;
	if (type < MQTT_CONNECT || type > MQTT_DISCONNECT)
		return "unknown packet type (0 and 15 are reserved)";
	if (type != MQTT_PUBLISH && (first & 0x0f) != required_flags(type))
		return "reserved flags in the fixed header are wrong";
	return NULL;
}

ssize_t mqtt_parser_feed(struct mqtt_parser *p, const char *data, size_t len,
			 struct mqtt_packet **packet, const char **err)
{
	size_t used = 0;
	*packet = NULL;
	while (used < len) {
		unsigned char b = (unsigned char)data[used];
		switch (p->state) {
		case P_HEADER:
			if ((*err = check_first(b)) != NULL)
				return -1;
			p->first = b;
			p->remaining = 0;
			p->length_bytes = 0;
			p->state = P_LENGTH;
			used++;
			break;
		case P_LENGTH:
			p->remaining |= (uint32_t)(b & 0x7f) << (7 * p->length_bytes);
			p->length_bytes++;
			used++;
			if (b & 0x80) {
				if (p->length_bytes == 4) {
					*err = "remaining length longer than four bytes";
					return -1;
				}
				break;
			}
			if (p->remaining > p->max) {
				*err = mqtt_err_too_large;
				return -1;
			}
			p->state = P_BODY;
			p->got = 0;
			if (len - used >= p->remaining) {
				/* All there: decode in place. */
				p->state = P_HEADER;
				*packet = decode(p->first, data + used, p->remaining, err);
				used += p->remaining;
				return *packet ? (ssize_t)used : -1;
			}
			p->body = malloc(p->remaining ? p->remaining : 1);
			if (!p->body) {
				*err = "out of memory";
				return -1;
			}
			break;
		case P_BODY: {
			size_t n = p->remaining - p->got;
			if (n > len - used)
				n = len - used;
			memcpy(p->body + p->got, data + used, n);
			p->got += n;
			used += n;
			if (p->got < p->remaining)
				break;
			p->state = P_HEADER;
			*packet = decode(p->first, p->body, p->remaining, err);
			free(p->body);
			p->body = NULL;
			return *packet ? (ssize_t)used : -1;
		}
		}
	}
	return (ssize_t)used;
}

/* ---- encoding ---- */

static int put_header(struct buf *out, uint8_t first, size_t remaining)
{
	unsigned char h[5];
	size_t n = 0;
	if (remaining > 268435455)
		return -1;
	h[n++] = first;
	do {
		unsigned char b = remaining & 0x7f;
		remaining >>= 7;
		h[n++] = remaining ? b | 0x80 : b;
	} while (remaining);
	return buf_append(out, h, n);
}

static uint8_t publish_first(uint8_t qos, bool retain, bool dup)
{
	return (uint8_t)(MQTT_PUBLISH << 4 | (dup ? 8 : 0) | qos << 1 | (retain ? 1 : 0));
}

static void put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static int put_u16_buf(struct buf *out, uint16_t v)
{
	unsigned char b[2];
	put_u16(b, v);
	return buf_append(out, b, 2);
}

static int put_bytes(struct buf *out, const char *s, size_t n)
{
	if (n > 65535)
		return -1;
	return put_u16_buf(out, (uint16_t)n) | buf_append(out, s, n);
}

/* Appends the parts; on failure leaves out as it was. */
static int finish(struct buf *out, size_t mark, int rc)
{
	if (rc)
		buf_truncate(out, mark);
	return rc ? -1 : 0;
}

int mqtt_put_connack(struct buf *out, bool session_present, uint8_t code)
{
	unsigned char p[4] = { MQTT_CONNACK << 4, 2, session_present ? 1 : 0, code };
	return buf_append(out, p, sizeof p);
}

int mqtt_put_publish(struct buf *out, uint8_t qos, bool retain, bool dup,
		     const char *topic, uint16_t packet_id,
		     const char *payload, size_t payload_len)
{
	size_t tlen = strlen(topic);
	if (tlen > 65535)
		return -1;
	size_t mark = buf_len(out);
	uint8_t first = publish_first(qos, retain, dup);
	int rc = put_header(out, first, 2 + tlen + (qos ? 2 : 0) + payload_len);
	rc |= put_bytes(out, topic, tlen);
	if (qos)
		rc |= put_u16_buf(out, packet_id);
	rc |= buf_append(out, payload, payload_len);
	return finish(out, mark, rc);
}

void mqtt_publish_restamp(char *p, uint8_t qos, bool retain, bool dup, uint16_t packet_id)
{
	unsigned char *u = (unsigned char *)p;
	size_t at = 1;
	u[0] = publish_first(qos, retain, dup);
	while (u[at++] & 0x80)	/* the remaining length */
		;
	if (qos)
		put_u16(u + at + 2 + (u[at] << 8 | u[at + 1]), packet_id);
}

int mqtt_put_ack(struct buf *out, enum mqtt_type type, uint16_t packet_id)
{
	unsigned char p[4] = { (unsigned char)(type << 4 | required_flags(type)), 2 };
	put_u16(p + 2, packet_id);
	return buf_append(out, p, sizeof p);
}

int mqtt_put_suback(struct buf *out, uint16_t packet_id, const uint8_t *codes, size_t n)
{
	size_t mark = buf_len(out);
	int rc = put_header(out, MQTT_SUBACK << 4, 2 + n);
	rc |= put_u16_buf(out, packet_id);
	rc |= buf_append(out, codes, n);
	return finish(out, mark, rc);
}

int mqtt_put_pingresp(struct buf *out)
{
	unsigned char p[2] = { MQTT_PINGRESP << 4, 0 };
	return buf_append(out, p, sizeof p);
}

static size_t str_size(const char *s)
{
	return s ? 2 + strlen(s) : 0;
}

int mqtt_put_connect(struct buf *out, const char *client_id, bool clean,
		     uint16_t keep_alive, const char *will_topic,
		     const char *will_payload, uint8_t will_qos, bool will_retain,
		     const char *username, const char *password)
{
	uint8_t flags = (clean ? 0x02 : 0) | (username ? 0x80 : 0) | (password ? 0x40 : 0);
	if (will_topic)
		flags |= 0x04 | will_qos << 3 | (will_retain ? 0x20 : 0);
	size_t remaining = 10 + str_size(client_id) + str_size(username) + str_size(password);
	if (will_topic)
		remaining += str_size(will_topic) + str_size(will_payload ? will_payload : "");
	size_t mark = buf_len(out);
	int rc = put_header(out, MQTT_CONNECT << 4, remaining);
	rc |= put_bytes(out, "MQTT", 4);
	unsigned char v[4] = { 4, flags };
	put_u16(v + 2, keep_alive);
	rc |= buf_append(out, v, 4);
	rc |= put_bytes(out, client_id, strlen(client_id));
	if (will_topic) {
		rc |= put_bytes(out, will_topic, strlen(will_topic));
		const char *wp = will_payload ? will_payload : "";
		rc |= put_bytes(out, wp, strlen(wp));
	}
	if (username)
		rc |= put_bytes(out, username, strlen(username));
	if (password)
		rc |= put_bytes(out, password, strlen(password));
	return finish(out, mark, rc);
}

int mqtt_put_subscribe(struct buf *out, uint16_t packet_id,
		       const struct mqtt_filter *filters, size_t n)
{
	size_t remaining = 2;
	for (size_t i = 0; i < n; i++)
		remaining += str_size(filters[i].filter) + 1;
	size_t mark = buf_len(out);
	int rc = put_header(out, MQTT_SUBSCRIBE << 4 | 2, remaining);
	rc |= put_u16_buf(out, packet_id);
	for (size_t i = 0; i < n; i++) {
		rc |= put_bytes(out, filters[i].filter, strlen(filters[i].filter));
		rc |= buf_append(out, &filters[i].qos, 1);
	}
	return finish(out, mark, rc);
}
