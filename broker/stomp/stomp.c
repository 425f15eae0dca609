/*
 * stomp.c - the STOMP protocol handler (see stomp.h).
 *
 * One struct stomp_conn per connection holds the negotiated version, the
 * subscriptions and the open transactions. Frames are handled by the
 * function named in the `commands` table. Rules that hold for every frame:
 *   - a `receipt` is answered once everything the frame caused is durable
 *     (broker_after_commit), so a RECEIPT for a persistent SEND means the
 *     message survives kill -9;
 *   - a transaction's sends reach consumers only once its COMMIT is
 *     durable, after the COMMIT's RECEIPT (commit_hold.h); a SEND outside
 *     one is dispatched while it is written (concurrentStoreAndDispatch);
 *   - an ERROR frame closes the connection where ActiveMQ's would, and
 *     only there (stomp_error.h); the broker and other clients carry on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "bridge.h"
#include "bridge_inbound.h"
#include "broker.h"
#include "client_id.h"
#include "config.h"
#include "conn.h"
#include "conn_limit.h"
#include "connector.h"
#include "consumer.h"
#include "flow.h"
#include "log.h"
#include "loop.h"
#include "message_jms.h"
#include "publish.h"
#include "stomp.h"
#include "stomp_dest.h"
#include "stomp_error.h"
#include "stomp_frame.h"
#include "stomp_lenient.h"
#include "stomp_message.h"
#include "strmap.h"
#include "temp_dest.h"
#include "txn.h"
#include "version.h"

#define DEFAULT_PREFETCH 1000
/* The frame limit of a connection no connector accepted (a duplex
 * bridge's way back): ActiveMQ's default wireFormat.maxFrameSize. */
#define STOMP_MAX_FRAME 104857600
/* The shortest heart-beat period we agree to, either way. */
#define HB_MIN_MS 100
/* A client is dead after this many of its heart-beat periods in silence
 * (ActiveMQ's hbGracePeriodMultiplier). */
#define HB_GRACE 1.5

struct stomp_conn;

struct stomp_sub {
	char *id;
	char *dest;		/* as the client wrote it: /queue/NAME */
	char *durable_name;	/* NULL unless durable */
	enum ack_mode ack;
	struct consumer *consumer;
	struct stomp_conn *sc;
	struct stomp_sub *next, *prev;
};

/* A STOMP ACK or NACK in a transaction, resolved at its COMMIT. */
struct tx_ack {
	char *ack_id;
	char *sub_id;
	bool nack;
};

struct stomp_tx {
	char *id;
	struct txn *txn;	/* txn.h */
	struct stomp_tx *next, *prev;
};

struct stomp_conn {
	struct conn *conn;
	struct stomp_parser *parser;
	int version;
	bool connected;
	char *client_id;
	struct bridge_peer peer;	/* a remote's bridge: who (bridge_inbound.h) */
	struct stomp_sub *subs;
	struct strmap subs_by_id;	/* the same subscriptions by id */
	struct stomp_tx *txs;
	struct strmap txs_by_id;	/* the same transactions by id */
	int64_t hb_out_ms;	/* we send at least this often; 0 never */
	int64_t hb_in_ms;	/* the client sends at least this often */
	uint64_t hb_timer;
	struct bridge *duplex;	/* a duplex bridge takes the connection over */
	bool answered;		/* the frame in hand got its ERROR */
	unsigned long errors;	/* ERRORs sent on it: the first few are logged */
};

/* Headers the broker sets on MESSAGE frames or reads from SEND itself;
 * they are not copied into the message's application headers. */
static const char *const reserved_headers[] = {
	"destination", "receipt", "transaction", "content-length", "persistent",
	"priority", "expires", "message-id", "timestamp", "redelivered",
	"subscription", "ack", "tandem-message-id", NULL,
};

static bool is_reserved(const char *name)
{
	for (size_t i = 0; reserved_headers[i]; i++)
		if (!strcmp(reserved_headers[i], name))
			return true;
	return false;
}

/* ---- output ---- */

static int out_version(const struct stomp_conn *sc)
{
	return sc->version ? sc->version : STOMP_V10;
}

/* Sends ERROR (with receipt-id when the frame asked for a receipt) and,
 * where ActiveMQ would (stomp_error.h), closes the connection once it is
 * written. */
/* How many of one connection's ERRORs are logged (stomp_error). */
#define ERRORS_LOGGED 20

