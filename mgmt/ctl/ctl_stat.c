/*
 * ctl_stat.c - summaries: `bstat` (a row per broker), `dstat` (a row per
 * destination) and `list` (the destinations' names).
 *
 * Rows are the objects' attributes as the node sent them, plus the node
 * and a few derived members (role, type); the table picks its columns by
 * attribute name, and --json shows the same rows whole. dstat reads
 * every destination in the node's pages (the client library follows
 * them; a node sorts no more than a bounded number of objects, so that no
 * request pauses it), then sorts and cuts --offset and --limit itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"

#define QUEUES MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=Queue,destinationName=*"
#define TOPICS MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=Topic,destinationName=*"
#define NCOLS(c) (sizeof (c) / sizeof (c)[0])

/* ---- bstat ---- */

static const char *const broker_attrs[] = {
	"BrokerName", "Slave", "Uptime", "UptimeMillis", "CurrentConnectionsCount",
	"QueueCount", "TopicCount", "TotalEnqueueCount", "TotalDequeueCount",
	"MemoryPercentUsage", "StorePercentUsage", "TempPercentUsage", NULL,
};

static const struct ctl_column broker_cols[] = {
	{ "node", "NODE", false, 0 }, { "BrokerName", "NAME", false, 0 },
	{ "role", "ROLE", false, 0 }, { "uptime", "UPTIME", true, 0 },
	{ "CurrentConnectionsCount", "CONNS", true, 0 }, { "QueueCount", "QUEUES", true, 0 },
	{ "TopicCount", "TOPICS", true, 0 }, { "TotalEnqueueCount", "ENQUEUED", true, 0 },
	{ "TotalDequeueCount", "DEQUEUED", true, 0 }, { "MemoryPercentUsage", "MEM%", true, 0 },
	{ "StorePercentUsage", "STORE%", true, 0 }, { "TempPercentUsage", "TEMP%", true, 0 },
};

/* A node that cannot be reached keeps its row, role "down", as in `ha`:
 * a summary of the cluster must show the gap, not close it. */
static void bstat_node(struct ctl *ctl, struct ctl_node *n, struct ctl_table *t)
{
	json_t *brokers;
	int rc = ctl_node_open(ctl, n);
	if (!rc)
		rc = ctl_call_take(ctl, n, ctl_read_request(MGMT_BROKERS, broker_attrs, NULL),
				   &brokers);
	if (rc == MGMT_EDOWN)
		ctl_table_add_down(t, n);
	if (rc)
		return;
	const char *mbean;
	json_t *attrs;
	json_object_foreach(brokers, mbean, attrs) {
		json_t *row = ctl_row(n, attrs);
		bool slave = json_is_true(json_object_get(attrs, "Slave"));
		json_t *up = json_object_get(attrs, "UptimeMillis");
		char text[32];
		if (row)
			json_object_set_new(row, "role", json_string(slave ? "slave" : "master"));
		if (row && json_is_integer(up)) {
			mgmt_duration_text(json_integer_value(up), text, sizeof text);
			json_object_set_new(row, "uptime", json_string(text));
		}
		ctl_table_add(t, row);
	}
	json_decref(brokers);
}

static int bstat(struct ctl *ctl, struct ctl_args *a)
{
	struct ctl_table t;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	ctl_table_init(&t, broker_cols, NCOLS(broker_cols));
	for (size_t i = 0; i < ctl->nnodes; i++)
		bstat_node(ctl, &ctl->nodes[i], &t);
	ctl_table_print(&t, ctl->json);
	return 0;
}

const struct ctl_command ctl_cmd_bstat = {
	"bstat", bstat, "",
	"broker summary: name, role (master, slave, down), uptime, connections, destinations, totals, usage",
	NULL, CTL_SLAVE_ANSWERS,
};

/* ---- dstat ---- */

static const struct ctl_option dstat_options[] = {
	{ "sort", true, "ATTR", "sorted by this attribute; -ATTR for descending" },
	{ "limit", true, "N", "at most N destinations of each type" },
	{ "offset", true, "N", "skip the first N destinations of each type" },
	{ NULL, false, NULL, NULL },
};

static const char *const dest_attrs[] = {
	"Name", "QueueSize", "ProducerCount", "ConsumerCount", "EnqueueCount",
	"DequeueCount", "MemoryPercentUsage", NULL,
};

static const struct ctl_column dest_cols[] = {
	{ "node", "NODE", false, 0 }, { "type", "TYPE", false, 0 },
	{ "Name", "NAME", false, 0 }, { "QueueSize", "SIZE", true, 0 },
	{ "ProducerCount", "PRODUCERS", true, 0 }, { "ConsumerCount", "CONSUMERS", true, 0 },
	{ "EnqueueCount", "ENQUEUED", true, 0 }, { "DequeueCount", "DEQUEUED", true, 0 },
	{ "MemoryPercentUsage", "MEM%", true, 0 },
};

struct dstat {
	bool queues, topics;
	const char *sort;	/* as given */
	const char *sort_attr;	/* the attribute it names */
	bool sort_desc;
	long limit, offset;	/* limit 0: all */
	struct ctl_table table;
};

static const char *sort_attr;
static bool sort_desc;

static int cmp_value(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x < y ? -1 : x > y;
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	return !a - !b;	/* rows without the attribute go last */
}

static int cmp_rows(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_t *ka = json_object_get(a, sort_attr), *kb = json_object_get(b, sort_attr);
	int c = cmp_value(ka, kb);
	if (c && ka && kb && sort_desc)
		c = -c;
	return c ? c : cmp_value(json_object_get(a, "Name"), json_object_get(b, "Name"));
}

