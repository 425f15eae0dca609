/* The SQLite store: what is committed survives a reopen, shared message
 * rows go with their last entry, callbacks follow their commit. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "tap.h"

static char last_log[512];

static void capture(void *ctx, enum log_level level, const char *component, const char *msg)
{
	(void)ctx;
	if (level >= LOG_WARN)
		snprintf(last_log, sizeof last_log, "%s: %s", component, msg);
}

static char dir[] = "/tmp/tandem-store-test-XXXXXX";

static struct message *msg(const char *id, const char *dest, const char *body, size_t len)
{
	struct header *h = calloc(2, sizeof *h);
	h[0] = (struct header){ strdup("color"), strdup("red") };
	h[1] = (struct header){ strdup("empty"), strdup("") };
	char *b = malloc(len + 1);
	memcpy(b, body, len);
	b[len] = '\0';
	struct message *m = message_new_take(strdup(id), DEST_QUEUE, strdup(dest), h, 2, b, len);
	m->persistent = true;
	m->priority = 7;
	m->expires = 1234567890123;
	m->timestamp = 42;
	return m;
}

/* Queues message id on queue://q and its removal, as a consumer's ack
 * that comes before the commit does. */
static void add_acked(struct store *st, const char *id)
{
	struct message *m = msg(id, "q", id, 1);
	store_add_message(st, m);
	store_add_entry(st, "queue://q", m->seq);
	store_remove_entry(st, "queue://q", m->seq);
	message_unref(m);
}

struct loaded {
	char containers[16][64];
	struct message *msgs[16];
	int n;
};

static void on_entry(void *ctx, const char *container, struct message *m)
{
	struct loaded *l = ctx;
	if (l->n < 16) {
		snprintf(l->containers[l->n], 64, "%s", container);
		l->msgs[l->n++] = m;
	} else {
		message_unref(m);
	}
}

static void loaded_free(struct loaded *l)
{
	for (int i = 0; i < l->n; i++)
		message_unref(l->msgs[i]);
	l->n = 0;
}

static struct store *reopen(struct store *st, struct loaded *l)
{
	char err[256];
	store_close(st);
	st = store_open(dir, true, err, sizeof err);
	if (!st) {
		diag("reopen: %s", err);
		exit(1);
	}
	loaded_free(l);
	store_load_entries(st, on_entry, l);
	return st;
}

static long count_rows(const char *sql);

static int calls[8], errs[8], ncalls, last_err = 1;
static long entries_seen_by_first_callback = -1;
static struct store *the_store;

static void on_done(void *ctx, int err)
{
	errs[ncalls] = err;
	calls[ncalls++] = (int)(long)ctx;
	last_err = err;
	if ((long)ctx == 1)	/* through another connection: on disk already */
		entries_seen_by_first_callback = count_rows("SELECT COUNT(*) FROM entries");
	if ((long)ctx == 2)	/* queued during a callback: the next commit's */
		store_on_commit(the_store, on_done, (void *)3L);
}

static int requeue_calls, requeue_err = 1;

/* Queues another write after every commit, for ever. */
static void requeue(void *ctx, int err)
{
	requeue_calls++;
	requeue_err = err;
	store_add_entry(ctx, "queue://again", 2000000 + (uint64_t)requeue_calls);
	store_on_commit(ctx, requeue, ctx);
}

struct durables { int n; char seen[4][128]; };

static void on_durable(void *ctx, const char *cid, const char *name, const char *topic,
		       const char *sel, int no_local)
{
	struct durables *d = ctx;
	if (d->n < 4)
		snprintf(d->seen[d->n++], 128, "%s/%s/%s/%s/%d", cid, name, topic, sel ? sel : "-",
			 no_local);
}

struct prepared { int ntx, nacks; char tx[64], ack[128]; };

static void on_prepared(void *ctx, const char *txid)
{
	struct prepared *p = ctx;
	p->ntx++;
	snprintf(p->tx, sizeof p->tx, "%s", txid);
}

static void on_prepared_ack(void *ctx, const char *txid, const char *container, uint64_t seq)
{
	struct prepared *p = ctx;
	p->nacks++;
	snprintf(p->ack, sizeof p->ack, "%s %s %llu", txid, container, (unsigned long long)seq);
}

