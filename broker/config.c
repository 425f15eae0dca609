/*
 * config.c - loads ActiveMQ's broker XML into struct config (contract in
 * config.h).
 *
 * The document is walked with tables: each known element names the
 * attributes it accepts, a handler that reads them, and the table of its
 * children. Anything not in a table is either Java-only (noted once, at
 * INFO) or unknown (a WARN with file and line). Handlers report invalid
 * values with bad_value(), which logs file, line and what was expected
 * and makes the load fail; the walk goes on, so one run shows every error.
 *
 * ${name} in attribute values is replaced from, in order: -D definitions,
 * properties files named by the PropertyPlaceholderConfigurer bean (read
 * first, wherever it stands), and the defaults of activemq.base, .conf and
 * .data. Start reading at config_load().
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "config.h"
#include "discovery_wire.h"
#include "log.h"
#include "wildcard.h"

#define MAX_PROPS 256
#define MAX_NOTED 64

struct prop {
	char *name;
	char *value;
};

struct loader {
	struct config *cfg;
	const char *file;		/* the file being walked, for messages */
	const struct conf_define *defs;
	size_t ndefs;
	struct prop props[MAX_PROPS];	/* from properties files and defaults */
	size_t nprops;
	const char *noted[MAX_NOTED];	/* Java-only names already reported */
	size_t nnoted;
	bool failed;
};

/* One element the loader understands. */
struct element {
	const char *name;
	const char *const *attrs;	/* accepted attributes, NULL-terminated */
	void (*handle)(struct loader *ld, xmlNode *node);
	const struct element *children;	/* NULL: its children are not looked at */
};

/* ---- diagnostics ---- */

static void bad_value(struct loader *ld, xmlNode *node, const char *attr, const char *value,
		      const char *expected)
{
	log_error("config", "%s:%d: invalid %s=\"%s\" on <%s>: expected %s", ld->file,
		  (int)xmlGetLineNo(node), attr, value, (const char *)node->name, expected);
	ld->failed = true;
}

/* Java-only things are reported once per name. */
static void note_java(struct loader *ld, xmlNode *node, const char *name, const char *what)
{
	for (size_t i = 0; i < ld->nnoted; i++)
		if (!strcmp(ld->noted[i], name))
			return;
	if (ld->nnoted < MAX_NOTED)
		ld->noted[ld->nnoted++] = name;
	log_info("config", "%s:%d: %s is Java-only: ignored", ld->file, (int)xmlGetLineNo(node),
		 what);
}

/* ---- ${} substitution ---- */

static const char *lookup(struct loader *ld, const char *name, size_t len)
{
	for (size_t i = 0; i < ld->ndefs; i++)
		if (strlen(ld->defs[i].name) == len && !strncmp(ld->defs[i].name, name, len))
			return ld->defs[i].value;
	for (size_t i = 0; i < ld->nprops; i++)
		if (strlen(ld->props[i].name) == len && !strncmp(ld->props[i].name, name, len))
			return ld->props[i].value;
	return NULL;
}

/* The value with every ${name} replaced; NULL (logged) when a name is
 * undefined. The caller frees it. */
static char *substitute(struct loader *ld, xmlNode *node, const char *what, const char *in)
{
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *s = in; *s;) {
		const char *piece = s;
		size_t plen = 1;
		const char *end;
		if (s[0] == '$' && s[1] == '{' && (end = strchr(s + 2, '}'))) {
			piece = lookup(ld, s + 2, (size_t)(end - s - 2));
			if (!piece) {
				log_error("config", "%s:%d: %s uses ${%.*s}, which is not defined "
					  "(define it with -D %.*s=VALUE)", ld->file,
					  (int)xmlGetLineNo(node), what, (int)(end - s - 2), s + 2,
					  (int)(end - s - 2), s + 2);
				ld->failed = true;
				free(out);
				return NULL;
			}
			plen = strlen(piece);
			s = end + 1;
		} else {
			s++;
		}
		if (len + plen + 1 > cap) {
			cap = (len + plen + 1) * 2;
			char *bigger = realloc(out, cap);
			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = '\0';
	return out;
}

/* Attribute `name` of node, substituted; NULL when absent or undefined. */
static char *attr(struct loader *ld, xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = substitute(ld, node, name, (const char *)v);
	xmlFree(v);
	return s;
}

/* Readers for typed attributes: leave *out alone when the attribute is
 * absent; log and fail the load when it is invalid. */
static void attr_string(struct loader *ld, xmlNode *node, const char *name, char **out)
{
	char *v = attr(ld, node, name);
	if (v) {
		free(*out);
		*out = v;
	}
}

static void attr_bool(struct loader *ld, xmlNode *node, const char *name, bool *out)
{
	char *v = attr(ld, node, name);
	if (v && config_parse_bool(v, out) < 0)
		bad_value(ld, node, name, v, "true or false");
	free(v);
}

static void attr_long(struct loader *ld, xmlNode *node, const char *name, long min, long *out)
{
	char *v = attr(ld, node, name), *end;
	if (!v)
		return;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min) {
		char expected[64];
		snprintf(expected, sizeof expected, "a whole number of at least %ld", min);
		bad_value(ld, node, name, v, expected);
	} else {
		*out = n;
	}
	free(v);
}

static void attr_int(struct loader *ld, xmlNode *node, const char *name, long min, int *out)
{
	long n = *out;
	attr_long(ld, node, name, min, &n);
	*out = n > 1000000000L ? 1000000000 : (int)n;
}

static void attr_size(struct loader *ld, xmlNode *node, const char *name, long long *out)
{
	char *v = attr(ld, node, name);
	if (v && config_parse_size(v, out) < 0)
		bad_value(ld, node, name, v, "a size like 1024, 64 mb or 100 gb");
	free(v);
}

/* ---- properties files (the PropertyPlaceholderConfigurer bean) ---- */

