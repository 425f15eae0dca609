/*
 * node.c - a node's watch stream, kept by a worker thread (see node.h).
 *
 * The management client library blocks, within the deadlines it is
 * given; a thread per node is what keeps those waits off the screen. The
 * node struct is shared by two owners, the screen and the worker, and
 * freed by the last to let go, so node_stop() never waits for a node that
 * takes its time to answer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "cluster.h"
#include "net.h"
#include "node.h"

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 4000
#define SLICE_MS 100		/* how often the worker looks for a job */

enum job_state { JOB_NONE, JOB_QUEUED, JOB_DONE, JOB_FAILED };

struct node {
	char *addr;
	struct node_options opt;	/* user and password are copies */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* stop or a job for the worker */
	/* Under mu. */
	int refs;
	bool stop;
	bool changed;
	enum node_state state;
	char err[256];
	json_t *value;
	int64_t time_ms;
	json_t *job;			/* the request, until the worker takes it */
	enum job_state job_state;
	json_t *job_value;
	char job_err[256];
};

/* Every attribute any screen shows, of every class watched: a pattern
 * read gives each object those it has (tandem-mgmt(7)). */
static const char *const watched_attrs[] = {
	/* Broker */
	"BrokerName", "BrokerId", "Slave", "Uptime", "UptimeMillis", "TotalMessageCount",
	"CurrentConnectionsCount", "MemoryPercentUsage", "StorePercentUsage",
	"TotalEnqueueCount", "TotalDequeueCount", "TotalConsumerCount", "DataDirectory",
	/* Locker */
	"Role", "Holder", "WaitingSinceMillis", "Attempts", "StoreDirectory", "LastError",
	"RoleSinceMillis", "HolderStale", "HolderRefreshedAgo", "PairNodes", "Events",
	"Kind", "Database", "TablePrefix", "LeaseExpires",
	/* destinations */
	"Name", "QueueSize", "ConsumerCount", "ProducerCount", "EnqueueCount", "DequeueCount",
	"BlockedProducers",
	/* NetworkBridge */
	"RemoteBrokerName", "RemoteBrokerId", "RemoteBrokerType", "RemoteAddress", "RemoteManagementAddress", "LocalAddress", "State",
	"StateSinceMillis", "DownSinceMillis", "EnqueueCounter", "Demand", "Connects", "Failures",
	"ForwardedBack", "Neighbour",
	/* NetworkFlow */
	"Direction", "DestinationName", "Count", "LastMillis",
	/* Connection */
	"Protocol", "ClientId", "UserName", "ConnectedSince", "Consumers", "DispatchCount",
	"Blocked",
	NULL,
};

static json_t *watch_request(int interval_ms)
{
	json_t *attrs = json_array();
	for (size_t i = 0; watched_attrs[i]; i++)
		json_array_append_new(attrs, json_string(watched_attrs[i]));
	return json_pack("{s:s, s:[s,s,s,s,s,s], s:o, s:i}", "type", "watch", "mbean",
			 MGMT_BROKERS, MGMT_LOCKERS, MGMT_DESTINATIONS, MGMT_BRIDGES, MGMT_FLOWS,
			 MGMT_CONNECTIONS,
			 "attribute", attrs, "interval", interval_ms);
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(const struct node *n)
{
	char byte = 1;
	/* A full pipe already says "look". */
	if (write(n->opt.wake_fd, &byte, 1) < 0 && errno != EAGAIN)
		return;
}

static void release(struct node *n)
{
	pthread_mutex_lock(&n->mu);
	bool last = --n->refs == 0;
	pthread_mutex_unlock(&n->mu);
	if (!last)
		return;
	json_decref(n->value);
	json_decref(n->job);
	json_decref(n->job_value);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	free((char *)n->opt.user);
	free((char *)n->opt.password);
	free(n->addr);
	free(n);
}

static void set_state(struct node *n, enum node_state state, const char *err)
{
	pthread_mutex_lock(&n->mu);
	n->changed |= n->state != state || strcmp(n->err, err);
	n->state = state;
	snprintf(n->err, sizeof n->err, "%s", err);
	pthread_mutex_unlock(&n->mu);
	wake(n);
}

/* Takes value. */
static void publish(struct node *n, json_t *value, int64_t time_ms)
{
	pthread_mutex_lock(&n->mu);
	json_decref(n->value);
	n->value = value;
	n->time_ms = time_ms;
	n->state = NODE_UP;
	n->err[0] = '\0';
	n->changed = true;
	pthread_mutex_unlock(&n->mu);
	wake(n);
}

static void finish_job(struct node *n, json_t *value, const char *err)
{
	pthread_mutex_lock(&n->mu);
	n->job_value = value;
	n->job_state = value ? JOB_DONE : JOB_FAILED;
	snprintf(n->job_err, sizeof n->job_err, "%s", err ? err : "");
	pthread_mutex_unlock(&n->mu);
	wake(n);
}

static json_t *take_job(struct node *n)
{
	pthread_mutex_lock(&n->mu);
	json_t *req = n->job;
	n->job = NULL;
	pthread_mutex_unlock(&n->mu);
	return req;
}

static void run_job(struct node *n, struct mgmt_client *c)
{
	json_t *req = take_job(n), *value = NULL;
	if (!req)
		return;
	int rc = mgmt_client_call(c, req, &value);
	json_decref(req);
	finish_job(n, rc ? NULL : value, rc ? mgmt_client_error(c) : NULL);
}

/* Waits ms, or until asked to stop; jobs fail meanwhile: no connection. */
static bool pause_ms(struct node *n, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&n->mu);
	for (;;) {
		if (n->job) {
			json_decref(n->job);
			n->job = NULL;
			pthread_mutex_unlock(&n->mu);
			finish_job(n, NULL, "the node is down");
			pthread_mutex_lock(&n->mu);
		}
		if (n->stop || pthread_cond_timedwait(&n->cv, &n->mu, &until) == ETIMEDOUT)
			break;
	}
	bool stop = n->stop;
	pthread_mutex_unlock(&n->mu);
	return !stop;
}

