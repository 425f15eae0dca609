/*
 * ctl_load.c - `tandemctl producer` and `tandemctl consumer`: STOMP load
 * generators that print throughput and latency.
 *
 * One thread and one blocking connection per client (--parallel). Every
 * body starts with its send time (microseconds, wall clock, so producer
 * and consumer may be different processes or hosts) and a space; a
 * consumer's latency is its receive time minus that. A producer's latency
 * is the round trip of each RECEIPT it asks for (--receipt-every).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "net.h"
#include "stomp_client.h"

#define MAX_PARALLEL 256

static const struct ctl_option producer_options[] = {
	{ "destination", true, "DEST", "where to send (default queue://tandemctl.load)" },
	{ "count", true, "N", "messages per client (default 1000)" },
	{ "size", true, "BYTES", "body size, at least 32 (default 256)" },
	{ "parallel", true, "N", "clients, each its own connection and thread (default 1)" },
	{ "persistent", false, NULL, "persistent messages" },
	{ "rate", true, "MSGS_PER_S", "at most this many messages a second in all (default: as fast as it goes)" },
	{ "receipt-every", true, "N", "ask for a RECEIPT every N messages and wait for it (default 100; the last always)" },
	{ "stomp", true, "HOST:PORT", "the broker's STOMP address (default: from each node's connectors)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_option consumer_options[] = {
	{ "destination", true, "DEST", "where to consume from (default queue://tandemctl.load)" },
	{ "count", true, "N", "messages per client (default 1000)" },
	{ "parallel", true, "N", "clients, each its own connection and thread (default 1)" },
	{ "ack", true, "MODE", "auto or client (default auto)" },
	{ "timeout", true, "SEC", "give up when no message came for SEC seconds (default 10)" },
	{ "stomp", true, "HOST:PORT", "the broker's STOMP address (default: from each node's connectors)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column cols[] = {
	{ "node", "NODE", false, 0 }, { "clients", "CLIENTS", true, 0 },
	{ "messages", "MESSAGES", true, 0 }, { "seconds", "SECONDS", true, 0 },
	{ "msgs_per_s", "MSGS/S", true, 0 }, { "p50_ms", "P50_MS", true, 0 },
	{ "p99_ms", "P99_MS", true, 0 },
};

/* What a run is asked to do; shared read-only by its threads. */
struct load {
	bool producing;
	char *dest;		/* STOMP destination */
	long count, size, parallel, rate, receipt_every;
	bool persistent, client_ack;
	int timeout_ms;
	const char *user, *password;
	struct ctl_table table;
};

/* One client thread's work and results. */
struct worker {
	const struct load *load;
	const char *addr;
	pthread_t thread;
	long done;		/* messages sent or received */
	int64_t *lat_us;	/* one per latency sample */
	size_t nlat;
	char err[512];		/* empty when all went well */
};

static int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Holds a producer to its share of --rate: message i is due at
 * start + i / rate. */
static void pace(const struct load *l, int64_t start_us, long i)
{
	if (!l->rate)
		return;
	double per_client = (double)l->rate / (double)l->parallel;
	int64_t due = start_us + (int64_t)((double)i * 1e6 / per_client);
	int64_t wait = due - wall_us();
	if (wait > 0) {
		struct timespec ts = { wait / 1000000, (wait % 1000000) * 1000 };
		nanosleep(&ts, NULL);
	}
}

static int produce(struct worker *w, struct stomp_client *s)
{
	const struct load *l = w->load;
	char *body = malloc((size_t)l->size);
	if (!body)
		return -1;
	memset(body, 'x', (size_t)l->size);
	int64_t start = wall_us();
	int r = 0;
	for (long i = 1; i <= l->count && r == 0; i++) {
		pace(l, start, i - 1);
		char rid[32];
		bool want = (l->receipt_every && i % l->receipt_every == 0) || i == l->count;
		snprintf(rid, sizeof rid, "r%ld", i);
		const char *const headers[] = {
			"destination", l->dest, "persistent", l->persistent ? "true" : "false",
			want ? "receipt" : NULL, rid, NULL,
		};
		int64_t sent = wall_us();
		int n = snprintf(body, (size_t)l->size, "%" PRId64 " ", sent);
		body[n] = 'x';	/* snprintf's NUL: the body goes on */
		r = stomp_client_frame(s, "SEND", headers, body, (size_t)l->size);
		if (r == 0 && want && (r = stomp_client_receipt(s, rid, l->timeout_ms)) == 0)
			w->lat_us[w->nlat++] = wall_us() - sent;
		w->done += r == 0;
	}
	free(body);
	return r;
}

