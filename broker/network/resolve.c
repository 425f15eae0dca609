/*
 * resolve.c - host names looked up off the event loop (see resolve.h).
 *
 * A lookup is in exactly one place: queued (rs.todo, the loop may still
 * take it back), under way (rs.busy, the worker's), or finished (rs.done,
 * for collect()). The loop thread alone reads fn, ctx and cancelled; the
 * worker alone writes ai and err, before it moves the lookup to rs.done
 * under rs.mu. Start reading at resolve_start(), then worker_main().
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "resolve.h"

struct resolve {
	char *host, *port;
	resolve_fn fn;
	void *ctx;
	bool cancelled;		/* loop thread: fn is not to be called */
	struct addrinfo *ai;	/* the worker's answer */
	int err;
	struct resolve *next;
};

static struct {
	struct loop *loop;
	bool running;		/* the thread, the eventfd and the lock exist */
	pthread_t worker;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	struct resolve *todo, *busy, *done;
	bool looking;		/* busy is in getaddrinfo(), past the test delay */
	bool stop;
	/* Set before the thread starts. */
	int efd;
	unsigned test_delay_ms;	/* TANDEM_TEST_RESOLVE_DELAY_MS */
} rs = { .efd = -1 };

static void resolve_free(struct resolve *r)
{
	if (r->ai)
		freeaddrinfo(r->ai);
	free(r->host);
	free(r->port);
	free(r);
}

/* Appends r to the list at *head (the order asked is the order done). */
static void append(struct resolve **head, struct resolve *r)
{
	while (*head)
		head = &(*head)->next;
	r->next = NULL;
	*head = r;
}

/* TANDEM_TEST_RESOLVE_DELAY_MS: waits that long, or until resolve_stop().
 * Called with mu held. */
static void test_delay(void)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += rs.test_delay_ms / 1000;
	until.tv_nsec += (long)(rs.test_delay_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!rs.stop && pthread_cond_timedwait(&rs.cv, &rs.mu, &until) != ETIMEDOUT)
		;
}

static void *worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rs.mu);
	for (;;) {
		while (!rs.stop && !rs.todo)
			pthread_cond_wait(&rs.cv, &rs.mu);
		if (rs.stop)
			break;
		struct resolve *r = rs.busy = rs.todo;
		rs.todo = r->next;
		r->next = NULL;
		if (rs.test_delay_ms)
			test_delay();
		if (rs.stop)
			break;
		rs.looking = true;
		pthread_mutex_unlock(&rs.mu);
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
		r->err = getaddrinfo(r->host, r->port, &hints, &r->ai);
		if (r->err)
			r->ai = NULL;
		pthread_mutex_lock(&rs.mu);
		rs.busy = NULL;
		rs.looking = false;
		append(&rs.done, r);
		uint64_t one = 1;
		/* Cannot fail but by overflow, after 2^64 lookups. */
		if (write(rs.efd, &one, sizeof one) < 0)
			log_error("network", "Resolver: cannot wake the event loop: %s",
				  strerror(errno));
	}
	pthread_mutex_unlock(&rs.mu);
	return NULL;
}

/* The loop's side of the eventfd: every finished lookup to its caller. */
static void collect(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)events;
	(void)ctx;
	uint64_t n;
	if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
		log_error("network", "Resolver: reading its eventfd: %s", strerror(errno));
	pthread_mutex_lock(&rs.mu);
	struct resolve *done = rs.done;
	rs.done = NULL;
	pthread_mutex_unlock(&rs.mu);
	/* A callback may cancel a lookup further down this list (its bridge
	 * went): cancelled is read only when the lookup's turn comes. */
	while (done) {
		struct resolve *r = done;
		done = r->next;
		if (!r->cancelled) {
			struct addrinfo *ai = r->ai;
			r->ai = NULL;
			r->fn(r->ctx, ai, r->err);
		}
		resolve_free(r);
	}
}

/* The thread, the eventfd and its watch, at the first lookup. */
static int start_worker(struct loop *l)
{
	rs.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rs.efd < 0)
		return -1;
	if (loop_add_fd(l, rs.efd, LOOP_READ, collect, NULL) < 0) {
		int e = errno;
		close(rs.efd);
		rs.efd = -1;
		errno = e;
		return -1;
	}
	const char *delay = getenv("TANDEM_TEST_RESOLVE_DELAY_MS");
	unsigned long ms = delay ? strtoul(delay, NULL, 10) : 0;
	rs.test_delay_ms = ms > 3600000 ? 3600000 : (unsigned)ms;
	rs.loop = l;
	rs.stop = false;
	pthread_mutex_init(&rs.mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rs.cv, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&rs.worker, NULL, worker_main, NULL);
	if (rc) {
		pthread_mutex_destroy(&rs.mu);
		pthread_cond_destroy(&rs.cv);
		loop_del_fd(l, rs.efd);
		close(rs.efd);
		rs.efd = -1;
		errno = rc;
		return -1;
	}
	rs.running = true;
	return 0;
}

struct resolve *resolve_start(struct loop *l, const char *host, const char *port,
			      resolve_fn fn, void *ctx)
{
	if (!rs.running && start_worker(l) < 0)
		return NULL;
	struct resolve *r = calloc(1, sizeof *r);
	if (!r || !(r->host = strdup(host)) || !(r->port = strdup(port))) {
		if (r)
			resolve_free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->fn = fn;
	r->ctx = ctx;
	pthread_mutex_lock(&rs.mu);
	append(&rs.todo, r);
	pthread_cond_signal(&rs.cv);
	pthread_mutex_unlock(&rs.mu);
	return r;
}

void resolve_cancel(struct resolve *r)
{
	pthread_mutex_lock(&rs.mu);
	for (struct resolve **p = &rs.todo; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			pthread_mutex_unlock(&rs.mu);
			resolve_free(r);
			return;
		}
	pthread_mutex_unlock(&rs.mu);
	r->cancelled = true;	/* under way or finished: collect() frees it */
}

static void free_list(struct resolve *r)
{
	while (r) {
		struct resolve *next = r->next;
		resolve_free(r);
		r = next;
	}
}

void resolve_stop(void)
{
	if (!rs.running)
		return;
	pthread_mutex_lock(&rs.mu);
	rs.stop = true;
	free_list(rs.todo);
	rs.todo = NULL;
	if (rs.looking)
		log_info("network", "Waiting for the lookup of %s to end (a resolver cannot "
			 "be interrupted)", rs.busy->host);
	pthread_cond_signal(&rs.cv);
	pthread_mutex_unlock(&rs.mu);
	pthread_join(rs.worker, NULL);
	/* The thread is gone: what it left needs no lock. */
	free_list(rs.busy);	/* stopped inside the test delay */
	free_list(rs.done);
	rs.busy = rs.done = NULL;
	pthread_mutex_destroy(&rs.mu);
	pthread_cond_destroy(&rs.cv);
	loop_del_fd(rs.loop, rs.efd);
	close(rs.efd);
	rs.efd = -1;
	rs.running = false;
}
