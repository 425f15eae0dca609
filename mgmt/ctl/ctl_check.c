/*
 * ctl_check.c - `tandemctl check`: health checks for scripts and
 * monitoring, in the spirit of `artemis check`.
 *
 * One row per check per node, OK or FAIL with the reason, and an exit
 * status that sums them up: 0 when every check passed, 1 when one failed,
 * 3 when a node could not be reached (its "up" row says FAIL too). Checks
 * speak on stdout only: a failed check is the answer, not an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_option options[] = {
	{ "up", false, NULL, "the node answers (the default, with the broker's Health status)" },
	{ "master", false, NULL, "the broker is the master of its pair, not a waiting slave" },
	{ "queue", true, "Q", "queue Q exists and holds at most --max-size messages (repeatable)" },
	{ "max-size", true, "N", "the most messages a --queue may hold (default 0)" },
	{ "bridges", false, NULL, "every network bridge is active (passes when there are none)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column cols[] = {
	{ "node", "NODE", false, 0 }, { "check", "CHECK", false, 0 },
	{ "status", "STATUS", false, 0 }, { "detail", "DETAIL", false, 0 },
};

struct check_run {
	struct ctl *ctl;
	struct ctl_node *node;
	long max_size;
	bool down;		/* the node went away during a check */
	char detail[512];	/* why, for the row */
};

/* One request for a check: errors become the check's detail, not stderr. */
static bool call(struct check_run *r, json_t *req, json_t **value)
{
	int rc = req ? mgmt_client_call(r->node->client, req, value) : MGMT_EFAIL;
	json_decref(req);
	if (rc)
		snprintf(r->detail, sizeof r->detail, "%s", mgmt_client_error(r->node->client));
	r->down |= rc == MGMT_EDOWN;
	return rc == MGMT_OK;
}

/* A read of one attribute of the node's broker object (or of a service
 * below it: suffix ",service=Health"). */
static bool read_broker_attr(struct check_run *r, const char *suffix, const char *attr, json_t **value)
{
	char *mbean = NULL;
	int rc = r->node->broker ? MGMT_OK : mgmt_client_broker(r->node->client, &r->node->broker);
	if (rc) {
		snprintf(r->detail, sizeof r->detail, "%s", mgmt_client_error(r->node->client));
		r->down |= rc == MGMT_EDOWN;
		return false;
	}
	const char *broker = r->node->broker;
	if (asprintf(&mbean, MGMT_DOMAIN ":type=Broker,brokerName=%s%s", broker, suffix) < 0)
		return false;
	json_t *req = json_pack("{s:s, s:s, s:s}", "type", "read", "mbean", mbean, "attribute", attr);
	free(mbean);
	return call(r, req, value);
}

static bool check_up(struct check_run *r, const char *arg)
{
	(void)arg;
	json_t *v;
	if (!call(r, json_pack("{s:s}", "type", "version"), &v))
		return false;
	const char *agent = json_string_value(json_object_get(v, "agent"));
	snprintf(r->detail, sizeof r->detail, "answers (%s)", agent ? agent : "unknown agent");
	json_decref(v);
	return true;
}

static bool check_health(struct check_run *r, const char *arg)
{
	(void)arg;
	json_t *v;
	if (!read_broker_attr(r, ",service=Health", "CurrentStatus", &v))
		return false;
	const char *status = json_string_value(v);
	snprintf(r->detail, sizeof r->detail, "%s", status ? status : "no status");
	bool good = status && !strcmp(status, "Good");
	json_decref(v);
	return good;
}

static bool check_master(struct check_run *r, const char *arg)
{
	(void)arg;
	json_t *v;
	if (!read_broker_attr(r, "", "Slave", &v))
		return false;
	bool slave = json_is_true(v);
	snprintf(r->detail, sizeof r->detail, slave ? "slave (waiting for the lock)" : "master");
	json_decref(v);
	return !slave;
}

static bool check_queue(struct check_run *r, const char *queue)
{
	json_t *v;
	char *suffix = NULL;
	if (asprintf(&suffix, ",destinationType=Queue,destinationName=%s", queue) < 0)
		return false;
	bool ok = read_broker_attr(r, suffix, "QueueSize", &v);
	free(suffix);
	if (!ok)
		return false;
	json_int_t size = json_integer_value(v);
	json_decref(v);
	snprintf(r->detail, sizeof r->detail, "QueueSize %" JSON_INTEGER_FORMAT " %s %ld",
		 size, size <= r->max_size ? "<=" : ">", r->max_size);
	return size <= r->max_size;
}

