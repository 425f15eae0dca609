/*
 * advisory.c - consumer advisories for queues and topics, and the
 * advisories that name their subject (see advisory.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "bridge.h"
#include "conn.h"
#include "broker.h"
#include "buf.h"
#include "config.h"
#include "consumer.h"
#include "header.h"
#include "log.h"
#include "message.h"
#include "publish.h"
#include "queue.h"
#include "wildcard.h"

/* A consumer that came or went, for the JMS clients that read which
 * (ConsumerInfo, RemoveInfo); copied, as it may be freed before the
 * advisory goes out. */
struct consumer_event {
	bool added, network;
	char conn[128];		/* advisory_conn_id() */
	char id[64];		/* "SESSION:VALUE" */
	/* What a ConsumerInfo says of a consumer that came (owned; NULL:
	 * none): ADVISORY_PRIORITY and the rest. */
	char priority[16];
	char *selector, *subscription, *client_id, *path;
};

/* The most events told per destination and iteration; past them the
 * advisory says only how many consumers there are. */
#define EVENTS_MAX 64

/* Destinations whose consumers changed this iteration (names owned). */
struct change {
	enum dest_type type;
	char *name;
	struct consumer_event *ev;	/* in order, owned */
	size_t nev;
};
static struct change *changed;
static size_t nchanged, capchanged;

static bool anyone_listens(void)
{
	return broker.advisory_listeners > 0;
}

static struct change *change_of(enum dest_type type, const char *name)
{
	/* The broker's own topics (advisories among them) are nobody's demand. */
	if (!strncmp(name, "ActiveMQ.", 9) || !anyone_listens())
		return NULL;
	for (size_t i = 0; i < nchanged; i++)
		if (changed[i].type == type && !strcmp(changed[i].name, name))
			return &changed[i];
	if (nchanged == capchanged) {
		size_t cap = capchanged ? capchanged * 2 : 16;
		struct change *n = realloc(changed, cap * sizeof *n);
		if (!n)
			return NULL;	/* the next change says it again */
		changed = n;
		capchanged = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	changed[nchanged] = (struct change){ type, copy, NULL, 0 };
	return &changed[nchanged++];
}

void advisory_changed(enum dest_type type, const char *name)
{
	change_of(type, name);
}

/* What a consumer is called in advisories: a JMS client's "SESSION:VALUE"
 * as it gave it, else the broker's number for it. */
static void consumer_id_of(const struct consumer *c, char *out, size_t len)
{
	long long session, value;
	char end;
	if (c->id && sscanf(c->id, "%lld:%lld%c", &session, &value, &end) == 2)
		snprintf(out, len, "%lld:%lld", session, value);
	else
		snprintf(out, len, "0:%" PRIu64, c->number);
}

/* A bridge's consumer's broker path: the remote once per hop to the
 * nearest consumer (this broker knows the next broker only, and the
 * path's length is what TTLs and priorities count); NULL for none. */
static char *demand_path(const struct consumer *c)
{
	const char *remote;
	int hops;
	if (!c->network || !bridge_consumer_demand(c, &remote, &hops) || !remote)
		return NULL;
	struct buf b = BUF_INIT;
	for (int i = 0; i < (hops > 0 ? hops : 1); i++)
		if ((i && buf_puts(&b, ",") < 0) || buf_puts(&b, remote) < 0) {
			buf_free(&b);
			return NULL;
		}
	size_t len;
	return buf_steal(&b, &len);
}

/* What ActiveMQ's bridges read of a consumer that came; left out when
 * memory runs out (the advisory goes without it). */
static void describe(struct consumer_event *e, const struct consumer *c)
{
	snprintf(e->priority, sizeof e->priority, "%d", c->priority);
	e->selector = c->selector_text && *c->selector_text ? strdup(c->selector_text) : NULL;
	if (c->durable) {
		e->subscription = strdup(c->durable->name);
		e->client_id = strdup(c->durable->client_id);
	}
	e->path = demand_path(c);
}

static void event_release(struct consumer_event *e)
{
	free(e->selector);
	free(e->subscription);
	free(e->client_id);
	free(e->path);
}

void advisory_consumer_changed(enum dest_type type, const char *name, const struct consumer *c,
			       bool added)
{
	struct change *ch = change_of(type, name);
	if (!ch || ch->nev == EVENTS_MAX)
		return;
	if (!ch->ev && !(ch->ev = calloc(EVENTS_MAX, sizeof *ch->ev)))
		return;
	struct consumer_event *e = &ch->ev[ch->nev++];
	e->added = added;
	e->network = c->network;
	advisory_conn_id(c->conn, e->conn, sizeof e->conn);
	consumer_id_of(c, e->id, sizeof e->id);
	if (added)
		describe(e, c);
}

static void change_release(struct change *ch)
{
	for (size_t i = 0; i < ch->nev; i++)
		event_release(&ch->ev[i]);
	free(ch->name);
	free(ch->ev);
}

void advisory_replay(void)
{
	/* Each consumer again, for JMS listeners that want to know which. */
	for (struct queue *q = broker.queues; q; q = q->next)
		for (const struct binding *b = q->bhead; b; b = b->qnext)
			advisory_consumer_changed(DEST_QUEUE, q->name, b->consumer, true);
	for (struct consumer *c = broker.topic_consumers; c; c = c->next)
		advisory_consumer_changed(DEST_TOPIC, c->dest, c, true);
	/* Offline ones too: bridges keep what is published for them. */
	for (struct durable *d = broker.durables; d; d = d->next)
		if (d->active)
			advisory_consumer_changed(DEST_TOPIC, d->topic, d->active, true);
		else
			advisory_changed(DEST_TOPIC, d->topic);
}

long advisory_local_consumers(const struct queue *q)
{
	long n = 0;
	for (const struct binding *b = q->bhead; b; b = b->qnext)
		n += !b->consumer->network;
	return n;
}

static struct message *build(const char *topic, const char *const *fields);

/* What a destination's consumers add up to: local ones, and per remote
 * broker the least hops of the bridges' demand ("B:1,C:2"). */
struct tally {
	long local;
	long durables;		/* a topic's, but the network's own */
	char demand[1024];
	size_t len;
};

static void count(struct tally *t, const struct consumer *c)
{
	const char *remote;
	int hops;
	if (!c->network) {
		t->local++;
		return;
	}
	if (!bridge_consumer_demand(c, &remote, &hops) || t->len >= sizeof t->demand - 1)
		return;
	/* One entry per remote broker and distance: a bridge without
	 * conduitSubscriptions has several consumers of one destination. */
	char entry[256];
	snprintf(entry, sizeof entry, "%s:%d", remote, hops);
	size_t elen = strlen(entry);
	for (const char *p = t->demand; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == elen && !strncmp(p, entry, n))
			return;
		p += n + (p[n] == ',');
	}
	t->len += (size_t)snprintf(t->demand + t->len, sizeof t->demand - t->len, "%s%s",
				   t->len ? "," : "", entry);
	if (t->len >= sizeof t->demand)
		t->len = sizeof t->demand - 1;
}

