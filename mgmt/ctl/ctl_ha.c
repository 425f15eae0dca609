/*
 * ctl_ha.c - `tandemctl ha`: the master/slave pairs as their nodes see
 * them, one row per node: the store directory the pair shares, the
 * broker, its role, who holds the lock and how long a slave has waited.
 *
 * Each node answers with one bulk request: its Locker object (found by
 * pattern, "type=Broker,service=Locker,*", so the broker's name need not
 * be known first) and its broker's Slave flag. A broker without a store
 * has no Locker; its role is then what Slave says. A node that cannot be
 * reached still gets its row, role "down", so a pair's table shows the
 * gap (and the exit status is 3, as for every command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"


static const char *const broker_attrs[] = { "BrokerName", "Slave", NULL };

static const struct ctl_column cols[] = {
	{ "StoreDirectory", "PAIR", false, 0 }, { "node", "NODE", false, 0 },
	{ "BrokerName", "BROKER", false, 0 }, { "role", "ROLE", false, 0 },
	{ "holder", "HOLDER", false, 0 }, { "waiting", "WAITING", true, 0 },
};

/* The row of one broker: its attributes, its Locker's (may be NULL) and
 * what the table shows derived from them. */
static json_t *broker_row(const struct ctl_node *n, json_t *broker, json_t *locker)
{
	json_t *row = ctl_row(n, NULL);
	if (!row)
		return NULL;
	json_object_update(row, broker);
	if (locker)
		json_object_update(row, locker);
	const char *role = json_string_value(json_object_get(locker, "Role"));
	if (!role)
		role = json_is_true(json_object_get(broker, "Slave")) ? "slave" : "master";
	json_object_set_new(row, "role", json_string(role));
	const char *holder = json_string_value(json_object_get(locker, "Holder"));
	if (holder && *holder)
		json_object_set_new(row, "holder", json_string(holder));
	/* The node's clock against ours: a node ahead would wait "-1s". */
	json_int_t since = json_integer_value(json_object_get(locker, "WaitingSinceMillis"));
	if (since > 0 && strcmp(role, "master")) {
		int64_t ms = mgmt_ms_since(since);
		char text[32];
		mgmt_duration_text(ms, text, sizeof text);
		json_object_set_new(row, "waiting", json_string(text));
		json_object_set_new(row, "waiting_ms", json_integer(ms));
	}
	return row;
}

/* The Locker among `lockers` (name to attributes) of broker `name`. */
static json_t *locker_of(json_t *lockers, const char *name)
{
	const char *mbean;
	json_t *attrs;
	json_object_foreach(lockers, mbean, attrs) {
		char *b = mgmt_name_key(mbean, "brokerName");
		bool same = b && name && !strcmp(b, name);
		free(b);
		if (same)
			return attrs;
	}
	return NULL;
}

static void ha_node(struct ctl *ctl, struct ctl_node *n, struct ctl_table *t)
{
	json_t *reqs = json_pack("[o, o]", ctl_read_request(MGMT_LOCKERS, NULL, NULL),
				 ctl_read_request(MGMT_BROKERS, broker_attrs, NULL));
	json_t *resps;
	int rc = mgmt_client_connect(n->client);
	if (rc) {
		json_decref(reqs);
		ctl_fail_client(ctl, n, rc);
	} else {
		rc = ctl_bulk_take(ctl, n, reqs, &resps);
	}
	if (rc) {
		if (rc == MGMT_EDOWN)
			ctl_table_add_down(t, n);
		return;
	}
	json_t *lockers = ctl_matched(ctl, n, json_array_get(resps, 0));
	json_t *brokers = ctl_matched(ctl, n, json_array_get(resps, 1));
	const char *mbean;
	json_t *attrs;
	json_object_foreach(brokers, mbean, attrs) {
		const char *name = json_string_value(json_object_get(attrs, "BrokerName"));
		ctl_table_add(t, broker_row(n, attrs, locker_of(lockers, name)));
	}
	json_decref(lockers);
	json_decref(brokers);
	json_decref(resps);
}

static int run(struct ctl *ctl, struct ctl_args *a)
{
	struct ctl_table t;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	ctl_table_init(&t, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < ctl->nnodes; i++)
		ha_node(ctl, &ctl->nodes[i], &t);
	ctl_table_print(&t, ctl->json);
	return 0;
}

const struct ctl_command ctl_cmd_ha = {
	"ha", run, "",
	"master/slave pairs: store directory, broker, role, lock holder, how long a slave waits", NULL,
	CTL_SLAVE_ANSWERS,
};
