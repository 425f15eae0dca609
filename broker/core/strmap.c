/*
 * strmap.c - string-keyed hash table (see strmap.h): separate chaining
 * over a power-of-two array of slots, FNV-1a hashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

struct strmap_entry {
	const char *key;
	void *value;
	uint64_t hash;		/* kept so that growing need not hash again */
	struct strmap_entry *next;
};

#define FIRST_SLOTS 16

static uint64_t hash_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The link that points at key's entry, or at the NULL ending its chain. */
static struct strmap_entry **find(const struct strmap *m, const char *key, uint64_t h)
{
	struct strmap_entry **pp = &m->slots[h & (m->nslots - 1)];
	while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key)))
		pp = &(*pp)->next;
	return pp;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->count)
		return NULL;
	struct strmap_entry *e = *find(m, key, hash_of(key));
	return e ? e->value : NULL;
}

/* Doubles the slots (or makes the first ones); -1 when memory runs out,
 * the table left as it was. */
static int grow(struct strmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : FIRST_SLOTS;
	struct strmap_entry **slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->nslots; i++) {
		while (m->slots[i]) {
			struct strmap_entry *e = m->slots[i];
			m->slots[i] = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
		}
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	if (m->count >= m->nslots && grow(m) < 0 && !m->nslots)
		return -1;	/* a full table that cannot grow still takes more */
	struct strmap_entry *e = malloc(sizeof *e);
	if (!e)
		return -1;
	uint64_t h = hash_of(key);
	*e = (struct strmap_entry){ key, value, h, m->slots[h & (m->nslots - 1)] };
	m->slots[h & (m->nslots - 1)] = e;
	m->count++;
	return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
	if (!m->count)
		return NULL;
	struct strmap_entry **pp = find(m, key, hash_of(key));
	struct strmap_entry *e = *pp;
	if (!e)
		return NULL;
	void *value = e->value;
	*pp = e->next;
	free(e);
	m->count--;
	return value;
}

void strmap_clear(struct strmap *m)
{
	for (size_t i = 0; i < m->nslots; i++) {
		while (m->slots[i]) {
			struct strmap_entry *e = m->slots[i];
			m->slots[i] = e->next;
			free(e);
		}
	}
	free(m->slots);
	*m = (struct strmap)STRMAP_INIT;
}
