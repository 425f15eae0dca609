/*
 * top_model.c - the cluster as tandemtop sees it (see top_model.h): nodes and
 * their roles, destinations across nodes, bridges, and the events that
 * follow from changes between refreshes.
 *
 * Each refresh starts from the snapshots: destinations and bridges are
 * rebuilt from them, so the model never disagrees with the nodes; only
 * what needs the past is kept (depth history, the previous snapshot for
 * rates, the last role and bridge state for events).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "top_model.h"

#define DEST_FORGET_MS 30000	/* a destination no node reports any more */

int64_t wall_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *mstr(json_t *attrs, const char *key)
{
	const char *s = json_string_value(json_object_get(attrs, key));
	return s ? s : "";
}

long mlong(json_t *attrs, const char *key)
{
	json_t *v = json_object_get(attrs, key);
	return json_is_real(v) ? (long)json_real_value(v) : (long)json_integer_value(v);
}

const char *model_role_name(enum role r)
{
	static const char *const names[] = { "CONNECTING", "DOWN", "MASTER", "SLAVE", "STARTING" };
	return names[r];
}

const char *model_short_path(const char *path, char *out, size_t outlen)
{
	const char *last = strrchr(path, '/');
	if (!last || last == path) {
		snprintf(out, outlen, "%s", path);
		return out;
	}
	const char *before = last - 1;
	while (before > path && *before != '/')
		before--;
	snprintf(out, outlen, "%s", *before == '/' ? before + 1 : before);
	return out;
}

void model_init(struct model *m, const struct node_options *opt, bool discover)
{
	memset(m, 0, sizeof *m);
	m->opt = *opt;
	m->discover = discover;
	m->bridge_states = json_object();
}

static void free_dest(struct mdest *d)
{
	free(d->name);
	free(d->depth);
	free(d->consumers);
	free(d->blocked);
	free(d->stale);
	free(d);
}

static void free_node(struct mnode *n)
{
	node_stop(n->conn);
	json_decref(n->snap);
	for (int k = 0; k < n->npast; k++)
		json_decref(n->past[k]);
	free(n->addr);
	free(n->pair);
	free(n->found_via);
	free(n->name_kept);
	free(n->aliases);
	free(n);
}

void model_free(struct model *m)
{
	for (size_t i = 0; i < m->nnodes; i++)
		free_node(m->nodes[i]);
	for (size_t i = 0; i < m->ndests; i++)
		free_dest(m->dests[i]);
	free(m->nodes);
	free(m->dests);
	free(m->bridges);
	json_decref(m->bridge_states);
}

void model_event(struct model *m, int64_t ms, const char *who, bool bad, const char *fmt, ...)
{
	struct mevent *e;
	if (m->nevents < EVENTS_MAX) {
		e = &m->events[(m->first_event + m->nevents++) % EVENTS_MAX];
	} else {
		e = &m->events[m->first_event];
		m->first_event = (m->first_event + 1) % EVENTS_MAX;
	}
	e->seq = ++m->events_logged;
	e->ms = ms;
	e->bad = bad;
	snprintf(e->who, sizeof e->who, "%s", who);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

const struct mevent *model_event_at(const struct model *m, size_t i)
{
	return &m->events[(m->first_event + i) % EVENTS_MAX];
}

/* "localhost:1100" and "127.0.0.1:1100" are one node. */
static void normal_addr(const char *addr, char *out, size_t outlen)
{
	if (!strncmp(addr, "localhost:", 10))
		snprintf(out, outlen, "127.0.0.1:%s", addr + 10);
	else
		snprintf(out, outlen, "%s", addr);
}

int model_add_node(struct model *m, const char *addr, const char *pair, const char *name,
		   const char *found_via)
{
	char norm[300], line[302];
	normal_addr(addr, norm, sizeof norm);
	snprintf(line, sizeof line, "%s\n", norm);
	for (size_t i = 0; i < m->nnodes; i++)
		if (!strcmp(m->nodes[i]->addr, norm) ||
		    (m->nodes[i]->aliases && strstr(m->nodes[i]->aliases, line)))
			return (int)i;
	struct mnode **nodes = realloc(m->nodes, (m->nnodes + 1) * sizeof *nodes);
	struct mnode *n = calloc(1, sizeof *n);
	if (nodes)
		m->nodes = nodes;
	if (!nodes || !n) {
		free(n);
		return -1;
	}
	n->addr = strdup(norm);
	n->pair = pair ? strdup(pair) : NULL;
	n->found_via = found_via ? strdup(found_via) : NULL;
	/* A node found, and down before it ever answered, still has a name. */
	n->name_kept = name && *name ? strdup(name) : NULL;
	n->name = n->name_kept;
	n->enq_rate = n->deq_rate = -1;
	n->role = n->last_role = ROLE_CONNECTING;
	n->conn = n->addr ? node_start(n->addr, &m->opt) : NULL;
	if (!n->conn) {
		free(n->name_kept);
		free(n->addr);
		free(n->pair);
		free(n->found_via);
		free(n);
		return -1;
	}
	m->nodes[m->nnodes] = n;
	if (found_via)
		model_event(m, wall_now_ms(), name && *name ? name : norm, false, "found %s at %s (%s)",
			    name && *name ? name : "a node", norm, found_via);
	return (int)m->nnodes++;
}

bool model_settled(const struct model *m)
{
	for (size_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i]->state == NODE_CONNECTING)
			return false;
	return true;
}

