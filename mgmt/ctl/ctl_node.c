/*
 * ctl_node.c - requests to one node on behalf of a tandemctl command, and
 * the one place their failures are reported.
 *
 * Every failure a command meets goes through ctl_fail(): one line on
 * stderr naming the node, and the exit code raised (an unreachable node
 * outranks a failed operation, so scripts can tell "down" from "said no").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "failover.h"
#include "net.h"

/* How bad each exit code is: unreachable > slave > failed > ok (usage
 * errors end the run before any node is asked). */
static int rank(int code)
{
	static const int ranks[] = { [CTL_OK] = 0, [CTL_FAILED] = 1, [CTL_USAGE] = 4,
				     [CTL_UNREACHABLE] = 3, [CTL_SLAVE] = 2 };
	return code >= 0 && (size_t)code < sizeof ranks / sizeof ranks[0] ? ranks[code] : 0;
}

void ctl_raise(struct ctl *ctl, int code)
{
	if (rank(code) > rank(ctl->exit_code))
		ctl->exit_code = code;
}

void ctl_fail(struct ctl *ctl, const char *where, int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tandemctl: %s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_raise(ctl, code);
}

void ctl_fail_client(struct ctl *ctl, const struct ctl_node *n, int rc)
{
	/* The client's errors already start with the node's address. */
	fprintf(stderr, "tandemctl: %s\n", mgmt_client_error(n->client));
	ctl_raise(ctl, rc == MGMT_EDOWN ? CTL_UNREACHABLE : CTL_FAILED);
}

/* A slave's broker name (it is known now: saves ctl_broker a request)
 * and the master of its pair: the lock's holder ("NAME on HOST pid ...",
 * a lease's only its leaseHolderId, the broker's name unless set) and its
 * management address from the pair's roster (PairNodes). */
static void say_slave(struct ctl *ctl, struct ctl_node *n, json_t *broker, json_t *locker)
{
	const char *name = json_string_value(json_object_get(broker, "BrokerName"));
	const char *holder = json_string_value(json_object_get(locker, "Holder"));
	char master[256] = "";
	if (holder)
		snprintf(master, sizeof master, "%.*s", strstr(holder, " on ") ?
			 (int)(strstr(holder, " on ") - holder) : (int)strlen(holder), holder);
	const char *addr = json_string_value(json_object_get(json_object_get(locker, "PairNodes"),
							     master));
	if (!master[0])
		ctl_fail(ctl, n->addr, CTL_SLAVE, "%s is a slave; no master holds its pair's lock now",
			 name ? name : "the broker");
	else if (!addr)
		ctl_fail(ctl, n->addr, CTL_SLAVE, "%s is a slave; the master of its pair is %s "
			 "(its address is not known)", name ? name : "the broker", master);
	else
		ctl_fail(ctl, n->addr, CTL_SLAVE, "%s is a slave; the master of its pair is %s at %s "
			 "(--node %s)", name ? name : "the broker", master, addr, addr);
}

/* 1 when the node's broker is a slave (said, exit code 4), 0 when not,
 * else an MGMT_E* error (reported). One bulk request: the broker's name,
 * id and Slave flag and its Locker. */
static int check_slave(struct ctl *ctl, struct ctl_node *n)
{
	static const char *const battrs[] = { "BrokerName", "BrokerId", "Slave", NULL };
	static const char *const lattrs[] = { "Holder", "PairNodes", NULL };
	json_t *resps;
	int rc = ctl_bulk_take(ctl, n, json_pack("[o, o]", ctl_read_request(MGMT_BROKERS, battrs, NULL),
						 ctl_read_request(MGMT_LOCKERS, lattrs, NULL)),
			       &resps);
	if (rc)
		return rc;
	/* One broker a node: the first object of each pattern read. */
	void *it = json_object_iter(json_object_get(json_array_get(resps, 0), "value"));
	json_t *broker = json_object_iter_value(it);
	it = json_object_iter(json_object_get(json_array_get(resps, 1), "value"));
	json_t *locker = json_object_iter_value(it);
	const char *name = json_string_value(json_object_get(broker, "BrokerName"));
	bool slave = json_is_true(json_object_get(broker, "Slave"));
	const char *id = json_string_value(json_object_get(broker, "BrokerId"));
	if (name && !n->broker)
		n->broker = strdup(name);
	if (id && *id && !n->broker_id)
		n->broker_id = strdup(id);
	if (slave)
		say_slave(ctl, n, broker, locker);
	json_decref(resps);
	return slave;
}

