/*
 * config_print.c - what `tandemd --check` prints: the configuration as the
 * broker understood it, one setting per line, with ActiveMQ's names so it
 * can be held against the XML. The connectors' and policies' settings are
 * printed by their rows (config_attr.h), in the rows' order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "config_attr.h"

static const char *yes_no(bool b)
{
	return b ? "true" : "false";
}

#define print_size conf_print_size
#define EVERY_ROW (CONF_PRINT_ALWAYS | CONF_PRINT_IF_SET)

/* What the file asks for and Tandem does not do, where it asks. */
static void print_not_implemented(const struct config *cfg, FILE *out)
{
	if (!cfg->nnot_implemented)
		return;
	fprintf(out, "accepted, not implemented (no effect)\n");
	for (size_t i = 0; i < cfg->nnot_implemented; i++) {
		const struct conf_not_implemented *n = &cfg->not_implemented[i];
		fprintf(out, "  line %d: <%s> %s%s=\"%s\"\n", n->line, n->element,
			n->option ? "URI option " : "", n->name, n->value);
	}
}

/* The store in a directory, and its shared-file-locker. */
static void print_kahadb(const struct config *cfg, FILE *out)
{
	fprintf(out, "  store directory (kahaDB): %s\n", cfg->store_directory);
	fprintf(out, "  enableJournalDiskSyncs: %s\n", yes_no(cfg->journal_disk_syncs));
	fprintf(out, "  lockAcquireSleepInterval: %ld ms\n", cfg->lock_acquire_sleep_ms);
	fprintf(out, "  lockKeepAlivePeriod: %ld ms%s\n", cfg->lock_keep_alive_ms,
		cfg->lock_keep_alive_ms ? "" : " (fencing off)");
	if (cfg->fail_if_locked)
		fprintf(out, "  failIfLocked: true\n");
}

/* The PostgreSQL store: where it connects, without the password. */
static void print_jdbc(const struct conf_jdbc *j, FILE *out)
{
	char *conninfo = config_jdbc_conninfo(j, false);
	fprintf(out, "  store: PostgreSQL (jdbcPersistenceAdapter, dataSource %s)\n",
		j->data_source);
	fprintf(out, "  connection: %s%s\n", conninfo ? conninfo : "(out of memory)",
		j->password ? " password=(set, not shown)" : "");
	free(conninfo);
	conf_attr_print(out, jdbc_rows, j, EVERY_ROW);
	conf_attr_print(out, lease_locker_rows, j, EVERY_ROW);
}

void config_print(const struct config *cfg, FILE *out)
{
	fprintf(out, "configuration: %s\n", cfg->file);
	fprintf(out, "broker\n");
	fprintf(out, "  brokerName: %s\n", cfg->broker_name);
	fprintf(out, "  dataDirectory: %s\n", cfg->data_directory);
	fprintf(out, "  persistent: %s\n", yes_no(cfg->persistent));
	fprintf(out, "  temp store directory: %s\n", cfg->temp_directory);
	if (cfg->jdbc)
		print_jdbc(cfg->jdbc, out);
	else
		print_kahadb(cfg, out);

	for (size_t i = 0; i < cfg->nconnectors; i++) {
		const struct conf_connector *c = &cfg->connectors[i];
		fprintf(out, "transportConnector %s\n", c->name);
		conf_attr_print(out, transport_connector_rows, c, CONF_PRINT_ALWAYS);
		fprintf(out, "  scheme: %s\n  host: %s\n  port: %d\n", c->scheme, c->host, c->port);
		conf_attr_print(out, connector_option_rows, c, EVERY_ROW);
		conf_attr_print(out, transport_connector_rows, c, CONF_PRINT_IF_SET);
		for (size_t j = 0; j < c->noptions; j++)
			fprintf(out, "  option %s=%s\n", c->options[j].name, c->options[j].value);
	}
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++) {
		const struct conf_network_connector *n = &cfg->network_connectors[i];
		fprintf(out, "networkConnector %s\n", n->name);
		conf_attr_print(out, network_connector_rows, n, EVERY_ROW);
	}
	for (size_t i = 0; i < cfg->njolokia_neighbours; i++) {
		const struct conf_jolokia_neighbour *j = &cfg->jolokia_neighbours[i];
		fprintf(out, "jolokiaNeighbour %s\n  url: %s\n", j->broker_name, j->url);
		conf_attr_print(out, jolokia_neighbour_rows, j, EVERY_ROW);
	}
	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct conf_policy *p = &cfg->policies[i];
		fprintf(out, "policyEntry %s=\"%s\"\n", p->topic ? "topic" : "queue", p->pattern);
		if (p->pending_message_limit >= 0)
			fprintf(out, "  pendingMessageLimit: %ld\n", p->pending_message_limit);
		conf_attr_print(out, policy_entry_rows, p, EVERY_ROW);
		conf_attr_print(out, bridge_filter_rows, p, EVERY_ROW);
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
	print_not_implemented(cfg, out);
}
