/*
 * openwire_props.c - a JMS message's properties as core headers and back
 * (openwire_props.h). The property types are MarshallingSupport's
 * (openwire_map.h); a type letter of the reserved header (message_jms.h)
 * names each, by the table below.
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_jms.h"
#include "openwire_map.h"
#include "openwire_nested.h"
#include "openwire_props.h"

/* ActiveMQ bounds a message's properties by nothing but the frame. */
static const struct ow_map_limits props_limits = { INT32_MAX, INT32_MAX, 8 };

/* ActiveMQ's int property on an MQTT publish, which Tandem's MQTT side
 * keeps as a header of that name. */
#define MQTT_QOS_PROPERTY "ActiveMQ.MQTT.QoS"

/* The typed property kinds and the letter each is kept as. */
static const struct {
	uint8_t ptype;
	char letter;
} kinds[] = {
	{ OWP_BOOL, 'z' }, { OWP_BYTE, 'b' }, { OWP_CHAR, 'c' }, { OWP_SHORT, 's' },
	{ OWP_INT, 'i' }, { OWP_LONG, 'l' }, { OWP_FLOAT, 'f' }, { OWP_DOUBLE, 'd' },
};

static char letter_of(uint8_t ptype)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].ptype == ptype)
			return kinds[i].letter;
	return 0;
}

static uint8_t ptype_of(char letter)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].letter == letter)
			return kinds[i].ptype;
	return OWP_STRING;
}

/* ---- header lists ---- */

int ow_headers_add(struct ow_headers *h, const char *name, const char *value)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct header *v = realloc(h->v, cap * sizeof *v);
		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	char *n = strdup(name), *val = strdup(value);
	if (!n || !val) {
		free(n);
		free(val);
		return -1;
	}
	h->v[h->n++] = (struct header){ n, val };
	return 0;
}

void ow_headers_clear(struct ow_headers *h)
{
	if (h->v)
		headers_free(h->v, h->n);
	*h = (struct ow_headers){ 0 };
}

/* ---- Java's string forms ---- */

/* Java writes 1.0E-4 and 1.0E7 in computerized notation, and plain
 * decimals between, always with a digit after the point. */
static void java_layout(const char *digits, int exp10, bool neg, double ax, char *out,
			size_t outlen)
{
	size_t nd = strlen(digits);
	const char *sign = neg ? "-" : "";
	if (ax >= 1e-3 && ax < 1e7) {
		char ip[32] = "", fp[40] = "";
		if (exp10 >= 0) {
			for (int i = 0; i <= exp10; i++)
				ip[i] = (size_t)i < nd ? digits[i] : '0';
			ip[exp10 + 1] = 0;
			snprintf(fp, sizeof fp, "%s", (size_t)exp10 + 1 < nd ? digits + exp10 + 1 : "0");
		} else {
			snprintf(ip, sizeof ip, "0");
			snprintf(fp, sizeof fp, "%.*s%s", -exp10 - 1, "0000", digits);
		}
		snprintf(out, outlen, "%s%s.%s", sign, ip, fp);
	} else {
		snprintf(out, outlen, "%s%c.%s" "E%d", sign, digits[0], nd > 1 ? digits + 1 : "0",
			 exp10);
	}
}

void ow_java_double(double x, bool is_float, char *out, size_t outlen)
{
	if (isnan(x)) {
		snprintf(out, outlen, "NaN");
		return;
	}
	if (isinf(x)) {
		snprintf(out, outlen, "%sInfinity", x < 0 ? "-" : "");
		return;
	}
	if (x == 0) {
		snprintf(out, outlen, "%s0.0", signbit(x) ? "-" : "");
		return;
	}
	/* The fewest digits that read back as x, as Java prints. Any decimal
	 * of at most DBL_DIG (FLT_DIG) digits survives a round trip, so when
	 * the shortest has that many or fewer, printing that many gives it
	 * padded with zeros, stripped below; otherwise one or two digits more
	 * do. Trying every count from 1 took 20 us for some doubles. */
	char e[40];
	int fewest = is_float ? FLT_DIG : DBL_DIG, most = is_float ? 9 : 17;
	for (int p = fewest; p <= most; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, x);
		if (is_float ? strtof(e, NULL) == (float)x : strtod(e, NULL) == x)
			break;
	}
	/* e is [-]D[.DDD]e±XX */
	char digits[24];
	size_t nd = 0;
	const char *p = e + (e[0] == '-');
	for (; *p && *p != 'e' && nd < sizeof digits - 1; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	int exp10 = *p == 'e' ? atoi(p + 1) : 0;
	java_layout(digits, exp10, x < 0, fabs(x), out, outlen);
}

