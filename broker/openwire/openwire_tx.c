/*
 * openwire_tx.c - TransactionInfo: a JMS client's local transactions
 * (Session.SESSION_TRANSACTED) and XA transactions (an XASession's
 * XAResource), over the core's transactions (txn.h).
 *
 * A local transaction (LocalTransactionId) belongs to its connection and
 * dies with it. An XA transaction (XATransactionId) is the broker's, found
 * by its XID from any connection: BEGIN, END, PREPARE (an IntegerResponse:
 * XA_OK, or XA_RDONLY for one that holds nothing, which then ends),
 * COMMIT_ONE_PHASE, COMMIT_TWO_PHASE (only once prepared), ROLLBACK,
 * RECOVER (a DataArrayResponse of the prepared XIDs) and FORGET. When its
 * connection goes, one not prepared is rolled back and a prepared one
 * stays for whoever commits or rolls it back.
 *
 * Sends and acks that carry a transaction id come here from
 * openwire_send.c and openwire_consumer.c: a send meets the policy when it
 * is sent, an ack is kept (a delivered ack makes room beyond the
 * prefetch meanwhile), and both take effect at the commit, whose
 * Response comes once everything it did is durable. The client sends a
 * transacted session's sends and acks one way, so a refused send is told
 * in a ConnectionError and the commit after it is refused as
 * TransactionRolledBackException: the transaction can only roll back.
 * ActiveMQ's errors are given as its TransactionBroker gives them
 * (JMSException for a local transaction it does not know, XAException
 * with "xaErrorCode:N" in the text, which the client reads back as the
 * XAException's errorCode).
 *
 * A prepared transaction is durable (txn.h): its messages, the entries
 * it acked and its XID are in the store, and after a restart (or on the
 * slave that takes over) RECOVER lists it again, its acked messages kept
 * from every consumer until COMMIT or ROLLBACK ends it. The store names
 * it by its key, from which the XID is read back (xid_of_key).
 *
 * Every transaction is found by its id in one index (a local one's key
 * made unique by its connection's number), not by walking a list: each
 * TransactionInfo, transacted send and ack looks one up, and 100,000
 * BEGINs on one connection held the loop, every client with it, for more
 * than 300 s (t/42-many-per-connection.t).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "conn.h"
#include "consumer.h"
#include "log.h"
#include "openwire_conn.h"
#include "publish.h"
#include "strmap.h"
#include "txn.h"

#define EX_ROLLED_BACK "javax.jms.TransactionRolledBackException"
#define EX_XA "javax.transaction.xa.XAException"

/* javax.transaction.xa.XAResource and XAException codes. */
#define XA_OK 0
#define XA_RDONLY 3
#define XA_RBROLLBACK 100
#define XAER_NOTA (-4)
#define XAER_PROTO (-6)

enum ow_tx_state { TX_ACTIVE, TX_ENDED, TX_PREPARED };

struct ow_tx {
	struct ow_obj *id;	/* the client's transaction id (a reference) */
	char *key;		/* as ActiveMQ prints it: TX:ID:..., XID:[...] */
	struct txn *txn;
	enum ow_tx_state state;
	struct ow_conn *oc;	/* NULL: a prepared XA transaction whose connection went */
	char *index_key;	/* in tx_index */
	struct ow_tx *next, **pprev;	/* pprev: the link that points to it */
};

/* Every XA transaction of the broker; local ones are in oc->txs. */
static struct ow_tx *xa_txs;
/* Every transaction of both kinds, by index_key(). */
static struct strmap tx_index;

static bool is_xa(const struct ow_obj *id)
{
	return id->type == OW_XA_TRANSACTION_ID;
}

static void append_hex(char *out, size_t outlen, const struct ow_bytes *b)
{
	size_t at = strlen(out);
	for (uint32_t i = 0; i < b->len && at + 3 < outlen; i++, at += 2)
		snprintf(out + at, outlen - at, "%02x", b->data[i]);
}

