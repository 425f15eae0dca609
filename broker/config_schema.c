/*
 * config_schema.c - the rows of the elements whose attributes are complete
 * (config_attr.h says what a row is): networkConnector, policyEntry and
 * its two children, transportConnector and the options of its URI.
 *
 * A row's order is the order --check prints it in. An attribute ActiveMQ
 * has and Tandem does not do gets a NOT_IMPLEMENTED row, never silence:
 * t/unit/config_attr.c checks every row against man/tandem.xml.5, where
 * each is documented (the not implemented ones under "Accepted, not
 * implemented").
 */
#include <stddef.h>

#include "config.h"
#include "config_attr.h"

#define FIELD(name, type, st, member, min, def, print) \
	{ name, CONF_FIELD, type, offsetof(st, member), min, def, print }

#define NC(name, type, member, min, def, print) \
	FIELD(name, type, struct conf_network_connector, member, min, def, print)
const struct conf_attr network_connector_rows[] = {
	/* checked by the handler: static:(...), multicast://... or masterslave: */
	NC("uri", CONF_STRING, uri, 0, NULL, CONF_PRINT_ALWAYS),
	NC("dynamicOnly", CONF_BOOL, dynamic_only, 0, "false", CONF_PRINT_ALWAYS),
	NC("networkTTL", CONF_INT, network_ttl, 1, "1", CONF_PRINT_ALWAYS),
	NC("prefetchSize", CONF_INT, prefetch_size, 1, "1000", CONF_PRINT_ALWAYS),
	NC("decreaseNetworkConsumerPriority", CONF_BOOL, decrease_network_consumer_priority, 0,
	   "false", CONF_PRINT_ALWAYS),
	NC("conduitSubscriptions", CONF_BOOL, conduit_subscriptions, 0, "true", CONF_PRINT_ALWAYS),
	NC("suppressDuplicateQueueSubscriptions", CONF_BOOL,
	   suppress_duplicate_queue_subscriptions, 0, "false", CONF_PRINT_ALWAYS),
	NC("duplex", CONF_BOOL, duplex, 0, "false", CONF_PRINT_ALWAYS),
	NC("bridgeTempDestinations", CONF_BOOL, bridge_temp_destinations, 0, "true",
	   CONF_PRINT_ALWAYS),
	NC("messageTTL", CONF_INT, message_ttl, 1, "networkTTL", CONF_PRINT_IF_SET),
	NC("consumerTTL", CONF_INT, consumer_ttl, 1, "networkTTL", CONF_PRINT_IF_SET),
	NC("name", CONF_STRING, name, 0, "bridge", CONF_PRINT_NEVER),	/* --check's heading */
	NC("userName", CONF_STRING, user_name, 0, NULL, CONF_PRINT_IF_SET),
	NC("password", CONF_SECRET, password, 0, NULL, CONF_PRINT_NEVER),
	ATTR_NOT_IMPLEMENTED("staticBridge"),
	ATTR_NOT_IMPLEMENTED("dispatchAsync"),
	ATTR_NOT_IMPLEMENTED("syncDurableSubs"),
	ATTR_NOT_IMPLEMENTED("alwaysSyncSend"),
	ATTR_NOT_IMPLEMENTED("advisoryForFailedForward"),
	ATTR_NOT_IMPLEMENTED("useVirtualDestSubs"),
	ATTR_NOT_IMPLEMENTED("localUri"),
	ATTR_NOT_IMPLEMENTED("brokerName"),
	ATTR_NOT_IMPLEMENTED("suppressDuplicateTopicSubscriptions"),
	ATTR_END,
};

#define PE(name, type, member, min, def, print) \
	FIELD(name, type, struct conf_policy, member, min, def, print)
