/*
 * topic.h - the topics the broker knows: what management shows as Topic
 * destinations.
 *
 * A topic holds no messages itself (its subscribers do, see queue.h), so
 * the broker needs no topic objects to route; these records exist for
 * statistics and for operators: a topic is known once something was sent
 * to it or subscribed to it, or an operator added it.
 */
#ifndef TANDEM_TOPIC_H
#define TANDEM_TOPIC_H

#include <stdbool.h>
#include <stdint.h>

struct topic {
	char *name;
	uint64_t enqueues;
	long producers;		/* connections whose latest send came here */
	struct topic *next;	/* the broker's list, newest first */
};

/* The topic called name (no wildcards), created when `create`. NULL when
 * absent, a wildcard, or out of memory. */
struct topic *topic_get(const char *name, bool create);

/* Forgets it; subscriptions are not touched. -1 when unknown. */
int topic_remove(const char *name);

/* The list, and how many. */
struct topic *topic_first(void);
unsigned long topic_count(void);
/* The topic whose name follows `name` (NULL: the first), in name order:
 * how management pages through them. */
struct topic *topic_after(const char *name);

/* Frees every record (broker shutdown). */
void topic_free_all(void);

#endif