/* The node's BrokerId and name, quietly: the command says what fails. */
static void learn_id(struct ctl_node *n)
{
	static const char *const attrs[] = { "BrokerId", "BrokerName", NULL };
	json_t *req = ctl_read_request(MGMT_BROKERS, attrs, NULL), *value = NULL;
	if (req && !n->broker_id && mgmt_client_call(n->client, req, &value) == MGMT_OK) {
		json_t *broker = json_object_iter_value(json_object_iter(value));
		const char *id = json_string_value(json_object_get(broker, "BrokerId"));
		const char *name = json_string_value(json_object_get(broker, "BrokerName"));
		if (id && *id)
			n->broker_id = strdup(id);
		if (name && !n->broker)
			n->broker = strdup(name);
	}
	json_decref(req);
	json_decref(value);
}

int ctl_node_open(struct ctl *ctl, struct ctl_node *n)
{
	/* A node that did not answer ctl_merge_nodes is not tried twice. */
	int rc = n->connect_rc ? n->connect_rc : mgmt_client_connect(n->client);
	n->connect_rc = 0;
	if (rc) {
		ctl_fail_client(ctl, n, rc);
		return rc;
	}
	if (ctl->slave == CTL_SLAVE_ANSWERS)
		return 0;
	rc = check_slave(ctl, n);
	return rc == 1 && ctl->slave == CTL_SLAVE_SAID ? 0 : rc;
}

void ctl_each_node(struct ctl *ctl, void (*fn)(struct ctl *, struct ctl_node *, void *),
		   void *arg)
{
	for (size_t i = 0; i < ctl->nnodes; i++)
		if (ctl_node_open(ctl, &ctl->nodes[i]) == 0)
			fn(ctl, &ctl->nodes[i], arg);
}

/* An earlier node with the same BrokerId: the same broker at another
 * address (127.0.0.1 and the host's name of one bound to 0.0.0.0). */
static const struct ctl_node *same_broker(const struct ctl *ctl, const struct ctl_node *n)
{
	for (const struct ctl_node *o = ctl->nodes; n->broker_id && o < n; o++)
		if (o->broker_id && !strcmp(o->broker_id, n->broker_id))
			return o;
	return NULL;
}

void ctl_merge_nodes(struct ctl *ctl)
{
	if (ctl->nnodes < 2)
		return;
	for (size_t i = 0; i < ctl->nnodes; i++) {
		struct ctl_node *n = &ctl->nodes[i];
		n->connect_rc = mgmt_client_connect(n->client);
		if (!n->connect_rc)
			learn_id(n);
	}
	size_t kept = 0;
	for (size_t i = 0; i < ctl->nnodes; i++) {
		struct ctl_node *n = &ctl->nodes[i];
		const struct ctl_node *o = same_broker(ctl, n);
		if (!o) {
			ctl->nodes[kept++] = *n;
			continue;
		}
		fprintf(stderr, "tandemctl: %s is broker %s, given already as %s: shown once\n",
			n->addr, n->broker ? n->broker : n->broker_id, o->addr);
		ctl_node_release(n);
	}
	ctl->nnodes = kept;
}

void ctl_each_node_table(struct ctl *ctl, struct ctl_table *t, const struct ctl_column *cols,
			 size_t ncols, void (*fn)(struct ctl *, struct ctl_node *, void *), void *arg)
{
	ctl_table_init(t, cols, ncols);
	ctl_each_node(ctl, fn, arg ? arg : t);
	ctl_table_print(t, ctl->json);
}

