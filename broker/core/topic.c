/*
 * topic.c - the known topics (see topic.h): a list for walking and a
 * name set (nameset.h) for finding by name and walking in name order.
 */
#include <stdlib.h>
#include <string.h>

#include "nameset.h"
#include "topic.h"

static struct topic *head;
static struct nameset index_root = NAMESET_INIT;
static unsigned long count;

struct topic *topic_get(const char *name, bool create)
{
	struct topic *found = nameset_get(&index_root, name);
	if (found)
		return found;
	if (!create || strpbrk(name, "*>") || !*name)
		return NULL;
	struct topic *t = calloc(1, sizeof *t);
	if (!t || !(t->name = strdup(name)) || nameset_add(&index_root, t->name, t) < 0) {
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
	nameset_del(&index_root, t->name);
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

struct topic *topic_after(const char *name)
{
	return nameset_after(&index_root, name);
}

unsigned long topic_count(void)
{
	return count;
}

void topic_free_all(void)
{
	nameset_clear(&index_root);
	while (head) {
		struct topic *t = head;
		head = t->next;
		free(t->name);
		free(t);
	}
	count = 0;
}
