/*
 * retain.h - retained messages: the last message published with the
 * retain flag to each topic, handed to every new subscription whose
 * filter matches.
 *
 * Part of the broker core (MQTT sets and reads them today; any protocol
 * may). Each retained message is a copy of the one published, marked
 * `retained`, and kept in the store as the single entry of the container
 * "retained://TOPIC", so retained messages survive a restart and a
 * failover to the slave of a pair like any persistent message, with no
 * table of their own.
 *
 * Thread: the event loop's.
 */
#ifndef TANDEM_RETAIN_H
#define TANDEM_RETAIN_H

#include <stddef.h>

#include "message.h"

#define RETAIN_CONTAINER_PREFIX "retained://"

/* Makes m (a topic message) the retained message of its topic, replacing
 * the one before; an empty body clears the topic instead. The caller keeps
 * its reference. 0, or -1 when memory runs out. */
int retain_set(const struct message *m);

/* A retained message read back from the store at start-up (its container
 * without the prefix is the topic); takes over the caller's reference. */
void retain_loaded(const char *topic, struct message *m);

/* Calls fn for every retained message whose topic `pattern` (a broker
 * destination, wildcards allowed) matches. */
void retain_each(const char *pattern, void (*fn)(void *ctx, struct message *m), void *ctx);

size_t retain_count(void);

/* Forgets every retained message (the broker stops serving). */
void retain_free_all(void);

#endif
