/*
 * openwire_wire.h - the marshalling primitives of OpenWire, for both
 * encodings: a cursor that reads one frame's body and a writer that builds
 * one.
 *
 * OpenWire has two encodings of the same fields in the same order
 * (ActiveMQ's BaseDataStreamMarshaller):
 *   loose  every boolean is a byte, every long 8 bytes, every optional
 *          value a presence byte then the value;
 *   tight  all booleans of a command (the fields', the presence flags and
 *          the flags that choose a long's size or a string's form) are
 *          bits of one BooleanStream written before the fields; a long
 *          is 0, 2, 4 or 8 bytes as two bits say.
 * Each primitive below takes the encoding from the cursor or writer, so
 * the table walker (openwire_codec.c) has one code path for both.
 *
 * The reader never trusts a length: a count or size is checked against the
 * bytes left before anything is allocated, and every failure leaves a
 * reason in `err` (the first one wins) and makes later reads fail too, so a
 * caller may read a run of fields and check once.
 *
 * Strings are kept as the bytes Java's DataOutput.writeUTF gives (Java's
 * "modified UTF-8": U+0000 is C0 80, characters past U+FFFF are two
 * three-byte surrogates), NUL-terminated, with their length. The tight
 * encoding's one-byte-per-character form (chosen by the writer when every
 * character is 0x01..0x7F) is converted to that on reading.
 */
#ifndef TANDEM_OPENWIRE_WIRE_H
#define TANDEM_OPENWIRE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A string field: s NULL is Java's null; else NUL-terminated, len bytes. */
struct ow_str {
	char *s;
	uint32_t len;
};

/* A byte sequence or byte array field: data NULL is Java's null. */
struct ow_bytes {
	uint8_t *data;
	uint32_t len;
};

/* A frame of a Java stack trace. */
struct ow_trace {
	struct ow_str class_name, method, file;
	int32_t line;
};

/* A Throwable as OpenWire carries it (ExceptionResponse, a poison ack's
 * cause). The class name is data to show: nothing is ever looked up or
 * created from it (CVE-2023-46604 was a broker that did). The trace and
 * cause are on the wire only when StackTraceEnabled was negotiated. */
struct ow_throwable {
	struct ow_str class_name, message;
	struct ow_trace *trace;
	uint16_t ntrace;
	struct ow_throwable *cause;
};

void ow_str_clear(struct ow_str *s);
void ow_bytes_clear(struct ow_bytes *b);
void ow_throwable_free(struct ow_throwable *t);
/* Sets s to a copy of the len bytes at p (modified UTF-8 expected); 0, or
 * -1 when memory runs out. */
int ow_str_set(struct ow_str *s, const char *p, size_t len);

/* Java's modified UTF-8 as standard UTF-8, appended to out: a surrogate
 * pair becomes one four-byte character, C0 80 a NUL byte, a lone
 * surrogate U+FFFD. 0, or -1 when memory runs out. */
int ow_str_to_utf8(const struct ow_str *s, struct buf *out);
/* Standard UTF-8 as Java's modified UTF-8 (a NUL as C0 80, a character
 * past U+FFFF as a surrogate pair). 0; -1 for input that is not UTF-8 or
 * when memory runs out (s is then left as it was). */
int ow_str_from_utf8(struct ow_str *s, const char *p, size_t len);

#define OW_ERR_MAX 160

struct ow_in {
	const uint8_t *p;
	size_t len, off;
	bool tight;
	const uint8_t *bits;	/* tight: the BooleanStream */
	size_t nbits, bit;
	bool stack_trace;	/* StackTraceEnabled negotiated */
	int depth;		/* nesting of data structures and causes */
	bool failed;
	bool named;		/* err already says which field */
	char err[OW_ERR_MAX];
};

/* Deeper than this is refused: each level costs stack, and no command
 * ActiveMQ writes nests more than a few (a dispatch, its message, an
 * advisory's data structure, its ids). */
#define OW_MAX_DEPTH 16

/* Starts reading a frame's body (after the type byte). Tight: reads the
 * BooleanStream first. -1 with in->err when that fails. */
int ow_in_start(struct ow_in *in, const uint8_t *p, size_t len, bool tight, bool stack_trace);
/* Records the first failure (printf-style) and returns -1. */
int ow_fail(struct ow_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool ow_get_bool(struct ow_in *in);
/* A boolean that is a plain byte in both encodings is not OpenWire's:
 * every boolean of a command goes through ow_get_bool. */
uint8_t ow_get_u8(struct ow_in *in);
int16_t ow_get_i16(struct ow_in *in);
int32_t ow_get_i32(struct ow_in *in);
int64_t ow_get_i64(struct ow_in *in);
/* OpenWire's "long": 8 bytes loose, 0/2/4/8 bytes tight. */
int64_t ow_get_long(struct ow_in *in);
/* A nullable string field. */
int ow_get_str(struct ow_in *in, struct ow_str *out);
/* Java's readUTF: unsigned 16-bit length, modified UTF-8, checked as Java
 * checks it. */
int ow_get_utf(struct ow_in *in, struct ow_str *out);
/* A nullable byte sequence: presence, 32-bit length, bytes. */
int ow_get_bytes(struct ow_in *in, struct ow_bytes *out);
/* n bytes exactly (WireFormatInfo's magic). */
int ow_get_fixed(struct ow_in *in, uint8_t *out, size_t n);
/* A nullable throwable; *out NULL when absent. */
int ow_get_throwable(struct ow_in *in, struct ow_throwable **out);
/* A nullable array's count: -1 for null; checked against what is left. */
int32_t ow_get_array_count(struct ow_in *in);

struct ow_out {
	struct buf *body;	/* the fields */
	bool tight;
	uint8_t *bits;		/* tight: the BooleanStream being built */
	size_t nbits, bits_cap;
	bool stack_trace;
	bool failed;		/* out of memory, or a value too long to encode */
};

void ow_out_init(struct ow_out *o, struct buf *body, bool tight, bool stack_trace);
void ow_out_release(struct ow_out *o);
/* Appends the BooleanStream as Java writes it (length in 1, 2 or 3 bytes,
 * then the bits) to `to`. 0 or -1. */
int ow_out_put_bits(const struct ow_out *o, struct buf *to);

void ow_put_bool(struct ow_out *o, bool v);
void ow_put_u8(struct ow_out *o, uint8_t v);
void ow_put_i16(struct ow_out *o, int16_t v);
void ow_put_i32(struct ow_out *o, int32_t v);
void ow_put_i64(struct ow_out *o, int64_t v);
void ow_put_long(struct ow_out *o, int64_t v);
void ow_put_str(struct ow_out *o, const struct ow_str *s);
void ow_put_utf(struct ow_out *o, const char *s, size_t len);
void ow_put_bytes(struct ow_out *o, const struct ow_bytes *b);
void ow_put_fixed(struct ow_out *o, const uint8_t *p, size_t n);
void ow_put_throwable(struct ow_out *o, const struct ow_throwable *t);

#endif