static void set_prop(struct loader *ld, const char *name, size_t nlen, const char *value,
		     size_t vlen)
{
	for (size_t i = 0; i < ld->nprops; i++) {
		if (strlen(ld->props[i].name) == nlen && !strncmp(ld->props[i].name, name, nlen))
			return;	/* the first definition wins, as in Spring */
	}
	if (ld->nprops == MAX_PROPS)
		return;
	struct prop *p = &ld->props[ld->nprops];
	p->name = strndup(name, nlen);
	p->value = strndup(value, vlen);
	if (p->name && p->value) {
		ld->nprops++;
	} else {
		free(p->name);
		free(p->value);
	}
}

/* Java .properties: key=value or key: value, # and ! comments. */
static void read_properties(struct loader *ld, xmlNode *node, const char *location)
{
	const char *path = !strncmp(location, "file:", 5) ? location + 5 : location;
	FILE *f = fopen(path, "r");
	if (!f) {
		log_warn("config", "%s:%d: cannot read properties file %s: %s", ld->file,
			 (int)xmlGetLineNo(node), path, strerror(errno));
		return;
	}
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#' || *s == '!')
			continue;
		size_t klen = strcspn(s, "=: \t\r\n");
		char *v = s + klen;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '=' || *v == ':')
			v++;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t vlen = strcspn(v, "\r\n");
		set_prop(ld, s, klen, v, vlen);
	}
	fclose(f);
	log_info("config", "Read properties from %s", path);
}

static bool is_element(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name));
}

/* <property name="locations"><value>...</value></property> or
 * <property name="location" value="..."/>, also <list><value>. */
static void placeholder_bean(struct loader *ld, xmlNode *bean)
{
	for (xmlNode *p = bean->children; p; p = p->next) {
		if (!is_element(p, "property"))
			continue;
		char *direct = attr(ld, p, "value");
		if (direct) {
			read_properties(ld, p, direct);
			free(direct);
		}
		for (xmlNode *v = p->children; v; v = v->next) {
			xmlNode *values = is_element(v, "list") ? v->children : v;
			for (xmlNode *w = values; w; w = w == v ? NULL : w->next) {
				if (!is_element(w, "value"))
					continue;
				xmlChar *text = xmlNodeGetContent(w);
				char *loc = text ? substitute(ld, w, "<value>", (const char *)text) : NULL;
				xmlFree(text);
				if (loc)
					read_properties(ld, w, loc);
				free(loc);
				if (w == v)
					break;
			}
		}
	}
}

static bool bean_class_is(xmlNode *bean, const char *suffix)
{
	xmlChar *cls = xmlGetProp(bean, (const xmlChar *)"class");
	bool yes = false;
	if (cls) {
		size_t n = strlen((const char *)cls), m = strlen(suffix);
		yes = n >= m && !strcmp((const char *)cls + n - m, suffix);
		xmlFree(cls);
	}
	return yes;
}

/* ---- the broker's elements ---- */

static const char *const no_attrs[] = { NULL };

static void on_broker(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	attr_string(ld, n, "brokerName", &cfg->broker_name);
	attr_string(ld, n, "dataDirectory", &cfg->data_directory);
	attr_string(ld, n, "tmpDataDirectory", &cfg->temp_directory);
	attr_bool(ld, n, "persistent", &cfg->persistent);
}

static void on_policy_entry(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_policy *p = realloc(cfg->policies, (cfg->npolicies + 1) * sizeof *p);
	if (!p) {
		ld->failed = true;
		return;
	}
	cfg->policies = p;
	p = &p[cfg->npolicies++];
	memset(p, 0, sizeof *p);
	p->pending_message_limit = -1;
	p->producer_flow_control = true;
	p->line = (int)xmlGetLineNo(n);
	char *topic = attr(ld, n, "topic"), *queue = attr(ld, n, "queue");
	p->topic = topic != NULL;
	p->pattern = topic ? topic : queue;
	if (topic)
		free(queue);
	if (!p->pattern || !*p->pattern) {
		log_error("config", "%s:%d: <policyEntry> needs a queue=\"...\" or topic=\"...\" "
			  "destination (\">\" for all)", ld->file, p->line);
		ld->failed = true;
	}
	attr_bool(ld, n, "producerFlowControl", &p->producer_flow_control);
	attr_size(ld, n, "memoryLimit", &p->memory_limit);
	p->replay_when_no_consumers = true;
}

static void on_bridge_filter_factory(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	if (cfg->npolicies)
		attr_bool(ld, n, "replayWhenNoConsumers",
			  &cfg->policies[cfg->npolicies - 1].replay_when_no_consumers);
}

static void on_pending_limit(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	if (cfg->npolicies)
		attr_long(ld, n, "limit", -1, &cfg->policies[cfg->npolicies - 1].pending_message_limit);
}

static void on_management(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	attr_bool(ld, n, "createConnector", &cfg->management_enabled);
	attr_string(ld, n, "connectorHost", &cfg->management_host);
	attr_string(ld, n, "connectorSocket", &cfg->management_socket);
	attr_long(ld, n, "loginTimeout", 1, &cfg->management_login_timeout_ms);
	attr_long(ld, n, "idleTimeout", 1, &cfg->management_idle_timeout_ms);
	attr_long(ld, n, "loginFailureDelay", 1, &cfg->management_login_delay_ms);
	char *port = attr(ld, n, "connectorPort");
	if (port && config_parse_port(port, &cfg->management_port) < 0)
		bad_value(ld, n, "connectorPort", port, "a port number from 0 to 65535");
	free(port);
	/* Tandem's own, for a broker without ActiveMQ's jetty.xml. */
	attr_string(ld, n, "webConsoleHost", &cfg->web_host);
	attr_string(ld, n, "webConsoleRealm", &cfg->web_realm);
	attr_int(ld, n, "webConsoleTimeout", 100, &cfg->web_timeout_ms);
	port = attr(ld, n, "webConsolePort");
	if (port && config_parse_port(port, &cfg->web_port) < 0)
		bad_value(ld, n, "webConsolePort", port, "a port number from 0 to 65535");
	free(port);
}

