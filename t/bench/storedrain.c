/*
 * storedrain.c - the store's share of draining a backlog (row J5's), with
 * no broker, protocol or client around it: what a queue does to the store
 * when a consumer drains it.
 *
 *   storedrain fill DIR COUNT [SIZE]
 *   storedrain drain DIR [BATCH]
 *
 * fill makes a new store in DIR with COUNT persistent messages of SIZE
 * bytes (default 1024) on one queue, with the headers a JMS message
 * keeps (a dozen), committed 1,000 at a time. drain opens it and drains
 * it as the broker does: reads 500 entries at a time (store_page_in, the
 * queue's window refilled), removes each (store_remove_entry, an ack)
 * and commits every BATCH removals (default 500: the JMS client's
 * DUPS_OK acks), letting the writer fall at most two commits behind;
 * it prints
 *
 *   msgs=N loop_us=L writer_us=W total_us=T seconds=S
 *
 * the CPU per message of the loop's thread (paging in, queueing), of the
 * rest of the process (the store's writer thread) and of both, over the
 * drain from the first read to the last commit. CPU rather than time, so
 * that a loaded machine moves the figures less.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

static const char *const header_names[] = {
	"JMSDeliveryMode", "JMSExpiration", "JMSPriority", "JMSTimestamp", "JMSMessageID",
	"JMSDestination", "JMSRedelivered", "JMSType", "tandem-jms-type", "tandem-producer",
	"tandem-sequence", "content-type",
};
#define NHEADERS (sizeof header_names / sizeof *header_names)

static struct message *new_message(unsigned long i, size_t size)
{
	struct header *h = calloc(NHEADERS, sizeof *h);
	char *body = malloc(size + 1), *id = NULL, v[64];
	if (!h || !body || asprintf(&id, "ID:bench-host-40123-1700000000000-1:1:1:1:%lu", i) < 0)
		exit(1);
	for (size_t k = 0; k < NHEADERS; k++) {
		snprintf(v, sizeof v, "%lu", i * 7 + k);
		h[k] = (struct header){ strdup(header_names[k]), strdup(v) };
	}
	memset(body, 'x', size);
	body[size] = '\0';
	struct message *m = message_new_take(id, DEST_QUEUE, strdup("bench.q"), h, NHEADERS, body,
					     size);
	if (!m)
		exit(1);
	m->persistent = true;
	m->priority = 4;
	return m;
}

static void wait_commit(struct store *st)
{
	struct pollfd p = { store_event_fd(st), POLLIN, 0 };
	poll(&p, 1, -1);
	store_complete(st);
}

static double cpu_us(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The page read back: seqs only, the messages are dropped at once. */
struct page {
	uint64_t seq[500];
	size_t n;
};

static void on_entry(void *ctx, const char *container, struct message *m)
{
	(void)container;
	struct page *p = ctx;
	p->seq[p->n++] = m->seq;
	message_unref(m);
}

static int fill(const char *dir, unsigned long count, size_t size)
{
	char err[256];
	struct store *st = store_open_scratch(dir, err, sizeof err);
	if (!st) {
		fprintf(stderr, "storedrain: %s\n", err);
		return 1;
	}
	for (unsigned long i = 1; i <= count; i++) {
		struct message *m = new_message(i, size);
		store_add_message(st, m);
		store_add_entry(st, "queue://bench.q", m->seq);
		message_unref(m);
		if (i % 1000 == 0 || i == count)
			store_flush(st);
	}
	store_close(st);
	return 0;
}

static int drain(const char *dir, unsigned long batch)
{
	char err[256];
	struct store *st = store_open(dir, true, err, sizeof err);
	if (!st) {
		fprintf(stderr, "storedrain: %s\n", err);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double loop0 = cpu_us(CLOCK_THREAD_CPUTIME_ID), all0 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t after = 0;
	unsigned long done = 0, since_commit = 0;
	struct page page;
	for (;;) {
		page.n = 0;
		if (store_page_in(st, "queue://bench.q", 4, after, 500, on_entry, &page) <= 0)
			break;
		for (size_t k = 0; k < page.n; k++) {
			store_remove_entry(st, "queue://bench.q", page.seq[k]);
			done++;
			if (++since_commit == batch) {
				since_commit = 0;
				while (store_unwritten(st) > 2 * batch)
					wait_commit(st);
				if (store_commit(st))
					store_complete(st);
			}
		}
		after = page.seq[page.n - 1];
	}
	store_flush(st);
	double loop1 = cpu_us(CLOCK_THREAD_CPUTIME_ID), all1 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	store_close(st);
	double n = done ? (double)done : 1;
	printf("msgs=%lu loop_us=%.2f writer_us=%.2f total_us=%.2f seconds=%.2f\n", done,
	       (loop1 - loop0) / n, (all1 - all0 - (loop1 - loop0)) / n, (all1 - all0) / n,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], strtoul(argv[3], NULL, 10),
			    argc > 4 ? strtoul(argv[4], NULL, 10) : 1024);
	if (argc >= 3 && !strcmp(argv[1], "drain"))
		return drain(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) : 500);
	fprintf(stderr, "usage: storedrain fill DIR COUNT [SIZE] | drain DIR [BATCH]\n");
	return 2;
}