int ctl_table_command(struct ctl *ctl, struct ctl_args *a, const struct ctl_column *cols,
		      size_t ncols, void (*fn)(struct ctl *, struct ctl_node *, void *))
{
	struct ctl_table t;
	if (a->argc)
		return ctl_usage(a, "unexpected argument %s", a->argv[0]);
	ctl_each_node_table(ctl, &t, cols, ncols, fn, NULL);
	return 0;
}

int ctl_call_take(struct ctl *ctl, struct ctl_node *n, json_t *req, json_t **value)
{
	int rc = req ? mgmt_client_call(n->client, req, value) : MGMT_EFAIL;
	if (!req)
		ctl_fail(ctl, n->addr, CTL_FAILED, "out of memory");
	else if (rc)
		ctl_fail_client(ctl, n, rc);
	json_decref(req);
	return rc;
}

int ctl_bulk_take(struct ctl *ctl, struct ctl_node *n, json_t *reqs, json_t **resps)
{
	int rc = reqs ? mgmt_client_send(n->client, reqs, resps) : MGMT_EFAIL;
	size_t want = json_array_size(reqs);
	json_decref(reqs);
	if (rc) {
		ctl_fail_client(ctl, n, rc);
		return rc;
	}
	if (!json_is_array(*resps) || json_array_size(*resps) != want) {
		ctl_fail(ctl, n->addr, CTL_FAILED, "the answer to a bulk request is not an array of %zu responses", want);
		json_decref(*resps);
		*resps = NULL;
		return MGMT_EFAIL;
	}
	return MGMT_OK;
}

json_t *ctl_matched(struct ctl *ctl, struct ctl_node *n, json_t *resp)
{
	json_t *v = NULL;
	const char *type = json_string_value(json_object_get(resp, "error_type"));
	/* Only "no such object" means nothing matched; a 404 for a missing
	 * attribute is an error worth showing. */
	if (mgmt_response_status(resp) == 404 && type && strstr(type, "InstanceNotFound"))
		v = json_object();
	else if (!(v = mgmt_response_value(n->client, resp)))
		ctl_fail_client(ctl, n, MGMT_EFAIL);
	else
		v = json_incref(v);
	return v;
}

json_t *ctl_read_request(const char *mbean, const char *const *attrs, json_t *config)
{
	json_t *req = mgmt_request("read", mbean);
	json_t *list = attrs ? json_array() : NULL;
	for (size_t i = 0; list && attrs[i]; i++)
		json_array_append_new(list, json_string(attrs[i]));
	if (req && list)
		json_object_set_new(req, "attribute", list);
	else
		json_decref(list);
	if (req && config)
		json_object_set_new(req, "config", config);
	else
		json_decref(config);
	return req;
}

char *ctl_broker_mbean(const char *broker)
{
	char *s;
	return asprintf(&s, MGMT_DOMAIN ":type=Broker,brokerName=%s", broker) < 0 ? NULL : s;
}

char *ctl_dest_mbean(const char *broker, const char *type, const char *dest)
{
	char *s;
	return asprintf(&s, MGMT_DOMAIN ":type=Broker,brokerName=%s,destinationType=%s,"
			"destinationName=%s", broker, type, dest) < 0 ? NULL : s;
}

const char *ctl_broker(struct ctl *ctl, struct ctl_node *n)
{
	int rc = n->broker ? MGMT_OK : mgmt_client_broker(n->client, &n->broker);
	if (rc)
		ctl_fail_client(ctl, n, rc);
	return n->broker;
}

void ctl_parse_dest(const char *dest, const char **type, const char **name)
{
	*type = "Queue";
	*name = dest;
	if (!strncmp(dest, "queue://", 8)) {
		*name = dest + 8;
	} else if (!strncmp(dest, "topic://", 8)) {
		*type = "Topic";
		*name = dest + 8;
	}
}