static void on_network_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_network_connector *nc = realloc(cfg->network_connectors,
						    (cfg->nnetwork_connectors + 1) * sizeof *nc);
	if (!nc) {
		ld->failed = true;
		return;
	}
	cfg->network_connectors = nc;
	nc = &nc[cfg->nnetwork_connectors++];
	*nc = (struct conf_network_connector){
		.network_ttl = 1, .prefetch_size = 1000, .conduit_subscriptions = true,
		.bridge_temp_destinations = true,
		.line = (int)xmlGetLineNo(n),
	};
	nc->name = strdup("bridge");
	attr_string(ld, n, "name", &nc->name);
	nc->uri = attr(ld, n, "uri");
	struct discovery_group g;
	char why[160];
	if (!nc->uri || (strncmp(nc->uri, "static:", 7) && strncmp(nc->uri, "multicast://", 12) &&
			 strncmp(nc->uri, "masterslave:", 12))) {
		bad_value(ld, n, "uri", nc->uri ? nc->uri : "",
			  "static:(tcp://host:port,...) or multicast://default");
	} else if (!strncmp(nc->uri, "multicast://", 12) &&
		   discovery_parse_uri(nc->uri, &g, why, sizeof why) < 0) {
		bad_value(ld, n, "uri", nc->uri, why);
	}
	attr_bool(ld, n, "dynamicOnly", &nc->dynamic_only);
	attr_int(ld, n, "networkTTL", 1, &nc->network_ttl);
	attr_int(ld, n, "prefetchSize", 1, &nc->prefetch_size);
	attr_bool(ld, n, "decreaseNetworkConsumerPriority", &nc->decrease_network_consumer_priority);
	attr_bool(ld, n, "conduitSubscriptions", &nc->conduit_subscriptions);
	attr_bool(ld, n, "duplex", &nc->duplex);
	attr_bool(ld, n, "suppressDuplicateQueueSubscriptions",
		  &nc->suppress_duplicate_queue_subscriptions);
	nc->message_ttl = nc->consumer_ttl = nc->network_ttl;
	attr_int(ld, n, "messageTTL", 1, &nc->message_ttl);
	attr_int(ld, n, "consumerTTL", 1, &nc->consumer_ttl);
	attr_string(ld, n, "userName", &nc->user_name);
	attr_string(ld, n, "password", &nc->password);
	attr_bool(ld, n, "bridgeTempDestinations", &nc->bridge_temp_destinations);
}

/* <queue physicalName=".."/> or <topic .../> in one of a networkConnector's
 * destination lists (the parent says which). */
static void on_network_destination(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	if (!cfg->nnetwork_connectors || !n->parent)
		return;
	struct conf_network_connector *nc = &cfg->network_connectors[cfg->nnetwork_connectors - 1];
	const char *list = (const char *)n->parent->name;
	struct conf_dest_filters *f = !strcmp(list, "excludedDestinations") ? &nc->excluded
		: !strcmp(list, "staticallyIncludedDestinations") ? &nc->statically_included
		: &nc->dynamically_included;
	char *name = attr(ld, n, "physicalName");
	if (!name || !*name) {
		log_error("config", "%s:%d: <%s> in <%s> needs physicalName=\"...\"", ld->file,
			  (int)xmlGetLineNo(n), (const char *)n->name, list);
		ld->failed = true;
		free(name);
		return;
	}
	struct conf_dest_filter *v = realloc(f->v, (f->n + 1) * sizeof *v);
	if (!v) {
		ld->failed = true;
		free(name);
		return;
	}
	f->v = v;
	v[f->n++] = (struct conf_dest_filter){ !strcmp((const char *)n->name, "topic"), name };
}

static void on_kahadb(struct loader *ld, xmlNode *n)
{
	attr_string(ld, n, "directory", &ld->cfg->store_directory);
	attr_bool(ld, n, "enableJournalDiskSyncs", &ld->cfg->journal_disk_syncs);
	attr_long(ld, n, "lockKeepAlivePeriod", 0, &ld->cfg->lock_keep_alive_ms);
}

static void on_locker(struct loader *ld, xmlNode *n)
{
	attr_long(ld, n, "lockAcquireSleepInterval", 1, &ld->cfg->lock_acquire_sleep_ms);
	attr_bool(ld, n, "failIfLocked", &ld->cfg->fail_if_locked);
}

static void on_system_usage(struct loader *ld, xmlNode *n)
{
	attr_bool(ld, n, "sendFailIfNoSpace", &ld->cfg->send_fail_if_no_space);
}

static void on_memory_usage(struct loader *ld, xmlNode *n)
{
	attr_size(ld, n, "limit", &ld->cfg->memory_limit);
	char *pct = attr(ld, n, "percentOfJvmHeap");
	if (pct && (config_parse_percent(pct, &ld->cfg->memory_percent_of_jvm_heap) < 0 ||
		    ld->cfg->memory_percent_of_jvm_heap == 0))
		bad_value(ld, n, "percentOfJvmHeap", pct, "a percentage from 1 to 100");
	free(pct);
}

/* percentLimit (a share of the disk in ActiveMQ) is not used, but a value
 * that cannot be a percentage is still a mistake worth stopping for. */
static void check_percent_limit(struct loader *ld, xmlNode *n)
{
	int pct;
	char *v = attr(ld, n, "percentLimit");
	if (v && config_parse_percent(v, &pct) < 0)
		bad_value(ld, n, "percentLimit", v, "a percentage from 0 to 100");
	free(v);
}

static void on_store_usage(struct loader *ld, xmlNode *n)
{
	attr_size(ld, n, "limit", &ld->cfg->store_limit);
	check_percent_limit(ld, n);
}

static void on_temp_usage(struct loader *ld, xmlNode *n)
{
	attr_size(ld, n, "limit", &ld->cfg->temp_limit);
	check_percent_limit(ld, n);
}

/* Connector URI options that are understood, or that only tune the JVM's
 * transport and are harmless to ignore. */
static bool known_option(const char *name)
{
	return !strcmp(name, "maximumConnections") || !strcmp(name, "wireFormat.maxFrameSize") ||
	       !strncmp(name, "transport.", 10) ||
	       !strcmp(name, "wireFormat.maxInactivityDuration") ||
	       !strcmp(name, "wireFormat.maxInactivityDurationInitalDelay");
}

/* The connector URI options that are times in ms, as ActiveMQ spells
 * them (its auto transport takes protocolDetectionTimeOut bare or with
 * the auto. prefix). Zero or less: no limit. */
