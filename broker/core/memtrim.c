/*
 * memtrim.c - memory given back to the system when the broker goes idle
 * (see memtrim.h).
 *
 * glibc keeps the heap that a burst grew: after fan-out bursts the RSS
 * stayed at 80-97 MiB against 15-22 MiB fresh (issue 23), and after
 * 50,000 10 KB messages had drained at 35 MB against 14 MB fresh, though
 * what the broker held was back to where it started. So once a second
 * the broker looks whether messages came or went; the first time none
 * did, when malloc holds at least TRIM_MIN_FREE bytes unused, it frees the
 * queue entries kept for reuse and calls malloc_trim(0), which hands the
 * free pages of every arena (the store writers' too) back. Once per quiet
 * spell, and not more often than TRIM_EVERY_MS: trimming a large heap
 * takes milliseconds, and a heap trimmed during traffic grows again.
 *
 * What a connection held is freed when it closes, messages or not: one
 * STOMP connection's 20,000 topic subscriptions grew the RSS from 14 to
 * 39 MB, and it stayed there after the close although the broker used
 * 0.55 MB of it (glibc's malloc_stats; valgrind finds nothing lost). So
 * closes count as activity too, and a connection that held thousands of
 * subscriptions asks for the trim at the next tick, traffic or not: on
 * a broker that never goes quiet the heap would otherwise keep it.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>

#include "broker.h"
#include "loop.h"
#include "memtrim.h"
#include "queue.h"

#define TICK_MS 1000
#define TRIM_EVERY_MS 10000
#define TRIM_MIN_FREE ((size_t)4 << 20)

static uint64_t last_activity;
static uint64_t closes;		/* connections closed so far */
static bool asked;		/* memtrim_conn_closed(true) since the last trim */
static bool trimmed;		/* in this quiet spell */
static int64_t last_trim_ms;

/* Messages in and out and connections closed so far: unchanged for a
 * tick means idle. */
static uint64_t activity(void)
{
	return broker.total_enqueues + broker.total_dequeues + closes;
}

void memtrim_conn_closed(bool much)
{
	closes++;
	asked |= much;
}

static void trim(void)
{
	int64_t now = loop_now(broker.loop);
	if (last_trim_ms && now - last_trim_ms < TRIM_EVERY_MS)
		return;
	trimmed = true;
	asked = false;
	if (mallinfo2().fordblks < TRIM_MIN_FREE)
		return;
	last_trim_ms = now;
	queue_free_spare_entries();
	malloc_trim(0);
}

static void tick(struct loop *l, void *ctx)
{
	(void)ctx;
	uint64_t now = activity();
	if (asked) {
		last_activity = now;
		trim();
	} else if (now != last_activity) {
		last_activity = now;
		trimmed = false;
	} else if (!trimmed) {
		trim();
	}
	loop_add_timer(l, TICK_MS, tick, NULL);
}

int memtrim_start(struct loop *l)
{
	last_activity = activity();
	trimmed = true;		/* nothing to give back before the first message */
	return loop_add_timer(l, TICK_MS, tick, NULL) ? 0 : -1;
}
