/*
 * topic_index.c - topic subscriptions by their patterns (contract in
 * topic_index.h).
 *
 * Two trees of buckets (tsearch, as the broker's queues are kept):
 *   exact   patterns without wildcards, by the pattern: a topic's own
 *           subscribers are one lookup;
 *   headed  wildcard patterns by their head, the elements before the first
 *           wildcard ("dev.7" for "dev.7.*.cmd" and for "dev.7.>", "" for
 *           "*.cmd"). Every topic a pattern matches begins with its head,
 *           so a topic looks up each of its own heads ("", "dev", "dev.7",
 *           "dev.7.cmd" for "dev.7.cmd") and confirms what it finds there
 *           with dest_match().
 * A publish then costs a lookup per element of its topic, however many
 * subscriptions there are elsewhere.
 */
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "topic_index.h"
#include "wildcard.h"

/* A subscription and its pattern: borrowed, it lives while filed. */
struct filed {
	void *sub;
	const char *pattern;
};

/* The subscriptions filed under one key, in the order they came. */
struct bucket {
	char *key;		/* not terminated: a probe's points into a topic */
	size_t keylen;
	struct filed *entries;
	size_t n, cap;
};

static int bucket_cmp(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

/* Length of a wildcard pattern's head: up to the '.' before its first
 * element that is exactly '*' or '>' (0 when that is the first). */
static size_t head_len(const char *pattern)
{
	for (const char *p = pattern;;) {
		size_t n = strcspn(p, ".");
		if (n == 1 && (*p == '*' || *p == '>'))
			return p == pattern ? 0 : (size_t)(p - pattern) - 1;
		if (!p[n])
			return strlen(pattern);	/* not a wildcard pattern */
		p += n + 1;
	}
}

/* The tree a pattern is filed in, and the length of its key there (the
 * key is the pattern's beginning). */
static void **tree_of(const struct topic_index *ix, const char *pattern, size_t *keylen)
{
	if (dest_has_wildcard(pattern)) {
		*keylen = head_len(pattern);
		return (void **)&ix->headed;
	}
	*keylen = strlen(pattern);
	return (void **)&ix->exact;
}

static struct bucket *find(void *const *tree, const char *key, size_t keylen)
{
	struct bucket probe = { .key = (char *)key, .keylen = keylen };
	void **found = tfind(&probe, tree, bucket_cmp);
	return found ? *found : NULL;
}

int topic_index_add(struct topic_index *ix, const char *pattern, void *sub)
{
	size_t keylen;
	void **tree = tree_of(ix, pattern, &keylen);
	struct bucket *b = find(tree, pattern, keylen);
	if (!b) {
		b = calloc(1, sizeof *b);
		if (!b || !(b->key = malloc(keylen ? keylen : 1))) {
			free(b);
			return -1;
		}
		memcpy(b->key, pattern, keylen);
		b->keylen = keylen;
		if (!tsearch(b, tree, bucket_cmp)) {
			free(b->key);
			free(b);
			return -1;
		}
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 2;
		struct filed *e = realloc(b->entries, cap * sizeof *e);
		if (!e)
			return -1;	/* an empty bucket stays until the index is cleared */
		b->entries = e;
		b->cap = cap;
	}
	b->entries[b->n++] = (struct filed){ sub, pattern };
	ix->count++;
	return 0;
}

static void bucket_free(void *p)
{
	struct bucket *b = p;
	free(b->key);
	free(b->entries);
	free(b);
}

bool topic_index_remove(struct topic_index *ix, const char *pattern, void *sub)
{
	size_t keylen;
	void **tree = tree_of(ix, pattern, &keylen);
	struct bucket *b = find(tree, pattern, keylen);
	size_t i = 0;
	while (b && i < b->n && b->entries[i].sub != sub)
		i++;
	if (!b || i == b->n)
		return false;
	memmove(&b->entries[i], &b->entries[i + 1], (b->n - i - 1) * sizeof *b->entries);
	b->n--;
	ix->count--;
	if (!b->n) {
		tdelete(b, tree, bucket_cmp);
		bucket_free(b);
	}
	return true;
}

/* Calls fn for b's subscriptions that pass: whose pattern matches topic
 * name, or (same) is spelled exactly as name. */
static int each(const struct bucket *b, const char *name, bool same, topic_index_fn fn,
		void *ctx)
{
	for (size_t i = 0; b && i < b->n; i++) {
		const char *p = b->entries[i].pattern;
		if (same ? strcmp(p, name) != 0 : !dest_match(p, name))
			continue;
		int rc = fn(b->entries[i].sub, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

int topic_index_match(const struct topic_index *ix, const char *name,
		      topic_index_fn fn, void *ctx)
{
	int rc = each(find(&ix->exact, name, strlen(name)), name, true, fn, ctx);
	if (rc || !ix->headed)
		return rc;
	/* The heads: "", then up to each '.' and the whole topic. */
	rc = each(find(&ix->headed, name, 0), name, false, fn, ctx);
	for (size_t len = 1; !rc && name[len - 1]; len++)
		if (!name[len] || name[len] == '.')
			rc = each(find(&ix->headed, name, len), name, false, fn, ctx);
	return rc;
}

int topic_index_same(const struct topic_index *ix, const char *pattern,
		     topic_index_fn fn, void *ctx)
{
	size_t keylen;
	void *const *tree = tree_of(ix, pattern, &keylen);
	return each(find(tree, pattern, keylen), pattern, true, fn, ctx);
}

void topic_index_clear(struct topic_index *ix)
{
	tdestroy(ix->exact, bucket_free);
	tdestroy(ix->headed, bucket_free);
	*ix = (struct topic_index){ 0 };
}
