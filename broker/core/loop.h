/*
 * loop.h - the event loop: one per process, epoll based.
 *
 * Everything the broker does happens in callbacks from this loop: file
 * events (readable/writable), timers, and "before sleep" hooks that run
 * once per iteration just before the loop waits again (the broker uses one
 * to commit the store once for everything that arrived in the iteration,
 * and to dispatch queues that gained messages or consumers).
 *
 * Thread: the loop and every function here belong to the thread running
 * loop_run(). No callback may block.
 */
#ifndef TANDEM_LOOP_H
#define TANDEM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_READ  1
#define LOOP_WRITE 2

struct loop;

typedef void (*loop_fd_fn)(struct loop *l, int fd, int events, void *ctx);
typedef void (*loop_timer_fn)(struct loop *l, void *ctx);
typedef void (*loop_hook_fn)(struct loop *l, void *ctx);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for `mask` (LOOP_READ|LOOP_WRITE); one registration per fd.
 * 0 or -1 (errno set). */
int loop_add_fd(struct loop *l, int fd, int mask, loop_fd_fn fn, void *ctx);
int loop_set_mask(struct loop *l, int fd, int mask);
/* Forgets fd; safe from inside that fd's callback. Does not close it. */
void loop_del_fd(struct loop *l, int fd);

/* One-shot timer `ms` milliseconds from now. Returns an id > 0 for
 * loop_del_timer(), or 0 when memory runs out. */
uint64_t loop_add_timer(struct loop *l, int64_t ms, loop_timer_fn fn, void *ctx);
void loop_del_timer(struct loop *l, uint64_t id);

/* Runs fn before every wait. */
int loop_add_hook(struct loop *l, loop_hook_fn fn, void *ctx);

/* Runs until loop_stop(). Returns 0, or -1 if epoll fails. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* One iteration of loop_run, whatever loop_stop() said: the hooks, a wait
 * of at most timeout_ms (-1: until the next timer or event), the events
 * and the timers due. For harnesses that drive a broker in their own
 * process (t/fuzz/). Returns 0, or -1 if epoll fails. */
int loop_run_once(struct loop *l, int timeout_ms);

/* The longest an iteration worked (callbacks, timers and hooks, not
 * its wait), in microseconds, since the start or loop_longest_reset():
 * the longest every client was kept waiting. Management shows it
 * (LoopLongestIterationMicros), so a big read's pause can be measured. */
int64_t loop_longest_us(const struct loop *l);
void loop_longest_reset(struct loop *l);
/* Which iteration this is: something worked out once per iteration is
 * still true while this stays the same. */
uint64_t loop_iteration(const struct loop *l);

/* Monotonic milliseconds, cached per iteration. */
int64_t loop_now(const struct loop *l);
/* Wall-clock milliseconds since the epoch (not cached). */
int64_t wall_ms(void);
/* A monotonic clock in microseconds: for measuring work, not for timers. */
int64_t mono_us(void);

#endif
