/*
 * broker.c - the broker object: start-up, routing, queues, durable
 * subscriptions, dead letters (see broker.h).
 *
 * Once per loop iteration, before the loop sleeps, iteration_end() runs:
 * closed connections are reaped (their unacked messages go back), queues
 * that gained messages or room are dispatched, everything the iteration
 * queued for the store is committed in one transaction (receipts follow
 * the commit), and all output is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advisory.h"
#include "bridge.h"
#include "bridge_inbound.h"
#include "broker.h"
#include "buf.h"
#include "client_id.h"
#include "commit_hold.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "consumer.h"
#include "dedupe.h"
#include "dispatch_mark.h"
#include "discovery.h"
#include "flow.h"
#include "kahadb.h"
#include "kahadb_import.h"
#include "message_select.h"
#include "lease_locker.h"
#include "locker.h"
#include "netflow.h"
#include "log.h"
#include "loop.h"
#include "memtrim.h"
#include "producer_audit.h"
#include "proto.h"
#include "queue.h"
#include "resolve.h"
#include "retain.h"
#include "selector.h"
#include "store.h"
#include "temp_dest.h"
#include "temp_store.h"
#include "topic.h"
#include "txn.h"
#include "wildcard.h"

/* ActiveMQ's expireMessagesPeriod default. Tests only:
 * TANDEM_TEST_EXPIRY_SWEEP_MS in the environment sets another. */
#define EXPIRY_SWEEP_MS 30000

static long expiry_sweep_ms(void)
{
	const char *test = getenv("TANDEM_TEST_EXPIRY_SWEEP_MS");
	long ms = test ? strtol(test, NULL, 10) : 0;
	return ms > 0 ? ms : EXPIRY_SWEEP_MS;
}

struct broker broker;

/* Callbacks waiting for the end of an iteration in which the store had
 * nothing to commit. */
struct later {
	store_done_fn fn;
	void *ctx;
	struct later *next;
};
static struct later *later_head, **later_tail = &later_head;

struct queue *broker_queue(const char *name, bool create)
{
	struct queue *found = nameset_get(&broker.queue_index, name);
	if (found)
		return found;
	if (!create)
		return NULL;
	char container[1024];
	snprintf(container, sizeof container, "queue://%s", name);
	struct queue *q = queue_new(QUEUE_NAMED, name, container);
	if (!q)
		return NULL;
	q->mem_limit = flow_queue_limit(name);
	if (nameset_add(&broker.queue_index, q->name, q) < 0) {
		queue_free(q, false);
		return NULL;
	}
	q->next = broker.queues;
	broker.queues = q;
	for (struct consumer *c = broker.wildcard_queue_consumers; c; c = c->next)
		if (dest_match(c->dest, name))
			queue_bind(q, c);
	return q;
}

size_t broker_message_id_into(char out[BROKER_MESSAGE_ID_MAX])
{
	/* Not printf: one per message received. */
	size_t n = strnlen(broker.id_prefix, sizeof broker.id_prefix - 1);
	memcpy(out, broker.id_prefix, n);
	n += buf_i64_text((int64_t)++broker.next_message, out + n);
	out[n] = '\0';
	return n;
}

char *broker_new_message_id(void)
{
	char id[BROKER_MESSAGE_ID_MAX];
	size_t n = broker_message_id_into(id);
	char *s = malloc(n + 1);
	if (s)
		memcpy(s, id, n + 1);
	return s;
}

bool broker_login_ok(const char *user, const char *password)
{
	const struct config *cfg = broker.cfg;
	if (!cfg->nusers)
		return true;
	for (size_t i = 0; i < cfg->nusers; i++)
		if (user && password && !strcmp(cfg->users[i].username, user) &&
		    !strcmp(cfg->users[i].password, password))
			return true;
	return false;
}

static bool store_it(const struct message *m)
{
	return m->persistent && broker.store;
}

/* The message row is written once, before the first entry that needs it. */
static int ensure_stored(struct message *m, bool *written)
{
	if (*written)
		return 0;
	if (store_add_message(broker.store, m) < 0)
		return -1;
	*written = true;
	return 0;
}

/* A publish on its way to a topic's subscriptions (send_to_topic). */
struct publish {
	struct message *m;
	bool written;		/* to the store: once, for every durable */
};

static int to_subscriber(void *sub, void *ctx)
{
	struct consumer *c = sub;
	struct message *m = ((struct publish *)ctx)->m;
	if (!consumer_selects(c, m))	/* its selector, and what a bridge wants */
		return 0;
	if (queue_enqueue(c->own, m, false) < 0)
		return -1;
	m->routes++;
	return 0;
}

static int to_durable(void *sub, void *ctx)
{
	struct durable *d = sub;
	struct publish *p = ctx;
	if (!selector_accepts(d->selector, p->m) ||
	    (d->active && consumer_skips_local(d->active, p->m)) ||
	    (d->network && !bridge_durable_admits(d, p->m)))
		return 0;
	if (store_it(p->m) && ensure_stored(p->m, &p->written) < 0)
		return -1;
	if (queue_enqueue(d->queue, p->m, store_it(p->m)) < 0)
		return -1;
	p->m->routes++;
	return 0;
}

static int send_to_topic(struct message *m)
{
	struct publish p = { m, false };
	int rc = topic_index_match(&broker.topic_subs, m->dest, to_subscriber, &p);
	return rc ? rc : topic_index_match(&broker.durable_subs, m->dest, to_durable, &p);
}

