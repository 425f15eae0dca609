/*
 * config_schema.c - the rows of the elements whose attributes are complete
 * (config_attr.h says what a row is): transportConnector and the options
 * of its URI, networkConnector, policyEntry and its two children, broker,
 * kahaDB and its locker, jdbcPersistenceAdapter and its lease locker, systemUsage and its three limits, and
 * managementContext, and the plugins' (users, authorization).
 *
 * A row's order is the order --check prints it in. An attribute ActiveMQ
 * has and Tandem does not do gets a NOT_IMPLEMENTED row, never silence:
 * t/unit/config_attr.c checks every row against man/tandem.xml.5, where
 * each is an item of its element's list (the not implemented ones in an
 * item that says "not implemented"), with its default.
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
	TC("updateClusterClients", CONF_BOOL, update_cluster_clients, 0, "false",
	   CONF_PRINT_IF_SET),
	TC("rebalanceClusterClients", CONF_BOOL, rebalance_cluster_clients, 0, "false",
	   CONF_PRINT_IF_SET),
	TC("updateClusterClientsOnRemove", CONF_BOOL, update_cluster_clients_on_remove, 0,
	   "false", CONF_PRINT_IF_SET),
	/* ActiveMQ's defaults: Integer.MAX_VALUE, no limit. */
	TC("maximumConsumersAllowedPerConnection", CONF_LONG, max_consumers_per_connection, 0,
	   "2147483647", CONF_PRINT_IF_SET),
	TC("maximumProducersAllowedPerConnection", CONF_LONG, max_producers_per_connection, 0,
	   "2147483647", CONF_PRINT_IF_SET),
	ATTR_NOT_IMPLEMENTED("updateClusterFilter"),
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
	TC("transport.redeliverOnNack", CONF_BOOL, redeliver_on_nack, 0, "false",
	   CONF_PRINT_ALWAYS),
	ATTR_NOT_IMPLEMENTED("wireFormat.maxInactivityDuration"),
	ATTR_NOT_IMPLEMENTED("wireFormat.maxInactivityDurationInitalDelay"),
	ATTR_NOT_IMPLEMENTED("transport.*"),
	ATTR_END,
};

/* The elements below set struct config itself; set_defaults() in config.c
 * gives every field its row's default. */
#define CF(name, type, member, min, def) \
	FIELD(name, type, struct config, member, min, def, CONF_PRINT_NEVER)