static int consume(struct worker *w, struct stomp_client *s)
{
	const struct load *l = w->load;
	const char *const sub[] = { "id", "1", "destination", l->dest,
				    "ack", l->client_ack ? "client" : "auto", NULL };
	if (stomp_client_frame(s, "SUBSCRIBE", sub, NULL, 0) < 0)
		return -1;
	while (w->done < l->count) {
		int timed_out;
		struct stomp_frame *f = stomp_client_next(s, l->timeout_ms, &timed_out);
		if (!f)
			return -1;
		int64_t sent;
		if (strcmp(f->command, "MESSAGE")) {
			stomp_frame_free(f);
			continue;
		}
		if (sscanf(f->body, "%" SCNd64, &sent) == 1)
			w->lat_us[w->nlat++] = wall_us() - sent;
		w->done++;
		const char *const ack[] = { "id", stomp_frame_header(f, "ack"), NULL };
		int r = l->client_ack && ack[1] ? stomp_client_frame(s, "ACK", ack, NULL, 0) : 0;
		stomp_frame_free(f);
		if (r < 0)
			return -1;
	}
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct load *l = w->load;
	struct stomp_client *s = stomp_client_open(w->addr, l->user, l->password, l->timeout_ms,
						   w->err, sizeof w->err);
	if (!s)
		return NULL;
	if ((l->producing ? produce(w, s) : consume(w, s)) < 0)
		snprintf(w->err, sizeof w->err, "%s: %s", w->addr, stomp_client_error(s));
	stomp_client_close(s);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sums the workers' results into a row; latencies sorted for percentiles. */
static json_t *summary(const char *label, struct worker *w, long n, double secs)
{
	size_t nlat = 0;
	long done = 0;
	for (long i = 0; i < n; i++)
		nlat += w[i].nlat;
	int64_t *all = calloc(nlat + 1, sizeof *all);
	for (long i = 0, k = 0; all && i < n; i++) {
		memcpy(all + k, w[i].lat_us, w[i].nlat * sizeof *all);
		k += (long)w[i].nlat;
		done += w[i].done;
	}
	qsort(all, nlat, sizeof *all, cmp64);
	double p50 = nlat && all ? (double)all[nlat / 2] / 1000 : 0;
	double p99 = nlat && all ? (double)all[nlat * 99 / 100] / 1000 : 0;
	free(all);
	return json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:f}", "node", label,
			 "clients", (json_int_t)n, "messages", (json_int_t)done, "seconds", secs,
			 "msgs_per_s", secs > 0 ? (double)done / secs : 0.0, "p50_ms", p50, "p99_ms", p99);
}

static void load_at(struct ctl *ctl, const char *label, const char *addr, void *arg)
{
	struct load *l = arg;
	struct worker *w = calloc((size_t)l->parallel, sizeof *w);
	long started = 0;
	int64_t start = net_now_ms();
	for (long i = 0; w && i < l->parallel; i++) {
		w[i] = (struct worker){ .load = l, .addr = addr };
		w[i].lat_us = calloc((size_t)l->count + 1, sizeof *w[i].lat_us);
		if (!w[i].lat_us || pthread_create(&w[i].thread, NULL, work, &w[i])) {
			free(w[i].lat_us);
			snprintf(w[i].err, sizeof w[i].err, "cannot start a client");
			break;
		}
		started++;
	}
	for (long i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	double secs = (double)(net_now_ms() - start) / 1000;
	for (long i = 0; w && i < l->parallel; i++)
		if (w[i].err[0])
			ctl_fail(ctl, label, CTL_FAILED, "client %ld: %s", i + 1, w[i].err);
	if (w)
		ctl_table_add(&l->table, summary(label, w, started, secs));
	for (long i = 0; i < started; i++)
		free(w[i].lat_us);
	free(w);
}

/* The options both generators share. */
static int parse_common(struct ctl *ctl, struct ctl_args *a, struct load *l)
{
	const char *dest = ctl_opt(a, "destination");
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	if (ctl_opt_long(a, "count", 1000, 1, 100000000, &l->count) < 0 ||
	    ctl_opt_long(a, "parallel", 1, 1, MAX_PARALLEL, &l->parallel) < 0)
		return -1;
	l->dest = ctl_stomp_dest(dest ? dest : "queue://tandemctl.load");
	l->user = ctl->user;
	l->password = ctl->password;
	l->timeout_ms = ctl->timeout_ms;
	return 0;
}

static int run(struct ctl *ctl, struct ctl_args *a, struct load *l)
{
	ctl_table_init(&l->table, cols, sizeof cols / sizeof cols[0]);
	ctl_each_stomp(ctl, ctl_opt(a, "stomp"), load_at, l);
	ctl_table_print(&l->table, ctl->json);
	free(l->dest);
	return 0;
}

static int producer(struct ctl *ctl, struct ctl_args *a)
{
	struct load l = { .producing = true, .persistent = ctl_opt(a, "persistent") != NULL };
	if (parse_common(ctl, a, &l) < 0 ||
	    ctl_opt_long(a, "size", 256, 32, 64 << 20, &l.size) < 0 ||
	    ctl_opt_long(a, "rate", 0, 1, 100000000, &l.rate) < 0 ||
	    ctl_opt_long(a, "receipt-every", 100, 0, 100000000, &l.receipt_every) < 0) {
		free(l.dest);
		return -1;
	}
	return run(ctl, a, &l);
}

static int consumer(struct ctl *ctl, struct ctl_args *a)
{
	struct load l = { .producing = false };
	const char *ack = ctl_opt(a, "ack");
	long secs;
	if (ack && strcmp(ack, "auto") && strcmp(ack, "client"))
		return ctl_usage(a, "--ack is auto or client, not %s", ack);
	l.client_ack = ack && !strcmp(ack, "client");
	if (parse_common(ctl, a, &l) < 0 || ctl_opt_long(a, "timeout", 10, 1, 86400, &secs) < 0) {
		free(l.dest);
		return -1;
	}
	l.timeout_ms = (int)secs * 1000;
	return run(ctl, a, &l);
}

const struct ctl_command ctl_cmd_producer = {
	"producer", producer,
	"[--destination DEST] [--count N] [--size BYTES] [--parallel N] [--persistent] [--rate MSGS_PER_S] [--receipt-every N] [--stomp HOST:PORT]",
	"STOMP load: sends messages, prints msgs/s and receipt latency p50/p99", producer_options,
};

const struct ctl_command ctl_cmd_consumer = {
	"consumer", consumer,
	"[--destination DEST] [--count N] [--parallel N] [--ack auto|client] [--timeout SEC] [--stomp HOST:PORT]",
	"STOMP load: receives messages, prints msgs/s and end-to-end latency p50/p99", consumer_options,
};
