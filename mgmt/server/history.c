/*
 * history.c - the broker's and its queues' last hour, sampled on a loop
 * timer into fixed rings (see history.h for what is kept and which
 * queues get a ring).
 *
 * Where to start reading: tick(), one sample of everything, then
 * sweep(), how queues come into use.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "queue.h"
#include "strmap.h"

/* A ring that saw no traffic, with nobody attached, for this many
 * samples in a row may give its place to a queue in use (a minute). */
#define QUIET_EVICT 12

struct history {
	char *name;			/* NULL: the broker's totals */
	uint64_t last_in, last_out;	/* the counters at the last sample */
	size_t head, len;		/* the next slot; samples held */
	size_t quiet;			/* samples in a row without traffic or anyone attached */
	int64_t last_ms;
	struct history_sample s[HISTORY_SAMPLES];
};

static struct {
	struct loop *loop;
	uint64_t timer;
	struct history *broker;
	struct history *queues[HISTORY_QUEUES_MAX];	/* in the order taken on */
	size_t nqueues;
	struct strmap by_name;		/* the same by queue name */
	char *sweep_at;			/* the last queue the sweep looked at; NULL: start */
	size_t untracked, untracked_now;
} hist = { .by_name = STRMAP_INIT };

static struct history *ring_new(const char *name, uint64_t in, uint64_t out)
{
	struct history *h = calloc(1, sizeof *h);
	if (!h || (name && !(h->name = strdup(name)))) {
		free(h);
		return NULL;
	}
	h->last_in = in;
	h->last_out = out;
	return h;
}

