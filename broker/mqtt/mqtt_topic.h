/*
 * mqtt_topic.h - MQTT topic names and filters as the broker's topics.
 *
 * One broker, many protocols: the MQTT topic "a/b/c" is the broker's topic
 * "a.b.c" (what STOMP clients call /topic/a.b.c), the filter levels '+'
 * and '#' are the broker's wildcards '*' and '>'. A '.' inside an MQTT
 * level becomes '/', and a literal '*' or '>' becomes '+' or '#' (and
 * back), as ActiveMQ maps them, so that only '+' and '#' are wildcards to
 * MQTT clients: MQTT's "lit" then "*" is the broker's plain "lit.+".
 * Names map back and forth unchanged.
 */
#ifndef TANDEM_MQTT_TOPIC_H
#define TANDEM_MQTT_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

/* The broker's destination for an MQTT topic name or filter, as a new
 * string; NULL when memory runs out. */
char *mqtt_topic_to_dest(const char *topic);
/* The MQTT topic name for a broker topic, as a new string; NULL on
 * ENOMEM. */
char *mqtt_topic_from_dest(const char *dest);
/* The same into buf when it fits (a delivery's, without a malloc), else
 * as a new string also left in *heap for the caller to free. NULL on
 * ENOMEM. */
const char *mqtt_topic_from_dest_buf(const char *dest, char *buf, size_t buflen, char **heap);
/* mqtt_topic_to_dest the same way (a PUBLISH's, copied into its message). */
const char *mqtt_topic_to_dest_buf(const char *topic, char *buf, size_t buflen, char **heap);

/* A filter starting with a wildcard does not match topics starting with
 * '$' (the standard's rule for $SYS and the like): true when `filter`
 * must skip the broker topic `dest` although the wildcards match. */
bool mqtt_topic_dollar_excluded(const char *filter, const char *dest);

#endif