double model_rate(const struct mnode *n, const char *mbean, const char *key)
{
	if (n->state != NODE_UP)
		return 0;
	/* Over the oldest sample kept: a few seconds, so a rate neither jumps
	 * with each short interval nor outlives the traffic. */
	if (!n->npast || n->snap_ms <= n->past_ms[0])
		return -1;
	json_t *before = json_object_get(json_object_get(n->past[0], mbean), key);
	json_t *now = json_object_get(json_object_get(n->snap, mbean), key);
	if (!now || json_integer_value(now) < json_integer_value(before))
		return -1;
	/* An object born since (a new queue) started from 0. */
	return (double)(json_integer_value(now) - json_integer_value(before)) * 1000.0 /
	       (double)(n->snap_ms - n->past_ms[0]);
}

/* The snapshot being replaced becomes a rate sample when the newest
 * sample is RATE_STEP_MS old; the oldest goes when there are enough. */
static void keep_sample(struct mnode *n)
{
	if (!n->snap)
		return;
	if (n->npast && n->snap_ms - n->past_ms[n->npast - 1] < RATE_STEP_MS) {
		json_decref(n->snap);
		return;
	}
	if (n->npast == RATE_SAMPLES) {
		json_decref(n->past[0]);
		memmove(n->past, n->past + 1, (RATE_SAMPLES - 1) * sizeof n->past[0]);
		memmove(n->past_ms, n->past_ms + 1, (RATE_SAMPLES - 1) * sizeof n->past_ms[0]);
		n->npast--;
	}
	n->past[n->npast] = n->snap;
	n->past_ms[n->npast++] = n->snap_ms;
}

/* ---- nodes ---- */

/* What kind of object a name is, from its keys. */
enum kind { K_BROKER, K_LOCKER, K_DEST, K_BRIDGE, K_FLOW, K_OTHER };

static enum kind kind_of(const char *mbean)
{
	if (strstr(mbean, ",service=Locker"))
		return K_LOCKER;
	if (strstr(mbean, ",direction="))
		return K_FLOW;
	if (strstr(mbean, ",networkBridge="))
		return K_BRIDGE;
	if (strstr(mbean, ",destinationType="))
		return K_DEST;
	if (!strchr(strstr(mbean, "brokerName=") ? strstr(mbean, "brokerName=") : ",", ','))
		return K_BROKER;
	return K_OTHER;
}

static enum role role_of(const struct mnode *n)
{
	if (n->state == NODE_CONNECTING)
		return ROLE_CONNECTING;
	if (n->state == NODE_DOWN)
		return ROLE_DOWN;
	const char *role = mstr(n->locker, "Role");
	if (!strcmp(role, "master"))
		return ROLE_MASTER;
	if (!strcmp(role, "slave"))
		return ROLE_SLAVE;
	if (*role)
		return ROLE_STARTING;
	return json_is_true(json_object_get(n->broker, "Slave")) ? ROLE_SLAVE : ROLE_MASTER;
}

