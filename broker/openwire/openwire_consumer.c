/*
 * openwire_consumer.c - consumers, dispatch and acks: each ConsumerInfo
 * is a core consumer (consumer_open()) per destination it names, with the
 * client's prefetch; each message goes out in a MessageDispatch; the
 * standard, individual and poison acks are the core's acks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "conn.h"
#include "consumer.h"
#include "openwire_conn.h"
#include "openwire_message.h"

/* The prefetch the core bounds a consumer with when the client asks for
 * none (a pull consumer, served as prefetch 1). */
#define OW_PREFETCH_MIN 1
/* The most destinations one composite consumer names (a,b,c). */
#define OW_COMPOSITE_MAX 16

struct ow_sub {
	struct ow_conn *oc;
	struct ow_consumer_id *id;	/* the client's (a reference) */
	/* One per destination a composite destination names (the Java
	 * client's advisory consumer watches two topics). */
	struct consumer *consumers[OW_COMPOSITE_MAX];
	size_t n;
	struct ow_sub *next;
};

/* ---- delivery ---- */

static bool sub_writable(struct consumer *c)
{
	struct ow_sub *s = c->ctx;
	return conn_writable(s->oc->conn);
}

static int sub_deliver(struct consumer *c, struct qentry *e)
{
	struct ow_sub *s = c->ctx;
	struct ow_conn *oc = s->oc;
	struct ow_message_dispatch *d = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	struct ow_message *om = ow_message_from_core(e->msg, e->delivery_id, e->redeliveries);
	if (!d || !om) {
		ow_obj_free(d ? &d->c.h : NULL);
		ow_obj_free(om ? &om->c.h : NULL);
		return -1;
	}
	d->consumer_id = (void *)ow_obj_ref(&s->id->h);
	d->destination = (void *)ow_obj_ref(&om->destination->h);
	d->message = om;
	d->redelivery_counter = om->redelivery_counter;
	if (ow_send(oc, &d->c.h) < 0)
		return -1;
	oc->conn->msgs_out++;
	return 0;
}

static const struct consumer_ops sub_ops = { sub_deliver, sub_writable, NULL };

/* ---- the client's consumers ---- */

static bool same_consumer(const struct ow_consumer_id *a, const struct ow_consumer_id *b)
{
	return a->value == b->value && a->session_id == b->session_id &&
	       a->connection_id.len == b->connection_id.len &&
	       (!a->connection_id.len ||
		!memcmp(a->connection_id.s, b->connection_id.s, a->connection_id.len));
}

static struct ow_sub **find_sub(struct ow_conn *oc, const struct ow_consumer_id *id)
{
	struct ow_sub **p = &oc->subs;
	while (*p && !(id && same_consumer((*p)->id, id)))
		p = &(*p)->next;
	return p;
}

static void sub_free(struct ow_sub *s)
{
	for (size_t i = 0; i < s->n; i++) {
		s->oc->conn->consumers--;
		consumer_close(s->consumers[i]);
	}
	ow_obj_free(&s->id->h);
	free(s);
}

/* Closes the subscriptions `match` picks. */
static void close_subs(struct ow_conn *oc, bool (*match)(const struct ow_sub *, const void *),
		       const void *arg)
{
	for (struct ow_sub **p = &oc->subs; *p;) {
		struct ow_sub *s = *p;
		if (match(s, arg)) {
			*p = s->next;
			sub_free(s);
		} else {
			p = &s->next;
		}
	}
}

static bool sub_is(const struct ow_sub *s, const void *arg)
{
	return same_consumer(s->id, arg);
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
}

void ow_consumers_wakeup(struct ow_conn *oc)
{
	for (struct ow_sub *s = oc->subs; s; s = s->next)
		for (size_t i = 0; i < s->n; i++)
			consumer_wakeup(s->consumers[i]);
}

/* ---- commands ---- */

