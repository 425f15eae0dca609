/*
 * openwire_consumer.c - consumers, dispatch and acks: each ConsumerInfo
 * is a core consumer (consumer_open()) per destination it names, with the
 * client's prefetch (the Java client's defaults, as ActiveMQ's: queue
 * 1000, topic 32766, durable 100, browser 500), priority, exclusive and
 * noLocal; each message goes out in a MessageDispatch. A queue browser is
 * openwire_browse.c's.
 *
 * Prefetch 0 is ActiveMQ's pull consumer: one message per MessagePull,
 * and when none comes within the pull's timeout (at once for -1, never
 * for 0) a MessageDispatch without a message, which ends the client's
 * receive(timeout) or receiveNoWait() with null.
 *
 * Acks, as ActiveMQ's PrefetchSubscription takes them: standard (a range,
 * first to last), individual, poison (a range, to the DLQ with the
 * client's cause as dlqDeliveryFailureCause), expired (a range, counted
 * as expired); delivered widens the window by its count (the client's
 * answer to a prefetch it would otherwise sit on in CLIENT_ACKNOWLEDGE),
 * and each ack that removes narrows it again; redelivered and unmatched
 * are accepted and change nothing, as ActiveMQ's client subscriptions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "conn.h"
#include "consumer.h"
#include "loop.h"
#include "openwire_conn.h"
#include "openwire_network.h"
#include "openwire_message.h"
#include "queue.h"

/* The most destinations one composite consumer names (a,b,c). */
#define OW_COMPOSITE_MAX 16

struct ow_sub {
	struct ow_conn *oc;
	struct ow_consumer_id *id;	/* the client's (a reference) */
	struct ow_destination *dest;	/* as it named it (a reference) */
	/* One per destination a composite destination names (the Java
	 * client's advisory consumer watches two topics). */
	struct consumer *consumers[OW_COMPOSITE_MAX];
	size_t n;
	/* Prefetch 0: `credit` messages asked for by MessagePull; a pull
	 * with a timeout waits on pull_timer for a dispatch after
	 * pull_mark. */
	bool pull;
	unsigned credit;
	uint64_t dispatched, pull_mark, pull_timer;
	char *key;			/* in oc->subs_by_id once linked */
	struct ow_sub *next, *prev;
};

/* ---- delivery ---- */

static bool sub_writable(struct consumer *c)
{
	struct ow_sub *s = c->ctx;
	return conn_writable(s->oc->conn) && (!s->pull || s->credit > 0);
}

static int sub_deliver(struct consumer *c, struct qentry *e)
{
	struct ow_sub *s = c->ctx;
	struct ow_message *om = ow_message_from_core(e->msg, e->delivery_id, e->redeliveries);
	if (!om || ow_dispatch(s->oc, s->id, om) < 0)
		return -1;
	s->dispatched++;
	/* What a network peer's demand took (a duplex bridge's way back),
	 * for management's InboundNetworkBridge; not its advisories. */
	if (s->oc->peer_name && strncmp(e->msg->dest, "ActiveMQ.Advisory.", 18))
		s->oc->conn->network_out++;
	if (s->pull && s->credit)
		s->credit--;
	return 0;
}

/* A network bridge peer is not sent what it cannot read (openwire_network.c). */
static bool sub_wants(const struct consumer *c, const struct message *m)
{
	const struct ow_sub *s = c->ctx;
	return !s->oc->peer_name || ow_network_wants(m);
}

static const struct consumer_ops sub_ops = { sub_deliver, sub_writable, sub_wants };

int ow_dispatch(struct ow_conn *oc, struct ow_consumer_id *id, struct ow_message *om)
{
	struct ow_message_dispatch *d = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	if (!d) {
		ow_obj_free(om ? &om->c.h : NULL);
		return -1;
	}
	d->consumer_id = (void *)ow_obj_ref(&id->h);
	if (om) {
		d->destination = (void *)ow_obj_ref(&om->destination->h);
		d->message = om;
		d->redelivery_counter = om->redelivery_counter;
	}
	if (ow_send(oc, &d->c.h) < 0)
		return -1;
	if (om)
		oc->conn->msgs_out++;
	return 0;
}