const struct conf_attr broker_rows[] = {
	CF("brokerName", CONF_STRING, broker_name, 0, "localhost"),
	/* the defaults of these two follow from others once the file is read */
	CF("dataDirectory", CONF_STRING, data_directory, 0, NULL),
	CF("tmpDataDirectory", CONF_STRING, temp_directory, 0, NULL),
	CF("persistent", CONF_BOOL, persistent, 0, "true"),
	ATTR_NOT_IMPLEMENTED("useJmx"),
	ATTR_NOT_IMPLEMENTED("schedulerSupport"),
	ATTR_NOT_IMPLEMENTED("useShutdownHook"),
	ATTR_NOT_IMPLEMENTED("advisorySupport"),
	ATTR_NOT_IMPLEMENTED("start"),
	ATTR_NOT_IMPLEMENTED("deleteAllMessagesOnStartup"),
	ATTR_NOT_IMPLEMENTED("schedulePeriodForDestinationPurge"),
	ATTR_NOT_IMPLEMENTED("offlineDurableSubscriberTimeout"),
	ATTR_NOT_IMPLEMENTED("offlineDurableSubscriberTaskSchedule"),
	ATTR_NOT_IMPLEMENTED("populateJMSXUserID"),
	ATTR_NOT_IMPLEMENTED("useVirtualTopics"),
	ATTR_NOT_IMPLEMENTED("networkConnectorStartAsync"),
	ATTR_NOT_IMPLEMENTED("restartAllowed"),
	ATTR_NOT_IMPLEMENTED("useAuthenticatedPrincipalForJMSXUserID"),
	ATTR_NOT_IMPLEMENTED("id"),
	ATTR_NOT_IMPLEMENTED("brokerId"),
	ATTR_NOT_IMPLEMENTED("cacheTempDestinations"),
	ATTR_NOT_IMPLEMENTED("timeBeforePurgeTempDestinations"),
	ATTR_NOT_IMPLEMENTED("maxPurgedDestinationsPerSweep"),
	ATTR_NOT_IMPLEMENTED("enableStatistics"),
	ATTR_NOT_IMPLEMENTED("keepDurableSubsActive"),
	ATTR_NOT_IMPLEMENTED("useMirroredQueues"),
	ATTR_NOT_IMPLEMENTED("useTempMirroredQueues"),
	ATTR_NOT_IMPLEMENTED("splitSystemUsageForProducersConsumers"),
	ATTR_NOT_IMPLEMENTED("producerSystemUsagePortion"),
	ATTR_NOT_IMPLEMENTED("consumerSystemUsagePortion"),
	ATTR_NOT_IMPLEMENTED("systemExitOnShutdown"),
	ATTR_NOT_IMPLEMENTED("systemExitOnShutdownExitCode"),
	ATTR_NOT_IMPLEMENTED("shutdownOnMasterFailure"),
	ATTR_NOT_IMPLEMENTED("shutdownOnSlaveFailure"),
	ATTR_NOT_IMPLEMENTED("waitForSlave"),
	ATTR_NOT_IMPLEMENTED("waitForSlaveTimeout"),
	ATTR_NOT_IMPLEMENTED("passiveSlave"),
	ATTR_NOT_IMPLEMENTED("useLocalHostBrokerName"),
	ATTR_NOT_IMPLEMENTED("dedicatedTaskRunner"),
	ATTR_NOT_IMPLEMENTED("monitorConnectionSplits"),
	ATTR_NOT_IMPLEMENTED("mbeanInvocationTimeout"),
	ATTR_NOT_IMPLEMENTED("rejectDurableConsumers"),
	ATTR_NOT_IMPLEMENTED("allowTempAutoCreationOnSend"),
	ATTR_NOT_IMPLEMENTED("anonymousProducerAdvisorySupport"),
	ATTR_NOT_IMPLEMENTED("populateUserNameInMBeans"),
	ATTR_NOT_IMPLEMENTED("schedulerDirectory"),
	ATTR_NOT_IMPLEMENTED("maxSchedulerRepeatAllowed"),
	ATTR_NOT_IMPLEMENTED("storeOpenWireVersion"),
	ATTR_NOT_IMPLEMENTED("persistenceThreadPriority"),
	ATTR_NOT_IMPLEMENTED("useLoggingForShutdownErrors"),
	ATTR_NOT_IMPLEMENTED("adjustUsageLimits"),
	ATTR_NOT_IMPLEMENTED("rollbackOnlyOnAsyncException"),
	ATTR_END,
};

const struct conf_attr kahadb_rows[] = {
	CF("directory", CONF_STRING, store_directory, 0, NULL),	/* <dataDirectory>/kahadb */
	CF("enableJournalDiskSyncs", CONF_BOOL, journal_disk_syncs, 0, "true"),
	/* Tandem's default; ActiveMQ's is 0 (off) */
	CF("lockKeepAlivePeriod", CONF_LONG, lock_keep_alive_ms, 0, "500"),
	ATTR_NOT_IMPLEMENTED("journalMaxFileLength"),
	ATTR_NOT_IMPLEMENTED("indexWriteBatchSize"),
	ATTR_NOT_IMPLEMENTED("indexCacheSize"),
	ATTR_NOT_IMPLEMENTED("concurrentStoreAndDispatchQueues"),
	ATTR_NOT_IMPLEMENTED("concurrentStoreAndDispatchTopics"),
	ATTR_NOT_IMPLEMENTED("checkpointInterval"),
	ATTR_NOT_IMPLEMENTED("cleanupInterval"),
	ATTR_NOT_IMPLEMENTED("ignoreMissingJournalfiles"),
	ATTR_NOT_IMPLEMENTED("checkForCorruptJournalFiles"),
	ATTR_NOT_IMPLEMENTED("checksumJournalFiles"),
	ATTR_NOT_IMPLEMENTED("archiveDataLogs"),
	ATTR_NOT_IMPLEMENTED("preallocationStrategy"),
	ATTR_NOT_IMPLEMENTED("journalDiskSyncStrategy"),
	ATTR_END,
};

