/*
 * openwire_wire.c - OpenWire's marshalling primitives (see openwire_wire.h).
 *
 * Numbers are big-endian, as Java's DataOutput writes them. Reading: each
 * get checks the bytes left first and fails without moving; after a
 * failure every get returns zero. Writing: each put appends to the body
 * (and, tight, a bit to the BooleanStream); running out of memory sets
 * `failed`, which the caller checks once at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_wire.h"

void ow_str_clear(struct ow_str *s)
{
	free(s->s);
	s->s = NULL;
	s->len = 0;
}

void ow_bytes_clear(struct ow_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int ow_str_set(struct ow_str *s, const char *p, size_t len)
{
	char *c = malloc(len + 1);
	if (!c)
		return -1;
	memcpy(c, p, len);
	c[len] = 0;
	free(s->s);
	s->s = c;
	s->len = (uint32_t)len;
	return 0;
}

void ow_throwable_free(struct ow_throwable *t)
{
	while (t) {
		struct ow_throwable *cause = t->cause;
		ow_str_clear(&t->class_name);
		ow_str_clear(&t->message);
		for (uint16_t i = 0; i < t->ntrace; i++) {
			ow_str_clear(&t->trace[i].class_name);
			ow_str_clear(&t->trace[i].method);
			ow_str_clear(&t->trace[i].file);
		}
		free(t->trace);
		free(t);
		t = cause;
	}
}

/* ---- modified UTF-8 and UTF-8 ---- */

/* The code unit of a well-formed 1-3 byte sequence at p (n bytes left),
 * and its length in *len; what mutf8_valid() accepted is well formed. */
static uint32_t unit_at(const uint8_t *p, size_t n, size_t *len)
{
	if (p[0] < 0x80 || n < 2) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		*len = 2;
		return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	}
	if (n < 3) {
		*len = 1;
		return 0xFFFD;
	}
	*len = 3;
	return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
}

static int put_utf8(struct buf *out, uint32_t cp)
{
	uint8_t b[4];
	size_t n;
	if (cp < 0x80)
		b[0] = (uint8_t)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (uint8_t)(0xC0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		b[0] = (uint8_t)(0xE0 | cp >> 12), b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)),
		b[2] = (uint8_t)(0x80 | (cp & 0x3F)), n = 3;
	else
		b[0] = (uint8_t)(0xF0 | cp >> 18), b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F)),
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)), b[3] = (uint8_t)(0x80 | (cp & 0x3F)), n = 4;
	return buf_append(out, b, n);
}

/* How many bytes from `lowest` to 0x7F start p: such a run is the same
 * in both encodings, and copied in one append instead of a character at
 * a time (a 1 KiB text body was a thousand appends each way, the most
 * of the broker's time per JMS text message). */
static size_t ascii_run(const uint8_t *p, size_t n, uint8_t lowest)
{
	size_t k = 0;
	while (k < n && p[k] >= lowest && p[k] < 0x80)
		k++;
	return k;
}

int ow_str_to_utf8(const struct ow_str *s, struct buf *out)
{
	const uint8_t *p = (const uint8_t *)s->s;
	size_t i = 0, mark = buf_len(out);
	while (p && i < s->len) {
		size_t n = ascii_run(p + i, s->len - i, 0x00), m;
		if (n) {
			if (buf_append(out, p + i, n) < 0) {
				buf_truncate(out, mark);
				return -1;
			}
			i += n;
			continue;
		}
		uint32_t cp = unit_at(p + i, s->len - i, &n);
		i += n;
		if (cp >= 0xD800 && cp <= 0xDBFF && i < s->len) {
			uint32_t lo = unit_at(p + i, s->len - i, &m);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += m;
			}
		}
		if (cp >= 0xD800 && cp <= 0xDFFF)
			cp = 0xFFFD;	/* a surrogate without its pair */
		if (put_utf8(out, cp) < 0) {
			buf_truncate(out, mark);
			return -1;
		}
	}
	return 0;
}