int ow_props_value_text(const struct ow_value *v, char *num, size_t numlen,
			const struct ow_bytes **text)
{
	*text = NULL;
	switch (v->type) {
	case OWP_BOOL: snprintf(num, numlen, "%s", v->v.b ? "true" : "false"); return 0;
	case OWP_BYTE: snprintf(num, numlen, "%d", v->v.i8); return 0;
	case OWP_SHORT: snprintf(num, numlen, "%d", v->v.i16); return 0;
	case OWP_INT: snprintf(num, numlen, "%" PRId32, v->v.i32); return 0;
	case OWP_LONG: snprintf(num, numlen, "%" PRId64, v->v.i64); return 0;
	case OWP_FLOAT: ow_java_double(v->v.f, true, num, numlen); return 0;
	case OWP_DOUBLE: ow_java_double(v->v.d, false, num, numlen); return 0;
	case OWP_CHAR:
		/* One UTF-16 unit: as modified UTF-8, then as a string. */
		if (v->v.c >= 0xD800 && v->v.c < 0xE000)
			return -1;
		if (v->v.c < 0x80 && v->v.c)
			snprintf(num, numlen, "%c", (char)v->v.c);
		else if (v->v.c < 0x800)
			snprintf(num, numlen, "%c%c", (char)(0xC0 | v->v.c >> 6),
				 (char)(0x80 | (v->v.c & 0x3F)));
		else
			snprintf(num, numlen, "%c%c%c", (char)(0xE0 | v->v.c >> 12),
				 (char)(0x80 | ((v->v.c >> 6) & 0x3F)), (char)(0x80 | (v->v.c & 0x3F)));
		return v->v.c ? 0 : -1;
	case OWP_STRING:
	case OWP_BIG_STRING: *text = &v->v.bytes; return 0;
	default: return -1;
	}
}

/* ---- from the client ---- */

bool ow_strip_nul(struct buf *b)
{
	char *d = buf_data(b);
	size_t len = buf_len(b), k = 0;
	if (strlen(d) == len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (d[i])
			d[k++] = d[i];
	d[k] = 0;
	buf_truncate(b, k);
	return true;
}

/* One property as a header and, when typed, an entry. 0, or -1 with err. */
static int add_property(const struct ow_str *mname, const struct ow_value *v,
			struct ow_headers *h, struct buf *jms, bool *oom, char *err,
			size_t errlen)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	char num[48];
	const struct ow_bytes *text;
	int rc = -1;
	if (ow_str_to_utf8(mname, &name) < 0 || buf_append(&name, "", 0) < 0) {
		*oom = true;
		goto out;
	}
	const char *n = buf_data(&name);
	if (strlen(n) != buf_len(&name) || !*n) {
		snprintf(err, errlen, "A property name is empty or holds U+0000, which Tandem "
			 "does not keep");
		goto out;
	}
	bool nested = ow_nested_type(v->type);
	if (!nested && ow_props_value_text(v, num, sizeof num, &text) < 0) {
		snprintf(err, errlen, "Property %.200s: a %s value is not kept by this version "
			 "of Tandem", n, v->type == OWP_CHAR ? "char holding half a surrogate pair"
			 : "value of this type");
		goto out;
	}
	struct ow_str t = nested ? (struct ow_str){ 0 }
			  : text ? (struct ow_str){ (char *)text->data, text->len }
			  : (struct ow_str){ num, (uint32_t)strlen(num) };
	if ((nested ? ow_nested_text(v, &value) : ow_str_to_utf8(&t, &value)) < 0 ||
	    buf_append(&value, "", 0) < 0) {
		*oom = true;
		goto out;
	}
	/* A string holding U+0000 (modified UTF-8's C0 80): headers are C
	 * strings, so the header (what STOMP, selectors and management see)
	 * goes without it, and the value is kept whole as a nested one is,
	 * for JMS consumers. (ActiveMQ's STOMP would write a raw NUL byte
	 * into the header, which STOMP clients read as the frame's end.) */
	bool whole = nested || ow_strip_nul(&value);
	char letter = letter_of(v->type);
	if (ow_headers_add(h, n, buf_data(&value)) < 0 ||
	    (letter && message_jms_put(jms, letter, n, strlen(n)) < 0) ||
	    (whole && ow_nested_put(jms, n, v) < 0))
		*oom = true;
	else
		rc = 0;
out:
	buf_free(&name);
	buf_free(&value);
	return rc;
}

