/*
 * flow.c - producer flow control (see flow.h).
 *
 * Held producers are a plain list: there are few of them at any time, and
 * flow_release() only walks it while it is not empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "conn.h"
#include "flow.h"
#include "log.h"
#include "proto.h"
#include "queue.h"

/* ActiveMQ warns about a blocked producer every 30 s
 * (blockedProducerWarningInterval); so do we, per destination. */
#define FLOW_LOG_MS 30000
/* ActiveMQ's default memoryUsage when the configuration sets none. */
#define DEFAULT_MEMORY_LIMIT (1LL << 30)

struct held {
	struct conn *c;		/* one reference */
	enum dest_type type;
	char *dest;
	struct held *next;
};

static long long used, limit;
static struct held *held;
static int64_t broker_logged_ms;

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
}

long long flow_message_cost(const struct message *m)
{
	long long n = (long long)sizeof *m + (long long)m->body_len + 64;
	for (size_t i = 0; i < m->nheaders; i++)
		n += (long long)(strlen(m->headers[i].name) + strlen(m->headers[i].value) + 2 +
				 sizeof(struct header));
	return n;
}

void flow_charge(struct queue *q, long long bytes)
{
	q->mem_used += bytes;
	used += bytes;
}

long long flow_memory_used(void)
{
	return used;
}

long long flow_memory_limit(void)
{
	return limit;
}

/* The queue whose own limit applies to a send, or NULL. */
static struct queue *limited_queue(enum dest_type type, const char *dest)
{
	if (type != DEST_QUEUE)
		return NULL;
	struct queue *q = broker_queue(dest, false);
	return q && q->mem_limit > 0 ? q : NULL;
}

static bool has_room(enum dest_type type, const char *dest)
{
	struct queue *q = limited_queue(type, dest);
	return used < limit && (!q || q->mem_used < q->mem_limit);
}

enum flow_verdict flow_check(const struct message *m, char *why, size_t whylen)
{
	if (has_room(m->dest_type, m->dest))
		return FLOW_OK;
	struct queue *q = limited_queue(m->dest_type, m->dest);
	bool own = q && q->mem_used >= q->mem_limit;
	long long u = own ? q->mem_used : used, lim = own ? q->mem_limit : limit;
	snprintf(why, whylen, "Usage Manager Memory Limit reached on %s://%s: %lld of %lld "
		 "bytes in use%s. See http://activemq.apache.org/producer-flow-control.html",
		 dest_type_name(m->dest_type), m->dest, u, lim,
		 own ? " (the destination's memoryLimit)" : " (the broker's memoryUsage)");
	int64_t now = broker.now_wall;
	int64_t *logged = own ? &q->flow_logged_ms : &broker_logged_ms;
	bool fail = broker.cfg->send_fail_if_no_space;
	if (!*logged || now - *logged >= FLOW_LOG_MS) {
		*logged = now;
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
	h->type = m->dest_type;
	conn_ref(c);
	conn_pause_read(c);
	h->next = held;
	held = h;
}

void flow_release(void)
{
	for (struct held **pp = &held; *pp;) {
		struct held *h = *pp;
		if (!h->c->dead && !has_room(h->type, h->dest)) {
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
