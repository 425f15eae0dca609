/*
 * resolve.h - host names looked up off the event loop.
 *
 * getaddrinfo() on a name may wait for DNS for the resolver's whole
 * timeout (resolv.conf: `timeout` times `attempts`, per nameserver); on the
 * loop that froze every client of the broker. A worker thread does the
 * lookups instead, one at a time in the order asked, and hands each result
 * back through an eventfd, as the store writer (store.c) and the lock
 * waiter (locker.c) do. The thread starts with the first lookup and runs
 * until resolve_stop(); a broker whose bridges name addresses never has it.
 *
 * Thread: every function here belongs to the loop thread, and the
 * callback runs there too.
 *
 * Tests only: TANDEM_TEST_RESOLVE_DELAY_MS in the environment makes the
 * worker wait that long before each lookup (a slow DNS server, on cue);
 * resolve_stop() cuts the wait short.
 */
#ifndef TANDEM_RESOLVE_H
#define TANDEM_RESOLVE_H

struct addrinfo;
struct loop;
struct resolve;

/* A lookup finished: ai (the caller's, for freeaddrinfo) or, when it is
 * NULL, err is getaddrinfo's error (gai_strerror). */
typedef void (*resolve_fn)(void *ctx, struct addrinfo *ai, int err);

/* Looks up host and port (for SOCK_STREAM) on the worker thread, then
 * calls fn(ctx, ...) from the loop, never before this returns. NULL (errno
 * set) when the lookup cannot be queued. */
struct resolve *resolve_start(struct loop *l, const char *host, const char *port,
			      resolve_fn fn, void *ctx);
/* fn will not be called: ctx may go. r is gone after this. A lookup under
 * way cannot be interrupted; its result is thrown away when it comes. */
void resolve_cancel(struct resolve *r);
/* Drops what is queued, waits for the lookup under way if any (the
 * resolver cannot be interrupted: logged when it has to wait), and stops
 * the thread. After it no thread of this module runs; resolve_start()
 * starts one again. From broker_stop(). */
void resolve_stop(void);

#endif