int ow_props_to_headers(const struct ow_bytes *marshalled, struct ow_headers *h,
			struct buf *jms, bool *oom, char *err, size_t errlen)
{
	struct ow_map *map = NULL;
	char why[OW_ERR_MAX];
	if (!marshalled->data || !marshalled->len)
		return 0;
	if (ow_map_decode(marshalled->data, marshalled->len, &props_limits, &map, why) < 0) {
		snprintf(err, errlen, "The message's properties are malformed: %s", why);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; map && map->names && i < map->n && rc == 0; i++)
		if (map->values[i].type != OWP_NULL)	/* reads as absent anyway */
			rc = add_property(&map->names[i], &map->values[i], h, jms, oom, err,
					  errlen);
	if (*oom)
		snprintf(err, errlen, "The broker is out of memory");
	ow_map_free(map);
	return rc;
}

/* ---- to the client ---- */

/* Headers that are JMS header fields (openwire_message.c maps them) or
 * the broker's own, not properties. */
static const char *const not_properties[] = {
	"correlation-id", "type", "reply-to", "JMSXGroupID", "JMSXGroupSeq", NULL,
};

bool ow_props_is_property(const char *name)
{
	for (size_t i = 0; not_properties[i]; i++)
		if (!strcmp(name, not_properties[i]))
			return false;
	return !message_header_hidden(name) && strncmp(name, "tandem-", 7);
}

/* value read back as its type; false when it does not read as one (then
 * it goes as a String). */
static bool parse_typed(char letter, const char *s, struct ow_value *v)
{
	char *end;
	errno = 0;
	v->type = ptype_of(letter);
	switch (letter) {
	case 'z': v->v.b = !strcmp(s, "true"); return v->v.b || !strcmp(s, "false");
	case 'f': v->v.f = strtof(s, &end); return *s && !*end;
	case 'd': v->v.d = strtod(s, &end); return *s && !*end;
	case 'c': {
		struct ow_str m = { 0 };
		if (ow_str_from_utf8(&m, s, strlen(s)) < 0)
			return false;
		/* one BMP character: 1 to 3 bytes of modified UTF-8 */
		const uint8_t *p = (const uint8_t *)m.s;
		bool one = m.len == 1 ? (v->v.c = p[0], true)
			   : m.len == 2 ? (v->v.c = (uint16_t)((p[0] & 0x1F) << 6 | (p[1] & 0x3F)), true)
			   : m.len == 3 ? (v->v.c = (uint16_t)((p[0] & 0x0F) << 12 |
						  (p[1] & 0x3F) << 6 | (p[2] & 0x3F)), true)
			   : false;
		ow_str_clear(&m);
		return one;
	}
	default: {
		long long n = strtoll(s, &end, 10);
		if (!*s || *end || errno)
			return false;
		switch (letter) {
		case 'b': v->v.i8 = (int8_t)n; return n >= INT8_MIN && n <= INT8_MAX;
		case 's': v->v.i16 = (int16_t)n; return n >= INT16_MIN && n <= INT16_MAX;
		case 'i': v->v.i32 = (int32_t)n; return n >= INT32_MIN && n <= INT32_MAX;
		case 'l': v->v.i64 = n; return true;
		default: return false;
		}
	}
	}
}

/* A String value. Its bytes stay the header's UTF-8: the Java client
 * reads a property's string (and name) as standard UTF-8 (hawtbuf's
 * UTF8Buffer), which takes a character past U+FFFF only in that form,
 * not as the surrogate pair of writeUTF. A long one goes as a big
 * string, as MarshallingSupport.marshalString writes it. */
static int string_value(const char *s, struct ow_value *v)
{
	size_t n = strlen(s);
	char *c = strdup(s);
	if (!c)
		return -1;
	v->type = n < 8191 ? OWP_STRING : OWP_BIG_STRING;
	v->v.bytes = (struct ow_bytes){ (uint8_t *)c, (uint32_t)n };
	return 0;
}

