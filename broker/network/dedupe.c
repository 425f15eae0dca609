/*
 * dedupe.c - the window of recent bridged message ids (see dedupe.h): a
 * tsearch tree for lookups and a ring for the order of forgetting.
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "dedupe.h"

static void *tree;
static char *ring[DEDUPE_WINDOW];
static size_t next;

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

bool dedupe_seen(const char *id)
{
	if (tfind(id, &tree, cmp))
		return true;
	char *copy = strdup(id);
	if (!copy)
		return false;	/* cannot remember: deliver rather than lose */
	if (!tsearch(copy, &tree, cmp)) {
		free(copy);
		return false;
	}
	if (ring[next]) {
		tdelete(ring[next], &tree, cmp);
		free(ring[next]);
	}
	ring[next] = copy;
	next = (next + 1) % DEDUPE_WINDOW;
	return false;
}

void dedupe_forget(const char *id)
{
	char **found = tfind(id, &tree, cmp);
	if (!found)
		return;
	char *copy = *found;
	tdelete(copy, &tree, cmp);
	/* Most often the id just remembered; else found in the ring. */
	size_t i = (next + DEDUPE_WINDOW - 1) % DEDUPE_WINDOW;
	for (size_t n = 0; n < DEDUPE_WINDOW && ring[i] != copy; n++)
		i = (i + DEDUPE_WINDOW - 1) % DEDUPE_WINDOW;
	if (ring[i] == copy)
		ring[i] = NULL;
	free(copy);
}

static void keep(void *p)
{
	(void)p;	/* the ring owns the strings */
}

void dedupe_free(void)
{
	tdestroy(tree, keep);
	tree = NULL;
	for (size_t i = 0; i < DEDUPE_WINDOW; i++) {
		free(ring[i]);
		ring[i] = NULL;
	}
	next = 0;
}
