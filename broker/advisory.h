/*
 * advisory.h - ActiveMQ's consumer advisories for queues.
 *
 * Whenever the number of local consumers of a queue changes, the broker
 * publishes a message on the topic ActiveMQ.Advisory.Consumer.Queue.NAME
 * with a `consumerCount` header (consumers of other brokers' bridges are
 * not counted: they are demand this broker passes on, not its own).
 * Network bridges of other brokers subscribe to these topics to learn
 * where consumers are (demand forwarding, bridge.h). A new subscriber to
 * the advisories gets the current count of every queue with consumers.
 */
#ifndef TANDEM_ADVISORY_H
#define TANDEM_ADVISORY_H

#include <stdbool.h>

#define ADVISORY_QUEUE_PREFIX "ActiveMQ.Advisory.Consumer.Queue."

struct queue;

/* q's consumers changed: its advisory goes out at the end of this loop
 * iteration (one per queue however many changes). */
void advisory_queue_changed(struct queue *q);
/* Someone subscribed to the queue advisories: every queue with consumers
 * says so again. */
void advisory_replay(void);
/* Publishes what changed (the loop's iteration end). */
void advisory_flush(void);
/* Local (non-network) consumers of q. */
long advisory_local_consumers(const struct queue *q);
void advisory_free(void);

#endif