static void stomp_error(struct stomp_conn *sc, const struct stomp_frame *f,
			const char *message, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void stomp_error(struct stomp_conn *sc, const struct stomp_frame *f,
			const char *message, const char *fmt, ...)
{
	struct conn *c = sc->conn;
	if (c->dead || c->closing)
		return;
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	/* The first few of a connection's ERRORs are logged, and that the
	 * rest are not: a client that repeats a refused frame (one that
	 * keeps the connection open) wrote a line for each, as fast as it
	 * sent them, and could fill the log's disk. */
	if (++sc->errors <= ERRORS_LOGGED)
		log_warn("stomp", "ERROR to %s (connection %" PRIu64 "): %s: %s", c->peer,
			 c->id, message, detail);
	if (sc->errors == ERRORS_LOGGED)
		log_warn("stomp", "Connection %" PRIu64 " from %s: %d ERRORs so far; its "
			 "further ERRORs are not logged", c->id, c->peer, ERRORS_LOGGED);
	int v = out_version(sc);
	const char *receipt = f ? stomp_frame_header(f, "receipt") : NULL;
	stomp_put_command(&c->out, "ERROR");
	stomp_put_header(&c->out, v, "message", message);
	if (receipt)
		stomp_put_header(&c->out, v, "receipt-id", receipt);
	stomp_put_header(&c->out, v, "content-type", "text/plain");
	size_t len = strlen(detail);
	detail[len++] = '\n';
	stomp_put_body(&c->out, detail, len, 1);
	sc->answered = true;
	/* A client that leaves a megabyte of answers unread would have us
	 * hold every ERROR its next bad frames earn (each bigger than the
	 * frame): past that it is closed, as any ERROR once closed it. */
	if (stomp_error_closes(message, f ? f->command : NULL) ||
	    buf_len(&c->out) >= CONN_OUT_HIGH)
		conn_close_after_flush(c);
	else
		conn_flush_later(c);
}

struct receipt {
	struct conn *conn;
	char *id;		/* NULL: only close (DISCONNECT without receipt) */
	bool close_after;
};

static void receipt_done(void *ctx, int err)
{
	struct receipt *r = ctx;
	struct conn *c = r->conn;
	struct stomp_conn *sc = c->state;
	if (!c->dead && !c->closing && sc) {
		if (err < 0) {
			struct header h = { "receipt", r->id };
			struct stomp_frame f = { .command = "SEND", .headers = &h,
						 .nheaders = r->id ? 1 : 0 };
			stomp_error(sc, &f, "Store failure",
				    "The broker could not make the message durable: %s",
				    strerror(-err));
		} else if (r->id) {
			stomp_put_command(&c->out, "RECEIPT");
			stomp_put_header(&c->out, sc->version, "receipt-id", r->id);
			stomp_put_body(&c->out, NULL, 0, 0);
			conn_flush_later(c);
		}
		/* A DISCONNECT closes even when its commit failed. */
		if (r->close_after)
			conn_close_after_flush(c);
	}
	conn_unref(c);
	free(r->id);
	free(r);
}

/* A commit holding persistent messages this producer sent without a
 * receipt failed: it hears so the way a receipt would have told it. */
static void store_failed(struct conn *c, int err)
{
	struct stomp_conn *sc = c->state;
	if (sc)
		stomp_error(sc, NULL, "Store failure", "The broker could not make persistent "
			    "messages sent on this connection durable: %s", strerror(-err));
}

static int send_receipt(struct stomp_conn *sc, const char *id, bool close_after)
{
	struct receipt *r = calloc(1, sizeof *r);
	if (!r || (id && !(r->id = strdup(id)))) {
		free(r);
		return -1;
	}
	r->conn = sc->conn;
	r->close_after = close_after;
	conn_ref(sc->conn);
	broker_after_commit(receipt_done, r);
	return 0;
}

/* ---- delivery ---- */

static bool sub_writable(struct consumer *c)
{
	struct stomp_sub *sub = c->ctx;
	return conn_writable(sub->sc->conn);
}

static int sub_deliver(struct consumer *c, struct qentry *e)
{
	struct stomp_sub *sub = c->ctx;
	struct stomp_conn *sc = sub->sc;
	if (stomp_put_message(&sc->conn->out, sc->conn, sc->version, sub->id, e) < 0)
		return -1;
	conn_flush_later(sc->conn);
	sc->conn->msgs_out++;
	return 0;
}

static const struct consumer_ops sub_ops = { sub_deliver, sub_writable, NULL };

/* ---- frame handlers ---- */

/* A destination header as ActiveMQ reads it (stomp_dest.h); this
 * connection's temporary destination NAME by its real name, written into
 * buf. Refusals are answered. */
static int parse_dest(struct stomp_conn *sc, const struct stomp_frame *f,
		      const char *d, enum dest_type *type, const char **name,
		      char *buf, size_t buflen)
{
	if (!d) {
		stomp_error(sc, f, "Missing destination",
			    "%s frames need a destination header", f->command);
		return -1;
	}
	struct stomp_dest sd;
	char local[STOMP_DEST_NAME_MAX + 1], err[700];
	const char *why;
	if (stomp_dest_parse(d, &sd, local, sizeof local, &why, err, sizeof err) < 0) {
		stomp_error(sc, f, why, "%s", err);
		return -1;
	}
	*type = sd.type;
	if (sd.scope == STOMP_DEST_TEMP) {
		if (temp_dest_of(sc->conn, sd.type, local, buf, buflen) < 0) {
			stomp_error(sc, f, "Destination name too long", "Illegal destination name: "
				    "[%.64s] -- too long for a temporary destination", d);
			return -1;
		}
	} else if (strlen(local) < buflen) {
		strcpy(buf, local);
	} else {
		stomp_error(sc, f, "Destination name too long", "Illegal destination name: "
			    "[%.64s...] -- too long", d);
		return -1;
	}
	*name = buf;
	return 0;
}

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* By id, as subscriptions are (find_sub): walking the list, 20,000
 * BEGINs on one connection held the loop for 3 s. */
static struct stomp_tx *find_tx(struct stomp_conn *sc, const char *id)
{
	return strmap_get(&sc->txs_by_id, id);
}

static struct stomp_tx *frame_tx(struct stomp_conn *sc, const struct stomp_frame *f,
				 bool *bad)
{
	const char *id = stomp_frame_header(f, "transaction");
	*bad = false;
	if (!id)
		return NULL;
	struct stomp_tx *t = find_tx(sc, id);
	if (!t) {
		stomp_error(sc, f, "Invalid transaction",
			    "Transaction %s is not open on this connection "
			    "(BEGIN it first)", id);
		*bad = true;
	}
	return t;
}

static void tx_free(struct stomp_tx *t)
{
	txn_free(t->txn);
	free(t->id);
	free(t);
}

/* A header that is no number is one ActiveMQ's parsing throws on (and
 * closes: stomp_error.h); a number out of range it takes, Tandem
 * refuses: two ERROR messages. */
static const char *number_label(const char *s, const char *not_number,
				const char *out_of_range)
{
	long long v;
	return parse_long(s, INT64_MIN, INT64_MAX, &v) == 0 ? out_of_range : not_number;
}

/* Builds the message a SEND describes; the frame's body and application
 * headers are moved into it. */
static struct message *message_from_send(struct stomp_conn *sc, struct stomp_frame *f,
					 enum dest_type type, const char *name)
{
	long long prio = MSG_PRIORITY_DEFAULT, expires = 0;
	const char *p = stomp_frame_header(f, "priority");
	const char *x = stomp_frame_header(f, "expires");
	const char *pers = stomp_frame_header(f, "persistent");
	if (p && parse_long(p, 0, MSG_PRIORITY_MAX, &prio) < 0) {
		stomp_error(sc, f, number_label(p, "Invalid priority", "Priority out of range"),
			    "priority must be a whole number from 0 to 9, not '%s'", p);
		return NULL;
	}
	if (x && parse_long(x, 0, INT64_MAX, &expires) < 0) {
		stomp_error(sc, f, number_label(x, "Invalid expires", "Expires out of range"),
			    "expires must be milliseconds since the epoch (0 for never), "
			    "not '%s'", x);
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < f->nheaders; i++)
		n += !is_reserved(f->headers[i].name);
	/* One more for the mark of a body with content-length. */
	struct header *h = calloc(n + 1, sizeof *h);
	/* A bridge keeps the id the message got where it was first sent:
	 * how a resend is recognised (dedupe.h). */
	const char *given = sc->peer.name ? stomp_frame_header(f, "tandem-message-id") : NULL;
	char *id = given ? strdup(given) : broker_new_message_id();
	char *dest = strdup(name);
	if (!h || !id || !dest) {
		free(h);
		free(id);
		free(dest);
		stomp_error(sc, f, "Out of memory", "the broker is out of memory");
		return NULL;
	}
	/* Repeated headers: the first occurrence wins (the spec), so only
	 * the first of each name is kept. */
	size_t k = 0;
	for (size_t i = 0; i < f->nheaders; i++) {
		if (is_reserved(f->headers[i].name) ||
		    header_get(h, k, f->headers[i].name) ||
		    (!sc->peer.name && message_header_hidden(f->headers[i].name)))
			continue;
		h[k++] = f->headers[i];
		f->headers[i].name = f->headers[i].value = NULL;
	}
	/* Drop the husks of moved headers so the frame stays consistent. */
	size_t w = 0;
	for (size_t i = 0; i < f->nheaders; i++) {
		if (f->headers[i].name)
			f->headers[w++] = f->headers[i];
		else
			free(f->headers[i].value);
	}
	f->nheaders = w;
	/* With content-length, a JMS consumer gets a BytesMessage, as from
	 * ActiveMQ (message_jms.h); a bridge's message has its mark already. */
	if (!sc->peer.name && stomp_frame_header(f, "content-length")) {
		h[k].name = strdup(MESSAGE_JMS_HEADER);
		h[k].value = strdup("b");
		if (!h[k].name || !h[k].value) {
			headers_free(h, k + 1);
			free(id);
			free(dest);
			stomp_error(sc, f, "Out of memory", "the broker is out of memory");
			return NULL;
		}
		k++;
	}
	char *body = f->body;
	size_t body_len = f->body_len;
	f->body = NULL;
	f->body_len = 0;
	if (!body)
		body = calloc(1, 1);
	struct message *m = message_new_take(id, type, dest, h, k, body, body_len);
	if (!m) {
		stomp_error(sc, f, "Out of memory", "the broker is out of memory");
		return NULL;
	}
	m->persistent = stomp_lenient_true(pers);
	m->priority = (uint8_t)prio;
	m->expires = expires;
	return m;
}

/* This connection as a producer (publish.h). */
static struct producer stomp_producer(struct stomp_conn *sc, bool receipted)
{
	/* A bridge's ids are audited as an OpenWire bridge's are: its
	 * resends after this broker restarted or its pair failed over are
	 * known by the stored messages' ids (dedupe.h knows those of this
	 * process only), and a resend of one whose RECEIPT was lost in the
	 * crash was stored twice (t/80-network-crash-resend.t). */
	return (struct producer){ .conn = sc->conn, .peer = sc->peer.name,
				  .peer_id = sc->peer.id, .commit_failed = store_failed,
				  .answered_after_commit = receipted,
				  .audited = sc->peer.name != NULL };
}

/* The ERROR's message header for a refused send, in ActiveMQ's words. */
static const char *publish_refusal(int rc)
{
	return rc == PUBLISH_DENIED ? "Not authorized"
	       : rc == PUBLISH_FULL ? "Resource allocation" : "Send failed";
}

/* authorizationPlugin: op on the destination, and creating it when it does
 * not exist yet (a pattern creates nothing); answers the refusal. */
static bool permitted(struct stomp_conn *sc, struct stomp_frame *f, enum authz_op op,
		      enum dest_type type, const char *name)
{
	char err[700];
	if (authz_allows_use(sc->conn, op, type, name, err, sizeof err))
		return true;
	stomp_error(sc, f, "Not authorized", "%s", err);
	return false;
}

/* reply-to:/temp-queue/NAME names this connection's temporary queue for
 * whoever gets the message: by its real name, /remote-temp-queue/REAL.
 * -1 (answered) when it cannot be. */
static int rewrite_reply_to(struct stomp_conn *sc, struct stomp_frame *f)
{
	for (size_t i = 0; i < f->nheaders; i++) {
		struct header *h = &f->headers[i];
		if (!h->name || strcmp(h->name, "reply-to") || !h->value)
			continue;
		if (strncmp(h->value, "/temp-queue/", 12) && strncmp(h->value, "/temp-topic/", 12))
			return 0;
		enum dest_type type;
		const char *real;
		char buf[1024], *v = NULL;
		if (parse_dest(sc, f, h->value, &type, &real, buf, sizeof buf) < 0)
			return -1;
		if (asprintf(&v, "/remote-temp-%s/%s", type == DEST_QUEUE ? "queue" : "topic",
			     real) < 0)
			return -1;
		free(h->value);
		h->value = v;
		return 0;	/* the first one counts */
	}
	return 0;
}

static int on_send(struct stomp_conn *sc, struct stomp_frame *f)
{
	enum dest_type type;
	const char *name;
	char buf[1024];
	bool bad;
	if (parse_dest(sc, f, stomp_frame_header(f, "destination"), &type, &name, buf,
		       sizeof buf) < 0)
		return -1;
	if (temp_dest_deleted(type, name)) {
		/* A reply that arrives after its requester left: nobody to tell
		 * but a client (a bridge would take an ERROR for its own fault). */
		log_debug("stomp", "Dropped a message to %s: that temporary destination is gone",
			  name);
		if (sc->peer.name)
			return 0;
		stomp_error(sc, f, "Send failed", "Cannot publish to a deleted destination: %s",
			    name);
		return -1;
	}
	if (rewrite_reply_to(sc, f) < 0)
		return -1;
	struct stomp_tx *t = frame_tx(sc, f, &bad);
	if (bad)
		return -1;
	/* A receipt tells of a store failure itself (receipt_done). */
	bool receipted = stomp_frame_header(f, "receipt") != NULL;
	char *owned_name = strdup(name);	/* the frame's headers move below */
	if (!owned_name)
		return -1;
	struct message *m = message_from_send(sc, f, type, owned_name);
	free(owned_name);
	if (!m)
		return -1;
	if (temp_dest_is_temp(m->dest))
		m->persistent = false;	/* it dies with its connection anyway */
	if (sc->peer.name && !bridge_inbound_accepts(m, sc->conn->user)) {
		message_unref(m);
		return 0;	/* dropped, and receipted as if taken */
	}
	struct producer p = stomp_producer(sc, receipted);
	char err[700];
	/* In a transaction the policy is met now, counting what it holds
	 * already: its messages take room once committed. */
	int rc = t ? txn_send(t->txn, &p, m, err, sizeof err)
		   : broker_publish(&p, m, err, sizeof err);
	if (rc < 0 && sc->peer.name)
		bridge_inbound_refused(m, sc->conn->user);
	message_unref(m);
	if (rc < 0) {
		stomp_error(sc, f, publish_refusal(rc), "%s", err);
		return -1;
	}
	return 0;
}

/* By id, not by walking the list: one connection may hold tens of
 * thousands of subscriptions, and each SUBSCRIBE checks its id. */
static struct stomp_sub *find_sub(struct stomp_conn *sc, const char *id)
{
	return strmap_get(&sc->subs_by_id, id);
}

/* Files s in the connection's list and index: 0, or -1 out of memory. */
static int sub_link(struct stomp_conn *sc, struct stomp_sub *s)
{
	if (strmap_put(&sc->subs_by_id, s->id, s) < 0)
		return -1;
	s->prev = NULL;
	s->next = sc->subs;
	if (sc->subs)
		sc->subs->prev = s;
	sc->subs = s;
	return 0;
}

static void sub_unlink(struct stomp_conn *sc, struct stomp_sub *s)
{
	strmap_del(&sc->subs_by_id, s->id);
	if (s->prev)
		s->prev->next = s->next;
	else
		sc->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void sub_free(struct stomp_sub *s)
{
	if (s->consumer)
		s->sc->conn->consumers--;
	consumer_close(s->consumer);
	free(s->id);
	free(s->dest);
	free(s->durable_name);
	free(s);
}

static const char *durable_header(const struct stomp_frame *f)
{
	const char *d = stomp_frame_header(f, "activemq.subscriptionName");
	return d ? d : stomp_frame_header(f, "durable-subscription-name");
}

static int on_subscribe(struct stomp_conn *sc, struct stomp_frame *f)
{
	const char *d = stomp_frame_header(f, "destination");
	const char *id = stomp_frame_header(f, "id");
	const char *ack = stomp_frame_header(f, "ack");
	const char *pf = stomp_frame_header(f, "activemq.prefetchSize");
	const char *pr = stomp_frame_header(f, "activemq.priority");
	struct consumer_spec spec = { .prefetch = DEFAULT_PREFETCH, .ack = ACK_AUTO };
	long long v;

	char buf[1024];
	if (parse_dest(sc, f, d, &spec.type, &spec.dest, buf, sizeof buf) < 0)
		return -1;
	if (!permitted(sc, f, AUTHZ_READ, spec.type, spec.dest))
		return -1;
	if (!temp_dest_may_consume(sc->conn, spec.type, spec.dest)) {
		stomp_error(sc, f, "Subscription refused", "%s is a temporary destination of "
			    "another connection: only that one may consume it", spec.dest);
		return -1;
	}
	if (!id) {
		if (sc->version >= STOMP_V11) {
			stomp_error(sc, f, "Missing id", "SUBSCRIBE needs an id header");
			return -1;
		}
		id = d;	/* STOMP 1.0: the destination names the subscription */
	}
	if (find_sub(sc, id)) {
		stomp_error(sc, f, "Duplicate subscription",
			    "There already is a subscription with id %s on this connection", id);
		return -1;
	}
	char why[256];
	if (conn_limit_check(sc->conn, CONN_CONSUMER, sc->conn->consumers,
			     spec.type == DEST_TOPIC, spec.dest, NULL, why, sizeof why) < 0) {
		stomp_error(sc, f, "Resource allocation", "%s", why);
		return -1;
	}
	if (!ack || !strcmp(ack, "auto"))
		spec.ack = ACK_AUTO;
	else if (!strcmp(ack, "client"))
		spec.ack = ACK_CLIENT;
	else if (!strcmp(ack, "client-individual"))
		spec.ack = ACK_CLIENT_INDIVIDUAL;
	else {
		stomp_error(sc, f, "Invalid ack mode",
			    "ack must be auto, client or client-individual, not '%s'", ack);
		return -1;
	}
	if (pf) {
		if (parse_long(pf, 1, 1000000, &v) < 0) {
			stomp_error(sc, f, "Invalid prefetch",
				    "activemq.prefetchSize must be a whole number from 1 "
				    "to 1000000, not '%s'", pf);
			return -1;
		}
		spec.prefetch = (unsigned)v;
	}
	if (pr) {
		if (parse_long(pr, -127, 127, &v) < 0) {
			stomp_error(sc, f, "Invalid priority",
				    "activemq.priority must be a whole number from -127 "
				    "to 127, not '%s'", pr);
			return -1;
		}
		spec.priority = (int)v;
	}
	spec.selector = stomp_frame_header(f, "selector");
	spec.durable_name = spec.type == DEST_TOPIC ? durable_header(f) : NULL;
	spec.client_id = sc->client_id;
	spec.conn = sc->conn;
	spec.id = stomp_frame_header(f, "id");
	spec.network = sc->peer.name != NULL;

	struct stomp_sub *s = calloc(1, sizeof *s);
	if (!s || !(s->id = strdup(id)) || !(s->dest = strdup(d)) ||
	    (spec.durable_name && !(s->durable_name = strdup(spec.durable_name)))) {
		if (s) {
			free(s->id);
			free(s->dest);
			free(s);
		}
		stomp_error(sc, f, "Out of memory", "the broker is out of memory");
		return -1;
	}
	s->sc = sc;
	s->ack = spec.ack;
	char err[512];
	s->consumer = consumer_open(&spec, &sub_ops, s, err, sizeof err);
	if (!s->consumer) {
		s->consumer = NULL;
		sub_free(s);
		stomp_error(sc, f, "Subscription refused", "%s", err);
		return -1;
	}
	sc->conn->consumers++;	/* sub_free() counts it off again */
	if (sub_link(sc, s) < 0) {
		sub_free(s);
		stomp_error(sc, f, "Out of memory", "the broker is out of memory");
		return -1;
	}
	return 0;
}

/* STOMP 1.0 UNSUBSCRIBE by destination: a subscription to it, whatever id
 * it was made with (1.0 allows both; ActiveMQ ends the first it finds).
 * 0 with *out set or NULL, or -1 (answered) when d is no destination. */
static int find_sub_by_dest(struct stomp_conn *sc, const struct stomp_frame *f,
			    const char *d, struct stomp_sub **out)
{
	enum dest_type type;
	const char *name;
	char buf[1024];
	*out = NULL;
	if (parse_dest(sc, f, d, &type, &name, buf, sizeof buf) < 0)
		return -1;
	for (struct stomp_sub *s = sc->subs; s && !*out; s = s->next)
		if (s->consumer->type == type && !strcmp(s->consumer->dest, name))
			*out = s;
	return 0;
}

static int on_unsubscribe(struct stomp_conn *sc, struct stomp_frame *f)
{
	const char *id = stomp_frame_header(f, "id");
	const char *durable = durable_header(f);
	const char *dest = !id && sc->version < STOMP_V11 ? stomp_frame_header(f, "destination")
							   : NULL;
	struct stomp_sub *s = id ? find_sub(sc, id) : NULL;
	if (dest && find_sub_by_dest(sc, f, dest, &s) < 0)
		return -1;
	if (s) {
		sub_unlink(sc, s);
		sub_free(s);
	} else if (!durable) {
		stomp_error(sc, f, "No such subscription",
			    "There is no subscription %s %s on this connection",
			    dest ? "to" : "with id", id ? id : dest ? dest : "(none given)");
		return -1;
	}
	if (durable) {
		char err[256];
		if (!sc->client_id ||
		    broker_durable_remove(sc->client_id, durable, err, sizeof err) < 0) {
			stomp_error(sc, f, "Cannot remove durable subscription", "%s",
				    sc->client_id ? err : "CONNECT carried no client-id");
			return -1;
		}
	}
	return 0;
}

/* Finds the in-flight message an ACK/NACK names: the `id` header (1.2,
 * our ack header value) or `message-id` (1.0, 1.1), optionally limited to
 * one `subscription`. A 1.2 ACK with message-id alone is refused before
 * (ActiveMQ: "ACK received without a ack id"). */
static struct qentry *find_acked(struct stomp_conn *sc, const char *ack_id,
				 const char *sub_id, struct stomp_sub **sub_out)
{
	uint64_t delivery = 0;
	if (sc->version >= STOMP_V12) {
		char *end;
		unsigned long long v = strtoull(ack_id, &end, 10);
		if (!*end)
			delivery = v;
	}
	if (sub_id) {	/* only the subscription named is asked */
		struct stomp_sub *s = find_sub(sc, sub_id);
		struct qentry *e = s ? consumer_find(s->consumer, delivery, ack_id) : NULL;
		if (e)
			*sub_out = s;
		return e;
	}
	for (struct stomp_sub *s = sc->subs; s; s = s->next) {
		struct qentry *e = consumer_find(s->consumer, delivery, ack_id);
		if (e) {
			*sub_out = s;
			return e;
		}
	}
	return NULL;
}

/* NACK, as ActiveMQ's STOMP sends it: a poison ack, the message to the
 * DLQ at once; with the connector's transport.redeliverOnNack, back for
 * redelivery, as Tandem did before (the 7th delivery goes to the DLQ). */
static void apply_nack(struct stomp_sub *s, struct qentry *e)
{
	const struct connector *ct = s->sc->conn->connector;
	if (ct && ct->conf->redeliver_on_nack)
		consumer_nack(s->consumer, e);
	else
		consumer_poison(s->consumer, e, "Poison ack: NACK from a STOMP client");
}

static void apply_ack(struct stomp_sub *s, struct qentry *e, bool nack)
{
	if (nack)
		apply_nack(s, e);
	else
		consumer_ack(s->consumer, e, s->ack == ACK_CLIENT);
}

/* ---- a transaction's acks (txn.h) ---- */

static void tx_ack_store(void *owner, void *ack)
{
	struct tx_ack *ta = ack;
	struct stomp_sub *s = NULL;
	struct qentry *e = find_acked(owner, ta->ack_id, ta->sub_id, &s);
	if (e && !ta->nack)
		consumer_ack_store(s->consumer, e, s->ack == ACK_CLIENT);
}

static void tx_ack_apply(void *owner, void *ack)
{
	struct tx_ack *ta = ack;
	struct stomp_sub *s = NULL;
	struct qentry *e = find_acked(owner, ta->ack_id, ta->sub_id, &s);
	if (e)
		apply_ack(s, e, ta->nack);
}

static void tx_ack_free(void *ack)
{
	struct tx_ack *ta = ack;
	free(ta->ack_id);
	free(ta->sub_id);
	free(ta);
}

/* STOMP has no prepare: no resolve. */
static const struct txn_ack_ops tx_ack_ops = { tx_ack_store, tx_ack_apply, tx_ack_free, NULL };

static int on_ack_or_nack(struct stomp_conn *sc, struct stomp_frame *f, bool nack)
{
	const char *ack_id = stomp_frame_header(f, sc->version >= STOMP_V12 ? "id"
								       : "message-id");
	const char *sub_id = stomp_frame_header(f, "subscription");
	bool bad;
	if (!ack_id) {
		stomp_error(sc, f, "Missing id", "%s needs the %s header", f->command,
			    sc->version >= STOMP_V12 ? "id (the ack header of the MESSAGE; "
			    "message-id names no acknowledgement in STOMP 1.2)" : "message-id");
		return -1;
	}
	struct stomp_tx *t = frame_tx(sc, f, &bad);
	if (bad)
		return -1;
	struct stomp_sub *s = NULL;
	struct qentry *e = find_acked(sc, ack_id, sub_id, &s);
	if (!e) {
		stomp_error(sc, f, nack ? "Unexpected NACK" : "Unexpected ACK",
			    "Unexpected %s received for message-id [%s]: it is not "
			    "waiting for an acknowledgement on this connection",
			    f->command, ack_id);
		return -1;
	}
	if (t) {
		struct tx_ack *ta = calloc(1, sizeof *ta);
		if (!ta || !(ta->ack_id = strdup(ack_id)) || !(ta->sub_id = strdup(s->id))) {
			if (ta)
				free(ta->ack_id);
			free(ta);
			return -1;
		}
		ta->nack = nack;
		return txn_ack(t->txn, ta);
	}
	apply_ack(s, e, nack);
	return 0;
}

static int on_ack(struct stomp_conn *sc, struct stomp_frame *f)
{
	return on_ack_or_nack(sc, f, false);
}

static int on_nack(struct stomp_conn *sc, struct stomp_frame *f)
{
	if (sc->version < STOMP_V11) {
		stomp_error(sc, f, "Unsupported command", "NACK is not part of STOMP 1.0");
		return -1;
	}
	return on_ack_or_nack(sc, f, true);
}

static int on_begin(struct stomp_conn *sc, struct stomp_frame *f)
{
	const char *id = stomp_frame_header(f, "transaction");
	if (!id) {
		stomp_error(sc, f, "Missing transaction", "BEGIN needs a transaction header");
		return -1;
	}
	if (find_tx(sc, id)) {
		stomp_error(sc, f, "Transaction exists",
			    "Transaction %s is already open on this connection", id);
		return -1;
	}
	struct stomp_tx *t = calloc(1, sizeof *t);
	if (!t || !(t->id = strdup(id)) || strmap_put(&sc->txs_by_id, t->id, t) < 0) {
		if (t)
			free(t->id);
		free(t);
		return -1;
	}
	if (!(t->txn = txn_new(&tx_ack_ops))) {
		strmap_del(&sc->txs_by_id, t->id);
		free(t->id);
		free(t);
		return -1;
	}
	t->next = sc->txs;
	if (sc->txs)
		sc->txs->prev = t;
	sc->txs = t;
	return 0;
}

static struct stomp_tx *take_tx(struct stomp_conn *sc, struct stomp_frame *f)
{
	const char *id = stomp_frame_header(f, "transaction");
	struct stomp_tx *t = id ? find_tx(sc, id) : NULL;
	if (!t) {
		stomp_error(sc, f, "Invalid transaction", "Transaction %s is not open "
			    "on this connection", id ? id : "(none given)");
		return NULL;
	}
	strmap_del(&sc->txs_by_id, t->id);
	*(t->prev ? &t->prev->next : &sc->txs) = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
	return t;
}

/* Its messages reach no consumer, and its acks take effect in memory,
 * only once the commit is durable; sends and acks go to the store in that
 * one commit (txn.h). */
static int on_commit(struct stomp_conn *sc, struct stomp_frame *f)
{
	struct stomp_tx *t = take_tx(sc, f);
	if (!t)
		return -1;
	const char *refused = txn_rollback_only(t->txn);
	if (refused) {
		stomp_error(sc, f, "Transaction rolled back", "Transaction %s was rolled back: "
			    "a SEND in it was refused: %s", t->id, refused);
		tx_free(t);
		return -1;
	}
	char err[256];
	struct producer p = stomp_producer(sc, stomp_frame_header(f, "receipt") != NULL);
	int rc = txn_commit(t->txn, sc->conn, &p, err, sizeof err);
	t->txn = NULL;
	tx_free(t);
	if (rc < 0)
		stomp_error(sc, f, "Commit failed", "%s", err);
	return rc;
}

static int on_abort(struct stomp_conn *sc, struct stomp_frame *f)
{
	struct stomp_tx *t = take_tx(sc, f);
	if (!t)
		return -1;
	tx_free(t);	/* sends never happen; acked messages stay unacked */
	return 0;
}

static int on_disconnect(struct stomp_conn *sc, struct stomp_frame *f)
{
	/* The receipt (if any) closes the connection once it is written. */
	if (!stomp_frame_header(f, "receipt"))
		send_receipt(sc, NULL, true);
	return 1;
}

/* ---- CONNECT and heart-beats ---- */

static void heartbeat_tick(struct loop *l, void *ctx);

static void schedule_heartbeat(struct stomp_conn *sc)
{
	int64_t every = 0;
	if (sc->hb_out_ms)
		every = sc->hb_out_ms;
	if (sc->hb_in_ms && (!every || sc->hb_in_ms < every))
		every = sc->hb_in_ms;
	if (every)
		sc->hb_timer = loop_add_timer(sc->conn->loop, every / 2 > 0 ? every / 2 : 1,
					      heartbeat_tick, sc);
}

static void heartbeat_tick(struct loop *l, void *ctx)
{
	struct stomp_conn *sc = ctx;
	struct conn *c = sc->conn;
	int64_t now = loop_now(l);
	sc->hb_timer = 0;
	if (c->dead || c->closing)
		return;
	/* A producer held by flow control is not read from, so its silence
	 * is ours. */
	if (sc->hb_in_ms && !c->read_paused &&
	    now - c->last_read > (int64_t)(sc->hb_in_ms * HB_GRACE)) {
		log_warn("stomp", "No data from %s (connection %" PRIu64 ") for %" PRId64
			 " ms, more than its heart-beat of %" PRId64 " ms allows: closing",
			 c->peer, c->id, now - c->last_read, sc->hb_in_ms);
		conn_close(c, "heart-beat missed");
		return;
	}
	if (sc->hb_out_ms && now - c->last_write >= sc->hb_out_ms && buf_len(&c->out) == 0) {
		buf_append(&c->out, "\n", 1);
		conn_flush_later(c);
	}
	schedule_heartbeat(sc);
}

static int pick_version(const char *accept)
{
	if (!accept)
		return STOMP_V10;
	int best = 0;
	const char *p = accept;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "1.2", 3) && best < STOMP_V12)
			best = STOMP_V12;
		else if (n == 3 && !strncmp(p, "1.1", 3) && best < STOMP_V11)
			best = STOMP_V11;
		else if (n == 3 && !strncmp(p, "1.0", 3) && best < STOMP_V10)
			best = STOMP_V10;
		p += n;
		if (*p == ',')
			p++;
	}
	return best;
}