/* One character of standard UTF-8 at p: its code point and length, or -1. */
static int32_t utf8_at(const uint8_t *p, size_t n, size_t *len)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	size_t k = p[0] < 0x80 ? 0 : (p[0] & 0xE0) == 0xC0 ? 1 : (p[0] & 0xF0) == 0xE0 ? 2
		 : (p[0] & 0xF8) == 0xF0 ? 3 : 4;
	if (k == 4 || n <= k)
		return -1;
	uint32_t cp = k ? p[0] & (0x7F >> (k + 1)) : p[0];
	for (size_t j = 1; j <= k; j++) {
		if ((p[j] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (p[j] & 0x3F);
	}
	if (cp < min[k] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return -1;
	*len = k + 1;
	return (int32_t)cp;
}

int ow_str_from_utf8(struct ow_str *s, const char *p, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	int rc = 0;
	while (i < len && rc == 0) {
		size_t n = ascii_run((const uint8_t *)p + i, len - i, 0x01);
		if (n) {	/* NUL is not in the run: it becomes C0 80 */
			rc = buf_append(&b, p + i, n);
			i += n;
			continue;
		}
		int32_t cp = utf8_at((const uint8_t *)p + i, len - i, &n);
		if (cp < 0) {
			rc = -1;
		} else if (cp == 0) {
			rc = buf_append(&b, "\xC0\x80", 2);
		} else if (cp >= 0x10000) {
			rc = put_utf8(&b, 0xD800 + ((uint32_t)(cp - 0x10000) >> 10));
			if (rc == 0)
				rc = put_utf8(&b, 0xDC00 + ((uint32_t)(cp - 0x10000) & 0x3FF));
		} else {
			rc = buf_append(&b, p + i, n);
		}
		i += n;
	}
	if (rc == 0)
		rc = ow_str_set(s, buf_len(&b) ? buf_data(&b) : "", buf_len(&b));
	buf_free(&b);
	return rc;
}

/* ---- reading ---- */

int ow_fail(struct ow_in *in, const char *fmt, ...)
{
	if (!in->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(in->err, sizeof in->err, fmt, ap);
		va_end(ap);
		in->failed = true;
	}
	return -1;
}

static size_t left(const struct ow_in *in)
{
	return in->len - in->off;
}

/* The n bytes at the cursor, consumed; NULL (and failed) when fewer are left. */
static const uint8_t *take(struct ow_in *in, size_t n)
{
	if (in->failed)
		return NULL;
	if (left(in) < n) {
		ow_fail(in, "truncated: %zu bytes needed at offset %zu, %zu left", n, in->off, left(in));
		return NULL;
	}
	const uint8_t *p = in->p + in->off;
	in->off += n;
	return p;
}

uint8_t ow_get_u8(struct ow_in *in)
{
	const uint8_t *p = take(in, 1);
	return p ? p[0] : 0;
}

int16_t ow_get_i16(struct ow_in *in)
{
	const uint8_t *p = take(in, 2);
	return p ? (int16_t)(p[0] << 8 | p[1]) : 0;
}

int32_t ow_get_i32(struct ow_in *in)
{
	const uint8_t *p = take(in, 4);
	return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}

int64_t ow_get_i64(struct ow_in *in)
{
	uint64_t hi = (uint32_t)ow_get_i32(in);
	uint64_t lo = (uint32_t)ow_get_i32(in);
	return (int64_t)(hi << 32 | lo);
}

/* The BooleanStream's length: one byte below 64 (and any other byte but
 * the two escapes, as Java reads it), 0xC0 then a byte, 0x80 then a short. */
int ow_in_start(struct ow_in *in, const uint8_t *p, size_t len, bool tight, bool stack_trace)
{
	memset(in, 0, sizeof *in);
	in->p = p;
	in->len = len;
	in->tight = tight;
	in->stack_trace = stack_trace;
	if (!tight)
		return 0;
	int32_t n = ow_get_u8(in);
	if (n == 0xC0)
		n = ow_get_u8(in);
	else if (n == 0x80)
		n = ow_get_i16(in);
	if (in->failed)
		return -1;
	if (n < 0)
		return ow_fail(in, "boolean stream of negative length %d", (int)n);
	const uint8_t *bits = take(in, (size_t)n);
	if (!bits)
		return -1;
	in->bits = bits;
	in->nbits = (size_t)n * 8;
	return 0;
}

bool ow_get_bool(struct ow_in *in)
{
	if (!in->tight)
		return ow_get_u8(in) != 0;
	if (in->failed)
		return false;
	if (in->bit >= in->nbits) {
		ow_fail(in, "boolean stream exhausted after %zu bits", in->nbits);
		return false;
	}
	bool v = in->bits[in->bit / 8] >> (in->bit % 8) & 1;
	in->bit++;
	return v;
}

/* Tight longs: two bits choose 0, 2, 4 or 8 bytes; 2 and 4 are unsigned. */
int64_t ow_get_long(struct ow_in *in)
{
	if (!in->tight)
		return ow_get_i64(in);
	bool a = ow_get_bool(in), b = ow_get_bool(in);
	if (a)
		return b ? ow_get_i64(in) : (int64_t)(uint32_t)ow_get_i32(in);
	return b ? (int64_t)(uint16_t)ow_get_i16(in) : 0;
}

/* What Java's readUTF refuses: a lead byte 10xxxxxx or 1111xxxx, a
 * continuation byte that is not 10xxxxxx, a sequence cut short. */
static bool mutf8_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = p[i];
		size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
		if (n == 3 || len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

int ow_get_utf(struct ow_in *in, struct ow_str *out)
{
	uint16_t n = (uint16_t)ow_get_i16(in);
	const uint8_t *p = take(in, n);
	if (!p)
		return -1;
	if (!mutf8_valid(p, n))
		return ow_fail(in, "malformed modified UTF-8 string at offset %zu", in->off - n);
	if (ow_str_set(out, (const char *)p, n) < 0)
		return ow_fail(in, "out of memory");
	return 0;
}

/* The tight one-byte form is Latin-1 to Java (new String(bytes, 0)):
 * bytes 0x80..0xFF and 0x00 become two-byte sequences. */
static int get_latin1(struct ow_in *in, struct ow_str *out)
{
	int16_t n = ow_get_i16(in);
	if (n < 0)
		return ow_fail(in, "string of negative length %d", n);
	const uint8_t *p = take(in, (size_t)n);
	if (!p)
		return -1;
	size_t wide = 0;
	for (int16_t i = 0; i < n; i++)
		wide += p[i] >= 0x80 || p[i] == 0;
	char *s = malloc((size_t)n + wide + 1), *w = s;
	if (!s)
		return ow_fail(in, "out of memory");
	for (int16_t i = 0; i < n; i++) {
		if (p[i] >= 0x80 || p[i] == 0) {
			*w++ = (char)(0xC0 | p[i] >> 6);
			*w++ = (char)(0x80 | (p[i] & 0x3F));
		} else {
			*w++ = (char)p[i];
		}
	}
	*w = 0;
	ow_str_clear(out);
	out->s = s;
	out->len = (uint32_t)(w - s);
	return 0;
}

int ow_get_str(struct ow_in *in, struct ow_str *out)
{
	ow_str_clear(out);
	if (!ow_get_bool(in))
		return in->failed ? -1 : 0;
	if (in->tight && ow_get_bool(in))
		return get_latin1(in, out);
	return ow_get_utf(in, out);
}

int ow_get_bytes(struct ow_in *in, struct ow_bytes *out)
{
	ow_bytes_clear(out);
	if (!ow_get_bool(in))
		return in->failed ? -1 : 0;
	int32_t n = ow_get_i32(in);
	if (in->failed)
		return -1;
	if (n < 0)
		return ow_fail(in, "byte sequence of negative length %d", (int)n);
	if ((size_t)n > left(in))
		return ow_fail(in, "byte sequence of %d bytes, only %zu left", (int)n, left(in));
	/* One byte more, so that a text body can be read as a C string. */
	out->data = malloc((size_t)n + 1);
	if (!out->data)
		return ow_fail(in, "out of memory");
	memcpy(out->data, take(in, (size_t)n), (size_t)n);
	out->data[n] = 0;
	out->len = (uint32_t)n;
	return 0;
}

int ow_get_fixed(struct ow_in *in, uint8_t *out, size_t n)
{
	const uint8_t *p = take(in, n);
	if (!p)
		return -1;
	memcpy(out, p, n);
	return 0;
}

int32_t ow_get_array_count(struct ow_in *in)
{
	if (!ow_get_bool(in))
		return -1;
	int16_t n = ow_get_i16(in);
	if (in->failed)
		return -1;
	if (n < 0) {
		ow_fail(in, "array of negative length %d", n);
		return -1;
	}
	return n;
}

static int get_trace(struct ow_in *in, struct ow_throwable *t)
{
	int16_t n = ow_get_i16(in);
	if (in->failed)
		return -1;
	if (n < 0)
		return ow_fail(in, "stack trace of negative length %d", n);
	/* Each frame holds at least its line number. */
	if ((size_t)n * 4 > left(in))
		return ow_fail(in, "stack trace of %d frames, only %zu bytes left", n, left(in));
	t->trace = calloc((size_t)n ? (size_t)n : 1, sizeof *t->trace);
	if (!t->trace)
		return ow_fail(in, "out of memory");
	t->ntrace = (uint16_t)n;
	for (int16_t i = 0; i < n && !in->failed; i++) {
		struct ow_trace *f = &t->trace[i];
		ow_get_str(in, &f->class_name);
		ow_get_str(in, &f->method);
		ow_get_str(in, &f->file);
		f->line = ow_get_i32(in);
	}
	return in->failed ? -1 : 0;
}

int ow_get_throwable(struct ow_in *in, struct ow_throwable **out)
{
	*out = NULL;
	if (!ow_get_bool(in))
		return in->failed ? -1 : 0;
	if (in->depth >= OW_MAX_DEPTH)
		return ow_fail(in, "throwable causes nested deeper than %d", OW_MAX_DEPTH);
	struct ow_throwable *t = calloc(1, sizeof *t);
	if (!t)
		return ow_fail(in, "out of memory");
	*out = t;
	ow_get_str(in, &t->class_name);
	ow_get_str(in, &t->message);
	if (in->stack_trace && !in->failed && get_trace(in, t) == 0) {
		in->depth++;
		ow_get_throwable(in, &t->cause);
		in->depth--;
	}
	return in->failed ? -1 : 0;
}

/* ---- writing ---- */

void ow_out_init(struct ow_out *o, struct buf *body, bool tight, bool stack_trace)
{
	memset(o, 0, sizeof *o);
	o->body = body;
	o->tight = tight;
	o->stack_trace = stack_trace;
}

void ow_out_release(struct ow_out *o)
{
	free(o->bits);
	o->bits = NULL;
	o->nbits = o->bits_cap = 0;
}

static void put(struct ow_out *o, const void *p, size_t n)
{
	if (!o->failed && buf_append(o->body, p, n) < 0)
		o->failed = true;
}

void ow_put_u8(struct ow_out *o, uint8_t v)
{
	put(o, &v, 1);
}

void ow_put_i16(struct ow_out *o, int16_t v)
{
	uint8_t b[2] = { (uint8_t)((uint16_t)v >> 8), (uint8_t)v };
	put(o, b, 2);
}

void ow_put_i32(struct ow_out *o, int32_t v)
{
	uint32_t u = (uint32_t)v;
	uint8_t b[4] = { (uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u };
	put(o, b, 4);
}

void ow_put_i64(struct ow_out *o, int64_t v)
{
	ow_put_i32(o, (int32_t)((uint64_t)v >> 32));
	ow_put_i32(o, (int32_t)(uint32_t)v);
}

void ow_put_bool(struct ow_out *o, bool v)
{
	if (!o->tight) {
		ow_put_u8(o, v);
		return;
	}
	if (o->nbits / 8 >= o->bits_cap) {
		size_t cap = o->bits_cap ? o->bits_cap * 2 : 16;
		uint8_t *b = realloc(o->bits, cap);
		if (!b) {
			o->failed = true;
			return;
		}
		memset(b + o->bits_cap, 0, cap - o->bits_cap);
		o->bits = b;
		o->bits_cap = cap;
	}
	if (v)
		o->bits[o->nbits / 8] |= (uint8_t)(1 << o->nbits % 8);
	o->nbits++;
}

int ow_out_put_bits(const struct ow_out *o, struct buf *to)
{
	size_t n = (o->nbits + 7) / 8;
	uint8_t h[3];
	size_t hn;
	if (n > 0x7FFF)
		return -1;	/* more booleans than Java's short can count */
	if (n < 64) {
		h[0] = (uint8_t)n, hn = 1;
	} else if (n < 256) {
		h[0] = 0xC0, h[1] = (uint8_t)n, hn = 2;
	} else {
		h[0] = 0x80, h[1] = (uint8_t)(n >> 8), h[2] = (uint8_t)n, hn = 3;
	}
	size_t mark = buf_len(to);
	if (buf_append(to, h, hn) < 0 || (n && buf_append(to, o->bits, n) < 0)) {
		buf_truncate(to, mark);
		return -1;
	}
	return 0;
}

void ow_put_long(struct ow_out *o, int64_t v)
{
	if (!o->tight) {
		ow_put_i64(o, v);
		return;
	}
	uint64_t u = (uint64_t)v;
	if (u == 0) {
		ow_put_bool(o, false), ow_put_bool(o, false);
	} else if (!(u & 0xFFFFFFFFFFFF0000ull)) {
		ow_put_bool(o, false), ow_put_bool(o, true), ow_put_i16(o, (int16_t)u);
	} else if (!(u & 0xFFFFFFFF00000000ull)) {
		ow_put_bool(o, true), ow_put_bool(o, false), ow_put_i32(o, (int32_t)u);
	} else {
		ow_put_bool(o, true), ow_put_bool(o, true), ow_put_i64(o, v);
	}
}

void ow_put_utf(struct ow_out *o, const char *s, size_t len)
{
	if (len > 0xFFFF) {
		o->failed = true;	/* Java's writeUTF refuses it too */
		return;
	}
	ow_put_i16(o, (int16_t)len);
	put(o, s, len);
}

/* Java writes the one-byte form when every character is 0x01..0x7F, which
 * in modified UTF-8 is every byte; and refuses 32767 bytes or more. */
void ow_put_str(struct ow_out *o, const struct ow_str *s)
{
	ow_put_bool(o, s->s != NULL);
	if (!s->s)
		return;
	if (!o->tight) {
		ow_put_utf(o, s->s, s->len);
		return;
	}
	bool ascii = true;
	for (uint32_t i = 0; i < s->len && ascii; i++)
		ascii = (uint8_t)s->s[i] >= 0x01 && (uint8_t)s->s[i] <= 0x7F;
	if (s->len >= 0x7FFF) {
		o->failed = true;
		return;
	}
	ow_put_bool(o, ascii);
	ow_put_utf(o, s->s, s->len);
}

void ow_put_bytes(struct ow_out *o, const struct ow_bytes *b)
{
	ow_put_bool(o, b->data != NULL);
	if (!b->data)
		return;
	ow_put_i32(o, (int32_t)b->len);
	put(o, b->data, b->len);
}

void ow_put_fixed(struct ow_out *o, const uint8_t *p, size_t n)
{
	put(o, p, n);
}

void ow_put_throwable(struct ow_out *o, const struct ow_throwable *t)
{
	ow_put_bool(o, t != NULL);
	if (!t)
		return;
	ow_put_str(o, &t->class_name);
	ow_put_str(o, &t->message);
	if (!o->stack_trace)
		return;
	ow_put_i16(o, (int16_t)t->ntrace);
	for (uint16_t i = 0; i < t->ntrace; i++) {
		ow_put_str(o, &t->trace[i].class_name);
		ow_put_str(o, &t->trace[i].method);
		ow_put_str(o, &t->trace[i].file);
		ow_put_i32(o, t->trace[i].line);
	}
	ow_put_throwable(o, t->cause);
}
