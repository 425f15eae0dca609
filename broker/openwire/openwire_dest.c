/*
 * openwire_dest.c - temporary queues and topics of JMS clients.
 *
 * A JMS client names its temporary destination itself ("ID:<its
 * connection id>:N") and announces it with DestinationInfo, add or
 * remove; that name is the core's real name (temp_dest.h), so STOMP
 * clients and other brokers reach it by it (reply-to:
 * /remote-temp-queue/ID:...), only its connection consumes it, and it goes
 * with the connection.
 *
 * The Java client (watchTopicAdvisories, the default) refuses to send to
 * a temporary destination it has not been told of on
 * ActiveMQ.Advisory.TempQueue or TempTopic. The core tells the
 * destinations of this broker (advisory.h); a request whose JMSReplyTo is
 * one of another broker (the requester across the network) or one the
 * connection missed is preceded on the connection by the advisory the
 * client needs, sent to its advisory consumer: ow_dest_before_send().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "authz.h"
#include "broker.h"
#include "conn.h"
#include "log.h"
#include "openwire_conn.h"
#include "temp_dest.h"

/* How many temporary destinations one connection is known to have been
 * told of; past it the oldest are forgotten (told again if needed). */
#define OW_KNOWN_MAX 256

struct ow_dests {
	/* The consumer the client reads ActiveMQ.Advisory.TempQueue with
	 * (a reference), NULL when it watches no advisories. */
	struct ow_consumer_id *advisory;
	char *known[OW_KNOWN_MAX];	/* "q:NAME" or "t:NAME", a ring */
	size_t next;
};

static struct ow_dests *dests_of(struct ow_conn *oc)
{
	if (!oc->dests)
		oc->dests = calloc(1, sizeof *oc->dests);
	return oc->dests;
}

void ow_dest_conn_gone(struct ow_conn *oc)
{
	struct ow_dests *ds = oc->dests;
	if (!ds)
		return;
	ow_obj_free(ds->advisory ? &ds->advisory->h : NULL);
	for (size_t i = 0; i < OW_KNOWN_MAX; i++)
		free(ds->known[i]);
	free(ds);
	oc->dests = NULL;
}

/* ---- what the client was told ---- */

static char *known_key(enum dest_type type, const char *name)
{
	char *k = NULL;
	if (asprintf(&k, "%c:%s", type == DEST_QUEUE ? 'q' : 't', name) < 0)
		return NULL;
	return k;
}

static char **known_find(struct ow_dests *ds, const char *key)
{
	for (size_t i = 0; i < OW_KNOWN_MAX; i++)
		if (ds->known[i] && !strcmp(ds->known[i], key))
			return &ds->known[i];
	return NULL;
}

static void known_set(struct ow_conn *oc, enum dest_type type, const char *name, bool known)
{
	struct ow_dests *ds = dests_of(oc);
	char *key = ds ? known_key(type, name) : NULL;
	if (!key)
		return;	/* told again when needed */
	char **slot = known_find(ds, key);
	if (known && !slot) {
		free(ds->known[ds->next]);
		ds->known[ds->next] = key;
		ds->next = (ds->next + 1) % OW_KNOWN_MAX;
		return;
	}
	if (!known && slot) {
		free(*slot);
		*slot = NULL;
	}
	free(key);
}

static bool is_temp(const struct ow_destination *d)
{
	return d && (d->h.type == OW_TEMP_QUEUE || d->h.type == OW_TEMP_TOPIC);
}

/* ---- DestinationInfo ---- */

/* The name of a temporary destination as UTF-8, malloc'ed; NULL with the
 * refusal answered. */
static char *temp_name(struct ow_conn *oc, const struct ow_command *cmd,
		       const struct ow_destination *d)
{
	bool oom = false;
	char *name = d ? ow_utf8_of(&d->physical_name, &oom) : NULL;
	if (!name || !*name) {
		ow_refuse(oc, cmd, oom ? EX_JMS : EX_DEST, "%s", oom ? "The broker is out of memory"
			  : "DestinationInfo names no temporary destination");
		free(name);
		return NULL;
	}
	return name;
}