/* A client-id is one connection's at a time, whatever its protocol
 * (client_id.h): a CONNECT naming one in use is refused as ActiveMQ
 * refuses it, in its words (its InvalidClientIDException), and closed. A
 * network bridge's connection keeps its id without holding it: a bridge
 * that reconnects before the remote noticed its old connection die must
 * not be shut out. It is still refused one a client holds: saying
 * "bridge" must not let a connection share another's id (and reach for
 * its durable subscriptions). 0, or -1 (answered, or out of memory). */
static int hold_client_id(struct stomp_conn *sc, const struct stomp_frame *f, const char *id)
{
	struct conn *c = sc->conn;
	if (!id)
		return 0;
	struct conn *holder = client_id_holder(id);
	if (holder) {
		char text[512];
		snprintf(text, sizeof text, "Broker: %s - Client: %s already connected from "
			 "tcp://%s", broker.cfg->broker_name, id, holder->peer);
		stomp_error(sc, f, text, "javax.jms.InvalidClientIDException: %s", text);
		return -1;
	}
	if (!(sc->client_id = strdup(id)) || !(c->client_id = strdup(id)))
		return -1;
	return sc->peer.name ? 0 : client_id_hold(c);
}

static int on_connect(struct stomp_conn *sc, struct stomp_frame *f)
{
	struct conn *c = sc->conn;
	if (sc->connected) {
		stomp_error(sc, f, "Already connected", "This connection already "
			    "sent CONNECT");
		return -1;
	}
	int version = pick_version(stomp_frame_header(f, "accept-version"));
	if (!version) {
		struct buf *out = &c->out;
		stomp_put_command(out, "ERROR");
		stomp_put_header(out, STOMP_V10, "version", "1.0,1.1,1.2");
		stomp_put_header(out, STOMP_V10, "message", "Supported protocol versions are 1.0,1.1,1.2");
		stomp_put_body(out, NULL, 0, 0);
		log_warn("stomp", "%s asked for STOMP versions %s: refused", c->peer,
			 stomp_frame_header(f, "accept-version"));
		conn_close_after_flush(c);
		return -1;
	}
	sc->version = version;
	const char *login = stomp_frame_header(f, "login");
	if (!c->trusted && !broker_login_ok(login, stomp_frame_header(f, "passcode"))) {
		log_warn("stomp", "Security error: user name [%s] or password is invalid "
			 "(from %s)", login ? login : "", c->peer);
		stomp_error(sc, f, "Authentication failed",
			    "User name [%s] or password is invalid.", login ? login : "");
		return -1;
	}
	conn_logged_in(c);
	stomp_parser_set_max(sc->parser, conn_frame_max(c, STOMP_MAX_FRAME));
	/* Whose rights this connection has, a duplex bridge's too. */
	if (!c->trusted && login && *login && !(c->user = strdup(login)))
		return -1;
	/* A remote's duplex bridge: a bridge of ours forwards back over this
	 * connection (stomp_on_data hands it over after this frame), what
	 * its user may read only (bridge_demand.c). */
	if (bridge_inbound_wants_duplex(f)) {
		sc->duplex = bridge_duplex_accept(c, f);
		return sc->duplex ? 0 : -1;
	}
	/* Negotiated on 1.0 connections too: ActiveMQ does, and 1.0 clients
	 * written against it rely on it. */
	long long cx = 0, cy = 0;
	const char *hb = stomp_frame_header(f, "heart-beat");
	if (hb) {
		char *end;
		errno = 0;
		cx = strtoll(hb, &end, 10);
		if (*end == ',')
			cy = strtoll(end + 1, &end, 10);
		if (errno || *end || cx < 0 || cy < 0 || !strchr(hb, ',')) {
			stomp_error(sc, f, "Invalid heart-beat",
				    "heart-beat must be two whole numbers like 10000,10000, "
				    "not '%s'", hb);
			return -1;
		}
	}
	/* We send as often as the client wants to hear, and expect what it
	 * offers, never more often than HB_MIN_MS either way. */
	sc->hb_out_ms = cy ? (cy < HB_MIN_MS ? HB_MIN_MS : cy) : 0;
	sc->hb_in_ms = cx ? (cx < HB_MIN_MS ? HB_MIN_MS : cx) : 0;

	if (bridge_inbound_peer(f, c->peer, &sc->peer) < 0)
		return -1;
	const char *client_id = stomp_frame_header(f, "client-id");
	if (hold_client_id(sc, f, client_id) < 0)
		return -1;
	/* management's copy (Connection's RemoteBrokerName) */
	if ((sc->peer.name && !(c->network_broker = strdup(sc->peer.name))) ||
	    (sc->peer.id && !(c->network_broker_id = strdup(sc->peer.id))))
		return -1;
	sc->connected = true;
	stomp_parser_set_version(sc->parser, version);

	char session[64], beats[64];
	snprintf(session, sizeof session, "%s-%" PRIu64, broker.cfg->broker_name, c->id);
	snprintf(beats, sizeof beats, "%" PRId64 ",%" PRId64, sc->hb_out_ms, sc->hb_in_ms);
	stomp_put_command(&c->out, "CONNECTED");
	stomp_put_header(&c->out, STOMP_V10, "version",
			 version == STOMP_V12 ? "1.2" : version == STOMP_V11 ? "1.1" : "1.0");
	stomp_put_header(&c->out, STOMP_V10, "server", "Tandem/" TANDEM_VERSION);
	stomp_put_header(&c->out, STOMP_V10, "session", session);
	bridge_inbound_connected_headers(&c->out, sc->peer.name != NULL);
	stomp_put_header(&c->out, STOMP_V10, "heart-beat", beats);
	stomp_put_body(&c->out, NULL, 0, 0);
	conn_flush_later(c);
	schedule_heartbeat(sc);
	log_debug("stomp", "%s connected with STOMP %d.%d", c->peer, version / 10, version % 10);
	return 0;
}

