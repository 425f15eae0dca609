/*
 * node.h - one node's management connection, kept alive in the
 * background: a worker thread connects, starts a `watch` stream
 * (tandem-mgmt(7)) and hands each snapshot over; when the node refuses,
 * goes away or falls silent it reports DOWN and tries again, backing off.
 * The screen's thread never waits on a node: it takes what has arrived
 * (node_poll) and queues requests (node_job_start) that the worker runs
 * between snapshots.
 *
 * Threads: everything here is called from the screen's thread; the
 * worker owns its client and touches only the fields under the lock.
 */
#ifndef TANDEM_TOP_NODE_H
#define TANDEM_TOP_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

enum node_state { NODE_CONNECTING, NODE_UP, NODE_DOWN };

struct node_options {
	int interval_ms;	/* between snapshots */
	int timeout_ms;		/* connect, each answer, and silence before DOWN */
	const char *user, *password;	/* NULL: no login */
	int wake_fd;		/* written to (one byte) when something arrived */
};

struct node;

/* Starts the worker for addr ("HOST:PORT"); NULL on failure (ENOMEM, or
 * no thread). The options are copied. */
struct node *node_start(const char *addr, const struct node_options *opt);
/* Asks the worker to stop and forgets it: the worker frees its own state
 * when its current call ends (bounded by timeout_ms). */
void node_stop(struct node *n);

const char *node_addr(const struct node *n);

/* What arrived since the last call: true when the state or the snapshot
 * changed. *value is the latest snapshot (a new reference, NULL when
 * none came since the last call), *time_ms its time (ms since the epoch,
 * the node's clock), *state and err the connection's. */
bool node_poll(struct node *n, json_t **value, int64_t *time_ms, enum node_state *state,
	       char *err, size_t errlen);

/* Queues one request (taken) for the worker: -1 while another is
 * pending. node_job_poll: 0 while none is done; 1 with *value (a new
 * reference) when it succeeded; -1 with err when it failed. */
int node_job_start(struct node *n, json_t *req);
int node_job_poll(struct node *n, json_t **value, char *err, size_t errlen);

#endif