/* The port of the first connector whose URI starts with `scheme`, or 0. */
static int connector_port(json_t *connectors, const char *scheme)
{
	const char *key;
	json_t *uri;
	size_t len = strlen(scheme);
	json_object_foreach(connectors, key, uri) {
		const char *u = json_string_value(uri);
		if (!u || strncmp(u, scheme, len) || strncmp(u + len, "://", 3))
			continue;
		const char *colon = strrchr(u + len + 3, ':');
		if (colon)
			return atoi(colon + 1);
	}
	return 0;
}

/* HOST:PORT of a node's address; of a web console's URL
 * (http://HOST:PORT/...), its host and port; a unix socket's node is on
 * this host (the port is not used). */
static const char *node_host_port(const char *addr, char *out, size_t outlen)
{
	if (addr[0] == '/')
		return "127.0.0.1:1";
	const char *p = strstr(addr, "://");
	if (!p)
		return addr;
	p += 3;
	snprintf(out, outlen, "%.*s", (int)strcspn(p, "/"), p);
	const char *tail = out[0] == '[' ? strchr(out, ']') : out;
	if (!tail || !strchr(tail, ':'))
		snprintf(out + strlen(out), outlen - strlen(out), ":80");
	return out;
}

/* The STOMP address of a node (malloc'ed), or NULL after reporting why. */
static char *stomp_addr(struct ctl *ctl, struct ctl_node *n)
{
	const char *broker = ctl_broker(ctl, n);
	if (!broker)
		return NULL;
	char *mbean = ctl_broker_mbean(broker);
	json_t *connectors = NULL;
	json_t *req = json_pack("{s:s, s:s?, s:s}", "type", "read", "mbean", mbean,
				"attribute", "TransportConnectors");
	free(mbean);
	if (ctl_call_take(ctl, n, req, &connectors))
		return NULL;
	int port = connector_port(connectors, "stomp");
	if (!port)
		port = connector_port(connectors, "tcp");
	json_decref(connectors);
	char *host = NULL, *addr = NULL, why[128], hp[300];
	int mport;
	if (!port) {
		ctl_fail(ctl, n->addr, CTL_FAILED, "the broker has no stomp:// or tcp:// connector; give --stomp HOST:PORT");
	} else if (net_split_addr(node_host_port(n->addr, hp, sizeof hp), &host, &mport, why,
				  sizeof why) == 0 &&
		   asprintf(&addr, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port) < 0) {
		addr = NULL;
	}
	free(host);
	return addr;
}

char *ctl_stomp_dest(const char *dest)
{
	const char *type, *name;
	char *s;
	ctl_parse_dest(dest, &type, &name);
	return asprintf(&s, "/%s/%s", *type == 'Q' ? "queue" : "topic", name) < 0 ? NULL : s;
}

int ctl_stomp_option(const struct ctl_args *a, const char **uri)
{
	struct failover f;
	char why[512];
	*uri = ctl_opt(a, "stomp");
	if (!*uri)
		return 0;
	if (failover_parse(*uri, &f, why, sizeof why) < 0)
		return ctl_usage(a, "--stomp %s: %s", *uri, why);
	failover_free(&f);
	return 0;
}

struct stomp_each {
	void (*fn)(struct ctl *, const char *, const char *, void *);
	void *arg;
};

static void stomp_node(struct ctl *ctl, struct ctl_node *n, void *arg)
{
	struct stomp_each *e = arg;
	char *addr = stomp_addr(ctl, n);
	if (addr)
		e->fn(ctl, n->addr, addr, e->arg);
	free(addr);
}

void ctl_each_stomp(struct ctl *ctl, const char *given,
		    void (*fn)(struct ctl *, const char *label, const char *addr, void *), void *arg)
{
	struct stomp_each e = { fn, arg };
	if (given)
		fn(ctl, given, given, arg);
	else
		ctl_each_node(ctl, stomp_node, &e);
}