/* ---- the command table and the connection ---- */

static const struct {
	const char *name;
	int (*handle)(struct stomp_conn *sc, struct stomp_frame *f);
	bool before_connect;	/* allowed before CONNECT */
} commands[] = {
	{ "CONNECT", on_connect, true },
	{ "STOMP", on_connect, true },
	{ "SEND", on_send, false },
	{ "SUBSCRIBE", on_subscribe, false },
	{ "UNSUBSCRIBE", on_unsubscribe, false },
	{ "ACK", on_ack, false },
	{ "NACK", on_nack, false },
	{ "BEGIN", on_begin, false },
	{ "COMMIT", on_commit, false },
	{ "ABORT", on_abort, false },
	{ "DISCONNECT", on_disconnect, false },
};

static void handle_frame(struct stomp_conn *sc, struct stomp_frame *f)
{
	size_t i;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, f->command))
			break;
	if (i == sizeof commands / sizeof commands[0]) {
		stomp_error(sc, f, "Unknown command", "Unknown STOMP action: %.64s",
			    f->command);
		return;
	}
	if (!sc->connected && !commands[i].before_connect) {
		stomp_error(sc, f, "Not connected", "A connection must start with "
			    "CONNECT or STOMP, not %s", f->command);
		return;
	}
	/* Keep the receipt id: handlers may move headers out of the frame. */
	const char *r = stomp_frame_header(f, "receipt");
	char *receipt = r ? strdup(r) : NULL;
	sc->answered = false;
	int rc = commands[i].handle(sc, f);
	if (rc < 0 && !sc->answered && !sc->conn->closing && !sc->conn->dead)
		stomp_error(sc, f, "Out of memory", "the broker is out of memory");
	if (rc >= 0 && receipt && !sc->conn->dead)
		send_receipt(sc, receipt, rc > 0);
	free(receipt);
}

