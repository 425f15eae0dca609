/*
 * topic.c - the known topics (see topic.h): a list for walking and a
 * tsearch tree for finding by name.
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "topic.h"

static struct topic *head;
static void *index_root;
static unsigned long count;

static int topic_cmp(const void *a, const void *b)
{
	return strcmp(((const struct topic *)a)->name, ((const struct topic *)b)->name);
}

struct topic *topic_get(const char *name, bool create)
{
	struct topic key = { .name = (char *)name };
	void **found = tfind(&key, &index_root, topic_cmp);
	if (found)
		return *found;
	if (!create || strpbrk(name, "*>") || !*name)
		return NULL;
	struct topic *t = calloc(1, sizeof *t);
	if (!t || !(t->name = strdup(name)) || !tsearch(t, &index_root, topic_cmp)) {
		if (t)
			free(t->name);
		free(t);
		return NULL;
	}
	t->next = head;
	head = t;
	count++;
	return t;
}

int topic_remove(const char *name)
{
	struct topic *t = topic_get(name, false);
	if (!t)
		return -1;
	tdelete(t, &index_root, topic_cmp);
	struct topic **pp = &head;
	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	count--;
	free(t->name);
	free(t);
	return 0;
}

struct topic *topic_first(void)
{
	return head;
}

unsigned long topic_count(void)
{
	return count;
}

static void keep(void *p)
{
	(void)p;	/* the list owns the records */
}

void topic_free_all(void)
{
	tdestroy(index_root, keep);
	index_root = NULL;
	while (head) {
		struct topic *t = head;
		head = t->next;
		free(t->name);
		free(t);
	}
	count = 0;
}
