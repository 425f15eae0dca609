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
 *
 * Other advisories name their subject, for JMS clients (ActiveMQ's
 * AdvisorySupport): a temporary destination created or deleted, on
 * ActiveMQ.Advisory.TempQueue or .TempTopic; OpenWire's producers and
 * connections (broker/openwire/openwire_advisory.c). Their subject is in
 * headers any protocol can read (ADVISORY_SUBJECT and the others below);
 * OpenWire turns them into the message's dataStructure, the DestinationInfo,
 * ConsumerInfo, ProducerInfo, ConnectionInfo or RemoveInfo a JMS client
 * expects. They are built only while somebody listens to an advisory
 * topic, and published at the end of the loop iteration, in order.
 */
#ifndef TANDEM_ADVISORY_H
#define TANDEM_ADVISORY_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

#define ADVISORY_PREFIX "ActiveMQ.Advisory.Consumer."
#define ADVISORY_QUEUE_PREFIX ADVISORY_PREFIX "Queue."
#define ADVISORY_TOPIC_PREFIX ADVISORY_PREFIX "Topic."
#define ADVISORY_DEMAND_HEADER "tandem-demand"
/* A topic's durable subscriptions here, connected or not (not counting the
 * network's own): bridges keep a network durable subscription for them. */
#define ADVISORY_DURABLES_HEADER "tandem-durables"

#define ADVISORY_TEMP_QUEUE "ActiveMQ.Advisory.TempQueue"
#define ADVISORY_TEMP_TOPIC "ActiveMQ.Advisory.TempTopic"
#define ADVISORY_CONNECTION "ActiveMQ.Advisory.Connection"
#define ADVISORY_PRODUCER_QUEUE_PREFIX "ActiveMQ.Advisory.Producer.Queue."
#define ADVISORY_PRODUCER_TOPIC_PREFIX "ActiveMQ.Advisory.Producer.Topic."
/* The subject's kind: DestinationInfo, ConsumerInfo, ProducerInfo,
 * ConnectionInfo, or RemoveInfo (for a consumer, producer or connection
 * that went). */
#define ADVISORY_SUBJECT "tandem-advisory"
/* DestinationInfo's operation: add or remove. */
#define ADVISORY_OPERATION "tandem-advisory-operation"
/* The destination it is about, in ActiveMQ's form: queue://NAME,
 * topic://NAME, temp-queue://NAME, temp-topic://NAME. */
#define ADVISORY_DESTINATION "tandem-advisory-destination"
/* The connection (advisory_conn_id()), and the consumer's or producer's
 * id within it ("SESSION:VALUE"). */
#define ADVISORY_CONNECTION_ID "tandem-advisory-connection"
#define ADVISORY_ID "tandem-advisory-id"
#define ADVISORY_CLIENT_ID "tandem-advisory-client-id"
/* consumerCount on a consumer advisory that bridges are not to read (one
 * followed by another in the same iteration). */
#define ADVISORY_COUNT "tandem-advisory-count"
#define ADVISORY_USER "tandem-advisory-user"
/* A consumer that came, as ActiveMQ's network bridges read its
 * ConsumerInfo: its priority, selector and durable subscription's name
 * (with its client id in ADVISORY_CLIENT_ID); for a consumer of this
 * broker's bridges, "true" in ADVISORY_NETWORK and the broker path of
 * its demand (BrokerIds, comma-separated: the remote it forwards to,
 * once per hop, as far as the nearest consumer is). */
#define ADVISORY_PRIORITY "tandem-advisory-priority"
#define ADVISORY_SELECTOR "tandem-advisory-selector"
#define ADVISORY_SUBSCRIPTION "tandem-advisory-subscription"
#define ADVISORY_NETWORK "tandem-advisory-network"
#define ADVISORY_BROKER_PATH "tandem-advisory-broker-path"

struct conn;
struct queue;

/* The consumers of a queue or topic changed: its advisory goes out at the
 * end of this loop iteration (one per destination however many changes). */
void advisory_changed(enum dest_type type, const char *name);
/* The same, for consumer c that came (added) or went: JMS clients are
 * told which (ConsumerInfo or RemoveInfo), one advisory each. */
struct consumer;
void advisory_consumer_changed(enum dest_type type, const char *name, const struct consumer *c,
			       bool added);
/* Someone subscribed to the advisories: every destination with consumers
 * says so again. */
void advisory_replay(void);
/* The same, for consumer c that came (added) or went: JMS clients are
 * told which (ConsumerInfo or RemoveInfo), one advisory each. */
struct consumer;
void advisory_consumer_changed(enum dest_type type, const char *name, const struct consumer *c,
			       bool added);
/* Someone subscribed to `dest`: the consumer advisories it listens to say
 * the present again. (Temporary destinations are told again by the
 * protocol to the one new listener: broker/openwire/openwire_dest.c.) */
void advisory_subscribed(enum dest_type type, const char *dest);
/* An advisory on `topic` whose headers are the NULL-terminated name,
 * value pairs of `fields` (copied), published at the iteration's end;
 * nothing when nobody listens to advisories. */
void advisory_event(const char *topic, const char *const *fields);
/* A temporary destination of `owner` was created or deleted. */
void advisory_temp_dest(enum dest_type type, const char *real, const struct conn *owner,
			bool added);
/* What advisories call connection c ("<broker id prefix>conn-N"). */
void advisory_conn_id(const struct conn *c, char *out, size_t len);
/* Publishes what changed (the loop's iteration end). */
void advisory_flush(void);
/* Local (non-network) consumers of q. */
long advisory_local_consumers(const struct queue *q);
void advisory_free(void);

#endif