static long count_rows(const char *sql)
{
	char path[128];
	snprintf(path, sizeof path, "%s/store.db", dir);
	sqlite3 *db;
	sqlite3_stmt *q;
	long n = -1;
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

/* ---- counts: what a master that takes over reads instead of entries ---- */

struct counts { int n; char seen[8][96]; };

static void on_count(void *ctx, const char *container, int priority, uint64_t n)
{
	struct counts *c = ctx;
	if (c->n < 8)
		snprintf(c->seen[c->n++], 96, "%s/%d/%llu", container, priority,
			 (unsigned long long)n);
}

/* The counts as one string, "container/priority/n ..." in order. */
static const char *counts_of(struct store *st)
{
	static char out[800];
	struct counts c = { 0 };
	out[0] = '\0';
	if (store_load_counts(st, on_count, &c) < 0)
		return "failed";
	for (int i = 0; i < c.n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "",
			 c.seen[i]);
	return out;
}

/* "id" for a message of no audit, else "id(audit)". */
static void on_id(void *ctx, const char *id, const char *audit)
{
	char *out = ctx;
	snprintf(out + strlen(out), 128 - strlen(out), "%s%s%s%s%s", *out ? " " : "", id,
		 audit ? "(" : "", audit ? audit : "", audit ? ")" : "");
}

static uint64_t add_prio(struct store *st, const char *container, const char *id, int prio)
{
	struct message *m = msg(id, "q", id, strlen(id));
	m->priority = (uint8_t)prio;
	store_add_message(st, m);
	store_add_entry(st, container, m->seq);
	uint64_t seq = m->seq;
	message_unref(m);
	return seq;
}

static void test_counts(void)
{
	char err[256], path[300], sql[400];
	snprintf(path, sizeof path, "%s/counts", dir);
	struct store *st = store_open(path, true, err, sizeof err);
	add_prio(st, "queue://a", "m1", 4);
	uint64_t s2 = add_prio(st, "queue://a", "m2", 9);
	uint64_t s3 = add_prio(st, "queue://a", "m3", 4);
	store_add_entry(st, "durable://c:s", s3);
	add_prio(st, "retained://t/1", "r1", 4);
	store_flush(st);
	is_str(counts_of(st), "durable://c:s/4/1 queue://a/4/2 queue://a/9/1 retained://t/1/4/1",
	       "each container's entries are counted per priority as they are added");
	store_remove_entry(st, "queue://a", s2);
	store_remove_entry(st, "queue://a", s3);
	store_flush(st);
	is_str(counts_of(st), "durable://c:s/4/1 queue://a/4/1 retained://t/1/4/1",
	       "and as they are removed, a shared message's too");
	store_rename_durable(st, "c", "s", "s2");
	store_flush(st);
	is_str(counts_of(st), "durable://c:s2/4/1 queue://a/4/1 retained://t/1/4/1",
	       "a renamed durable subscription takes its counts along");
	store_remove_container(st, "durable://c:s2");
	store_flush(st);
	is_str(counts_of(st), "queue://a/4/1 retained://t/1/4/1",
	       "a removed container is no longer counted");

	struct loaded l = { 0 };
	ok(store_load_prefix(st, "retained://", on_entry, &l) == 0 && l.n == 1 &&
	   !strcmp(l.containers[0], "retained://t/1") && !strcmp(l.msgs[0]->id, "r1"),
	   "store_load_prefix reads the containers of that prefix only");
	loaded_free(&l);
	char ids[128] = "";
	struct message *m4 = msg("m4", "q", "m4", 2);
	m4->priority = 4;
	m4->audit = strdup("b:bridge");
	store_add_message(st, m4);
	store_add_entry(st, "queue://a", m4->seq);
	message_unref(m4);
	store_flush(st);
	ok(store_load_recent_ids(st, 2, on_id, ids) == 0 && !strcmp(ids, "r1 m4(b:bridge)"),
	   "store_load_recent_ids gives the newest stored messages' ids, oldest first, each "
	   "with whose audit it went into (r1: none)");
	if (strcmp(ids, "r1 m4(b:bridge)"))
		diag("ids: %s", ids);
	store_close(st);

	/* A store of an older tandemd: no entry_counts, counted when opened. */
	sqlite3 *db;
	snprintf(sql, sizeof sql, "%s/store.db", path);
	sqlite3_open(sql, &db);
	sqlite3_exec(db, "DROP TRIGGER entry_counted; DROP TRIGGER entry_uncounted;"
		     "DROP TRIGGER entry_moved; DROP TABLE entry_counts;"
		     "INSERT INTO entries(container, seq) SELECT 'queue://b', seq FROM messages;",
		     NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, true, err, sizeof err);
	is_str(st ? counts_of(st) : err, "queue://a/4/2 queue://b/4/3 retained://t/1/4/1",
	       "a store without counts is counted once when opened");
	if (st)
		store_close(st);
}

static int cohort_calls;

static void on_cohort(void *ctx, int err)
{
	(void)ctx;
	(void)err;
	cohort_calls++;
}

/* Queues a message on queue://c and a callback that waits for its commit,
 * as a producer's receipt does; hands it to the writer. */
static void cohort_send(struct store *st, const char *id)
{
	struct message *m = msg(id, "c", id, 1);
	store_add_message(st, m);
	store_add_entry(st, "queue://c", m->seq);
	store_on_commit(st, on_cohort, NULL);
	store_commit(st);
	message_unref(m);
}

/* Three producers waiting for their receipts, one coming back before the
 * other two: the commit waits for them rather than leaving two a whole
 * (slow: 1 s here, which also makes the wait's cap 1 s: half a commit,
 * far longer than the 20 ms between them even under ASan on a loaded
 * machine) commit behind. */
static void test_cohort(void)
{
	char err[256], path[300];
	snprintf(path, sizeof path, "%s/cohort", dir);
	setenv("TANDEM_TEST_COMMIT_DELAY_MS", "1000", 1);
	struct store *st = store_open(path, true, err, sizeof err);
	unsetenv("TANDEM_TEST_COMMIT_DELAY_MS");
	cohort_send(st, "c1");
	cohort_send(st, "c2");
	cohort_send(st, "c3");
	store_flush(st);
	cohort_calls = 0;
	cohort_send(st, "c4");
	usleep(20000);	/* the writer would have taken c4 alone by now */
	cohort_send(st, "c5");
	cohort_send(st, "c6");
	struct pollfd pfd = { .fd = store_event_fd(st), .events = POLLIN };
	poll(&pfd, 1, 30000);
	store_complete(st);
	ok(cohort_calls == 3, "a commit waits for the producers the last one released: "
	   "all three in one commit");
	if (cohort_calls != 3)
		diag("%d of 3 in the first commit", cohort_calls);
	store_flush(st);
	store_close(st);
}

int main(void)
{
	char err[256];
	log_set_sink(capture, NULL);
	if (!mkdtemp(dir))
		return 1;
	char sub[300];
	snprintf(sub, sizeof sub, "%s/deeper/store", dir);
	struct store *st = store_open(sub, true, err, sizeof err);
	ok(st != NULL, "opens, creating missing directories");
	store_close(st);

	st = store_open(dir, true, err, sizeof err);
	the_store = st;
	struct message *a = msg("id-a", "orders", "a\0b", 3);
	struct message *b = msg("id-b", "orders", "second", 6);
	b->redeliveries = 3;
	store_add_message(st, a);
	store_add_entry(st, "queue://orders", a->seq);
	store_add_message(st, b);
	store_add_entry(st, "queue://orders", b->seq);
	store_add_entry(st, "durable://c1:s1", b->seq);
	ok(a->seq && b->seq > a->seq, "seqs are assigned in order");
	ok(store_pending(st), "operations are pending before the commit");
	is(count_rows("SELECT COUNT(*) FROM entries"), 0, "nothing is written before the commit");
	store_on_commit(st, on_done, (void *)1L);
	store_on_commit(st, on_done, (void *)2L);
	is(store_flush(st), 0, "commit succeeds");
	ok(ncalls == 2 && calls[0] == 1 && calls[1] == 2 && last_err == 0,
	   "callbacks run in order with 0");
	is(entries_seen_by_first_callback, 3, "a callback sees its commit durable");
	is(count_rows("SELECT COUNT(*) FROM messages"), 2, "the rows are on disk after the commit");
	is(count_rows("SELECT COUNT(*) FROM entries"), 3, "three entries");
	ok(store_pending(st), "a callback queued during the callbacks waits for the next commit");
	store_flush(st);
	ok(ncalls == 3 && calls[2] == 3, "and runs after it");
	ok(!store_pending(st), "nothing pending");

	struct loaded l = { 0 };
	uint64_t seq_b = b->seq;
	message_unref(a);
	message_unref(b);
	st = reopen(st, &l);
	the_store = st;
	is(l.n, 3, "three entries loaded");
	ok(l.n == 3 && !strcmp(l.containers[0], "durable://c1:s1") &&
	   !strcmp(l.containers[1], "queue://orders") && !strcmp(l.containers[2], "queue://orders"),
	   "grouped by container");
	ok(l.n == 3 && l.msgs[0] == l.msgs[2] && l.msgs[0]->refs == 2,
	   "a message held by two containers is loaded once and shared");
	ok(l.n == 3 && l.msgs[1]->seq < l.msgs[2]->seq, "in seq order within a container");
	struct message *m = l.msgs[1];
	ok(m->body_len == 3 && !memcmp(m->body, "a\0b", 3), "a body with NUL survives");
	ok(m->nheaders == 2 && !strcmp(message_header(m, "color"), "red") &&
	   !strcmp(message_header(m, "empty"), ""), "headers survive");
	ok(m->priority == 7 && m->expires == 1234567890123 && m->timestamp == 42 &&
	   m->persistent && !strcmp(m->id, "id-a") && !strcmp(m->dest, "orders"),
	   "priority, expiry, timestamp, id and destination survive");
	ok(m->redeliveries == 0 && l.msgs[2]->redeliveries == 3,
	   "a message's deliveries before it came (a KahaDB import's) survive");

	store_remove_entry(st, "queue://orders", seq_b);
	store_flush(st);
	is(count_rows("SELECT COUNT(*) FROM messages"), 2, "a row stays while another entry holds it");
	store_remove_entry(st, "durable://c1:s1", seq_b);
	store_flush(st);
	is(count_rows("SELECT COUNT(*) FROM messages"), 1, "and goes with the last entry");

	struct message *c = msg("id-c", "tmp", "x", 1);
	store_add_message(st, c);
	store_add_entry(st, "queue://tmp", c->seq);
	store_remove_entry(st, "queue://tmp", c->seq);
	store_flush(st);
	ok(count_rows("SELECT COUNT(*) FROM messages") == 1 &&
	   count_rows("SELECT COUNT(*) FROM entries") == 1, "added and removed in one batch leaves nothing");
	uint64_t seq_c = c->seq;
	message_unref(c);

	store_remove_container(st, "queue://orders");
	store_flush(st);
	ok(count_rows("SELECT COUNT(*) FROM messages") == 0 &&
	   count_rows("SELECT COUNT(*) FROM entries") == 0, "removing a container removes its messages");

	struct durables d = { 0 };
	store_add_durable(st, "c1", "s1", "news.>", "color = 'red'", true);
	store_add_durable(st, "c2", "s2", "sport", NULL, false);
	struct message *e = msg("id-e", "news.a", "e", 1);
	store_add_message(st, e);
	store_add_entry(st, "durable://c1:s1", e->seq);
	store_flush(st);
	message_unref(e);
	st = reopen(st, &l);
	the_store = st;
	store_load_durables(st, on_durable, &d);
	ok(d.n == 2 && !strcmp(d.seen[0], "c1/s1/news.>/color = 'red'/1") &&
	   !strcmp(d.seen[1], "c2/s2/sport/-/0"),
	   "durable subscriptions survive a reopen, with their selector and noLocal");
	store_remove_durable(st, "c1", "s1");
	store_flush(st);
	ok(count_rows("SELECT COUNT(*) FROM durables") == 1 &&
	   count_rows("SELECT COUNT(*) FROM entries") == 0 &&
	   count_rows("SELECT COUNT(*) FROM messages") == 0,
	   "removing a durable subscription removes its messages");

	/* Group commit: what is queued while a commit runs goes in the next
	 * one, and callbacks keep their order across the two. */
	ncalls = 0;
	store_add_entry(st, "queue://q", 1000001);
	store_on_commit(st, on_done, (void *)4L);
	store_commit(st);
	ok(store_pending(st), "a running commit counts as pending");
	store_add_entry(st, "queue://q", 1000002);
	store_on_commit(st, on_done, (void *)6L);
	store_commit(st);	/* busy: waits for the first to finish */
	int fd = store_event_fd(st);
	ok(fd >= 0, "the store has an event fd for the loop");
	store_flush(st);
	ok(ncalls == 2 && calls[0] == 4 && calls[1] == 6 && !store_pending(st),
	   "both commits completed, callbacks in order");
	is(count_rows("SELECT COUNT(*) FROM entries WHERE seq > 1000000"), 2, "both entries written");
	store_remove_entry(st, "queue://q", 1000001);
	store_remove_entry(st, "queue://q", 1000002);
	store_flush(st);

	struct message *f = msg("id-f", "q", "f", 1);
	store_add_message(st, f);
	ok(f->seq > seq_c, "seqs keep growing after a reopen");
	store_add_entry(st, "queue://q", f->seq);
	message_unref(f);

	/* A second connection holding the write lock makes the commit fail:
	 * the callbacks hear about it. */
	char path[128], sql[160];
	snprintf(path, sizeof path, "%s/store.db", dir);
	sqlite3 *other;
	sqlite3_open(path, &other);
	sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	/* A short busy timeout would be nicer; the store waits 5 s. */
	ncalls = 0;
	store_on_commit(st, on_done, (void *)5L);
	store_commit(st);
	usleep(200000);	/* the writer has taken it, and waits for the lock */
	/* Meanwhile a message is queued behind it and acknowledged: it is
	 * cancelled there, and that commit has nothing to write. */
	struct message *j = msg("id-j", "q", "j", 1);
	store_add_message(st, j);
	store_add_entry(st, "queue://q", j->seq);
	store_on_commit(st, on_done, (void *)9L);
	store_commit(st);
	store_remove_entry(st, "queue://q", j->seq);
	message_unref(j);
	int rc = store_flush(st);
	ok(rc == -EBUSY && ncalls == 2 && calls[0] == 5 && errs[0] == -EBUSY,
	   "a failed commit reports -EBUSY to its callbacks");
	ok(calls[1] == 9 && errs[1] == 0,
	   "a message acknowledged while its batch waited behind a running commit is not written");
	ok(strstr(last_log, "store: Writing to") && strstr(last_log, "locked"),
	   "and logs what failed");

	/* Acknowledged before its commit began: never written. The other
	 * connection still holds the lock, so a commit with anything to
	 * write would fail. */
	add_acked(st, "id-k");
	ncalls = 0;
	store_on_commit(st, on_done, (void *)8L);
	rc = store_flush(st);
	ok(rc == 0 && ncalls == 1 && last_err == 0,
	   "a message removed before its commit began is not written: the commit has nothing to do");
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	is(count_rows("SELECT COUNT(*) FROM entries"), 0, "and nothing of it was written");

	/* Two containers add it and one removes it: the other keeps it. */
	struct message *s2 = msg("id-s", "news", "s", 1);
	store_add_message(st, s2);
	store_add_entry(st, "durable://c1:s1", s2->seq);
	store_add_entry(st, "durable://c2:s2", s2->seq);
	store_remove_entry(st, "durable://c1:s1", s2->seq);
	store_flush(st);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM entries WHERE seq = %llu AND "
		 "container = 'durable://c2:s2'", (unsigned long long)s2->seq);
	ok(count_rows("SELECT COUNT(*) FROM messages") == 1 && count_rows(sql) == 1 &&
	   count_rows("SELECT COUNT(*) FROM entries") == 1,
	   "removed from one of two containers before the commit: written for the other");
	/* Removed after its commit was handed over: written, then deleted. */
	store_remove_entry(st, "durable://c2:s2", s2->seq);
	store_commit(st);
	store_add_message(st, s2);
	store_add_entry(st, "queue://late", s2->seq);
	store_commit(st);
	store_remove_entry(st, "queue://late", s2->seq);
	store_flush(st);
	message_unref(s2);
	ok(count_rows("SELECT COUNT(*) FROM messages") == 0 &&
	   count_rows("SELECT COUNT(*) FROM entries") == 0,
	   "removed after its commit was handed over: deleted");

	/* The loop's way: commit, wait for the event fd, complete. */
	ncalls = 0;
	store_add_entry(st, "queue://q", 1000003);
	store_on_commit(st, on_done, (void *)7L);
	store_commit(st);
	struct pollfd pfd = { .fd = store_event_fd(st), .events = POLLIN };
	ok(poll(&pfd, 1, 10000) == 1, "the event fd becomes readable when the commit is done");
	store_complete(st);
	ok(ncalls == 1 && calls[0] == 7 && last_err == 0 && !store_pending(st),
	   "store_complete runs the callbacks");
	store_remove_entry(st, "queue://q", 1000003);
	store_flush(st);

	/* Nothing left to write and no commit ahead: finished at once, and
	 * the loop completes it without waiting for the writer. */
	add_acked(st, "id-m");
	ncalls = 0;
	store_on_commit(st, on_done, (void *)3L);
	ok(store_commit(st), "a batch left with nothing to write is finished at once");
	store_complete(st);
	ok(ncalls == 1 && calls[0] == 3 && last_err == 0 && !store_pending(st),
	   "and store_complete runs its callbacks then");
	/* Behind a commit that runs, it waits for that one. */
	store_add_entry(st, "queue://q", 1000004);
	ok(!store_commit(st), "a batch with something to write goes to the writer");
	add_acked(st, "id-m2");
	ncalls = 0;
	store_on_commit(st, on_done, (void *)2L);
	ok(!store_commit(st), "an empty batch behind it is not finished before it");
	store_remove_entry(st, "queue://q", 1000004);
	ok(store_flush(st) == 0 && ncalls == 1 && calls[0] == 2, "it finishes after it");
	is(count_rows("SELECT COUNT(*) FROM entries"), 0, "and neither left anything");

	/* A damaged row is skipped, not a crash; the others still load. */
	struct message *g = msg("id-g", "q", "g", 1);
	struct message *h = msg("id-h", "q", "h", 1);
	store_add_message(st, g);
	store_add_entry(st, "queue://q", g->seq);
	store_add_entry(st, "durable://c2:s2", g->seq);
	store_add_message(st, h);
	store_add_entry(st, "queue://q", h->seq);
	store_flush(st);
	snprintf(sql, sizeof sql, "UPDATE messages SET headers = x'41424300' WHERE seq = %llu",
		 (unsigned long long)g->seq);
	message_unref(g);
	message_unref(h);
	sqlite3_open(path, &other);
	sqlite3_exec(other, sql, NULL, NULL, NULL);
	sqlite3_close(other);
	last_log[0] = '\0';
	st = reopen(st, &l);
	ok(l.n == 1 && !strcmp(l.msgs[0]->id, "id-h"),
	   "a message with damaged headers is skipped when loading, the others load");
	ok(strstr(last_log, "is damaged") != NULL, "with an error naming it");
	loaded_free(&l);
	store_close(st);

	/* A prepared transaction: its message in its container, its ack, its
	 * id; all of it gone with store_remove_prepared(), the message too. */
	static const char txid[] = "XID:[1,globalId=0a,branchId=0b]";
	st = store_open(dir, true, err, sizeof err);
	struct message *pm = msg("id-p", "q", "p", 1);
	char *pc = store_prepared_container(txid);
	store_add_message(st, pm);
	store_add_entry(st, pc, pm->seq);
	store_add_prepared_ack(st, txid, "queue://q", 77);
	store_add_prepared(st, txid);
	message_unref(pm);
	st = reopen(st, &l);
	int at = -1;
	for (int i = 0; i < l.n; i++)
		if (!strcmp(l.containers[i], pc))
			at = i;
	ok(at >= 0 && !strcmp(l.msgs[at]->id, "id-p") &&
	   !strcmp(pc, "prepared://XID:[1,globalId=0a,branchId=0b]"),
	   "a prepared transaction's message comes back in its container");
	struct prepared p = { 0 };
	ok(store_load_prepared(st, on_prepared, on_prepared_ack, &p) == 0 && p.ntx == 1 &&
	   !strcmp(p.tx, txid) && p.nacks == 1 &&
	   !strcmp(p.ack, "XID:[1,globalId=0a,branchId=0b] queue://q 77"),
	   "its id and what it acked come back");
	loaded_free(&l);
	store_remove_prepared(st, txid);
	ok(store_flush(st) == 0 && count_rows("SELECT COUNT(*) FROM prepared") == 0 &&
	   count_rows("SELECT COUNT(*) FROM prepared_acks") == 0 &&
	   count_rows("SELECT COUNT(*) FROM entries WHERE container LIKE 'prepared://%'") == 0 &&
	   count_rows("SELECT COUNT(*) FROM messages WHERE id = 'id-p'") == 0,
	   "removed, it leaves nothing: its id, its acks, its message");
	ok(count_rows("PRAGMA user_version") == 4, "the store says schema version 4");
	free(pc);
	store_close(st);

	test_counts();
	test_cohort();

	char file[300];
	snprintf(file, sizeof file, "%s/store.db", dir);
	st = store_open(file, true, err, sizeof err);
	ok(!st && err[0], "a store directory that is a file is refused with a reason");
	if (st)
		store_close(st);

	st = store_open(dir, true, err, sizeof err);
	store_on_commit(st, requeue, st);
	store_close(st);
	ok(requeue_calls > 1 && requeue_err == -ECANCELED,
	   "closing ends callbacks that queue for ever, telling the last one");

	/* A store of schema version 2 (no redeliveries, no noLocal, no
	 * audit) opens as version 4: its messages had no deliveries before,
	 * its durable subscriptions' noLocal is not known, nor whose audit
	 * its messages' ids went into. */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -f '%s'/store.db*", dir);
	if (system(cmd) != 0)
		diag("could not remove the store");
	sqlite3 *old;
	snprintf(file, sizeof file, "%s/store.db", dir);
	sqlite3_open(file, &old);
	ok(sqlite3_exec(old, "CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL,"
			" dest_type INTEGER NOT NULL, dest TEXT NOT NULL, headers BLOB, body BLOB,"
			" priority INTEGER NOT NULL, expires INTEGER NOT NULL,"
			" timestamp INTEGER NOT NULL);"
			"CREATE TABLE durables (client_id TEXT NOT NULL, sub_name TEXT NOT NULL,"
			" topic TEXT NOT NULL, selector TEXT, PRIMARY KEY (client_id, sub_name));"
			"CREATE TABLE entries (container TEXT NOT NULL, seq INTEGER NOT NULL,"
			" PRIMARY KEY (container, seq)) WITHOUT ROWID;"
			"INSERT INTO messages VALUES (1, 'id-v2', 0, 'q', x'', 'v2', 4, 0, 0);"
			"INSERT INTO entries VALUES ('queue://q', 1);"
			"INSERT INTO durables VALUES ('c', 's', 't', NULL);"
			"PRAGMA user_version = 2;", NULL, NULL, NULL) == SQLITE_OK,
	   "a store of version 2 made");
	sqlite3_close(old);
	st = store_open(dir, true, err, sizeof err);
	ok(st != NULL, "a version 2 store opens");
	memset(&d, 0, sizeof d);
	store_load_durables(st, on_durable, &d);
	ok(d.n == 1 && !strcmp(d.seen[0], "c/s/t/-/-1"), "its durable subscription's noLocal unknown");
	memset(&l, 0, sizeof l);
	store_load_entries(st, on_entry, &l);
	ok(l.n == 1 && !strcmp(l.msgs[0]->id, "id-v2") && l.msgs[0]->redeliveries == 0,
	   "its message loads, with no deliveries before");
	loaded_free(&l);
	char old_ids[128] = "";
	ok(store_load_recent_ids(st, 10, on_id, old_ids) == 0 && !strcmp(old_ids, "id-v2(*)"),
	   "its message's id may be in anyone's audit");
	if (strcmp(old_ids, "id-v2(*)"))
		diag("ids: %s", old_ids);
	store_close(st);
	ok(count_rows("PRAGMA user_version") == 4, "and it is version 4 now");
	st = store_open(dir, true, err, sizeof err);
	ok(st != NULL, "and opens again (the columns are not added twice)");
	store_close(st);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