static void stomp_close(struct conn *c);

static void stomp_on_data(struct conn *c)
{
	struct stomp_conn *sc = c->state;
	while (buf_len(&c->in) > 0 && !c->dead && !c->closing && !c->read_paused) {
		struct stomp_frame *f = NULL;
		const char *err = NULL;
		ssize_t n = stomp_parser_feed(sc->parser, buf_data(&c->in),
					      buf_len(&c->in), &f, &err);
		if (n < 0) {
			buf_reset(&c->in);
			if (err == stomp_err_too_large && !sc->connected)
				stomp_error(sc, NULL, "Frame too large", "a frame before CONNECT "
					    "completes may have at most %d bytes", CONN_LOGIN_FRAME_MAX);
			else
				stomp_error(sc, NULL, "Malformed frame", "%s",
					    err ? err : "protocol error");
			return;
		}
		buf_consume(&c->in, (size_t)n);
		if (!f)
			return;
		handle_frame(sc, f);
		stomp_frame_free(f);
		if (sc->duplex) {
			struct bridge *b = sc->duplex;
			stomp_close(c);
			bridge_duplex_start(b, c);
			return;
		}
	}
}

static void stomp_on_drain(struct conn *c)
{
	struct stomp_conn *sc = c->state;
	for (struct stomp_sub *s = sc->subs; s; s = s->next)
		consumer_wakeup(s->consumer);
}

