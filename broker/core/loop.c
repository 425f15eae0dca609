/*
 * loop.c - the epoll event loop (see loop.h).
 *
 * File events are kept in an array indexed by fd. Timers are a binary
 * min-heap ordered by deadline; cancelling one searches the heap, which is
 * fine for the few hundred timers a broker keeps (heart-beats, sweeps).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

struct fd_slot {
	loop_fd_fn fn;
	void *ctx;
	int mask;
	bool used;
};

struct timer {
	int64_t when;
	uint64_t id;
	loop_timer_fn fn;
	void *ctx;
};

struct hook {
	loop_hook_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	bool stop;
	int64_t now;
	struct fd_slot *fds;
	int nfds;
	struct timer *heap;
	size_t nheap, capheap;
	uint64_t next_timer_id;
	struct hook *hooks;
	size_t nhooks;
	int64_t longest_us;	/* loop_longest_us() */
	uint64_t iterations;	/* loop_iteration() */
	int64_t woke_us;	/* when the last wait ended */
};

int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_ms(void)
{
	return mono_us() / 1000;
}

int64_t loop_longest_us(const struct loop *l)
{
	return l->longest_us;
}

void loop_longest_reset(struct loop *l)
{
	l->longest_us = 0;
}

uint64_t loop_iteration(const struct loop *l)
{
	return l->iterations;
}

int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->now = mono_ms();
	l->next_timer_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->fds);
	free(l->heap);
	free(l->hooks);
	free(l);
}

static uint32_t to_epoll(int mask)
{
	return (mask & LOOP_READ ? EPOLLIN : 0) | (mask & LOOP_WRITE ? EPOLLOUT : 0);
}

int loop_add_fd(struct loop *l, int fd, int mask, loop_fd_fn fn, void *ctx)
{
	if (fd >= l->nfds) {
		int n = l->nfds ? l->nfds : 64;
		while (n <= fd)
			n *= 2;
		struct fd_slot *p = realloc(l->fds, (size_t)n * sizeof *p);
		if (!p)
			return -1;
		memset(p + l->nfds, 0, (size_t)(n - l->nfds) * sizeof *p);
		l->fds = p;
		l->nfds = n;
	}
	struct epoll_event ev = { .events = to_epoll(mask), .data.fd = fd };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	l->fds[fd] = (struct fd_slot){ fn, ctx, mask, true };
	return 0;
}

int loop_set_mask(struct loop *l, int fd, int mask)
{
	if (fd >= l->nfds || !l->fds[fd].used) {
		errno = EBADF;
		return -1;
	}
	if (l->fds[fd].mask == mask)
		return 0;
	struct epoll_event ev = { .events = to_epoll(mask), .data.fd = fd };
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -1;
	l->fds[fd].mask = mask;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nfds || !l->fds[fd].used)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].used = false;
}

static void heap_swap(struct timer *a, struct timer *b)
{
	struct timer t = *a;
	*a = *b;
	*b = t;
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent].when <= l->heap[i].when)
			break;
		heap_swap(&l->heap[parent], &l->heap[i]);
		i = parent;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t left = 2 * i + 1, right = left + 1, min = i;
		if (left < l->nheap && l->heap[left].when < l->heap[min].when)
			min = left;
		if (right < l->nheap && l->heap[right].when < l->heap[min].when)
			min = right;
		if (min == i)
			return;
		heap_swap(&l->heap[min], &l->heap[i]);
		i = min;
	}
}

static void heap_pop(struct loop *l)
{
	l->heap[0] = l->heap[--l->nheap];
	if (l->nheap)
		heap_down(l, 0);
}

uint64_t loop_add_timer(struct loop *l, int64_t ms, loop_timer_fn fn, void *ctx)
{
	if (l->nheap == l->capheap) {
		size_t cap = l->capheap ? l->capheap * 2 : 64;
		struct timer *p = realloc(l->heap, cap * sizeof *p);
		if (!p)
			return 0;
		l->heap = p;
		l->capheap = cap;
	}
	uint64_t id = l->next_timer_id++;
	l->heap[l->nheap] = (struct timer){ mono_ms() + (ms > 0 ? ms : 0), id, fn, ctx };
	heap_up(l, l->nheap++);
	return id;
}

void loop_del_timer(struct loop *l, uint64_t id)
{
	if (!id)
		return;
	/* Cheap case: the timer is at the top of the heap. */
	if (l->nheap && l->heap[0].id == id) {
		heap_pop(l);
		return;
	}
	for (size_t i = 0; i < l->nheap; i++) {
		if (l->heap[i].id == id) {
			l->heap[i].when = INT64_MIN;	/* float to the top, then drop */
			heap_up(l, i);
			heap_pop(l);
			return;
		}
	}
	/* Not in the heap: it already fired; nothing to do. */
}

int loop_add_hook(struct loop *l, loop_hook_fn fn, void *ctx)
{
	struct hook *p = realloc(l->hooks, (l->nhooks + 1) * sizeof *p);
	if (!p)
		return -1;
	l->hooks = p;
	l->hooks[l->nhooks++] = (struct hook){ fn, ctx };
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

int64_t loop_now(const struct loop *l)
{
	return l->now;
}

static void run_timers(struct loop *l)
{
	/* Timers added by callbacks run in a later pass, never this one. */
	int64_t now = mono_ms();
	l->now = now;
	size_t budget = l->nheap;
	while (budget-- && l->nheap && l->heap[0].when <= now) {
		struct timer t = l->heap[0];
		heap_pop(l);
		t.fn(l, t.ctx);
	}
}

static void run_hooks(struct loop *l)
{
	for (size_t i = 0; i < l->nhooks; i++)
		l->hooks[i].fn(l, l->hooks[i].ctx);
}

/* Waits at most timeout ms (-1: no limit), shortened to the next timer,
 * then runs the file events and the timers due. */
static int wait_and_run(struct loop *l, int timeout)
{
	struct epoll_event events[256];
	if (l->nheap) {
		int64_t d = l->heap[0].when - mono_ms();
		int until_timer = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		if (timeout < 0 || until_timer < timeout)
			timeout = until_timer;
	}
	int n = epoll_wait(l->epfd, events, 256, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	l->woke_us = mono_us();
	l->now = l->woke_us / 1000;
	l->iterations++;
	for (int i = 0; i < n; i++) {
		int fd = events[i].data.fd;
		if (fd >= l->nfds || !l->fds[fd].used)
			continue;	/* removed by an earlier callback */
		int mask = 0;
		if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			mask |= LOOP_READ;
		if (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			mask |= LOOP_WRITE;
		mask &= l->fds[fd].mask | LOOP_READ;
		l->fds[fd].fn(l, fd, mask, l->fds[fd].ctx);
	}
	run_timers(l);
	return 0;
}

/* How long every client waited for this iteration's work. */
static void note_work(struct loop *l)
{
	int64_t worked_us = mono_us() - l->woke_us;
	if (worked_us > l->longest_us)
		l->longest_us = worked_us;
}

int loop_run(struct loop *l)
{
	l->woke_us = mono_us();
	while (!l->stop) {
		run_hooks(l);
		if (l->stop)
			break;
		note_work(l);
		if (wait_and_run(l, -1) < 0)
			return -1;
	}
	return 0;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	run_hooks(l);
	return wait_and_run(l, timeout_ms);
}
