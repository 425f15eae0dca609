/*
 * openwire_message.h - a JMS message as the core keeps it, and back.
 *
 * What a producer sends becomes a core message (message.h) that STOMP and
 * MQTT consumers read too; a core message, whoever sent it, becomes the
 * JMS message a consumer gets. openwire_message.c says what maps to what.
 */
#ifndef TANDEM_OPENWIRE_MESSAGE_H
#define TANDEM_OPENWIRE_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"
#include "openwire_types.h"

/* The core message for om, to destination (type, dest): takes dest
 * whatever the outcome; a compressed body may inflate to max_body bytes.
 * NULL with a client-facing reason in err when the message is malformed,
 * holds what Tandem does not keep, or memory runs out (*oom then set). */
struct message *ow_message_to_core(const struct ow_message *om, enum dest_type type,
				   char *dest, size_t max_body, bool *oom, char *err,
				   size_t errlen);

/* The JMS message for m as delivery `delivery` (what the consumer's acks
 * name) after `redeliveries` earlier ones; NULL when memory runs out. */
struct ow_message *ow_message_from_core(const struct message *m, uint64_t delivery,
					uint32_t redeliveries);

#endif
