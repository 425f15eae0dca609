/*
 * ctl_network.c - `tandemctl network`: every network bridge of every
 * node, one row a bridge: from which broker to which, its state and for
 * how long, what it forwarded, at what rate, what the other way forwarded
 * and which destinations the remote has consumers for.
 *
 * Each node answers one bulk request: a pattern read of its NetworkBridge
 * objects (model_network.c), all attributes, so that --json carries
 * whatever the broker reports. The rate needs two readings: every node is
 * read, then, --interval seconds later, read again; a bridge's rate is its
 * EnqueueCounter's growth over the time between its node's two answers.
 *
 * A bridge forwards one way only. The other way is the remote's own
 * bridge, its own row when the remote is among the nodes asked, or an
 * ActiveMQ's that dialled a node (an InboundNetworkBridge, read by the
 * same pattern: FROM is the ActiveMQ, TO the node); BACK is
 * that row's forwarded count, found by the pair of BrokerIds (the seed's
 * pairs both have a broker1), or of names from a broker that has no id,
 * reversed. A bridge that is not active is shown, not a failure (as
 * `check --bridges`): the exit status is about reaching the nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"


static const struct ctl_option options[] = {
	{ "interval", true, "SEC", "read each node twice SEC seconds apart for RATE (default 1; 0: no RATE)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column cols[] = {
	{ "node", "NODE", false, 0 }, { "from", "FROM", false, 0 }, { "to", "TO", false, 0 },
	{ "state", "STATE", false, 0 }, { "EnqueueCounter", "FORWARDED", true, 0 },
	{ "back", "BACK", true, 0 }, { "rate", "RATE", true, 0 },
	{ "demand", "DEMAND", false, 48 }, { "error", "LAST-ERROR", false, 0 },
	/* last, and only when a row has it: an ActiveMQ end's own state from
	 * its Jolokia (a jolokiaNeighbour, tandem.xml(5)) */
	{ "neighbour", "NEIGHBOUR", false, 0 },
};

