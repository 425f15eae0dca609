/* t/unit/store_test.h - what the store's unit tests share: a persistent
 * message made up for a test, one queued on queue://q, and the scratch
 * directory removed at the end. Included by one test each, so static. */
#ifndef STORE_TEST_H
#define STORE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "store.h"
#include "tap.h"

/* A persistent message `id` of queue `dest`: a body of `size` bytes of
 * `fill`. */
static inline struct message *test_message(const char *id, const char *dest, size_t size,
					   char fill)
{
	char *body = malloc(size + 1);
	memset(body, fill, size);
	body[size] = '\0';
	struct message *m = message_new_take(strdup(id), DEST_QUEUE, strdup(dest), NULL, 0, body,
					     size);
	m->persistent = true;
	return m;
}

/* Such a message on queue://q, queued in st (not committed). */
static inline void test_queue_one(struct store *st, const char *id, size_t size, char fill)
{
	struct message *m = test_message(id, "q", size, fill);
	store_add_message(st, m);
	store_add_entry(st, "queue://q", m->seq);
	message_unref(m);
}

static inline void test_remove_dir(const char *dir)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

#endif
