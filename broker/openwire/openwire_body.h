/*
 * openwire_body.h - the body of each JMS message type as the core keeps
 * it, and back.
 *
 * A TextMessage's text is the core body in UTF-8, what STOMP and MQTT
 * consumers read; the other types' content (a BytesMessage's bytes, a
 * MapMessage's and StreamMessage's marshalled values, an ObjectMessage's
 * serialized object, never deserialized here) is the body byte for byte.
 * A compressed body (jms.useCompression) is inflated on arrival, so
 * every consumer gets it plain. The JMS type is the reserved header's
 * kind (message_jms.h); a message without one goes to a JMS consumer as
 * ActiveMQ would give it: an MQTT publish as a BytesMessage, other text
 * (a STOMP SEND without content-length) as a TextMessage, bytes that are
 * no UTF-8 as a BytesMessage.
 */
#ifndef TANDEM_OPENWIRE_BODY_H
#define TANDEM_OPENWIRE_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "openwire_types.h"

/* The kind letter (message_jms.h) of a message type code, 0 for none. */
char ow_body_kind(uint8_t type);

/* om's body as the core keeps it: malloc'ed *body (NUL-terminated) of
 * *len bytes, inflated up to `max` bytes when compressed; *null_text for
 * a TextMessage whose text is null. 0, or -1 with a reason for the client
 * in err (*oom set when memory ran out). */
int ow_body_to_core(const struct ow_message *om, size_t max, char **body, size_t *len,
		    bool *null_text, bool *oom, char *err, size_t errlen);

/* The type code m goes to a JMS consumer as, and its content in om. 0, or
 * -1 when memory runs out. */
int ow_body_from_core(struct ow_message *om, const struct message *m);

#endif