const struct conf_attr locker_rows[] = {
	CF("lockAcquireSleepInterval", CONF_LONG, lock_acquire_sleep_ms, 1, "10000"),
	CF("failIfLocked", CONF_BOOL, fail_if_locked, 0, "false"),
	ATTR_NOT_IMPLEMENTED("directory"),
	ATTR_END,
};

#define JD(name, type, member, min, def) \
	FIELD(name, type, struct conf_jdbc, member, min, def, CONF_PRINT_ALWAYS)
/* The PostgreSQL store (issue 24); its data source is a bean, read by
 * config_jdbc.c. ActiveMQ's defaults. */
const struct conf_attr jdbc_rows[] = {
	ATTR_HANDLED("dataSource"),
	JD("tablePrefix", CONF_STRING, table_prefix, 0, NULL),
	JD("createTablesOnStartup", CONF_BOOL, create_tables, 0, "true"),
	JD("lockKeepAlivePeriod", CONF_LONG, lock_keep_alive_ms, 0, "30000"),
	ATTR_NOT_IMPLEMENTED("cleanupPeriod"),
	ATTR_NOT_IMPLEMENTED("useLock"),
	ATTR_NOT_IMPLEMENTED("transactionIsolation"),
	ATTR_NOT_IMPLEMENTED("maxRows"),
	ATTR_NOT_IMPLEMENTED("auditRecoveryDepth"),
	ATTR_NOT_IMPLEMENTED("maxAuditDepth"),
	ATTR_NOT_IMPLEMENTED("enableAudit"),
	ATTR_NOT_IMPLEMENTED("useExternalMessageReferences"),
	ATTR_NOT_IMPLEMENTED("directory"),
	ATTR_END,
};

const struct conf_attr lease_locker_rows[] = {
	JD("lockAcquireSleepInterval", CONF_LONG, lock_acquire_sleep_ms, 1, "10000"),
	JD("leaseHolderId", CONF_STRING, lease_holder_id, 0, NULL),	/* brokerName */
	JD("maxAllowableDiffFromDBTime", CONF_LONG, max_diff_ms, 0, "0"),
	ATTR_NOT_IMPLEMENTED("failIfLocked"),
	ATTR_NOT_IMPLEMENTED("queryTimeout"),
	ATTR_END,
};

const struct conf_attr management_rows[] = {
	CF("createConnector", CONF_BOOL, management_enabled, 0, "true"),
	CF("connectorPort", CONF_PORT, management_port, 0, "1099"),
	CF("connectorHost", CONF_STRING, management_host, 0, "127.0.0.1"),
	/* Tandem's own (tandem-mgmt(7)); the socket's default follows from
	 * dataDirectory and brokerName */
	CF("connectorSocket", CONF_STRING, management_socket, 0, NULL),
	CF("loginTimeout", CONF_LONG, management_login_timeout_ms, 1, "10000"),
	CF("idleTimeout", CONF_LONG, management_idle_timeout_ms, 1, "300000"),
	CF("loginFailureDelay", CONF_LONG, management_login_delay_ms, 1, "500"),
	/* Tandem's own, for a broker without ActiveMQ's jetty.xml; the web
	 * console gives them their defaults */
	CF("webConsolePort", CONF_PORT, web_port, 0, NULL),
	CF("webConsoleHost", CONF_STRING, web_host, 0, NULL),
	CF("webConsoleRealm", CONF_STRING, web_realm, 0, NULL),
	CF("webConsoleTimeout", CONF_INT, web_timeout_ms, 100, NULL),
	ATTR_NOT_IMPLEMENTED("jmxDomainName"),
	ATTR_NOT_IMPLEMENTED("rmiServerPort"),
	ATTR_NOT_IMPLEMENTED("useMBeanServer"),
	ATTR_NOT_IMPLEMENTED("createMBeanServer"),
	ATTR_NOT_IMPLEMENTED("connectorPath"),
	ATTR_END,
};

const struct conf_attr system_usage_rows[] = {
	CF("sendFailIfNoSpace", CONF_BOOL, send_fail_if_no_space, 0, "false"),
	ATTR_NOT_IMPLEMENTED("sendFailIfNoSpaceAfterTimeout"),
	ATTR_END,
};

const struct conf_attr memory_usage_rows[] = {
	CF("limit", CONF_SIZE, memory_limit, 0, NULL),	/* none: 1 gb, or the percentage */
	CF("percentOfJvmHeap", CONF_PERCENT, memory_percent_of_jvm_heap, 1, NULL),
	ATTR_END,
};

