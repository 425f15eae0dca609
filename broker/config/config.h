/*
 * config.h - the broker configuration, read from ActiveMQ's XML.
 *
 * config_load() reads an ActiveMQ broker XML file (a <beans> wrapper or a
 * bare <broker>) with libxml2 into a plain struct that the rest of the
 * broker reads and never changes. Everything the broker needs to know about
 * its configuration is here; nothing else opens the file.
 *
 * What each attribute is, its type and its default, is its row in
 * config_schema.c (config_attr.h), not a comment here.
 *
 * Diagnostics go through log.h, each naming file and line:
 *   - Java-only elements (logQuery, shutdownHooks, Spring beans): INFO,
 *     once per element name;
 *   - ActiveMQ's attributes and URI options that Tandem accepts and does
 *     not implement: INFO, once per name, and every use kept in
 *     not_implemented for --check;
 *   - unknown elements and attributes: WARN;
 *   - invalid values: ERROR, saying what was expected; config_load()
 *     then fails (the broker exits 78, EX_CONFIG, without touching the store).
 */
#ifndef TANDEM_CONFIG_H
#define TANDEM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_EXIT_INVALID 78	/* sysexits.h EX_CONFIG */

/* One `?name=value` option of a connector URI as written, kept for
 * --check; what each means is its row in config_schema.c. */
struct conf_option {
	char *name;
	char *value;
};

struct conf_connector {
	char *name;		/* transportConnector@name, or the scheme */
	char *uri;		/* as written, after ${} substitution */
	char *scheme;		/* "tcp", "stomp", "mqtt", "amqp", "ws", ... */
	char *host;		/* "0.0.0.0" for the wildcard */
	int port;
	long max_connections;	/* maximumConnections */
	long long max_frame_size; /* wireFormat.maxFrameSize */
	/* ms a client has to complete its CONNECT (transport.connectAttemptTimeout)
	 * and, on a detecting connector, to say which protocol it speaks
	 * (protocolDetectionTimeOut); 0 never. */
	long connect_attempt_timeout_ms;
	long protocol_detection_timeout_ms;
	/* transport.redeliverOnNack: a STOMP NACK gives the message back for
	 * redelivery (the 7th delivery goes to the DLQ); false, as ActiveMQ
	 * does: to the DLQ at once */
	bool redeliver_on_nack;
	/* What OpenWire failover clients are told (ConnectionControl): the
	 * brokers of the cluster as they change (updateClusterClients), to
	 * spread over them (rebalanceClusterClients), also when one goes
	 * (updateClusterClientsOnRemove). */
	bool update_cluster_clients, rebalance_cluster_clients;
	bool update_cluster_clients_on_remove;
	/* The subscriptions (STOMP and MQTT SUBSCRIBE, OpenWire ConsumerInfo)
	 * and OpenWire producers one connection may hold at once
	 * (maximumConsumersAllowedPerConnection and
	 * maximumProducersAllowedPerConnection; conn_may_add()). */
	long max_consumers_per_connection, max_producers_per_connection;
	char *discovery_uri;	/* discoveryUri or NULL */
	struct conf_option *options;
	size_t noptions;
	int line;
};

/* One <queue physicalName=".."/> or <topic .../> of a networkConnector's
 * destination lists; the name may hold wildcards. */
struct conf_dest_filter {
	bool topic;
	char *pattern;
};

struct conf_dest_filters {
	struct conf_dest_filter *v;
	size_t n;
};

/* <?tandem jolokiaNeighbour ...?> (tandem.xml(5)): an ActiveMQ neighbour's
 * Jolokia endpoint, which management reads for its own state
 * (mgmt/server/neighbour.h). */
struct conf_jolokia_neighbour {
	char *broker_name;	/* brokerName: as its bridges name it */
	char *url;		/* url: http://HOST:8161/api/jolokia */
	char *user_name;	/* userName; NULL: no login */
	char *password;		/* password: never printed nor logged */
	long interval_ms;	/* interval: between reads */
	long timeout_ms;	/* timeout: of one read, connecting included */
	int line;
};

struct conf_network_connector {
	char *name;
	char *uri;		/* static:(...) or multicast://... */
	bool dynamic_only;
	int network_ttl;
	int message_ttl;	/* hops a message may make; networkTTL unless set */
	int consumer_ttl;	/* hops demand may travel; networkTTL unless set */
	int prefetch_size;
	bool decrease_network_consumer_priority;
	bool conduit_subscriptions;
	bool suppress_duplicate_queue_subscriptions;
	bool bridge_temp_destinations;	/* temporary destinations travel */
	bool duplex;
	char *user_name, *password;	/* the bridge's login at the remote; NULL: none */
	struct conf_dest_filters excluded;
	struct conf_dest_filters dynamically_included;	/* none: every destination */
	struct conf_dest_filters statically_included;	/* forwarded without demand */
	int line;
};

