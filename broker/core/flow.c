/*
 * flow.c - producer flow control (see flow.h).
 *
 * Held producers are a plain list: there are few of them at any time, and
 * flow_release() only walks it while it is not empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "conn.h"
#include "flow.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "queue.h"
#include "store.h"
#include "temp_store.h"

/* ActiveMQ warns about a blocked producer every 30 s
 * (blockedProducerWarningInterval); so do we, per destination. */
#define FLOW_LOG_MS 30000
/* ActiveMQ's default memoryUsage when the configuration sets none. */
#define DEFAULT_MEMORY_LIMIT (1LL << 30)

/* ActiveMQ's defaults for storeUsage and tempUsage. */
#define DEFAULT_STORE_LIMIT (100LL << 30)
#define DEFAULT_TEMP_LIMIT (50LL << 30)

struct held {
	struct conn *c;		/* one reference */
	enum dest_type type;
	bool persistent;
	char *dest;
	int64_t since;		/* wall clock ms (the health check's "since") */
	struct held *next;
};

static long long used, limit, store_limit, temp_limit;
/* Input the connections hold (conn.h). It counts against the limit for a
 * new send, but not for letting a held producer go on: a held producer's
 * own unread input would otherwise keep it, and others, held for good. */
static long long input_used;
/* Output the connections hold (conn.h): bounded per connection by
 * CONN_OUT_HIGH, but a thousand slow consumers hold a gigabyte. */
static long long output_used;
static struct held *held;
static int64_t broker_logged_ms, store_logged_ms, temp_logged_ms;

void flow_init(void)
{
	const struct config *cfg = broker.cfg;
	used = 0;
	if (cfg->memory_limit) {
		limit = cfg->memory_limit;
	} else if (cfg->memory_percent_of_jvm_heap) {
		long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
		limit = pages > 0 && size > 0
			? (long long)pages * size / 100 * cfg->memory_percent_of_jvm_heap
			: DEFAULT_MEMORY_LIMIT;
	} else {
		limit = DEFAULT_MEMORY_LIMIT;
	}
	store_limit = cfg->store_limit ? cfg->store_limit : DEFAULT_STORE_LIMIT;
	temp_limit = cfg->temp_limit ? cfg->temp_limit : DEFAULT_TEMP_LIMIT;
}

/* Bytes free for us on the file system holding dir (or its nearest
 * existing parent); -1 when unknown. */
static long long disk_available(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	struct statvfs sv;
	while (statvfs(path, &sv) < 0) {
		char *slash = strrchr(path, '/');
		if (!slash || slash == path)
			return -1;
		*slash = '\0';
	}
	return (long long)sv.f_bavail * (long long)sv.f_frsize;
}

/* As ActiveMQ does, a limit larger than the disk can give is lowered to
 * what it can (what the store holds now plus the free space). */
static void fit_to_disk(const char *what, const char *dir, long long in_use, long long *lim)
{
	long long avail = disk_available(dir);
	if (avail < 0 || *lim <= in_use + avail)
		return;
	log_warn("broker", "%s limit is %lld mb (current usage is %lld mb). The data directory: "
		 "%s only has %lld mb of usable space. - resetting to maximum available disk "
		 "space: %lld mb", what, *lim >> 20, in_use >> 20, dir, avail >> 20,
		 (in_use + avail) >> 20);
	*lim = in_use + avail;
}

/* A store in PostgreSQL (jdbcPersistenceAdapter) is sized against the
 * database, not this machine's disk: the data directory is not where
 * its rows go, and the database's disk is not visible from here. Its
 * usage is the size of the pair's own tables (store_pg.c measure), its
 * limit storeUsage's as configured. */
static bool store_on_disk(void)
{
	return broker.store && !broker.cfg->jdbc;
}

void flow_fit_to_disk(void)
{
	long long in_use = 0;
	if (store_on_disk()) {
		struct store_size sz;
		store_size(broker.store, &sz);
		in_use = sz.file_bytes - sz.free_bytes;
		fit_to_disk("Store", broker.cfg->store_directory, in_use, &store_limit);
	}
	fit_to_disk("Temporary Store", broker.cfg->temp_directory, 0, &temp_limit);
}

long long flow_message_cost(const struct message *m)
{
	return (long long)m->cost;
}

void flow_charge(struct queue *q, long long bytes)
{
	q->mem_used += bytes;
	used += bytes;
}

