/*
 * advisory.h - ActiveMQ's consumer advisories, which tell network bridges
 * where the consumers are.
 *
 * Whenever the consumers of a queue or topic change, the broker publishes
 * a message on ActiveMQ.Advisory.Consumer.Queue.NAME (or .Topic.NAME)
 * with two headers:
 *
 *   consumerCount   this broker's own consumers (clients, not bridges);
 *   tandem-demand   the demand its bridges pass on: "BROKERID:HOPS,..." for
 *                   each remote broker whose consumers this broker's
 *                   bridges forward to, HOPS being how many bridges away
 *                   the nearest real consumer is (1: on that broker).
 *
 * A bridge reading them (bridge.h) sees demand at the remote's distance
 * 0 when consumerCount > 0, else at the least HOPS of the other brokers
 * (never counting demand that leads back to itself), and forwards while
 * that is within its consumerTTL. A new subscriber to the advisories gets
 * the current state of every destination with consumers.
 */
#ifndef TANDEM_ADVISORY_H
#define TANDEM_ADVISORY_H

#include <stdbool.h>

#include "message.h"

#define ADVISORY_PREFIX "ActiveMQ.Advisory.Consumer."
#define ADVISORY_QUEUE_PREFIX ADVISORY_PREFIX "Queue."
#define ADVISORY_TOPIC_PREFIX ADVISORY_PREFIX "Topic."
#define ADVISORY_DEMAND_HEADER "tandem-demand"
/* A topic's durable subscriptions here, connected or not (not counting the
 * network's own): bridges keep a network durable subscription for them. */
#define ADVISORY_DURABLES_HEADER "tandem-durables"

struct queue;

/* The consumers of a queue or topic changed: its advisory goes out at the
 * end of this loop iteration (one per destination however many changes). */
void advisory_changed(enum dest_type type, const char *name);
/* Someone subscribed to the advisories: every destination with consumers
 * says so again. */
void advisory_replay(void);
/* Publishes what changed (the loop's iteration end). */
void advisory_flush(void);
/* Local (non-network) consumers of q. */
long advisory_local_consumers(const struct queue *q);
void advisory_free(void);

#endif