/* A policyEntry: applies to queues or topics matching a pattern. */
struct conf_policy {
	bool topic;		/* topic= (true) or queue= (false) */
	char *pattern;
	long pending_message_limit;	/* constantPendingMessageLimitStrategy@limit; -1 none */
	long long memory_limit;		/* memoryLimit; 0 none */
	bool producer_flow_control;
	/* conditionalNetworkBridgeFilterFactory@replayWhenNoConsumers: a
	 * message a bridge brought here may go back once this broker has no
	 * consumers for it. Tandem's default is true (ActiveMQ's false): a
	 * message must not be stranded where nobody consumes it. */
	bool replay_when_no_consumers;
	int line;
};

struct conf_user {
	char *username;
	char *password;
	char *groups;
};

/* An authorizationEntry: the groups (comma-separated, "*" for everyone)
 * that may read (consume, browse), write (send) and admin (create) the
 * queues or topics matching a pattern. */
struct conf_authz_entry {
	bool topic;
	char *pattern;		/* NULL for the temp and default entries */
	char *read, *write, *admin;	/* NULL: nobody */
};

/* An attribute or URI option that ActiveMQ has and Tandem accepts without
 * implementing it, where the file uses it (listed by --check). */
struct conf_not_implemented {
	const char *element;	/* "networkConnector" */
	bool option;		/* an option of the element's uri, not an attribute */
	char *name, *value;	/* the value as written */
	int line;
};

/* <persistenceAdapter><jdbcPersistenceAdapter> (issue 24): the store on
 * PostgreSQL, through libpq, with a lease-database-locker. Its data source
 * is a Spring bean (PGPoolingDataSource, PGSimpleDataSource or dbcp2's
 * BasicDataSource) read into libpq's parameters (config_jdbc.c). */
struct conf_jdbc {
	int line;
	char *data_source;		/* dataSource="#id", as written */
	char *host, *port;		/* libpq's: "db1" or "db1,db2"; "5432" or "5432,5433" */
	char *dbname, *user;
	char *password;			/* never printed, logged or in the management model */
	char *sslmode;			/* the url's sslmode, or NULL */
	char *table_prefix;		/* tablePrefix; default "" (ACTIVEMQ_LOCK, ...) */
	bool create_tables;		/* createTablesOnStartup */
	long lock_keep_alive_ms;	/* lockKeepAlivePeriod: how often the holder renews */
	long lock_acquire_sleep_ms;	/* lease-database-locker@lockAcquireSleepInterval */
	char *lease_holder_id;		/* leaseHolderId; default brokerName */
	long max_diff_ms;		/* maxAllowableDiffFromDBTime; 0: none */
};

struct config {
	char *file;			/* the file loaded */
	char *broker_name;
	char *data_directory;		/* broker@dataDirectory; default "${activemq.data}" or "activemq-data" */
	char *store_directory;		/* kahaDB@directory, else <dataDirectory>/kahadb */
	char *temp_directory;		/* broker@tmpDataDirectory; default <dataDirectory>/<brokerName>/tmp_storage */
	bool persistent;		/* broker@persistent */

	struct conf_connector *connectors;
	size_t nconnectors;
	struct conf_network_connector *network_connectors;
	size_t nnetwork_connectors;
	struct conf_jolokia_neighbour *jolokia_neighbours;
	size_t njolokia_neighbours;
	struct conf_policy *policies;
	size_t npolicies;

	/* systemUsage; a limit of 0 means "not set". */
	long long memory_limit;		/* memoryUsage@limit, bytes */
	int memory_percent_of_jvm_heap;	/* memoryUsage@percentOfJvmHeap, 0 when unset */
	long long store_limit;		/* storeUsage@limit */
	long long temp_limit;		/* tempUsage@limit */

	bool management_enabled;	/* managementContext@createConnector */
	char *management_host;		/* connectorHost */
	int management_port;		/* connectorPort */
	/* Tandem's own (tandem-mgmt(7)): the unix socket (connectorSocket;
	 * NULL: <dataDirectory>/mgmt-<brokerName>.sock, "" for none), how
	 * long a connection may wait to log in (loginTimeout, ms) and stay
	 * idle after (idleTimeout), and the first wait added after failed
	 * logins (loginFailureDelay). */
	char *management_socket;
	long management_login_timeout_ms;
	long management_idle_timeout_ms;
	long management_login_delay_ms;

