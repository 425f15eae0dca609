/*
 * nameset.h - a set of items ordered by a name they carry: found by name,
 * and walked in name order from any name on, even one no longer there.
 *
 * Queues and topics are kept here so that management can list them in
 * pages, "the next 1,000 after NAME" (tandem-mgmt(7)), without a sort and
 * without losing its place when the named one goes away between pages.
 * A skip list: O(log n) to find, add, remove or seek, and no rebalancing.
 *
 * The name is borrowed from the item and must stay unchanged while the
 * item is in the set. Thread: the caller's (the loop's, for the broker).
 */
#ifndef TANDEM_NAMESET_H
#define TANDEM_NAMESET_H

#include <stddef.h>

#define NAMESET_LEVELS 24

struct nameset_node;

struct nameset {
	struct nameset_node *head[NAMESET_LEVELS];
	int levels;		/* in use */
	size_t count;
	unsigned rnd;		/* for node heights */
};

#define NAMESET_INIT { { 0 }, 0, 0, 0 }

/* Adds item under name; 0, or -1 when the name is taken or memory runs
 * out. */
int nameset_add(struct nameset *s, const char *name, void *item);
/* The item called name, or NULL. */
void *nameset_get(const struct nameset *s, const char *name);
/* Removes the item called name; the item itself is the caller's. */
void nameset_del(struct nameset *s, const char *name);
/* The first item whose name sorts (strcmp) after `after` (NULL: the
 * first of all), or NULL. */
void *nameset_after(const struct nameset *s, const char *after);
/* Forgets every item. */
void nameset_clear(struct nameset *s);

#endif