/* One type's destinations of one node: sorted when asked, then the page
 * of --offset and --limit. */
static void add_dests(struct ctl_table *t, const struct ctl_node *n, json_t *objects,
		      const struct dstat *d)
{
	size_t count = json_object_size(objects), k = 0;
	json_t **rows = calloc(count ? count : 1, sizeof *rows);
	const char *mbean;
	json_t *attrs;
	json_object_foreach(objects, mbean, attrs) {
		char *type = mgmt_name_key(mbean, "destinationType");
		json_t *row = ctl_row(n, attrs);
		if (row && type)
			json_object_set_new(row, "type", json_string(type));
		free(type);
		if (row && rows)
			rows[k++] = row;
		else
			json_decref(row);
	}
	if (d->sort && rows) {
		sort_attr = d->sort_attr;
		sort_desc = d->sort_desc;
		qsort(rows, k, sizeof *rows, cmp_rows);
	}
	for (size_t i = 0; i < k; i++) {
		bool shown = i >= (size_t)d->offset && (!d->limit || i < (size_t)(d->offset + d->limit));
		if (shown)
			ctl_table_add(t, rows[i]);
		else
			json_decref(rows[i]);
	}
	free(rows);
}

static void dstat_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct dstat *d = arg;
	json_t *reqs = json_array(), *resps, *resp;
	if (d->queues)
		json_array_append_new(reqs, ctl_read_request(QUEUES, dest_attrs, NULL));
	if (d->topics)
		json_array_append_new(reqs, ctl_read_request(TOPICS, dest_attrs, NULL));
	if (ctl_bulk_take(ctl, n, reqs, &resps))
		return;
	size_t i;
	json_array_foreach(resps, i, resp) {
		json_t *objects = ctl_matched(ctl, n, resp);
		add_dests(&d->table, n, objects, d);
		json_decref(objects);
	}
	json_decref(resps);
}

/* --sort names an attribute of the table, or a column's title (SIZE),
 * in any case: *attr is the attribute. Anything else sorts nothing, so
 * it is a usage error rather than a table in some unasked order. */
static int sort_key(const struct ctl_args *a, const char *given, const char **attr)
{
	const char *name = given + (*given == '-');
	for (size_t c = 0; c < NCOLS(dest_cols); c++) {
		if (!strcasecmp(name, dest_cols[c].key) || !strcasecmp(name, dest_cols[c].title)) {
			*attr = dest_cols[c].key;
			return 0;
		}
	}
	char known[512] = "";
	for (size_t c = 0, len = 0; c < NCOLS(dest_cols) && len < sizeof known; c++)
		len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", c ? ", " : "",
					dest_cols[c].key);
	return ctl_usage(a, "--sort %s: no such column (one of %s)", given, known);
}

static int dstat(struct ctl *ctl, struct ctl_args *a)
{
	struct dstat d = { .sort = ctl_opt(a, "sort") };
	const char *which = a->argc ? a->argv[0] : "all";
	if (a->argc > 1)
		return ctl_usage(a, "unexpected argument %s", a->argv[1]);
	d.queues = !strcmp(which, "queues") || !strcmp(which, "all");
	d.topics = !strcmp(which, "topics") || !strcmp(which, "all");
	if (!d.queues && !d.topics)
		return ctl_usage(a, "expected queues, topics or all, not %s", which);
	if (d.sort && sort_key(a, d.sort, &d.sort_attr) < 0)
		return -1;
	d.sort_desc = d.sort && *d.sort == '-';
	if (ctl_opt_long(a, "limit", 0, 1, 1000000000, &d.limit) < 0 ||
	    ctl_opt_long(a, "offset", 0, 0, 1000000000, &d.offset) < 0)
		return -1;
	ctl_each_node_table(ctl, &d.table, dest_cols, NCOLS(dest_cols), dstat_node, &d);
	return 0;
}

const struct ctl_command ctl_cmd_dstat = {
	"dstat", dstat, "[queues|topics|all] [--sort ATTR] [--limit N] [--offset N]",
	"destinations: size, producers, consumers, enqueued, dequeued, memory use", dstat_options,
	CTL_SLAVE_REFUSED,
};

/* ---- list ---- */

static const struct ctl_column list_cols[] = {
	{ "node", "NODE", false, 0 }, { "type", "TYPE", false, 0 }, { "name", "NAME", false, 0 },
};

static void list_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	json_t *names, *name;
	if (ctl_call_take(ctl, n, mgmt_request("search", MGMT_DOMAIN ":type=Broker,brokerName=*,"
					       "destinationType=*,destinationName=*"), &names))
		return;
	size_t i;
	json_array_foreach(names, i, name) {
		char *type = mgmt_name_key(json_string_value(name), "destinationType");
		char *dest = mgmt_name_key(json_string_value(name), "destinationName");
		if (type && dest)
			ctl_table_add(arg, json_pack("{s:s, s:s, s:s}", "node", n->addr,
						     "type", type, "name", dest));
		free(type);
		free(dest);
	}
	json_decref(names);
}

static int list(struct ctl *ctl, struct ctl_args *a)
{
	return ctl_table_command(ctl, a, list_cols, NCOLS(list_cols), list_node);
}

const struct ctl_command ctl_cmd_list = {
	"list", list, "", "the destinations (queues and topics)", NULL, CTL_SLAVE_REFUSED,
};