	char *web_host;			/* jetty.xml's WebConsolePort bean, or managementContext@webConsoleHost */
	int web_port;			/* 0 when no web console */
	int web_timeout_ms;		/* managementContext@webConsoleTimeout; 0: 30 s */
	char *web_realm;		/* jetty.xml's HashLoginService config (a jetty-realm.properties
					 * file), or managementContext@webConsoleRealm; NULL: the
					 * broker's users */

	struct conf_user *users;	/* simpleAuthenticationPlugin */
	size_t nusers;

	/* authorizationPlugin (authz.h) */
	bool authorization;		/* configured: destinations need permission */
	struct conf_authz_entry *authz;
	size_t nauthz;
	struct conf_authz_entry *authz_temp;	/* tempDestinationAuthorizationEntry, or NULL */
	struct conf_authz_entry *authz_default;	/* defaultEntry, or NULL */

	/* Master/slave on the store directory (locker.h). */
	long lock_acquire_sleep_ms;	/* shared-file-locker@lockAcquireSleepInterval; 10000:
					 * how often a slave says it waits */
	bool fail_if_locked;		/* shared-file-locker@failIfLocked: exit instead of waiting */
	long lock_keep_alive_ms;	/* kahaDB@lockKeepAlivePeriod; 0 = off */
	bool journal_disk_syncs;	/* kahaDB@enableJournalDiskSyncs */
	bool send_fail_if_no_space;	/* systemUsage@sendFailIfNoSpace */

	struct conf_jdbc *jdbc;		/* NULL: the store is kahaDB's directory */

	struct conf_not_implemented *not_implemented;	/* in the file's order */
	size_t nnot_implemented;
};

/* A NAME=VALUE from the command line (-D), for ${NAME} in the file. */
struct conf_define {
	const char *name;
	const char *value;
};

/* Loads `path`. Returns 0, or -1 when the file is unreadable or invalid
 * (every problem logged). On failure *cfg holds nothing to free. */
int config_load(struct config *cfg, const char *path,
		const struct conf_define *defs, size_t ndefs);

/* Prints what was understood, for `tandemd --check`. */
void config_print(const struct config *cfg, FILE *out);

void config_free(struct config *cfg);

/* Value parsers shared with the rest of the broker; each returns 0, or -1
 * when `s` is not of the expected form. */
int config_parse_size(const char *s, long long *out);	/* "100 gb", "64 mb", "1024" */
int config_parse_bool(const char *s, bool *out);	/* true/false, case-insensitive */
int config_parse_percent(const char *s, int *out);	/* 0..100 */
int config_parse_port(const char *s, int *out);		/* 0..65535 */

/* Splits a connector URI (scheme://host:port?name=value&...) into c's
 * scheme, host, port and options. -1 with a reason in why when it is not
 * of that form. */
int config_parse_connector_uri(const char *uri, struct conf_connector *c,
			       char *why, size_t whylen);

/* The JDBC data source bean's property `name` (config_jdbc.c), of a
 * BasicDataSource (dbcp) or a PostgreSQL data source: 0 when read into j,
 * 1 when it is a JVM pool setting with no meaning here, -1 when it is
 * wrong, with why in `why` (never the value: it may hold the password). */
int config_jdbc_set(struct conf_jdbc *j, bool dbcp, const char *name, const char *value,
		    char *why, size_t len);
/* A jdbc:postgresql: url into j. -1 with why (without the url) when it is
 * not one. */
int config_jdbc_url(struct conf_jdbc *j, const char *url, char *why, size_t len);
/* libpq's connection string for j ("host='db1' port='5432' ..."), quoted;
 * with the password only when with_password. A new string, NULL when out
 * of memory. */
char *config_jdbc_conninfo(const struct conf_jdbc *j, bool with_password);
/* Frees j and what it holds; NULL is fine. */
void config_jdbc_free(struct conf_jdbc *j);

/* True when one of the filters names that destination. */
bool config_dest_filtered(const struct conf_dest_filters *f, bool topic, const char *name);
/* Frees what a networkConnector's entry holds (not nc itself); NULL is fine. */
void config_network_connector_free(struct conf_network_connector *nc);
/* Frees what an authorization entry holds (not e itself); NULL is fine. */
void config_authz_entry_free(struct conf_authz_entry *e);

/* The policy for a destination, or NULL (first matching entry wins). */
const struct conf_policy *config_policy_for(const struct config *cfg,
					    bool topic, const char *name);

#endif
