/*
 * retain.c - retained messages (see retain.h).
 *
 * A list of (topic, message), newest first, with a tsearch index by topic
 * for the replace on every retained publish. A subscription with
 * wildcards walks the list, which is rare next to publishing.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "log.h"
#include "retain.h"
#include "store.h"
#include "wildcard.h"

struct retained {
	struct message *msg;	/* msg->dest is the topic */
	struct retained *prev, *next;
};

static struct retained *head;
static void *index_root;
static size_t count;

static int by_topic(const void *a, const void *b)
{
	return strcmp(((const struct retained *)a)->msg->dest,
		      ((const struct retained *)b)->msg->dest);
}

static struct retained *find(const char *topic)
{
	struct message key_msg = { .dest = (char *)topic };
	struct retained key = { .msg = &key_msg };
	void **found = tfind(&key, &index_root, by_topic);
	return found ? *found : NULL;
}

static void container_of_topic(const char *topic, char *out, size_t n)
{
	snprintf(out, n, RETAIN_CONTAINER_PREFIX "%s", topic);
}

/* Drops r: from the index, the list and the store. */
static void drop(struct retained *r)
{
	if (broker.store) {
		char container[1100];
		container_of_topic(r->msg->dest, container, sizeof container);
		store_remove_entry(broker.store, container, r->msg->seq);
	}
	tdelete(r, &index_root, by_topic);
	if (r->prev)
		r->prev->next = r->next;
	else
		head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	message_unref(r->msg);
	free(r);
	count--;
}

/* Adds m (its reference is taken over) to the index and the list. */
static int add(struct message *m)
{
	struct retained *r = calloc(1, sizeof *r);
	if (!r) {
		message_unref(m);
		return -1;
	}
	r->msg = m;
	if (!tsearch(r, &index_root, by_topic)) {
		message_unref(m);
		free(r);
		return -1;
	}
	r->next = head;
	if (head)
		head->prev = r;
	head = r;
	count++;
	return 0;
}

int retain_set(const struct message *m)
{
	struct retained *old = find(m->dest);
	if (old)
		drop(old);
	if (m->body_len == 0)
		return 0;
	struct message *copy = message_copy_to(m, DEST_TOPIC, m->dest, NULL, 0);
	if (!copy)
		return -1;
	copy->retained = true;
	copy->expires = 0;
	if (broker.store) {
		/* Kept whatever the QoS: a retained message is the topic's
		 * state, which the standard expects to outlive a restart. */
		char container[1100];
		container_of_topic(copy->dest, container, sizeof container);
		if (store_add_message(broker.store, copy) < 0 ||
		    store_add_entry(broker.store, container, copy->seq) < 0) {
			message_unref(copy);
			return -1;
		}
	}
	return add(copy);
}

void retain_loaded(const char *topic, struct message *m)
{
	struct retained *old = find(topic);
	if (old) {
		/* Two for one topic cannot be written; keep the newer. */
		log_warn("store", "Two retained messages for topic %s; keeping the newer", topic);
		if (old->msg->seq > m->seq) {
			message_unref(m);
			return;
		}
		drop(old);
	}
	m->retained = true;
	if (add(m) < 0)
		log_error("store", "Cannot restore the retained message of topic %s: "
			  "out of memory", topic);
}

void retain_each(const char *pattern, void (*fn)(void *ctx, struct message *m), void *ctx)
{
	if (!dest_has_wildcard(pattern)) {
		struct retained *r = find(pattern);
		if (r)
			fn(ctx, r->msg);
		return;
	}
	for (struct retained *r = head; r; r = r->next)
		if (dest_match(pattern, r->msg->dest))
			fn(ctx, r->msg);
}

size_t retain_count(void)
{
	return count;
}

static void keep_node(void *p)
{
	(void)p;
}

void retain_free_all(void)
{
	tdestroy(index_root, keep_node);
	index_root = NULL;
	while (head) {
		struct retained *r = head;
		head = r->next;
		message_unref(r->msg);
		free(r);
	}
	count = 0;
}
