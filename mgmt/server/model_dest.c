/*
 * model_dest.c - the management model's destinations: queues, topics and
 * durable topic subscriptions, with the operations an operator needs on
 * them (see model.h and man tandem-mgmt(7)).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "conn.h"
#include "consumer.h"
#include "flow.h"
#include "log.h"
#include "model.h"
#include "proto.h"
#include "publish.h"
#include "message_jms.h"
#include "message_select.h"
#include "queue.h"
#include "selector.h"
#include "topic.h"

#define DEST_FMT MODEL_DOMAIN ":type=Broker,brokerName=%s,destinationType=%s,destinationName=%s"
#define BROWSE_MAX 400

/* A JSON string of possibly invalid UTF-8: bad bytes become '?'. */
static json_t *json_text(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	char *copy = malloc(len + 1);
	if (!copy)
		return json_null();
	for (size_t i = 0; i < len; i++)
		copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	j = json_stringn(copy, len);
	free(copy);
	return j ? j : json_null();
}

static json_t *message_json(const struct message *m, bool redelivered)
{
	json_t *props = json_object();
	char text[4096];
	size_t len = 0;
	len += (size_t)snprintf(text, sizeof text, "{");
	for (size_t i = 0; i < m->nheaders; i++) {
		if (message_header_hidden(m->headers[i].name))
			continue;
		json_object_set_new(props, m->headers[i].name,
				    json_text(m->headers[i].value, strlen(m->headers[i].value)));
		if (len < sizeof text)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s=%s",
						i ? ", " : "", m->headers[i].name,
						m->headers[i].value);
	}
	if (len < sizeof text)
		snprintf(text + len, sizeof text - len, "}");
	char dest[1024];
	snprintf(dest, sizeof dest, "%s://%s", dest_type_name(m->dest_type), m->dest);
	return json_pack("{s:s, s:s, s:i, s:I, s:I, s:s, s:b, s:o, s:o, s:o}",
			 "JMSMessageID", m->id, "JMSDestination", dest,
			 "JMSPriority", m->priority, "JMSTimestamp", (json_int_t)m->timestamp,
			 "JMSExpiration", (json_int_t)m->expires,
			 "JMSDeliveryMode", m->persistent ? "PERSISTENT" : "NON_PERSISTENT",
			 "JMSRedelivered", redelivered,
			 "PropertiesText", json_text(text, strlen(text)),
			 "StringProperties", props, "Text", json_text(m->body, m->body_len));
}

static const char *arg_string(json_t *args, size_t i, char *err, size_t errlen)
{
	const char *s = json_string_value(json_array_get(args, i));
	if (!s || !*s)
		snprintf(err, errlen, "Argument %zu must be a non-empty string", i + 1);
	return s && *s ? s : NULL;
}

/* Builds a text message for sendTextMessage: headers (may be NULL) is an
 * object of strings; persistent and priority are read as in STOMP. */
static struct message *text_message(enum dest_type type, const char *dest, json_t *headers,
				    const char *body, char *err, size_t errlen)
{
	size_t n = json_is_object(headers) ? json_object_size(headers) : 0;
	struct header *h = calloc(n ? n : 1, sizeof *h);
	char *id = broker_new_message_id(), *d = strdup(dest), *b = strdup(body);
	bool persistent = false;
	int priority = MSG_PRIORITY_DEFAULT;
	size_t k = 0;
	if (!h || !id || !d || !b)
		goto oom;
	const char *key;
	json_t *v;
	json_object_foreach(headers, key, v) {
		char num[32];
		const char *value = json_string_value(v);
		if (!value && (json_is_number(v) || json_is_boolean(v))) {
			snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : json_is_false(v)
				 ? "false" : "");
			if (json_is_number(v))
				snprintf(num, sizeof num, "%lld", (long long)json_number_value(v));
			value = num;
		}
		if (!value) {
			snprintf(err, errlen, "Header %s must be a string", key);
			goto fail;
		}
		if (!strcmp(key, "persistent")) {
			persistent = !strcmp(value, "true");
			continue;
		}
		if (!strcmp(key, "priority")) {
			/* As STOMP's SEND: "urgent" is refused, not sent at 0. */
			char *end;
			long p = strtol(value, &end, 10);
			if (!*value || *end || p < 0 || p > MSG_PRIORITY_MAX) {
				snprintf(err, errlen, "Header priority must be a whole number "
					 "from 0 to %d, not '%s'", MSG_PRIORITY_MAX, value);
				goto fail;
			}
			priority = (int)p;
			continue;
		}
		if (!(h[k].name = strdup(key)) || !(h[k].value = strdup(value))) {
			k++;
			goto oom;
		}
		k++;
	}
	struct message *m = message_new_take(id, type, d, h, k, b, strlen(b));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->persistent = persistent;
	m->priority = (uint8_t)priority;
	return m;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	headers_free(h, k);
	free(id);
	free(d);
	free(b);
	return NULL;
}

