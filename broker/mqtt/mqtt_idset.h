/*
 * mqtt_idset.h - a set of MQTT packet ids (1 to 65535) that costs what
 * it holds.
 *
 * A session marks the ids it has in flight each way. A whole bitmap is
 * 8 KiB, made at a session's first QoS 1 delivery and kept while any id
 * is in flight: with 1,000 slow clients, each with one message
 * unacknowledged, 8 MiB of bitmaps for 1,000 ids. Here the ids are pages
 * of 2,048 bits, made when an id of theirs comes in and freed when their
 * last one goes; ids are handed out in turn, so those in flight share a
 * page or two: about 0.5 KiB for a session with a few.
 */
#ifndef TANDEM_MQTT_IDSET_H
#define TANDEM_MQTT_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mqtt_idpage;

struct mqtt_idset {
	struct mqtt_idpage **pages;	/* MQTT_IDSET_PAGES, NULL when empty */
	size_t count;
};

#define MQTT_IDSET_INIT { NULL, 0 }

bool mqtt_idset_has(const struct mqtt_idset *s, uint16_t id);
/* 0, or -1 when memory runs out (the set is unchanged then). */
int mqtt_idset_add(struct mqtt_idset *s, uint16_t id);
void mqtt_idset_del(struct mqtt_idset *s, uint16_t id);
/* Empties the set and frees what it held. */
void mqtt_idset_clear(struct mqtt_idset *s);

#endif