/* The transaction key ActiveMQ's messages name it by. */
static void tx_key(const struct ow_obj *id, char *out, size_t outlen)
{
	if (is_xa(id)) {
		const struct ow_xa_transaction_id *x = (const void *)id;
		snprintf(out, outlen, "XID:[%" PRId32 ",globalId=", x->format_id);
		append_hex(out, outlen, &x->global_transaction_id);
		snprintf(out + strlen(out), outlen - strlen(out), ",branchId=");
		append_hex(out, outlen, &x->branch_qualifier);
		snprintf(out + strlen(out), outlen - strlen(out), "]");
		return;
	}
	const struct ow_local_transaction_id *l = (const void *)id;
	const struct ow_str *conn_id = l->connection_id ? &l->connection_id->value : NULL;
	snprintf(out, outlen, "TX:%.*s:%" PRId64, conn_id ? (int)conn_id->len : 0,
		 conn_id && conn_id->s ? conn_id->s : "", l->value);
}

static struct ow_tx **list_of(struct ow_conn *oc, const struct ow_obj *id)
{
	return is_xa(id) ? &xa_txs : &oc->txs;
}

/* What tx_index files a transaction under: an XA one by its key, which
 * any connection may name; a local one by its key on this connection
 * (another may send the same ConnectionId). */
static void index_key(const struct ow_conn *oc, const char *key, bool xa, char *out,
		      size_t outlen)
{
	if (xa)
		snprintf(out, outlen, "%s", key);
	else
		snprintf(out, outlen, "%" PRIu64 "|%s", oc->conn->id, key);
}

/* Where the transaction of this id is linked; *p NULL when there is none
 * (then p is no list's: it is only read). */
static struct ow_tx **find_tx(struct ow_conn *oc, const struct ow_obj *id)
{
	static struct ow_tx *none;
	char key[600], ikey[640];
	tx_key(id, key, sizeof key);
	index_key(oc, key, is_xa(id), ikey, sizeof ikey);
	struct ow_tx *t = strmap_get(&tx_index, ikey);
	none = NULL;
	return t ? t->pprev : &none;
}

/* Files t first in *head and in the index: 0, or -1 out of memory. */
static int tx_link(struct ow_tx **head, struct ow_tx *t)
{
	if (strmap_put(&tx_index, t->index_key, t) < 0)
		return -1;
	t->next = *head;
	if (*head)
		(*head)->pprev = &t->next;
	*head = t;
	t->pprev = head;
	return 0;
}

