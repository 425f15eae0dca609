/*
 * openwire_nested.h - properties no string holds: Map and List values (the
 * Java client's nestedMapAndListEnabled, on by default) and byte arrays;
 * also the Strings (properties and JMS header fields) that hold U+0000,
 * which a header, a C string, cannot.
 *
 * Such a property is a header like any other, holding a string form for
 * STOMP consumers and selectors (Java's toString of a map or list,
 * "{a=1, b=x}", "[1, 2]"; a byte array in hex), and the value itself,
 * whole, in an entry of the reserved header (message_jms.h): code 'x',
 * the hex of a one-entry marshalled map { NAME: value }, so that a JMS
 * consumer gets back exactly what was sent.
 */
#ifndef TANDEM_OPENWIRE_NESTED_H
#define TANDEM_OPENWIRE_NESTED_H

#include <stdbool.h>

#include "buf.h"
#include "message.h"
#include "openwire_map.h"

#define OW_NESTED_ENTRY 'x'

/* Whether a value of this type is kept whole. */
bool ow_nested_type(uint8_t ptype);

/* v's string form, UTF-8, appended to out. 0, or -1 when memory runs out
 * or a string in it holds what UTF-8 cannot (then err says so). */
int ow_nested_text(const struct ow_value *v, struct buf *out);

/* The entry keeping v whole as property `name` (UTF-8), appended to jms.
 * 0, or -1 when memory runs out. */
int ow_nested_put(struct buf *jms, const char *name, const struct ow_value *v);

/* Every value m keeps whole, by property name; NULL when it keeps none or
 * memory runs out. */
struct ow_map *ow_nested_of(const struct message *m);

#endif