const struct conf_attr policy_entry_rows[] = {
	ATTR_HANDLED("queue"),	/* one of the two: the pattern and whether it is a topic */
	ATTR_HANDLED("topic"),
	PE("memoryLimit", CONF_SIZE, memory_limit, 0, NULL, CONF_PRINT_IF_SET),
	PE("producerFlowControl", CONF_BOOL, producer_flow_control, 0, "true", CONF_PRINT_ALWAYS),
	ATTR_NOT_IMPLEMENTED("gcInactiveDestinations"),
	ATTR_NOT_IMPLEMENTED("inactiveTimoutBeforeGC"),
	ATTR_NOT_IMPLEMENTED("inactiveTimeoutBeforeGC"),
	ATTR_NOT_IMPLEMENTED("prioritizedMessages"),
	ATTR_NOT_IMPLEMENTED("useCache"),
	ATTR_NOT_IMPLEMENTED("expireMessagesPeriod"),
	ATTR_NOT_IMPLEMENTED("maxPageSize"),
	ATTR_NOT_IMPLEMENTED("optimizedDispatch"),
	ATTR_NOT_IMPLEMENTED("advisoryForSlowConsumers"),
	ATTR_NOT_IMPLEMENTED("advisoryForFastProducers"),
	ATTR_NOT_IMPLEMENTED("advisoryWhenFull"),
	ATTR_NOT_IMPLEMENTED("enableAudit"),
	ATTR_NOT_IMPLEMENTED("maxAuditDepth"),
	ATTR_NOT_IMPLEMENTED("storeUsageHighWaterMark"),
	ATTR_NOT_IMPLEMENTED("cursorMemoryHighWaterMark"),
	ATTR_NOT_IMPLEMENTED("queuePrefetch"),
	ATTR_NOT_IMPLEMENTED("topicPrefetch"),
	ATTR_NOT_IMPLEMENTED("tempQueue"),
	ATTR_NOT_IMPLEMENTED("tempTopic"),
	ATTR_NOT_IMPLEMENTED("durableTopicPrefetch"),
	ATTR_NOT_IMPLEMENTED("queueBrowserPrefetch"),
	ATTR_NOT_IMPLEMENTED("advisoryForConsumed"),
	ATTR_NOT_IMPLEMENTED("advisoryForDelivery"),
	ATTR_NOT_IMPLEMENTED("advisoryForDiscardingMessages"),
	ATTR_NOT_IMPLEMENTED("includeBodyForAdvisory"),
	ATTR_NOT_IMPLEMENTED("sendAdvisoryIfNoConsumers"),
	ATTR_NOT_IMPLEMENTED("allConsumersExclusiveByDefault"),
	ATTR_NOT_IMPLEMENTED("alwaysRetroactive"),
	ATTR_NOT_IMPLEMENTED("blockedProducerWarningInterval"),
	ATTR_NOT_IMPLEMENTED("consumersBeforeDispatchStarts"),
	ATTR_NOT_IMPLEMENTED("timeBeforeDispatchStarts"),
	ATTR_NOT_IMPLEMENTED("gcWithNetworkConsumers"),
	ATTR_NOT_IMPLEMENTED("lazyDispatch"),
	ATTR_NOT_IMPLEMENTED("maxBrowsePageSize"),
	ATTR_NOT_IMPLEMENTED("maxDestinations"),
	ATTR_NOT_IMPLEMENTED("maxExpirePageSize"),
	ATTR_NOT_IMPLEMENTED("maxProducersToAudit"),
	ATTR_NOT_IMPLEMENTED("maxQueueAuditDepth"),
	ATTR_NOT_IMPLEMENTED("minimumMessageSize"),
	ATTR_NOT_IMPLEMENTED("optimizeMessageStoreInFlightLimit"),
	ATTR_NOT_IMPLEMENTED("doOptimzeMessageStorage"),
	ATTR_NOT_IMPLEMENTED("persistJMSRedelivered"),
	ATTR_NOT_IMPLEMENTED("reduceMemoryFootprint"),
	ATTR_NOT_IMPLEMENTED("sendDuplicateFromStoreToDLQ"),
	ATTR_NOT_IMPLEMENTED("sendFailIfNoSpace"),
	ATTR_NOT_IMPLEMENTED("sendFailIfNoSpaceAfterTimeout"),
	ATTR_NOT_IMPLEMENTED("strictOrderDispatch"),
	ATTR_NOT_IMPLEMENTED("useConsumerPriority"),
	ATTR_NOT_IMPLEMENTED("usePrefetchExtension"),
	ATTR_NOT_IMPLEMENTED("useTopicSubscriptionInflightStats"),
	ATTR_NOT_IMPLEMENTED("messageGroupMapFactoryType"),
	ATTR_END,
};

