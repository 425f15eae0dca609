/*
 * history.h - the last hour of the broker's and its busiest queues'
 * counts, kept in the broker so a chart is full when its page loads
 * (man tandem-mgmt(7), History).
 *
 * Every HISTORY_INTERVAL_MS a loop timer takes one sample of the broker's
 * totals and of each tracked queue: its depth, and how many messages
 * arrived and left since the last sample. Each is kept in a ring of
 * HISTORY_SAMPLES, so an hour at 5 s costs 8.6 KiB per ring whatever the
 * traffic.
 *
 * Which queues: at most HISTORY_QUEUES_MAX at once, so 100,000 queues
 * cost no more than 256 (2.2 MiB). A queue is tracked once it is in use
 * (a producer or a consumer, or messages waiting), found by a sweep that
 * looks at HISTORY_SCAN queues a sample (5,000 of 100,000: a sweep takes
 * 100 s), or when someone reads its history (its console page). A queue
 * loses its ring when it goes away, or after a whole window with no
 * traffic and nobody attached, making room for another. When every ring
 * is taken, queues coming into use wait for one (history_untracked
 * counts them).
 *
 * Thread: the event loop's.
 */
#ifndef TANDEM_HISTORY_H
#define TANDEM_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct loop;

#define HISTORY_INTERVAL_MS 5000
#define HISTORY_SAMPLES 720		/* an hour */
#define HISTORY_QUEUES_MAX 256
#define HISTORY_SCAN 5000

struct history_sample {
	uint32_t depth;		/* messages held at the sample (clamped) */
	uint32_t in, out;	/* enqueued, dequeued since the sample before */
};

struct history;

/* Starts sampling (0, or -1 when the timer cannot be set); stops and
 * frees every ring. */
int history_start(struct loop *l);
void history_stop(void);

/* The broker's totals (always kept), the ring of a queue (NULL when it
 * has none), or a tracked queue by its place (0 to history_count() - 1,
 * in the order they were taken on). */
const struct history *history_broker(void);
const struct history *history_queue(const char *name);
size_t history_count(void);
const struct history *history_at(size_t i);
/* The queue's ring, taken on now when it has none and there is room:
 * reading a queue's history starts it. NULL when the queue does not
 * exist or every ring is taken. */
const struct history *history_queue_track(const char *name);
/* Queues in use that found every ring taken at the last sweep. */
size_t history_untracked(void);

/* What a ring holds: the queue's name (NULL for the broker's), how many
 * samples (at most HISTORY_SAMPLES), the i-th oldest, and the wall-clock
 * time of the newest (ms since the epoch; 0 before the first). */
const char *history_name(const struct history *h);
size_t history_len(const struct history *h);
struct history_sample history_get(const struct history *h, size_t i);
int64_t history_last_ms(const struct history *h);

#endif
