/*
 * ctl_load.c - `tandemctl producer` and `tandemctl consumer`: STOMP load
 * generators that print throughput and latency.
 *
 * One thread and one blocking connection per client (--parallel); what a
 * client does is in ctl_load_send.c and ctl_load_recv.c (see ctl_load.h).
 * A consumer's latency is its receive time minus the send time in the
 * body (wall clocks, so producer and consumer may be different processes
 * or hosts); a producer's is the round trip of each RECEIPT it asks for
 * (--receipt-every).
 *
 * Through a failover URI (--stomp) the clients follow the master of a
 * pair; --receipted and --received write the sequence numbers that were
 * receipted and received, so a test can count lost and duplicated
 * messages exactly, and a summary line on stderr tells how often the
 * clients reconnected and what they sent again.
 *
 * A benchmark runs a consumer and a producer side by side (t/bench/run):
 * the consumer's --ready file says when its subscriptions are in place,
 * so that the producer starts after them (a topic's messages reach only
 * the subscribers already there), and --total ends competing consumers
 * of one queue together once all the messages came, whichever client
 * took them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_load.h"
#include "net.h"

#define MAX_PARALLEL 256

static const struct ctl_option producer_options[] = {
	{ "destination", true, "DEST", "where to send (default queue://tandemctl.load)" },
	{ "count", true, "N", "messages per client (default 1000)" },
	{ "size", true, "BYTES", "body size, at least 32 (default 256)" },
	{ "parallel", true, "N", "clients, each its own connection and thread (default 1)" },
	{ "persistent", false, NULL, "persistent messages" },
	{ "rate", true, "MSGS_PER_S", "at most this many messages a second in all (default: as fast as it goes)" },
	{ "receipt-every", true, "N", "ask for a RECEIPT every N messages and wait for it (default 100; the last always)" },
	{ "timeout", true, "SEC", "give up when a RECEIPT or a reconnection takes SEC seconds (default 10)" },
	{ "receipted", true, "FILE", "write the sequence number of every receipted message to FILE, one a line" },
	{ "stomp", true, "URI", "the broker's STOMP address or a failover: URI (default: from each node's connectors)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_option consumer_options[] = {
	{ "destination", true, "DEST", "where to consume from (default queue://tandemctl.load)" },
	{ "count", true, "N", "messages per client (default 1000; 0: until --timeout passes with none)" },
	{ "total", true, "N", "all clients stop once N messages came in all (competing consumers; instead of --count)" },
	{ "parallel", true, "N", "clients, each its own connection and thread (default 1)" },
	{ "ack", true, "MODE", "auto or client (default auto)" },
	{ "prefetch", true, "N", "at most N unacknowledged messages in flight per client (activemq.prefetchSize)" },
	{ "timeout", true, "SEC", "give up when no message came for SEC seconds (default 10)" },
	{ "received", true, "FILE", "write the sequence number of every message received to FILE, one a line" },
	{ "ready", true, "FILE", "write a line to FILE (emptied first) once every client has subscribed" },
	{ "stomp", true, "URI", "the broker's STOMP address or a failover: URI (default: from each node's connectors)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column cols[] = {
	{ "node", "NODE", false, 0 }, { "clients", "CLIENTS", true, 0 },
	{ "messages", "MESSAGES", true, 0 }, { "seconds", "SECONDS", true, 0 },
	{ "msgs_per_s", "MSGS/S", true, 0 }, { "p50_ms", "P50_MS", true, 0 },
	{ "p99_ms", "P99_MS", true, 0 },
};

int64_t load_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void load_sample(struct worker *w, int64_t us)
{
	if (w->nlat == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 1024;
		int64_t *lat = realloc(w->lat_us, cap * sizeof *lat);
		if (!lat)
			return;	/* a sample less: the figures are still right */
		w->lat_us = lat;
		w->cap = cap;
	}
	w->lat_us[w->nlat++] = us;
}

