/*
 * message_jms.h - what a message keeps for JMS consumers that headers,
 * which are strings, cannot say.
 *
 * A JMS producer's message (broker/openwire) is a core message like any
 * other: its properties are application headers in ActiveMQ's string
 * forms ("42", "1.5", "true"), which STOMP consumers, selectors, the
 * store and network bridges all see; a TextMessage's text is the UTF-8
 * body. What strings lose travels in one reserved header,
 * MESSAGE_JMS_HEADER: the JMS type of the body, the type of every property
 * that is not a String, the producer's JMSTimestamp. The store and bridges
 * carry it like any header; STOMP and MQTT consumers and the management
 * API's header view never show it (message_header_hidden()).
 *
 * Its value is a kind letter, then entries. The kind's case says whose
 * headers these are: upper case, a JMS producer's, whose headers without
 * a type entry are Strings (selectors treat them so); lower case, another
 * protocol's message whose body is to be that JMS type (a STOMP SEND
 * with content-length is a BytesMessage, "b"), its headers untyped text.
 * An entry is a code letter, a decimal length, ':' and that many bytes,
 * so a name may hold any byte but NUL:
 *
 *   z b c s i l f d  NAME    property NAME is a boolean, byte, char, short,
 *                            int, long, float or double
 *   t                MILLIS  the producer's JMSTimestamp
 *   n                        a TextMessage whose text is null
 *
 * Example: "Ti5:counts4:size" (a TextMessage, "count" an int, "size" a
 * short, every other property a String).
 */
#ifndef TANDEM_MESSAGE_JMS_H
#define TANDEM_MESSAGE_JMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct message;

#define MESSAGE_JMS_HEADER "tandem-jms"

/* Body kinds, as the JMS producer's letter (upper case). */
enum jms_kind {
	JMS_MESSAGE = 'M', JMS_TEXT = 'T', JMS_BYTES = 'B', JMS_MAP = 'A',
	JMS_OBJECT = 'O', JMS_STREAM = 'S',
};

/* Entry codes that are not property types. */
#define JMS_ENTRY_TIMESTAMP 't'
#define JMS_ENTRY_NULL_TEXT 'n'

/* A header no consumer but a JMS one is to see (the reserved one). */
bool message_header_hidden(const char *name);

/* The reserved header's value, or NULL (a message no JMS producer sent
 * and no protocol marked). */
const char *message_jms(const struct message *m);
/* Its kind letter (upper or lower case), or 0. */
char message_jms_kind(const struct message *m);
/* Whether a JMS producer sent it: its headers are typed. */
bool message_jms_typed(const struct message *m);
/* The type letter of property `name`: one of "zbcsilfd", or 0 (a String
 * or no entry). */
char message_jms_type_of(const struct message *m, const char *name);
/* The producer's JMSTimestamp when it kept one: true and *ms. */
bool message_jms_timestamp(const struct message *m, int64_t *ms);

/* Walks the entries of value v (the kind letter skipped): *pos starts
 * at 0. 1 with the next entry's code and bytes, 0 at the end, -1 when the
 * value is malformed. */
int message_jms_next(const char *v, size_t *pos, char *code, const char **bytes,
		     size_t *len);
/* Appends an entry; 0, or -1 when memory runs out. */
int message_jms_put(struct buf *b, char code, const char *bytes, size_t len);

#endif
