/*
 * flow.h - producer flow control: memory usage limits on what the broker
 * holds, and holding back producers that would go past them.
 *
 * Every queue entry (a message waiting in or dispatched from a queue or a
 * subscription) counts its message's size against its queue and against
 * the broker (systemUsage memoryUsage: `limit`, or `percentOfJvmHeap` read
 * as a share of physical memory). A message fanned out to several
 * subscriptions counts once per subscription: that is what it costs when
 * they drain at different speeds. A message that no entry or transaction
 * holds (a store write not done yet, a protocol's) counts once
 * (message_unqueued_bytes), and so do the connections' input and output
 * buffers: what is counted is what memory holds, so that the process's
 * RSS stays within memoryUsage plus a fixed overhead.
 *
 * Persistent messages also need room in the store (systemUsage
 * storeUsage), and non-persistent messages for a queue, which go to the
 * temp store when memory is short, need room there (tempUsage). Store
 * and temp usage are the stores' pages in use, measured after commits.
 *
 * A send to a destination that is over its limit (the policy's
 * memoryLimit when producerFlowControl is on, the broker's memory, store
 * or temp limit) is either
 * refused (sendFailIfNoSpace) or accepted, after which the broker stops
 * reading from that producer's connection until usage falls below the
 * resume mark; other producers and all consumers keep going. A producer
 * of a queue that spools is held while the temp store's writer is behind
 * by more than the 30% of memoryUsage above the spill mark, even with
 * sendFailIfNoSpace: that room comes back by itself.
 */
#ifndef TANDEM_FLOW_H
#define TANDEM_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

struct conn;
struct queue;

/* Broker-wide limit in bytes, from the configuration (at start). */
void flow_init(void);

/* Bytes a message costs in memory, as counted here. */
long long flow_message_cost(const struct message *m);

/* Accounting, called as queue entries come and go. */
void flow_charge(struct queue *q, long long bytes);
/* Input the connections hold (conn.h), charged as it comes and goes. It
 * counts against the broker's memoryUsage when a send is checked, and in
 * flow_memory_used(); a held producer goes on when the messages alone fit
 * again. */
void flow_charge_input(long long bytes);

/* Output the connections hold (conn.h), the same way: counted against
 * memoryUsage for every send and in flow_memory_used(). */
void flow_charge_output(long long bytes);

enum flow_verdict {
	FLOW_OK,	/* below every limit */
	FLOW_BLOCK,	/* accept this one, then stop reading from the producer */
	FLOW_FAIL,	/* refuse it: sendFailIfNoSpace; the reason is in why */
};

/* Decides for a send of m. Logs the limit being reached, once per
 * interval per destination. */
enum flow_verdict flow_check(const struct message *m, char *why, size_t whylen);
/* The same, as if `pending` more bytes were in memory for that
 * destination already (a transaction's messages, not yet routed). */
enum flow_verdict flow_check_pending(const struct message *m, long long pending, char *why,
				     size_t whylen);

/* The memoryLimit a queue of this name gets when it is made (its
 * policy's, with producerFlowControl); 0: none. */
long long flow_queue_limit(const char *name);

/* Stops reading from c until the destination of m has room again. */
void flow_hold(struct conn *c, const struct message *m);

/* Producers held now for sending to this destination (management). */
long flow_held_count(enum dest_type type, const char *dest);
/* Each producer held now: fn(ctx, type, dest, since_ms), newest first
 * (the health check). */
void flow_held_each(void (*fn)(void *ctx, enum dest_type type, const char *dest,
			       int64_t since_ms), void *ctx);

/* Called once per loop iteration: resumes held producers that may go on. */
void flow_release(void);

/* Lowers the store and temp limits to what the disk can hold (with a
 * warning), once the store is open. */
void flow_fit_to_disk(void);

/* True when q should not take more messages into memory: 70% of its
 * memoryLimit or of the broker's is used (non-persistent messages then go
 * to the temp store). */
bool flow_memory_short(const struct queue *q);
/* The same for the broker's limit alone (persistent messages then stay
 * on disk only: queue.c). */
bool flow_broker_memory_short(void);

/* Bytes in use and the limits, for management. */
long long flow_memory_used(void);
long long flow_memory_limit(void);
long long flow_store_used(void);
long long flow_store_limit(void);
long long flow_temp_limit(void);

#endif
