/*
 * mqtt_message.h - a core message as the PUBLISH packet a subscriber gets.
 */
#ifndef TANDEM_MQTT_MESSAGE_H
#define TANDEM_MQTT_MESSAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct message;

/* Appends m as a PUBLISH at qos (with packet_id and dup when qos is not
 * 0) to out. The packet of a message with many subscribers is encoded
 * once and kept with it (message_cache in message.h) until the last of
 * them has it. 0, or -1 when memory runs out (out is left as it was). */
int mqtt_message_put(struct buf *out, struct message *m, uint8_t qos, bool dup,
		     uint16_t packet_id);

#endif