int ow_on_destination_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_destination_info *di = (void *)o;
	const struct ow_command *cmd = &di->c;
	/* ActiveMQ creates a named queue or topic on demand: nothing to do
	 * for one (the client sends DestinationInfo for them only through
	 * its advanced API). */
	if (di->destination && !is_temp(di->destination))
		return 0;
	char *name = temp_name(oc, cmd, di->destination);
	if (!name)
		return -1;
	enum dest_type type = di->destination->h.type == OW_TEMP_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	char err[1200];
	int rc;
	if (di->operation_type == OW_DEST_ADD) {
		/* Creating one takes admin rights on temporary destinations
		 * (tempDestinationAuthorizationEntry), as in ActiveMQ. */
		if (!authz_allows(oc->conn, AUTHZ_ADMIN, type, name, err, sizeof err)) {
			ow_refuse(oc, cmd, EX_SECURITY, "%s", err);
			free(name);
			return -1;
		}
		rc = temp_dest_add(oc->conn, type, name, err, sizeof err);
		if (rc == 0)
			known_set(oc, type, name, true);	/* the client knows its own */
	} else {
		rc = temp_dest_remove(oc->conn, type, name, err, sizeof err);
	}
	free(name);
	if (rc < 0) {
		ow_refuse(oc, cmd, strstr(err, "memory") ? EX_JMS
			  : strstr(err, "subscription") ? EX_JMS : EX_DEST, "%s", err);
		return -1;
	}
	return 0;
}

/* ---- destinations named in commands ---- */

int ow_dest_temp_of(const struct ow_destination *d, enum dest_type *type)
{
	if (!is_temp(d))
		return 0;
	*type = d->h.type == OW_TEMP_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	return 1;
}

static void tell_existing(enum dest_type type, const char *real, const struct conn *owner,
			  void *ctx);

/* Whether a consumer's destination (a composite one names several)
 * names the advisory topic `adv`. */
