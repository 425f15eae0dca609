/*
 * neighbour.c - the thread that reads ActiveMQ neighbours' state from
 * their Jolokia endpoints (see neighbour.h).
 *
 * One bulk request a neighbour a round, as Jolokia's protocol documents
 * it (ActiveMQ 5.17 serves it at its web console's /api/jolokia):
 *   read org.apache.activemq:type=Broker,brokerName=*  (BrokerName,
 *        BrokerId, Uptime, UptimeMillis, TotalMessageCount)
 *   read ...,destinationType=Queue,destinationName=*    (QueueSize)
 *   read ...,connector=networkConnectors,networkConnectorName=*,
 *        networkBridge=*                               (its bridges)
 * A pattern that matches nothing is answered 404 by Jolokia: no queues
 * or no bridges, not a failure. The broker's own read failing is.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_http.h"
#include "config.h"
#include "log.h"
#include "model.h"
#include "neighbour.h"

#define AMQ MODEL_DOMAIN ":type=Broker,brokerName=*"

struct neighbour {
	const struct conf_jolokia_neighbour *conf;
	struct mgmt_http *http;
	json_t *view;			/* under nb.mu */
	int64_t due_ms;			/* monotonic: the next read */
	bool failing;			/* said so in the log since it last answered */
};

static struct {
	struct neighbour *v;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started, stop;
} nb = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *bulk_request(void)
{
	return json_pack("[{s:s,s:s,s:[s,s,s,s,s]},{s:s,s:s,s:s},{s:s,s:s,s:[s,s,s,s]}]",
			 "type", "read", "mbean", AMQ, "attribute", "BrokerName", "BrokerId",
			 "Uptime", "UptimeMillis", "TotalMessageCount",
			 "type", "read", "mbean", AMQ ",destinationType=Queue,destinationName=*",
			 "attribute", "QueueSize",
			 "type", "read", "mbean", AMQ ",connector=networkConnectors,"
			 "networkConnectorName=*,networkBridge=*", "attribute", "RemoteBrokerName",
			 "RemoteAddress", "EnqueueCounter", "DequeueCounter");
}

/* The value of key in an object name (Jolokia may give the keys in any
 * order); a new string, NULL when absent. */
static char *name_key(const char *mbean, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = strchr(mbean, ':'); p && *p; p = strchr(p + 1, ',')) {
		if (!strncmp(p + 1, key, n) && p[1 + n] == '=')
			return strndup(p + 2 + n, strcspn(p + 2 + n, ","));
	}
	return NULL;
}

/* The value of one answer of the bulk; NULL when it failed, with Jolokia's
 * words in err, or none when it is a pattern that matched nothing. */
static json_t *answer(json_t *resps, size_t i, char *err, size_t errlen)
{
	json_t *r = json_array_get(resps, i);
	json_int_t status = json_integer_value(json_object_get(r, "status"));
	if (status == 200)
		return json_object_get(r, "value");
	if (status != 404) {
		const char *e = json_string_value(json_object_get(r, "error"));
		snprintf(err, errlen, "Jolokia answered %" JSON_INTEGER_FORMAT ": %s", status,
			 e ? e : "no error text");
	}
	return NULL;
}

static void add_broker(json_t *view, json_t *brokers)
{
	const char *mbean;
	json_t *attrs;
	json_object_foreach(brokers, mbean, attrs) {
		json_object_update(view, attrs);
		break;	/* one broker a JVM, in ActiveMQ's deployments */
	}
}

static void add_queues(json_t *view, json_t *queues)
{
	json_t *out = json_object();
	const char *mbean;
	json_t *attrs;
	json_object_foreach(queues, mbean, attrs) {
		char *name = name_key(mbean, "destinationName");
		if (name)
			json_object_set(out, name, json_object_get(attrs, "QueueSize"));
		free(name);
	}
	json_object_set_new(view, "Queues", out);
}

