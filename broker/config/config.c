/*
 * config.c - loads ActiveMQ's broker XML into struct config (contract in
 * config.h).
 *
 * The document is walked with tables: each known element has the rows of
 * its attributes (config_attr.h; most are in config_schema.c), where they
 * go (`open`), a handler for what rows cannot say, and the table of its
 * children. visit() reads a row's value by its type into its field;
 * attributes ActiveMQ has and Tandem does not implement are noted once at
 * INFO and kept for --check. Anything not in a table is either Java-only
 * (noted once, at INFO) or unknown (a WARN with file and line). Invalid
 * values go through bad_value(), which logs file, line and what was
 * expected and makes the load fail; the walk goes on, so one run shows
 * every error.
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
#include "config_attr.h"
#include "discovery_wire.h"
#include "log.h"
#include "wildcard.h"

#define MAX_PROPS 256
#define MAX_NOTED 64
#define MAX_SAID 256

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
	struct {			/* not implemented attributes already reported */
		const struct conf_attr *row;
		const char *name;	/* what a prefix row matched */
	} said[MAX_SAID];
	size_t nsaid;
	bool failed;
};

/* One element the loader understands. Its attributes are rows
 * (config_attr.h): visit() warns about any other, notes the not
 * implemented ones, and reads the CONF_FIELD ones into what `open`
 * returns; then `handle` reads and checks the rest. */
struct element {
	const char *name;
	const struct conf_attr *attrs;
	void (*handle)(struct loader *ld, xmlNode *node);
	const struct element *children;	/* NULL: its children are not looked at */
	/* The struct its CONF_FIELD rows are in, with their defaults set;
	 * NULL (logged) when there is none. */
	void *(*open)(struct loader *ld, xmlNode *node);
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

/* The array v of n entries of `size` bytes with room for one more,
 * zeroed; NULL (the load failed, v untouched) when memory is short. */
static void *grow(struct loader *ld, void *v, size_t n, size_t size)
{
	char *bigger = realloc(v, (n + 1) * size);
	if (!bigger) {
		log_error("config", "%s: out of memory", ld->file);
		ld->failed = true;
		return NULL;
	}
	memset(bigger + n * size, 0, size);
	return bigger;
}

/* An attribute or URI option that is ActiveMQ's and not implemented here:
 * said once per name, at INFO like Java-only elements (a file written for
 * ActiveMQ is not wrong to have it), and kept for --check wherever it is
 * used. The value is kept as written: it is never read, so an undefined
 * ${name} in it is no error, as before it had a row. */
static void not_implemented(struct loader *ld, xmlNode *n, const char *element, bool option,
			    const struct conf_attr *row, const char *name, const char *value)
{
	struct config *cfg = ld->cfg;
	struct conf_not_implemented *v = grow(ld, cfg->not_implemented, cfg->nnot_implemented,
					      sizeof *v);
	if (!v)
		return;
	cfg->not_implemented = v;
	v = &v[cfg->nnot_implemented];
	*v = (struct conf_not_implemented){ element, option, strdup(name), strdup(value),
					    (int)xmlGetLineNo(n) };
	if (!v->name || !v->value) {
		free(v->name);
		free(v->value);
		log_error("config", "%s: out of memory", ld->file);
		ld->failed = true;
		return;
	}
	cfg->nnot_implemented++;
	for (size_t i = 0; i < ld->nsaid; i++)
		if (ld->said[i].row == row && !strcmp(ld->said[i].name, name))
			return;
	if (ld->nsaid < MAX_SAID) {
		ld->said[ld->nsaid].row = row;
		ld->said[ld->nsaid++].name = v->name;
	}
	log_info("config", "%s:%d: %s %s on <%s> is accepted but not implemented: ignored",
		 ld->file, v->line, option ? "URI option" : "attribute", name, element);
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

static void *open_jdbc(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	if (cfg->jdbc) {
		log_error("config", "%s:%d: a second <jdbcPersistenceAdapter>: a broker has one "
			  "store", ld->file, (int)xmlGetLineNo(n));
		ld->failed = true;
		return NULL;
	}
	cfg->jdbc = calloc(1, sizeof *cfg->jdbc);
	if (!cfg->jdbc) {
		log_error("config", "%s: out of memory", ld->file);
		ld->failed = true;
		return NULL;
	}
	conf_attr_defaults(jdbc_rows, cfg->jdbc);
	conf_attr_defaults(lease_locker_rows, cfg->jdbc);
	cfg->jdbc->line = (int)xmlGetLineNo(n);
	return cfg->jdbc;
}

/* The lease-database-locker's attributes are the adapter's. */
static void *open_last_jdbc(struct loader *ld, xmlNode *n)
{
	(void)n;
	return ld->cfg->jdbc;
}

/* The Spring bean of the document whose id is `id`, or NULL. */
static xmlNode *find_bean(xmlNode *anywhere, const char *id)
{
	xmlNode *root = xmlDocGetRootElement(anywhere->doc);
	for (xmlNode *b = root ? root->children : NULL; b; b = b->next) {
		if (b->type != XML_ELEMENT_NODE || strcmp((const char *)b->name, "bean"))
			continue;
		xmlChar *bid = xmlGetProp(b, (const xmlChar *)"id");
		bool yes = bid && !strcmp((const char *)bid, id);
		xmlFree(bid);
		if (yes)
			return b;
	}
	return NULL;
}

/* <property name="x" value="..."/> or <property name="x"><value>...</value>. */
static char *property_value(struct loader *ld, xmlNode *p)
{
	char *v = attr(ld, p, "value");
	for (xmlNode *c = p->children; !v && c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "value"))
			continue;
		xmlChar *text = xmlNodeGetContent(c);
		v = text ? substitute(ld, c, "<value>", (const char *)text) : NULL;
		xmlFree(text);
	}
	return v;
}