/* <pendingMessageLimitStrategy><constantPendingMessageLimitStrategy>,
 * stored in the policyEntry around it. */
const struct conf_attr pending_limit_rows[] = {
	PE("limit", CONF_LONG, pending_message_limit, -1, "-1", CONF_PRINT_NEVER),
	ATTR_END,
};

/* <networkBridgeFilterFactory><conditionalNetworkBridgeFilterFactory>,
 * stored in the policyEntry around it. Tandem's default for
 * replayWhenNoConsumers is true (ActiveMQ's false): a message must not be
 * stranded where nobody consumes it. */
const struct conf_attr bridge_filter_rows[] = {
	PE("replayWhenNoConsumers", CONF_BOOL, replay_when_no_consumers, 0, "true",
	   CONF_PRINT_IF_SET),
	ATTR_NOT_IMPLEMENTED("replayDelay"),
	ATTR_NOT_IMPLEMENTED("selectorAware"),
	ATTR_NOT_IMPLEMENTED("rateLimit"),
	ATTR_NOT_IMPLEMENTED("rateDuration"),
	ATTR_END,
};

#define TC(name, type, member, min, def, print) \
	FIELD(name, type, struct conf_connector, member, min, def, print)
const struct conf_attr transport_connector_rows[] = {
	TC("name", CONF_STRING, name, 0, NULL, CONF_PRINT_NEVER),	/* the handler: the scheme */
	TC("uri", CONF_STRING, uri, 0, NULL, CONF_PRINT_ALWAYS),	/* required; options below */
	TC("discoveryUri", CONF_STRING, discovery_uri, 0, NULL, CONF_PRINT_IF_SET),
	ATTR_NOT_IMPLEMENTED("updateClusterClients"),
	ATTR_NOT_IMPLEMENTED("rebalanceClusterClients"),
	ATTR_NOT_IMPLEMENTED("updateClusterClientsOnRemove"),
	ATTR_NOT_IMPLEMENTED("enableStatusMonitor"),
	ATTR_NOT_IMPLEMENTED("allowLinkStealing"),
	ATTR_END,
};

/* The ?name=value options of a transportConnector's uri. ActiveMQ's auto
 * transport takes protocolDetectionTimeOut bare or with the auto. prefix. */
const struct conf_attr connector_option_rows[] = {
	TC("maximumConnections", CONF_LONG, max_connections, 1, "1000", CONF_PRINT_ALWAYS),
	TC("wireFormat.maxFrameSize", CONF_SIZE, max_frame_size, 1024, "104857600",
	   CONF_PRINT_ALWAYS),
	TC("transport.connectAttemptTimeout", CONF_MS, connect_attempt_timeout_ms, 0, "30000",
	   CONF_PRINT_ALWAYS),
	TC("protocolDetectionTimeOut", CONF_MS, protocol_detection_timeout_ms, 0, "30000",
	   CONF_PRINT_ALWAYS),
	TC("auto.protocolDetectionTimeOut", CONF_MS, protocol_detection_timeout_ms, 0, "30000",
	   CONF_PRINT_NEVER),
	ATTR_NOT_IMPLEMENTED("wireFormat.maxInactivityDuration"),
	ATTR_NOT_IMPLEMENTED("wireFormat.maxInactivityDurationInitalDelay"),
	ATTR_NOT_IMPLEMENTED("transport.*"),
	ATTR_END,
};

const struct conf_attr_table conf_attr_tables[] = {
	{ "transportConnector", "<transportConnectors><transportConnector>",
	  transport_connector_rows },
	{ "transportConnector URI", "<transportConnector> URI options", connector_option_rows },
	{ "networkConnector", "<networkConnectors><networkConnector>", network_connector_rows },
	{ "policyEntry", "<destinationPolicy><policyMap><policyEntries><policyEntry>",
	  policy_entry_rows },
	{ "constantPendingMessageLimitStrategy",
	  "<pendingMessageLimitStrategy><constantPendingMessageLimitStrategy>",
	  pending_limit_rows },
	{ "conditionalNetworkBridgeFilterFactory",
	  "<networkBridgeFilterFactory><conditionalNetworkBridgeFilterFactory>",
	  bridge_filter_rows },
	{ NULL, NULL, NULL },
};
