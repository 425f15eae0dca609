/*
 * strmap.h - a hash table from strings to pointers, for lookups by name
 * that must not grow with what else is filed: a connection's
 * subscriptions by id (80,000 subscriptions on one STOMP connection took
 * 154 s to make with a list, issue 16).
 *
 * Keys are not copied: a key must stay unchanged while it is filed (the
 * value usually holds it). One key maps to at most one value. Lookups,
 * insertions and removals take constant time on average; the table
 * doubles when it holds more entries than slots.
 */
#ifndef TANDEM_STRMAP_H
#define TANDEM_STRMAP_H

#include <stddef.h>

struct strmap_entry;

struct strmap {
	struct strmap_entry **slots;
	size_t nslots;		/* 0 or a power of two */
	size_t count;
};

#define STRMAP_INIT { NULL, 0, 0 }

/* The value filed under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

/* Files value under key, which must not be filed yet: 0, or -1 when
 * memory runs out (nothing filed). */
int strmap_put(struct strmap *m, const char *key, void *value);

/* Takes key out and returns its value, or NULL when it was not filed. */
void *strmap_del(struct strmap *m, const char *key);

/* Frees the table's own memory; the keys and values are the caller's. */
void strmap_clear(struct strmap *m);

#endif
