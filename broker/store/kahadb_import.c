/*
 * kahadb_import.c - a replayed KahaDB journal written into Tandem's store
 * (see kahadb_import.h). Start at kahadb_import().
 *
 * This file reads the messages with the OpenWire codec: KahaDB keeps
 * them as OpenWire commands, so the codec is the one reader of that
 * format in Tandem.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include "kahadb_import.h"
#include "kahadb_replay.h"
#include "kahadb_scheduler.h"
#include "log.h"
#include "message.h"
#include "openwire_codec.h"
#include "openwire_message.h"
#include "openwire_types.h"
#include "producer_audit.h"
#include "selector.h"
#include "store.h"

/* The OpenWire versions a KahaDB store's messages may be in: the one its
 * index records (db.data, not read here), which is 11 for a store made by
 * ActiveMQ 5.17 (OpenWireFormat.DEFAULT_STORE_VERSION), 6 for one made
 * before the index recorded it (DEFAULT_LEGACY_VERSION), tried in that
 * order; a message marshalled in another version fails to decode (its
 * fields do not end where its frame does) or reads as malformed. */
static const int store_versions[] = { 11, 6 };
/* A body larger than this after inflating is refused (as OpenWire's
 * default maxFrameSize would have). */
#define KAHADB_BODY_MAX (100u << 20)

/* What a replayed container is in Tandem: its destination, and for a
 * durable subscription its client id and name (the KahaDB key
 * CLIENTID:SUBNAME, cut at its last ':' as client ids hold ':' often and
 * subscription names seldom), its selector and noLocal (from its
 * SubscriptionInfo). */
struct target {
	enum dest_type type;
	const char *dest;
	char *client_id;
	const char *sub_name;
	char *selector;		/* NULL for none */
	bool no_local;
};

static void target_release(struct target *t)
{
	free(t->client_id);
	free(t->selector);
}

/* An OpenWire structure of a KahaDB record (a message, a
 * SubscriptionInfo), size prefix first, read in the first store version
 * it decodes in; NULL with the first version's reason in why. */
