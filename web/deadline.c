/*
 * deadline.c - closing web connections that do not send a whole request
 * in time, and keeping a reserve of slots under the connection limit (see
 * deadline.h).
 *
 * Without this, 300 connections from 5 addresses that each sent a byte of
 * their request line now and then held all 256 of the server's slots for
 * as long as they liked: libmicrohttpd's timeout only counts silence, so
 * the console and /health stayed down for the whole attack, and HAProxy
 * took a healthy master out. And libmicrohttpd 0.9.75 loses the end of
 * a connection whose bytes and FIN were both queued before it first read
 * it (it takes the short read for a drained socket): after a flood such
 * connections sat in CLOSE-WAIT, holding their slots, until its idle
 * timeout. A shutdown() here gives it a fresh event to see the end by.
 *
 * Connections waiting for a request are kept in the order their wait
 * began, which is the order of their deadlines (the timeout is the same
 * for all): the timer only ever looks at the head. Near the connection
 * limit the oldest waiting one goes first (a newcomer's arrival, or the
 * timer, closes it), so a slow client can hold a slot only while there
 * are slots to spare.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "deadline.h"
#include "log.h"
#include "loop.h"

/* Slots kept free for newcomers: above conns_max - RESERVE connections,
 * the oldest that still owes its request is closed, once it has owed it
 * for RESERVE_AGE_MS (or half the timeout): not a newcomer whose request
 * is in but not read yet (530 long-polling GETs at once closed 16 of
 * their own when any waiting one could go). */
#define RESERVE 16
#define RESERVE_AGE_MS 1000
#define LOG_EVERY_MS 10000

struct web_deadline {
	int fd;
	int64_t since_ms;		/* when its wait for a request began */
	bool waiting;			/* in the list */
	bool shut;			/* closing: libmicrohttpd has yet to see it */
	struct web_deadline *prev, *next;
};

static struct {
	struct loop *loop;
	int timeout_ms;
	unsigned conns_max;
	unsigned conns;			/* open connections */
	unsigned closing;		/* of which shut */
	struct web_deadline *head, *tail;	/* waiting, oldest first */
	uint64_t timer, log_timer;
	int64_t timer_at;		/* when timer fires */
	int64_t logged_ms;		/* when closings were last told */
	unsigned late, crowded;		/* closed since, and why */
} dl;

static void unlist(struct web_deadline *d)
{
	if (!d->waiting)
		return;
	if (d->prev)
		d->prev->next = d->next;
	else
		dl.head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		dl.tail = d->prev;
	d->prev = d->next = NULL;
	d->waiting = false;
}

static void list(struct web_deadline *d)
{
	unlist(d);
	d->since_ms = loop_now(dl.loop);
	d->prev = dl.tail;
	if (dl.tail)
		dl.tail->next = d;
	else
		dl.head = d;
	dl.tail = d;
	d->waiting = true;
}

static void on_log_timer(struct loop *l, void *ctx);

/* Said once per LOG_EVERY_MS at most, however many there are: the first
 * closing at once, the rest of a flood when its window ends. */
static void tell(void)
{
	int64_t now = loop_now(dl.loop);
	if (dl.logged_ms && now - dl.logged_ms < LOG_EVERY_MS) {
		if (!dl.log_timer)
			dl.log_timer = loop_add_timer(dl.loop, dl.logged_ms + LOG_EVERY_MS - now,
						      on_log_timer, NULL);
		return;
	}
	log_warn("web", "Closed %u web connections that sent no whole request within %d ms, "
		 "and %u waiting ones to keep room under the limit of %u connections",
		 dl.late, dl.timeout_ms, dl.crowded, dl.conns_max);
	dl.logged_ms = now;
	dl.late = dl.crowded = 0;
}

static void on_log_timer(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	dl.log_timer = 0;
	if (dl.late || dl.crowded)
		tell();
}

/* The end of the stream for libmicrohttpd, which then closes it. */
static void shut(struct web_deadline *d, bool late)
{
	unlist(d);
	if (d->shut)
		return;
	shutdown(d->fd, SHUT_RDWR);
	d->shut = true;
	dl.closing++;
	if (late)
		dl.late++;
	else
		dl.crowded++;
	tell();
}

static int reserve_age_ms(void)
{
	return dl.timeout_ms / 2 < RESERVE_AGE_MS ? dl.timeout_ms / 2 : RESERVE_AGE_MS;
}

/* Fewer than RESERVE slots are left, counting those closing as free. */
static bool crowded(void)
{
	return dl.conns - dl.closing + RESERVE > dl.conns_max;
}

/* Closes the waiting connections that are late and, while the server is
 * crowded, those that have waited long enough to be no newcomer. A burst
 * of connections can fill every slot before any is that old; then no
 * newcomer is accepted to make room, so the timer does it. */
static void sweep(int64_t now)
{
	while (dl.head && now - dl.head->since_ms >= dl.timeout_ms)
		shut(dl.head, true);
	while (dl.head && crowded() && now - dl.head->since_ms >= reserve_age_ms())
		shut(dl.head, false);
}

static void on_timer(struct loop *l, void *ctx);

/* The timer, at the head's deadline, or sooner when crowded. */
static void arm(void)
{
	if (!dl.head)
		return;
	int64_t at = dl.head->since_ms + (crowded() ? reserve_age_ms() : dl.timeout_ms);
	if (dl.timer && dl.timer_at <= at)
		return;
	if (dl.timer)
		loop_del_timer(dl.loop, dl.timer);
	int64_t left = at - loop_now(dl.loop);
	dl.timer = loop_add_timer(dl.loop, left > 0 ? left : 0, on_timer, NULL);
	dl.timer_at = at;
}

static void on_timer(struct loop *l, void *ctx)
{
	(void)ctx;
	dl.timer = 0;
	sweep(loop_now(l));
	arm();
}

void web_deadline_init(struct loop *l, int timeout_ms, unsigned conns_max)
{
	dl.loop = l;
	dl.timeout_ms = timeout_ms;
	dl.conns_max = conns_max;
}

void web_deadline_stop(void)
{
	if (dl.timer)
		loop_del_timer(dl.loop, dl.timer);
	if (dl.log_timer)
		loop_del_timer(dl.loop, dl.log_timer);
	dl.timer = dl.log_timer = 0;
	dl.head = dl.tail = NULL;
	dl.conns = dl.closing = 0;
}

struct web_deadline *web_deadline_start(int fd)
{
	dl.conns++;
	sweep(loop_now(dl.loop));
	struct web_deadline *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->fd = fd;
	list(d);
	arm();
	return d;
}

void web_deadline_end(struct web_deadline *d)
{
	if (dl.conns)
		dl.conns--;
	if (!d)
		return;
	if (d->shut && dl.closing)
		dl.closing--;
	unlist(d);
	free(d);
}

void web_deadline_met(struct web_deadline *d)
{
	if (d)
		unlist(d);
}

void web_deadline_again(struct web_deadline *d)
{
	/* (A shut one's aborted request ends too: it owes nothing more.) */
	if (!d || d->shut)
		return;
	list(d);
	arm();
}
