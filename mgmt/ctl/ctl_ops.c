/*
 * ctl_ops.c - operations on a node's objects: `browse`, `purge`, `send`
 * and `stop`, each an exec request (tandem-mgmt(7)) on the broker or on a
 * destination.
 *
 * Where two steps must be seen together (the size before a purge, the
 * queue's creation before a send) they go as one bulk request, so no
 * other request of this client comes between them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "wildcard.h"

#define NCOLS(c) (sizeof (c) / sizeof (c)[0])

static json_t *exec_request(const char *mbean, const char *op, json_t *args)
{
	return json_pack("{s:s, s:s?, s:s, s:o}", "type", "exec", "mbean", mbean,
			 "operation", op, "arguments", args ? args : json_array());
}

/* The object name of a queue or topic of this node (malloc'ed), or NULL
 * after reporting why. */
static char *dest_mbean(struct ctl *ctl, struct ctl_node *n, const char *type, const char *name)
{
	const char *broker = ctl_broker(ctl, n);
	return broker ? ctl_dest_mbean(broker, type, name) : NULL;
}

/* ---- browse ---- */

static const struct ctl_option browse_options[] = {
	{ "limit", true, "N", "show at most N messages (the node returns up to 400)" },
	{ "msgsel", true, "SELECTOR", "only the messages this JMS selector accepts; ActiveMQ's form too: A,B (both), NAME='pat*'" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column browse_cols[] = {
	{ "node", "NODE", false, 0 }, { "JMSMessageID", "ID", false, 0 },
	{ "JMSPriority", "PRI", true, 0 }, { "persistent", "PERSISTENT", false, 0 },
	{ "timestamp", "TIMESTAMP", false, 0 }, { "Text", "BODY", false, 60 },
};

struct browse {
	const char *queue;
	const char *msgsel;	/* NULL: every message */
	long limit;
	struct ctl_table table;
};

/* JMSDeliveryMode as ActiveMQ's JMX writes it ("PERSISTENT") or as JMS's
 * number (2). */
static bool is_persistent(json_t *mode)
{
	if (json_is_string(mode))
		return !strcmp(json_string_value(mode), "PERSISTENT");
	return json_is_true(mode) || json_integer_value(mode) == 2;
}

static json_t *time_text(json_t *ms)
{
	char text[32];
	time_t secs = (time_t)(json_number_value(ms) / 1000);
	struct tm tm;
	if (!json_is_number(ms) || !localtime_r(&secs, &tm))
		return json_null();
	strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
	return json_string(text);
}

static void browse_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct browse *b = arg;
	char *mbean = dest_mbean(ctl, n, "Queue", b->queue);
	json_t *msgs, *m;
	json_t *args = b->msgsel ? json_pack("[s]", b->msgsel) : NULL;
	if (!mbean || ctl_call_take(ctl, n, exec_request(mbean, "browse", args), &msgs)) {
		free(mbean);
		return;
	}
	free(mbean);
	size_t i;
	json_array_foreach(msgs, i, m) {
		if (b->limit && i >= (size_t)b->limit)
			break;
		json_t *row = json_pack("{s:s, s:s}", "node", n->addr, "queue", b->queue);
		if (row) {
			json_object_update(row, m);
			json_object_set_new(row, "persistent",
					    json_boolean(is_persistent(json_object_get(m, "JMSDeliveryMode"))));
			json_object_set_new(row, "timestamp", time_text(json_object_get(m, "JMSTimestamp")));
		}
		ctl_table_add(&b->table, row);
	}
	json_decref(msgs);
}

static int browse(struct ctl *ctl, struct ctl_args *a)
{
	struct browse b;
	if (a->argc != 1)
		return ctl_usage(a, "expected one queue");
	if (ctl_opt_long(a, "limit", 0, 1, 1000000, &b.limit) < 0)
		return -1;
	char *sel = ctl_opt(a, "msgsel") ? ctl_msgsel_selector(ctl_opt(a, "msgsel")) : NULL;
	if (ctl_opt(a, "msgsel") && !sel) {
		/* Never go on without it: a purge would take every message. */
		ctl_fail(ctl, "--msgsel", CTL_FAILED, "out of memory");
		return 0;
	}
	b.msgsel = sel;
	ctl_parse_dest(a->argv[0], &(const char *){ NULL }, &b.queue);
	ctl_each_node_table(ctl, &b.table, browse_cols, NCOLS(browse_cols), browse_node, &b);
	free(sel);
	return 0;
}

const struct ctl_command ctl_cmd_browse = {
	"browse", browse, "QUEUE [--limit N] [--msgsel SELECTOR]",
	"the messages waiting on a queue, without consuming them", browse_options, CTL_SLAVE_REFUSED,
};

/* ---- purge ---- */

static const struct ctl_option purge_options[] = {
	{ "msgsel", true, "SELECTOR", "only the messages this JMS selector accepts; ActiveMQ's form too: A,B (both), NAME='pat*'" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column purge_cols[] = {
	{ "node", "NODE", false, 0 }, { "queue", "QUEUE", false, 0 }, { "removed", "REMOVED", true, 0 },
};

struct purge {
	char **queues;
	int nqueues;
	const char *msgsel;	/* NULL: every message */
	struct ctl_table table;
};

/* Without a selector, the size read just before the purge, in the same
 * bulk request, is what the purge removed; with one,
 * removeMatchingMessages answers how many it removed. */
static json_t *purge_requests(const char *mbean, const char *msgsel)
{
	json_t *size = json_pack("{s:s, s:s, s:s}", "type", "read", "mbean", mbean,
				 "attribute", "QueueSize");
	json_t *op = msgsel ? exec_request(mbean, "removeMatchingMessages", json_pack("[s]", msgsel))
			    : exec_request(mbean, "purge", NULL);
	return json_pack("[o, o]", size, op);
}

static void purge_one(struct ctl *ctl, struct ctl_node *n, const char *queue, const char *msgsel,
		      struct ctl_table *t)
{
	char *mbean = dest_mbean(ctl, n, "Queue", queue);
	if (!mbean)
		return;
	json_t *reqs = purge_requests(mbean, msgsel);
	json_t *resps, *size, *removed;
	free(mbean);
	if (ctl_bulk_take(ctl, n, reqs, &resps))
		return;
	json_t *read = json_array_get(resps, 0), *purged = json_array_get(resps, 1);
	if (mgmt_response_status(read) == 404)
		ctl_fail(ctl, n->addr, CTL_FAILED, "no queue %s", queue);
	else if (!(size = mgmt_response_value(n->client, read)) ||
		 !(removed = mgmt_response_value(n->client, purged)))
		ctl_fail_client(ctl, n, MGMT_EFAIL);
	else
		ctl_table_add(t, json_pack("{s:s, s:s, s:O}", "node", n->addr, "queue", queue,
					   "removed", msgsel ? removed : size));
	json_decref(resps);
}

/* The node's queues whose names the wildcard `pattern` matches, each
 * purged; none is an error, as a queue that does not exist is. */
static void purge_matching(struct ctl *ctl, struct ctl_node *n, const char *pattern,
			   const struct purge *p)
{
	json_t *names, *name;
	size_t i, found = 0;
	if (ctl_call_take(ctl, n, mgmt_request("search", MGMT_DOMAIN ":type=Broker,brokerName=*,"
					       "destinationType=Queue,destinationName=*"), &names))
		return;
	json_array_foreach(names, i, name) {
		char *queue = mgmt_name_key(json_string_value(name), "destinationName");
		if (queue && dest_match(pattern, queue)) {
			purge_one(ctl, n, queue, p->msgsel, (struct ctl_table *)&p->table);
			found++;
		}
		free(queue);
	}
	json_decref(names);
	if (!found)
		ctl_fail(ctl, n->addr, CTL_FAILED, "no queue matches %s", pattern);
}

static void purge_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct purge *p = arg;
	for (int i = 0; i < p->nqueues; i++) {
		const char *type, *name;
		ctl_parse_dest(p->queues[i], &type, &name);
		if (dest_has_wildcard(name))
			purge_matching(ctl, n, name, p);
		else
			purge_one(ctl, n, name, p->msgsel, &p->table);
	}
}

static int purge(struct ctl *ctl, struct ctl_args *a)
{
	struct purge p = { a->argv, a->argc, NULL, { 0 } };
	if (a->argc < 1)
		return ctl_usage(a, "expected at least one queue");
	for (int i = 0; i < a->argc; i++)
		if (!strncmp(a->argv[i], "topic://", 8))
			return ctl_usage(a, "%s: purge empties queues, not topics", a->argv[i]);
	char *sel = ctl_opt(a, "msgsel") ? ctl_msgsel_selector(ctl_opt(a, "msgsel")) : NULL;
	if (ctl_opt(a, "msgsel") && !sel) {
		/* Never go on without it: a purge would take every message. */
		ctl_fail(ctl, "--msgsel", CTL_FAILED, "out of memory");
		return 0;
	}
	p.msgsel = sel;
	ctl_each_node_table(ctl, &p.table, purge_cols, NCOLS(purge_cols), purge_node, &p);
	free(sel);
	return 0;
}

const struct ctl_command ctl_cmd_purge = {
	"purge", purge, "QUEUE... [--msgsel SELECTOR]",
	"removes the messages waiting on the queues (QUEUE may hold wildcards: orders.>); prints how many",
	purge_options, CTL_SLAVE_REFUSED,
};

/* ---- send ---- */

static const struct ctl_option send_options[] = {
	{ "persistent", false, NULL, "a persistent message (stored before the send is answered)" },
	{ "priority", true, "N", "the message's priority, 0 to 9" },
	{ "header", true, "K=V", "a header (repeatable)" },
	{ "body", true, "TEXT", "the body" },
	{ "file", true, "F", "the body is the content of file F (UTF-8 text)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column send_cols[] = {
	{ "node", "NODE", false, 0 }, { "destination", "DESTINATION", false, 0 },
	{ "id", "MESSAGE-ID", false, 0 },
};

struct send {
	const char *dest, *type, *name;
	json_t *headers;
	json_t *body;
	struct ctl_table table;
};

static void send_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct send *s = arg;
	const char *broker = ctl_broker(ctl, n);
	if (!broker)
		return;
	char *bmbean = ctl_broker_mbean(broker);
	char *dmbean = ctl_dest_mbean(broker, s->type, s->name);
	/* Destinations are created by use: add it first (a no-op when it is
	 * there), so that its object exists for sendTextMessage. */
	json_t *reqs = json_pack("[o, o]",
		exec_request(bmbean, *s->type == 'Q' ? "addQueue" : "addTopic",
			     json_pack("[s]", s->name)),
		exec_request(dmbean, "sendTextMessage", json_pack("[O, O]", s->headers, s->body)));
	json_t *resps, *id;
	free(bmbean);
	free(dmbean);
	if (ctl_bulk_take(ctl, n, reqs, &resps))
		return;
	if ((id = mgmt_response_value(n->client, json_array_get(resps, 1))))
		ctl_table_add(&s->table, json_pack("{s:s, s:s, s:O}", "node", n->addr,
						   "destination", s->dest, "id", id));
	else
		ctl_fail_client(ctl, n, MGMT_EFAIL);
	json_decref(resps);
}

static json_t *read_body_file(const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "tandemctl: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len + 65536 > cap) {
			char *more = realloc(data, cap = len + 65536);
			if (!more)
				break;
			data = more;
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	json_t *body = data ? json_stringn(data, len) : NULL;
	free(data);
	if (!body)
		fprintf(stderr, "tandemctl: %s: not UTF-8 text\n", file);
	return body;
}

static json_t *send_headers(const struct ctl_args *a, long priority)
{
	const char **kv;
	size_t n = ctl_opt_all(a, "header", &kv);
	json_t *h = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char *k = eq ? strndup(kv[i], (size_t)(eq - kv[i])) : NULL;
		if (!k || !*k) {
			free(k);
			json_decref(h);
			ctl_usage(a, "--header wants K=V, not \"%s\"", kv[i]);
			return NULL;
		}
		json_object_set_new(h, k, json_string(eq + 1));
		free(k);
	}
	json_object_set_new(h, "persistent", json_string(ctl_opt(a, "persistent") ? "true" : "false"));
	if (priority >= 0) {
		char p[24];
		snprintf(p, sizeof p, "%ld", priority);
		json_object_set_new(h, "priority", json_string(p));
	}
	return h;
}

static int send_cmd(struct ctl *ctl, struct ctl_args *a)
{
	struct send s = { 0 };
	long priority;
	if (a->argc != 1)
		return ctl_usage(a, "expected one destination");
	if (!ctl_opt(a, "body") == !ctl_opt(a, "file"))
		return ctl_usage(a, "give the body with --body TEXT or --file F (one of them)");
	if (ctl_opt_long(a, "priority", -1, 0, 9, &priority) < 0)
		return -1;
	s.dest = a->argv[0];
	ctl_parse_dest(s.dest, &s.type, &s.name);
	if (!(s.headers = send_headers(a, priority)))
		return -1;
	s.body = ctl_opt(a, "body") ? json_string(ctl_opt(a, "body")) : read_body_file(ctl_opt(a, "file"));
	if (!s.body) {
		json_decref(s.headers);
		ctl_raise(ctl, CTL_FAILED);
		return 0;
	}
	ctl_each_node_table(ctl, &s.table, send_cols, NCOLS(send_cols), send_node, &s);
	json_decref(s.headers);
	json_decref(s.body);
	return 0;
}

const struct ctl_command ctl_cmd_send = {
	"send", send_cmd, "DEST [--persistent] [--priority N] [--header K=V]... (--body TEXT | --file F)",
	"sends a text message (DEST: queue://NAME, topic://NAME or NAME, a queue)", send_options,
	CTL_SLAVE_REFUSED,
};

/* ---- stop ---- */

static const struct ctl_column stop_cols[] = {
	{ "node", "NODE", false, 0 }, { "broker", "BROKER", false, 0 }, { "result", "RESULT", false, 0 },
};

static void stop_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	const char *broker = ctl_broker(ctl, n);
	if (!broker)
		return;
	char *mbean = ctl_broker_mbean(broker);
	json_t *req = exec_request(mbean, "stop", NULL), *v = NULL;
	free(mbean);
	int rc = mgmt_client_call(n->client, req, &v);
	json_decref(req);
	json_decref(v);
	/* A broker may close the socket on its way down before it answers:
	 * that is the stop we asked for, not a node gone missing. */
	if (rc == MGMT_EFAIL)
		ctl_fail_client(ctl, n, rc);
	else
		ctl_table_add(arg, json_pack("{s:s, s:s, s:s}", "node", n->addr, "broker", broker,
					     "result", "stopping"));
}

static int stop(struct ctl *ctl, struct ctl_args *a)
{
	return ctl_table_command(ctl, a, stop_cols, NCOLS(stop_cols), stop_node);
}

const struct ctl_command ctl_cmd_stop = {
	"stop", stop, "", "stops the broker (asks nothing; a slave too)", NULL, CTL_SLAVE_ANSWERS,
};