/* A String kept whole (it held U+0000) as the client reads it: its
 * reader decodes a map's strings as standard UTF-8 (hawtbuf's
 * UTF8Buffer), where modified UTF-8's C0 80, which its writer sent, is two
 * malformed bytes (ActiveMQ's own broker hands them back so, and the
 * consumer reads two U+FFFD). As the other strings here go: standard
 * UTF-8, U+0000 a zero byte. 0, or -1 out of memory (v is freed). */
static int plain_utf8(struct ow_value *v)
{
	struct buf b = BUF_INIT;
	struct ow_str s = { (char *)v->v.bytes.data, v->v.bytes.len };
	size_t len;
	int rc = ow_str_to_utf8(&s, &b);
	free(v->v.bytes.data);
	v->v.bytes = (struct ow_bytes){ NULL, 0 };
	char *d = rc == 0 ? buf_steal(&b, &len) : NULL;
	buf_free(&b);
	if (!d)
		return -1;
	v->type = len < 8191 ? OWP_STRING : OWP_BIG_STRING;
	v->v.bytes = (struct ow_bytes){ (uint8_t *)d, (uint32_t)len };
	return 0;
}

/* The type entries of a JMS producer's message, read once: looking each
 * header up in the reserved header again was most of the time a message
 * with a dozen properties took. */
struct typed {
	const char *name;
	size_t len;
	char letter;
};

static struct typed *typed_entries(const struct message *m, size_t *n)
{
	const char *v = message_jms(m), *bytes;
	size_t pos = 0, len, cap = 0;
	char code;
	struct typed *t = NULL;
	*n = 0;
	while (v && message_jms_next(v, &pos, &code, &bytes, &len) == 1) {
		if (!ptype_of(code) || ptype_of(code) == OWP_STRING)
			continue;
		if (*n == cap) {
			struct typed *more = realloc(t, (cap = cap ? 2 * cap : 16) * sizeof *t);
			if (!more)
				break;	/* the rest go as Strings */
			t = more;
		}
		t[(*n)++] = (struct typed){ bytes, len, code };
	}
	return t;
}

/* The type a header goes as: a JMS producer's entry, ActiveMQ's int for
 * the QoS of an MQTT publish, else a String. */
static char type_of(const struct typed *t, size_t n, bool typed, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; typed && i < n; i++)
		if (t[i].len == len && !memcmp(t[i].name, name, len))
			return t[i].letter;
	return !typed && !strcmp(name, MQTT_QOS_PROPERTY) ? 'i' : 0;
}

int ow_props_from_message(const struct message *m, struct ow_bytes *out)
{
	struct ow_map *map = calloc(1, sizeof *map);
	struct ow_map *nested = ow_nested_of(m);	/* Maps, Lists, byte[]s kept whole */
	bool typed = message_jms_typed(m);
	size_t ntyped;
	struct typed *types = typed ? typed_entries(m, &ntyped) : (ntyped = 0, NULL);
	int rc = map ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < m->nheaders; i++) {
		const struct header *h = &m->headers[i];
		if (!ow_props_is_property(h->name) || ow_map_get(map, h->name))
			continue;
		struct ow_value v = { 0 };
		struct ow_value *whole = (struct ow_value *)ow_map_get(nested, h->name);
		char letter = type_of(types, ntyped, typed, h->name);
		if (whole && whole->type != OWP_NULL) {
			v = *whole;
			whole->type = OWP_NULL;	/* moved */
			if (v.type == OWP_STRING || v.type == OWP_BIG_STRING)
				rc = plain_utf8(&v);
		} else if (!(letter && parse_typed(letter, h->value, &v)) &&
			   string_value(h->value, &v) < 0) {
			rc = -1;
		}
		if (rc == 0)	/* the name as UTF-8 too (string_value) */
			rc = ow_map_add(map, h->name, v);
	}
	struct buf b = BUF_INIT;
	size_t len;
	if (rc == 0 && map->n && ow_map_encode(map, &b) == 0) {
		out->data = (uint8_t *)buf_steal(&b, &len);
		out->len = (uint32_t)len;
		rc = out->data ? 0 : -1;
	} else if (rc == 0 && map->n) {
		rc = -1;
	}
	buf_free(&b);
	ow_map_free(map);
	ow_map_free(nested);
	free(types);
	return rc;
}