static void tx_unlink(struct ow_tx *t)
{
	strmap_del(&tx_index, t->index_key);
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* Frees t; `rollback`: its transaction too (else it stays in the store:
 * the broker stops). */
static void tx_free(struct ow_tx *t, bool rollback)
{
	if (rollback)
		txn_rollback(t->txn);
	else
		txn_free(t->txn);
	ow_obj_free(t->id);
	free(t->key);
	free(t->index_key);
	free(t);
}

/* Unlinks and frees: a rollback. */
static void tx_drop(struct ow_tx **p)
{
	struct ow_tx *t = *p;
	tx_unlink(t);
	tx_free(t, true);
}

/* An error as ActiveMQ's TransactionBroker gives it: an XAException
 * carries its code in its text, where the client finds it again. */
static void refuse_tx(struct ow_conn *oc, const struct ow_command *cmd, const struct ow_obj *id,
		      int xa_code, const char *klass, const char *what)
{
	if (is_xa(id))
		ow_refuse(oc, cmd, EX_XA, "%s xaErrorCode:%d", what, xa_code);
	else if (!strcmp(klass, EX_ROLLED_BACK))	/* as ActiveMQ words it */
		ow_refuse(oc, cmd, klass, "%s xaErrorCode:%d", what, xa_code);
	else
		ow_refuse(oc, cmd, klass, "%s", what);
}

static void refuse_unknown(struct ow_conn *oc, const struct ow_command *cmd,
			   const struct ow_obj *id)
{
	char key[600], what[700];
	tx_key(id, key, sizeof key);
	snprintf(what, sizeof what, "Transaction '%s' has not been started.", key);
	refuse_tx(oc, cmd, id, XAER_NOTA, EX_JMS, what);
}

/* The open transaction a send or ack names, or NULL (refused). */
static struct ow_tx *named_tx(struct ow_conn *oc, const struct ow_command *cmd,
			      const struct ow_obj *id)
{
	struct ow_tx *t = *find_tx(oc, id);
	if (!t || t->state == TX_PREPARED) {
		if (t)
			refuse_tx(oc, cmd, id, XAER_PROTO, EX_JMS,
				  "A prepared transaction takes no more sends or acks");
		else
			refuse_unknown(oc, cmd, id);
		return NULL;
	}
	return t;
}

/* ---- acks in a transaction (txn.h) ---- */

/* An ack kept until the commit, with the connection it came on: an XA
 * transaction may be joined by several connections and committed by
 * another, and an ack names a consumer of its own connection. */
struct tx_ack {
	struct conn *conn;	/* one reference */
	struct ow_message_ack *a;	/* one reference */
};

/* The entry the ack names, while its connection is there. */
static struct qentry *ack_entry(const struct tx_ack *ta, struct consumer **c)
{
	struct ow_conn *oc = ta->conn->dead ? NULL : ta->conn->state;
	return oc ? ow_ack_entry(oc, ta->a, c) : NULL;
}

static void ack_store(void *owner, void *ack)
{
	(void)owner;
	struct tx_ack *ta = ack;
	struct consumer *c = NULL;
	struct qentry *e = ack_entry(ta, &c);
	int8_t type = ta->a->ack_type;
	if (e && (type == OW_ACK_STANDARD || type == OW_ACK_INDIVIDUAL))
		consumer_ack_store(c, e, type == OW_ACK_STANDARD);
}

static void ack_apply(void *owner, void *ack)
{
	(void)owner;
	struct tx_ack *ta = ack;
	struct ow_conn *oc = ta->conn->dead ? NULL : ta->conn->state;
	if (oc)
		ow_ack_apply(oc, ta->a);
}

static void ack_free(void *ack)
{
	struct tx_ack *ta = ack;
	conn_unref(ta->conn);
	ow_obj_free(&ta->a->c.h);
	free(ta);
}

/* A prepared transaction keeps what a standard (cumulative) or individual
 * ack names. */
static struct qentry *ack_resolve(void *owner, void *ack, struct consumer **c, bool *cumulative)
{
	(void)owner;
	struct tx_ack *ta = ack;
	int8_t type = ta->a->ack_type;
	*cumulative = type == OW_ACK_STANDARD;
	if (type != OW_ACK_STANDARD && type != OW_ACK_INDIVIDUAL)
		return NULL;
	return ack_entry(ta, c);
}

static const struct txn_ack_ops ack_ops = { ack_store, ack_apply, ack_free, ack_resolve };

int ow_tx_ack(struct ow_conn *oc, struct ow_message_ack *a)
{
	struct ow_tx *t = named_tx(oc, &a->c, a->transaction_id);
	if (!t)
		return -1;
	/* Delivered and redelivered acks only pace the prefetch: at once. */
	if (a->ack_type != OW_ACK_STANDARD && a->ack_type != OW_ACK_INDIVIDUAL &&
	    a->ack_type != OW_ACK_POISON) {
		ow_ack_apply(oc, a);
		return 0;
	}
	struct tx_ack *ta = malloc(sizeof *ta);
	if (ta) {
		ta->conn = oc->conn;
		conn_ref(oc->conn);
		ta->a = (void *)ow_obj_ref(&a->c.h);
	}
	/* A failed txn_ack() frees ta (ack_free). */
	if (!ta || txn_ack(t->txn, ta) < 0) {
		ow_refuse(oc, &a->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 0;
}

int ow_tx_send(struct ow_conn *oc, const struct ow_message *om, const struct producer *p,
	       struct message *m, char *err, size_t errlen)
{
	char key[600];
	struct ow_tx *t = *find_tx(oc, om->transaction_id);
	tx_key(om->transaction_id, key, sizeof key);
	if (!t || t->state == TX_PREPARED) {
		snprintf(err, errlen, t ? "Transaction '%s' is prepared: it takes no more sends"
					: "Transaction '%s' has not been started.", key);
		return PUBLISH_FAILED;
	}
	return txn_send(t->txn, p, m, err, errlen);
}

/* ---- TransactionInfo ---- */

static int on_begin(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	char key[600], what[700];
	tx_key(ti->transaction_id, key, sizeof key);
	/* Another session (or connection) joins an XA transaction by
	 * beginning it again, as ActiveMQ allows. */
	if (*p && is_xa(ti->transaction_id))
		return 0;
	if (*p) {
		snprintf(what, sizeof what, "Transaction '%s' has already been started.", key);
		ow_refuse(oc, &ti->c, EX_JMS, "%s", what);
		return -1;
	}
	char ikey[640];
	index_key(oc, key, is_xa(ti->transaction_id), ikey, sizeof ikey);
	struct ow_tx *t = calloc(1, sizeof *t);
	if (!t || !(t->key = strdup(key)) || !(t->index_key = strdup(ikey)) ||
	    !(t->txn = txn_new(&ack_ops)) || tx_link(list_of(oc, ti->transaction_id), t) < 0) {
		if (t) {
			txn_free(t->txn);
			free(t->key);
			free(t->index_key);
		}
		free(t);
		ow_refuse(oc, &ti->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	t->id = ow_obj_ref(ti->transaction_id);
	t->oc = oc;
	return 0;
}

static int on_end(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	(void)oc;
	(void)ti;
	if ((*p)->state == TX_ACTIVE)
		(*p)->state = TX_ENDED;
	return 0;
}

static void send_integer(struct ow_conn *oc, int32_t correlation, int32_t result)
{
	struct ow_integer_response *r = (void *)ow_obj_new(OW_INTEGER_RESPONSE);
	if (r) {
		r->r.correlation_id = correlation;
		r->result = result;
	}
	ow_send(oc, r ? &r->r.c.h : NULL);
}

struct prepared_answer {
	struct conn *conn;	/* one reference */
	int32_t correlation;
};

static void prepared_done(void *ctx, int err)
{
	struct prepared_answer *a = ctx;
	struct ow_conn *oc = a->conn->state;
	if (!a->conn->dead && !a->conn->closing && oc) {
		struct ow_command cmd = { .command_id = a->correlation, .response_required = true };
		if (err < 0)
			ow_refuse(oc, &cmd, EX_XA, "The broker could not make the prepared "
				  "transaction durable: %s xaErrorCode:%d", strerror(-err), -3);
		else
			send_integer(oc, a->correlation, XA_OK);
	}
	conn_unref(a->conn);
	free(a);
}

static int answer_prepared(struct ow_conn *oc, int32_t correlation)
{
	struct prepared_answer *a = malloc(sizeof *a);
	if (!a)
		return -1;
	*a = (struct prepared_answer){ oc->conn, correlation };
	conn_ref(oc->conn);
	broker_after_commit(prepared_done, a);
	return 0;
}

static int on_prepare(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	struct ow_tx *t = *p;
	const char *refused = txn_rollback_only(t->txn);
	if (refused) {
		tx_drop(p);
		refuse_tx(oc, &ti->c, ti->transaction_id, XA_RBROLLBACK, EX_ROLLED_BACK,
			  "COMMIT FAILED: Transaction marked rollback only");
		return -1;
	}
	/* Nothing to commit: XA_RDONLY, and the transaction is over. */
	if (txn_empty(t->txn)) {
		tx_drop(p);
		if (ti->c.response_required)
			send_integer(oc, ti->c.command_id, XA_RDONLY);
		return 1;
	}
	if (txn_prepare(t->txn, oc, t->key) < 0) {
		ow_refuse(oc, &ti->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	t->state = TX_PREPARED;
	/* XA_OK once all of it is durable. */
	if (ti->c.response_required && answer_prepared(oc, ti->c.command_id) < 0) {
		ow_refuse(oc, &ti->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 1;
}

static void commit_failed(struct conn *c, int err)
{
	struct ow_conn *oc = c->state;
	if (oc)
		ow_refuse(oc, NULL, EX_IO, "The broker could not make a transaction's "
			  "persistent messages durable: %s", strerror(-err));
}

static int commit(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p,
		  bool two_phase)
{
	struct ow_tx *t = *p;
	if (two_phase && t->state != TX_PREPARED) {
		refuse_tx(oc, &ti->c, ti->transaction_id, XAER_PROTO, EX_JMS,
			  "Cannot do 2 phase commit if the transaction has not been prepared");
		return -1;
	}
	if (txn_rollback_only(t->txn)) {
		log_info("openwire", "%s: transaction %s rolled back at its commit: a send in it "
			 "was refused: %s", oc->conn->peer, t->key, txn_rollback_only(t->txn));
		tx_drop(p);
		refuse_tx(oc, &ti->c, ti->transaction_id, XA_RBROLLBACK, EX_ROLLED_BACK,
			  "COMMIT FAILED: Transaction marked rollback only");
		return -1;
	}
	tx_unlink(t);
	struct producer pr = { .conn = oc->conn, .commit_failed = commit_failed,
			       .answered_after_commit = ti->c.response_required };
	char err[700];
	int rc = txn_commit(t->txn, oc->conn, &pr, err, sizeof err);
	t->txn = NULL;
	tx_free(t, false);
	if (rc < 0) {
		refuse_tx(oc, &ti->c, ti->transaction_id, XA_RBROLLBACK, EX_ROLLED_BACK, err);
		return -1;
	}
	if (ti->c.response_required && ow_answer_after_commit(oc, ti->c.command_id) < 0) {
		ow_refuse(oc, &ti->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	return 1;
}

static int on_commit_one(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	return commit(oc, ti, p, false);
}

static int on_commit_two(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	return commit(oc, ti, p, true);
}

static int on_rollback(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	(void)oc;
	(void)ti;
	tx_drop(p);
	return 0;
}

/* The XIDs of every prepared transaction, in a DataArrayResponse. */
static int on_recover(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p)
{
	(void)p;
	struct ow_data_array_response *r = (void *)ow_obj_new(OW_DATA_ARRAY_RESPONSE);
	size_t n = 0;
	for (struct ow_tx *t = xa_txs; t; t = t->next)
		n += t->state == TX_PREPARED;
	if (r && !(r->data.v = calloc(n ? n : 1, sizeof *r->data.v))) {
		ow_obj_free(&r->r.c.h);
		r = NULL;
	}
	if (!r) {
		ow_refuse(oc, &ti->c, EX_JMS, "The broker is out of memory");
		return -1;
	}
	for (struct ow_tx *t = xa_txs; t && r->data.n < UINT16_MAX; t = t->next)
		if (t->state == TX_PREPARED)
			r->data.v[r->data.n++] = ow_obj_ref(t->id);
	r->r.correlation_id = ti->c.command_id;
	ow_send(oc, &r->r.c.h);
	return 1;
}

/* What each TransactionInfo type does; `known`: it needs a transaction
 * that exists (else XAER_NOTA, or a JMSException for a local one). */
static const struct {
	int8_t type;
	int (*handle)(struct ow_conn *oc, struct ow_transaction_info *ti, struct ow_tx **p);
	bool known;
	bool xa_only;
} tx_commands[] = {
	{ OW_TX_BEGIN, on_begin, false, false },
	{ OW_TX_END, on_end, true, true },
	{ OW_TX_PREPARE, on_prepare, true, true },
	{ OW_TX_COMMIT_ONE_PHASE, on_commit_one, true, false },
	{ OW_TX_COMMIT_TWO_PHASE, on_commit_two, true, true },
	{ OW_TX_ROLLBACK, on_rollback, true, false },
	{ OW_TX_RECOVER, on_recover, false, false },
	{ OW_TX_FORGET, on_rollback, true, true },
};

int ow_on_transaction_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_transaction_info *ti = (void *)o;
	size_t n = sizeof tx_commands / sizeof tx_commands[0], i;
	for (i = 0; i < n && tx_commands[i].type != ti->type; i++)
		;
	if (i == n) {
		ow_refuse(oc, &ti->c, EX_JMS, "Unknown TransactionInfo type %d", ti->type);
		return -1;
	}
	if (ti->type == OW_TX_RECOVER)
		return on_recover(oc, ti, NULL);
	if (!ti->transaction_id) {
		ow_refuse(oc, &ti->c, EX_JMS, "The TransactionInfo names no transaction");
		return -1;
	}
	if (tx_commands[i].xa_only && !is_xa(ti->transaction_id)) {
		ow_refuse(oc, &ti->c, EX_JMS, "A local transaction is not prepared, ended or "
			  "forgotten: those are XA's");
		return -1;
	}
	struct ow_tx **p = find_tx(oc, ti->transaction_id);
	if (tx_commands[i].known && !*p) {
		refuse_unknown(oc, &ti->c, ti->transaction_id);
		return -1;
	}
	return tx_commands[i].handle(oc, ti, p);
}

void ow_tx_close(struct ow_conn *oc)
{
	if (oc->txs)
		log_debug("openwire", "%s: its open transactions roll back as it closes",
			  oc->conn->peer);
	while (oc->txs)
		tx_drop(&oc->txs);
	for (struct ow_tx **p = &xa_txs; *p;) {
		if ((*p)->oc != oc) {
			p = &(*p)->next;
		} else if ((*p)->state == TX_PREPARED) {
			(*p)->oc = NULL;
			p = &(*p)->next;
		} else {
			tx_drop(p);
		}
	}
}

/* ---- after a restart ---- */

/* n hex digits at s into b: 0, or -1 (not hex, or out of memory). */
static int hex_to(const char *s, size_t n, struct ow_bytes *b)
{
	if (n % 2 || !(b->data = malloc(n / 2 ? n / 2 : 1)))
		return -1;
	b->len = (uint32_t)(n / 2);
	for (size_t i = 0; i < n; i++) {
		const char *d = strchr("0123456789abcdef", s[i]);
		if (!d || !*d)
			return -1;
		unsigned v = (unsigned)(d - "0123456789abcdef");
		b->data[i / 2] = (uint8_t)(i % 2 ? b->data[i / 2] << 4 | v : v);
	}
	return 0;
}

/* The XID a key names (tx_key's form), or NULL: another protocol's, or
 * damaged. */
static struct ow_obj *xid_of_key(const char *key)
{
	static const char head[] = "XID:[", global[] = ",globalId=", branch[] = ",branchId=";
	if (strncmp(key, head, strlen(head)))
		return NULL;
	char *after;
	long format = strtol(key + strlen(head), &after, 10);
	const char *g = after, *b = strstr(after, branch), *end = key + strlen(key) - 1;
	if (strncmp(g, global, strlen(global)) || !b || *end != ']' || b > end)
		return NULL;
	g += strlen(global);
	struct ow_xa_transaction_id *x = (void *)ow_obj_new(OW_XA_TRANSACTION_ID);
	if (!x)
		return NULL;
	x->format_id = (int32_t)format;
	if (hex_to(g, (size_t)(b - g), &x->global_transaction_id) < 0 ||
	    hex_to(b + strlen(branch), (size_t)(end - b - strlen(branch)),
		   &x->branch_qualifier) < 0) {
		ow_obj_free(&x->h);
		return NULL;
	}
	return &x->h;
}

static void recovered(void *ctx, const char *txid, struct txn *txn)
{
	(void)ctx;
	struct ow_tx *t = calloc(1, sizeof *t);
	if (!t || !(t->id = xid_of_key(txid)) || !(t->key = strdup(txid)) ||
	    !(t->index_key = strdup(txid)) || tx_link(&xa_txs, t) < 0) {
		log_warn("openwire", "Prepared transaction %s is not an XA transaction of "
			 "OpenWire's (or memory ran out): left in the store", txid);
		if (t) {
			ow_obj_free(t->id);
			free(t->key);
			free(t->index_key);
		}
		free(t);
		txn_free(txn);
		return;
	}
	t->txn = txn;
	t->state = TX_PREPARED;
}

int ow_tx_load(struct store *st)
{
	return txn_recover(st, recovered, NULL);
}

void ow_tx_stop(void)
{
	while (xa_txs) {
		struct ow_tx *t = xa_txs;
		tx_unlink(t);
		tx_free(t, false);
	}
	if (!tx_index.count)	/* else connections still hold local ones */
		strmap_clear(&tx_index);
}