static int count_subscriber(void *sub, void *t)
{
	count(t, sub);
	return 0;
}

static int count_durable(void *sub, void *ctx)
{
	const struct durable *d = sub;
	struct tally *t = ctx;
	t->durables += !d->network;
	if (d->active)
		count(t, d->active);
	return 0;
}

static void tally(enum dest_type type, const char *name, struct tally *t)
{
	memset(t, 0, sizeof *t);
	if (type == DEST_QUEUE) {
		struct queue *q = broker_queue(name, false);
		for (const struct binding *b = q ? q->bhead : NULL; b; b = b->qnext)
			count(t, b->consumer);
		return;
	}
	topic_index_same(&broker.topic_subs, name, count_subscriber, t);
	topic_index_same(&broker.durable_subs, name, count_durable, t);
}

static void send_advisory(struct message *m, const char *kind, const char *name)
{
	char err[256] = "out of memory";
	/* The broker's own news, admitted by it: as ActiveMQ's advisories,
	 * never held or refused by producer flow control. */
	static const struct producer advisor = { .admitted = true };
	if (!m || broker_publish(&advisor, m, err, sizeof err) < 0)
		log_warn("broker", "Advisory for %s %s not sent: %s", kind, name, err);
}

/* The advisory of one change: the tally, and the consumer that came or
 * went when e says which, `local` being the count right after it. Only
 * the last of a destination's advisories in an iteration carries the
 * tally bridges read (consumerCount and the rest): one before it says
 * its count in ADVISORY_COUNT, which bridges do not read, so that a
 * consumer replaced within one iteration is no moment without demand. */