int ow_dispatch_end(struct ow_conn *oc, struct ow_consumer_id *id,
		    const struct ow_destination *dest)
{
	struct ow_message_dispatch *d = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	if (!d)
		return -1;
	d->consumer_id = (void *)ow_obj_ref(&id->h);
	d->destination = dest ? (void *)ow_obj_ref((struct ow_obj *)&dest->h) : NULL;
	return ow_send(oc, &d->c.h);
}

/* ---- the client's consumers ---- */

bool ow_same_consumer(const struct ow_consumer_id *a, const struct ow_consumer_id *b)
{
	return a->value == b->value && a->session_id == b->session_id &&
	       a->connection_id.len == b->connection_id.len &&
	       (!a->connection_id.len ||
		!memcmp(a->connection_id.s, b->connection_id.s, a->connection_id.len));
}

/* What a consumer id is filed under in oc->subs_by_id: NULL when memory
 * runs out. */
static char *sub_key(const struct ow_consumer_id *id)
{
	char *key = NULL;
	if (asprintf(&key, "%" PRId64 ":%" PRId64 ":%.*s", id->value, id->session_id,
		     (int)id->connection_id.len, id->connection_id.s ? id->connection_id.s : "") < 0)
		return NULL;
	return key;
}

/* By id, not by walking the list: each ConsumerInfo, ack and pull looks
 * its consumer up, and 80,000 ConsumerInfos on one connection held the
 * loop for 69 s that way (t/42-many-per-connection.t). */
static struct ow_sub *find_sub(struct ow_conn *oc, const struct ow_consumer_id *id)
{
	char *key = id ? sub_key(id) : NULL;
	struct ow_sub *s = key ? strmap_get(&oc->subs_by_id, key) : NULL;
	free(key);
	return s;
}

/* Files s in the connection's list and index: 0, or -1 out of memory. */
static int sub_link(struct ow_conn *oc, struct ow_sub *s)
{
	if (!(s->key = sub_key(s->id)) || strmap_put(&oc->subs_by_id, s->key, s) < 0)
		return -1;
	s->prev = NULL;
	s->next = oc->subs;
	if (oc->subs)
		oc->subs->prev = s;
	oc->subs = s;
	return 0;
}