/* The management socket as a producer: each operation's rights were
 * checked before it ran (jolokia.c), and it is never held. */
static const struct producer mgmt_producer = { 0 };

static json_t *send_text(enum dest_type type, const char *dest, json_t *args, char *err,
			 size_t errlen)
{
	size_t nargs = json_array_size(args);
	json_t *headers = nargs == 2 ? json_array_get(args, 0) : NULL;
	const char *body = json_string_value(json_array_get(args, nargs - 1));
	if (!body || (headers && !json_is_object(headers))) {
		snprintf(err, errlen, "sendTextMessage takes (body) or (headers object, body)");
		return NULL;
	}
	struct message *m = text_message(type, dest, headers, body, err, errlen);
	if (!m)
		return NULL;
	json_t *out = broker_publish(&mgmt_producer, m, err, errlen) < 0 ? NULL
		      : json_string(m->id);
	message_unref(m);
	return out;
}

/* ---- queues ---- */

#define QUEUE(o) ((struct queue *)(o)->ptr)

static json_t *q_name(const struct mobj *o) { return json_string(QUEUE(o)->name); }
static json_t *q_size(const struct mobj *o) { return json_count(queue_size(QUEUE(o))); }
static json_t *q_enq(const struct mobj *o) { return json_count(QUEUE(o)->enqueues); }
static json_t *q_deq(const struct mobj *o) { return json_count(QUEUE(o)->dequeues); }
static json_t *q_disp(const struct mobj *o) { return json_count(QUEUE(o)->dispatched); }
static json_t *q_exp(const struct mobj *o) { return json_count(QUEUE(o)->expired); }
static json_t *q_inflight(const struct mobj *o) { return json_count(QUEUE(o)->ninflight); }
static json_t *q_consumers(const struct mobj *o) { return json_count(QUEUE(o)->nconsumers); }
static json_t *q_producers(const struct mobj *o) { return json_integer(QUEUE(o)->producers); }
static json_t *q_mem(const struct mobj *o) { return json_integer(QUEUE(o)->mem_used); }
static json_t *q_mem_limit(const struct mobj *o)
{
	return json_integer(QUEUE(o)->mem_limit ? QUEUE(o)->mem_limit : flow_memory_limit());
}
static json_t *q_mem_pct(const struct mobj *o)
{
	long long lim = QUEUE(o)->mem_limit ? QUEUE(o)->mem_limit : flow_memory_limit();
	return json_integer(lim > 0 ? QUEUE(o)->mem_used * 100 / lim : 0);
}
static json_t *q_avg_wait(const struct mobj *o)
{
	const struct queue *q = QUEUE(o);
	return json_real(q->dequeues ? (double)q->wait_total_ms / (double)q->dequeues : 0.0);
}
static json_t *q_max_wait(const struct mobj *o) { return json_count(QUEUE(o)->wait_max_ms); }
static json_t *q_blocked(const struct mobj *o)
{
	return json_integer(flow_held_count(DEST_QUEUE, QUEUE(o)->name));
}

static int q_set_mem_limit(const struct mobj *o, json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "MemoryLimit is a number of bytes (0: the broker's)");
		return -1;
	}
	QUEUE(o)->mem_limit = json_integer_value(v);
	return 0;
}

static json_t *op_purge(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	return json_count(queue_purge(QUEUE(o)));
}

static void browse_one(void *ctx, struct qentry *e)
{
	if (e->msg->held)
		return;	/* its transaction's commit is not durable yet */
	json_array_append_new(ctx, message_json(e->msg, e->redeliveries > 0));
}

static json_t *op_browse(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	json_t *out = json_array();
	queue_each_pending(QUEUE(o), BROWSE_MAX, browse_one, out);
	return out;
}

/* ActiveMQ's browse(selector) and removeMatchingMessages(selector): the
 * waiting messages (in memory, as browse sees them) that a JMS selector
 * accepts. An empty or null selector accepts every message, as in
 * ActiveMQ. */
struct matching {
	struct selector *sel;
	size_t max;
	size_t n;
	struct qentry **found;	/* removeMatchingMessages: the entries to remove */
	json_t *out;		/* browse: the messages */
};

static void match_one(void *ctx, struct qentry *e)
{
	struct matching *m = ctx;
	if (e->msg->held || m->n >= m->max || (m->sel && !selector_accepts(m->sel, e->msg)))
		return;
	if (m->out)
		json_array_append_new(m->out, message_json(e->msg, e->redeliveries > 0));
	else
		m->found[m->n] = e;
	m->n++;
}