static void add_bridges(json_t *view, json_t *bridges)
{
	json_t *out = json_array();
	const char *mbean;
	json_t *attrs;
	json_object_foreach(bridges, mbean, attrs)
		json_array_append(out, attrs);
	json_object_set_new(view, "NetworkBridges", out);
}

/* "reachable: amq up 5 minutes, 20 messages in 3 queues, bridges to t, b",
 * or "unreachable: why" */
static void summarise(json_t *view)
{
	char text[512];
	const char *state = json_string_value(json_object_get(view, "State"));
	const char *name = json_string_value(json_object_get(view, "BrokerName"));
	const char *err = json_string_value(json_object_get(view, "Error"));
	/* What it said before it failed is in the object, not in this line. */
	if (strcmp(state, "reachable")) {
		snprintf(text, sizeof text, "%s%s%s", state, *err ? ": " : "", err);
		json_object_set_new(view, "Summary", json_string(text));
		return;
	}
	const char *uptime = json_string_value(json_object_get(view, "Uptime"));
	int n = snprintf(text, sizeof text, "reachable: %s up %s, %" JSON_INTEGER_FORMAT
			 " messages in %zu queues", name ? name : "?", uptime ? uptime : "?",
			 json_integer_value(json_object_get(view, "TotalMessageCount")),
			 json_object_size(json_object_get(view, "Queues")));
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(view, "NetworkBridges"), i, b) {
		const char *to = json_string_value(json_object_get(b, "RemoteBrokerName"));
		if (n >= 0 && (size_t)n < sizeof text)
			n += snprintf(text + n, sizeof text - (size_t)n, "%s%s", i ? ", " :
				      ", bridges to ", to ? to : "?");
	}
	json_object_set_new(view, "Summary", json_string(text));
}

/* One read of nbr: the view it makes (new). The last view's figures stay
 * when the neighbour cannot be read, marked unreachable with why. */
static json_t *read_one(struct neighbour *nbr, json_t *last)
{
	const struct conf_jolokia_neighbour *c = nbr->conf;
	char err[512] = "";
	json_t *req = bulk_request(), *resps = NULL;
	int rc = req ? mgmt_http_post(nbr->http, c->user_name, c->password, req, &resps,
				      err, sizeof err) : -1;
	json_decref(req);
	json_t *view = json_deep_copy(last);
	if (!view)
		return NULL;
	json_t *brokers = rc == 0 ? answer(resps, 0, err, sizeof err) : NULL;
	if (rc == -2)
		snprintf(err, sizeof err, "the login was refused (HTTP 401)");
	else if (rc == 0 && !json_is_array(resps))
		snprintf(err, sizeof err, "not a Jolokia answer");
	else if (rc == 0 && !brokers && !*err)
		snprintf(err, sizeof err, "no ActiveMQ broker there (org.apache.activemq:"
			 "type=Broker not found)");
	if (brokers) {
		add_broker(view, brokers);
		add_queues(view, answer(resps, 1, err, sizeof err));
		add_bridges(view, answer(resps, 2, err, sizeof err));
		json_object_set_new(view, "ReadMillis", json_integer(clock_ms(CLOCK_REALTIME)));
	}
	json_object_set_new(view, "State", json_string(brokers ? "reachable" : "unreachable"));
	json_object_set_new(view, "Error", json_string(brokers ? "" : err));
	summarise(view);
	json_decref(resps);
	if (!brokers && !nbr->failing)
		log_warn("mgmt", "ActiveMQ neighbour %s: its Jolokia cannot be read: %s",
			 c->broker_name, err);
	else if (brokers && nbr->failing)
		log_info("mgmt", "ActiveMQ neighbour %s: its Jolokia answers again", c->broker_name);
	nbr->failing = !brokers;
	return view;
}