static void sub_unlink(struct ow_conn *oc, struct ow_sub *s)
{
	strmap_del(&oc->subs_by_id, s->key);
	*(s->prev ? &s->prev->next : &oc->subs) = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void sub_free(struct ow_sub *s)
{
	for (size_t i = 0; i < s->n; i++) {
		s->oc->conn->consumers--;
		consumer_close(s->consumers[i]);
	}
	if (s->pull_timer)
		loop_del_timer(s->oc->conn->loop, s->pull_timer);
	ow_obj_free(&s->id->h);
	ow_obj_free(s->dest ? &s->dest->h : NULL);
	free(s->key);
	free(s);
}

/* Closes the subscriptions `match` picks. */
static void close_subs(struct ow_conn *oc, bool (*match)(const struct ow_sub *, const void *),
		       const void *arg)
{
	for (struct ow_sub *s = oc->subs, *next; s; s = next) {
		next = s->next;
		if (match(s, arg)) {
			sub_unlink(oc, s);
			sub_free(s);
		}
	}
}

static void close_sub(struct ow_conn *oc, struct ow_sub *s)
{
	if (s) {
		sub_unlink(oc, s);
		sub_free(s);
	}
}

static bool sub_in_session(const struct ow_sub *s, const void *arg)
{
	const struct ow_session_id *sid = arg;
	return s->id->session_id == sid->value;
}

static bool sub_any(const struct ow_sub *s, const void *arg)
{
	(void)s;
	(void)arg;
	return true;
}

void ow_consumers_close(struct ow_conn *oc)
{
	close_subs(oc, sub_any, NULL);
	strmap_clear(&oc->subs_by_id);
}

static void sub_wakeup(struct ow_sub *s)
{
	for (size_t i = 0; i < s->n; i++)
		consumer_wakeup(s->consumers[i]);
}

void ow_consumers_wakeup(struct ow_conn *oc)
{
	for (struct ow_sub *s = oc->subs; s; s = s->next)
		sub_wakeup(s);
}

/* ---- commands ---- */

/* What a ConsumerInfo asks of the core, besides the destination. */
static void spec_of(struct consumer_spec *spec, const struct ow_consumer_info *ci)
{
	spec->prefetch = ci->prefetch_size > 0 ? (unsigned)ci->prefetch_size : 0;
	spec->pull = ci->prefetch_size <= 0;
	spec->priority = ci->priority;
	spec->exclusive = ci->exclusive;
	spec->no_local = ci->no_local;
}

/* Opens a core consumer on each destination `dest` names (a,b,c):
 * 0, or -1 with the refusal answered. */
static int sub_open(struct ow_conn *oc, struct ow_sub *s, const struct ow_command *cmd,
		    struct consumer_spec *spec, char *dest)
{
	char err[700];
	int rc = 0;
	char *save = NULL;
	for (char *part = strtok_r(dest, ",", &save); part && rc == 0;
	     part = strtok_r(NULL, ",", &save)) {
		spec->dest = part;
		if (s->n == OW_COMPOSITE_MAX) {
			snprintf(err, sizeof err, "A composite destination may name at most %d",
				 OW_COMPOSITE_MAX);
			rc = -1;
		} else if (!authz_allows_use(oc->conn, AUTHZ_READ, spec->type, part, err,
					     sizeof err)) {
			rc = -2;
		} else if (!(s->consumers[s->n] = consumer_open(spec, &sub_ops, s, err,
								sizeof err))) {
			rc = spec->selector && strstr(err, "elector") ? -3 : -1;
		} else {
			s->n++;
			oc->conn->consumers++;
		}
	}
	if (rc < 0)
		ow_refuse(oc, cmd, rc == -2 ? EX_SECURITY : rc == -3 ? EX_SELECTOR : EX_JMS,
			  "%s", err);
	return rc < 0 ? -1 : 0;
}

int ow_on_consumer_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_consumer_info *ci = (void *)o;
	const struct ow_command *cmd = &ci->c;
	if (!ci->consumer_id || find_sub(oc, ci->consumer_id)) {
		ow_refuse(oc, cmd, EX_JMS, "The consumer id is missing or in use");
		return -1;
	}
	/* A browser is refused past the limit too, as ActiveMQ's is, though
	 * it is not counted: it holds nothing once its end is sent. */
	if (ow_limit_check(oc, cmd, CONN_CONSUMER, (long)oc->subs_by_id.count,
			   ci->destination) < 0)
		return -1;
	struct consumer_spec spec = { .ack = ACK_CLIENT_INDIVIDUAL, .conn = oc->conn };
	char *dest;
	if (ow_dest_of(oc, cmd, ci->destination, &spec.type, &dest) < 0)
		return -1;
	bool oom = false;
	char *selector = ow_utf8_of(&ci->selector, &oom);
	char *durable = spec.type == DEST_TOPIC ? ow_utf8_of(&ci->subscription_name, &oom) : NULL;
	int rc = 0;
	if (ci->browser) {
		rc = oom ? -2 : ow_browse(oc, ci, spec.type, dest, selector);
	} else if (durable && !oc->conn->client_id) {
		ow_refuse(oc, cmd, EX_JMS, "You cannot create a durable subscriber without "
			  "specifying a unique clientID on a Connection");
		rc = -1;
	} else {
		char id[128];
		snprintf(id, sizeof id, "%" PRId64 ":%" PRId64, ci->consumer_id->session_id,
			 ci->consumer_id->value);
		spec.selector = selector && *selector ? selector : NULL;
		spec.durable_name = durable;
		spec.client_id = oc->conn->client_id;
		spec.id = id;
		spec_of(&spec, ci);
		struct ow_sub *s = oom ? NULL : calloc(1, sizeof *s);
		if (!s) {
			rc = -2;
		} else {
			s->oc = oc;
			s->id = (void *)ow_obj_ref(&ci->consumer_id->h);
			s->dest = (void *)ow_obj_ref(&ci->destination->h);
			s->pull = spec.pull;
			rc = sub_open(oc, s, cmd, &spec, dest);
			if (rc == 0 && sub_link(oc, s) < 0)
				rc = -1;	/* out of memory */
			if (rc < 0)
				sub_free(s);
		}
	}
	if (rc == -2) {
		ow_refuse(oc, cmd, EX_JMS, "The broker is out of memory");
		rc = -1;
	}
	free(dest);
	free(selector);
	free(durable);
	return rc;
}