static void ring_free(struct history *h)
{
	if (h)
		free(h->name);
	free(h);
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* One sample: the depth now, and the traffic since the last (counters
 * only grow; a smaller one was reset, and counts as none). */
static void ring_add(struct history *h, uint64_t depth, uint64_t in, uint64_t out, int64_t now)
{
	struct history_sample *s = &h->s[h->head];
	s->depth = clamp32(depth);
	s->in = clamp32(in >= h->last_in ? in - h->last_in : 0);
	s->out = clamp32(out >= h->last_out ? out - h->last_out : 0);
	h->last_in = in;
	h->last_out = out;
	h->head = (h->head + 1) % HISTORY_SAMPLES;
	if (h->len < HISTORY_SAMPLES)
		h->len++;
	h->last_ms = now;
}

static bool attached(const struct queue *q)
{
	return q->producers > 0 || q->nconsumers > 0 || q->ninflight > 0;
}

static void drop(size_t i)
{
	struct history *h = hist.queues[i];
	strmap_del(&hist.by_name, h->name);
	ring_free(h);
	memmove(hist.queues + i, hist.queues + i + 1, (hist.nqueues - i - 1) * sizeof *hist.queues);
	hist.nqueues--;
}

/* The ring quiet the longest, if quiet long enough to give way. */
static bool evict_quietest(void)
{
	size_t best = 0;
	for (size_t i = 1; i < hist.nqueues; i++)
		if (hist.queues[i]->quiet > hist.queues[best]->quiet)
			best = i;
	if (!hist.nqueues || hist.queues[best]->quiet < QUIET_EVICT)
		return false;
	drop(best);
	return true;
}

/* Takes q on (evicting a quiet ring for a queue someone is attached
 * to, when every ring is taken); NULL when there is no room. */
static struct history *track(const struct queue *q, bool evict)
{
	if (hist.nqueues == HISTORY_QUEUES_MAX && !(evict && evict_quietest()))
		return NULL;
	struct history *h = ring_new(q->name, q->enqueues, q->dequeues);
	if (!h)
		return NULL;
	if (strmap_put(&hist.by_name, h->name, h) < 0) {
		ring_free(h);
		return NULL;
	}
	hist.queues[hist.nqueues++] = h;
	return h;
}

/* Looks at the next HISTORY_SCAN queues, from where the last sweep
 * stopped, for queues in use without a ring. Along the broker's list of
 * queues, one step a queue, rather than a seek in the name index for
 * each (with 100,000 queues the sweep takes 0.7 ms, median, on a loaded
 * machine). The place is kept as the name of the next queue, so a queue
 * removed meanwhile is never followed; when that one goes, the sweep
 * starts again from the first. */
static void sweep(void)
{
	struct queue *q = hist.sweep_at ? broker_queue(hist.sweep_at, false) : broker.queues;
	if (!q)
		q = broker.queues;
	for (size_t n = 0; q && n < HISTORY_SCAN; n++, q = q->next) {
		bool in_use = attached(q) || queue_size(q) > 0;
		if (in_use && !strmap_get(&hist.by_name, q->name) && !track(q, attached(q)))
			hist.untracked_now++;
	}
	free(hist.sweep_at);
	hist.sweep_at = q ? strdup(q->name) : NULL;
	if (!q) {	/* a whole sweep is done: its count stands */
		hist.untracked = hist.untracked_now;
		hist.untracked_now = 0;
	}
}

static void sample_queues(int64_t now)
{
	for (size_t i = 0; i < hist.nqueues; ) {
		struct history *h = hist.queues[i];
		struct queue *q = broker_queue(h->name, false);
		if (!q) {
			drop(i);	/* the queue is gone */
			continue;
		}
		bool traffic = q->enqueues != h->last_in || q->dequeues != h->last_out;
		ring_add(h, queue_size(q), q->enqueues, q->dequeues, now);
		h->quiet = traffic || attached(q) ? 0 : h->quiet + 1;
		if (h->quiet >= HISTORY_SAMPLES) {
			drop(i);	/* an hour of nothing: the chart is a line */
			continue;
		}
		i++;
	}
}

static void tick(struct loop *l, void *ctx)
{
	(void)ctx;
	hist.timer = loop_add_timer(l, HISTORY_INTERVAL_MS, tick, NULL);
	if (!broker_serving())
		return;		/* a slave holds no queues */
	int64_t now = wall_ms();
	ring_add(hist.broker, queue_held(QUEUE_NAMED) + queue_held(QUEUE_DURABLE),
		 broker.total_enqueues, broker.total_dequeues, now);
	sample_queues(now);
	sweep();
}

int history_start(struct loop *l)
{
	hist.loop = l;
	hist.broker = ring_new(NULL, broker.total_enqueues, broker.total_dequeues);
	hist.timer = hist.broker ? loop_add_timer(l, HISTORY_INTERVAL_MS, tick, NULL) : 0;
	if (!hist.timer) {
		log_error("mgmt", "Cannot keep the broker's history: out of memory");
		return -1;
	}
	return 0;
}

void history_stop(void)
{
	if (hist.timer)
		loop_del_timer(hist.loop, hist.timer);
	hist.timer = 0;
	while (hist.nqueues)
		drop(hist.nqueues - 1);
	strmap_clear(&hist.by_name);
	ring_free(hist.broker);
	hist.broker = NULL;
	free(hist.sweep_at);
	hist.sweep_at = NULL;
}

const struct history *history_broker(void) { return hist.broker; }
size_t history_count(void) { return hist.nqueues; }
size_t history_untracked(void) { return hist.untracked; }

const struct history *history_at(size_t i)
{
	return i < hist.nqueues ? hist.queues[i] : NULL;
}

const struct history *history_queue(const char *name)
{
	return strmap_get(&hist.by_name, name);
}

const struct history *history_queue_track(const char *name)
{
	const struct history *h = history_queue(name);
	struct queue *q;
	if (h || !hist.broker || !(q = broker_queue(name, false)))
		return h;
	return track(q, true);
}

const char *history_name(const struct history *h) { return h->name; }
size_t history_len(const struct history *h) { return h->len; }
int64_t history_last_ms(const struct history *h) { return h->last_ms; }

struct history_sample history_get(const struct history *h, size_t i)
{
	size_t oldest = (h->head + HISTORY_SAMPLES - h->len) % HISTORY_SAMPLES;
	return h->s[(oldest + i) % HISTORY_SAMPLES];
}