static const struct {
	const char *name;
	size_t field;
} timeout_options[] = {
	{ "transport.connectAttemptTimeout", offsetof(struct conf_connector, connect_attempt_timeout_ms) },
	{ "protocolDetectionTimeOut", offsetof(struct conf_connector, protocol_detection_timeout_ms) },
	{ "auto.protocolDetectionTimeOut", offsetof(struct conf_connector, protocol_detection_timeout_ms) },
};

/* True when o is one of timeout_options (its value checked and set). */
static bool connector_timeout(struct loader *ld, xmlNode *n, struct conf_connector *c,
			      const struct conf_option *o)
{
	for (size_t i = 0; i < sizeof timeout_options / sizeof *timeout_options; i++) {
		if (strcmp(o->name, timeout_options[i].name))
			continue;
		char *end, why[96];
		errno = 0;
		long v = strtol(o->value, &end, 10);
		if (!*o->value || *end || errno) {
			snprintf(why, sizeof why, "%s to be a whole number of milliseconds", o->name);
			bad_value(ld, n, "uri", c->uri, why);
		}
		*(long *)((char *)c + timeout_options[i].field) = v > 0 ? v : 0;
		return true;
	}
	return false;
}

static void on_transport_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_connector *c = realloc(cfg->connectors, (cfg->nconnectors + 1) * sizeof *c);
	if (!c) {
		ld->failed = true;
		return;
	}
	cfg->connectors = c;
	c = &c[cfg->nconnectors++];
	*c = (struct conf_connector){
		.max_connections = 1000, .max_frame_size = 104857600, .line = (int)xmlGetLineNo(n),
		.connect_attempt_timeout_ms = 30000, .protocol_detection_timeout_ms = 30000,
	};
	c->uri = attr(ld, n, "uri");
	c->discovery_uri = attr(ld, n, "discoveryUri");
	char why[160];
	if (!c->uri) {
		log_error("config", "%s:%d: <transportConnector> needs a uri", ld->file, c->line);
		ld->failed = true;
		return;
	}
	if (config_parse_connector_uri(c->uri, c, why, sizeof why) < 0) {
		bad_value(ld, n, "uri", c->uri, why);
		return;
	}
	struct discovery_group g;
	if (c->discovery_uri && !strncmp(c->discovery_uri, "multicast:", 10) &&
	    discovery_parse_uri(c->discovery_uri, &g, why, sizeof why) < 0)
		bad_value(ld, n, "discoveryUri", c->discovery_uri, why);
	c->name = attr(ld, n, "name");
	if (!c->name)
		c->name = strdup(c->scheme);
	for (size_t i = 0; i < c->noptions; i++) {
		const struct conf_option *o = &c->options[i];
		if (!strcmp(o->name, "maximumConnections")) {
			char *end;
			errno = 0;
			long v = strtol(o->value, &end, 10);
			if (!*o->value || *end || errno || v < 1)
				bad_value(ld, n, "uri", c->uri,
					  "maximumConnections to be a whole number of at least 1");
			c->max_connections = v;
		} else if (!strcmp(o->name, "wireFormat.maxFrameSize")) {
			if (config_parse_size(o->value, &c->max_frame_size) < 0 ||
			    c->max_frame_size < 1024)
				bad_value(ld, n, "uri", c->uri,
					  "wireFormat.maxFrameSize to be a size of at least 1024 bytes");
		} else if (!strcmp(o->name, "transport.redeliverOnNack")) {
			if (config_parse_bool(o->value, &c->redeliver_on_nack) < 0)
				bad_value(ld, n, "uri", c->uri,
					  "transport.redeliverOnNack to be true or false");
		} else if (connector_timeout(ld, n, c, o)) {
			continue;
		} else if (!known_option(o->name)) {
			log_warn("config", "%s:%d: connector %s: unknown option %s in its URI: ignored",
				 ld->file, c->line, c->name, o->name);
		}
	}
}

static void on_user(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_user *u = realloc(cfg->users, (cfg->nusers + 1) * sizeof *u);
	if (!u) {
		ld->failed = true;
		return;
	}
	cfg->users = u;
	u = &u[cfg->nusers];
	*u = (struct conf_user){ attr(ld, n, "username"), attr(ld, n, "password"),
				 attr(ld, n, "groups") };
	if (!u->username || !u->password) {
		log_error("config", "%s:%d: <authenticationUser> needs username and password",
			  ld->file, (int)xmlGetLineNo(n));
		ld->failed = true;
		free(u->username);
		free(u->password);
		free(u->groups);
		return;
	}
	cfg->nusers++;
}

/* <authorizationEntry queue|topic="..." read write admin/>, and the same
 * shape for tempDestinationAuthorizationEntry and defaultEntry's entry. */
static struct conf_authz_entry *authz_entry(struct loader *ld, xmlNode *n,
					    struct conf_authz_entry *e)
{
	char *queue = attr(ld, n, "queue"), *topic = attr(ld, n, "topic");
	*e = (struct conf_authz_entry){ topic != NULL, topic ? topic : queue, attr(ld, n, "read"),
					attr(ld, n, "write"), attr(ld, n, "admin") };
	if (topic)
		free(queue);
	return e;
}

static void on_authz_plugin(struct loader *ld, xmlNode *n)
{
	(void)n;
	ld->cfg->authorization = true;
}

static void on_authz_entry(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_authz_entry *v = realloc(cfg->authz, (cfg->nauthz + 1) * sizeof *v);
	if (!v) {
		ld->failed = true;
		return;
	}
	cfg->authz = v;
	authz_entry(ld, n, &v[cfg->nauthz]);
	if (!v[cfg->nauthz].pattern) {
		log_error("config", "%s:%d: <authorizationEntry> needs queue=\"...\" or topic=\"...\"",
			  ld->file, (int)xmlGetLineNo(n));
		ld->failed = true;
		config_authz_entry_free(&v[cfg->nauthz]);
		return;
	}
	cfg->nauthz++;
}

