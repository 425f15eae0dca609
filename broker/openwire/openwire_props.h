/*
 * openwire_props.h - a JMS message's properties as core headers and back.
 *
 * Each property is a header holding ActiveMQ's string form of its value
 * (Java's toString: "42", "1.5", "1.0E10", "true"), as a STOMP consumer
 * of ActiveMQ sees it; the type of each one that is not a String is an
 * entry of the reserved header (message_jms.h), so a JMS consumer gets it
 * back with its type. Headers of other protocols' messages come to JMS
 * consumers as String properties, as ActiveMQ gives STOMP headers.
 */
#ifndef TANDEM_OPENWIRE_PROPS_H
#define TANDEM_OPENWIRE_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "header.h"
#include "message.h"
#include "openwire_wire.h"

/* A header list being built. */
struct ow_headers {
	struct header *v;
	size_t n, cap;
};

/* Appends copies of name and value (NUL-terminated). 0, or -1 when memory
 * runs out. */
int ow_headers_add(struct ow_headers *h, const char *name, const char *value);
void ow_headers_clear(struct ow_headers *h);

/* The marshalled properties (a null or empty sequence: none) as headers
 * appended to h, with a type entry per typed one appended to jms (Maps,
 * Lists and byte arrays whole: openwire_nested.h). 0, or -1 with a reason
 * for the client in err (a malformed map, a NUL in a name, a
 * char that is half a surrogate pair); *oom set when memory ran out. */
int ow_props_to_headers(const struct ow_bytes *marshalled, struct ow_headers *h,
			struct buf *jms, bool *oom, char *err, size_t errlen);

/* Takes every NUL out of b (NUL-terminated past its length): true when
 * it held one (a string that held U+0000, kept whole elsewhere). */
bool ow_strip_nul(struct buf *b);

/* Is header `name` a JMS property of m (rather than a JMS header field
 * carried as a header, or the broker's own)? */
bool ow_props_is_property(const char *name);

/* m's properties, marshalled into out (left empty when there are none).
 * 0, or -1 when memory runs out. */
int ow_props_from_message(const struct message *m, struct ow_bytes *out);

/* A primitive value's string form into num (a number, a boolean, a
 * char), or a reference to a string's bytes in *text. 0, or -1 for a
 * type that is no primitive (openwire_nested.h) or a char holding half a
 * surrogate pair. */
struct ow_value;
int ow_props_value_text(const struct ow_value *v, char *num, size_t numlen,
			const struct ow_bytes **text);

/* x as Java's Double.toString (is_float: Float.toString) writes it, into
 * out (32 bytes are enough). */
void ow_java_double(double x, bool is_float, char *out, size_t outlen);

#endif