/* The data source bean's properties into cfg->jdbc, by config_jdbc_set(). */
static void read_data_source(struct loader *ld, xmlNode *bean, const char *id, bool dbcp)
{
	struct conf_jdbc *j = ld->cfg->jdbc;
	for (xmlNode *p = bean->children; p; p = p->next) {
		if (!is_element(p, "property"))
			continue;
		char *name = attr(ld, p, "name"), *value = property_value(ld, p), why[160];
		int line = (int)xmlGetLineNo(p);
		if (!name || !value) {
			log_error("config", "%s:%d: <property> of the data source bean %s needs a "
				  "name and a value", ld->file, line, id);
			ld->failed = true;
		} else if (config_jdbc_set(j, dbcp, name, value, why, sizeof why) < 0) {
			/* never the value: it may be, or hold, the password */
			log_error("config", "%s:%d: invalid property %s of the data source bean %s: "
				  "expected %s", ld->file, line, name, id, why);
			ld->failed = true;
		}
		free(name);
		free(value);
	}
}

static void on_jdbc(struct loader *ld, xmlNode *n)
{
	struct conf_jdbc *j = ld->cfg->jdbc;
	j->data_source = attr(ld, n, "dataSource");
	const char *ds = j->data_source;
	xmlNode *bean = ds && ds[0] == '#' ? find_bean(n, ds + 1) : NULL;
	if (!ds || ds[0] != '#') {
		bad_value(ld, n, "dataSource", ds ? ds : "",
			  "#id, the id of a data source <bean> in <beans>");
		return;
	}
	if (!bean) {
		log_error("config", "%s:%d: <jdbcPersistenceAdapter> dataSource=\"%s\": there is no "
			  "<bean id=\"%s\"> in <beans>", ld->file, j->line, ds, ds + 1);
		ld->failed = true;
		return;
	}
	bool dbcp = bean_class_is(bean, ".BasicDataSource");
	if (!dbcp && !bean_class_is(bean, "org.postgresql.ds.PGPoolingDataSource") &&
	    !bean_class_is(bean, "org.postgresql.ds.PGSimpleDataSource")) {
		log_error("config", "%s:%d: the data source bean %s: expected the class "
			  "org.postgresql.ds.PGPoolingDataSource, org.postgresql.ds.PGSimpleDataSource "
			  "or org.apache.commons.dbcp2.BasicDataSource", ld->file,
			  (int)xmlGetLineNo(bean), ds + 1);
		ld->failed = true;
		return;
	}
	read_data_source(ld, bean, ds + 1, dbcp);
	if (!j->user) {
		log_error("config", "%s:%d: the data source bean %s names no database user (%s)",
			  ld->file, (int)xmlGetLineNo(bean), ds + 1,
			  dbcp ? "property username, or user= in its url" : "property user");
		ld->failed = true;
	}
}

