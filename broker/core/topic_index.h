/*
 * topic_index.h - topic subscriptions by their patterns, so that a publish
 * looks only at the subscriptions that can match its topic, not at all of
 * them: ten thousand devices that each subscribe to a topic of their own
 * must not make every publish read ten thousand patterns.
 *
 * A subscription is an opaque pointer (a consumer, a durable) filed under
 * its pattern (wildcard.h). One index holds one kind of subscription.
 */
#ifndef TANDEM_TOPIC_INDEX_H
#define TANDEM_TOPIC_INDEX_H

#include <stdbool.h>
#include <stddef.h>

struct topic_index {
	void *exact;		/* tsearch tree of buckets: patterns without wildcards */
	void *headed;		/* tsearch tree of buckets: wildcard patterns by their head */
	size_t count;		/* subscriptions filed */
};

/* Files sub under pattern, which must live as long as sub is filed; 0,
 * or -1 when out of memory (nothing filed). */
int topic_index_add(struct topic_index *ix, const char *pattern, void *sub);

/* Takes sub, filed under pattern, out again: true, or false when it was
 * not filed there. */
bool topic_index_remove(struct topic_index *ix, const char *pattern, void *sub);

typedef int (*topic_index_fn)(void *sub, void *ctx);

/* Calls fn for each subscription whose pattern matches topic name
 * (dest_match), in the order they were filed within a pattern, until fn
 * returns non-zero: that is returned, else 0. fn must not add or remove
 * subscriptions. */
int topic_index_match(const struct topic_index *ix, const char *name,
		      topic_index_fn fn, void *ctx);

/* The same for the subscriptions filed under exactly this pattern. */
int topic_index_same(const struct topic_index *ix, const char *pattern,
		     topic_index_fn fn, void *ctx);

/* Frees the index's own memory; the subscriptions are the caller's. */
void topic_index_clear(struct topic_index *ix);

#endif