/* Every bridge active; a bridge that is not names its remote and error. */
static bool check_bridges(struct check_run *r, const char *arg)
{
	(void)arg;
	const char *pattern = MGMT_BRIDGES;
	json_t *names, *bridges;
	/* A read of a pattern that matches nothing is an error: search first. */
	if (!call(r, mgmt_request("search", pattern), &names))
		return false;
	size_t found = json_array_size(names);
	json_decref(names);
	if (!found) {
		snprintf(r->detail, sizeof r->detail, "no bridges");
		return true;
	}
	json_t *req = json_pack("{s:s, s:s, s:[s, s, s]}", "type", "read", "mbean", pattern,
				"attribute", "State", "RemoteAddress", "LastError");
	if (!call(r, req, &bridges))
		return false;
	size_t n = 0, down = 0, standby = 0;
	const char *name;
	json_t *attrs;
	json_object_foreach(bridges, name, attrs) {
		const char *state = json_string_value(json_object_get(attrs, "State"));
		n++;
		if (state && !strcmp(state, "active"))
			continue;
		/* a second way to a broker another bridge serves: no failure */
		if (state && !strcmp(state, "standby")) {
			standby++;
			continue;
		}
		/* The first one down is named; the count says how many more. */
		if (!down++)
			snprintf(r->detail, sizeof r->detail, "bridge to %s %s: %s",
				 json_string_value(json_object_get(attrs, "RemoteAddress")),
				 state ? state : "in no known state",
				 json_string_value(json_object_get(attrs, "LastError")));
	}
	json_decref(bridges);
	if (down > 1) {
		size_t len = strlen(r->detail);
		snprintf(r->detail + len, sizeof r->detail - len, " (and %zu more of %zu not active)",
			 down - 1, n);
	} else if (!down && standby) {
		snprintf(r->detail, sizeof r->detail, "%zu bridge(s) active, %zu standing by",
			 n - standby, standby);
	} else if (!down) {
		snprintf(r->detail, sizeof r->detail, "%zu bridge(s) active", n);
	}
	return down == 0;
}

struct check {
	const char *name;
	bool (*fn)(struct check_run *r, const char *arg);
	const char *arg;	/* the queue of a queue check */
};

static void run_check(struct check_run *r, struct ctl_table *t, const struct check *c)
{
	r->detail[0] = '\0';
	bool ok = c->fn(r, c->arg);
	char name[300];
	snprintf(name, sizeof name, c->arg ? "%s %s" : "%s", c->name, c->arg);
	ctl_table_add(t, json_pack("{s:s, s:s, s:s, s:b, s:s}", "node", r->node->addr,
				   "check", name, "status", ok ? "OK" : "FAIL", "ok", ok,
				   "detail", r->detail));
	ctl_raise(r->ctl, ok ? CTL_OK : CTL_FAILED);
}

static void check_node(struct ctl *ctl, struct ctl_node *n, const struct check *checks,
		       size_t nchecks, long max_size, struct ctl_table *t)
{
	struct check_run r = { .ctl = ctl, .node = n, .max_size = max_size };
	/* Reaching the node is always the first check: nothing else can pass
	 * without it, and the exit status must say "unreachable". */
	int rc = mgmt_client_connect(n->client);
	if (rc) {
		snprintf(r.detail, sizeof r.detail, "%s", mgmt_client_error(n->client));
		ctl_table_add(t, json_pack("{s:s, s:s, s:s, s:b, s:s}", "node", n->addr, "check", "up",
					   "status", "FAIL", "ok", 0, "detail", r.detail));
		ctl_fail_client(ctl, n, rc);	/* 3 when down, 1 when the login was refused */
		return;
	}
	for (size_t i = 0; i < nchecks && !r.down; i++)
		run_check(&r, t, &checks[i]);
	if (r.down)
		ctl_fail_client(ctl, n, MGMT_EDOWN);
}

static int run(struct ctl *ctl, struct ctl_args *a)
{
	const char **queues;
	size_t nqueues = ctl_opt_all(a, "queue", &queues);
	long max_size;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	if (ctl_opt_long(a, "max-size", 0, 0, 1L << 62, &max_size) < 0)
		return -1;
	if (ctl_opt(a, "max-size") && !nqueues)
		return ctl_usage(a, "--max-size goes with --queue");
	struct check *checks = calloc(nqueues + 4, sizeof *checks);
	size_t n = 0;
	if (!checks)
		return -1;
	bool any = ctl_opt(a, "up") || ctl_opt(a, "master") || nqueues || ctl_opt(a, "bridges");
	checks[n++] = (struct check){ "up", check_up, NULL };
	if (!any)
		checks[n++] = (struct check){ "health", check_health, NULL };
	if (ctl_opt(a, "master"))
		checks[n++] = (struct check){ "master", check_master, NULL };
	for (size_t i = 0; i < nqueues; i++)
		checks[n++] = (struct check){ "queue", check_queue, queues[i] };
	if (ctl_opt(a, "bridges"))
		checks[n++] = (struct check){ "bridges", check_bridges, NULL };
	struct ctl_table t;
	ctl_table_init(&t, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < ctl->nnodes; i++)
		check_node(ctl, &ctl->nodes[i], checks, n, max_size, &t);
	ctl_table_print(&t, ctl->json);
	free(checks);
	return 0;
}

const struct ctl_command ctl_cmd_check = {
	"check", run, "[--up] [--master] [--queue Q [--max-size N]]... [--bridges]",
	"health checks: OK or FAIL per check and node; exit 0 only when all pass", options,
	CTL_SLAVE_ANSWERS,
};