/* The events a change of role tells. */
static void role_events(struct model *m, struct mnode *n)
{
	enum role was = n->last_role, is = n->role;
	const char *who = n->name ? n->name : n->addr;
	int64_t now = wall_now_ms();
	if (was == is)
		return;
	n->last_role = is;
	if (is == ROLE_DOWN)
		model_event(m, now, who, true, "node %s unreachable (was %s): %s", n->addr,
			    model_role_name(was), n->error);
	else if (was == ROLE_SLAVE && is == ROLE_MASTER)
		model_event(m, now, who, false, "FAILOVER: %s is now MASTER (was SLAVE)", who);
	else if (was == ROLE_MASTER && is == ROLE_SLAVE)
		model_event(m, now, who, true, "%s lost the lock: now SLAVE", who);
	else if (is == ROLE_MASTER || is == ROLE_SLAVE)
		model_event(m, now, who, false, "%s is %s%s", who, model_role_name(is),
			    was == ROLE_DOWN ? " (back)" : "");
}

/* The Locker's own events, those not logged yet. */
static void lock_events(struct model *m, struct mnode *n)
{
	size_t i;
	json_t *e;
	int64_t newest = n->last_lock_event;
	json_array_foreach(json_object_get(n->locker, "Events"), i, e) {
		int64_t t = json_integer_value(json_object_get(e, "time"));
		if (t <= n->last_lock_event)
			continue;
		const char *text = mstr(e, "event");
		model_event(m, t, n->name ? n->name : n->addr,
			    strstr(text, "lost") || strstr(text, "error"), "lock: %s", text);
		if (t > newest)
			newest = t;
	}
	n->last_lock_event = newest;
}

static void refresh_node(struct model *m, struct mnode *n, bool *changed)
{
	json_t *value;
	int64_t t;
	*changed |= node_poll(n->conn, &value, &t, &n->state, n->error, sizeof n->error);
	/* The client's errors start with the address, which the rows show. */
	size_t alen = strlen(n->addr);
	if (!strncmp(n->error, n->addr, alen) && !strncmp(n->error + alen, ": ", 2))
		memmove(n->error, n->error + alen + 2, strlen(n->error + alen + 2) + 1);
	if (value) {
		keep_sample(n);
		n->snap = value;
		n->snap_ms = t;
		n->seen = true;
	}
	n->broker = n->locker = NULL;
	const char *mbean;
	json_t *attrs;
	json_object_foreach(n->state == NODE_UP ? n->snap : NULL, mbean, attrs) {
		enum kind k = kind_of(mbean);
		if (k == K_BROKER && !n->broker) {
			n->broker = attrs;
			n->enq_rate = model_rate(n, mbean, "TotalEnqueueCount");
			n->deq_rate = model_rate(n, mbean, "TotalDequeueCount");
		} else if (k == K_LOCKER && !n->locker) {
			n->locker = attrs;
		}
	}
	const char *name = mstr(n->broker, "BrokerName");
	if (*name && (!n->name_kept || strcmp(name, n->name_kept))) {
		free(n->name_kept);
		n->name_kept = strdup(name);
	}
	n->name = n->name_kept;
	const char *dir = mstr(n->locker, "StoreDirectory");
	if (!n->pair && *dir)
		n->pair = strdup(dir);
	n->role = role_of(n);
	if (n->role != ROLE_DOWN)
		n->down_since = 0;
	else if (!n->down_since)
		n->down_since = wall_now_ms();
	role_events(m, n);
	lock_events(m, n);
}

/* ---- destinations ---- */

static struct mdest *dest_get(struct model *m, char type, const char *name)
{
	for (size_t i = 0; i < m->ndests; i++)
		if (m->dests[i]->type == type && !strcmp(m->dests[i]->name, name))
			return m->dests[i];
	struct mdest **dests = realloc(m->dests, (m->ndests + 1) * sizeof *dests);
	struct mdest *d = calloc(1, sizeof *d);
	if (dests)
		m->dests = dests;
	if (!dests || !d || !(d->name = strdup(name))) {
		free(d);
		return NULL;
	}
	d->type = type;
	m->dests[m->ndests++] = d;
	return d;
}

