/*
 * cluster_poll.c - the cluster's nodes, asked by a thread (see
 * cluster_poll.h).
 *
 * The loop hands the thread this node's own neighbours (its seed, from
 * its own model: this node is never asked over the network), and the
 * thread finds the rest as tandemtop does: the nodes of a pair name each
 * other in their shared store directory (the Locker's PairNodes), and a
 * bridge learns its remote's management address in the handshake
 * (RemoteManagementAddress). A node once found stays on the page: down,
 * with what it said last, until this broker restarts.
 *
 * Login: a broker without users lets its own uid in (tandem-mgmt(7)),
 * and the nodes of one deployment run as one user; with users, the
 * thread logs in as the first networkConnector's userName, the login
 * this node's bridges already use at the other pairs.
 *
 * Nothing here touches the broker's state: the thread's only contact
 * with the loop is the view under the mutex. The loop keeps references
 * into a view it took (jansson counts references atomically here:
 * JSON_HAVE_ATOMIC_BUILTINS), and a view is never changed once given.
 * The thread never logs (the log belongs to the loop); a node's error
 * goes into the view.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "cluster.h"
#include "cluster_poll.h"
#include "config.h"
#include "log.h"
#include "mgmt_server.h"

#define ASK_TIMEOUT_MS 1500
#define IDLE_AFTER_MS 60000	/* nobody asked for a minute: rest */
#define NODES_MAX 64

struct pnode {
	char *addr;
	char *name;			/* NULL until it answers (or a neighbour names it) */
	struct mgmt_client *c;
	bool up;
	bool refused;			/* it answers, but not to this node's login */
	int64_t down_since;		/* 0 while up */
	int64_t seen;			/* its last answer */
	char error[256];
	json_t *last;			/* {broker, locker, queues, bridges, flows} */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started, stop;
	pthread_t thread;
	int64_t wanted;			/* when a page asked last */
	json_t *seed;			/* this node's neighbours, from the loop */
	json_t *view;
	/* The thread's own from here on. */
	char *user, *password;
	char *self;			/* this node's name: never asked, the loop has it */
	char self_addr[300];		/* its management address, as others name it */
	struct pnode nodes[NODES_MAX];
	size_t nnodes;
} cp = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What each page section shows, and no more: a pattern read answers
 * each object with the attributes it has (tandem-mgmt(7)). */
static const char *const read_attrs[] = {
	"BrokerName", "Slave", "UptimeMillis", "TotalMessageCount", "CurrentConnectionsCount",
	"MemoryPercentUsage", "StorePercentUsage",
	"Role", "Holder", "HolderStale", "WaitingSinceMillis", "PairNodes", "LastError",
	"Name", "QueueSize", "ConsumerCount", "ProducerCount", "BlockedProducers",
	"RemoteBrokerName", "RemoteBrokerType", "RemoteAddress", "RemoteManagementAddress", "State",
	"StateSinceMillis", "DownSinceMillis", "EnqueueCounter",
	"Direction", "DestinationName", "Count", "Rate",
	NULL,
};

/* The sections of a node's entry, each one pattern. */
static const struct {
	const char *key, *pattern;
	bool one;			/* a single object: its attributes, not a map */
} sections[] = {
	{ "broker", MGMT_BROKERS, true },
	{ "locker", MGMT_LOCKERS, true },
	{ "queues", MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=Queue,destinationName=*", false },
	{ "bridges", MGMT_BRIDGES, false },
	/* ",*": a flow names its remote's id too (remoteBrokerId) */
	{ "flows", MGMT_FLOWS, false },
};
#define NSECTIONS (sizeof sections / sizeof *sections)

static json_t *bulk_request(void)
{
	json_t *attrs = json_array(), *bulk = json_array();
	for (size_t i = 0; read_attrs[i]; i++)
		json_array_append_new(attrs, json_string(read_attrs[i]));
	for (size_t i = 0; i < NSECTIONS; i++)
		json_array_append_new(bulk, json_pack("{s:s, s:s, s:O}", "type", "read", "mbean",
						      sections[i].pattern, "attribute", attrs));
	json_decref(attrs);
	return bulk;
}

static struct pnode *find(const char *addr, const char *name)
{
	for (size_t i = 0; i < cp.nnodes; i++)
		if ((*addr && !strcmp(cp.nodes[i].addr, addr)) ||
		    (name && *name && cp.nodes[i].name && !strcmp(cp.nodes[i].name, name)))
			return &cp.nodes[i];
	return NULL;
}

/* A node of the pair without a management socket is listed all the
 * same (addr ""), never asked: the page tells its role by the lock. */
static void add_node(const char *addr, const char *name)
{
	char err[200];
	if (!addr || (!*addr && !(name && *name)) || (name && !strcmp(name, cp.self)) ||
	    (*addr && !strcmp(addr, cp.self_addr)) || find(addr, name) || cp.nnodes == NODES_MAX ||
	    (*addr && mgmt_client_check_addr(addr, err, sizeof err) < 0))
		return;
	struct pnode *n = &cp.nodes[cp.nnodes];
	memset(n, 0, sizeof *n);
	n->addr = strdup(addr);
	n->name = name && *name ? strdup(name) : NULL;
	n->c = n->addr && *addr ? mgmt_client_new(n->addr, ASK_TIMEOUT_MS) : NULL;
	if (!n->addr || (*addr && !n->c)) {
		free(n->addr);
		free(n->name);
		return;
	}
	if (cp.user && n->c)
		mgmt_client_set_login(n->c, cp.user, cp.password);
	cp.nnodes++;
}

static bool loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strncmp(addr, "localhost:", 10) ||
	       !strncmp(addr, "[::1]:", 6);
}

