/*
 * ctl_query.c - `tandemctl query`: objects and their attributes, as
 * ActiveMQ's `activemq query` shows them.
 *
 *   query [-QQueue=PATTERN|-QTopic=PATTERN|-QBroker=PATTERN]...
 *         [--objname NAME]... [-xQTYPE=PATTERN]... [--xobjname NAME]... [--view A,B]
 *
 * Each -Q and --objname is one pattern read; each -xQ and --xobjname one
 * search whose names are left out (the node matches the patterns, so
 * excluding reads a pattern exactly as including does); all go as one
 * bulk request. A table
 * has a row per attribute (NODE OBJECT ATTRIBUTE VALUE), or with --view a
 * row per object and a column per viewed attribute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_option options[] = {
	{ "Q", true, "TYPE=PATTERN", "objects to show: -QQueue=PATTERN, -QTopic=PATTERN or -QBroker=PATTERN (repeatable; * and ? wildcards)" },
	{ "objname", true, "NAME", "objects whose name matches the object name pattern NAME (the domain org.apache.activemq: may go without saying; repeatable)" },
	{ "x", true, "QTYPE=PATTERN", "leave out the objects that -QTYPE=PATTERN would select: -xQQueue=ActiveMQ.* (repeatable)" },
	{ "xobjname", true, "NAME", "leave out the objects whose name matches NAME (repeatable)" },
	{ "view", true, "ATTR,...", "only these attributes, one column each" },
	{ NULL, false, NULL, NULL },
};

struct query {
	char **mbeans;		/* the patterns to read: one per -Q or --objname */
	size_t nmbeans;
	char **excludes;	/* the patterns to leave out: -xQ, --xobjname */
	size_t nexcludes;
	char **view;		/* --view split, NULL-terminated; NULL: all */
	size_t nview;
	struct ctl_table table;
};

