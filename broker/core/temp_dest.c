/*
 * temp_dest.c - temporary destinations (see temp_dest.h): STOMP's, named
 * by the broker, and OpenWire's, named by the JMS client; each creation
 * and deletion is told on ActiveMQ.Advisory.TempQueue or TempTopic.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
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

/* Notes `real` as c's; 0, or -1 when memory ran out. */
static int remember(struct conn *c, enum dest_type type, const char *real)
{
	struct temp *t = calloc(1, sizeof *t);
	if (!t || !(t->name = strdup(real))) {
		free(t);
		return -1;
	}
	t->owner = c;
	t->type = type;
	t->next = temps;
	temps = t;
	log_debug("broker", "Temporary %s %s of %s", type == DEST_QUEUE ? "queue" : "topic", real,
		  c->peer);
	advisory_temp_dest(type, real, c, true);
	return 0;
}

int temp_dest_of(struct conn *c, enum dest_type type, const char *name, char *out,
		 size_t outlen)
{
	int n = snprintf(out, outlen, "%stemp-%" PRIu64 ":%s", broker.id_prefix, c->id, name);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return find(type, out) ? 0 : remember(c, type, out);
}

int temp_dest_add(struct conn *c, enum dest_type type, const char *real, char *err,
		  size_t errlen)
{
	const struct temp *t = find(type, real);
	if (t && t->owner != c) {
		snprintf(err, errlen, "%s is a temporary destination of another connection", real);
		return -1;
	}
	if (!temp_dest_is_temp(real)) {
		snprintf(err, errlen, "A temporary destination's name starts with ID: [%s]", real);
		return -1;
	}
	if (!t && remember(c, type, real) < 0) {
		snprintf(err, errlen, "The broker is out of memory");
		return -1;
	}
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
	/* An "ID:" name no connection made temporary is nobody's: everyone
	 * may use temporary destinations (authz.h), so a client read a queue
	 * "ID:secret" that the entries kept from it. */
	const struct temp *t = find(type, name);
	return t ? t->owner == c : !temp_dest_is_temp(name);
}

bool temp_dest_deleted(enum dest_type type, const char *name)
{
	size_t len = strlen(broker.id_prefix);
	return !strncmp(name, broker.id_prefix, len) && !strncmp(name + len, "temp-", 5) &&
	       !find(type, name);
}

/* Unlinks t and deletes its queue with the messages nobody will take. */
static void drop(struct temp **pp)
{
	struct temp *t = *pp;
	*pp = t->next;
	char err[256];
	/* Its own consumers closed before: nothing holds the queue. */
	if (t->type == DEST_QUEUE && broker_queue(t->name, false) &&
	    broker_queue_remove(t->name, err, sizeof err) < 0)
		log_warn("broker", "Temporary queue %s outlives its connection: %s", t->name, err);
	advisory_temp_dest(t->type, t->name, t->owner, false);
	free(t->name);
	free(t);
}

int temp_dest_remove(struct conn *c, enum dest_type type, const char *real, char *err,
		     size_t errlen)
{
	struct temp **pp = &temps;
	while (*pp && ((*pp)->type != type || strcmp((*pp)->name, real)))
		pp = &(*pp)->next;
	if (!*pp)
		return 0;	/* gone already: as ActiveMQ, nothing to say */
	if ((*pp)->owner != c) {
		snprintf(err, errlen, "%s is a temporary destination of another connection", real);
		return -1;
	}
	const struct queue *q = type == DEST_QUEUE ? broker_queue(real, false) : NULL;
	if (q && q->nconsumers) {
		/* ActiveMQ's words (AbstractRegion.removeDestination). */
		snprintf(err, errlen, "Destination still has an active subscription: "
			 "temp-queue://%s", real);
		return -1;
	}
	drop(pp);
	return 0;
}

void temp_dest_each(void (*fn)(enum dest_type type, const char *real, const struct conn *owner,
			       void *ctx), void *ctx)
{
	for (const struct temp *t = temps; t; t = t->next)
		fn(t->type, t->name, t->owner, ctx);
}

void temp_dest_conn_gone(struct conn *c)
{
	for (struct temp **pp = &temps; *pp;) {
		if ((*pp)->owner == c)
			drop(pp);
		else
			pp = &(*pp)->next;
	}
}