/* Sizes the per-node columns and clears them for this refresh. */
static bool dest_reset(struct mdest *d, size_t nnodes)
{
	if (d->nnodes != nnodes) {
		long *a = realloc(d->depth, nnodes * sizeof *a);
		if (a)
			d->depth = a;
		long *b = realloc(d->consumers, nnodes * sizeof *b);
		if (b)
			d->consumers = b;
		long *c = realloc(d->blocked, nnodes * sizeof *c);
		if (c)
			d->blocked = c;
		bool *s = realloc(d->stale, nnodes * sizeof *s);
		if (s)
			d->stale = s;
		if (!a || !b || !c || !s)
			return false;
		d->nnodes = nnodes;
	}
	for (size_t i = 0; i < nnodes; i++) {
		d->depth[i] = d->consumers[i] = d->blocked[i] = -1;
		d->stale[i] = false;
	}
	d->present = false;
	d->total = d->total_consumers = d->total_blocked = d->stale_total = 0;
	d->enq_rate = d->deq_rate = -1;
	return true;
}

static void add_rate(double *sum, double r)
{
	if (r >= 0)
		*sum = *sum < 0 ? r : *sum + r;
}

/* Calls fn for each object of one kind in the snapshots of the nodes up
 * (and, when `stale`, of the stale ones: their last snapshot). */
static void each_object(struct model *m, enum kind kind, bool stale,
			void (*fn)(struct model *m, size_t node, const char *mbean, json_t *attrs,
				   void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		const struct mnode *n = m->nodes[i];
		const char *mbean;
		json_t *attrs;
		bool counts = n->state == NODE_UP || (stale && n->stale);
		json_object_foreach(counts ? n->snap : NULL, mbean, attrs)
			if (kind_of(mbean) == kind)
				fn(m, i, mbean, attrs, ctx);
	}
}

static void dest_seen(struct model *m, size_t i, const char *mbean, json_t *attrs, void *ctx)
{
	const struct mnode *n = m->nodes[i];
	const char *name = mstr(attrs, "Name");
	/* The broker's own chatter, not the operator's traffic. */
	if (!*name || !strncmp(name, "ActiveMQ.Advisory.", 18))
		return;
	struct mdest *d = dest_get(m, strstr(mbean, "destinationType=Topic") ? 'T' : 'Q', name);
	if (!d || (d->nnodes != m->nnodes && !dest_reset(d, m->nnodes)))
		return;
	d->present = true;
	d->last_seen_ms = *(const int64_t *)ctx;
	d->depth[i] = mlong(attrs, "QueueSize");
	d->total += d->depth[i];
	if (n->stale) {
		/* Its messages wait there; its clients are gone with it. */
		d->stale[i] = true;
		d->stale_total += d->depth[i];
		d->consumers[i] = d->blocked[i] = 0;
		return;
	}
	d->consumers[i] = mlong(attrs, "ConsumerCount");
	d->blocked[i] = mlong(attrs, "BlockedProducers");
	d->total_consumers += d->consumers[i];
	d->total_blocked += d->blocked[i];
	add_rate(&d->enq_rate, model_rate(n, mbean, "EnqueueCount"));
	add_rate(&d->deq_rate, model_rate(n, mbean, "DequeueCount"));
}

bool model_stuck_on(const struct mdest *d, size_t k)
{
	return d->depth[k] > 0 && !d->stale[k] && d->consumers[k] == 0 && d->total_consumers > 0;
}

static void refresh_dests(struct model *m)
{
	int64_t now = wall_now_ms();
	for (size_t i = 0; i < m->ndests; i++)
		dest_reset(m->dests[i], m->nnodes);
	each_object(m, K_DEST, true, dest_seen, &now);
	bool sample = now - m->last_sample_ms >= 1000;
	if (sample)
		m->last_sample_ms = now;
	size_t kept = 0;
	for (size_t i = 0; i < m->ndests; i++) {
		struct mdest *d = m->dests[i];
		if (!d->present && now - d->last_seen_ms > DEST_FORGET_MS) {
			free_dest(d);
			continue;
		}
		d->stuck = false;
		for (size_t k = 0; k < d->nnodes; k++)
			d->stuck |= model_stuck_on(d, k);
		if (sample && d->present) {
			if (d->nhistory == HISTORY)
				memmove(d->history, d->history + 1, (HISTORY - 1) * sizeof d->history[0]);
			else
				d->nhistory++;
			d->history[d->nhistory - 1] = d->total;
		}
		m->dests[kept++] = d;
	}
	m->ndests = kept;
}