static int stomp_open(struct conn *c)
{
	struct stomp_conn *sc = calloc(1, sizeof *sc);
	if (!sc)
		return -1;
	sc->parser = stomp_parser_new(conn_frame_max(c, STOMP_MAX_FRAME));
	if (!sc->parser) {
		free(sc);
		return -1;
	}
	sc->conn = c;
	c->state = sc;
	return 0;
}

static void stomp_close(struct conn *c)
{
	struct stomp_conn *sc = c->state;
	if (!sc)
		return;
	/* Open transactions die with the connection: nothing they sent is
	 * delivered, and their acks never happened. */
	while (sc->txs) {
		struct stomp_tx *t = sc->txs;
		sc->txs = t->next;
		tx_free(t);
	}
	strmap_clear(&sc->txs_by_id);
	while (sc->subs) {
		struct stomp_sub *s = sc->subs;
		sc->subs = s->next;
		sub_free(s);
	}
	strmap_clear(&sc->subs_by_id);
	if (sc->hb_timer)
		loop_del_timer(c->loop, sc->hb_timer);
	broker_conn_gone(c);
	stomp_parser_free(sc->parser);
	free(sc->client_id);
	bridge_inbound_peer_free(&sc->peer);
	free(sc);
}

static size_t stomp_buffered(const struct conn *c)
{
	const struct stomp_conn *sc = c->state;
	return stomp_parser_held(sc->parser);
}