int broker_send(struct message *m, char *err, size_t errlen)
{
	m->timestamp = broker.now_wall;
	broker.total_enqueues++;
	m->counted = true;
	int rc;
	if (m->dest_type == DEST_TOPIC) {
		struct topic *t = topic_get(m->dest, true);
		if (t)
			t->enqueues++;
		m->counted_topic = t != NULL;
		rc = send_to_topic(m);
	} else {
		struct queue *q = broker_queue(m->dest, true);
		bool written = false;
		rc = !q ? -1 : store_it(m) && ensure_stored(m, &written) < 0 ? -1
			: queue_enqueue(q, m, store_it(m));
		m->routes += rc == 0;
	}
	if (rc < 0)
		snprintf(err, errlen, "The broker could not accept the message for %s "
			 "/%s/%s: out of memory", m->persistent ? "persistent" : "non-persistent",
			 dest_type_name(m->dest_type), m->dest);
	return rc;
}

bool broker_path_has(const char *path, const char *id)
{
	size_t len = strlen(id);
	for (const char *p = path; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && !strncmp(p, id, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

int broker_path_length(const char *path)
{
	int n = path && *path;
	for (const char *p = path; p && *p; p++)
		n += *p == ',';
	return n;
}

bool broker_in_path(const struct message *m)
{
	return broker_path_has(message_header(m, NETWORK_PATH_HEADER), broker.id_prefix);
}

void broker_route_taken_back(struct message *m, uint32_t n)
{
	m->routes = n < m->routes ? m->routes - n : 0;
	if (m->routes || !m->counted)
		return;
	m->counted = false;
	broker.total_enqueues--;
	struct topic *t = m->counted_topic ? topic_get(m->dest, false) : NULL;
	if (t && t->enqueues)
		t->enqueues--;
	m->counted_topic = false;
}

void broker_dead_letter(struct queue *from, struct message *m, const char *cause)
{
	if (!m->persistent) {
		log_info("broker", "Discarding non-persistent message %s from %s: %s",
			 m->id, from->name, cause);
		return;
	}
	char origin[1024];
	snprintf(origin, sizeof origin, "/%s/%s", dest_type_name(m->dest_type), m->dest);
	struct header extra[] = {
		{ "dlqDeliveryFailureCause", (char *)cause },
		{ "originalDestination", origin },
	};
	struct queue *dlq = broker_queue(DLQ_NAME, true);
	if (from == dlq) {
		/* Nowhere further to go: sending it back would loop forever. */
		log_warn("broker", "Discarding message %s from %s: %s", m->id, from->name, cause);
		return;
	}
	struct message *copy = message_copy_to(m, DEST_QUEUE, DLQ_NAME, extra, 2);
	/* As ActiveMQ does: a dead letter does not expire, or expired
	 * messages would vanish from the DLQ before anyone looked. */
	if (copy)
		copy->expires = 0;
	bool written = false;
	if (!copy || !dlq || (broker.store && ensure_stored(copy, &written) < 0) ||
	    queue_enqueue(dlq, copy, broker.store != NULL) < 0)
		log_error("broker", "Could not move message %s from %s to %s: out of memory; "
			  "the message is lost", m->id, from->name, DLQ_NAME);
	else
		/* A poison message is news to an operator; expiry is routine. */
		log_msg(strcmp(cause, "message expired") ? LOG_INFO : LOG_DEBUG, "broker",
			"Message %s from %s sent to %s: %s", m->id, from->name, DLQ_NAME, cause);
	message_unref(copy);
}

void broker_after_commit(store_done_fn fn, void *ctx)
{
	if (broker.store && store_pending(broker.store) &&
	    store_on_commit(broker.store, fn, ctx) == 0)
		return;
	struct later *l = malloc(sizeof *l);
	if (!l) {
		fn(ctx, 0);
		return;
	}
	*l = (struct later){ fn, ctx, NULL };
	*later_tail = l;
	later_tail = &l->next;
}

/* The producer count of a destination, or NULL when it is gone. */
static long *producers_of(bool is_topic, const char *dest)
{
	if (is_topic) {
		struct topic *t = topic_get(dest, false);
		return t ? &t->producers : NULL;
	}
	struct queue *q = broker_queue(dest, false);
	return q ? &q->producers : NULL;
}

/* c no longer counts as a producer of its last destination. */
static void forget_producer(struct conn *c)
{
	if (!c->producer_dest)
		return;
	long *n = producers_of(c->producer_topic, c->producer_dest);
	if (n && *n > 0)
		(*n)--;
	free(c->producer_dest);
	c->producer_dest = NULL;
}

void broker_note_send(struct conn *c, const struct message *m)
{
	c->msgs_in++;
	bool is_topic = m->dest_type == DEST_TOPIC;
	if (c->producer_dest && c->producer_topic == is_topic && !strcmp(c->producer_dest, m->dest))
		return;
	char *dest = strdup(m->dest);
	if (!dest)
		return;	/* the count stays with the old destination */
	forget_producer(c);
	c->producer_dest = dest;
	c->producer_topic = is_topic;
	long *n = producers_of(is_topic, dest);
	if (n)
		(*n)++;
}

void broker_conn_gone(struct conn *c)
{
	client_id_release(c);
	forget_producer(c);
	temp_dest_conn_gone(c);
}

int broker_queue_remove(const char *name, char *err, size_t errlen)
{
	struct queue *q = broker_queue(name, false);
	if (!q) {
		snprintf(err, errlen, "No queue %s", name);
		return -1;
	}
	if (q->nconsumers || q->ninflight) {
		snprintf(err, errlen, "Queue %s has %zu consumer(s); close them first", name,
			 q->nconsumers);
		return -1;
	}
	/* The store forgets the container's entries whole, in its writer's
	 * thread: reading a backlog back only to remove it one by one held
	 * the loop (0.7 s for 300,000 messages). */
	size_t held = q->npending + q->npaged;
	if (broker.store)
		store_remove_container(broker.store, q->container);
	struct store *temp = temp_store_if_open();
	if (temp)
		store_remove_container(temp, q->container);
	nameset_del(&broker.queue_index, q->name);
	struct queue **pp = &broker.queues;
	while (*pp != q)
		pp = &(*pp)->next;
	*pp = q->next;
	log_info("broker", "Queue %s removed with %zu message(s)", name, held);
	queue_free(q, false);
	return 0;
}

struct commit_watch {
	struct conn *c;		/* one reference */
	void (*failed)(struct conn *c, int err);
};

static void watch_done(void *ctx, int err)
{
	struct commit_watch *w = ctx;
	if (err < 0 && !w->c->dead && !w->c->closing)
		w->failed(w->c, err);
	conn_unref(w->c);
	free(w);
}

void broker_watch_commit(struct conn *c, void (*failed)(struct conn *c, int err))
{
	struct store *st = broker.store;
	if (!st || !store_pending(st) || c->store_watched == store_batch_id(st) + 1)
		return;
	struct commit_watch *w = malloc(sizeof *w);
	if (!w)
		return;
	*w = (struct commit_watch){ c, failed };
	conn_ref(c);
	if (store_watch(st, watch_done, w) < 0) {
		conn_unref(c);
		free(w);
		return;
	}
	c->store_watched = store_batch_id(st) + 1;
}

static void run_later(void)
{
	while (later_head) {
		struct later *l = later_head;
		later_head = l->next;
		if (!later_head)
			later_tail = &later_head;
		l->fn(l->ctx, 0);
		free(l);
	}
}

/* ---- durable subscriptions ---- */

/* The index key of a client's durable subscription: the client id's
 * length, the id and the name ("5:alicemqtt:1:a/b"), which no other pair
 * gives, whatever bytes the two hold. A new string, NULL out of memory. */
/* The longest "durable://CLIENT:NAME" a store keeps (durable_name_free). */
#define DURABLE_CONTAINER_MAX 1024

static char *durable_key(const char *client_id, const char *name)
{
	char *key;
	return asprintf(&key, "%zu:%s%s", strlen(client_id), client_id, name) < 0 ? NULL : key;
}

/* By key, not by walking every durable of the broker: an MQTT session of
 * 40,000 subscriptions, each a durable, took 25 s to make that way. */
struct durable *broker_durable_find(const char *client_id, const char *name)
{
	char small[256], *key = small;
	size_t need = (size_t)snprintf(small, sizeof small, "%zu:%s%s", strlen(client_id),
				       client_id, name);
	if (need >= sizeof small && !(key = durable_key(client_id, name)))
		return NULL;
	struct durable *d = strmap_get(&broker.durable_index, key);
	if (key != small)
		free(key);
	return d;
}

static void durable_free(struct durable *d, bool drop_stored)
{
	queue_free(d->queue, drop_stored);
	selector_free(d->selector);
	free(d->client_id);
	free(d->name);
	free(d->topic);
	free(d->selector_text);
	free(d->key);
	free(d);
}

static struct durable *durable_new(const char *client_id, const char *name,
				   const char *topic, const char *selector, int no_local,
				   char *err, size_t errlen)
{
	struct durable *d = calloc(1, sizeof *d);
	char container[DURABLE_CONTAINER_MAX], why[200];
	snprintf(container, sizeof container, "durable://%s:%s", client_id, name);
	if (!d)
		goto oom;
	d->no_local = no_local;
	d->client_id = strdup(client_id);
	d->name = strdup(name);
	d->topic = strdup(topic);
	d->selector_text = selector && *selector ? strdup(selector) : NULL;
	d->network = !strncmp(client_id, NETWORK_DURABLE_PREFIX, strlen(NETWORK_DURABLE_PREFIX));
	d->queue = queue_new(QUEUE_DURABLE, container + strlen("durable://"), container);
	if (!d->client_id || !d->name || !d->topic || !d->queue ||
	    (selector && *selector && !d->selector_text))
		goto oom;
	if (d->selector_text) {
		d->selector = selector_compile(d->selector_text, why, sizeof why);
		if (!d->selector) {
			snprintf(err, errlen, "Invalid selector '%s': %s", selector, why);
			durable_free(d, false);
			return NULL;
		}
	}
	if (!(d->key = durable_key(client_id, name)) ||
	    strmap_put(&broker.durable_index, d->key, d) < 0)
		goto oom;
	if (topic_index_add(&broker.durable_subs, d->topic, d) < 0) {
		strmap_del(&broker.durable_index, d->key);
		goto oom;
	}
	d->next = broker.durables;
	if (broker.durables)
		broker.durables->prev = d;
	broker.durables = d;
	return d;
oom:
	snprintf(err, errlen, "out of memory");
	if (d)
		durable_free(d, false);
	return NULL;
}

static void durable_unlink(struct durable *d)
{
	topic_index_remove(&broker.durable_subs, d->topic, d);
	strmap_del(&broker.durable_index, d->key);
	if (d->prev)
		d->prev->next = d->next;
	else
		broker.durables = d->next;
	if (d->next)
		d->next->prev = d->prev;
	d->next = d->prev = NULL;
}

/* The store keeps a durable subscription's messages under
 * "durable://CLIENT:NAME" (durable_new), which is not one pair's only:
 * client "a" name "b:c" and client "a:b" name "c" would share them, and
 * the second's unsubscribe dropped the first's messages. Whether a new
 * one may be made under that name: false with the reason in err when it
 * would be too long for it (cut short, two would meet again) or another
 * pair is kept under it already. */
static bool durable_name_free(const char *client_id, const char *name, char *err,
			      size_t errlen)
{
	char s[DURABLE_CONTAINER_MAX];
	size_t clen = strlen(client_id);
	if ((size_t)snprintf(s, sizeof s, "durable://%s:%s", client_id, name) >= sizeof s) {
		snprintf(err, errlen, "A durable subscription's client-id and name may be %zu "
			 "bytes together at most", sizeof s - sizeof "durable://" - 1);
		return false;
	}
	char *pair = s + strlen("durable://");
	for (char *p = strchr(pair, ':'); p; p = strchr(p + 1, ':')) {
		if ((size_t)(p - pair) == clen)
			continue;
		*p = '\0';
		const struct durable *d = broker_durable_find(pair, p + 1);
		*p = ':';
		if (d) {
			snprintf(err, errlen, "Durable subscription %s of client %s would be stored "
				 "under the same name as the durable subscription %s of client %s: "
				 "choose another name", name, client_id, d->name, d->client_id);
			return false;
		}
	}
	return true;
}

struct durable *broker_durable_get(const char *client_id, const char *name,
				   const char *topic, const char *selector, bool no_local,
				   char *err, size_t errlen)
{
	if (!client_id || !*client_id) {
		snprintf(err, errlen, "A durable subscription needs a client-id header "
			 "on CONNECT");
		return NULL;
	}
	struct durable *d = broker_durable_find(client_id, name);
	if (!d && !durable_name_free(client_id, name, err, errlen))
		return NULL;
	if (d && d->active) {
		snprintf(err, errlen, "Durable consumer is in use for client: %s and "
			 "subscriptionName: %s", client_id, name);
		return NULL;
	}
	const char *old_sel = d && d->selector_text ? d->selector_text : "";
	if (d && (strcmp(d->topic, topic) || strcmp(old_sel, selector ? selector : "") ||
		  (d->no_local >= 0 && d->no_local != no_local))) {
		log_info("broker", "Durable subscription %s:%s changed (topic %s, selector "
			 "'%s', noLocal %s): replacing it and its %zu message(s)", client_id, name,
			 topic, selector ? selector : "", no_local ? "true" : "false",
			 queue_size(d->queue));
		if (broker_durable_remove(client_id, name, err, errlen) < 0)
			return NULL;
		d = NULL;
	}
	if (d)
		return d;
	d = durable_new(client_id, name, topic, selector, no_local, err, errlen);
	if (d && broker.store &&
	    store_add_durable(broker.store, client_id, name, topic, d->selector_text,
			      no_local) < 0) {
		durable_unlink(d);
		durable_free(d, false);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (d)
		log_info("broker", "Created durable subscription %s:%s on topic %s",
			 client_id, name, topic);
	return d;
}

int broker_durable_rename(const char *client_id, const char *name, const char *new_name,
			  char *err, size_t errlen)
{
	struct durable *d = broker_durable_find(client_id, name);
	if (!d) {
		snprintf(err, errlen, "No durable subscription %s for client %s", name, client_id);
		return -1;
	}
	if (d->active) {
		snprintf(err, errlen, "Durable consumer is in use for client: %s and "
			 "subscriptionName: %s", client_id, name);
		return -1;
	}
	if (broker_durable_find(client_id, new_name)) {
		snprintf(err, errlen, "Client %s already has a durable subscription %s", client_id,
			 new_name);
		return -1;
	}
	if (!durable_name_free(client_id, new_name, err, errlen))
		return -1;
	char container[DURABLE_CONTAINER_MAX], *n = strdup(new_name), *key = durable_key(client_id, new_name);
	snprintf(container, sizeof container, "durable://%s:%s", client_id, new_name);
	struct store *temp = temp_store_if_open();
	if (!n || !key || queue_rename(d->queue, container + strlen("durable://"), container) < 0 ||
	    (broker.store && store_rename_durable(broker.store, client_id, name, new_name) < 0) ||
	    (temp && store_rename_durable(temp, client_id, name, new_name) < 0)) {
		free(n);
		free(key);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(d->name);
	d->name = n;
	strmap_del(&broker.durable_index, d->key);
	free(d->key);
	d->key = key;
	if (strmap_put(&broker.durable_index, d->key, d) < 0)
		log_error("broker", "Durable subscription %s:%s cannot be found any more: out "
			  "of memory", client_id, new_name);
	log_info("broker", "Renamed durable subscription %s:%s to %s", client_id, name, new_name);
	return 0;
}

int broker_durable_remove(const char *client_id, const char *name,
			  char *err, size_t errlen)
{
	struct durable *d = broker_durable_find(client_id, name);
	if (!d) {
		snprintf(err, errlen, "No durable subscription %s for client %s",
			 name, client_id);
		return -1;
	}
	if (d->active) {
		snprintf(err, errlen, "Durable consumer is in use for client: %s and "
			 "subscriptionName: %s", client_id, name);
		return -1;
	}
	durable_unlink(d);
	advisory_changed(DEST_TOPIC, d->topic);	/* one durable fewer here */
	if (broker.store)
		store_remove_durable(broker.store, client_id, name);
	durable_free(d, false);	/* the store dropped its entries already */
	log_info("broker", "Removed durable subscription %s:%s", client_id, name);
	return 0;
}

/* ---- start-up and the iteration ---- */

static void load_durable(void *ctx, const char *client_id, const char *sub_name,
			 const char *topic, const char *selector, int no_local)
{
	(void)ctx;
	char err[256];
	if (!durable_new(client_id, sub_name, topic, selector, no_local, err, sizeof err))
		log_error("store", "Cannot restore durable subscription %s:%s: %s",
			  client_id, sub_name, err);
}

/* What loading the store needs: the durables' queues by their container,
 * so that each container is not compared with every durable (20,000
 * durables with a message each took as many squared comparisons). */
struct loading {
	size_t count;
	struct strmap durables;
};

/* store_load_counts' callback: a queue or a durable subscription is told
 * how many of its messages wait on disk, and reads them when a consumer
 * or a browse comes (queue_load_paged). Retained messages and prepared
 * transactions are read whole (load_entry). */
static void load_count(void *ctx, const char *container, int priority, uint64_t n)
{
	struct loading *ld = ctx;
	struct queue *q = NULL;
	if (!strncmp(container, "queue://", 8))
		q = broker_queue(container + 8, true);
	else if (!strncmp(container, "durable://", 10))
		q = strmap_get(&ld->durables, container);
	else if (!strncmp(container, RETAIN_CONTAINER_PREFIX, strlen(RETAIN_CONTAINER_PREFIX)) ||
		 !strncmp(container, STORE_PREPARED_PREFIX, strlen(STORE_PREPARED_PREFIX)) ||
		 !strncmp(container, KAHADB_CONTAINER_PREFIX, strlen(KAHADB_CONTAINER_PREFIX)))
		return;
	if (!q) {
		log_warn("store", "%llu stored message(s) of priority %d belong to unknown "
			 "container %s; left in the store", (unsigned long long)n, priority,
			 container);
		return;
	}
	queue_load_paged(q, priority, (size_t)n);
	ld->count += (size_t)n;
}

/* store_load_prefix's callback: a retained message or one of a prepared
 * transaction. */
static void load_entry(void *ctx, const char *container, struct message *m)
{
	(void)ctx;
	if (!strncmp(container, RETAIN_CONTAINER_PREFIX, strlen(RETAIN_CONTAINER_PREFIX)))
		retain_loaded(container + strlen(RETAIN_CONTAINER_PREFIX), m);
	else
		txn_loaded_message(container, m);
}

/* A message of a producer that a failover brings here is known as sent
 * (producer_audit.h). A client sends again only what it sent last, which
 * the store has as its newest messages: the ids of the newest
 * AUDIT_FROM_STORE are read, not those of the whole backlog, and only
 * when the first audited send comes (producer_audit_defer): reading 2048
 * rows was most of what a takeover of 1,000,000 messages read. Each goes
 * into the audit it was in when taken, which the store kept with it. */
#define AUDIT_FROM_STORE PRODUCER_AUDIT_DEPTH

static void load_audit_id(void *ctx, const char *id, const char *audit)
{
	(void)ctx;
	producer_audit_add_stored(audit, id);
}

static void load_audit(void)
{
	if (broker.store)
		store_load_recent_ids(broker.store, AUDIT_FROM_STORE, load_audit_id, NULL);
}

/* What a master needs before it serves: counts, not messages, for the
 * queues and durable subscriptions; retained messages and prepared
 * transactions whole; the producer audit later. 0 or -1 (logged). */
static int load_store(struct store *st, struct loading *ld)
{
	if (store_load_counts(st, load_count, ld) < 0 ||
	    store_load_prefix(st, RETAIN_CONTAINER_PREFIX, load_entry, ld) < 0 ||
	    store_load_prefix(st, STORE_PREPARED_PREFIX, load_entry, ld) < 0)
		return -1;
	producer_audit_defer(load_audit);
	return 0;
}

/* A dispatch mark of the store (dispatch_mark.h), before the entries it
 * covers are loaded. Only queues and durables have them; the store keeps
 * none for a container without entries, so none makes a queue that would
 * not be made anyway. */
static void load_mark(void *ctx, const char *container, int priority, uint64_t seq)
{
	struct loading *ld = ctx;
	struct queue *q = !strncmp(container, "queue://", 8) ? broker_queue(container + 8, true)
			  : !strncmp(container, "durable://", 10) ? strmap_get(&ld->durables, container)
			  : NULL;
	if (q && dispatch_mark_loaded(q, priority, seq) < 0)
		log_warn("store", "Out of memory: messages of %s delivered before the last stop "
			 "go out not marked redelivered", container);
}

/* Files every durable's queue under its container in ld; -1 out of memory. */
static int index_containers(struct loading *ld)
{
	for (struct durable *d = broker.durables; d; d = d->next)
		if (!strmap_get(&ld->durables, d->queue->container) &&
		    strmap_put(&ld->durables, d->queue->container, d->queue) < 0)
			return -1;
	return 0;
}

static void kick(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	broker.kick_timer = 0;
}

/* Hands what this iteration queued to a store. A batch with nothing to
 * write (its messages were taken and acknowledged before any commit) is
 * finished at once: its callbacks run here, so that the receipts leave in
 * this iteration's flush, and what they queue goes the same way. After a
 * few rounds the rest waits for the next iteration. */
/* A PostgreSQL commit that found the lease another broker's (-ESTALE,
 * store.h): noted by a watch on each batch, acted on once the store has
 * run that commit's callbacks (fence_if_stale), never inside them. */
static bool lease_stale;
static uint64_t fence_watched;	/* 1 + the batch the watch covers */

static void fence_done(void *ctx, int err)
{
	(void)ctx;
	if (err == -ESTALE)
		lease_stale = true;
}

static void watch_fence(struct store *st)
{
	if (!broker.cfg->jdbc || !store_pending(st) || fence_watched == store_batch_id(st) + 1)
		return;
	if (store_watch(st, fence_done, NULL) == 0)
		fence_watched = store_batch_id(st) + 1;
}

static void fence_if_stale(void)
{
	if (!lease_stale)
		return;
	lease_stale = false;
	locker_lost("a commit found the lease another broker's (taken after it expired)");
}

static void commit_store(struct store *st)
{
	for (int round = 0; round < 8 && store_commit(st); round++) {
		store_complete(st);
		broker_store_progress();
	}
}

static void iteration_end(struct loop *l, void *ctx)
{
	(void)ctx;
	broker.now_wall = wall_ms();
	conn_reap();
	flow_release();
	advisory_flush();
	queue_dispatch_scheduled();
	if (broker.store) {
		watch_fence(broker.store);
		commit_store(broker.store);
		fence_if_stale();
	}
	struct store *temp = temp_store_if_open();
	if (temp)
		commit_store(temp);
	run_later();
	conn_flush_all();
	/* Flushing can make room for a consumer that was full (on_drain):
	 * its queue is then scheduled, and must not wait for the next event
	 * to arrive. A timer of 0 ms makes the loop come straight back. */
	if (queue_dispatch_pending() && !broker.kick_timer)
		broker.kick_timer = loop_add_timer(l, 0, kick, NULL);
}

static void expiry_sweep(struct loop *l, void *ctx)
{
	(void)ctx;
	broker.now_wall = wall_ms();
	for (struct queue *q = broker.queues; q; q = q->next)
		queue_expire_sweep(q);
	for (struct durable *d = broker.durables; d; d = d->next)
		queue_expire_sweep(d->queue);
	loop_add_timer(l, expiry_sweep_ms(), expiry_sweep, NULL);
}

static void on_store_event(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)ctx;
	store_complete(broker.store);
	broker_store_progress();
	fence_if_stale();
}

void broker_store_progress(void)
{
	queue_schedule_paged();
}

struct queue *broker_container_queue(const char *container)
{
	struct queue *q = NULL;
	if (!strncmp(container, "queue://", 8))
		q = broker_queue(container + 8, false);
	for (struct durable *d = broker.durables; !q && d; d = d->next)
		if (!strcmp(d->queue->container, container))
			q = d->queue;
	return q;
}

/* The login of the live connection that published a message (origin), or
 * NULL. A walk over every connection: only for a commit that failed, whose
 * publishers are still connected (they hear of it after this). */
static const char *origin_user(uint64_t origin)
{
	for (struct conn *c = conn_first(); origin && c; c = c->next)
		if (c->id == origin)
			return c->user;
	return NULL;
}

/* store_on_unwritten_entry()'s hook: a send whose commit failed was
 * refused, so it leaves the queue or durable subscription that counted it,
 * and the broker's counts when no queue keeps it. Only on a failed commit:
 * walking the durables is fine then. Its sender was told it failed, so
 * its resend (a bridge's, a failover client's, same id) is no duplicate:
 * the dedupe and the producer audit forget the id. */
static void forget_unwritten(void *ctx, const char *container, uint64_t seq,
			     struct message *m)
{
	(void)ctx;
	struct queue *q = broker_container_queue(container);
	if (q && queue_forget_unwritten(q, seq, m ? m->priority : -1) && m)
		broker_route_taken_back(m, 1);
	if (m) {
		bridge_inbound_refused(m, origin_user(m->origin));
		producer_audit_forget(m->id);
	}
}

/* Why a KahaDB store cannot be imported, said once; the broker ends. */
static int kahadb_refused(const char *dir, int found, const char *err)
{
	log_error("store", "Refusing to serve: cannot import the ActiveMQ KahaDB store in %s: "
		  "%s. Its files are untouched; drain them with ActiveMQ, or move them aside "
		  "to start without them", dir, err);
	if (found > 0)
		broker.exit_status = KAHADB_EXIT_FOUND;
	return -1;
}

/* A master on a directory that holds an ActiveMQ KahaDB store imports it
 * into its store before anything is loaded or served (kahadb_import.h).
 * The journal is read completely first, before the store is opened: one
 * it cannot read ends the broker with the directory as it was, since
 * serving an empty broker beside those messages would hide them, and
 * waiting cannot change them. *found says whether there is one. */
static int check_kahadb(const char *dir, int *found)
{
	char err[768];
	*found = kahadb_find(dir, err, sizeof err);
	if (*found == 0 || (*found > 0 && kahadb_dry_run(dir, NULL, err, sizeof err) == 0))
		return 0;
	return kahadb_refused(dir, *found, err);
}

static int import_kahadb(const struct config *cfg)
{
	char err[768], *scheduler = NULL;
	const char *dir = cfg->store_directory;
	if (asprintf(&scheduler, "%s/%s/scheduler", cfg->data_directory, cfg->broker_name) < 0)
		scheduler = NULL;
	int rc = kahadb_import(dir, scheduler, broker.store, err, sizeof err);
	free(scheduler);
	if (rc == 0)
		return 0;
	return kahadb_refused(dir, 1, err);
}

/* Says why the store could not be opened (errno err from store_open):
 * a corrupt store ends the broker, anything else may pass. */
static int store_open_failed(const char *dir, int err, const char *msg, char *why,
			     size_t whylen)
{
	if (err == EBADMSG || err == EPROTO) {
		log_error("store", "Cannot open the store in %s: %s. %s: trying again cannot "
			  "help. Move the directory's store.db* aside (keep them for "
			  "recovery) and restore a copy, or start on an empty directory",
			  dir, msg, err == EBADMSG ? "store.db is corrupt or not a Tandem store"
			  : "store.db was written by a newer tandemd");
		return -1;
	}
	log_error("store", "Cannot open the store in %s: %s", dir, msg);
	snprintf(why, whylen, "cannot open the store: %s", msg);
	return LOCKER_TRY_LATER;
}

/* What the log calls the store: its directory, or its database. */
static const char *store_where(const struct config *cfg)
{
	static char where[400];
	if (!cfg->jdbc)
		return cfg->store_directory;
	struct locker_state ls;
	locker_state(&ls);
	snprintf(where, sizeof where, "in PostgreSQL %s (tablePrefix \"%s\")", ls.database,
		 cfg->jdbc->table_prefix);
	return where;
}

/* The store in PostgreSQL (issue 24), its commits fenced by the lease
 * this master holds. Tables of a newer schema end the broker; anything
 * else (the database away, the tables not made yet) may pass. */
static int open_pg_store(const struct config *cfg, char *why, size_t whylen)
{
	char err[512];
	char *ci = config_jdbc_conninfo(cfg->jdbc, true);
	if (!ci) {
		log_error("store", "Cannot open the PostgreSQL store: out of memory");
		return -1;
	}
	const struct store_pg_params p = {
		ci, cfg->jdbc->table_prefix, lease_locker_token(), cfg->jdbc->create_tables,
		cfg->jdbc->lock_keep_alive_ms,
	};
	broker.store = store_open_pg(&p, err, sizeof err);
	int e = errno;
	free(ci);
	if (broker.store)
		return 0;
	log_error("store", "Cannot open the store %s: %s%s", store_where(cfg), err, e == EPROTO ? ": trying again "
		  "cannot help; a newer tandemd made these tables" : "");
	snprintf(why, whylen, "cannot open the store: %s", err);
	return e == EPROTO ? -1 : LOCKER_TRY_LATER;
}

/* -1: cannot open the store, ever; LOCKER_TRY_LATER with the reason in
 * why: not now (store.db locked by another process, a full disk). */
static int open_store(const struct config *cfg, char *why, size_t whylen)
{
	char err[512];
	int kahadb = 0;
	int64_t opening = mono_us();
	if (cfg->jdbc) {
		int rc = open_pg_store(cfg, why, whylen);
		if (rc != 0)
			return rc;
	} else {
		if (check_kahadb(cfg->store_directory, &kahadb) < 0)
			return -1;
		broker.store = store_open(cfg->store_directory, cfg->journal_disk_syncs, err,
					  sizeof err);
		if (!broker.store)
			return store_open_failed(cfg->store_directory, errno, err, why, whylen);
	}
	if (kahadb > 0 && import_kahadb(cfg) < 0)
		return -1;
	store_on_unwritten_entry(broker.store, forget_unwritten, NULL);
	struct loading ld = { 0, STRMAP_INIT };
	int rc = store_load_durables(broker.store, load_durable, NULL);
	if (rc == 0 && index_containers(&ld) < 0) {
		log_error("store", "Cannot load the store: out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = store_load_marks(broker.store, load_mark, &ld);
	if (rc == 0)
		rc = load_store(broker.store, &ld);
	strmap_clear(&ld.durables);
	for (size_t i = 0; rc == 0 && protocols[i]; i++)
		if (protocols[i]->load)
			rc = protocols[i]->load(broker.store);
	if (rc < 0 && cfg->jdbc) {
		/* the database may have gone away while loading */
		snprintf(why, whylen, "cannot load the store from PostgreSQL");
		return LOCKER_TRY_LATER;
	}
	if (rc < 0)
		return -1;
	size_t count = ld.count;
	size_t ndurables = 0;
	for (struct durable *d = broker.durables; d; d = d->next)
		ndurables++;
	log_info("store", "Store %s opened: %zu message(s) recovered, %zu durable "
		 "subscription(s), %zu retained message(s), in %.1f ms", store_where(cfg),
		 count, ndurables, retain_count(), (double)(mono_us() - opening) / 1000);
	if (loop_add_fd(broker.loop, store_event_fd(broker.store), LOOP_READ,
			on_store_event, NULL) < 0) {
		log_error("store", "Cannot watch the store's writer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The lock is ours (or no store needs one): recover the store and open
 * the connectors. -1, or LOCKER_TRY_LATER with the reason in why. */
static int serve(char *why, size_t whylen)
{
	const struct config *cfg = broker.cfg;
	int rc = cfg->persistent ? open_store(cfg, why, whylen) : 0;
	if (rc != 0)
		return rc;
	flow_fit_to_disk();
	broker.connectors = calloc(cfg->nconnectors ? cfg->nconnectors : 1,
				   sizeof *broker.connectors);
	if (!broker.connectors)
		return -1;
	for (size_t i = 0; i < cfg->nconnectors; i++) {
		if (connector_start(&broker.connectors[i], broker.loop, &cfg->connectors[i]) < 0)
			return -1;
		broker.nconnectors++;
	}
	if (bridge_start_all(broker.loop) < 0 || discovery_start(broker.loop) < 0)
		return -1;
	log_info("broker", "Tandem broker %s started", cfg->broker_name);
	return 0;
}

/* Observers told when the broker stops serving (broker.h). */
#define STOP_OBSERVERS_MAX 4
static void (*stop_observers[STOP_OBSERVERS_MAX])(void);
static size_t nstop_observers;

int broker_observe_stop_serving(void (*fn)(void))
{
	if (nstop_observers == STOP_OBSERVERS_MAX)
		return -1;
	stop_observers[nstop_observers++] = fn;
	return 0;
}

/* Stops accepting and drops every client and destination. A clean stop
 * commits what is queued for the store; a lost lock must not write again
 * (another broker may own the store now). */
/* How long a clean stop waits at most for clients to read the answers
 * of its last commit (conn_drain_all). */
#define STOP_DRAIN_MS 1000

static void stop_serving(bool clean)
{
	for (size_t i = 0; i < nstop_observers; i++)
		stop_observers[i]();
	discovery_stop();
	bridge_stop_all();
	for (size_t i = 0; i < broker.nconnectors; i++)
		connector_stop(&broker.connectors[i]);
	/* What was taken is answered before the connections close: the
	 * commit under way, then its receipts. Closed at once, a producer (a
	 * bridge of another broker) heard nothing of messages a consumer
	 * here already had, sent them again after the restart, and they
	 * were delivered twice (t/80-network-durable test 3). */
	if (clean && broker.store) {
		store_flush(broker.store);
		conn_drain_all(STOP_DRAIN_MS);
	}
	conn_close_all(clean ? "broker stopping" : "broker lost its store lock");
	if (!clean && broker.store) {
		store_abandon(broker.store);
		broker.store = NULL;
	}
	conn_reap();
	for (size_t i = 0; protocols[i]; i++)
		if (protocols[i]->stop)
			protocols[i]->stop();
	if (broker.store) {
		store_close(broker.store);
		broker.store = NULL;
	}
	temp_store_close();
	run_later();
	commit_hold_forget_spills();
	while (broker.durables) {
		struct durable *d = broker.durables;
		broker.durables = d->next;
		durable_free(d, false);
	}
	strmap_clear(&broker.durable_index);
	topic_index_clear(&broker.durable_subs);
	topic_index_clear(&broker.topic_subs);
	retain_free_all();
	advisory_free();
	dedupe_free();
	producer_audit_free();
	netflow_free_all();
	topic_free_all();
	nameset_clear(&broker.queue_index);
	while (broker.queues) {
		struct queue *q = broker.queues;
		broker.queues = q->next;
		queue_free(q, false);
	}
	free(broker.connectors);
	broker.connectors = NULL;
	broker.nconnectors = 0;
}

static int on_lock_acquired(char *why, size_t whylen)
{
	int rc = serve(why, whylen);
	if (rc == 0)
		return 0;
	if (rc == LOCKER_TRY_LATER) {
		stop_serving(true);
		return rc;
	}
	log_error("broker", "Tandem broker %s could not start serving (see above)",
		  broker.cfg->broker_name);
	stop_serving(true);
	if (!broker.exit_status)
		broker.exit_status = 1;
	loop_stop(broker.loop);
	return -1;
}

static void on_lock_lost(const char *why)
{
	(void)why;
	stop_serving(false);
}

int broker_start(struct loop *l, const struct config *cfg)
{
	char host[64] = "localhost";
	gethostname(host, sizeof host - 1);
	broker.loop = l;
	broker.cfg = cfg;
	broker.started_wall = broker.now_wall = wall_ms();
	snprintf(broker.id_prefix, sizeof broker.id_prefix, "ID:%s-%ld-%" PRId64 "-1:1:",
		 host, (long)getpid(), broker.started_wall);

	log_info("broker", "Tandem broker %s is starting", cfg->broker_name);
	flow_init();
	if (!cfg->persistent)
		log_info("broker", "persistent=\"false\": messages are kept in memory only");
	if (loop_add_hook(l, iteration_end, NULL) < 0 ||
	    !loop_add_timer(l, expiry_sweep_ms(), expiry_sweep, NULL) || memtrim_start(l) < 0)
		return -1;
	if (!cfg->persistent)
		return serve(NULL, 0);
	static const struct locker_hooks hooks = { on_lock_acquired, on_lock_lost };
	return locker_start(l, cfg, &hooks);
}

bool broker_serving(void)
{
	return !broker.cfg->persistent || locker_is_master();
}

void broker_stop(void)
{
	/* The management socket or the web console failed to start before
	 * the core was started: there is nothing to stop. */
	if (!broker.cfg)
		return;
	broker.stopping = true;
	log_info("broker", "Tandem broker %s is shutting down", broker.cfg->broker_name);
	stop_serving(true);
	/* Not in stop_serving(): a lost lock must not wait for a slow
	 * lookup on the loop; the thread outlives bridges until here. */
	resolve_stop();
	queue_free_spare_entries();
	/* After the last commit: then a slave may take the store. */
	locker_stop();
	log_info("broker", "Tandem broker %s stopped", broker.cfg->broker_name);
}