int ow_on_remove_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_remove_info *ri = (void *)o;
	const struct ow_obj *id = ri->object_id;
	if (!id)
		return 0;
	if (id->type == OW_CONSUMER_ID) {
		close_sub(oc, find_sub(oc, (const struct ow_consumer_id *)id));
		ow_browse_stop(oc, (const struct ow_consumer_id *)id);
	} else if (id->type == OW_SESSION_ID) {
		close_subs(oc, sub_in_session, id);
	} else if (id->type == OW_CONNECTION_ID) {
		/* The client's close: its id is free at once, as ActiveMQ's
		 * removeConnection frees it, before the socket goes. */
		close_subs(oc, sub_any, NULL);
		ow_release_client_id(oc);
	}
	return 0;
}

/* session.unsubscribe(name): ActiveMQ's TopicRegion.removeSubscription,
 * its checks and words. */
int ow_on_remove_subscription(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_remove_subscription_info *ri = (void *)o;
	bool oom = false;
	char *name = ow_utf8_of(&ri->subscription_name, &oom);
	char *cid = ow_utf8_of(&ri->client_id, &oom);
	const char *client_id = cid && *cid ? cid : oc->conn->client_id;
	struct durable *d = name && client_id ? broker_durable_find(client_id, name) : NULL;
	char err[512];
	int rc = -1;
	if (oom)
		ow_refuse(oc, &ri->c, EX_JMS, "The broker is out of memory");
	else if (!d)
		ow_refuse(oc, &ri->c, EX_DEST, "No durable subscription exists for clientID: %s "
			  "and subscriptionName: %s", client_id ? client_id : "null",
			  name ? name : "null");
	else if (d->active)
		ow_refuse(oc, &ri->c, EX_JMS, "Durable consumer is in use");
	else if (broker_durable_remove(client_id, name, err, sizeof err) < 0)
		ow_refuse(oc, &ri->c, EX_JMS, "%s", err);
	else
		rc = 0;
	free(name);
	free(cid);
	return rc;
}

/* ---- pulls and consumer control ---- */

static void pull_timeout(struct loop *l, void *ctx)
{
	(void)l;
	struct ow_sub *s = ctx;
	s->pull_timer = 0;
	if (s->dispatched != s->pull_mark || !s->credit)
		return;
	s->credit = 0;
	ow_dispatch_end(s->oc, s->id, s->dest);
}

/* A prefetch-0 consumer's receive: one message may go now. The dispatch
 * runs here, not at the end of the iteration, so that a pull that is to
 * be answered at once (timeout -1: receiveNoWait) knows whether a
 * message went, as ActiveMQ's pullMessage dispatches before it looks. */
int ow_on_message_pull(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message_pull *p = (void *)o;
	struct ow_sub *s = p->consumer_id ? find_sub(oc, p->consumer_id) : NULL;
	if (!s || !s->pull)
		return 0;
	s->credit = 1;
	s->pull_mark = s->dispatched;
	if (s->pull_timer)
		loop_del_timer(oc->conn->loop, s->pull_timer);
	s->pull_timer = 0;
	sub_wakeup(s);
	queue_dispatch_scheduled();
	if (s->dispatched != s->pull_mark)
		return 0;
	if (p->timeout < 0) {
		s->credit = 0;
		ow_dispatch_end(oc, s->id, s->dest);
	} else if (p->timeout > 0) {
		s->pull_timer = loop_add_timer(oc->conn->loop, p->timeout, pull_timeout, s);
	}
	return 0;
}

/* ActiveMQ's processConsumerControl: the prefetch it names becomes the
 * consumer's (0: a pull consumer from now on); close closes it. The
 * failover transport restores a consumer with prefetch 0 and gives it
 * its prefetch back this way: without it a client-acknowledge consumer
 * that takes several messages before it acks waited for ever. */
int ow_on_consumer_control(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_consumer_control *cc = (void *)o;
	struct ow_sub *s = cc->consumer_id ? find_sub(oc, cc->consumer_id) : NULL;
	if (!s)
		return 0;
	if (cc->close) {
		close_sub(oc, s);
		return 0;
	}
	s->pull = cc->prefetch <= 0;
	for (size_t i = 0; i < s->n; i++)
		consumer_set_prefetch(s->consumers[i], cc->prefetch > 0 ? (unsigned)cc->prefetch : 0,
				      s->pull);
	return 0;
}