/* Compiles the selector argument into m->sel (NULL: every message); -1
 * with err on a syntax error. */
static int matching_init(struct matching *m, json_t *args, char *err, size_t errlen)
{
	json_t *a = json_array_get(args, 0);
	const char *text = json_string_value(a);
	char why[256];
	memset(m, 0, sizeof *m);
	if (a && !json_is_null(a) && !text) {
		snprintf(err, errlen, "Argument 1 must be a selector (a string)");
		return -1;
	}
	if (text && *text && !(m->sel = selector_compile(text, why, sizeof why))) {
		snprintf(err, errlen, "Invalid selector \"%s\": %s", text, why);
		return -1;
	}
	return 0;
}

static json_t *op_browse_matching(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	struct matching m;
	if (matching_init(&m, args, err, errlen) < 0)
		return NULL;
	m.max = BROWSE_MAX;
	m.out = json_array();
	queue_each_pending(QUEUE(o), SIZE_MAX, match_one, &m);
	selector_free(m.sel);
	return m.out;
}

/* Found first, removed after: removing while queue_each_pending walks
 * the entries would pull the list from under it. */
static json_t *op_remove_matching(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	struct matching m;
	struct queue *q = QUEUE(o);
	if (matching_init(&m, args, err, errlen) < 0)
		return NULL;
	queue_page_window(q);	/* a queue not read since start-up */
	m.max = q->npending;
	m.found = calloc(m.max ? m.max : 1, sizeof *m.found);
	if (!m.found) {
		selector_free(m.sel);
		snprintf(err, errlen, "Out of memory");
		return NULL;
	}
	queue_each_pending(q, SIZE_MAX, match_one, &m);
	for (size_t i = 0; i < m.n; i++)
		queue_remove_pending(q, m.found[i]);
	/* A purge by selector (tandemctl purge --msgsel): logged as purges are. */
	log_info("mgmt", "Queue %s: %zu message(s) matching %s removed", q->name, m.n,
		 json_string_value(json_array_get(args, 0)) ? json_string_value(json_array_get(args, 0))
							     : "(any)");
	free(m.found);
	selector_free(m.sel);
	return json_integer((json_int_t)m.n);
}

static struct qentry *find_entry(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	const char *id = arg_string(args, 0, err, errlen);
	return id ? queue_find_pending(QUEUE(o), id) : NULL;
}

static json_t *op_remove_message(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	err[0] = '\0';
	struct qentry *e = find_entry(o, args, err, errlen);
	if (err[0])
		return NULL;
	if (e)
		queue_remove_pending(QUEUE(o), e);
	return json_boolean(e != NULL);
}

/* Sends a copy of e's message to queue `to`; 0 or -1 with err. */
static int copy_entry(struct qentry *e, enum dest_type type, const char *to, char *err,
		      size_t errlen)
{
	if (strpbrk(to, "*>")) {
		snprintf(err, errlen, "Not a destination: %s (wildcards)", to);
		return -1;
	}
	struct message *copy = message_copy_to(e->msg, type, to, NULL, 0);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = broker_publish(&mgmt_producer, copy, err, errlen);
	message_unref(copy);
	return rc < 0 ? -1 : 0;
}

static json_t *move_or_copy(const struct mobj *o, json_t *args, bool move, char *err,
			    size_t errlen)
{
	err[0] = '\0';
	struct qentry *e = find_entry(o, args, err, errlen);
	const char *to = arg_string(args, 1, err, errlen);
	if (err[0] || !to)
		return NULL;
	if (!e)
		return json_false();
	if (copy_entry(e, DEST_QUEUE, to, err, errlen) < 0)
		return NULL;
	if (move)
		queue_remove_pending(QUEUE(o), e);
	return json_true();
}

static json_t *op_move(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	return move_or_copy(o, args, true, err, errlen);
}

static json_t *op_copy(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	return move_or_copy(o, args, false, err, errlen);
}

static json_t *op_send_queue(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	return send_text(DEST_QUEUE, QUEUE(o)->name, args, err, errlen);
}

struct retry {
	struct qentry **e;
	size_t n;
};

static void collect_entry(void *ctx, struct qentry *e)
{
	struct retry *r = ctx;
	if (!e->msg->held)	/* as browse: not there until its commit is durable */
		r->e[r->n++] = e;
}

/* Where retryMessages sends e back to: its originalDestination, or NULL
 * when it has none (not a dead letter). */