/* A node's readings: object name -> attributes, and when each came. */
struct reading {
	struct ctl_node *node;
	json_t *first, *second;		/* NULL: not read (reported) */
	char *id;			/* the node's BrokerId; NULL: unknown */
	double first_at, second_at;	/* monotonic seconds */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The node's bridges (a new reference; an empty object when it has none),
 * or NULL after reporting why not. */
static json_t *read_bridges(struct ctl *ctl, struct reading *r)
{
	struct ctl_node *n = r->node;
	json_t *resps, *bridges;
	int rc = mgmt_client_connect(n->client);
	if (rc) {
		ctl_fail_client(ctl, n, rc);
		return NULL;
	}
	static const char *const id[] = { "BrokerId", NULL };
	if (ctl_bulk_take(ctl, n, json_pack("[o,o]", ctl_read_request(MGMT_BRIDGES, NULL, NULL),
					    ctl_read_request(MGMT_BROKERS, id, NULL)), &resps))
		return NULL;
	bridges = ctl_matched(ctl, n, json_array_get(resps, 0));
	/* One broker a node: its id, for BACK. */
	json_t *value = json_object_get(json_array_get(resps, 1), "value"), *attrs;
	const char *name;
	json_object_foreach(value, name, attrs) {
		const char *s = json_string_value(json_object_get(attrs, "BrokerId"));
		if (s && !r->id)
			r->id = strdup(s);
	}
	json_decref(resps);
	return bridges;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *str(json_t *attrs, const char *key)
{
	const char *s = json_string_value(json_object_get(attrs, key));
	return s ? s : "";
}

/* Messages a second between the two readings of bridge `mbean`; NULL
 * when there is no earlier reading of it, or its counter went back (the
 * bridge was made anew). */
static json_t *rate_of(const struct reading *r, const char *mbean, json_t *attrs)
{
	json_t *before = json_object_get(r->first, mbean);
	if (!r->second || !before || r->second_at <= r->first_at)
		return NULL;
	json_int_t was = json_integer_value(json_object_get(before, "EnqueueCounter"));
	json_int_t is = json_integer_value(json_object_get(attrs, "EnqueueCounter"));
	if (is < was)
		return NULL;
	return json_real((double)(is - was) / (r->second_at - r->first_at));
}

/* The ends of a row, by name and id, for BACK; an ActiveMQ end marked
 * in FROM or TO (its own management is not Tandem's). An inbound bridge
 * (model_inbound.c: an ActiveMQ's networkConnector dialled this node)
 * goes from the remote to the node. */
static void set_ends(json_t *row, const struct reading *r, const char *node_name, json_t *attrs)
{
	const char *remote = str(attrs, "RemoteBrokerName");
	const char *remote_id = str(attrs, "RemoteBrokerId");
	bool in = !strcmp(str(attrs, "Direction"), "inbound");
	char shown[300];
	snprintf(shown, sizeof shown, "%s%s", *remote ? remote : str(attrs, "RemoteAddress"),
		 !strcmp(str(attrs, "RemoteBrokerType"), "ActiveMQ") ? " (ActiveMQ)" : "");
	json_object_set_new(row, in ? "to" : "from", json_string(node_name));
	json_object_set_new(row, in ? "from" : "to", json_string(shown));
	json_object_set_new(row, in ? "to_name" : "from_name", json_string(node_name));
	json_object_set_new(row, in ? "from_name" : "to_name", json_string(remote));
	json_object_set_new(row, in ? "to_id" : "from_id", json_string(r->id ? r->id : ""));
	json_object_set_new(row, in ? "from_id" : "to_id", json_string(remote_id));
}

/* One bridge's row: its attributes, and what the columns show. */
static json_t *bridge_row(const struct reading *r, const char *mbean, json_t *attrs)
{
	json_t *row = ctl_row(r->node, attrs);
	char *node_name = mgmt_name_key(mbean, "brokerName");
	if (!row || !node_name) {
		free(node_name);
		return row;
	}
	json_object_set_new(row, "mbean", json_string(mbean));
	set_ends(row, r, node_name, attrs);
	free(node_name);
	const char *state = str(attrs, "State");
	json_int_t since = json_integer_value(json_object_get(attrs, "StateSinceMillis"));
	if (since > 0) {
		char span[32], text[96];
		int64_t ms = mgmt_ms_since(since);
		mgmt_duration_text(ms, span, sizeof span);
		snprintf(text, sizeof text, "%s for %s", state, span);
		json_object_set_new(row, "state", json_string(text));
		json_object_set_new(row, "state_ms", json_integer(ms));
	} else {
		json_object_set_new(row, "state", json_string(state));
	}
	json_t *rate = rate_of(r, mbean, attrs);
	if (rate)
		json_object_set_new(row, "rate", rate);
	if (strcmp(state, "active") && *str(attrs, "LastError"))
		json_object_set_new(row, "error", json_string(str(attrs, "LastError")));
	if (*str(attrs, "Demand"))
		json_object_set_new(row, "demand", json_string(str(attrs, "Demand")));
	if (*str(attrs, "Neighbour"))
		json_object_set_new(row, "neighbour", json_string(str(attrs, "Neighbour")));
	return row;
}

/* BACK: for each row from F to T, what the bridges from T to F forwarded
 * (summed: several connectors may join the same two brokers), and what an
 * inbound bridge sent back on its own connection (ForwardedBack, a duplex
 * one). Only rows past the handshake take part: before it, TO is an
 * address. */
static void add_back(json_t *rows)
{
	size_t i, j;
	json_t *row, *other;
	json_array_foreach(rows, i, row) {
		const char *from = str(row, "from_name"), *to = str(row, "to_name");
		const char *from_id = str(row, "from_id"), *to_id = str(row, "to_id");
		json_t *own = json_object_get(row, "ForwardedBack");
		json_int_t back = json_integer_value(own);
		bool found = own != NULL;
		if (!*to || !*from)
			continue;
		json_array_foreach(rows, j, other) {
			bool ids = *from_id && *to_id && *str(other, "from_id") &&
				   *str(other, "to_id");
			if (ids ? !strcmp(str(other, "from_id"), to_id) &&
				  !strcmp(str(other, "to_id"), from_id)
				: !strcmp(str(other, "from_name"), to) &&
				  !strcmp(str(other, "to_name"), from)) {
				back += json_integer_value(json_object_get(other, "EnqueueCounter"));
				found = true;
			}
		}
		if (found)
			json_object_set_new(row, "back", json_integer(back));
	}
}

static int run(struct ctl *ctl, struct ctl_args *a)
{
	const char *iv = ctl_opt(a, "interval");
	double interval = 1;
	char *end;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	if (iv) {
		interval = strtod(iv, &end);
		if (*end || !*iv || !(interval >= 0 && interval <= 3600))
			return ctl_usage(a, "--interval wants seconds from 0 to 3600, not \"%s\"", iv);
	}
	struct reading *r = calloc(ctl->nnodes, sizeof *r);
	if (!r && ctl->nnodes) {
		fputs("tandemctl: out of memory\n", stderr);
		ctl_raise(ctl, CTL_FAILED);
		return 0;
	}
	bool any = false;
	for (size_t i = 0; i < ctl->nnodes; i++) {
		r[i].node = &ctl->nodes[i];
		r[i].first = read_bridges(ctl, &r[i]);
		r[i].first_at = now_s();
		any |= json_object_size(r[i].first) > 0;
	}
	/* No bridge anywhere: nothing to measure, no reason to wait. */
	if (interval > 0 && any) {
		sleep_s(interval);
		for (size_t i = 0; i < ctl->nnodes; i++) {
			if (!json_object_size(r[i].first))
				continue;	/* down, or no bridges */
			r[i].second = read_bridges(ctl, &r[i]);
			r[i].second_at = now_s();
		}
	}
	struct ctl_table t;
	ctl_table_init(&t, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < ctl->nnodes; i++) {
		/* A node lost between the readings still shows its first. */
		json_t *bridges = r[i].second ? r[i].second : r[i].first;
		const char *mbean;
		json_t *attrs;
		json_object_foreach(bridges, mbean, attrs)
			ctl_table_add(&t, bridge_row(&r[i], mbean, attrs));
	}
	add_back(t.rows);
	size_t i;
	json_t *row;
	bool neighbours = false;
	json_array_foreach(t.rows, i, row)
		neighbours |= json_object_get(row, "neighbour") != NULL;
	if (!neighbours)
		t.ncols--;
	ctl_table_print(&t, ctl->json);
	for (size_t i = 0; i < ctl->nnodes; i++) {
		json_decref(r[i].first);
		json_decref(r[i].second);
		free(r[i].id);
	}
	free(r);
	return 0;
}

const struct ctl_command ctl_cmd_network = {
	"network", run, "[--interval SEC]",
	"network bridges of every node: from, to, state, forwarded each way, rate, demand", options,
	CTL_SLAVE_ANSWERS,
};