static bool stopping(struct node *n)
{
	pthread_mutex_lock(&n->mu);
	bool stop = n->stop;
	pthread_mutex_unlock(&n->mu);
	return stop;
}

/* One watch, until the node fails or falls silent. */
static void watch(struct node *n, struct mgmt_client *c, json_t *req, json_t *first)
{
	publish(n, first, wall_ms());
	/* Silence longer than a few intervals, and than the timeout: the node
	 * is stopped or hung, even though its socket is open. */
	int silence = n->opt.interval_ms * 3 > n->opt.timeout_ms ? n->opt.interval_ms * 3
								  : n->opt.timeout_ms;
	int64_t last = net_now_ms();
	while (!stopping(n)) {
		run_job(n, c);
		json_t *snap;
		int r = mgmt_client_next_snapshot(c, SLICE_MS, &snap);
		/* A big broker's snapshot comes in pages, and the rest is read;
		 * that may take longer than the interval, so only the newest
		 * snapshot waiting is worth it. */
		json_t *newer;
		while (r == 0 && mgmt_client_next_snapshot(c, 0, &newer) == 0) {
			json_decref(snap);
			snap = newer;
		}
		if (r == 0 && (r = mgmt_client_snapshot_rest(c, req, snap)) != 0)
			json_decref(snap);
		if (r == 0) {
			json_t *t = json_object_get(snap, "time_ms");
			publish(n, json_incref(json_object_get(snap, "value")),
				t ? json_integer_value(t) : wall_ms());
			json_decref(snap);
			last = net_now_ms();
			continue;
		}
		if (r == 1 && net_now_ms() - last < silence)
			continue;
		char why[300];
		if (r == 1)
			snprintf(why, sizeof why, "%s: no snapshot for %d s", n->addr,
				 (int)((net_now_ms() - last) / 1000));
		else
			snprintf(why, sizeof why, "%s", mgmt_client_error(c));
		set_state(n, NODE_DOWN, why);
		mgmt_client_close(c);
		return;
	}
}

static void *work(void *arg)
{
	struct node *n = arg;
	struct mgmt_client *c = mgmt_client_new(n->addr, n->opt.timeout_ms);
	json_t *req = watch_request(n->opt.interval_ms);
	int backoff = BACKOFF_FIRST_MS;
	if (c && n->opt.user)
		mgmt_client_set_login(c, n->opt.user, n->opt.password);
	while (c && req && !stopping(n)) {
		json_t *first = NULL;
		if (mgmt_client_watch(c, req, &first) > 0) {
			backoff = BACKOFF_FIRST_MS;
			watch(n, c, req, first);
			continue;
		}
		set_state(n, NODE_DOWN, mgmt_client_error(c));
		mgmt_client_close(c);
		if (!pause_ms(n, backoff))
			break;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	if (!c || !req)
		set_state(n, NODE_DOWN, "out of memory");
	json_decref(req);
	mgmt_client_free(c);
	release(n);
	return NULL;
}

struct node *node_start(const char *addr, const struct node_options *opt)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->addr = strdup(addr);
	n->opt = *opt;
	n->opt.user = opt->user ? strdup(opt->user) : NULL;
	n->opt.password = opt->password ? strdup(opt->password) : NULL;
	n->refs = 2;
	n->state = NODE_CONNECTING;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cv, NULL);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	bool ok = n->addr && (!opt->user || n->opt.user) && (!opt->password || n->opt.password) &&
		  pthread_create(&t, &attr, work, n) == 0;
	pthread_attr_destroy(&attr);
	if (!ok) {
		n->refs = 1;
		release(n);
		return NULL;
	}
	return n;
}

void node_stop(struct node *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->stop = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
	release(n);
}

const char *node_addr(const struct node *n) { return n->addr; }

bool node_poll(struct node *n, json_t **value, int64_t *time_ms, enum node_state *state,
	       char *err, size_t errlen)
{
	pthread_mutex_lock(&n->mu);
	bool changed = n->changed;
	*value = n->value;
	n->value = NULL;
	*time_ms = n->time_ms;
	*state = n->state;
	snprintf(err, errlen, "%s", n->err);
	n->changed = false;
	pthread_mutex_unlock(&n->mu);
	return changed;
}

int node_job_start(struct node *n, json_t *req)
{
	pthread_mutex_lock(&n->mu);
	bool busy = n->job_state == JOB_QUEUED;
	if (!busy) {
		json_decref(n->job_value);
		n->job_value = NULL;
		n->job = req;
		n->job_state = JOB_QUEUED;
		pthread_cond_signal(&n->cv);
	}
	pthread_mutex_unlock(&n->mu);
	if (busy)
		json_decref(req);
	return busy ? -1 : 0;
}

int node_job_poll(struct node *n, json_t **value, char *err, size_t errlen)
{
	pthread_mutex_lock(&n->mu);
	int r = n->job_state == JOB_DONE ? 1 : n->job_state == JOB_FAILED ? -1 : 0;
	if (r) {
		*value = n->job_value;
		n->job_value = NULL;
		snprintf(err, errlen, "%s", n->job_err);
		n->job_state = JOB_NONE;
	}
	pthread_mutex_unlock(&n->mu);
	return r;
}
