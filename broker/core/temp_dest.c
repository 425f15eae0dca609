/*
 * temp_dest.c - temporary destinations (see temp_dest.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "conn.h"
#include "log.h"
#include "queue.h"
#include "temp_dest.h"

struct temp {
	const struct conn *owner;
	enum dest_type type;
	char *name;		/* the real name */
	struct temp *next;
};

/* Few at a time (one or two per requesting connection): a list will do. */
static struct temp *temps;

static struct temp *find(enum dest_type type, const char *name)
{
	for (struct temp *t = temps; t; t = t->next)
		if (t->type == type && !strcmp(t->name, name))
			return t;
	return NULL;
}

bool temp_dest_is_temp(const char *name)
{
	return !strncmp(name, "ID:", 3);
}

int temp_dest_of(struct conn *c, enum dest_type type, const char *name, char *out,
		 size_t outlen)
{
	int n = snprintf(out, outlen, "%stemp-%" PRIu64 ":%s", broker.id_prefix, c->id, name);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	if (find(type, out))
		return 0;
	struct temp *t = calloc(1, sizeof *t);
	if (!t || !(t->name = strdup(out))) {
		free(t);
		return -1;
	}
	t->owner = c;
	t->type = type;
	t->next = temps;
	temps = t;
	log_debug("broker", "Temporary %s %s of %s", type == DEST_QUEUE ? "queue" : "topic", out,
		  c->peer);
	return 0;
}

const char *temp_dest_local_name(const struct conn *c, const char *real)
{
	char prefix[256];
	int n = snprintf(prefix, sizeof prefix, "%stemp-%" PRIu64 ":", broker.id_prefix, c->id);
	if (n < 0 || (size_t)n >= sizeof prefix || strncmp(real, prefix, (size_t)n))
		return NULL;
	return real + n;
}

bool temp_dest_may_consume(const struct conn *c, enum dest_type type, const char *name)
{
	const struct temp *t = find(type, name);
	return !t || t->owner == c;
}

bool temp_dest_deleted(enum dest_type type, const char *name)
{
	size_t len = strlen(broker.id_prefix);
	return !strncmp(name, broker.id_prefix, len) && !strncmp(name + len, "temp-", 5) &&
	       !find(type, name);
}

void temp_dest_conn_gone(struct conn *c)
{
	for (struct temp **pp = &temps; *pp;) {
		struct temp *t = *pp;
		if (t->owner != c) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		char err[256];
		/* Its own consumers closed before: nothing holds the queue. */
		if (t->type == DEST_QUEUE && broker_queue(t->name, false) &&
		    broker_queue_remove(t->name, err, sizeof err) < 0)
			log_warn("broker", "Temporary queue %s outlives its connection: %s", t->name,
				 err);
		free(t->name);
		free(t);
	}
}
