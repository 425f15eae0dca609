/*
 * config_print.c - what `tandemd --check` prints: the configuration as the
 * broker understood it, one setting per line, with ActiveMQ's names so it
 * can be held against the XML.
 */
#include <stdio.h>

#include "config.h"

static const char *yes_no(bool b)
{
	return b ? "true" : "false";
}

/* "104857600 (100 mb)" for sizes that are whole units. */
static void print_size(FILE *out, const char *label, long long n)
{
	static const char *const units[] = { "b", "kb", "mb", "gb", "tb" };
	int u = 0;
	long long v = n;
	while (u < 4 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	fprintf(out, "  %s: %lld", label, n);
	if (u)
		fprintf(out, " (%lld %s)", v, units[u]);
	fputc('\n', out);
}

void config_print(const struct config *cfg, FILE *out)
{
	fprintf(out, "configuration: %s\n", cfg->file);
	fprintf(out, "broker\n");
	fprintf(out, "  brokerName: %s\n", cfg->broker_name);
	fprintf(out, "  dataDirectory: %s\n", cfg->data_directory);
	fprintf(out, "  persistent: %s\n", yes_no(cfg->persistent));
	fprintf(out, "  store directory (kahaDB): %s\n", cfg->store_directory);
	fprintf(out, "  temp store directory: %s\n", cfg->temp_directory);
	fprintf(out, "  enableJournalDiskSyncs: %s\n", yes_no(cfg->journal_disk_syncs));
	fprintf(out, "  lockAcquireSleepInterval: %ld ms\n", cfg->lock_acquire_sleep_ms);
	fprintf(out, "  lockKeepAlivePeriod: %ld ms%s\n", cfg->lock_keep_alive_ms,
		cfg->lock_keep_alive_ms ? "" : " (fencing off)");
	if (cfg->fail_if_locked)
		fprintf(out, "  failIfLocked: true\n");

	for (size_t i = 0; i < cfg->nconnectors; i++) {
		const struct conf_connector *c = &cfg->connectors[i];
		fprintf(out, "transportConnector %s\n", c->name);
		fprintf(out, "  uri: %s\n", c->uri);
		fprintf(out, "  scheme: %s\n  host: %s\n  port: %d\n", c->scheme, c->host, c->port);
		fprintf(out, "  maximumConnections: %ld\n", c->max_connections);
		print_size(out, "wireFormat.maxFrameSize", c->max_frame_size);
		fprintf(out, "  transport.connectAttemptTimeout: %ld ms\n", c->connect_attempt_timeout_ms);
		fprintf(out, "  protocolDetectionTimeOut: %ld ms\n", c->protocol_detection_timeout_ms);
		fprintf(out, "  transport.redeliverOnNack: %s\n", yes_no(c->redeliver_on_nack));
		if (c->discovery_uri)
			fprintf(out, "  discoveryUri: %s\n", c->discovery_uri);
		for (size_t j = 0; j < c->noptions; j++)
			fprintf(out, "  option %s=%s\n", c->options[j].name, c->options[j].value);
	}
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++) {
		const struct conf_network_connector *n = &cfg->network_connectors[i];
		fprintf(out, "networkConnector %s\n", n->name);
		fprintf(out, "  uri: %s\n", n->uri);
		fprintf(out, "  dynamicOnly: %s\n", yes_no(n->dynamic_only));
		fprintf(out, "  networkTTL: %d\n", n->network_ttl);
		fprintf(out, "  prefetchSize: %d\n", n->prefetch_size);
		fprintf(out, "  decreaseNetworkConsumerPriority: %s\n",
			yes_no(n->decrease_network_consumer_priority));
		fprintf(out, "  conduitSubscriptions: %s\n", yes_no(n->conduit_subscriptions));
		fprintf(out, "  suppressDuplicateQueueSubscriptions: %s\n",
			yes_no(n->suppress_duplicate_queue_subscriptions));
		fprintf(out, "  duplex: %s\n", yes_no(n->duplex));
		fprintf(out, "  bridgeTempDestinations: %s\n", yes_no(n->bridge_temp_destinations));
	}
	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct conf_policy *p = &cfg->policies[i];
		fprintf(out, "policyEntry %s=\"%s\"\n", p->topic ? "topic" : "queue", p->pattern);
		if (p->pending_message_limit >= 0)
			fprintf(out, "  pendingMessageLimit: %ld\n", p->pending_message_limit);
		if (p->memory_limit)
			print_size(out, "memoryLimit", p->memory_limit);
		fprintf(out, "  producerFlowControl: %s\n", yes_no(p->producer_flow_control));
	}
	fprintf(out, "systemUsage\n");
	if (cfg->memory_limit)
		print_size(out, "memoryUsage limit", cfg->memory_limit);
	else if (cfg->memory_percent_of_jvm_heap)
		fprintf(out, "  memoryUsage: %d%% of physical memory (percentOfJvmHeap)\n",
			cfg->memory_percent_of_jvm_heap);
	else
		fprintf(out, "  memoryUsage: default\n");
	print_size(out, "storeUsage limit", cfg->store_limit);
	print_size(out, "tempUsage limit", cfg->temp_limit);
	fprintf(out, "  sendFailIfNoSpace: %s\n", yes_no(cfg->send_fail_if_no_space));
	if (cfg->management_enabled)
		fprintf(out, "managementContext: %s:%d\n", cfg->management_host, cfg->management_port);
	else
		fprintf(out, "managementContext: off (createConnector=\"false\")\n");
	if (cfg->web_port)
		fprintf(out, "web console: %s:%d\n", cfg->web_host ? cfg->web_host : "0.0.0.0",
			cfg->web_port);
	else
		fprintf(out, "web console: off\n");
	if (cfg->web_port)
		fprintf(out, "  users: %s\n", cfg->web_realm ? cfg->web_realm
			: cfg->nusers ? "the broker's (simpleAuthenticationPlugin)"
			: "admin/admin from loopback only (ActiveMQ's default)");
	fprintf(out, "users: %zu\n", cfg->nusers);
	if (cfg->authorization)
		fprintf(out, "authorization: %zu entries%s%s\n", cfg->nauthz,
			cfg->authz_default ? ", a default entry" : "",
			cfg->authz_temp ? ", a temporary destinations entry" : "");
}