int ow_on_consumer_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_consumer_info *ci = (void *)o;
	const struct ow_command *cmd = &ci->c;
	if (!ci->consumer_id || *find_sub(oc, ci->consumer_id)) {
		ow_refuse(oc, cmd, EX_JMS, "The consumer id is missing or in use");
		return -1;
	}
	if (ci->browser) {
		ow_refuse(oc, cmd, EX_JMS, "Queue browsers are not served over OpenWire by "
			  "this version of Tandem yet");
		return -1;
	}
	struct consumer_spec spec = { .ack = ACK_CLIENT_INDIVIDUAL, .conn = oc->conn };
	char *dest, err[700];
	if (ow_dest_of(oc, cmd, ci->destination, &spec.type, &dest) < 0)
		return -1;
	bool oom = false;
	char *selector = ow_utf8_of(&ci->selector, &oom);
	char *durable = spec.type == DEST_TOPIC ? ow_utf8_of(&ci->subscription_name, &oom) : NULL;
	char id[128];
	snprintf(id, sizeof id, "%" PRId64 ":%" PRId64, ci->consumer_id->session_id,
		 ci->consumer_id->value);
	spec.selector = selector && *selector ? selector : NULL;
	spec.durable_name = durable;
	spec.client_id = oc->conn->client_id;
	spec.prefetch = ci->prefetch_size > OW_PREFETCH_MIN ? (unsigned)ci->prefetch_size
							     : OW_PREFETCH_MIN;
	spec.priority = ci->priority;
	spec.id = id;
	struct ow_sub *s = oom ? NULL : calloc(1, sizeof *s);
	int rc = 0;
	if (!s) {
		ow_refuse(oc, cmd, EX_JMS, "The broker is out of memory");
		free(dest);
		free(selector);
		free(durable);
		return -1;
	}
	s->oc = oc;
	s->id = (void *)ow_obj_ref(&ci->consumer_id->h);
	/* A composite destination (a,b) is a core consumer on each. */
	char *save = NULL;
	for (char *part = strtok_r(dest, ",", &save); part && rc == 0;
	     part = strtok_r(NULL, ",", &save)) {
		spec.dest = part;
		if (s->n == OW_COMPOSITE_MAX) {
			snprintf(err, sizeof err, "A composite destination may name at most %d",
				 OW_COMPOSITE_MAX);
			rc = -1;
		} else if (!authz_allows_use(oc->conn, false, AUTHZ_READ, spec.type, part, err,
					     sizeof err)) {
			rc = -2;
		} else if (!(s->consumers[s->n] = consumer_open(&spec, &sub_ops, s, err,
								sizeof err))) {
			rc = spec.selector && strstr(err, "elector") ? -3 : -1;
		} else {
			s->n++;
			oc->conn->consumers++;
		}
	}
	if (rc < 0) {
		sub_free(s);
		ow_refuse(oc, cmd, rc == -2 ? EX_SECURITY : rc == -3 ? EX_SELECTOR : EX_JMS,
			  "%s", err);
		rc = -1;
	} else {
		s->next = oc->subs;
		oc->subs = s;
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
	if (id->type == OW_CONSUMER_ID)
		close_subs(oc, sub_is, id);
	else if (id->type == OW_SESSION_ID)
		close_subs(oc, sub_in_session, id);
	else if (id->type == OW_CONNECTION_ID)
		close_subs(oc, sub_any, NULL);
	return 0;
}

static struct ow_sub *sub_of_ack(struct ow_conn *oc, const struct ow_message_ack *a)
{
	return a->consumer_id ? *find_sub(oc, a->consumer_id) : NULL;
}

int ow_on_ack(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_message_ack *a = (void *)o;
	if (a->transaction_id) {
		ow_refuse(oc, &a->c, EX_JMS, "Transacted sessions are not served over "
			  "OpenWire by this version of Tandem yet");
		return -1;
	}
	struct ow_sub *s = sub_of_ack(oc, a);
	struct consumer *c = NULL;
	struct qentry *e = NULL;
	for (size_t i = 0; s && a->last_message_id && !e && i < s->n; i++) {
		c = s->consumers[i];
		e = consumer_find(c, (uint64_t)a->last_message_id->broker_sequence_id, NULL);
	}
	if (!e)	/* delivered and redelivered acks, or one for nothing in flight */
		return 0;
	switch (a->ack_type) {
	case OW_ACK_STANDARD:
		consumer_ack(c, e, true);	/* everything up to it */
		break;
	case OW_ACK_INDIVIDUAL:
		consumer_ack(c, e, false);
		break;
	case OW_ACK_POISON: {
		bool oom = false;
		char *cause = a->poison_cause ? ow_utf8_of(&a->poison_cause->message, &oom) : NULL;
		consumer_poison(c, e, cause ? cause : "poison ack");
		free(cause);
		break;
	}
	default:
		break;
	}
	return 0;
}

/* ConsumerControl's prefetch: the failover transport restores a consumer
 * with prefetch 0 and, once the client has dealt with the interruption,
 * gives it its prefetch back this way. Without it every consumer stayed
 * at prefetch 1 after a failover, and a client-acknowledge consumer that
 * takes several messages before it acks waited for ever. */
int ow_on_consumer_control(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_consumer_control *cc = (void *)o;
	struct ow_sub *s = cc->consumer_id ? *find_sub(oc, cc->consumer_id) : NULL;
	unsigned prefetch = cc->prefetch > OW_PREFETCH_MIN ? (unsigned)cc->prefetch
							    : OW_PREFETCH_MIN;
	for (size_t i = 0; s && i < s->n; i++) {
		s->consumers[i]->prefetch = prefetch;
		consumer_wakeup(s->consumers[i]);
	}
	return 0;
}