/* A remote that advertises a loopback address sits on the host its
 * bridge reached: ask that host. */
static void remote_addr(const char *advertised, const char *via, char *out, size_t outlen)
{
	const char *port = strrchr(advertised, ':'), *via_port = strrchr(via, ':');
	if (loopback(advertised) && !loopback(via) && port && via_port)
		snprintf(out, outlen, "%.*s%s", (int)(via_port - via), via, port);
	else
		snprintf(out, outlen, "%s", advertised);
}

/* The neighbours a node names: its pair, and its bridges' remotes. */
static void discover(const json_t *last)
{
	const char *name, *mbean;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(last, "locker"), "PairNodes"), name, v)
		add_node(json_string_value(v), name);
	json_object_foreach(json_object_get(last, "bridges"), mbean, v) {
		const char *adv = json_string_value(json_object_get(v, "RemoteManagementAddress"));
		const char *via = json_string_value(json_object_get(v, "RemoteAddress"));
		if (!adv || !*adv)
			continue;
		char target[300];
		remote_addr(adv, via ? via : "", target, sizeof target);
		add_node(target, json_string_value(json_object_get(v, "RemoteBrokerName")));
	}
}

static void set_down(struct pnode *n, const char *why)
{
	if (n->up || !n->down_since)
		n->down_since = now_ms();
	n->up = false;
	snprintf(n->error, sizeof n->error, "%s", why);
}

/* One node's answer, or down with why. */
static void ask(struct pnode *n)
{
	if (!n->c) {
		set_down(n, "no management address known");
		return;
	}
	json_t *req = bulk_request(), *resp = NULL;
	int rc = mgmt_client_send(n->c, req, &resp);
	json_decref(req);
	int status = mgmt_response_status(json_array_get(resp, 0));
	if (rc == MGMT_EFAIL || (rc == MGMT_OK && (status == 401 || status == 403))) {
		/* Not down: it answers, and refuses us (a login it wants). */
		n->refused = true;
		n->up = false;	/* its numbers, if any, are old */
		snprintf(n->error, sizeof n->error, "refused: %s", rc == MGMT_EFAIL
			 ? mgmt_client_error(n->c) : json_string_value(json_object_get(
				   json_array_get(resp, 0), "error")) ?: "no access");
		json_decref(resp);
		return;
	}
	n->refused = false;
	if (rc != MGMT_OK || !json_is_array(resp) || json_array_size(resp) != NSECTIONS) {
		set_down(n, rc != MGMT_OK ? mgmt_client_error(n->c) : "unexpected answer");
		json_decref(resp);
		return;
	}
	json_t *last = json_object();
	for (size_t i = 0; i < NSECTIONS; i++) {
		json_t *r = json_array_get(resp, i);
		json_t *v = mgmt_response_status(r) == 200 ? json_object_get(r, "value") : NULL;
		if (!json_is_object(v))
			v = NULL;
		if (sections[i].one) {
			/* {mbean: attrs}: this node's one object */
			const char *k;
			json_t *attrs = NULL, *a;
			json_object_foreach(v, k, a)
				if (!attrs)
					attrs = a;
			v = attrs;
		}
		json_object_set(last, sections[i].key, v ? v : json_object());
	}
	json_decref(resp);
	const char *name = json_string_value(json_object_get(json_object_get(last, "broker"),
							     "BrokerName"));
	if (name && (!n->name || strcmp(n->name, name))) {
		free(n->name);
		n->name = strdup(name);
	}
	json_decref(n->last);
	n->last = last;
	n->up = true;
	n->down_since = 0;
	n->seen = now_ms();
	n->error[0] = '\0';
}