void flow_charge_input(long long bytes)
{
	input_used += bytes;
}

void flow_charge_output(long long bytes)
{
	output_used += bytes;
}

/* What memory holds besides the queues' entries and transactions:
 * messages none holds (a store write not done yet, a protocol's) and the
 * connections' output; their input when asked. */
static long long held_elsewhere(bool with_input)
{
	return message_unqueued_bytes() + output_used + (with_input ? input_used : 0);
}

long long flow_memory_used(void)
{
	return used + held_elsewhere(true);
}

long long flow_memory_limit(void)
{
	return limit;
}

long long flow_store_used(void)
{
	if (!broker.store)
		return 0;
	struct store_size sz;
	store_size(broker.store, &sz);
	return sz.file_bytes - sz.free_bytes;
}

/* The limit as the disk allows now: at start it was lowered to fit the
 * disk (fit_to_disk), but the disk may fill up since, with other files;
 * then what the store holds plus what is still free is all it can reach.
 * Without this a store on a full disk read 7% used. */
long long flow_store_limit(void)
{
	if (!store_on_disk())
		return store_limit;
	long long avail = disk_available(broker.cfg->store_directory);
	long long can = flow_store_used() + avail;
	return avail >= 0 && can < store_limit ? can : store_limit;
}

long long flow_temp_limit(void)
{
	return temp_limit;
}

/* ActiveMQ's cursorMemoryHighWaterMark: cursors spill at 70% of the limit,
 * before producers would be held at 100%. */
#define SPILL_PERCENT 70

bool flow_broker_memory_short(void)
{
	return used >= limit / 100 * SPILL_PERCENT;
}

bool flow_memory_short(const struct queue *q)
{
	return flow_broker_memory_short() ||
	       (q->mem_limit > 0 && q->mem_used >= q->mem_limit / 100 * SPILL_PERCENT);
}

long long flow_queue_limit(const char *name)
{
	const struct conf_policy *pol = config_policy_for(broker.cfg, false, name);
	return pol && pol->producer_flow_control ? pol->memory_limit : 0;
}

static int64_t new_queue_logged_ms;

/* The queue whose own limit applies to a send, or NULL. */
static struct queue *limited_queue(enum dest_type type, const char *dest)
{
	if (type != DEST_QUEUE)
		return NULL;
	struct queue *q = broker_queue(dest, false);
	return q && q->mem_limit > 0 ? q : NULL;
}

/* A limit that a send would go past. */
struct limit_hit {
	const char *what;	/* for the message */
	long long used, limit;
	int64_t *logged;	/* when it was last said */
};

/* When the temp store's writer was last said to be behind. That room
 * comes back by itself, so its producers are held even with
 * sendFailIfNoSpace, which would refuse sends the temp store has room for. */
static int64_t writer_logged_ms;

/* Which limit a send of this kind to this destination is past, if any:
 * a persistent message needs room in the store (storeUsage) and in
 * memory; a non-persistent one for a queue goes to the temp store when
 * memory is short, so it needs room there (tempUsage); any other needs
 * memory. */