/* ---- acks ---- */

/* The in-flight entry of s an ack's message id names, and its consumer. */
static struct qentry *entry_of(struct ow_sub *s, const struct ow_message_id *id,
			       struct consumer **c)
{
	for (size_t i = 0; s && id && i < s->n; i++) {
		struct qentry *e = consumer_find(s->consumers[i],
						 (uint64_t)id->broker_sequence_id, NULL);
		if (e) {
			*c = s->consumers[i];
			return e;
		}
	}
	return NULL;
}

/* Throwable.toString(), as ActiveMQ records a poison ack's cause. */
static char *cause_of(const struct ow_message_ack *a)
{
	bool oom = false;
	const struct ow_throwable *t = a->poison_cause;
	char *klass = t ? ow_utf8_of(&t->class_name, &oom) : NULL;
	char *text = t ? ow_utf8_of(&t->message, &oom) : NULL;
	char *cause = NULL;
	if (klass && text && asprintf(&cause, "%s: %s", klass, text) < 0)
		cause = NULL;
	else if (klass && !text)
		cause = klass, klass = NULL;
	free(klass);
	free(text);
	return cause;
}

/* What each ack type does to one in-flight entry of a range. */
enum range_act { ACT_ACK, ACT_POISON, ACT_EXPIRE };

/* Applies `act` to the entries from the ack's first message (or the
 * oldest in flight when it names none there) to `last`, in delivery
 * order. The window narrows as ActiveMQ's: by each message a standard
 * ack takes (the client's delivered acks widened it by all it held),
 * by one for the others. */
static void ack_range(struct consumer *c, const struct ow_message_ack *a, struct qentry *last,
		      enum range_act act)
{
	struct qentry *e = a->first_message_id ? consumer_find(c, (uint64_t)a->first_message_id->
							       broker_sequence_id, NULL) : NULL;
	if (!e)
		e = c->inflight.head;
	/* A first that comes after the last names a range of one. */
	struct qentry *i = e;
	while (i && i != last)
		i = i->next;
	if (!i)
		e = last;
	char *cause = act == ACT_POISON ? cause_of(a) : NULL;
	bool done = false;
	int n = 0;
	for (; e && !done; n++) {
		struct qentry *next = e->next;
		done = e == last;
		if (act == ACT_ACK)
			consumer_ack(c, e, false);
		else if (act == ACT_POISON)
			consumer_poison(c, e, cause ? cause : "poison ack");
		else
			consumer_expired(c, e);
		e = next;
	}
	free(cause);
	consumer_widen(c, act == ACT_ACK ? -n : -1);
}

struct qentry *ow_ack_entry(struct ow_conn *oc, const struct ow_message_ack *a,
			    struct consumer **c)
{
	struct ow_sub *s = a->consumer_id ? find_sub(oc, a->consumer_id) : NULL;
	return entry_of(s, a->last_message_id, c);
}

int ow_on_ack(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message_ack *a = (void *)o;
	if (a->transaction_id)
		return ow_tx_ack(oc, a);	/* at its commit */
	ow_ack_apply(oc, a);
	return 0;
}

void ow_ack_apply(struct ow_conn *oc, const struct ow_message_ack *a)
{
	struct consumer *c = NULL;
	struct qentry *e = ow_ack_entry(oc, a, &c);
	if (!e)	/* for nothing in flight (a browser's, or after a failover) */
		return;
	switch (a->ack_type) {
	case OW_ACK_STANDARD:
		ack_range(c, a, e, ACT_ACK);
		break;
	case OW_ACK_INDIVIDUAL:
		consumer_ack(c, e, false);
		consumer_widen(c, -1);
		break;
	case OW_ACK_POISON:
		ack_range(c, a, e, ACT_POISON);
		break;
	case OW_ACK_EXPIRED:
		ack_range(c, a, e, ACT_EXPIRE);
		break;
	case OW_ACK_DELIVERED:
		consumer_widen(c, a->message_count > 0 ? a->message_count : 1);
		break;
	default:	/* redelivered, unmatched: nothing to do */
		break;
	}
}