static json_t *node_json(const struct pnode *n)
{
	json_t *o = n->last ? json_deep_copy(n->last) : json_object();
	json_object_set_new(o, "addr", json_string(n->addr));
	json_object_set_new(o, "name", json_string(n->name ? n->name : ""));
	json_object_set_new(o, "up", json_boolean(n->up));
	json_object_set_new(o, "refused", json_boolean(n->refused));
	json_object_set_new(o, "error", json_string(n->error));
	json_object_set_new(o, "downSince", json_integer(n->down_since));
	json_object_set_new(o, "seen", json_integer(n->seen));
	return o;
}

static void round_once(void)
{
	pthread_mutex_lock(&cp.mu);
	json_t *seed = json_incref(cp.seed);
	pthread_mutex_unlock(&cp.mu);
	discover(seed);
	json_decref(seed);
	/* Nodes found here are asked in this same round (cp.nnodes grows). */
	for (size_t i = 0; i < cp.nnodes; i++) {
		/* A broker stopping does not wait for the rest of a round. */
		if (__atomic_load_n(&cp.stop, __ATOMIC_ACQUIRE))
			return;
		ask(&cp.nodes[i]);
		if (cp.nodes[i].up)
			discover(cp.nodes[i].last);
	}
	json_t *nodes = json_array();
	for (size_t i = 0; i < cp.nnodes; i++)
		json_array_append_new(nodes, node_json(&cp.nodes[i]));
	json_t *view = json_pack("{s:I, s:o}", "at", (json_int_t)now_ms(), "nodes", nodes);
	pthread_mutex_lock(&cp.mu);
	json_t *old = cp.view;
	cp.view = view;
	pthread_mutex_unlock(&cp.mu);
	json_decref(old);
}

static void *run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cp.mu);
	while (!cp.stop) {
		if (now_ms() - cp.wanted > IDLE_AFTER_MS) {
			pthread_cond_wait(&cp.cv, &cp.mu);
			continue;
		}
		pthread_mutex_unlock(&cp.mu);
		round_once();
		pthread_mutex_lock(&cp.mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CLUSTER_POLL_MS / 1000;
		while (!cp.stop && pthread_cond_timedwait(&cp.cv, &cp.mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&cp.mu);
	return NULL;
}

int cluster_poll_want(const struct config *cfg, json_t *seed)
{
	pthread_mutex_lock(&cp.mu);
	cp.wanted = now_ms();
	json_t *old = cp.seed;
	cp.seed = seed;
	bool started = cp.started;
	pthread_mutex_unlock(&cp.mu);
	json_decref(old);
	if (started)
		return 0;
	for (size_t i = 0; i < cfg->nnetwork_connectors && !cp.user; i++) {
		const struct conf_network_connector *nc = &cfg->network_connectors[i];
		if (nc->user_name) {
			cp.user = strdup(nc->user_name);
			cp.password = strdup(nc->password ? nc->password : "");
		}
	}
	cp.self = strdup(cfg->broker_name);
	snprintf(cp.self_addr, sizeof cp.self_addr, "%s", mgmt_address());
	if (!cp.self || pthread_create(&cp.thread, NULL, run, NULL)) {
		log_error("web", "cluster page: cannot start its thread");
		return -1;
	}
	cp.started = true;
	return 0;
}

json_t *cluster_poll_view(void)
{
	pthread_mutex_lock(&cp.mu);
	json_t *v = json_incref(cp.view);
	pthread_mutex_unlock(&cp.mu);
	return v;
}

void cluster_poll_stop(void)
{
	if (!cp.started)
		return;
	pthread_mutex_lock(&cp.mu);
	cp.stop = true;
	pthread_cond_signal(&cp.cv);
	pthread_mutex_unlock(&cp.mu);
	pthread_join(cp.thread, NULL);
	cp.started = false;
	for (size_t i = 0; i < cp.nnodes; i++) {
		mgmt_client_free(cp.nodes[i].c);
		free(cp.nodes[i].addr);
		free(cp.nodes[i].name);
		json_decref(cp.nodes[i].last);
	}
	cp.nnodes = 0;
	json_decref(cp.view);
	cp.view = NULL;
	json_decref(cp.seed);
	cp.seed = NULL;
	free(cp.user);
	free(cp.password);
	free(cp.self);
	cp.user = cp.password = cp.self = NULL;
}