static const struct conf_attr no_attrs[] = {
	ATTR_END,
};

/* Elements whose attributes are fields of struct config itself. */
static void *open_config(struct loader *ld, xmlNode *n)
{
	(void)n;
	return ld->cfg;
}

static void *open_policy_entry(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_policy *p = grow(ld, cfg->policies, cfg->npolicies, sizeof *p);
	if (!p)
		return NULL;
	cfg->policies = p;
	p = &p[cfg->npolicies++];
	conf_attr_defaults(policy_entry_rows, p);
	conf_attr_defaults(pending_limit_rows, p);
	conf_attr_defaults(bridge_filter_rows, p);
	p->line = (int)xmlGetLineNo(n);
	return p;
}

/* The children of a policyEntry set fields of it. */
static void *open_last_policy(struct loader *ld, xmlNode *n)
{
	(void)n;
	struct config *cfg = ld->cfg;
	return cfg->npolicies ? &cfg->policies[cfg->npolicies - 1] : NULL;
}

static void on_policy_entry(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_policy *p = &cfg->policies[cfg->npolicies - 1];
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
}

static void *open_network_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_network_connector *nc = grow(ld, cfg->network_connectors,
						 cfg->nnetwork_connectors, sizeof *nc);
	if (!nc)
		return NULL;
	cfg->network_connectors = nc;
	nc = &nc[cfg->nnetwork_connectors++];
	conf_attr_defaults(network_connector_rows, nc);
	nc->line = (int)xmlGetLineNo(n);
	return nc;
}

static void on_network_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_network_connector *nc = &cfg->network_connectors[cfg->nnetwork_connectors - 1];
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
}

static void *open_jolokia_neighbour(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_jolokia_neighbour *j = grow(ld, cfg->jolokia_neighbours,
						cfg->njolokia_neighbours, sizeof *j);
	if (!j)
		return NULL;
	cfg->jolokia_neighbours = j;
	j = &j[cfg->njolokia_neighbours++];
	conf_attr_defaults(jolokia_neighbour_rows, j);
	j->line = (int)xmlGetLineNo(n);
	return j;
}

static void on_jolokia_neighbour(struct loader *ld, xmlNode *n)
{
	const struct conf_jolokia_neighbour *j =
		&ld->cfg->jolokia_neighbours[ld->cfg->njolokia_neighbours - 1];
	if (!j->broker_name || !*j->broker_name)
		bad_value(ld, n, "brokerName", j->broker_name ? j->broker_name : "",
			  "the neighbour's broker name");
	/* A login goes in userName and password, never printed; the url is
	 * shown by --check and management. */
	const char *host = j->url ? strstr(j->url, "://") : NULL;
	if (!host || (strncmp(j->url, "http://", 7) && strncmp(j->url, "https://", 8)))
		bad_value(ld, n, "url", j->url ? j->url : "",
			  "http://HOST:PORT/api/jolokia (or https://)");
	else if (memchr(host + 3, '@', strcspn(host + 3, "/?#")))
		bad_value(ld, n, "url", "(a url with a login, not shown)",
			  "a url without USER:PASSWORD@: give them as userName and password");
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

static void *open_transport_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_connector *c = grow(ld, cfg->connectors, cfg->nconnectors, sizeof *c);
	if (!c)
		return NULL;
	cfg->connectors = c;
	c = &c[cfg->nconnectors++];
	conf_attr_defaults(transport_connector_rows, c);
	conf_attr_defaults(connector_option_rows, c);
	c->line = (int)xmlGetLineNo(n);
	return c;
}