/* The one entry of tempDestinationAuthorizationEntry or defaultEntry. */
static void on_authz_single(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	bool temp = !strcmp((const char *)n->name, "tempDestinationAuthorizationEntry");
	struct conf_authz_entry **slot = temp ? &cfg->authz_temp : &cfg->authz_default;
	struct conf_authz_entry *e = calloc(1, sizeof *e);
	if (!e) {
		ld->failed = true;
		return;
	}
	config_authz_entry_free(*slot);
	free(*slot);
	*slot = authz_entry(ld, n, e);
}

static const char *const destination_attrs[] = { "physicalName", NULL };
static const struct element destination_list[] = {
	{ "queue", destination_attrs, on_network_destination, NULL },
	{ "topic", destination_attrs, on_network_destination, NULL },
	{ "tempQueue", no_attrs, NULL, NULL },
	{ "tempTopic", no_attrs, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const char *const network_connector_attrs[] = {
	"uri", "name", "dynamicOnly", "networkTTL", "messageTTL", "consumerTTL", "prefetchSize",
	"decreaseNetworkConsumerPriority", "conduitSubscriptions", "duplex", "userName",
	"password", "bridgeTempDestinations", "suppressDuplicateQueueSubscriptions",
	"suppressDuplicateTopicSubscriptions", "alwaysSyncSend", "advisoryForFailedForward",
	"staticBridge", "useVirtualDestSubs", "syncDurableSubs", "localUri", "brokerName",
	"dispatchAsync", NULL,
};
static const struct element network_connector_children[] = {
	{ "excludedDestinations", no_attrs, NULL, destination_list },
	{ "dynamicallyIncludedDestinations", no_attrs, NULL, destination_list },
	{ "staticallyIncludedDestinations", no_attrs, NULL, destination_list },
	{ NULL, NULL, NULL, NULL },
};
static const struct element network_connectors[] = {
	{ "networkConnector", network_connector_attrs, on_network_connector,
	  network_connector_children },
	{ NULL, NULL, NULL, NULL },
};

static const char *const limit_attrs[] = { "limit", NULL };
static const struct element pending_strategies[] = {
	{ "constantPendingMessageLimitStrategy", limit_attrs, on_pending_limit, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const char *const filter_factory_attrs[] = {
	"replayWhenNoConsumers", "replayDelay", "selectorAware", "rateLimit", "rateDuration", NULL,
};
static const struct element bridge_filter_factories[] = {
	{ "conditionalNetworkBridgeFilterFactory", filter_factory_attrs, on_bridge_filter_factory,
	  NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element policy_entry_children[] = {
	{ "pendingMessageLimitStrategy", no_attrs, NULL, pending_strategies },
	{ "networkBridgeFilterFactory", no_attrs, NULL, bridge_filter_factories },
	{ NULL, NULL, NULL, NULL },
};
static const char *const policy_entry_attrs[] = {
	"queue", "topic", "producerFlowControl", "memoryLimit", "gcInactiveDestinations",
	"inactiveTimoutBeforeGC", "inactiveTimeoutBeforeGC", "prioritizedMessages", "useCache",
	"expireMessagesPeriod", "maxPageSize", "optimizedDispatch", "advisoryForSlowConsumers",
	"advisoryForFastProducers", "advisoryWhenFull", "enableAudit", "maxAuditDepth",
	"storeUsageHighWaterMark", "cursorMemoryHighWaterMark", "queuePrefetch", "topicPrefetch",
	"tempQueue", "tempTopic", "durableTopicPrefetch", "queueBrowserPrefetch",
	"advisoryForConsumed", "advisoryForDelivery", "advisoryForDiscardingMessages",
	"includeBodyForAdvisory", "sendAdvisoryIfNoConsumers", "allConsumersExclusiveByDefault",
	"alwaysRetroactive", "blockedProducerWarningInterval", "consumersBeforeDispatchStarts",
	"timeBeforeDispatchStarts", "gcWithNetworkConsumers", "lazyDispatch", "maxBrowsePageSize",
	"maxDestinations", "maxExpirePageSize", "maxProducersToAudit", "maxQueueAuditDepth",
	"minimumMessageSize", "optimizeMessageStoreInFlightLimit", "doOptimzeMessageStorage",
	"persistJMSRedelivered", "reduceMemoryFootprint", "sendDuplicateFromStoreToDLQ",
	"sendFailIfNoSpace", "sendFailIfNoSpaceAfterTimeout", "strictOrderDispatch",
	"useConsumerPriority", "usePrefetchExtension", "useTopicSubscriptionInflightStats",
	"messageGroupMapFactoryType", NULL,
};
static const struct element policy_entries[] = {
	{ "policyEntry", policy_entry_attrs, on_policy_entry, policy_entry_children },
	{ NULL, NULL, NULL, NULL },
};
static const struct element policy_map_children[] = {
	{ "policyEntries", no_attrs, NULL, policy_entries },
	{ NULL, NULL, NULL, NULL },
};
static const struct element policy_map[] = {
	{ "policyMap", no_attrs, NULL, policy_map_children },
	{ NULL, NULL, NULL, NULL },
};

static const char *const management_attrs[] = {
	"createConnector", "connectorPort", "connectorHost", "jmxDomainName", "rmiServerPort",
	"useMBeanServer", "createMBeanServer", "connectorPath",
	"webConsoleHost", "webConsolePort", "webConsoleRealm", "webConsoleTimeout", "connectorSocket",
	"loginTimeout", "idleTimeout", "loginFailureDelay", NULL,
};
static const struct element management[] = {
	{ "managementContext", management_attrs, on_management, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const char *const locker_attrs[] = {
	"lockAcquireSleepInterval", "failIfLocked", "directory", NULL,
};
static const struct element lockers[] = {
	{ "shared-file-locker", locker_attrs, on_locker, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element kahadb_children[] = {
	{ "locker", no_attrs, NULL, lockers },
	{ NULL, NULL, NULL, NULL },
};
static const char *const kahadb_attrs[] = {
	"directory", "journalMaxFileLength", "enableJournalDiskSyncs", "indexWriteBatchSize",
	"indexCacheSize", "concurrentStoreAndDispatchQueues", "concurrentStoreAndDispatchTopics",
	"checkpointInterval", "cleanupInterval", "lockKeepAlivePeriod", "ignoreMissingJournalfiles",
	"checkForCorruptJournalFiles", "checksumJournalFiles", "archiveDataLogs",
	"preallocationStrategy", "journalDiskSyncStrategy", NULL,
};
static const struct element persistence[] = {
	{ "kahaDB", kahadb_attrs, on_kahadb, kahadb_children },
	{ NULL, NULL, NULL, NULL },
};

static const char *const memory_usage_attrs[] = { "limit", "percentOfJvmHeap", NULL };
static const char *const usage_attrs[] = { "limit", "percentLimit", NULL };
static const struct element memory_usage[] = {
	{ "memoryUsage", memory_usage_attrs, on_memory_usage, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element store_usage[] = {
	{ "storeUsage", usage_attrs, on_store_usage, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element temp_usage[] = {
	{ "tempUsage", usage_attrs, on_temp_usage, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element usage_children[] = {
	{ "memoryUsage", no_attrs, NULL, memory_usage },
	{ "storeUsage", no_attrs, NULL, store_usage },
	{ "tempUsage", no_attrs, NULL, temp_usage },
	{ NULL, NULL, NULL, NULL },
};
static const char *const system_usage_attrs[] = {
	"sendFailIfNoSpace", "sendFailIfNoSpaceAfterTimeout", NULL,
};
static const struct element system_usage[] = {
	{ "systemUsage", system_usage_attrs, on_system_usage, usage_children },
	{ NULL, NULL, NULL, NULL },
};

static const char *const transport_connector_attrs[] = {
	"name", "uri", "discoveryUri", "updateClusterClients", "rebalanceClusterClients",
	"updateClusterClientsOnRemove", "enableStatusMonitor", "allowLinkStealing", NULL,
};
static const struct element transport_connectors[] = {
	{ "transportConnector", transport_connector_attrs, on_transport_connector, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const char *const user_attrs[] = { "username", "password", "groups", NULL };
static const struct element users[] = {
	{ "authenticationUser", user_attrs, on_user, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element simple_auth_children[] = {
	{ "users", no_attrs, NULL, users },
	{ NULL, NULL, NULL, NULL },
};
static const char *const simple_auth_attrs[] = { "anonymousAccessAllowed", NULL };
static const char *const authz_entry_attrs[] = { "queue", "topic", "read", "write", "admin",
						 "groupClass", "tempQueue", "tempTopic", NULL };
static const struct element authz_entries[] = {
	{ "authorizationEntry", authz_entry_attrs, on_authz_entry, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element authz_single[] = {
	{ "tempDestinationAuthorizationEntry", authz_entry_attrs, on_authz_single, NULL },
	{ "authorizationEntry", authz_entry_attrs, on_authz_single, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const struct element authz_map_children[] = {
	{ "authorizationEntries", no_attrs, NULL, authz_entries },
	{ "tempDestinationAuthorizationEntry", no_attrs, NULL, authz_single },
	{ "defaultEntry", no_attrs, NULL, authz_single },
	{ NULL, NULL, NULL, NULL },
};
static const char *const authz_map_attrs[] = { "groupClass", NULL };
static const struct element authz_map[] = {
	{ "authorizationMap", authz_map_attrs, NULL, authz_map_children },
	{ NULL, NULL, NULL, NULL },
};
static const struct element authz_plugin_children[] = {
	{ "map", no_attrs, NULL, authz_map },
	{ NULL, NULL, NULL, NULL },
};
static const struct element plugins[] = {
	{ "simpleAuthenticationPlugin", simple_auth_attrs, NULL, simple_auth_children },
	{ "authorizationPlugin", no_attrs, on_authz_plugin, authz_plugin_children },
	{ NULL, NULL, NULL, NULL },
};

static const struct element broker_children[] = {
	{ "destinationPolicy", no_attrs, NULL, policy_map },
	{ "managementContext", no_attrs, NULL, management },
	{ "networkConnectors", no_attrs, NULL, network_connectors },
	{ "persistenceAdapter", no_attrs, NULL, persistence },
	{ "systemUsage", no_attrs, NULL, system_usage },
	{ "transportConnectors", no_attrs, NULL, transport_connectors },
	{ "plugins", no_attrs, NULL, plugins },
	{ NULL, NULL, NULL, NULL },
};

static const char *const broker_attrs[] = {
	"brokerName", "dataDirectory", "persistent", "useJmx", "schedulerSupport",
	"useShutdownHook", "advisorySupport", "start", "deleteAllMessagesOnStartup",
	"schedulePeriodForDestinationPurge", "offlineDurableSubscriberTimeout",
	"offlineDurableSubscriberTaskSchedule", "populateJMSXUserID", "useVirtualTopics",
	"networkConnectorStartAsync", "restartAllowed", "useAuthenticatedPrincipalForJMSXUserID",
	"tmpDataDirectory", "id", "brokerId", "cacheTempDestinations",
	"timeBeforePurgeTempDestinations", "maxPurgedDestinationsPerSweep", "enableStatistics",
	"keepDurableSubsActive", "useMirroredQueues", "useTempMirroredQueues",
	"splitSystemUsageForProducersConsumers", "producerSystemUsagePortion",
	"consumerSystemUsagePortion", "systemExitOnShutdown", "systemExitOnShutdownExitCode",
	"shutdownOnMasterFailure", "shutdownOnSlaveFailure", "waitForSlave", "waitForSlaveTimeout",
	"passiveSlave", "useLocalHostBrokerName", "dedicatedTaskRunner", "monitorConnectionSplits",
	"mbeanInvocationTimeout", "rejectDurableConsumers", "allowTempAutoCreationOnSend",
	"anonymousProducerAdvisorySupport", "populateUserNameInMBeans", "schedulerDirectory",
	"maxSchedulerRepeatAllowed", "storeOpenWireVersion", "persistenceThreadPriority",
	"useLoggingForShutdownErrors", "adjustUsageLimits", "rollbackOnlyOnAsyncException", NULL,
};

/* Elements that configure Java machinery: accepted, noted once, skipped. */
static const char *const java_only[] = {
	"shutdownHooks", "jaasAuthenticationPlugin", "jaasCertificateAuthenticationPlugin",
	"jaasDualAuthenticationPlugin", "statisticsBrokerPlugin", "loggingBrokerPlugin",
	"timeStampingBrokerPlugin", "sslContext", "ioExceptionHandler",
	/* policyEntry children choosing the JVM's cursors and dispatch objects */
	"pendingQueuePolicy", "pendingSubscriberPolicy", "pendingDurableSubscriberPolicy",
	"dispatchPolicy", "subscriptionRecoveryPolicy", "messageGroupMapFactory", NULL,
};

/* ---- the walk ---- */

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static void walk(struct loader *ld, xmlNode *parent, const struct element *table);

static void visit(struct loader *ld, xmlNode *n, const struct element *e)
{
	for (xmlAttr *a = n->properties; a; a = a->next) {
		if (a->ns && a->ns->prefix)	/* xsi:schemaLocation and the like */
			continue;
		if (!in_list(e->attrs, (const char *)a->name))
			log_warn("config", "%s:%d: unknown attribute %s on <%s>: ignored", ld->file,
				 (int)xmlGetLineNo(n), (const char *)a->name, e->name);
	}
	if (e->handle)
		e->handle(ld, n);
	if (e->children)
		walk(ld, n, e->children);
}

static void walk(struct loader *ld, xmlNode *parent, const struct element *table)
{
	for (xmlNode *n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)n->name;
		const struct element *e = table;
		while (e->name && strcmp(e->name, name))
			e++;
		if (e->name) {
			visit(ld, n, e);
		} else if (in_list(java_only, name) || !strcmp(name, "bean")) {
			char what[128];
			snprintf(what, sizeof what, "<%s>", name);
			note_java(ld, n, strcmp(name, "bean") ? name : "bean", what);
		} else {
			log_warn("config", "%s:%d: unknown element <%s> in <%s>: ignored", ld->file,
				 (int)xmlGetLineNo(n), name, (const char *)parent->name);
		}
	}
}

/* ---- files ---- */

static xmlDoc *read_xml(struct loader *ld, const char *path)
{
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING |
				  XML_PARSE_NOERROR);
	if (!doc) {
		const xmlError *err = xmlGetLastError();
		if (err && err->file)
			log_error("config", "%s:%d: not well-formed XML: %s", path, err->line,
				  err->message ? err->message : "syntax error");
		else
			log_error("config", "%s: cannot read it: %s", path,
				  err && err->message ? err->message : strerror(errno));
		ld->failed = true;
	}
	return doc;
}

/* The users of the console: a HashLoginService bean's "config" property
 * names a jetty-realm.properties file. */
static void jetty_login_service(struct loader *ld, xmlNode *b)
{
	for (xmlNode *p = b->children; p; p = p->next) {
		if (!is_element(p, "property"))
			continue;
		char *name = attr(ld, p, "name"), *value = attr(ld, p, "value");
		if (name && value && !strcmp(name, "config")) {
			free(ld->cfg->web_realm);
			ld->cfg->web_realm = value;
			value = NULL;
		}
		free(name);
		free(value);
	}
}

/* <import resource="jetty.xml"/>: only the WebConsolePort bean (host and
 * port) and the HashLoginService bean (the users' file) matter. */
static void import_jetty(struct loader *ld, xmlNode *imp, const char *dir)
{
	char *res = attr(ld, imp, "resource");
	if (!res)
		return;
	const char *r = !strncmp(res, "file:", 5) ? res + 5 : res;
	char *path = NULL;
	if (*r == '/' ? !(path = strdup(r)) : asprintf(&path, "%s/%s", dir, r) < 0) {
		free(res);
		return;
	}
	FILE *probe = fopen(path, "r");
	if (!probe) {
		log_warn("config", "%s:%d: cannot read imported %s (%s): no web console", ld->file,
			 (int)xmlGetLineNo(imp), path, strerror(errno));
		free(path);
		free(res);
		return;
	}
	fclose(probe);
	const char *outer = ld->file;
	ld->file = path;
	xmlDoc *doc = read_xml(ld, path);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	bool found = false;
	for (xmlNode *b = root ? root->children : NULL; b; b = b->next) {
		if (is_element(b, "bean") && bean_class_is(b, "HashLoginService"))
			jetty_login_service(ld, b);
		if (!is_element(b, "bean") || !bean_class_is(b, "WebConsolePort"))
			continue;
		found = true;
		for (xmlNode *p = b->children; p; p = p->next) {
			if (!is_element(p, "property"))
				continue;
			char *name = attr(ld, p, "name"), *value = attr(ld, p, "value");
			if (name && value && !strcmp(name, "host")) {
				free(ld->cfg->web_host);
				ld->cfg->web_host = value;
				value = NULL;
			} else if (name && value && !strcmp(name, "port") &&
				   config_parse_port(value, &ld->cfg->web_port) < 0) {
				bad_value(ld, p, "value", value, "a port number from 0 to 65535");
			}
			free(name);
			free(value);
		}
	}
	if (doc)
		log_info("config", "%s: %s; its other Jetty beans are Java-only: ignored", path,
			 found ? "web console host and port read from the WebConsolePort bean"
			       : "no WebConsolePort bean, so no web console");
	if (found && !ld->cfg->web_host)
		ld->cfg->web_host = strdup("0.0.0.0");
	xmlFreeDoc(doc);
	ld->file = outer;
	free(path);
	free(res);
}

static void set_default_props(struct loader *ld, const char *path)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : ".";
	const char *base = lookup(ld, "activemq.base", 13);
	char *data = NULL;
	if (!base)
		base = ".";
	set_prop(ld, "activemq.base", 13, base, strlen(base));
	set_prop(ld, "activemq.home", 13, base, strlen(base));
	set_prop(ld, "activemq.conf", 13, dir, strlen(dir));
	if (asprintf(&data, "%s/data", base) >= 0) {
		set_prop(ld, "activemq.data", 13, data, strlen(data));
		free(data);
	}
	free(copy);
}

static void set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->broker_name = strdup("localhost");
	cfg->persistent = true;
	cfg->store_limit = 100LL << 30;
	cfg->temp_limit = 50LL << 30;
	cfg->management_enabled = true;
	cfg->management_host = strdup("127.0.0.1");
	cfg->management_port = 1099;
	cfg->management_login_timeout_ms = 10000;
	cfg->management_idle_timeout_ms = 300000;
	cfg->management_login_delay_ms = 500;
	cfg->lock_acquire_sleep_ms = 10000;
	cfg->lock_keep_alive_ms = 500;
	cfg->journal_disk_syncs = true;
}

int config_load(struct config *cfg, const char *path, const struct conf_define *defs,
		size_t ndefs)
{
	struct loader ld = { .cfg = cfg, .file = path, .defs = defs, .ndefs = ndefs };
	set_defaults(cfg);
	cfg->file = strdup(path);
	xmlDoc *doc = read_xml(&ld, path);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	set_default_props(&ld, path);

	/* The placeholder beans first: their properties apply everywhere. */
	xmlNode *broker = NULL;
	if (root && is_element(root, "broker")) {
		broker = root;
	} else if (root && is_element(root, "beans")) {
		for (xmlNode *n = root->children; n; n = n->next)
			if (is_element(n, "bean") && bean_class_is(n, "PropertyPlaceholderConfigurer"))
				placeholder_bean(&ld, n);
		for (xmlNode *n = root->children; n; n = n->next) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			if (is_element(n, "broker") && !broker) {
				broker = n;
			} else if (is_element(n, "import")) {
				char *copy = strdup(path);
				if (copy)
					import_jetty(&ld, n, dirname(copy));
				free(copy);
			} else if (is_element(n, "bean")) {
				if (bean_class_is(n, "PropertyPlaceholderConfigurer"))
					continue;
				xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
				char what[160];
				snprintf(what, sizeof what, "the Spring bean %s",
					 id ? (const char *)id : "(no id)");
				note_java(&ld, n, "bean", what);
				xmlFree(id);
			} else {
				log_warn("config", "%s:%d: unknown element <%s> in <beans>: ignored",
					 path, (int)xmlGetLineNo(n), (const char *)n->name);
			}
		}
	} else if (root) {
		log_error("config", "%s:%d: the root element is <%s>, not <beans> or <broker>", path,
			  (int)xmlGetLineNo(root), (const char *)root->name);
		ld.failed = true;
	}
	if (root && !broker && !ld.failed) {
		log_error("config", "%s: there is no <broker> element", path);
		ld.failed = true;
	}
	if (broker) {
		static const struct element broker_element = {
			"broker", broker_attrs, on_broker, broker_children,
		};
		visit(&ld, broker, &broker_element);
	}
	xmlFreeDoc(doc);

	if (!cfg->data_directory) {
		const char *data = lookup(&ld, "activemq.data", 13);
		cfg->data_directory = strdup(data ? data : "activemq-data");
	}
	if (!cfg->store_directory && asprintf(&cfg->store_directory, "%s/kahadb",
					      cfg->data_directory) < 0)
		cfg->store_directory = NULL;
	/* ActiveMQ's default: <dataDirectory>/<brokerName>/tmp_storage */
	if (!cfg->temp_directory && cfg->broker_name &&
	    asprintf(&cfg->temp_directory, "%s/%s/tmp_storage", cfg->data_directory,
		     cfg->broker_name) < 0)
		cfg->temp_directory = NULL;
	for (size_t i = 0; i < ld.nprops; i++) {
		free(ld.props[i].name);
		free(ld.props[i].value);
	}
	if (!ld.failed && (!cfg->broker_name || !cfg->data_directory || !cfg->store_directory ||
			   !cfg->temp_directory ||
			   !cfg->management_host || !cfg->file)) {
		log_error("config", "%s: out of memory", path);
		ld.failed = true;
	}
	if (ld.failed) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* ---- freeing and queries ---- */

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nconnectors; i++) {
		struct conf_connector *c = &cfg->connectors[i];
		free(c->name);
		free(c->uri);
		free(c->scheme);
		free(c->host);
		free(c->discovery_uri);
		for (size_t j = 0; j < c->noptions; j++) {
			free(c->options[j].name);
			free(c->options[j].value);
		}
		free(c->options);
	}
	free(cfg->connectors);
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++)
		config_network_connector_free(&cfg->network_connectors[i]);
	free(cfg->network_connectors);
	for (size_t i = 0; i < cfg->npolicies; i++)
		free(cfg->policies[i].pattern);
	free(cfg->policies);
	for (size_t i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].username);
		free(cfg->users[i].password);
		free(cfg->users[i].groups);
	}
	free(cfg->users);
	for (size_t i = 0; i < cfg->nauthz; i++)
		config_authz_entry_free(&cfg->authz[i]);
	free(cfg->authz);
	config_authz_entry_free(cfg->authz_temp);
	free(cfg->authz_temp);
	config_authz_entry_free(cfg->authz_default);
	free(cfg->authz_default);
	free(cfg->file);
	free(cfg->broker_name);
	free(cfg->data_directory);
	free(cfg->store_directory);
	free(cfg->temp_directory);
	free(cfg->management_host);
	free(cfg->management_socket);
	free(cfg->web_host);
	free(cfg->web_realm);
	memset(cfg, 0, sizeof *cfg);
}

void config_authz_entry_free(struct conf_authz_entry *e)
{
	if (!e)
		return;
	free(e->pattern);
	free(e->read);
	free(e->write);
	free(e->admin);
}

void config_network_connector_free(struct conf_network_connector *nc)
{
	if (!nc)
		return;
	free(nc->name);
	free(nc->uri);
	free(nc->user_name);
	free(nc->password);
	struct conf_dest_filters *lists[] = { &nc->excluded, &nc->dynamically_included,
					      &nc->statically_included };
	for (size_t k = 0; k < 3; k++) {
		for (size_t j = 0; j < lists[k]->n; j++)
			free(lists[k]->v[j].pattern);
		free(lists[k]->v);
	}
}

bool config_dest_filtered(const struct conf_dest_filters *f, bool topic, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].topic == topic && dest_match(f->v[i].pattern, name))
			return true;
	return false;
}

const struct conf_policy *config_policy_for(const struct config *cfg, bool topic,
					    const char *name)
{
	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct conf_policy *p = &cfg->policies[i];
		if (p->topic == topic && p->pattern && dest_match(p->pattern, name))
			return p;
	}
	return NULL;
}