/* -QQueue=P and friends as an object name pattern (malloc'ed), or NULL. */
static char *pattern_mbean(const char *q)
{
	static const struct { const char *type, *fmt; } kinds[] = {
		{ "Queue=", MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=Queue,destinationName=%s" },
		{ "Topic=", MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=Topic,destinationName=%s" },
		{ "Broker=", MGMT_DOMAIN ":type=Broker,brokerName=%s" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t len = strlen(kinds[i].type);
		char *s;
		if (!strncmp(q, kinds[i].type, len))
			return asprintf(&s, kinds[i].fmt, q + len) < 0 ? NULL : s;
	}
	return NULL;
}

/* --objname NAME as a full object name pattern (malloc'ed): ActiveMQ's
 * query takes "type=Broker,..." for "org.apache.activemq:type=Broker,...". */
static char *objname_mbean(const char *name)
{
	char *s;
	if (strchr(name, ':'))
		return strdup(name);
	return asprintf(&s, MGMT_DOMAIN ":%s", name) < 0 ? NULL : s;
}

/* The reads, then the searches of what to leave out. */
static json_t *requests(const struct query *q)
{
	json_t *reqs = json_array();
	for (size_t i = 0; i < q->nmbeans; i++)
		json_array_append_new(reqs, ctl_read_request(q->mbeans[i],
							     (const char *const *)q->view, NULL));
	for (size_t i = 0; i < q->nexcludes; i++)
		json_array_append_new(reqs, mgmt_request("search", q->excludes[i]));
	return reqs;
}

/* The names the exclusion searches found, as an object's keys (a new
 * reference). A search that found nothing answers an empty list. */
static json_t *excluded_names(json_t *resps, size_t from)
{
	json_t *names = json_object(), *found, *name;
	for (size_t i = from; i < json_array_size(resps); i++) {
		found = json_object_get(json_array_get(resps, i), "value");
		size_t k;
		json_array_foreach(found, k, name)
			if (json_is_string(name))
				json_object_set(names, json_string_value(name), json_true());
	}
	return names;
}

/* A read of a name that is no pattern answers with the attributes alone:
 * made into the shape of a pattern read, {name: attributes}. */
static json_t *as_matches(json_t *value, const char *mbean)
{
	if (strpbrk(mbean, "*?") || !json_object_size(value))
		return value;
	json_t *wrapped = json_pack("{s:o}", mbean, value);
	return wrapped ? wrapped : json_object();
}

/* The name as shown in tables: the domain goes without saying. */
static const char *short_name(const char *mbean)
{
	size_t len = strlen(MGMT_DOMAIN ":");
	return strncmp(mbean, MGMT_DOMAIN ":", len) ? mbean : mbean + len;
}

static void add_object(struct query *q, bool json, const char *node, const char *mbean,
		       json_t *attrs)
{
	const char *name;
	json_t *value;
	if (json) {
		ctl_table_add(&q->table, json_pack("{s:s, s:s, s:O}", "node", node, "mbean", mbean,
						   "attributes", attrs));
	} else if (q->view) {
		json_t *row = json_pack("{s:s, s:s}", "node", node, "object", short_name(mbean));
		if (row)
			json_object_update(row, attrs);
		ctl_table_add(&q->table, row);
	} else {
		json_object_foreach(attrs, name, value)
			ctl_table_add(&q->table, json_pack("{s:s, s:s, s:s, s:O}", "node", node,
							   "object", short_name(mbean), "attribute", name,
							   "value", value));
	}
}

static void query_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct query *q = arg;
	json_t *resps;
	if (ctl_bulk_take(ctl, n, requests(q), &resps))
		return;
	json_t *left_out = excluded_names(resps, q->nmbeans);
	for (size_t i = 0; i < q->nmbeans; i++) {
		json_t *objects = as_matches(ctl_matched(ctl, n, json_array_get(resps, i)),
					     q->mbeans[i]);
		const char *mbean;
		json_t *attrs;
		json_object_foreach(objects, mbean, attrs)
			if (!json_object_get(left_out, mbean))
				add_object(q, ctl->json, n->addr, mbean, attrs);
		json_decref(objects);
	}
	json_decref(left_out);
	json_decref(resps);
}

/* --view "A,B" as a NULL-terminated list of names. */
static char **split_view(const char *view, size_t *n)
{
	char *copy = strdup(view), *save = NULL;
	char **list = calloc(strlen(view) / 2 + 2, sizeof *list);
	*n = 0;
	for (char *tok = copy && list ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save))
		list[(*n)++] = strdup(tok);
	free(copy);
	return list;
}

/* Columns: NODE OBJECT, then the viewed attributes or ATTRIBUTE VALUE. */
static struct ctl_column *columns(const struct query *q, size_t *ncols)
{
	struct ctl_column *cols = calloc(q->nview + 4, sizeof *cols);
	if (!cols)
		return NULL;
	cols[0] = (struct ctl_column){ "node", "NODE", false, 0 };
	cols[1] = (struct ctl_column){ "object", "OBJECT", false, 0 };
	cols[2] = (struct ctl_column){ "attribute", "ATTRIBUTE", false, 0 };
	cols[3] = (struct ctl_column){ "value", "VALUE", false, 0 };
	for (size_t i = 0; q->view && i < q->nview; i++)
		cols[2 + i] = (struct ctl_column){ q->view[i], q->view[i], false, 0 };
	*ncols = q->view ? 2 + q->nview : 4;
	return cols;
}

/* The -Q and --objname options as object name patterns; without any,
 * every object of the broker (every object's name carries
 * type=Broker,brokerName=B). */
static int parse_patterns(struct ctl_args *a, struct query *q)
{
	const char **qs, **objs;
	size_t n = ctl_opt_all(a, "Q", &qs), nobj = ctl_opt_all(a, "objname", &objs);
	q->mbeans = calloc(n + nobj + 1, sizeof *q->mbeans);
	if (!q->mbeans)
		return -1;
	if (!n && !nobj)
		q->mbeans[q->nmbeans++] = strdup(MGMT_DOMAIN ":type=Broker,brokerName=*,*");
	for (size_t i = 0; i < n; i++)
		if (!(q->mbeans[q->nmbeans++] = pattern_mbean(qs[i])))
			return ctl_usage(a, "-Q%s: expected -QQueue=, -QTopic= or -QBroker=PATTERN", qs[i]);
	for (size_t i = 0; i < nobj; i++)
		if (!(q->mbeans[q->nmbeans++] = objname_mbean(objs[i])))
			return -1;
	return 0;
}

/* -xQTYPE=PATTERN (getopt sees -x with the value "QTYPE=PATTERN") and
 * --xobjname NAME, as the object name patterns to leave out. */
static int parse_excludes(struct ctl_args *a, struct query *q)
{
	const char **xs, **objs;
	size_t n = ctl_opt_all(a, "x", &xs), nobj = ctl_opt_all(a, "xobjname", &objs);
	q->excludes = calloc(n + nobj + 1, sizeof *q->excludes);
	if (!q->excludes)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (xs[i][0] != 'Q' || !(q->excludes[q->nexcludes++] = pattern_mbean(xs[i] + 1)))
			return ctl_usage(a, "-x%s: expected -xQQueue=, -xQTopic= or -xQBroker=PATTERN",
					 xs[i]);
	for (size_t i = 0; i < nobj; i++)
		if (!(q->excludes[q->nexcludes++] = objname_mbean(objs[i])))
			return -1;
	return 0;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

static int run(struct ctl *ctl, struct ctl_args *a)
{
	struct query q = { 0 };
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	if (parse_patterns(a, &q) < 0 || parse_excludes(a, &q) < 0) {
		free_list(q.mbeans, q.nmbeans);
		free_list(q.excludes, q.nexcludes);
		return -1;
	}
	if (ctl_opt(a, "view"))
		q.view = split_view(ctl_opt(a, "view"), &q.nview);
	size_t ncols = 0;
	struct ctl_column *cols = columns(&q, &ncols);
	ctl_each_node_table(ctl, &q.table, cols, ncols, query_node, &q);
	free(cols);
	free_list(q.view, q.nview);
	free_list(q.mbeans, q.nmbeans);
	free_list(q.excludes, q.nexcludes);
	return 0;
}

const struct ctl_command ctl_cmd_query = {
	"query", run, "[-QQueue=PATTERN|-QTopic=PATTERN|-QBroker=PATTERN]... [--objname NAME]... "
	"[-xQTYPE=PATTERN]... [--xobjname NAME]... [--view ATTR,...]",
	"objects and their attributes (every object of the broker without -Q)", options,
	CTL_SLAVE_SAID,
};
