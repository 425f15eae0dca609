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
 * for all): the timer only ever looks at the head.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "deadline.h"
#include "log.h"
#include "loop.h"

/* Slots kept free for newcomers: above conns_max - RESERVE connections,
 * each new one closes the oldest that still owes its request. */
#define RESERVE 16
#define LOG_EVERY_MS 10000

struct web_deadline {
	int fd;
	int64_t since_ms;		/* when its wait for a request began */
	bool waiting;			/* in the list */
	struct web_deadline *prev, *next;
};

static struct {
	struct loop *loop;
	int timeout_ms;
	unsigned conns_max;
	unsigned conns;			/* open connections */
	struct web_deadline *head, *tail;	/* waiting, oldest first */
	uint64_t timer, log_timer;
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
	shutdown(d->fd, SHUT_RDWR);
	if (late)
		dl.late++;
	else
		dl.crowded++;
	tell();
}

static void on_timer(struct loop *l, void *ctx);

static void arm(void)
{
	if (dl.timer || !dl.head)
		return;
	int64_t left = dl.head->since_ms + dl.timeout_ms - loop_now(dl.loop);
	dl.timer = loop_add_timer(dl.loop, left > 0 ? left : 0, on_timer, NULL);
}

static void on_timer(struct loop *l, void *ctx)
{
	(void)ctx;
	dl.timer = 0;
	int64_t now = loop_now(l);
	while (dl.head && now - dl.head->since_ms >= dl.timeout_ms)
		shut(dl.head, true);
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
	dl.conns = 0;
}

struct web_deadline *web_deadline_start(int fd)
{
	dl.conns++;
	if (dl.conns + RESERVE > dl.conns_max && dl.head)
		shut(dl.head, false);
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
	if (!d)
		return;
	list(d);
	arm();
}
