/*
 * nameset.c - a skip list of named items (see nameset.h).
 *
 * Every node is on level 0, a quarter of them on level 1, and so on: a
 * search starts on the highest level and drops a level when the next
 * node there would pass the name.
 */
#include <stdlib.h>
#include <string.h>

#include "nameset.h"

struct nameset_node {
	const char *name;
	void *item;
	int height;
	struct nameset_node *next[];
};

/* A node's height: 1, then one more with probability 1/4 each. */
static int pick_height(struct nameset *s)
{
	int h = 1;
	for (;;) {
		s->rnd = s->rnd * 1103515245u + 12345u;
		if (h == NAMESET_LEVELS || ((s->rnd >> 16) & 3))
			return h;
		h++;
	}
}

/* Fills prev[] with, per level, the link that leads to the first node
 * not before name, and returns that node on level 0 (or NULL). */
static struct nameset_node *seek(const struct nameset *s, const char *name,
				 struct nameset_node ***prev)
{
	struct nameset_node *const *links = s->head;
	for (int lv = s->levels - 1; lv >= 0; lv--) {
		while (links[lv] && strcmp(links[lv]->name, name) < 0)
			links = links[lv]->next;
		if (prev)
			prev[lv] = (struct nameset_node **)&links[lv];
	}
	return s->levels ? links[0] : NULL;
}

int nameset_add(struct nameset *s, const char *name, void *item)
{
	struct nameset_node **prev[NAMESET_LEVELS];
	struct nameset_node *at = seek(s, name, prev);
	if (at && !strcmp(at->name, name))
		return -1;
	if (!s->rnd)
		s->rnd = 0x2545f491u;
	int h = pick_height(s);
	struct nameset_node *n = malloc(sizeof *n + (size_t)h * sizeof n->next[0]);
	if (!n)
		return -1;
	n->name = name;
	n->item = item;
	n->height = h;
	for (int lv = s->levels; lv < h; lv++)
		prev[lv] = &s->head[lv];
	if (h > s->levels)
		s->levels = h;
	for (int lv = 0; lv < h; lv++) {
		n->next[lv] = *prev[lv];
		*prev[lv] = n;
	}
	s->count++;
	return 0;
}

void *nameset_get(const struct nameset *s, const char *name)
{
	struct nameset_node *at = seek(s, name, NULL);
	return at && !strcmp(at->name, name) ? at->item : NULL;
}

void nameset_del(struct nameset *s, const char *name)
{
	struct nameset_node **prev[NAMESET_LEVELS];
	struct nameset_node *at = seek(s, name, prev);
	if (!at || strcmp(at->name, name))
		return;
	for (int lv = 0; lv < at->height; lv++)
		*prev[lv] = at->next[lv];
	while (s->levels && !s->head[s->levels - 1])
		s->levels--;
	s->count--;
	free(at);
}

void *nameset_after(const struct nameset *s, const char *after)
{
	if (!after)
		return s->levels && s->head[0] ? s->head[0]->item : NULL;
	struct nameset_node *at = seek(s, after, NULL);
	if (at && !strcmp(at->name, after))
		at = at->next[0];
	return at ? at->item : NULL;
}

void nameset_clear(struct nameset *s)
{
	struct nameset_node *n = s->levels ? s->head[0] : NULL;
	while (n) {
		struct nameset_node *next = n->next[0];
		free(n);
		n = next;
	}
	memset(s->head, 0, sizeof s->head);
	s->levels = 0;
	s->count = 0;
}