static const char *retry_target(const struct qentry *e, enum dest_type *type)
{
	const char *orig = message_header(e->msg, "originalDestination");
	*type = orig && !strncmp(orig, "/topic/", 7) ? DEST_TOPIC : DEST_QUEUE;
	if (!orig || (strncmp(orig, "/queue/", 7) && strncmp(orig, "/topic/", 7)) || !orig[7])
		return NULL;
	return orig + 7;
}

struct retry_check {
	bool (*may)(void *ctx, enum dest_type type, const char *name);
	void *ctx;
	bool refused;
};

static void check_retry_target(void *ctx, struct qentry *e)
{
	struct retry_check *c = ctx;
	enum dest_type type;
	const char *name = retry_target(e, &type);
	if (!c->refused && name && !c->may(c->ctx, type, name))
		c->refused = true;
}

/* retryMessages' perm.targets: every dead letter's way back. */
static bool retry_targets(const struct mobj *o,
			  bool (*may)(void *ctx, enum dest_type type, const char *name), void *ctx)
{
	struct queue *q = QUEUE(o);
	struct retry_check c = { may, ctx, false };
	queue_page_window(q);	/* a queue not read since start-up */
	queue_each_pending(q, q->npending, check_retry_target, &c);
	return !c.refused;
}

static json_t *op_retry(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	struct queue *q = QUEUE(o);
	queue_page_window(q);	/* a queue not read since start-up */
	struct retry r = { calloc(q->npending ? q->npending : 1, sizeof *r.e), 0 };
	if (!r.e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	queue_each_pending(q, q->npending, collect_entry, &r);
	long moved = 0;
	for (size_t i = 0; i < r.n; i++) {
		enum dest_type type;
		const char *name = retry_target(r.e[i], &type);
		if (!name || copy_entry(r.e[i], type, name, err, errlen) < 0)
			continue;	/* not a dead letter: it stays */
		queue_remove_pending(q, r.e[i]);
		moved++;
	}
	free(r.e);
	return json_integer(moved);
}

static const struct mattr queue_attrs[] = {
	{ "Name", "java.lang.String", "The queue's name", q_name, NULL },
	{ "QueueSize", "long", "Messages waiting or in flight", q_size, NULL },
	{ "EnqueueCount", "long", "Messages that arrived", q_enq, NULL },
	{ "DequeueCount", "long", "Messages acknowledged or removed", q_deq, NULL },
	{ "DispatchCount", "long", "Deliveries to consumers", q_disp, NULL },
	{ "ExpiredCount", "long", "Messages that expired", q_exp, NULL },
	{ "InFlightCount", "long", "Delivered, not yet acknowledged", q_inflight, NULL },
	{ "ConsumerCount", "long", "Consumers", q_consumers, NULL },
	{ "ProducerCount", "long", "Connections whose latest send came here", q_producers, NULL },
	{ "MemoryUsageByteCount", "long", "Bytes of messages in memory", q_mem, NULL },
	{ "MemoryLimit", "long", "Its memoryLimit (else the broker's)", q_mem_limit,
	  q_set_mem_limit },
	{ "MemoryPercentUsage", "int", "Memory in use, % of the limit", q_mem_pct, NULL },
	{ "AverageEnqueueTime", "double", "Average ms from arrival to ack", q_avg_wait, NULL },
	{ "MaxEnqueueTime", "long", "Longest ms from arrival to ack", q_max_wait, NULL },
	{ "BlockedProducers", "long", "Producers held by flow control", q_blocked, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char *queue_dest(const struct mobj *o, enum dest_type *type)
{
	*type = DEST_QUEUE;
	return QUEUE(o)->name;
}

#define ON_QUEUE(need_, ...) { .need = need_, .dest_of = queue_dest, __VA_ARGS__ }

/* A copy may go where its reader reads, so it takes read; a move empties
 * the source, so admin (retryMessages too: it empties the DLQ; and write
 * where each goes back, a header any sender may have set). */
static const struct mop queue_ops[] = {
	{ "purge", 0, NULL, "long", "Removes every waiting message", op_purge,
	  ON_QUEUE(MPERM_ADMIN) },
	{ "browse", 0, NULL, "javax.management.openmbean.CompositeData[]",
	  "The first 400 waiting messages", op_browse, ON_QUEUE(MPERM_READ) },
	{ "browseMessages", 0, NULL, "java.util.List", "The first 400 waiting messages", op_browse,
	  ON_QUEUE(MPERM_READ) },
	{ "browse", 1, "selector:java.lang.String", "javax.management.openmbean.CompositeData[]",
	  "The first 400 waiting messages that the selector accepts", op_browse_matching,
	  ON_QUEUE(MPERM_READ) },
	{ "removeMatchingMessages", 1, "selector:java.lang.String", "int",
	  "Removes the waiting messages that the selector accepts", op_remove_matching,
	  ON_QUEUE(MPERM_ADMIN) },
	{ "removeMessage", 1, "messageId:java.lang.String", "boolean", "Removes one message",
	  op_remove_message, ON_QUEUE(MPERM_ADMIN) },
	{ "moveMessageTo", 2, "messageId:java.lang.String,destinationName:java.lang.String",
	  "boolean", "Moves one message to another queue", op_move,
	  ON_QUEUE(MPERM_ADMIN, .to_arg = 2) },
	{ "copyMessageTo", 2, "messageId:java.lang.String,destinationName:java.lang.String",
	  "boolean", "Copies one message to another queue", op_copy,
	  ON_QUEUE(MPERM_READ, .to_arg = 2) },
	{ "sendTextMessage", 1, "body:java.lang.String", "java.lang.String",
	  "Sends a text message", op_send_queue, ON_QUEUE(MPERM_WRITE) },
	{ "sendTextMessage", 2, "headers:java.util.Map,body:java.lang.String",
	  "java.lang.String", "Sends a text message with headers", op_send_queue,
	  ON_QUEUE(MPERM_WRITE) },
	{ "retryMessages", 0, NULL, "int",
	  "Sends every dead letter back to its originalDestination", op_retry,
	  ON_QUEUE(MPERM_ADMIN, .targets = retry_targets) },
	{ NULL, 0, NULL, NULL, NULL, NULL, { .need = MPERM_BROKER } },
};

static void queue_mobj(struct queue *q, struct mobj *o)
{
	char quoted[MOBJ_NAME_MAX / 2];
	objname_quote(q->name, quoted, sizeof quoted);
	mobj_set(o, &mclass_queue, q, DEST_FMT, model_broker_name(), "Queue", quoted);
	o->key = q->name;
}

/* In name order (nameset.h), so that a page ends at a name. */
static bool queue_each_after(const char *after, mobj_fn fn, void *ctx)
{
	for (struct queue *q = nameset_after(&broker.queue_index, after); q;
	     q = nameset_after(&broker.queue_index, q->name)) {
		struct mobj o;
		queue_mobj(q, &o);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool queue_each(mobj_fn fn, void *ctx)
{
	return queue_each_after(NULL, fn, ctx);
}

/* The destination a name names, by its destinationName (model_find
 * checks the rest of the name). */
static const char *dest_named(const struct objname *n, const char *type)
{
	const char *t = objname_get(n, "destinationType");
	return t && !strcmp(t, type) ? objname_get(n, "destinationName") : NULL;
}

/* Not found by name: a walk may still find it when '_' stands for a
 * character that quoting replaced. */
static int not_found(const char *name)
{
	return name && strchr(name, '_') ? MOBJ_FIND_WALK : -1;
}

static int queue_find(const struct objname *n, struct mobj *out)
{
	const char *name = dest_named(n, "Queue");
	struct queue *q = name ? broker_queue(name, false) : NULL;
	if (!q)
		return not_found(name);
	queue_mobj(q, out);
	return 0;
}

const struct mclass mclass_queue = { "Queue", queue_attrs, queue_ops, queue_each,
				     queue_each_after, queue_find };

/* ---- topics ---- */

#define TOPIC(o) ((struct topic *)(o)->ptr)

/* What a topic's subscribers hold and have been sent, summed. */
struct topic_sums {
	unsigned long long size, dequeues, dispatched, inflight, expired;
	long consumers;
};

static void add_queue(struct topic_sums *s, const struct queue *q)
{
	s->size += queue_size(q);
	s->dequeues += q->dequeues;
	s->dispatched += q->dispatched;
	s->inflight += q->ninflight;
	s->expired += q->expired;
}

static int sum_subscriber(void *sub, void *ctx)
{
	struct consumer *c = sub;
	struct topic_sums *s = ctx;
	s->consumers++;
	add_queue(s, c->own);
	return 0;
}

static int sum_durable(void *sub, void *ctx)
{
	struct durable *d = sub;
	struct topic_sums *s = ctx;
	s->consumers += d->active != NULL && !d->active->own;
	add_queue(s, d->queue);
	return 0;
}

static struct topic_sums topic_sums(const struct topic *t)
{
	struct topic_sums s = { 0 };
	topic_index_match(&broker.topic_subs, t->name, sum_subscriber, &s);
	topic_index_match(&broker.durable_subs, t->name, sum_durable, &s);
	return s;
}

static json_t *t_name(const struct mobj *o) { return json_string(TOPIC(o)->name); }
static json_t *t_enq(const struct mobj *o) { return json_count(TOPIC(o)->enqueues); }
static json_t *t_producers(const struct mobj *o) { return json_integer(TOPIC(o)->producers); }
static json_t *t_size(const struct mobj *o) { return json_count(topic_sums(TOPIC(o)).size); }
static json_t *t_deq(const struct mobj *o) { return json_count(topic_sums(TOPIC(o)).dequeues); }
static json_t *t_disp(const struct mobj *o) { return json_count(topic_sums(TOPIC(o)).dispatched); }
static json_t *t_exp(const struct mobj *o) { return json_count(topic_sums(TOPIC(o)).expired); }
static json_t *t_inflight(const struct mobj *o) { return json_count(topic_sums(TOPIC(o)).inflight); }
static json_t *t_consumers(const struct mobj *o) { return json_integer(topic_sums(TOPIC(o)).consumers); }
static json_t *t_blocked(const struct mobj *o)
{
	return json_integer(flow_held_count(DEST_TOPIC, TOPIC(o)->name));
}

static json_t *op_send_topic(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	return send_text(DEST_TOPIC, TOPIC(o)->name, args, err, errlen);
}

static const struct mattr topic_attrs[] = {
	{ "Name", "java.lang.String", "The topic's name", t_name, NULL },
	{ "QueueSize", "long", "Messages its subscribers hold", t_size, NULL },
	{ "EnqueueCount", "long", "Messages sent to it", t_enq, NULL },
	{ "DequeueCount", "long", "Messages its subscribers acknowledged", t_deq, NULL },
	{ "DispatchCount", "long", "Deliveries to its subscribers", t_disp, NULL },
	{ "ExpiredCount", "long", "Messages that expired", t_exp, NULL },
	{ "InFlightCount", "long", "Delivered, not yet acknowledged", t_inflight, NULL },
	{ "ConsumerCount", "long", "Subscribers", t_consumers, NULL },
	{ "ProducerCount", "long", "Connections whose latest send came here", t_producers, NULL },
	{ "BlockedProducers", "long", "Producers held by flow control", t_blocked, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char *topic_dest(const struct mobj *o, enum dest_type *type)
{
	*type = DEST_TOPIC;
	return TOPIC(o)->name;
}

static const struct mop topic_ops[] = {
	{ "sendTextMessage", 1, "body:java.lang.String", "java.lang.String",
	  "Sends a text message", op_send_topic, { .need = MPERM_WRITE, .dest_of = topic_dest } },
	{ "sendTextMessage", 2, "headers:java.util.Map,body:java.lang.String",
	  "java.lang.String", "Sends a text message with headers", op_send_topic,
	  { .need = MPERM_WRITE, .dest_of = topic_dest } },
	{ NULL, 0, NULL, NULL, NULL, NULL, { .need = MPERM_BROKER } },
};

static void topic_mobj(struct topic *t, struct mobj *o)
{
	char quoted[MOBJ_NAME_MAX / 2];
	objname_quote(t->name, quoted, sizeof quoted);
	mobj_set(o, &mclass_topic, t, DEST_FMT, model_broker_name(), "Topic", quoted);
	o->key = t->name;
}

static bool topic_each_after(const char *after, mobj_fn fn, void *ctx)
{
	for (struct topic *t = topic_after(after); t; t = topic_after(t->name)) {
		struct mobj o;
		topic_mobj(t, &o);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool topic_each(mobj_fn fn, void *ctx)
{
	return topic_each_after(NULL, fn, ctx);
}

static int topic_find(const struct objname *n, struct mobj *out)
{
	const char *name = dest_named(n, "Topic");
	struct topic *t = name ? topic_get(name, false) : NULL;
	if (!t)
		return not_found(name);
	topic_mobj(t, out);
	return 0;
}

const struct mclass mclass_topic = { "Topic", topic_attrs, topic_ops, topic_each,
				     topic_each_after, topic_find };

/* ---- durable subscriptions ---- */

#define DURABLE(o) ((struct durable *)(o)->ptr)

static json_t *d_client(const struct mobj *o) { return json_string(DURABLE(o)->client_id); }
static json_t *d_name(const struct mobj *o) { return json_string(DURABLE(o)->name); }
static json_t *d_topic(const struct mobj *o) { return json_string(DURABLE(o)->topic); }
static json_t *d_selector(const struct mobj *o)
{
	return DURABLE(o)->selector_text ? json_string(DURABLE(o)->selector_text) : json_null();
}
static json_t *d_active(const struct mobj *o) { return json_boolean(DURABLE(o)->active != NULL); }
static json_t *d_pending(const struct mobj *o)
{
	const struct queue *q = DURABLE(o)->queue;
	return json_count(q->npending + q->npaged);
}
static json_t *d_dispatched(const struct mobj *o) { return json_count(DURABLE(o)->queue->ninflight); }
static json_t *d_enq(const struct mobj *o) { return json_count(DURABLE(o)->queue->enqueues); }
static json_t *d_deq(const struct mobj *o) { return json_count(DURABLE(o)->queue->dequeues); }

static json_t *op_destroy(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	const struct durable *d = DURABLE(o);
	if (broker_durable_remove(d->client_id, d->name, err, errlen) < 0)
		return NULL;
	return json_null();
}

static json_t *op_browse_durable(const struct mobj *o, json_t *args, char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	json_t *out = json_array();
	queue_each_pending(DURABLE(o)->queue, BROWSE_MAX, browse_one, out);
	return out;
}

static const struct mattr durable_attrs[] = {
	{ "ClientId", "java.lang.String", "The subscriber's client id", d_client, NULL },
	{ "SubscriptionName", "java.lang.String", "The subscription's name", d_name, NULL },
	{ "DestinationName", "java.lang.String", "The topic (may hold wildcards)", d_topic, NULL },
	{ "Selector", "java.lang.String", "Its selector", d_selector, NULL },
	{ "Active", "boolean", "A subscriber is connected", d_active, NULL },
	{ "PendingQueueSize", "int", "Messages waiting for it", d_pending, NULL },
	{ "DispatchedQueueSize", "int", "Delivered, not yet acknowledged", d_dispatched, NULL },
	{ "EnqueueCounter", "long", "Messages it received", d_enq, NULL },
	{ "DequeueCounter", "long", "Messages it acknowledged", d_deq, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* A durable subscription is about its topic (which may hold wildcards). */
static const char *durable_dest(const struct mobj *o, enum dest_type *type)
{
	*type = DEST_TOPIC;
	return DURABLE(o)->topic;
}

static const struct mop durable_ops[] = {
	{ "destroy", 0, NULL, "void", "Removes the subscription and its messages (when inactive)",
	  op_destroy, { .need = MPERM_ADMIN, .dest_of = durable_dest } },
	{ "browse", 0, NULL, "javax.management.openmbean.CompositeData[]",
	  "The first 400 waiting messages", op_browse_durable,
	  { .need = MPERM_READ, .dest_of = durable_dest } },
	{ NULL, 0, NULL, NULL, NULL, NULL, { .need = MPERM_BROKER } },
};

/* By place in the list (MQTT clients with sessions make one each). */
static bool durable_each_after(const char *after, mobj_fn fn, void *ctx)
{
	size_t place = 0, from = mobj_place_after(after);
	for (struct durable *d = broker.durables; d; d = d->next, place++) {
		if (place < from)
			continue;
		char topic[MOBJ_NAME_MAX / 4], client[MOBJ_NAME_MAX / 8], sub[MOBJ_NAME_MAX / 8];
		objname_quote(d->topic, topic, sizeof topic);
		objname_quote(d->client_id, client, sizeof client);
		objname_quote(d->name, sub, sizeof sub);
		struct mobj o;
		mobj_set(&o, &mclass_durable, d, DEST_FMT ",endpoint=Consumer,clientId=%s,"
			 "consumerId=Durable(%s_%s)", model_broker_name(), "Topic", topic, client,
			 client, sub);
		mobj_set_serial(&o, place);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool durable_each(mobj_fn fn, void *ctx)
{
	return durable_each_after(NULL, fn, ctx);
}

const struct mclass mclass_durable = { "Subscription", durable_attrs, durable_ops, durable_each,
					durable_each_after, NULL };

/* ---- live subscriptions (consumers) ---- */

#define CONSUMER(o) ((struct consumer *)(o)->ptr)

static json_t *k_id(const struct mobj *o) { return CONSUMER(o)->id ? json_string(CONSUMER(o)->id) : json_null(); }
static json_t *k_client(const struct mobj *o)
{
	const struct conn *c = CONSUMER(o)->conn;
	return c && c->client_id ? json_string(c->client_id) : json_null();
}
static json_t *k_remote(const struct mobj *o)
{
	const struct conn *c = CONSUMER(o)->conn;
	char s[96];
	snprintf(s, sizeof s, "tcp://%s", c ? c->peer : "?");
	return json_string(s);
}
static json_t *k_proto(const struct mobj *o)
{
	const struct conn *c = CONSUMER(o)->conn;
	return c && c->proto ? json_string(c->proto->name) : json_null();
}
static json_t *k_user(const struct mobj *o)
{
	const struct conn *c = CONSUMER(o)->conn;
	return c && c->user ? json_string(c->user) : json_null();
}
static json_t *k_dispatched(const struct mobj *o) { return json_count(CONSUMER(o)->dispatched); }
static json_t *k_dequeued(const struct mobj *o) { return json_count(CONSUMER(o)->dequeued); }
static json_t *k_dest(const struct mobj *o) { return json_string(CONSUMER(o)->dest); }
static json_t *k_is_queue(const struct mobj *o) { return json_boolean(CONSUMER(o)->type == DEST_QUEUE); }
static json_t *k_is_topic(const struct mobj *o) { return json_boolean(CONSUMER(o)->type == DEST_TOPIC); }
static json_t *k_selector(const struct mobj *o)
{
	const struct consumer *c = CONSUMER(o);
	const char *s = c->durable ? c->durable->selector_text : c->selector_text;
	return s ? json_string(s) : json_null();
}
static json_t *k_prefetch(const struct mobj *o) { return json_integer(CONSUMER(o)->prefetch); }
static json_t *k_inflight(const struct mobj *o) { return json_count(CONSUMER(o)->ninflight); }
static json_t *k_priority(const struct mobj *o) { return json_integer(CONSUMER(o)->priority); }
static json_t *k_durable(const struct mobj *o) { return json_boolean(CONSUMER(o)->durable != NULL); }
static json_t *k_sub_name(const struct mobj *o)
{
	const struct durable *d = CONSUMER(o)->durable;
	return d ? json_string(d->name) : json_null();
}
static json_t *k_pending(const struct mobj *o)
{
	const struct consumer *c = CONSUMER(o);
	const struct queue *q = c->own ? c->own : c->durable ? c->durable->queue : NULL;
	return json_count(q ? q->npending + q->npaged : 0);
}

static const struct mattr consumer_attrs[] = {
	{ "SubscriptionId", "java.lang.String", "The protocol's subscription id", k_id, NULL },
	{ "ClientId", "java.lang.String", "Its connection's client id", k_client, NULL },
	{ "ConnectionId", "java.lang.String", "Its connection's remote address", k_remote, NULL },
	{ "Protocol", "java.lang.String", "Its connection's: stomp, mqtt, openwire", k_proto, NULL },
	{ "UserName", "java.lang.String", "The user its connection logged in as", k_user, NULL },
	{ "DispatchedCounter", "long", "Messages delivered to it", k_dispatched, NULL },
	{ "DequeueCounter", "long", "Messages it acknowledged", k_dequeued, NULL },
	{ "DestinationName", "java.lang.String", "What it subscribed to", k_dest, NULL },
	{ "DestinationQueue", "boolean", "A queue subscription", k_is_queue, NULL },
	{ "DestinationTopic", "boolean", "A topic subscription", k_is_topic, NULL },
	{ "Selector", "java.lang.String", "Its selector", k_selector, NULL },
	{ "PrefetchSize", "int", "Deliveries it may hold unacknowledged", k_prefetch, NULL },
	{ "DispatchedQueueSize", "int", "Delivered, not yet acknowledged", k_inflight, NULL },
	{ "Priority", "int", "Consumer priority", k_priority, NULL },
	{ "Durable", "boolean", "The subscriber of a durable subscription", k_durable, NULL },
	{ "SubscriptionName", "java.lang.String", "The durable subscription's name", k_sub_name, NULL },
	{ "PendingQueueSize", "int", "Topic messages waiting for it", k_pending, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Newest first, by number (the list's order): a page goes on below the
 * last number it gave. */
static bool consumer_each_after(const char *after, mobj_fn fn, void *ctx)
{
	unsigned long long below = mobj_serial_after(after);
	for (struct consumer *c = consumer_first(); c; c = c->all_next) {
		if (c->number >= below)
			continue;
		char dest[MOBJ_NAME_MAX / 4], client[MOBJ_NAME_MAX / 8];
		objname_quote(c->dest, dest, sizeof dest);
		objname_quote(c->conn && c->conn->client_id ? c->conn->client_id : "none", client,
			      sizeof client);
		struct mobj o;
		mobj_set(&o, &mclass_consumer, c, DEST_FMT ",endpoint=Consumer,clientId=%s,"
			 "consumerId=ID_%s-%llu", model_broker_name(),
			 c->type == DEST_TOPIC ? "Topic" : "Queue", dest, client, model_broker_name(),
			 (unsigned long long)c->number);
		mobj_set_serial(&o, c->number);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static bool consumer_each(mobj_fn fn, void *ctx)
{
	return consumer_each_after(NULL, fn, ctx);
}

const struct mclass mclass_consumer = { "Consumer", consumer_attrs, NULL, consumer_each,
					 consumer_each_after, NULL };