static bool names_advisory(const char *name, const char *adv)
{
	size_t n = strlen(adv);
	for (const char *p = name; (p = strstr(p, adv)); p += n)
		if ((p == name || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* A new listener of temporary destinations' advisories. */
struct listener {
	struct ow_conn *oc;
	const struct ow_consumer_id *id;
	bool queues, topics;
};

int ow_dest_check(struct ow_conn *oc, const struct ow_command *cmd, enum dest_type type,
		  const char *name)
{
	const struct ow_type *t = ow_type_find(cmd->h.type);
	if (t && (t->klass & OWC_MESSAGE) && temp_dest_deleted(type, name)) {
		/* One of this broker's whose connection went (a STOMP
		 * requester's): the Java client's words for its own. */
		ow_refuse(oc, cmd, EX_DEST, "Cannot publish to a deleted Destination: %s://%s",
			  type == DEST_QUEUE ? "temp-queue" : "temp-topic", name);
		return -1;
	}
	if (cmd->h.type != OW_CONSUMER_INFO)
		return 0;
	const struct ow_consumer_info *ci = (const void *)cmd;
	if (!temp_dest_may_consume(oc->conn, type, name)) {
		/* The Java client's own words when it refuses this itself. */
		ow_refuse(oc, cmd, EX_DEST, "Cannot use a Temporary destination from another "
			  "Connection: [%.200s]", name);
		return -1;
	}
	struct listener l = { oc, ci->consumer_id, names_advisory(name, ADVISORY_TEMP_QUEUE),
			      names_advisory(name, ADVISORY_TEMP_TOPIC) };
	struct ow_dests *ds;
	if (type != DEST_TOPIC || !l.id || !(l.queues || l.topics) || !(ds = dests_of(oc)))
		return 0;
	/* The Java client's own (watchTopicAdvisories) listens to both:
	 * what it is told decides where it may send. */
	if (l.queues && l.topics) {
		ow_obj_free(ds->advisory ? &ds->advisory->h : NULL);
		ds->advisory = (void *)ow_obj_ref(&ci->consumer_id->h);
	}
	/* As ActiveMQ's AdvisoryBroker: the new listener, and only it,
	 * hears of every temporary destination there is. */
	temp_dest_each(tell_existing, &l);
	return 0;
}

/* ---- telling the client before it needs to know ---- */

static struct ow_destination *dest_copy(const struct ow_destination *d)
{
	struct ow_destination *c = (void *)ow_obj_new(d->h.type);
	if (c && ow_str_set(&c->physical_name, d->physical_name.s, d->physical_name.len) < 0) {
		ow_obj_free(&c->h);
		return NULL;
	}
	return c;
}

/* The advisory ActiveMQ would have sent: an ActiveMQMessage on
 * ActiveMQ.Advisory.TempQueue (or TempTopic) whose dataStructure is the
 * DestinationInfo adding d. */
static struct ow_obj *announcement(const struct ow_consumer_id *to, const struct ow_destination *d)
{
	const char *adv = d->h.type == OW_TEMP_TOPIC ? ADVISORY_TEMP_TOPIC : ADVISORY_TEMP_QUEUE;
	struct ow_message_dispatch *md = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	if (!md)
		return NULL;
	/* Each part hangs from md at once: freeing md frees what was made. */
	struct ow_message *m = (void *)ow_obj_new(OW_MESSAGE);
	md->message = m;
	md->consumer_id = (void *)ow_obj_ref((struct ow_obj *)&to->h);
	md->destination = ow_destination_of(DEST_TOPIC, adv);
	struct ow_destination_info *di = m ? (void *)ow_obj_new(OW_DESTINATION_INFO) : NULL;
	struct ow_message_id *id = m ? (void *)ow_obj_new(OW_MESSAGE_ID) : NULL;
	struct ow_producer_id *pid = id ? (void *)ow_obj_new(OW_PRODUCER_ID) : NULL;
	char *mid = broker_new_message_id();
	if (m) {
		m->destination = ow_destination_of(DEST_TOPIC, adv);
		m->data_structure = di ? &di->c.h : NULL;
		m->message_id = id;
		m->timestamp = broker.now_wall;
	}
	if (id && pid) {
		id->producer_id = pid;
		m->producer_id = (void *)ow_obj_ref(&pid->h);
	}
	if (di) {
		di->destination = dest_copy(d);
		di->operation_type = OW_DEST_ADD;
	}
	bool ok = md->destination && m && m->destination && di && di->destination && pid &&
		  mid && ow_str_from_utf8(&pid->connection_id, mid, strlen(mid)) == 0 &&
		  ow_str_from_utf8(&id->text_view, mid, strlen(mid)) == 0;
	free(mid);
	if (!ok) {
		ow_obj_free(&md->c.h);
		return NULL;
	}
	return &md->c.h;
}

static void tell_existing(enum dest_type type, const char *real, const struct conn *owner,
			  void *ctx)
{
	const struct listener *l = ctx;
	(void)owner;
	if (!(type == DEST_TOPIC ? l->topics : l->queues))
		return;
	struct ow_destination *d = (void *)ow_obj_new(type == DEST_TOPIC ? OW_TEMP_TOPIC
						       : OW_TEMP_QUEUE);
	if (d && ow_str_from_utf8(&d->physical_name, real, strlen(real)) == 0)
		ow_send(l->oc, announcement(l->id, d));	/* noted known if to its own */
	ow_obj_free(d ? &d->h : NULL);
}

static bool same_id(const struct ow_consumer_id *a, const struct ow_consumer_id *b)
{
	return a && b && a->value == b->value && a->session_id == b->session_id &&
	       a->connection_id.len == b->connection_id.len &&
	       (!a->connection_id.len ||
		!memcmp(a->connection_id.s, b->connection_id.s, a->connection_id.len));
}

void ow_dest_before_send(struct ow_conn *oc, const struct ow_obj *o)
{
	if (!o || o->type != OW_MESSAGE_DISPATCH)
		return;
	const struct ow_message *m = ((const struct ow_message_dispatch *)o)->message;
	if (!m)
		return;
	bool oom = false;
	struct ow_dests *ds = oc->dests;
	/* An advisory to the client's own listener: it now knows (or
	 * forgot). */
	const struct ow_destination_info *di = (const void *)m->data_structure;
	if (di && di->c.h.type == OW_DESTINATION_INFO && is_temp(di->destination)) {
		if (!ds || !same_id(ds->advisory, ((const struct ow_message_dispatch *)o)->consumer_id))
			return;
		char *name = ow_utf8_of(&di->destination->physical_name, &oom);
		if (name)
			known_set(oc, di->destination->h.type == OW_TEMP_TOPIC ? DEST_TOPIC
				  : DEST_QUEUE, name, di->operation_type == OW_DEST_ADD);
		free(name);
		return;
	}
	if (!is_temp(m->reply_to) || !ds || !ds->advisory)
		return;
	enum dest_type type = m->reply_to->h.type == OW_TEMP_TOPIC ? DEST_TOPIC : DEST_QUEUE;
	char *name = ow_utf8_of(&m->reply_to->physical_name, &oom);
	char *key = name ? known_key(type, name) : NULL;
	if (key && !known_find(ds, key)) {
		struct ow_obj *a = announcement(ds->advisory, m->reply_to);
		if (a && ow_send(oc, a) == 0)	/* which notes it known */
			log_debug("openwire", "%s told of temporary destination %s before a "
				  "message that names it", oc->conn->peer, name);
	}
	free(key);
	free(name);
}

/* ---- JMSReplyTo ----
 * The reply-to header in ActiveMQ's STOMP forms, both ways. A stand-in
 * for the message mapping's own (openwire_message.c), which is to carry
 * every header: this much makes request and reply work. */

static const struct {
	uint8_t type;
	const char *prefix;
} reply_forms[] = {
	{ OW_TEMP_QUEUE, "/remote-temp-queue/" },
	{ OW_TEMP_TOPIC, "/remote-temp-topic/" },
	{ OW_TEMP_QUEUE, "/temp-queue/" },
	{ OW_TEMP_TOPIC, "/temp-topic/" },
	{ OW_QUEUE, "/queue/" },
	{ OW_TOPIC, "/topic/" },
};

char *ow_reply_to_header(const struct ow_destination *d, bool *oom)
{
	char *name = d ? ow_utf8_of(&d->physical_name, oom) : NULL, *h = NULL;
	for (size_t i = 0; name && i < sizeof reply_forms / sizeof reply_forms[0]; i++)
		if (reply_forms[i].type == d->h.type) {
			if (asprintf(&h, "%s%s", reply_forms[i].prefix, name) < 0) {
				h = NULL;
				*oom = true;
			}
			break;
		}
	free(name);
	return h;
}

struct ow_destination *ow_reply_to_of(const char *header)
{
	if (!header || !*header)
		return NULL;
	uint8_t type = OW_QUEUE;
	const char *name = header;
	for (size_t i = 0; i < sizeof reply_forms / sizeof reply_forms[0]; i++) {
		size_t n = strlen(reply_forms[i].prefix);
		if (!strncmp(header, reply_forms[i].prefix, n)) {
			type = reply_forms[i].type;
			name = header + n;
			break;
		}
	}
	struct ow_destination *d = (void *)ow_obj_new(type);
	if (d && ow_str_from_utf8(&d->physical_name, name, strlen(name)) < 0) {
		ow_obj_free(&d->h);
		return NULL;
	}
	return d;
}