static bool over_limit(enum dest_type type, const char *dest, bool persistent,
		       bool with_input, long long pending, struct limit_hit *hit)
{
	if (persistent && broker.store) {
		long long u = flow_store_used();
		if (u >= store_limit) {
			*hit = (struct limit_hit){ "Store", u, store_limit, &store_logged_ms };
			return true;
		}
	} else if (type == DEST_QUEUE && temp_store_usable()) {
		/* As ActiveMQ's cursors: the temp store's limit holds only the
		 * producers of queues that spool into it now; others stay in
		 * memory and are bounded by memoryUsage below. A new queue
		 * spools when memory is short. */
		struct queue *q = broker_queue(dest, false);
		bool spools = q ? queue_spools(q) : used >= limit / 100 * SPILL_PERCENT;
		long long u = temp_store_used();
		if (spools && u >= temp_limit) {
			*hit = (struct limit_hit){ "Temp Store", u, temp_limit, &temp_logged_ms };
			return true;
		}
		/* A spooled message is held until the temp store's writer has
		 * written it: those writes get the room above the spill mark,
		 * which the queues' entries never take from spooling queues.
		 * Without this a producer faster than the writer took 380 MB
		 * under a 32 MB memoryUsage. */
		long long room = limit - limit / 100 * SPILL_PERCENT;
		long long other = held_elsewhere(with_input);
		if (spools && other >= room) {
			*hit = (struct limit_hit){ "Memory", used + other, limit, &writer_logged_ms };
			return true;
		}
		if (spools)
			return false;
	}
	struct queue *q = limited_queue(type, dest);
	if (q && q->mem_used + pending >= q->mem_limit) {
		*hit = (struct limit_hit){ "Memory", q->mem_used + pending, q->mem_limit,
					   &q->flow_logged_ms };
		return true;
	}
	/* A transaction's first messages to a queue not made yet: its
	 * policy's limit will apply once they make it. */
	long long made_limit = pending && type == DEST_QUEUE && !broker_queue(dest, false)
			       ? flow_queue_limit(dest) : 0;
	if (made_limit && pending >= made_limit) {
		*hit = (struct limit_hit){ "Memory", pending, made_limit, &new_queue_logged_ms };
		return true;
	}
	/* A transaction's messages count in its own `pending`, not in
	 * held_elsewhere: a held producer is let go when the rest fits, or
	 * it could never send its COMMIT. */
	long long in_memory = used + pending + held_elsewhere(with_input);
	if (in_memory >= limit) {
		*hit = (struct limit_hit){ "Memory", in_memory, limit, &broker_logged_ms };
		return true;
	}
	return false;
}

enum flow_verdict flow_check(const struct message *m, char *why, size_t whylen)
{
	return flow_check_pending(m, 0, why, whylen);
}

enum flow_verdict flow_check_pending(const struct message *m, long long pending, char *why,
				     size_t whylen)
{
	struct limit_hit hit;
	if (!over_limit(m->dest_type, m->dest, m->persistent, true, pending, &hit))
		return FLOW_OK;
	const char *whose = strcmp(hit.what, "Memory") ? ""
			    : hit.logged == &broker_logged_ms || hit.logged == &writer_logged_ms
			    ? " (the broker's memoryUsage)"
			    : " (the destination's memoryLimit)";
	snprintf(why, whylen, "Usage Manager %s %s on %s://%s: %lld of %lld bytes in use%s. "
		 "See http://activemq.apache.org/producer-flow-control.html",
		 hit.what, strcmp(hit.what, "Memory") ? "is Full" : "Limit reached",
		 dest_type_name(m->dest_type), m->dest, hit.used, hit.limit, whose);
	int64_t now = broker.now_wall;
	bool fail = broker.cfg->send_fail_if_no_space && hit.logged != &writer_logged_ms;
	if (!*hit.logged || now - *hit.logged >= FLOW_LOG_MS) {
		*hit.logged = now;
		log_info("broker", "%s. %s", why, fail
			 ? "Sends fail (sendFailIfNoSpace)."
			 : "Producers are held until there is room.");
	}
	return fail ? FLOW_FAIL : FLOW_BLOCK;
}

void flow_hold(struct conn *c, const struct message *m)
{
	struct held *h = calloc(1, sizeof *h);
	if (!h || !(h->dest = strdup(m->dest))) {
		free(h);
		return;	/* memory: let it go on rather than hold it forever */
	}
	h->c = c;
	h->since = wall_ms();
	h->type = m->dest_type;
	h->persistent = m->persistent;
	conn_ref(c);
	conn_pause_read(c);
	h->next = held;
	held = h;
}

long flow_held_count(enum dest_type type, const char *dest)
{
	long n = 0;
	for (struct held *h = held; h; h = h->next)
		n += h->type == type && !strcmp(h->dest, dest);
	return n;
}

void flow_held_each(void (*fn)(void *ctx, enum dest_type type, const char *dest,
			       int64_t since_ms), void *ctx)
{
	for (struct held *h = held; h; h = h->next)
		fn(ctx, h->type, h->dest, h->since);
}

void flow_release(void)
{
	struct limit_hit hit;
	for (struct held **pp = &held; *pp;) {
		struct held *h = *pp;
		/* With sendFailIfNoSpace only a writer's backlog holds a
		 * producer; past any other limit its next send is refused. */
		if (!h->c->dead && over_limit(h->type, h->dest, h->persistent, false, 0, &hit) &&
		    (!broker.cfg->send_fail_if_no_space || hit.logged == &writer_logged_ms)) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		conn_resume_read(h->c);
		conn_unref(h->c);
		free(h->dest);
		free(h);
	}
}
