/* The configuration loader: the seed files as ActiveMQ reads them, value
 * syntaxes, and every broken file refused with file, line and reason. */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "tap.h"

/* Everything logged while loading, one line per message. */
static char logged[16384];

static void capture(void *ctx, enum log_level level, const char *component, const char *msg)
{
	(void)ctx;
	static const char *const names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
	size_t n = strlen(logged);
	snprintf(logged + n, sizeof logged - n, "%s %s: %s\n", names[level], component, msg);
}

static int count(const char *haystack, const char *needle)
{
	int n = 0;
	for (const char *s = haystack; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static int load(struct config *cfg, const char *path)
{
	static char conf[4096];
	if (!getcwd(conf, sizeof conf - 8))
		return -1;
	strcat(conf, "/conf");
	struct conf_define defs[] = {
		{ "activemq.conf", conf }, { "activemq.data", "/var/lib/tandem" },
	};
	logged[0] = '\0';
	return config_load(cfg, path, defs, 2);
}

static void sizes(void)
{
	static const struct {
		const char *s;
		long long want;	/* -1: refused */
	} cases[] = {
		{ "1024", 1024 }, { "100 gb", 100LL << 30 }, { "64 mb", 64LL << 20 }, { "64mb", 64LL << 20 },
		{ "1 KB", 1024 }, { "512 b", 512 }, { "2 tb", 2LL << 40 }, { " 8 mb ", 8LL << 20 },
		{ "lots", -1 }, { "", -1 }, { "-1 mb", -1 }, { "10 pb", -1 }, { "1.5 gb", -1 },
		{ "99999999999999999999", -1 }, { "9999999999 tb", -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long got = -1;
		int rc = config_parse_size(cases[i].s, &got);
		char name[80];
		snprintf(name, sizeof name, "size '%s' -> %lld", cases[i].s, cases[i].want);
		ok(cases[i].want < 0 ? rc < 0 : rc == 0 && got == cases[i].want, name);
	}
	bool b;
	ok(config_parse_bool("TRUE", &b) == 0 && b, "TRUE is true");
	ok(config_parse_bool("false", &b) == 0 && !b, "false is false");
	ok(config_parse_bool("yes", &b) < 0, "yes is not a boolean");
	int p;
	ok(config_parse_percent("70", &p) == 0 && p == 70, "70 is a percentage");
	ok(config_parse_percent("101", &p) < 0 && config_parse_percent("7%", &p) < 0,
	   "101 and 7% are not");
	ok(config_parse_port("65535", &p) == 0 && config_parse_port("65536", &p) < 0 &&
	   config_parse_port("", &p) < 0 && config_parse_port("80x", &p) < 0, "ports");
}

static void uris(void)
{
	char why[160];
	struct conf_connector c = { 0 };
	ok(config_parse_connector_uri("tcp://0.0.0.0:61616?maximumConnections=1000&wireFormat.maxFrameSize=104857600",
				      &c, why, sizeof why) == 0 &&
	   !strcmp(c.scheme, "tcp") && !strcmp(c.host, "0.0.0.0") && c.port == 61616 &&
	   c.noptions == 2 && !strcmp(c.options[1].name, "wireFormat.maxFrameSize") &&
	   !strcmp(c.options[1].value, "104857600"), "a seed connector URI");
	free(c.scheme);
	free(c.host);
	for (size_t i = 0; i < c.noptions; i++) {
		free(c.options[i].name);
		free(c.options[i].value);
	}
	free(c.options);
	memset(&c, 0, sizeof c);
	ok(config_parse_connector_uri("auto+nio://[::1]:5672", &c, why, sizeof why) == 0 &&
	   !strcmp(c.scheme, "auto+nio") && !strcmp(c.host, "::1") && c.port == 5672,
	   "an IPv6 URI with a compound scheme");
	free(c.scheme);
	free(c.host);
	static const char *const bad[] = {
		"localhost:61616", "tcp://localhost", "tcp://:61616", "tcp://h:70000",
		"tcp://h:1?novalue", "t cp://h:1", "tcp://[::1:5",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&c, 0, sizeof c);
		char name[80];
		snprintf(name, sizeof name, "'%s' is refused", bad[i]);
		ok(config_parse_connector_uri(bad[i], &c, why, sizeof why) < 0 && *why, name);
		free(c.scheme);
		free(c.host);
		for (size_t j = 0; j < c.noptions; j++) {
			free(c.options[j].name);
			free(c.options[j].value);
		}
		free(c.options);
	}
}

static void seeds(void)
{
	struct config cfg;
	/* conf/ holds the seed's pair rewritten for one host: the store
	 * directory and 127.0.0.1 differ from t/data/seed (see t/10-config.t). */
	ok(load(&cfg, "conf/activemq-node1.xml") == 0, "the seed's node1 loads");
	ok(!strstr(logged, "ERROR") && !strstr(logged, "WARN"), "without errors or warnings");
	if (strstr(logged, "ERROR") || strstr(logged, "WARN"))
		diag("%s", logged);
	is_str(cfg.broker_name, "broker1", "brokerName");
	is_str(cfg.data_directory, "/var/lib/tandem/data", "dataDirectory from ${activemq.data}");
	is_str(cfg.store_directory, "/var/lib/tandem/data/kahadb", "the kahaDB directory");
	is(cfg.nconnectors, 2, "two transport connectors");
	if (cfg.nconnectors == 2) {
		const struct conf_connector *c = &cfg.connectors[0];
		ok(!strcmp(c->name, "openwire") && !strcmp(c->scheme, "tcp") && c->port == 61616 &&
		   c->max_connections == 1000 && c->max_frame_size == 104857600 &&
		   !c->discovery_uri,
		   "openwire: tcp 61616, 1000 connections, 100 MB frames, not advertised");
		ok(c->connect_attempt_timeout_ms == 30000 && c->protocol_detection_timeout_ms == 30000,
		   "30 s to be recognised and to complete CONNECT, as ActiveMQ");
		ok(!strcmp(cfg.connectors[1].scheme, "mqtt") && cfg.connectors[1].port == 1883,
		   "mqtt on 1883");
	}
	ok(cfg.nnetwork_connectors == 1 && cfg.network_connectors[0].dynamic_only &&
	   cfg.network_connectors[0].network_ttl == 3 && cfg.network_connectors[0].prefetch_size == 1 &&
	   cfg.network_connectors[0].decrease_network_consumer_priority &&
	   cfg.network_connectors[0].conduit_subscriptions &&
	   !strcmp(cfg.network_connectors[0].uri,
		   "static:(failover:(tcp://127.0.0.1:61626,tcp://127.0.0.1:61627))") &&
	   cfg.network_connectors[0].message_ttl == 3 && cfg.network_connectors[0].consumer_ttl == 3 &&
	   !strcmp(cfg.network_connectors[0].name, "bridge"), "the network connector, static");
	ok(cfg.npolicies == 1 && cfg.policies[0].topic && !strcmp(cfg.policies[0].pattern, ">") &&
	   cfg.policies[0].pending_message_limit == 1000, "the topic policy, limit 1000");
	const struct conf_policy *pol = config_policy_for(&cfg, true, "any.topic");
	ok(pol == &cfg.policies[0] && !config_policy_for(&cfg, false, "a.queue"),
	   "the policy applies to topics, not queues");
	ok(cfg.memory_percent_of_jvm_heap == 70 && cfg.store_limit == 100LL << 30 &&
	   cfg.temp_limit == 50LL << 30, "usage: 70% memory, 100 gb store, 50 gb temp");
	ok(cfg.management_enabled && cfg.management_port == 1100 &&
	   !strcmp(cfg.management_host, "127.0.0.1"), "management on 127.0.0.1:1100");
	ok(cfg.web_port == 8161 && cfg.web_host && !strcmp(cfg.web_host, "127.0.0.1"),
	   "the web console port from the imported jetty.xml");
	ok(strstr(logged, "credentials.properties") != NULL, "credentials.properties was read");
	is(count(logged, "the Spring bean logQuery is Java-only"), 1,
	   "the logQuery bean is noted once");
	is(count(logged, "shutdownHooks> is Java-only"), 1, "shutdownHooks is noted once");
	config_free(&cfg);

	ok(load(&cfg, "conf/activemq-node2.xml") == 0, "the seed's node2 loads");
	ok(cfg.nconnectors == 2 && cfg.connectors[0].port == 61617 && cfg.connectors[1].port == 1884 &&
	   cfg.management_port == 1101 && cfg.web_port == 8162 && !strcmp(cfg.broker_name, "broker2"),
	   "node2's own ports");
	is_str(cfg.store_directory, "/var/lib/tandem/data/kahadb", "the store node1 has");
	config_free(&cfg);

	ok(load(&cfg, "conf/tandem.xml") == 0, "the demo configuration loads");
	ok(cfg.nconnectors == 2 && cfg.connectors[0].port == 61613 && cfg.connectors[1].port == 61614,
	   "demo connectors on 61613 and 61614");
	config_free(&cfg);
}

static void broken(void)
{
	static const struct {
		const char *file;
		const char *error;
	} cases[] = {
		{ "bad-port.xml", "bad-port.xml:3: invalid uri=\"tcp://0.0.0.0:99999\" on <transportConnector>: expected a port number from 0 to 65535" },
		{ "bad-uri.xml", "bad-uri.xml:3: invalid uri=\"localhost:61616\" on <transportConnector>: expected a URI like tcp://0.0.0.0:61616" },
		{ "bad-limit.xml", "bad-limit.xml:3: invalid limit=\"lots\" on <memoryUsage>: expected a size like 1024, 64 mb or 100 gb" },
		{ "bad-bool.xml", "bad-bool.xml:3: invalid producerFlowControl=\"maybe\" on <policyEntry>: expected true or false" },
		{ "bad-percent.xml", "bad-percent.xml:3: invalid percentOfJvmHeap=\"150\" on <memoryUsage>: expected a percentage from 1 to 100" },
		{ "bad-store-percent.xml", "bad-store-percent.xml:3: invalid percentLimit=\"120\" on <storeUsage>: expected a percentage from 0 to 100" },
		{ "bad-max-connections.xml", "expected maximumConnections to be a whole number of at least 1" },
		{ "bad-connect-timeout.xml", "expected transport.connectAttemptTimeout to be a whole number of milliseconds" },
		{ "bad-network.xml", "bad-network.xml:3: invalid uri=\"http://nowhere\" on <networkConnector>: expected static:(tcp://host:port,...) or multicast://default" },
		{ "bad-management-port.xml", "bad-management-port.xml:3: invalid connectorPort=\"-1\" on <managementContext>" },
		{ "undefined-property.xml", "undefined-property.xml:3: uri uses ${nowhere.port}, which is not defined" },
		{ "not-well-formed.xml", "not-well-formed.xml:" },
		{ "wrong-root.xml", "wrong-root.xml:1: the root element is <configuration>, not <beans> or <broker>" },
		{ "no-such-file.xml", "no-such-file.xml" },
		{ "bad-jolokia-login.xml", "bad-jolokia-login.xml:3: invalid url=\"(a url with a login, not shown)\" on <jolokiaNeighbour>: expected a url without USER:PASSWORD@" },
		{ "bad-jolokia-pi.xml", "bad-jolokia-pi.xml:3: <?tandem ...?> is not NAME attribute=\"value\" ..." },
		{ "bad-jolokia-name.xml", "bad-jolokia-name.xml:3: invalid brokerName=\"\" on <jolokiaNeighbour>: expected the neighbour's broker name" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[128], name[160];
		snprintf(path, sizeof path, "t/data/conf/%s", cases[i].file);
		struct config cfg;
		int rc = load(&cfg, path);
		snprintf(name, sizeof name, "%s is refused: %s", cases[i].file, cases[i].error);
		ok(rc < 0 && strstr(logged, "ERROR config: ") && strstr(logged, cases[i].error), name);
		if (rc == 0 || !strstr(logged, cases[i].error))
			diag("logged: %s", logged);
		ok(cfg.broker_name == NULL && cfg.nconnectors == 0, "and nothing is left to free");
		if (rc == 0)
			config_free(&cfg);
	}

	struct config cfg;
	ok(load(&cfg, "t/data/conf/login-timeouts.xml") == 0 && cfg.nconnectors == 2 &&
	   !strstr(logged, "WARN"), "login timeouts in ActiveMQ's spellings load without warnings");
	if (cfg.nconnectors == 2) {
		ok(cfg.connectors[0].connect_attempt_timeout_ms == 5000 &&
		   cfg.connectors[0].protocol_detection_timeout_ms == 2000,
		   "transport.connectAttemptTimeout and protocolDetectionTimeOut in ms");
		ok(cfg.connectors[1].connect_attempt_timeout_ms == 0 &&
		   cfg.connectors[1].protocol_detection_timeout_ms == 0,
		   "auto.protocolDetectionTimeOut; 0 and less: never");
		config_free(&cfg);
	}
	ok(load(&cfg, "t/data/conf/unknown.xml") == 0, "unknown things are not fatal");
	ok(strstr(logged, "WARN config: t/data/conf/unknown.xml:3: unknown element <frobnicator> in <broker>: ignored") != NULL,
	   "an unknown element is warned about with file and line");
	ok(strstr(logged, "WARN config: t/data/conf/unknown.xml:3: unknown attribute colour on <transportConnector>: ignored") != NULL,
	   "so is an unknown attribute");
	ok(strstr(logged, "unknown option wireFormat.colour") != NULL, "and an unknown URI option");
	is(count(logged, "shutdownHooks> is Java-only"), 1, "a Java-only element twice is noted once");
	config_free(&cfg);

	ok(load(&cfg, "t/data/conf/java-policies.xml") == 0, "ActiveMQ's cursor and dispatch policies load");
	ok(!strstr(logged, "WARN"), "without warnings: they are ActiveMQ's, not unknown");
	if (strstr(logged, "WARN"))
		diag("%s", logged);
	is(count(logged, "<pendingQueuePolicy> is Java-only"), 1, "and noted once, at INFO");
	ok(cfg.npolicies == 2 && !cfg.policies[0].topic && cfg.policies[0].memory_limit == 1 << 20 &&
	   cfg.policies[0].pending_message_limit == -1, "the queue policy: 1 mb, no pending limit");
	ok(config_policy_for(&cfg, true, "prices.eur") == &cfg.policies[1] &&
	   config_policy_for(&cfg, false, "orders") == &cfg.policies[0],
	   "each destination finds its policy");
	config_free(&cfg);

	ok(load(&cfg, "t/data/conf/missing-import.xml") == 0 && cfg.web_port == 0,
	   "a missing jetty.xml is not fatal: no web console");
	ok(strstr(logged, "WARN config: t/data/conf/missing-import.xml:2: cannot read imported") != NULL,
	   "but warned about");
	ok(!strcmp(cfg.broker_name, "localhost") && cfg.persistent && cfg.management_port == 1099 &&
	   cfg.lock_acquire_sleep_ms == 10000 && cfg.journal_disk_syncs,
	   "defaults: localhost, persistent, management 1099, lock retry 10 s");
	config_free(&cfg);
}

/* <?tandem jolokiaNeighbour ...?>: read by its rows, where ActiveMQ reads
 * nothing; a password is never in a log line. */
static void neighbours(void)
{
	struct config cfg;
	ok(load(&cfg, "t/data/conf/jolokia-neighbour.xml") == 0 && cfg.njolokia_neighbours == 2,
	   "two jolokiaNeighbour instructions, in <broker> and deeper");
	if (cfg.njolokia_neighbours == 2) {
		const struct conf_jolokia_neighbour *a = &cfg.jolokia_neighbours[0];
		const struct conf_jolokia_neighbour *b = &cfg.jolokia_neighbours[1];
		ok(!strcmp(a->broker_name, "amq1") && !strcmp(a->url, "http://amq1:8161") &&
		   !strcmp(a->user_name, "admin") && !strcmp(a->password, "/var/lib/tandem-pw") &&
		   a->interval_ms == 1000 && a->timeout_ms == 3000 && a->line == 3,
		   "its attributes, ${...} substituted, defaults, its line");
		ok(!strcmp(b->broker_name, "amq2") && !b->user_name && !b->password &&
		   b->interval_ms == 5000, "no login: none sent; interval 5 s");
		config_free(&cfg);
	}
	ok(strstr(logged, "WARN config: t/data/conf/jolokia-neighbour.xml:5: unknown setting <?tandem frobnicate?>: ignored") != NULL,
	   "an unknown <?tandem?> setting is warned about with file and line");
	ok(!strstr(logged, "xml-stylesheet") && count(logged, "WARN") == 1,
	   "another program's processing instruction is not Tandem's business");
	load(&cfg, "t/data/conf/bad-jolokia-login.xml");
	ok(!strstr(logged, "pw-in-url"), "a url with a login is refused without quoting it");
	load(&cfg, "t/data/conf/bad-jolokia-name.xml");
	ok(!strstr(logged, "secret-pw"), "so is the password of a refused neighbour");
}

int main(void)
{
	log_set_sink(capture, NULL);
	sizes();
	uris();
	seeds();
	broken();
	neighbours();
	return done_testing();
}