int stomp_detect(const char *data, size_t len)
{
	/* Any client frame counts, not only CONNECT: a client that skips
	 * CONNECT then hears why in an ERROR frame rather than a bare close. */
	static const char *const commands[] = {
		"CONNECT", "STOMP", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
		"BEGIN", "COMMIT", "ABORT", "DISCONNECT",
	};
	/* What the parser skips before a command and after it, as ActiveMQ
	 * does (stomp_lenient.h): EOLs, stray NULs, blanks before the EOL. */
	size_t skip = 0;
	while (skip < len && (stomp_lenient_skipped(data[skip]) || data[skip] == '\r'))
		skip++;
	if (skip > 16)
		return 0;
	data += skip;
	len -= skip;
	bool maybe = false;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		size_t n = strlen(commands[i]);
		int end = len > n && !memcmp(data, commands[i], n)
				  ? stomp_lenient_command_end(data + n, len - n) : 0;
		if (end)
			return end;
		if (len <= n && !memcmp(data, commands[i], len))
			maybe = true;
	}
	return maybe ? -1 : 0;
}

const struct proto stomp_proto = {
	.name = "stomp",
	.label = "STOMP",
	.detect = stomp_detect,
	.open = stomp_open,
	.on_data = stomp_on_data,
	.on_drain = stomp_on_drain,
	.close = stomp_close,
	.buffered = stomp_buffered,
};
