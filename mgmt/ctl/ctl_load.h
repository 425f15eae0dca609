/*
 * ctl_load.h - what the load generators' files share: a run (struct
 * load, read-only to its threads but for the sequence file) and one client
 * thread's work and results (struct worker).
 *
 * ctl_load.c holds the two commands and the threads; ctl_load_send.c
 * what one producer client does, ctl_load_recv.c one consumer client,
 * ctl_load_report.c the summary of a run.
 *
 * Every body is "SEQ SENT_US xxx...": its sequence number (client k of a
 * run sends k * count + 1 .. (k + 1) * count) and its send time in
 * microseconds of the wall clock, padded to the size asked.
 *
 * A run's seconds go from its first message to its last (see
 * ctl_load_report.c), so that a consumer started long before its producers,
 * or one that waits out --timeout at the end, measures the traffic and
 * not its own waiting: the throughput of a producer and a consumer run
 * side by side is the consumer's.
 */
#ifndef TANDEM_CTL_LOAD_H
#define TANDEM_CTL_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "stomp_client.h"

struct load {
	bool producing;
	char *dest;		/* STOMP destination */
	long count;		/* per client; a consumer's 0: until --timeout passes idle */
	long total;		/* a consumer's --total: all clients stop at this many in all; 0: none */
	long size, parallel, rate, receipt_every;
	long prefetch;		/* a consumer's activemq.prefetchSize; 0: the broker's */
	bool persistent, client_ack;
	int timeout_ms;		/* --timeout: a wait for a message, a RECEIPT or a reconnection */
	int connect_ms;		/* the global --timeout: each connect attempt */
	const char *user, *password;
	FILE *seq_file;		/* --receipted or --received; NULL when not asked */
	pthread_mutex_t seq_lock;	/* the threads' lines stay whole; guards `subscribed` */
	FILE *ready_file;	/* a consumer's --ready FILE, or NULL */
	const char *label;	/* the node being loaded, for the --ready line */
	long subscribed;	/* clients whose SUBSCRIBE was receipted, this node */
	/* The consumers of one node together, for --total: messages taken
	 * and when the latest came (net_now_ms), so that a client waiting
	 * for nothing sees that the others finished the run, or that the
	 * run has been idle for --timeout. */
	atomic_long taken;
	_Atomic int64_t last_ms;
	struct ctl_table table;
};

struct worker {
	struct load *load;	/* shared; only its sequence file is written */
	long index;		/* 0-based, for its sequence numbers */
	const char *addr;	/* a URI */
	pthread_t thread;
	long done;		/* distinct messages sent, or messages received */
	long receipted, resent;	/* a producer's */
	long redelivered;	/* a consumer's: messages marked redelivered */
	long reconnects;
	/* Wall clock, microseconds; 0 until known. A producer's first send
	 * and last RECEIPT; a consumer's SUBSCRIBE, the earliest send time
	 * in the bodies it took, and its last arrival. */
	int64_t first_us, sub_us, last_us;
	int64_t *lat_us;	/* latency samples */
	size_t nlat, cap;
	char err[512];		/* empty when all went well */
};

/* One client's whole run on an open connection: 0, or -1 with the reason
 * in w->err. They reconnect through the client's URI as needed. */
int load_produce(struct worker *w, struct stomp_client *s);
int load_consume(struct worker *w, struct stomp_client *s);

/* Appends sequence numbers first..last to the run's sequence file (one a
 * line, flushed: a reader sees them as they come); nothing without one. */
void load_record(struct load *l, long first, long last);
/* The same for a line of text (a consumer's "-" for a foreign body). */
void load_record_text(struct load *l, const char *text);

/* A latency sample. */
void load_sample(struct worker *w, int64_t us);
int64_t load_wall_us(void);

/* The summary row of a node's run (its workers' counts, seconds and
 * latency percentiles), and the line on stderr with what failover cost. */
json_t *load_report(const struct load *l, const char *label, const struct worker *w, long n);
void load_report_counts(const struct load *l, const char *label, const struct worker *w, long n);

/* A consumer client's SUBSCRIBE was receipted: the last of the node's
 * clients appends the node's label to the --ready file. */
void load_subscribed(struct load *l);

#endif
