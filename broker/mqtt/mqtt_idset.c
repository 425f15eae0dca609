/*
 * mqtt_idset.c - packet ids in pages made and freed as they fill and
 * empty (see mqtt_idset.h).
 */
#include <stdlib.h>

#include "mqtt_idset.h"

#define PAGE_IDS 2048
#define PAGES (65536 / PAGE_IDS)

struct mqtt_idpage {
	uint16_t count;
	uint8_t bits[PAGE_IDS / 8];
};

bool mqtt_idset_has(const struct mqtt_idset *s, uint16_t id)
{
	const struct mqtt_idpage *p = s->pages ? s->pages[id / PAGE_IDS] : NULL;
	unsigned i = id % PAGE_IDS;
	return p && (p->bits[i >> 3] >> (i & 7)) & 1;
}

int mqtt_idset_add(struct mqtt_idset *s, uint16_t id)
{
	if (mqtt_idset_has(s, id))
		return 0;
	if (!s->pages && !(s->pages = calloc(PAGES, sizeof *s->pages)))
		return -1;
	struct mqtt_idpage **pp = &s->pages[id / PAGE_IDS];
	if (!*pp && !(*pp = calloc(1, sizeof **pp))) {
		if (!s->count) {
			free(s->pages);
			s->pages = NULL;
		}
		return -1;
	}
	unsigned i = id % PAGE_IDS;
	(*pp)->bits[i >> 3] |= (uint8_t)(1u << (i & 7));
	(*pp)->count++;
	s->count++;
	return 0;
}

void mqtt_idset_del(struct mqtt_idset *s, uint16_t id)
{
	if (!mqtt_idset_has(s, id))
		return;
	struct mqtt_idpage **pp = &s->pages[id / PAGE_IDS];
	unsigned i = id % PAGE_IDS;
	(*pp)->bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
	if (--(*pp)->count == 0) {
		free(*pp);
		*pp = NULL;
	}
	if (--s->count == 0) {
		free(s->pages);
		s->pages = NULL;
	}
}

void mqtt_idset_clear(struct mqtt_idset *s)
{
	if (s->pages)
		for (size_t i = 0; i < PAGES; i++)
			free(s->pages[i]);
	free(s->pages);
	s->pages = NULL;
	s->count = 0;
}