/* percentLimit (a share of the disk in ActiveMQ) is not used, but a value
 * that cannot be a percentage is still a mistake worth stopping for: the
 * handler checks it. */
const struct conf_attr store_usage_rows[] = {
	CF("limit", CONF_SIZE, store_limit, 0, "100 gb"),
	ATTR_HANDLED("percentLimit"),
	ATTR_END,
};

const struct conf_attr temp_usage_rows[] = {
	CF("limit", CONF_SIZE, temp_limit, 0, "50 gb"),
	ATTR_HANDLED("percentLimit"),
	ATTR_END,
};

/* The plugins' elements: their handlers read them, since an entry is
 * checked whole (a user needs a name and a password, an entry a
 * destination). */
const struct conf_attr simple_auth_rows[] = {
	ATTR_NOT_IMPLEMENTED("anonymousAccessAllowed"),
	ATTR_END,
};

const struct conf_attr user_rows[] = {
	ATTR_HANDLED("username"),
	ATTR_HANDLED("password"),
	ATTR_HANDLED("groups"),
	ATTR_END,
};

const struct conf_attr authz_map_rows[] = {
	ATTR_NOT_IMPLEMENTED("groupClass"),
	ATTR_END,
};

/* Also tempDestinationAuthorizationEntry and defaultEntry's entry. */
const struct conf_attr authz_entry_rows[] = {
	ATTR_HANDLED("queue"),
	ATTR_HANDLED("topic"),
	ATTR_HANDLED("read"),
	ATTR_HANDLED("write"),
	ATTR_HANDLED("admin"),
	ATTR_NOT_IMPLEMENTED("groupClass"),
	ATTR_NOT_IMPLEMENTED("tempQueue"),
	ATTR_NOT_IMPLEMENTED("tempTopic"),
	ATTR_END,
};

#define JN(name, type, field, min, def, print) \
	{ name, CONF_FIELD, type, offsetof(struct conf_jolokia_neighbour, field), min, def, print }
const struct conf_attr jolokia_neighbour_rows[] = {
	/* required: checked by the handler */
	JN("brokerName", CONF_STRING, broker_name, 0, NULL, CONF_PRINT_ALWAYS),
	JN("url", CONF_STRING, url, 0, NULL, CONF_PRINT_NEVER),	/* printed without a login */
	JN("userName", CONF_STRING, user_name, 0, NULL, CONF_PRINT_IF_SET),
	JN("password", CONF_SECRET, password, 0, NULL, CONF_PRINT_NEVER),
	JN("interval", CONF_LONG, interval_ms, 100, "5000", CONF_PRINT_ALWAYS),
	JN("timeout", CONF_LONG, timeout_ms, 100, "3000", CONF_PRINT_ALWAYS),
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
	{ "broker", "<broker>", broker_rows },
	{ "kahaDB", "<persistenceAdapter><kahaDB>", kahadb_rows },
	{ "shared-file-locker", "<locker><shared\\-file\\-locker>", locker_rows },
	{ "jdbcPersistenceAdapter", "<persistenceAdapter><jdbcPersistenceAdapter>", jdbc_rows },
	{ "lease-database-locker", "<locker><lease\\-database\\-locker>", lease_locker_rows },
	{ "systemUsage", "<systemUsage><systemUsage>", system_usage_rows },
	{ "memoryUsage", "<memoryUsage><memoryUsage>", memory_usage_rows },
	{ "storeUsage", "<storeUsage><storeUsage>", store_usage_rows },
	{ "tempUsage", "<tempUsage><tempUsage>", temp_usage_rows },
	{ "managementContext", "<managementContext><managementContext>", management_rows },
	{ "jolokiaNeighbour", "<?tandem jolokiaNeighbour ...?>", jolokia_neighbour_rows },
	{ "simpleAuthenticationPlugin", "<plugins><simpleAuthenticationPlugin>", simple_auth_rows },
	{ "authenticationUser", "<users><authenticationUser>", user_rows },
	{ "authorizationMap", "<plugins><authorizationPlugin><map><authorizationMap>",
	  authz_map_rows },
	{ "authorizationEntry", "<authorizationEntries><authorizationEntry>", authz_entry_rows },
	{ NULL, NULL, NULL },
};