/* ---- bridges ---- */

static void bridge_event(struct model *m, const struct mnode *n, const struct mbridge *b)
{
	char key[1024];
	snprintf(key, sizeof key, "%s %s", n->addr, b->mbean);
	const char *was = json_string_value(json_object_get(m->bridge_states, key));
	if (was && !strcmp(was, b->state))
		return;
	bool up = !strcmp(b->state, "active");
	if (up)
		model_event(m, wall_now_ms(), b->from, false, "bridge %s -> %s up", b->from, b->to);
	else if (was && !strcmp(was, "active"))
		model_event(m, wall_now_ms(), b->from, true, "bridge %s -> %s down (%s)%s%s", b->from,
			    b->to, b->state, *b->error ? ": " : "", b->error);
	json_object_set_new(m->bridge_states, key, json_string(b->state));
}

static void bridge_seen(struct model *m, size_t i, const char *mbean, json_t *attrs, void *ctx)
{
	(void)ctx;
	const struct mnode *n = m->nodes[i];
	if (m->nbridges == m->nbridges_cap) {
		size_t more = m->nbridges_cap ? m->nbridges_cap * 2 : 8;
		struct mbridge *nb = realloc(m->bridges, more * sizeof *nb);
		if (!nb)
			return;
		m->bridges = nb;
		m->nbridges_cap = more;
	}
	struct mbridge *b = &m->bridges[m->nbridges++];
	const char *remote = mstr(attrs, "RemoteBrokerName"), *node = n->name ? n->name : n->addr;
	*b = (struct mbridge){
		.node = i, .mbean = mbean, .from = node,
		.to = *remote ? remote : mstr(attrs, "RemoteAddress"),
		.from_id = mstr(n->broker, "BrokerId"), .to_id = mstr(attrs, "RemoteBrokerId"),
		.state = mstr(attrs, "State"), .error = mstr(attrs, "LastError"),
		.demand = mstr(attrs, "Demand"),
		.state_since = json_integer_value(json_object_get(attrs, "StateSinceMillis")),
		.forwarded = mlong(attrs, "EnqueueCounter"), .back = -1,
		.rate = model_rate(n, mbean, "EnqueueCounter"), .back_rate = -1,
	};
	b->active = !strcmp(b->state, "active");
	b->activemq = !strcmp(mstr(attrs, "RemoteBrokerType"), "ActiveMQ");
	/* An ActiveMQ's networkConnector that dialled the node: the bridge
	 * goes the other way, and what it sent back on its own connection
	 * (a duplex one) is the way back. */
	b->inbound = !strcmp(mstr(attrs, "Direction"), "inbound");
	if (b->inbound) {
		const char *t = b->from, *t_id = b->from_id;
		b->from = b->to, b->from_id = b->to_id;
		b->to = t, b->to_id = t_id;
		b->back = mlong(attrs, "ForwardedBack");
		b->back_rate = model_rate(n, mbean, "ForwardedBack");
	}
	bridge_event(m, n, b);
}

static void refresh_bridges(struct model *m)
{
	m->nbridges = 0;	/* the array stays, for the next rebuild */
	each_object(m, K_BRIDGE, false, bridge_seen, NULL);
	/* The other way is the remote's own bridge, when the remote is watched. */
	for (size_t i = 0; i < m->nbridges; i++) {
		struct mbridge *b = &m->bridges[i];
		for (size_t j = 0; j < m->nbridges; j++) {
			const struct mbridge *o = &m->bridges[j];
			/* By id where both ends say it: the seed's pairs both have
			 * a broker1. */
			bool ids = *b->to_id && *o->from_id && *o->to_id && *b->from_id;
			if (ids ? strcmp(o->from_id, b->to_id) || strcmp(o->to_id, b->from_id)
				: strcmp(o->from, b->to) || strcmp(o->to, b->from))
				continue;
			b->back = (b->back < 0 ? 0 : b->back) + o->forwarded;
			add_rate(&b->back_rate, o->rate);
		}
	}
}