static struct ow_obj *decode_stored(const uint8_t *data, size_t len, uint16_t accept,
				    char why[OW_ERR_MAX])
{
	uint32_t size = len >= 4 ? (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			(uint32_t)data[2] << 8 | data[3] : 0;
	if (len < 5 || size != len - 4) {
		snprintf(why, OW_ERR_MAX, "not an OpenWire structure");
		return NULL;
	}
	struct ow_obj *o = NULL;
	char other[OW_ERR_MAX];
	for (size_t i = 0; !o && i < sizeof store_versions / sizeof *store_versions; i++) {
		struct ow_format f;
		ow_format_init(&f);
		f.version = store_versions[i];
		if (ow_decode_class(&f, data + 4, len - 4, accept, &o, i ? other : why) < 0)
			o = NULL;
		ow_format_release(&f);
	}
	return o;
}

/* A durable subscription's selector and noLocal, from its
 * SubscriptionInfo; a selector Tandem cannot compile is refused here,
 * not when the broker loads it. */
static int sub_def_of(const struct kahadb_container *c, struct target *t, char *err,
		      size_t errlen)
{
	char why[OW_ERR_MAX];
	struct ow_obj *o = decode_stored(c->sub_info, c->sub_info_len, OWC_STORED, why);
	if (!o || o->type != OW_SUBSCRIPTION_INFO) {
		snprintf(err, errlen, "%s: its subscription: %s", c->name,
			 o ? "not a SubscriptionInfo" : why);
		ow_obj_free(o);
		return -1;
	}
	const struct ow_subscription_info *si = (const void *)o;
	t->no_local = si->no_local;
	int rc = 0;
	if (si->selector.s && si->selector.len) {
		struct selector *sel = NULL;
		if (!(t->selector = strndup(si->selector.s, si->selector.len)))
			snprintf(err, errlen, "out of memory");
		else if (!(sel = selector_compile(t->selector, why, sizeof why)))
			snprintf(err, errlen, "%s: its selector '%s': %s", c->name, t->selector, why);
		rc = sel ? 0 : -1;
		selector_free(sel);
	}
	ow_obj_free(o);
	return rc;
}

static int target_of(const struct kahadb_container *c, struct target *t, char *err,
		     size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (!c->topic) {
		t->type = DEST_QUEUE;
		t->dest = c->name + strlen("queue://");
		return 0;
	}
	t->type = DEST_TOPIC;
	t->dest = c->topic;
	t->client_id = strdup(c->name + strlen("durable://"));
	char *colon = t->client_id ? strrchr(t->client_id, ':') : NULL;
	if (!colon) {
		snprintf(err, errlen, "%s: not a durable subscription key", c->name);
		target_release(t);
		return -1;
	}
	*colon = '\0';
	t->sub_name = colon + 1;
	if (sub_def_of(c, t, err, errlen) < 0) {
		target_release(t);
		return -1;
	}
	return 0;
}

/* The core message for km, on t's destination, with the deliveries
 * ActiveMQ counted (its redeliveryCounter: persistJMSRedelivered keeps it
 * up to date in the journal); NULL with why in err. */
static struct message *to_core(struct kahadb_replay *r, const struct kahadb_msg *km,
			       const struct target *t, char *err, size_t errlen)
{
	char why[OW_ERR_MAX];
	const uint8_t *data;
	size_t len;
	if (kahadb_replay_message(r, km, &data, &len, err, errlen) < 0)
		return NULL;
	struct ow_obj *o = decode_stored(data, len, OWC_COMMAND, why);
	if (!o) {
		snprintf(err, errlen, "message %s: %s", km->id, why);
		return NULL;
	}
	if (o->type < OW_MESSAGE || o->type > OW_BLOB_MESSAGE) {
		snprintf(err, errlen, "message %s: an OpenWire %s, not a message", km->id,
			 ow_code_name(o->type));
		ow_obj_free(o);
		return NULL;
	}
	bool oom;
	char *dest = strdup(t->dest), reason[700];
	struct message *m = dest ? ow_message_to_core((void *)o, t->type, dest, KAHADB_BODY_MAX,
						      &oom, reason, sizeof reason) : NULL;
	int32_t redeliveries = ((const struct ow_message *)o)->redelivery_counter;
	ow_obj_free(o);
	if (!m) {
		snprintf(err, errlen, "message %s: %s", km->id, dest ? reason : "out of memory");
		return NULL;
	}
	m->redeliveries = redeliveries > 0 ? (uint32_t)redeliveries : 0;
	/* Whose audit ActiveMQ had its id in is not known: anyone's, as
	 * ActiveMQ itself rebuilds its audit from every message of its store
	 * (producer_audit.h), so that a client's failover resend of a send
	 * ActiveMQ took before the import is still known. */
	if (!(m->audit = strdup(PRODUCER_AUDIT_ANY))) {
		snprintf(err, errlen, "message %s: out of memory", km->id);
		message_unref(m);
		return NULL;
	}
	return m;
}

static enum dest_type core_type(enum kahadb_dest_type t)
{
	return t == KAHADB_TOPIC ? DEST_TOPIC : DEST_QUEUE;
}

/* The queue or durable subscription a prepared transaction's ack names,
 * into name (as kahadb_replay.c names it); 0 for another destination. */
static int acked_container(const struct kahadb_op *op, char *name, size_t len)
{
	if (op->dest_type == KAHADB_QUEUE)
		snprintf(name, len, "queue://%s", op->dest_name);
	else if (op->dest_type == KAHADB_TOPIC && op->sub_key)
		snprintf(name, len, "durable://%s", op->sub_key);
	else
		return 0;
	return 1;
}

/* A prepared transaction's sends decode, and it is an XA one (OpenWire
 * reads its key back: openwire_tx.c xid_of_key). */
static int check_xa(const struct kahadb_tx *tx, char *err, size_t errlen)
{
	if (strncmp(tx->key, "XID:[", 5) == 0)
		return 0;
	snprintf(err, errlen, "prepared transaction %s is not an XA transaction", tx->key);
	return -1;
}

static int check_prepared(struct kahadb_replay *r, const struct kahadb_tx *tx, char *err,
			  size_t errlen)
{
	if (check_xa(tx, err, errlen) < 0)
		return -1;
	for (const struct kahadb_op *op = tx->ops; op; op = op->next) {
		if (op->type != KAHADB_ADD_MESSAGE)
			continue;
		struct target t = { .type = core_type(op->dest_type), .dest = op->dest_name };
		struct message *m = to_core(r, op->msg, &t, err, errlen);
		if (!m)
			return -1;
		message_unref(m);
	}
	return 0;
}

int kahadb_import_check(struct kahadb_replay *r, char *err, size_t errlen)
{
	for (const struct kahadb_container *c = r->containers; c; c = c->next) {
		struct target t;
		if (target_of(c, &t, err, errlen) < 0)
			return -1;
		for (const struct kahadb_entry *e = c->head; e; e = e->next) {
			struct message *m = to_core(r, e->msg, &t, err, errlen);
			if (!m) {
				target_release(&t);
				return -1;
			}
			message_unref(m);
		}
		target_release(&t);
	}
	for (const struct kahadb_tx *tx = r->txs; tx; tx = tx->next)
		if (check_prepared(r, tx, err, errlen) < 0)
			return -1;
	return 0;
}

static void totals(const struct kahadb_replay *r, size_t *messages, size_t *queues,
		   size_t *durables)
{
	*messages = *queues = *durables = 0;
	for (const struct kahadb_container *c = r->containers; c; c = c->next) {
		*messages += c->count;
		if (c->topic)
			++*durables;
		else
			++*queues;
	}
}

/* "durable://c:s: 2 message(s) on topic t, selector 'x', noLocal". A
 * definition that does not read is told by kahadb_import_check. */
static void print_container(FILE *out, const struct kahadb_container *c)
{
	struct target t;
	char why[256];
	fprintf(out, "%s: %zu message(s)", c->name, c->count);
	if (c->topic && target_of(c, &t, why, sizeof why) == 0) {
		fprintf(out, " on topic %s%s%s%s%s", c->topic, t.selector ? ", selector '" : "",
			t.selector ? t.selector : "", t.selector ? "'" : "",
			t.no_local ? ", noLocal" : "");
		target_release(&t);
	}
	fputc('\n', out);
}

/* What is said of a scheduler store (kahadb_scheduler.h): printed by a
 * dry run, logged by an import. */
static void scheduler_text(char *out, size_t len, const char *dir, size_t jobs,
			   const char *err)
{
	if (err)
		snprintf(out, len, "scheduler store %s: its journal cannot be read completely "
			 "(%s; %zu scheduled message(s) read): not imported", dir, err, jobs);
	else
		snprintf(out, len, "scheduler store %s: %zu scheduled message(s) (sent with "
			 "AMQ_SCHEDULED_DELAY, _PERIOD or _CRON), not imported: Tandem has no "
			 "scheduler; its files stay there for ActiveMQ to deliver them", dir, jobs);
}

static void print_scheduler(void *ctx, const char *dir, size_t jobs, size_t commands,
			    const char *err)
{
	char text[1024];
	(void)commands;
	scheduler_text(text, sizeof text, dir, jobs, err);
	fprintf(ctx, "%s\n", text);
}

static void log_scheduler(void *ctx, const char *dir, size_t jobs, size_t commands,
			  const char *err)
{
	char text[1024];
	(void)ctx;
	(void)commands;
	scheduler_text(text, sizeof text, dir, jobs, err);
	log_warn("store", "The ActiveMQ %s", text);
}

int kahadb_dry_run(const char *dir, FILE *out, char *err, size_t errlen)
{
	struct kahadb_replay r;
	if (kahadb_replay_dir(dir, &r, err, errlen) < 0)
		return -1;
	for (const struct kahadb_container *c = r.containers; c && out; c = c->next)
		print_container(out, c);
	for (const struct kahadb_tx *tx = r.txs; tx && out; tx = tx->next)
		fprintf(out, "prepared transaction %s: %zu message(s) sent, %zu acknowledged\n",
			tx->key, tx->adds, tx->removes);
	size_t messages, queues, durables;
	totals(&r, &messages, &queues, &durables);
	if (out)
		fprintf(out, "total: %zu message(s) on %zu queue(s) and %zu durable subscription(s), "
		"from %zu journal command(s); transactions: %zu committed, %zu rolled back, "
		"%zu dropped unfinished\n", messages, queues, durables, r.commands, r.committed,
		r.rolled_back, r.dropped);
	if (out)
		kahadb_scheduler_find(dir, NULL, print_scheduler, out);
	int rc = kahadb_import_check(&r, err, errlen);
	kahadb_replay_release(&r);
	return rc;
}

static int is_kahadb_file(const char *name)
{
	return fnmatch("db-[0-9]*.log", name, 0) == 0 || strcmp(name, "db.data") == 0 ||
	       strcmp(name, "db.redo") == 0;
}

/* Moves every KahaDB file of dir into dir/kahadb-imported-TIME/; the name
 * of that directory in aside. */
static int move_aside(const char *dir, char *aside, size_t len, char *err, size_t errlen)
{
	char stamp[32];
	time_t now = time(NULL);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(aside, len, "%s/kahadb-imported-%s", dir, stamp);
	DIR *d = opendir(dir);
	if (!d || (mkdir(aside, 0755) < 0 && errno != EEXIST)) {
		snprintf(err, errlen, "cannot make %s: %s", aside, strerror(errno));
		if (d)
			closedir(d);
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		char from[4096], to[4096 + 256 + 2];
		if (!is_kahadb_file(e->d_name))
			continue;
		snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
		snprintf(to, sizeof to, "%s/%s", aside, e->d_name);
		if (rename(from, to) < 0) {
			snprintf(err, errlen, "cannot move %s to %s: %s", from, aside,
				 strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

/* "45@db-1.log:3359": the journal's fingerprint, as the marker's id. */
static void fingerprint(const struct kahadb_replay *r, char *out, size_t len)
{
	snprintf(out, len, "%zu@db-%u.log:%zu", r->commands, r->last_file, r->last_offset);
}

struct seen {
	const char *id;
	bool found;
};

static void marker_seen(void *ctx, const char *container, struct message *m)
{
	struct seen *s = ctx;
	(void)container;
	if (strcmp(m->id, s->id) == 0)
		s->found = true;
	message_unref(m);
}

/* Whether this journal was imported already: -1 when the store cannot
 * be read (logged by the store). */
static int imported_before(struct store *st, const char *id)
{
	struct seen s = { id, false };
	if (store_page_in(st, KAHADB_IMPORTED, MSG_PRIORITY_DEFAULT, 0, (size_t)-1, marker_seen,
			  &s) < 0)
		return -1;
	return s.found;
}

/* Queues the marker that says this journal is imported. */
static int add_marker(struct store *st, const char *id)
{
	char *mid = strdup(id), *dest = strdup("kahadb"), *body = strdup("");
	struct message *m = mid && dest && body ?
		message_new_take(mid, DEST_QUEUE, dest, NULL, 0, body, 0) : NULL;
	if (!m) {
		free(mid);
		free(dest);
		free(body);
		return -1;
	}
	m->persistent = true;
	m->priority = MSG_PRIORITY_DEFAULT;
	int rc = store_add_message(st, m) < 0 ? -1 : store_add_entry(st, KAHADB_IMPORTED, m->seq);
	message_unref(m);
	return rc;
}

/* Writing, in two steps, so that memory follows what is pending and not
 * the journal's size, and a crash leaves nothing half imported:
 *  1. every message row, committed a batch at a time (BATCH_MESSAGES or
 *     BATCH_BYTES of bodies, whichever comes first), each held by an
 *     entry of the staging container KAHADB_STAGING, so that no row is
 *     ever an orphan;
 *  2. one commit with every entry of every queue and subscription, the
 *     subscriptions, the prepared transactions, the marker, and the
 *     staging container removed.
 * Until step 2 commits, the store holds only the staging container,
 * which the next import (or a failed one, at once) removes with its
 * rows. */
#define KAHADB_STAGING "kahadb://importing"
#define BATCH_MESSAGES 1000
#define BATCH_BYTES (16u << 20)

struct writer {
	struct store *st;
	struct kahadb_replay *r;
	size_t messages, bytes;		/* queued since the last commit */
	char *err;
	size_t errlen;
};

static int commit_batch(struct writer *w)
{
	int rc = store_flush(w->st);
	if (rc < 0)
		snprintf(w->err, w->errlen, "cannot write the imported messages: %s", strerror(-rc));
	w->messages = w->bytes = 0;
	return rc < 0 ? -1 : 0;
}

/* Step 1 for one message: its row, once however many hold it. */
static int stage(struct writer *w, struct kahadb_msg *km, const struct target *t)
{
	if (km->seq)
		return 0;
	struct message *m = to_core(w->r, km, t, w->err, w->errlen);
	if (!m)
		return -1;
	int rc = store_add_message(w->st, m) < 0 ||
		 store_add_entry(w->st, KAHADB_STAGING, m->seq) < 0 ? -1 : 0;
	km->seq = m->seq;
	w->messages++;
	w->bytes += m->body_len;
	message_unref(m);
	if (rc < 0)
		snprintf(w->err, w->errlen, "out of memory");
	else if (w->messages >= BATCH_MESSAGES || w->bytes >= BATCH_BYTES)
		rc = commit_batch(w);
	return rc;
}

static int stage_all(struct writer *w)
{
	for (const struct kahadb_container *c = w->r->containers; c; c = c->next) {
		struct target t;
		if (target_of(c, &t, w->err, w->errlen) < 0)
			return -1;
		int rc = 0;
		for (const struct kahadb_entry *e = c->head; e && rc == 0; e = e->next)
			rc = stage(w, e->msg, &t);
		target_release(&t);
		if (rc < 0)
			return -1;
	}
	for (const struct kahadb_tx *tx = w->r->txs; tx; tx = tx->next) {
		if (check_xa(tx, w->err, w->errlen) < 0)
			return -1;
		for (const struct kahadb_op *op = tx->ops; op; op = op->next) {
			struct target t = { .type = core_type(op->dest_type), .dest = op->dest_name };
			if (op->type == KAHADB_ADD_MESSAGE && stage(w, op->msg, &t) < 0)
				return -1;
		}
	}
	return 0;
}

/* Step 2 for one container: its subscription and its entries. */
static int place_container(struct writer *w, const struct kahadb_container *c)
{
	struct target t;
	if (target_of(c, &t, w->err, w->errlen) < 0)
		return -1;
	int rc = t.client_id ? store_add_durable(w->st, t.client_id, t.sub_name, t.dest,
						 t.selector, t.no_local) : 0;
	for (const struct kahadb_entry *e = c->head; e && rc == 0; e = e->next)
		rc = store_add_entry(w->st, c->name, e->msg->seq);
	target_release(&t);
	return rc;
}

/* Step 2 for a prepared XA transaction, as txn.c keeps one: its messages
 * in its container prepared://TXID, the entries it acked, its id. An ack
 * of a message no longer pending keeps nothing. */
static int place_prepared(struct writer *w, const struct kahadb_tx *tx)
{
	char *container = store_prepared_container(tx->key), name[1024];
	int rc = container ? 0 : -1;
	for (const struct kahadb_op *op = tx->ops; op && rc == 0; op = op->next) {
		if (op->type == KAHADB_ADD_MESSAGE) {
			rc = store_add_entry(w->st, container, op->msg->seq);
		} else if (acked_container(op, name, sizeof name)) {
			struct kahadb_msg *km = kahadb_replay_find(w->r, name, op->id);
			if (km && km->seq)
				rc = store_add_prepared_ack(w->st, tx->key, name, km->seq);
		}
	}
	free(container);
	return rc == 0 ? store_add_prepared(w->st, tx->key) : -1;
}

static int place_all(struct writer *w, const char *id)
{
	int rc = 0;
	for (const struct kahadb_container *c = w->r->containers; c && rc == 0; c = c->next)
		rc = place_container(w, c);
	for (const struct kahadb_tx *tx = w->r->txs; tx && rc == 0; tx = tx->next)
		rc = place_prepared(w, tx);
	if (rc == 0)
		rc = add_marker(w->st, id);
	if (rc == 0)
		rc = store_remove_container(w->st, KAHADB_STAGING);
	if (rc < 0) {
		snprintf(w->err, w->errlen, "out of memory");
		return -1;
	}
	return commit_batch(w);
}

/* Leaves no staged row behind: a failed import's, or a crashed one's. */
static void unstage(struct store *st)
{
	if (store_remove_container(st, KAHADB_STAGING) == 0)
		store_flush(st);
}

static int write_all(struct store *st, struct kahadb_replay *r, const char *id, char *err,
		     size_t errlen)
{
	struct writer w = { st, r, 0, 0, err, errlen };
	unstage(st);
	if (stage_all(&w) == 0 && place_all(&w, id) == 0)
		return 0;
	unstage(st);
	return -1;
}

static void log_imported(const char *dir, const struct kahadb_replay *r, const char *aside)
{
	size_t messages, queues, durables;
	totals(r, &messages, &queues, &durables);
	size_t prepared = 0;
	for (const struct kahadb_tx *tx = r->txs; tx; tx = tx->next)
		prepared++;
	log_info("store", "Imported the ActiveMQ KahaDB store in %s: %zu message(s) on %zu "
		 "queue(s) and %zu durable subscription(s), %zu prepared transaction(s) (%zu "
		 "journal command(s); transactions: %zu committed, %zu rolled back, %zu "
		 "dropped unfinished); its files are now in %s", dir, messages, queues,
		 durables, prepared, r->commands, r->committed, r->rolled_back, r->dropped,
		 aside);
	for (const struct kahadb_container *c = r->containers; c; c = c->next)
		log_info("store", "Imported %s: %zu message(s)", c->name, c->count);
	for (const struct kahadb_tx *tx = r->txs; tx; tx = tx->next)
		log_info("store", "Imported prepared transaction %s: %zu message(s) sent, %zu "
			 "acknowledged", tx->key, tx->adds, tx->removes);
}

int kahadb_import(const char *dir, const char *scheduler_dir, struct store *st, char *err,
		  size_t errlen)
{
	struct kahadb_replay r;
	char id[128], aside[4096];
	err[0] = '\0';
	if (kahadb_replay_dir(dir, &r, err, errlen) < 0)
		return -1;
	fingerprint(&r, id, sizeof id);
	int before = imported_before(st, id), rc = 0;
	if (before < 0) {
		snprintf(err, errlen, "cannot read the store's import markers");
		rc = -1;
	} else if (!before) {
		rc = write_all(st, &r, id, err, errlen);
	}
	if (rc == 0 && (rc = move_aside(dir, aside, sizeof aside, err, errlen)) == 0) {
		if (before)
			log_warn("store", "The ActiveMQ KahaDB store in %s was imported before "
				 "(journal %s): not imported again; its files are now in %s", dir,
				 id, aside);
		else
			log_imported(dir, &r, aside);
		kahadb_scheduler_find(dir, scheduler_dir, log_scheduler, NULL);
	}
	kahadb_replay_release(&r);
	return rc < 0 ? -1 : 0;
}