/* Appends the pair name, value to fields (n pairs so far) when value is
 * set. */
static void put(const char **fields, size_t *n, const char *name, const char *value)
{
	if (!value)
		return;
	fields[2 * *n] = name;
	fields[2 * *n + 1] = value;
	++*n;
}

static void publish(const struct change *ch, const struct tally *t, long local,
		    const struct consumer_event *e, bool last)
{
	char num[24], durables[24], topic[1200], dest[1100];
	snprintf(num, sizeof num, "%ld", local);
	snprintf(durables, sizeof durables, "%ld", t->durables);
	snprintf(topic, sizeof topic, "%s%s", ch->type == DEST_QUEUE ? ADVISORY_QUEUE_PREFIX
		 : ADVISORY_TOPIC_PREFIX, ch->name);
	snprintf(dest, sizeof dest, "%s%s", ch->type == DEST_QUEUE ? "queue://" : "topic://",
		 ch->name);
	const char *fields[2 * 16 + 1] = { NULL };
	size_t n = 0;
	if (last) {
		put(fields, &n, "consumerCount", num);
		put(fields, &n, "brokerName", broker.cfg->broker_name);
		put(fields, &n, ADVISORY_DEMAND_HEADER, t->demand);
		put(fields, &n, ADVISORY_DURABLES_HEADER, durables);
	} else {
		put(fields, &n, ADVISORY_COUNT, num);
	}
	if (e) {
		put(fields, &n, ADVISORY_SUBJECT, e->added ? "ConsumerInfo" : "RemoveInfo");
		put(fields, &n, ADVISORY_DESTINATION, dest);
		put(fields, &n, ADVISORY_CONNECTION_ID, e->conn);
		put(fields, &n, ADVISORY_ID, e->id);
	}
	if (e && e->added) {
		put(fields, &n, ADVISORY_PRIORITY, e->priority);
		put(fields, &n, ADVISORY_SELECTOR, e->selector);
		put(fields, &n, ADVISORY_SUBSCRIPTION, e->subscription);
		put(fields, &n, ADVISORY_CLIENT_ID, e->client_id);
		put(fields, &n, ADVISORY_NETWORK, e->network ? "true" : NULL);
		put(fields, &n, ADVISORY_BROKER_PATH, e->path);
	}
	struct message *m = build(topic, fields);
	send_advisory(m, ch->type == DEST_QUEUE ? "queue" : "topic", ch->name);
	message_unref(m);
}

/* One advisory per consumer that came or went (ActiveMQ's), or one with
 * the count when nothing says which. */
static void publish_change(const struct change *ch)
{
	struct tally t;
	tally(ch->type, ch->name, &t);
	if (!ch->nev) {
		publish(ch, &t, t.local, NULL, true);
		return;
	}
	/* The count after each event: the present, less what came after. */
	long after = t.local;
	long counts[EVENTS_MAX];
	for (size_t i = ch->nev; i-- > 0;) {
		counts[i] = after < 0 ? 0 : after;
		if (!ch->ev[i].network)
			after -= ch->ev[i].added ? 1 : -1;
	}
	for (size_t i = 0; i < ch->nev; i++)
		publish(ch, &t, counts[i], &ch->ev[i], i + 1 == ch->nev);
}

/* ---- advisories that name their subject ---- */

/* Built when their subject changed, published at the iteration's end
 * after what changed before them, in order. */
static struct message **events;
static size_t nevents, capevents;

void advisory_conn_id(const struct conn *c, char *out, size_t len)
{
	snprintf(out, len, "%sconn-%" PRIu64, broker.id_prefix, c ? c->id : 0);
}

/* A message on `topic` whose headers are the pairs of fields, up to the
 * first NULL name; NULL when memory ran out. */
static struct message *build(const char *topic, const char *const *fields)
{
	size_t n = 0;
	while (fields[2 * n])
		n++;
	struct header *h = calloc(n ? n : 1, sizeof *h);
	char *dest = strdup(topic);
	bool oom = !h || !dest;
	for (size_t i = 0; h && i < n; i++) {
		h[i] = (struct header){ strdup(fields[2 * i]), strdup(fields[2 * i + 1]) };
		oom |= !h[i].name || !h[i].value;
	}
	if (oom) {
		if (h)
			headers_free(h, n);
		free(dest);
		return NULL;
	}
	/* message_new_take frees what it was given when it fails. */
	return message_new_take(broker_new_message_id(), DEST_TOPIC, dest, h, n, calloc(1, 1), 0);
}