/* A node down still counts what it held when its pair has no master up
 * to serve those messages now (a slave that took over reports them
 * itself: counting both would count them twice). */
static void mark_stale(struct model *m)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		struct mnode *n = m->nodes[i];
		n->stale = n->role == ROLE_DOWN && n->snap;
		for (size_t j = 0; n->stale && n->pair && j < m->nnodes; j++)
			n->stale = !(m->nodes[j]->role == ROLE_MASTER && m->nodes[j]->pair &&
				     !strcmp(m->nodes[j]->pair, n->pair));
	}
}

/* Node j answered with the BrokerId of node i: one broker at two
 * addresses (its name and 127.0.0.1, a wildcard's two faces). j goes;
 * its address stays as i's alias, so that discovery does not bring it
 * back. */
static void merge_node(struct model *m, size_t i, size_t j)
{
	struct mnode *keep = m->nodes[i], *gone = m->nodes[j];
	size_t len = keep->aliases ? strlen(keep->aliases) : 0;
	char *aliases = realloc(keep->aliases, len + strlen(gone->addr) + 2);
	if (aliases) {
		sprintf(aliases + len, "%s\n", gone->addr);
		keep->aliases = aliases;
	}
	model_event(m, wall_now_ms(), keep->name ? keep->name : keep->addr, false,
		    "%s is %s, watched at %s: one node", gone->addr,
		    keep->name ? keep->name : "the same broker", keep->addr);
	free_node(gone);
	memmove(m->nodes + j, m->nodes + j + 1, (m->nnodes - j - 1) * sizeof *m->nodes);
	m->nnodes--;
}

static void merge_same_brokers(struct model *m)
{
	for (size_t i = 0; i < m->nnodes; i++) {
		const char *id = mstr(m->nodes[i]->broker, "BrokerId");
		for (size_t j = i + 1; *id && j < m->nnodes; j++)
			if (!strcmp(id, mstr(m->nodes[j]->broker, "BrokerId")))
				merge_node(m, i, j--);
	}
}

bool model_refresh(struct model *m)
{
	bool changed = false;
	for (size_t i = 0; i < m->nnodes; i++)
		refresh_node(m, m->nodes[i], &changed);
	merge_same_brokers(m);
	mark_stale(m);
	if (m->discover)
		model_discover(m);
	refresh_dests(m);
	refresh_bridges(m);
	return changed;
}

void model_trouble(const struct model *m, struct trouble *tr)
{
	memset(tr, 0, sizeof *tr);
	for (size_t i = 0; i < m->nnodes; i++)
		tr->nodes_down += m->nodes[i]->role == ROLE_DOWN;
	for (size_t i = 0; i < m->nbridges; i++)
		tr->bridges_down += !m->bridges[i].active;
	for (size_t i = 0; i < m->ndests; i++) {
		const struct mdest *d = m->dests[i];
		tr->queues_stuck += d->stuck;
		tr->blocked += d->total_blocked;
		if (d->type == 'Q') {
			tr->queued += d->total;
			tr->queued_stale += d->stale_total;
		}
	}
}

void model_trouble_text(const struct trouble *tr, char *out, size_t outlen)
{
	const struct {
		long n;
		const char *one, *many;
	} parts[] = {
		{ tr->nodes_down, "node down", "nodes down" },
		{ tr->bridges_down, "bridge down", "bridges down" },
		{ tr->queues_stuck, "queue stuck", "queues stuck" },
		{ tr->blocked, "producer blocked", "producers blocked" },
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof parts / sizeof parts[0] && len < outlen; i++)
		if (parts[i].n)
			len += (size_t)snprintf(out + len, outlen - len, "%s%ld %s", len ? ", " : "",
						parts[i].n, parts[i].n == 1 ? parts[i].one : parts[i].many);
}