static void *run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&nb.mu);
	while (!nb.stop) {
		int64_t now = clock_ms(CLOCK_MONOTONIC), next = now + 60000;
		for (size_t i = 0; i < nb.n && !nb.stop; i++) {
			struct neighbour *nbr = &nb.v[i];
			if (nbr->due_ms <= now) {
				json_t *last = json_incref(nbr->view);
				pthread_mutex_unlock(&nb.mu);
				json_t *view = read_one(nbr, last);
				json_decref(last);
				pthread_mutex_lock(&nb.mu);
				if (view) {
					json_decref(nbr->view);
					nbr->view = view;
				}
				now = clock_ms(CLOCK_MONOTONIC);
				nbr->due_ms = now + nbr->conf->interval_ms;
			}
			if (nbr->due_ms < next)
				next = nbr->due_ms;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		int64_t wait = next - clock_ms(CLOCK_MONOTONIC);
		if (wait > 0 && !nb.stop) {
			until.tv_sec += wait / 1000;
			until.tv_nsec += (wait % 1000) * 1000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&nb.cv, &nb.mu, &until);
		}
	}
	pthread_mutex_unlock(&nb.mu);
	return NULL;
}

static void release(void)
{
	for (size_t i = 0; i < nb.n; i++) {
		mgmt_http_free(nb.v[i].http);
		json_decref(nb.v[i].view);
	}
	free(nb.v);
	nb.v = NULL;
	nb.n = 0;
}

int neighbour_start(const struct config *cfg)
{
	if (!cfg->njolokia_neighbours || nb.started)
		return 0;
	if (!(nb.v = calloc(cfg->njolokia_neighbours, sizeof *nb.v)))
		goto oom;
	for (size_t i = 0; i < cfg->njolokia_neighbours; i++, nb.n++) {
		struct neighbour *nbr = &nb.v[i];
		nbr->conf = &cfg->jolokia_neighbours[i];
		nbr->http = mgmt_http_new(nbr->conf->url, (int)nbr->conf->timeout_ms);
		nbr->view = json_pack("{s:s,s:s,s:s,s:i}", "BrokerName", nbr->conf->broker_name,
				      "State", "not read yet", "Error", "", "ReadMillis", 0);
		if (!nbr->http || !nbr->view)
			goto oom;
		summarise(nbr->view);
	}
	nb.stop = false;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&nb.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&nb.thread, NULL, run, NULL)) {
		log_error("mgmt", "Cannot start the thread that reads ActiveMQ neighbours' Jolokia");
		release();
		return -1;
	}
	nb.started = true;
	for (size_t i = 0; i < nb.n; i++)
		log_info("mgmt", "ActiveMQ neighbour %s: its Jolokia read every %ld ms",
			 nb.v[i].conf->broker_name, nb.v[i].conf->interval_ms);
	return 0;
oom:
	log_error("mgmt", "Out of memory for the ActiveMQ neighbours' Jolokia");
	release();
	return -1;
}

void neighbour_stop(void)
{
	if (!nb.started)
		return;
	pthread_mutex_lock(&nb.mu);
	nb.stop = true;
	pthread_cond_signal(&nb.cv);
	pthread_mutex_unlock(&nb.mu);
	pthread_join(nb.thread, NULL);
	pthread_cond_destroy(&nb.cv);
	release();
	nb.started = false;
}

json_t *neighbour_view(const char *broker_name)
{
	json_t *view = NULL;
	pthread_mutex_lock(&nb.mu);
	for (size_t i = 0; broker_name && i < nb.n && !view; i++)
		if (!strcmp(nb.v[i].conf->broker_name, broker_name))
			view = json_incref(nb.v[i].view);
	pthread_mutex_unlock(&nb.mu);
	return view;
}

json_t *neighbour_summary(const char *broker_name)
{
	json_t *view = neighbour_view(broker_name);
	json_t *s = json_string(view ? json_string_value(json_object_get(view, "Summary")) : "");
	json_decref(view);
	return s;
}