void advisory_event(const char *topic, const char *const *fields)
{
	if (!anyone_listens())
		return;
	struct message *m = build(topic, fields);
	if (m && nevents == capevents) {
		size_t cap = capevents ? capevents * 2 : 16;
		struct message **nv = realloc(events, cap * sizeof *nv);
		if (nv) {
			events = nv;
			capevents = cap;
		}
	}
	if (!m || nevents == capevents) {
		log_warn("broker", "Advisory on %s not sent: out of memory", topic);
		message_unref(m);
		return;
	}
	events[nevents++] = m;
}

void advisory_temp_dest(enum dest_type type, const char *real, const struct conn *owner,
			bool added)
{
	char dest[1024], conn[128];
	snprintf(dest, sizeof dest, "%s%s", type == DEST_QUEUE ? "temp-queue://" : "temp-topic://",
		 real);
	advisory_conn_id(owner, conn, sizeof conn);
	const char *fields[] = {
		ADVISORY_SUBJECT, "DestinationInfo",
		ADVISORY_OPERATION, added ? "add" : "remove",
		ADVISORY_DESTINATION, dest,
		ADVISORY_CONNECTION_ID, conn,
		NULL
	};
	advisory_event(type == DEST_QUEUE ? ADVISORY_TEMP_QUEUE : ADVISORY_TEMP_TOPIC, fields);
}

/* The consumers of one destination again, for a new listener of its
 * advisory topic. */
static void replay_one(enum dest_type type, const char *name)
{
	if (type == DEST_QUEUE) {
		struct queue *q = broker_queue(name, false);
		for (const struct binding *b = q ? q->bhead : NULL; b; b = b->qnext)
			advisory_consumer_changed(DEST_QUEUE, name, b->consumer, true);
		return;
	}
	for (struct consumer *c = broker.topic_consumers; c; c = c->next)
		if (!strcmp(c->dest, name))
			advisory_consumer_changed(DEST_TOPIC, name, c, true);
	for (struct durable *d = broker.durables; d; d = d->next)
		if (!strcmp(d->topic, name) && d->active)
			advisory_consumer_changed(DEST_TOPIC, name, d->active, true);
}

void advisory_subscribed(enum dest_type type, const char *dest)
{
	size_t qn = strlen(ADVISORY_QUEUE_PREFIX), tn = strlen(ADVISORY_TOPIC_PREFIX);
	if (type != DEST_TOPIC)
		return;
	/* A JMS client watching one destination: its consumers, as
	 * ActiveMQ's AdvisoryBroker tells them. */
	if (!dest_has_wildcard(dest) && !strncmp(dest, ADVISORY_QUEUE_PREFIX, qn))
		replay_one(DEST_QUEUE, dest + qn);
	else if (!dest_has_wildcard(dest) && !strncmp(dest, ADVISORY_TOPIC_PREFIX, tn))
		replay_one(DEST_TOPIC, dest + tn);
	else if (dest_match(dest, ADVISORY_QUEUE_PREFIX "x") ||
		 dest_match(dest, ADVISORY_TOPIC_PREFIX "x"))
		advisory_replay();
}

static void flush_events(void)
{
	struct message **list = events;
	size_t n = nevents;
	events = NULL;
	nevents = capevents = 0;
	for (size_t i = 0; i < n; i++) {
		send_advisory(list[i], "topic", list[i]->dest);
		message_unref(list[i]);
	}
	free(list);
}

void advisory_flush(void)
{
	flush_events();
	/* Publishing runs broker code that may change consumers again:
	 * take the list first. */
	struct change *list = changed;
	size_t n = nchanged;
	changed = NULL;
	nchanged = capchanged = 0;
	for (size_t i = 0; i < n; i++) {
		publish_change(&list[i]);
		change_release(&list[i]);
	}
	free(list);
}

void advisory_free(void)
{
	for (size_t i = 0; i < nchanged; i++)
		change_release(&changed[i]);
	free(changed);
	changed = NULL;
	nchanged = capchanged = 0;
	for (size_t i = 0; i < nevents; i++)
		message_unref(events[i]);
	free(events);
	events = NULL;
	nevents = capevents = 0;
}