void load_record(struct load *l, long first, long last)
{
	if (!l->seq_file)
		return;
	pthread_mutex_lock(&l->seq_lock);
	for (long i = first; i <= last; i++)
		fprintf(l->seq_file, "%ld\n", i);
	fflush(l->seq_file);
	pthread_mutex_unlock(&l->seq_lock);
}

void load_record_text(struct load *l, const char *text)
{
	if (!l->seq_file)
		return;
	pthread_mutex_lock(&l->seq_lock);
	fprintf(l->seq_file, "%s\n", text);
	fflush(l->seq_file);
	pthread_mutex_unlock(&l->seq_lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct load *l = w->load;
	const struct stomp_client_config cfg = {
		.uri = w->addr, .user = l->user, .password = l->password,
		.timeout_ms = l->connect_ms, .wait_ms = l->timeout_ms,
	};
	struct stomp_client *s = stomp_client_open(&cfg, w->err, sizeof w->err);
	if (!s)
		return NULL;
	if (l->producing)
		load_produce(w, s);
	else
		load_consume(w, s);
	stomp_client_close(s);
	return NULL;
}

void load_subscribed(struct load *l)
{
	pthread_mutex_lock(&l->seq_lock);
	if (++l->subscribed == l->parallel && l->ready_file) {
		fprintf(l->ready_file, "%s\n", l->label);
		fflush(l->ready_file);
	}
	pthread_mutex_unlock(&l->seq_lock);
}

/* One node's run: the clients in their threads, then the node's row. */
static void load_at(struct ctl *ctl, const char *label, const char *addr, void *arg)
{
	struct load *l = arg;
	struct worker *w = calloc((size_t)l->parallel, sizeof *w);
	long started = 0;
	l->label = label;
	l->subscribed = 0;
	atomic_store(&l->taken, 0);
	atomic_store(&l->last_ms, net_now_ms());
	for (long i = 0; w && i < l->parallel; i++) {
		w[i] = (struct worker){ .load = l, .index = i, .addr = addr };
		if (pthread_create(&w[i].thread, NULL, work, &w[i])) {
			snprintf(w[i].err, sizeof w[i].err, "cannot start a client");
			break;
		}
		started++;
	}
	for (long i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	bool failed = !w;
	for (long i = 0; w && i < l->parallel; i++)
		if (w[i].err[0]) {
			ctl_fail(ctl, label, CTL_FAILED, "client %ld: %s", i + 1, w[i].err);
			failed = true;
		}
	/* The clients of a --total run stop quietly when it goes idle: the
	 * shortfall is the run's to report, once (and only when no client
	 * failed, whose error says more). */
	long taken = atomic_load(&l->taken);
	if (!failed && l->total && taken < l->total)
		ctl_fail(ctl, label, CTL_FAILED, "%ld of %ld message(s) came in all, then none for %.1fs",
			 taken, l->total, (double)l->timeout_ms / 1000);
	if (w) {
		load_report_counts(l, label, w, started);
		ctl_table_add(&l->table, load_report(l, label, w, started));
	}
	for (long i = 0; w && i < l->parallel; i++)
		free(w[i].lat_us);
	free(w);
}

/* The options both generators share; min_count is the least --count. */
static int parse_common(struct ctl *ctl, struct ctl_args *a, struct load *l, long min_count)
{
	const char *dest = ctl_opt(a, "destination");
	const char *stomp;
	long secs;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	if (ctl_opt_long(a, "count", 1000, min_count, 100000000, &l->count) < 0 ||
	    ctl_opt_long(a, "parallel", 1, 1, MAX_PARALLEL, &l->parallel) < 0 ||
	    ctl_opt_long(a, "timeout", 10, 1, 86400, &secs) < 0 ||
	    ctl_stomp_option(a, &stomp) < 0)
		return -1;
	l->dest = ctl_stomp_dest(dest ? dest : "queue://tandemctl.load");
	l->user = ctl->user;
	l->password = ctl->password;
	l->timeout_ms = (int)secs * 1000;
	l->connect_ms = ctl->timeout_ms;
	return 0;
}

/* Opens a file the run writes (option `option`), when asked: before the
 * run, so that one that cannot keep its record does not start. 0, or -1
 * after reporting why. */
static int open_output(struct ctl *ctl, struct ctl_args *a, const char *option, FILE **f)
{
	const char *path = ctl_opt(a, option);
	if (path && !(*f = fopen(path, "w"))) {
		ctl_fail(ctl, path, CTL_FAILED, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void close_output(struct ctl *ctl, struct ctl_args *a, const char *option, FILE *f)
{
	if (f && fclose(f) != 0)
		ctl_fail(ctl, ctl_opt(a, option), CTL_FAILED, "%s", strerror(errno));
}

/* Runs the load at --stomp or at every node. */
static int run(struct ctl *ctl, struct ctl_args *a, struct load *l, const char *seq_option)
{
	if (open_output(ctl, a, seq_option, &l->seq_file) == 0 &&
	    open_output(ctl, a, "ready", &l->ready_file) == 0) {
		pthread_mutex_init(&l->seq_lock, NULL);
		ctl_table_init(&l->table, cols, sizeof cols / sizeof cols[0]);
		ctl_each_stomp(ctl, ctl_opt(a, "stomp"), load_at, l);
		ctl_table_print(&l->table, ctl->json);
		pthread_mutex_destroy(&l->seq_lock);
	}
	close_output(ctl, a, seq_option, l->seq_file);
	close_output(ctl, a, "ready", l->ready_file);
	free(l->dest);
	return 0;
}

static int producer(struct ctl *ctl, struct ctl_args *a)
{
	struct load l = { .producing = true, .persistent = ctl_opt(a, "persistent") != NULL };
	if (parse_common(ctl, a, &l, 1) < 0 ||
	    ctl_opt_long(a, "size", 256, 32, 64 << 20, &l.size) < 0 ||
	    ctl_opt_long(a, "rate", 0, 1, 100000000, &l.rate) < 0 ||
	    ctl_opt_long(a, "receipt-every", 100, 0, 100000000, &l.receipt_every) < 0) {
		free(l.dest);
		return -1;
	}
	return run(ctl, a, &l, "receipted");
}

static int consumer(struct ctl *ctl, struct ctl_args *a)
{
	struct load l = { .producing = false };
	const char *ack = ctl_opt(a, "ack");
	if (ack && strcmp(ack, "auto") && strcmp(ack, "client"))
		return ctl_usage(a, "--ack is auto or client, not %s", ack);
	if (ctl_opt(a, "total") && ctl_opt(a, "count"))
		return ctl_usage(a, "--total and --count exclude each other");
	l.client_ack = ack && !strcmp(ack, "client");
	if (parse_common(ctl, a, &l, 0) < 0 ||
	    ctl_opt_long(a, "total", 0, 1, 1000000000, &l.total) < 0 ||
	    ctl_opt_long(a, "prefetch", 0, 1, 1000000, &l.prefetch) < 0) {
		free(l.dest);
		return -1;
	}
	return run(ctl, a, &l, "received");
}

const struct ctl_command ctl_cmd_producer = {
	"producer", producer,
	"[--destination DEST] [--count N] [--size BYTES] [--parallel N] [--persistent] [--rate MSGS_PER_S] "
	"[--receipt-every N] [--timeout SEC] [--receipted FILE] [--stomp URI]",
	"STOMP load: sends messages, prints msgs/s and receipt latency p50/p99", producer_options,
	CTL_SLAVE_REFUSED,
};

const struct ctl_command ctl_cmd_consumer = {
	"consumer", consumer,
	"[--destination DEST] [--count N | --total N] [--parallel N] [--ack auto|client] [--prefetch N] "
	"[--timeout SEC] [--received FILE] [--ready FILE] [--stomp URI]",
	"STOMP load: receives messages, prints msgs/s and end-to-end latency p50/p99", consumer_options,
	CTL_SLAVE_REFUSED,
};