/* One ?name=value of a connector's uri, by its row. */
static void connector_option(struct loader *ld, xmlNode *n, struct conf_connector *c,
			     const struct conf_option *o)
{
	const struct conf_attr *row = conf_attr_find(connector_option_rows, o->name);
	char expected[96], why[160];
	if (!row) {
		log_warn("config", "%s:%d: connector %s: unknown option %s in its URI: ignored",
			 ld->file, c->line, c->name, o->name);
	} else if (row->kind == CONF_NOT_IMPLEMENTED) {
		not_implemented(ld, n, "transportConnector", true, row, o->name, o->value);
	} else if (conf_attr_set(row, c, o->value, expected, sizeof expected) < 0) {
		snprintf(why, sizeof why, "%s to be %s", o->name, expected);
		bad_value(ld, n, "uri", c->uri, why);
	}
}

static void on_transport_connector(struct loader *ld, xmlNode *n)
{
	struct config *cfg = ld->cfg;
	struct conf_connector *c = &cfg->connectors[cfg->nconnectors - 1];
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
	if (!c->name)
		c->name = strdup(c->scheme);
	for (size_t i = 0; i < c->noptions; i++)
		connector_option(ld, n, c, &c->options[i]);
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

static const struct conf_attr destination_attrs[] = {
	ATTR_HANDLED("physicalName"), ATTR_END,
};
static const struct element destination_list[] = {
	{ "queue", destination_attrs, on_network_destination, NULL, NULL },
	{ "topic", destination_attrs, on_network_destination, NULL, NULL },
	{ "tempQueue", no_attrs, NULL, NULL, NULL },
	{ "tempTopic", no_attrs, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element network_connector_children[] = {
	{ "excludedDestinations", no_attrs, NULL, destination_list, NULL },
	{ "dynamicallyIncludedDestinations", no_attrs, NULL, destination_list, NULL },
	{ "staticallyIncludedDestinations", no_attrs, NULL, destination_list, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element network_connectors[] = {
	{ "networkConnector", network_connector_rows, on_network_connector,
	  network_connector_children, open_network_connector },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element pending_strategies[] = {
	{ "constantPendingMessageLimitStrategy", pending_limit_rows, NULL, NULL, open_last_policy },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element bridge_filter_factories[] = {
	{ "conditionalNetworkBridgeFilterFactory", bridge_filter_rows, NULL, NULL,
	  open_last_policy },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element policy_entry_children[] = {
	{ "pendingMessageLimitStrategy", no_attrs, NULL, pending_strategies, NULL },
	{ "networkBridgeFilterFactory", no_attrs, NULL, bridge_filter_factories, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element policy_entries[] = {
	{ "policyEntry", policy_entry_rows, on_policy_entry, policy_entry_children,
	  open_policy_entry },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element policy_map_children[] = {
	{ "policyEntries", no_attrs, NULL, policy_entries, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element policy_map[] = {
	{ "policyMap", no_attrs, NULL, policy_map_children, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element management[] = {
	{ "managementContext", management_rows, NULL, NULL, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element lockers[] = {
	{ "shared-file-locker", locker_rows, NULL, NULL, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element kahadb_children[] = {
	{ "locker", no_attrs, NULL, lockers, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element lease_lockers[] = {
	{ "lease-database-locker", lease_locker_rows, NULL, NULL, open_last_jdbc },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element jdbc_children[] = {
	{ "locker", no_attrs, NULL, lease_lockers, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element persistence[] = {
	{ "kahaDB", kahadb_rows, NULL, kahadb_children, open_config },
	{ "jdbcPersistenceAdapter", jdbc_rows, on_jdbc, jdbc_children, open_jdbc },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ActiveMQ's schema allows one adapter here (Spring refuses a second);
 * taking either silently would serve a store the operator did not mean. */
static void on_persistence_adapter(struct loader *ld, xmlNode *n)
{
	const xmlNode *first = NULL;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!first) {
			first = c;
			continue;
		}
		log_error("config", "%s:%d: <persistenceAdapter> holds <%s> and <%s>: a broker has "
			  "one store, keep one of them", ld->file, (int)xmlGetLineNo(n),
			  (const char *)first->name, (const char *)c->name);
		ld->failed = true;
		return;
	}
}

static const struct element memory_usage[] = {
	{ "memoryUsage", memory_usage_rows, NULL, NULL, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element store_usage[] = {
	{ "storeUsage", store_usage_rows, check_percent_limit, NULL, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element temp_usage[] = {
	{ "tempUsage", temp_usage_rows, check_percent_limit, NULL, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element usage_children[] = {
	{ "memoryUsage", no_attrs, NULL, memory_usage, NULL },
	{ "storeUsage", no_attrs, NULL, store_usage, NULL },
	{ "tempUsage", no_attrs, NULL, temp_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element system_usage[] = {
	{ "systemUsage", system_usage_rows, NULL, usage_children, open_config },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element transport_connectors[] = {
	{ "transportConnector", transport_connector_rows, on_transport_connector, NULL,
	  open_transport_connector },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element users[] = {
	{ "authenticationUser", user_rows, on_user, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element simple_auth_children[] = {
	{ "users", no_attrs, NULL, users, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element authz_entries[] = {
	{ "authorizationEntry", authz_entry_rows, on_authz_entry, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element authz_single[] = {
	{ "tempDestinationAuthorizationEntry", authz_entry_rows, on_authz_single, NULL, NULL },
	{ "authorizationEntry", authz_entry_rows, on_authz_single, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element authz_map_children[] = {
	{ "authorizationEntries", no_attrs, NULL, authz_entries, NULL },
	{ "tempDestinationAuthorizationEntry", no_attrs, NULL, authz_single, NULL },
	{ "defaultEntry", no_attrs, NULL, authz_single, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element authz_map[] = {
	{ "authorizationMap", authz_map_rows, NULL, authz_map_children, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element authz_plugin_children[] = {
	{ "map", no_attrs, NULL, authz_map, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
static const struct element plugins[] = {
	{ "simpleAuthenticationPlugin", simple_auth_rows, NULL, simple_auth_children, NULL },
	{ "authorizationPlugin", no_attrs, on_authz_plugin, authz_plugin_children, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Tandem's own settings, in <?tandem ...?> (tandem_pi). */
static const struct element tandem_elements[] = {
	{ "jolokiaNeighbour", jolokia_neighbour_rows, on_jolokia_neighbour, NULL,
	  open_jolokia_neighbour },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct element broker_children[] = {
	{ "destinationPolicy", no_attrs, NULL, policy_map, NULL },
	{ "managementContext", no_attrs, NULL, management, NULL },
	{ "networkConnectors", no_attrs, NULL, network_connectors, NULL },
	{ "persistenceAdapter", no_attrs, on_persistence_adapter, persistence, NULL },
	{ "systemUsage", no_attrs, NULL, system_usage, NULL },
	{ "transportConnectors", no_attrs, NULL, transport_connectors, NULL },
	{ "plugins", no_attrs, NULL, plugins, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
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

/* The CONF_FIELD rows' attributes of n into obj; an absent one whose
 * default is another row's takes that row's value. */
static void read_fields(struct loader *ld, xmlNode *n, const struct conf_attr *rows, void *obj)
{
	for (const struct conf_attr *r = rows; r->name; r++) {
		if (r->kind != CONF_FIELD)
			continue;
		char *v = attr(ld, n, r->name), expected[96];
		if (!v)
			conf_attr_inherit(rows, r, obj);
		else if (conf_attr_set(r, obj, v, expected, sizeof expected) < 0)
			bad_value(ld, n, r->name, v, expected);
		free(v);
	}
}

static void visit(struct loader *ld, xmlNode *n, const struct element *e)
{
	for (xmlAttr *a = n->properties; a; a = a->next) {
		if (a->ns && a->ns->prefix)	/* xsi:schemaLocation and the like */
			continue;
		const char *name = (const char *)a->name;
		const struct conf_attr *row = conf_attr_find(e->attrs, name);
		if (!row) {
			log_warn("config", "%s:%d: unknown attribute %s on <%s>: ignored", ld->file,
				 (int)xmlGetLineNo(n), name, e->name);
		} else if (row->kind == CONF_NOT_IMPLEMENTED) {
			xmlChar *v = xmlGetProp(n, a->name);
			not_implemented(ld, n, e->name, false, row, name, v ? (const char *)v : "");
			xmlFree(v);
		}
	}
	void *obj = e->open ? e->open(ld, n) : NULL;
	if (e->open && !obj)
		return;
	if (obj)
		read_fields(ld, n, e->attrs, obj);
	if (e->handle)
		e->handle(ld, n);
	if (e->children)
		walk(ld, n, e->children);
}

/* <?tandem NAME attr="value" ...?>: a setting of Tandem's own, in a
 * processing instruction because ActiveMQ skips those: the file still
 * loads in ActiveMQ (an element or attribute it does not know stops it).
 * The text is read by libxml2 as the element <NAME attr="value" .../>,
 * then visited as any element, at the instruction's line. */
static void tandem_pi(struct loader *ld, xmlNode *pi)
{
	const char *content = pi->content ? (const char *)pi->content : "";
	char *text = NULL;
	if (asprintf(&text, "<%s/>", content) < 0) {
		ld->failed = true;
		return;
	}
	xmlDoc *doc = xmlReadMemory(text, (int)strlen(text), NULL, NULL, XML_PARSE_NONET |
				    XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	free(text);
	xmlNode *n = doc ? xmlDocGetRootElement(doc) : NULL;
	const struct element *e = tandem_elements;
	while (n && e->name && strcmp(e->name, (const char *)n->name))
		e++;
	/* libxml2 gives the line the instruction ends on: its first is told. */
	long line = xmlGetLineNo(pi);
	for (const char *p = strchr(content, '\n'); p && line > 1; p = strchr(p + 1, '\n'))
		line--;
	if (!n) {
		log_error("config", "%s:%ld: <?tandem ...?> is not NAME attribute=\"value\" ...",
			  ld->file, line);
		ld->failed = true;
	} else if (!e->name) {
		log_warn("config", "%s:%ld: unknown setting <?tandem %s?>: ignored", ld->file, line,
			 (const char *)n->name);
	} else {
		n->line = line > 0 && line < 65535 ? (unsigned short)line : 65535;
		visit(ld, n, e);
	}
	xmlFreeDoc(doc);
}

static void walk(struct loader *ld, xmlNode *parent, const struct element *table)
{
	for (xmlNode *n = parent->children; n; n = n->next) {
		if (n->type == XML_PI_NODE && !strcmp((const char *)n->name, "tandem"))
			tandem_pi(ld, n);
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
	static const struct conf_attr *const tables[] = {
		broker_rows, kahadb_rows, locker_rows, management_rows, system_usage_rows,
		memory_usage_rows, store_usage_rows, temp_usage_rows,
	};
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		conf_attr_defaults(tables[i], cfg);
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
				/* the data source is read with <jdbcPersistenceAdapter> */
				if (bean_class_is(n, "PropertyPlaceholderConfigurer") ||
				    bean_class_is(n, "DataSource"))
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
			"broker", broker_rows, NULL, broker_children, open_config,
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
	/* ActiveMQ's leaseHolderId defaults to the broker's name. */
	if (cfg->jdbc && !cfg->jdbc->lease_holder_id && cfg->broker_name)
		cfg->jdbc->lease_holder_id = strdup(cfg->broker_name);
	if (cfg->jdbc && !cfg->jdbc->table_prefix)
		cfg->jdbc->table_prefix = strdup("");
	for (size_t i = 0; i < ld.nprops; i++) {
		free(ld.props[i].name);
		free(ld.props[i].value);
	}
	if (!ld.failed && (!cfg->broker_name || !cfg->data_directory || !cfg->store_directory ||
			   !cfg->temp_directory ||
			   (cfg->jdbc && (!cfg->jdbc->lease_holder_id || !cfg->jdbc->table_prefix)) ||
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
	for (size_t i = 0; i < cfg->njolokia_neighbours; i++) {
		struct conf_jolokia_neighbour *j = &cfg->jolokia_neighbours[i];
		free(j->broker_name);
		free(j->url);
		free(j->user_name);
		free(j->password);
	}
	free(cfg->jolokia_neighbours);
	for (size_t i = 0; i < cfg->npolicies; i++)
		free(cfg->policies[i].pattern);
	free(cfg->policies);
	for (size_t i = 0; i < cfg->nnot_implemented; i++) {
		free(cfg->not_implemented[i].name);
		free(cfg->not_implemented[i].value);
	}
	free(cfg->not_implemented);
	config_jdbc_free(cfg->jdbc);
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
