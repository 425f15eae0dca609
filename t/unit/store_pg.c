/* The PostgreSQL store (broker/store/store_pg.c) against a real
 * PostgreSQL: t/39-pg-store.t starts one and runs this with its
 * connection in PG_CONNINFO (and the password in PG_PASSWORD, to look
 * for leaks); without it (make check runs every unit test bare) the
 * whole file is skipped. What the SQLite store's t/unit/store.c shows,
 * through the same store_* calls, plus what only a shared database has:
 * two table prefixes, fencing by the lease row, a session killed
 * mid-commit. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "log.h"
#include "store.h"
#include "tap.h"

static char logs[16384];	/* every warning and error, to look for the password */
static char last_log[512];

static void capture(void *ctx, enum log_level level, const char *component, const char *msg)
{
	(void)ctx;
	if (level < LOG_WARN)
		return;
	snprintf(last_log, sizeof last_log, "%s: %s", component, msg);
	size_t n = strlen(logs);
	snprintf(logs + n, sizeof logs - n, "%s\n", last_log);
}

static const char *conninfo;
static PGconn *admin;	/* the test's own connection */

/* The first column of the first row of sql, as a number; -1 on error. */
static long q(const char *sql)
{
	PGresult *r = PQexec(admin, sql);
	long n = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		n = atol(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_COMMAND_OK)
		diag("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return n;
}

/* Runs a statement that returns no rows: whether it did. */
static bool run_sql(const char *sql)
{
	PGresult *r = PQexec(admin, sql);
	bool done = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!done)
		diag("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return done;
}

static struct store *open_pg(const char *prefix, const char *token, bool create)
{
	char err[512];
	struct store_pg_params p = { conninfo, prefix, token, create, 0 };
	struct store *st = store_open_pg(&p, err, sizeof err);
	if (!st)
		diag("store_open_pg %s: %s", prefix, err);
	return st;
}

static struct message *msg(const char *id, const char *body, size_t len, int prio)
{
	struct header *h = calloc(2, sizeof *h);
	h[0] = (struct header){ strdup("color"), strdup("red") };
	h[1] = (struct header){ strdup("empty"), strdup("") };
	char *b = malloc(len + 1);
	memcpy(b, body, len);
	b[len] = '\0';
	struct message *m = message_new_take(strdup(id), DEST_QUEUE, strdup("orders"), h, 2, b, len);
	m->persistent = true;
	m->priority = (uint8_t)prio;
	m->expires = 1234567890123;
	m->timestamp = 42;
	return m;
}

/* Queues a message into container; its seq. */
static uint64_t add(struct store *st, const char *container, const char *id, int prio)
{
	struct message *m = msg(id, id, strlen(id), prio);
	store_add_message(st, m);
	store_add_entry(st, container, m->seq);
	uint64_t seq = m->seq;
	message_unref(m);
	return seq;
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

/* Callbacks' outcomes, in order. */
static int calls, errs[8];

static void on_done(void *ctx, int err)
{
	(void)ctx;
	if (calls < 8)
		errs[calls] = err;
	calls++;
}

static char out[1024];

static void append(const char *s)
{
	size_t n = strlen(out);
	snprintf(out + n, sizeof out - n, "%s%s", n ? " " : "", s);
}

static void on_count(void *ctx, const char *container, int priority, uint64_t n)
{
	(void)ctx;
	char s[128];
	snprintf(s, sizeof s, "%s/%d/%llu", container, priority, (unsigned long long)n);
	append(s);
}

static const char *counts_of(struct store *st)
{
	out[0] = '\0';
	return store_load_counts(st, on_count, NULL) < 0 ? "failed" : out;
}

static void on_durable(void *ctx, const char *cid, const char *name, const char *topic,
		       const char *sel, int no_local)
{
	(void)ctx;
	char s[256];
	snprintf(s, sizeof s, "%s/%s/%s/%s/%d", cid, name, topic, sel ? sel : "-", no_local);
	append(s);
}

static void on_session_id(void *ctx, const char *owner, int kind, unsigned id)
{
	(void)ctx;
	char s[128];
	snprintf(s, sizeof s, "%s/%d/%u", owner, kind, id);
	append(s);
}

static void on_prepared(void *ctx, const char *txid)
{
	(void)ctx;
	append(txid);
}

static void on_prepared_ack(void *ctx, const char *txid, const char *container, uint64_t seq)
{
	(void)ctx;
	char s[256];
	snprintf(s, sizeof s, "%s>%s#%llu", txid, container, (unsigned long long)seq);
	append(s);
}

/* "id" for a message of no audit, else "id(audit)". */
static void on_id(void *ctx, const char *id, const char *audit)
{
	(void)ctx;
	char s[256];
	snprintf(s, sizeof s, "%s%s%s%s", id, audit ? "(" : "", audit ? audit : "",
		 audit ? ")" : "");
	append(s);
}

static void test_messages(void)
{
	struct store *st = open_pg("A_", NULL, true);
	if (!st)
		return (void)ok(0, "the store opens, creating its tables");
	ok(q("SELECT version FROM \"A_TANDEM_VERSION\"") == 2,
	   "its tables are made on first start, at schema version 2");
	struct message *a = msg("id-a", "a\0b", 3, 7);
	struct message *b = msg("id-b", "second", 6, 7);
	b->redeliveries = 3;
	store_add_message(st, a);
	store_add_entry(st, "queue://orders", a->seq);
	store_add_message(st, b);
	store_add_entry(st, "queue://orders", b->seq);
	store_add_entry(st, "durable://c1:s1", b->seq);
	uint64_t seq_a = a->seq, seq_b = b->seq;
	message_unref(a);
	message_unref(b);
	ok(q("SELECT count(*) FROM \"A_TANDEM_ENTRIES\"") == 0, "nothing is written before the commit");
	calls = 0;
	store_on_commit(st, on_done, NULL);
	is(store_flush(st), 0, "a commit succeeds");
	ok(calls == 1 && errs[0] == 0, "and its callback is told 0");
	ok(q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\"") == 2 &&
	   q("SELECT count(*) FROM \"A_TANDEM_ENTRIES\"") == 3,
	   "the two messages and three entries are in the database after it");
	store_close(st);

	st = open_pg("A_", NULL, false);
	struct loaded l = { 0 };
	ok(st && store_load_entries(st, on_entry, &l) == 0 && l.n == 3,
	   "reopened (tables there, createTablesOnStartup false), its three entries load");
	if (!st || l.n != 3) {
		loaded_free(&l);
		store_close(st);
		return;
	}
	ok(!strcmp(l.containers[0], "durable://c1:s1") && !strcmp(l.containers[1], "queue://orders") &&
	   !strcmp(l.containers[2], "queue://orders") && l.msgs[1]->seq < l.msgs[2]->seq,
	   "grouped by container, in seq order");
	ok(l.msgs[0] == l.msgs[2] && l.msgs[0]->refs == 2,
	   "a message held by two containers is loaded once and shared");
	struct message *m = l.msgs[1];
	ok(m->body_len == 3 && !memcmp(m->body, "a\0b", 3), "a body with NUL survives");
	ok(m->nheaders == 2 && !strcmp(message_header(m, "color"), "red") &&
	   !strcmp(message_header(m, "empty"), ""), "headers survive");
	ok(m->priority == 7 && m->expires == 1234567890123 && m->timestamp == 42 &&
	   m->persistent && !strcmp(m->id, "id-a") && !strcmp(m->dest, "orders") &&
	   m->redeliveries == 0 && l.msgs[2]->redeliveries == 3,
	   "priority, expiry, timestamp, id, destination and redeliveries survive");
	loaded_free(&l);
	is_str(counts_of(st), "durable://c1:s1/7/1 queue://orders/7/2",
	       "the counts per container and priority, as a master that takes over reads them");

	uint64_t s4 = add(st, "queue://orders", "m4", 4);
	struct message *m5 = msg("m5", "m5", 2, 7);
	m5->audit = strdup("c");
	store_add_message(st, m5);
	store_add_entry(st, "queue://orders", m5->seq);
	message_unref(m5);
	store_flush(st);
	ok(store_page_in(st, "queue://orders", 7, 0, 2, on_entry, &l) == 2 && l.n == 2 &&
	   l.msgs[0]->seq == seq_a && l.msgs[1]->seq == seq_b,
	   "paging in: the first entries of a priority, in seq order, up to max");
	loaded_free(&l);
	ok(store_page_in(st, "queue://orders", 7, seq_b, 10, on_entry, &l) == 1 &&
	   !strcmp(l.msgs[0]->id, "m5"), "and after a seq");
	loaded_free(&l);
	ok(store_page_in(st, "queue://orders", 4, 0, 10, on_entry, &l) == 1 &&
	   l.msgs[0]->seq == s4, "each priority apart");
	loaded_free(&l);

	store_remove_entry(st, "queue://orders", seq_b);
	store_flush(st);
	ok(q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\" WHERE id = 'id-b'") == 1,
	   "a row stays while another entry holds it");
	store_remove_entry(st, "durable://c1:s1", seq_b);
	store_flush(st);
	ok(q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\" WHERE id = 'id-b'") == 0,
	   "and goes with the last entry");
	is_str(counts_of(st), "queue://orders/4/1 queue://orders/7/2",
	       "the counts follow removals");

	out[0] = '\0';
	ok(store_load_recent_ids(st, 2, on_id, NULL) == 0 && !strcmp(out, "m4 m5(c)"),
	   "the newest messages' ids, oldest first, each with whose audit it went into "
	   "(m4: none)");
	store_remove_container(st, "queue://orders");
	store_flush(st);
	ok(q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\"") == 0 &&
	   q("SELECT count(*) FROM \"A_TANDEM_ENTRIES\"") == 0 && !strcmp(counts_of(st), ""),
	   "removing a container removes its messages and counts");

	struct message *c = msg("id-c", "x", 1, 4);
	store_add_message(st, c);
	store_add_entry(st, "queue://tmp", c->seq);
	store_remove_entry(st, "queue://tmp", c->seq);
	message_unref(c);
	store_flush(st);
	ok(q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\"") == 0,
	   "added and removed in one batch leaves nothing");
	store_close(st);
}

static void test_durables_prepared_sessions(void)
{
	struct store *st = open_pg("A_", NULL, true);
	if (!st)
		return (void)ok(0, "the store opens again");
	store_add_durable(st, "c1", "s1", "news.>", "color = 'red'", true);
	store_add_durable(st, "c2", "s2", "sport", NULL, false);
	add(st, "durable://c1:s1", "d1", 4);
	store_add_session_id(st, "mqtt-client", 1, 7);
	store_add_session_id(st, "mqtt-client", 1, 8);
	store_add_session_id(st, "other", 2, 9);
	store_remove_session_id(st, "mqtt-client", 1, 7);
	static const char txid[] = "XID:[1,globalId=0a,branchId=0b]";
	char *pc = store_prepared_container(txid);
	add(st, pc, "p1", 4);
	store_add_prepared_ack(st, txid, "queue://q", 77);
	store_add_prepared(st, txid);
	is(store_flush(st), 0, "durables, session ids and a prepared transaction are committed");
	store_close(st);

	st = open_pg("A_", NULL, true);
	out[0] = '\0';
	store_load_durables(st, on_durable, NULL);
	is_str(out, "c1/s1/news.>/color = 'red'/1 c2/s2/sport/-/0",
	       "durable subscriptions survive a reopen, with their selector and noLocal");
	out[0] = '\0';
	store_load_session_ids(st, on_session_id, NULL);
	ok(strstr(out, "mqtt-client/1/8") && strstr(out, "other/2/9") && !strstr(out, "/7"),
	   "session ids survive, a removed one does not");
	out[0] = '\0';
	store_load_prepared(st, on_prepared, on_prepared_ack, NULL);
	is_str(out, "XID:[1,globalId=0a,branchId=0b] XID:[1,globalId=0a,branchId=0b]>queue://q#77",
	       "a prepared transaction's id and what it acked come back");
	struct loaded l = { 0 };
	ok(store_load_prefix(st, "prepared://", on_entry, &l) == 0 && l.n == 1 &&
	   !strcmp(l.containers[0], pc) && !strcmp(l.msgs[0]->id, "p1"),
	   "and its message in its container, read by prefix alone");
	loaded_free(&l);

	store_rename_durable(st, "c1", "s1", "s9");
	store_flush(st);
	out[0] = '\0';
	store_load_durables(st, on_durable, NULL);
	ok(strstr(out, "c1/s9/") && !strcmp(counts_of(st), "durable://c1:s9/4/1 "
					     "prepared://XID:[1,globalId=0a,branchId=0b]/4/1"),
	   "a renamed durable subscription takes its entries and counts along");
	store_remove_durable(st, "c1", "s9");
	store_remove_prepared(st, txid);
	store_remove_session_ids(st, "mqtt-client");
	is(store_flush(st), 0, "removing them commits");
	ok(q("SELECT count(*) FROM \"A_TANDEM_DURABLES\"") == 1 &&
	   q("SELECT count(*) FROM \"A_TANDEM_PREPARED\"") == 0 &&
	   q("SELECT count(*) FROM \"A_TANDEM_PREPARED_ACKS\"") == 0 &&
	   q("SELECT count(*) FROM \"A_TANDEM_MESSAGES\"") == 0 &&
	   q("SELECT count(*) FROM \"A_TANDEM_SESSION_IDS\"") == 1,
	   "and leaves nothing of them: entries, messages, acks, ids");
	free(pc);
	store_close(st);
}

/* Tables of schema version 1 (no audit) are upgraded in place: their
 * messages' ids may be in anyone's audit. */
static void test_upgrade(void)
{
	struct store *st = open_pg("U_", NULL, true);
	if (!st)
		return (void)ok(0, "a store for the upgrade opens");
	store_close(st);
	ok(run_sql("ALTER TABLE \"U_TANDEM_MESSAGES\" DROP COLUMN audit") &&
	   run_sql("UPDATE \"U_TANDEM_VERSION\" SET version = 1") &&
	   run_sql("INSERT INTO \"U_TANDEM_MESSAGES\" (seq, id, dest_type, dest, headers, body, "
	     "priority, expires, timestamp) VALUES (1, 'id-v1', 0, 'q', '', 'v1', 4, 0, 0)"),
	   "tables of version 1 made");
	st = open_pg("U_", NULL, false);
	out[0] = '\0';
	ok(st && store_load_recent_ids(st, 10, on_id, NULL) == 0 && !strcmp(out, "id-v1(*)") &&
	   q("SELECT version FROM \"U_TANDEM_VERSION\"") == 2,
	   "open as version 2, their message's id in anyone's audit");
	if (strcmp(out, "id-v1(*)"))
		diag("ids: %s", out);
	store_close(st);
	st = open_pg("U_", NULL, false);
	ok(st != NULL, "and open again");
	store_close(st);
}

static void test_prefixes(void)
{
	struct store *a = open_pg("A_", NULL, true), *b = open_pg("B_", NULL, true);
	if (!a || !b) {
		store_close(a);
		store_close(b);
		return (void)ok(0, "two prefixes open in one database");
	}
	add(a, "queue://shared-name", "from-a", 4);
	add(b, "queue://shared-name", "from-b", 4);
	add(b, "queue://shared-name", "from-b2", 4);
	store_flush(a);
	store_flush(b);
	is_str(counts_of(a), "queue://shared-name/4/1", "a pair's store counts its own entries");
	is_str(counts_of(b), "queue://shared-name/4/2", "the other pair's, in the same database, its own");
	struct loaded l = { 0 };
	store_load_entries(a, on_entry, &l);
	ok(l.n == 1 && !strcmp(l.msgs[0]->id, "from-a"), "and neither sees the other's messages");
	loaded_free(&l);
	store_remove_container(a, "queue://shared-name");
	store_flush(a);
	ok(q("SELECT count(*) FROM \"B_TANDEM_ENTRIES\"") == 2,
	   "nor removes them with a container of the same name");
	store_close(a);
	store_close(b);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Commits per second of one message each (one producer waiting for
 * each receipt) and of eight (eight such producers, whose sends the
 * writer groups in one commit): printed, not checked. */
static void rates(const char *what, struct store *st)
{
	double r[2];
	for (int k = 0; k < 2; k++) {
		int per = k ? 8 : 1, rounds = 150;
		double t0 = now_s();
		for (int i = 0; i < rounds; i++) {
			for (int j = 0; j < per; j++) {
				add(st, "queue://rate", "rate", 4);
				store_on_commit(st, on_done, NULL);
			}
			store_flush(st);
		}
		r[k] = rounds * per / (now_s() - t0);
		store_remove_container(st, "queue://rate");
		store_flush(st);
	}
	diag("%s store: 1 sync producer %.0f msgs/s, 8 sync producers %.0f msgs/s", what, r[0], r[1]);
}

/* More statements than are sent before their results are read
 * (store_pg.c PIPE_CHUNK): one transaction all the same. The times are
 * printed, not checked. */
static void test_big_commit(void)
{
	struct store *st = open_pg("G_", NULL, true);
	if (!st)
		return (void)ok(0, "a store opens");
	double t0 = now_s();
	for (int i = 0; i < 2000; i++)
		add(st, "queue://big", "big", 4);
	int rc = store_flush(st);
	double t1 = now_s();
	ok(rc == 0 && q("SELECT count(*) FROM \"G_TANDEM_ENTRIES\"") == 2000,
	   "a group commit of 2,000 messages (4,000 statements) is written whole");
	for (int i = 0; i < 200; i++) {
		add(st, "queue://one", "one", 4);
		store_flush(st);
	}
	double t2 = now_s();
	diag("2,000 messages in one commit: %.0f ms; 200 commits of one message: %.0f ms",
	     (t1 - t0) * 1000, (t2 - t1) * 1000);
	store_remove_container(st, "queue://big");
	store_remove_container(st, "queue://one");
	ok(store_flush(st) == 0 && q("SELECT count(*) FROM \"G_TANDEM_MESSAGES\"") == 0,
	   "and removed whole");
	rates("PostgreSQL", st);
	store_close(st);
	char dir[] = "/tmp/tandem-store-pg-bench-XXXXXX", err[256];
	if (mkdtemp(dir) && (st = store_open(dir, true, err, sizeof err))) {
		rates("SQLite", st);
		store_close(st);
		store_remove_files(dir, err, sizeof err);
		rmdir(dir);
	}
}

static void test_fencing(void)
{
	q("CREATE TABLE \"F_TANDEM_LOCK\" (id int PRIMARY KEY, holder text, token text, "
	  "expires timestamptz)");
	q("INSERT INTO \"F_TANDEM_LOCK\" VALUES (1, 'node-a', 'tok-a', now() + interval '1 hour')");
	struct store *st = open_pg("F_", "tok-a", true);
	if (!st)
		return (void)ok(0, "a fenced store opens");
	add(st, "queue://f", "f1", 4);
	is(store_flush(st), 0, "a commit while this broker holds the lease succeeds");
	q("UPDATE \"F_TANDEM_LOCK\" SET holder = 'node-b', token = 'tok-b'");
	add(st, "queue://f", "f2", 4);
	add(st, "queue://f", "f3", 4);
	calls = 0;
	store_on_commit(st, on_done, NULL);
	last_log[0] = '\0';
	is(store_flush(st), -ESTALE, "after another broker took the lease, a commit fails with -ESTALE");
	ok(calls == 1 && errs[0] == -ESTALE, "its callback is told so (no receipt)");
	ok(q("SELECT count(*) FROM \"F_TANDEM_MESSAGES\"") == 1 &&
	   q("SELECT count(*) FROM \"F_TANDEM_ENTRIES\"") == 1, "and it wrote nothing");
	ok(strstr(last_log, "lease is no longer this broker's") != NULL, "the log says why");
	if (!strstr(last_log, "lease"))
		diag("log: %s", last_log);
	q("UPDATE \"F_TANDEM_LOCK\" SET token = 'tok-a', expires = now() - interval '1 second'");
	/* more statements than one pipeline chunk (store_pg.c PIPE_CHUNK):
	 * the fence fails in the first, and the rest is never run */
	for (int i = 0; i < 300; i++)
		add(st, "queue://f", "f4", 4);
	is(store_flush(st), -ESTALE, "a lease of this broker's that expired by the database's clock fences too");
	q("UPDATE \"F_TANDEM_LOCK\" SET expires = now() + interval '1 hour'");
	add(st, "queue://f", "f5", 4);
	ok(store_flush(st) == 0 && q("SELECT count(*) FROM \"F_TANDEM_MESSAGES\"") == 2,
	   "renewed, it commits again (what failed stays unwritten)");
	store_close(st);
}

/* The fence locks the lease row for the whole commit: a slave's take
 * of the lease waits until the commit is over, so a master's commit is
 * never half before and half after the lease changed hands. */
static void test_take_waits(void)
{
	q("UPDATE \"F_TANDEM_LOCK\" SET holder = 'node-a', token = 'tok-a', "
	  "expires = now() + interval '1 hour'");
	setenv("TANDEM_TEST_COMMIT_DELAY_MS", "5000", 1);
	struct store *st = open_pg("F_", "tok-a", true);
	unsetenv("TANDEM_TEST_COMMIT_DELAY_MS");
	if (!st)
		return (void)ok(0, "a fenced store opens");
	add(st, "queue://f", "during-take", 4);
	calls = 0;
	store_on_commit(st, on_done, NULL);
	store_commit(st);
	/* until the commit has begun: its fence holds the lock row */
	for (int i = 0; i < 400 && q("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a "
				     "USING (pid) WHERE a.application_name = 'tandemd store writer' "
				     "AND l.relation = '\"F_TANDEM_LOCK\"'::regclass "
				     "AND l.mode = 'RowShareLock'") < 1; i++)
		usleep(50 * 1000);
	PGresult *r = PQexec(admin, "SET lock_timeout = '300ms'; UPDATE \"F_TANDEM_LOCK\" "
			     "SET holder = 'node-b', token = 'tok-b' WHERE id = 1");
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	ok(PQresultStatus(r) == PGRES_FATAL_ERROR && state && !strcmp(state, "55P03"),
	   "while a commit of the master runs, another broker's take of the lease waits for it");
	PQclear(r);
	PQclear(PQexec(admin, "SET lock_timeout = 0"));
	ok(store_flush(st) == 0 && calls == 1 && errs[0] == 0,
	   "and the master's commit, begun under its lease, completes");
	q("UPDATE \"F_TANDEM_LOCK\" SET holder = 'node-b', token = 'tok-b'");
	add(st, "queue://f", "after-take", 4);
	ok(store_flush(st) == -ESTALE, "once the lease is taken, the next commit is fenced");
	store_close(st);
}

static void test_killed(void)
{
	setenv("TANDEM_TEST_COMMIT_DELAY_MS", "1500", 1);
	struct store *st = open_pg("K_", NULL, true);
	unsetenv("TANDEM_TEST_COMMIT_DELAY_MS");
	if (!st)
		return (void)ok(0, "a store opens");
	add(st, "queue://k", "k1", 4);
	calls = 0;
	store_on_commit(st, on_done, NULL);
	store_commit(st);
	usleep(300 * 1000);	/* the writer is inside the commit for 1.5 s */
	ok(q("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	     "WHERE application_name = 'tandemd store writer' AND datname = current_database()) t") == 1,
	   "the store's session is killed by the database mid-commit");
	last_log[0] = '\0';
	int rc = store_flush(st);
	ok(rc == -EIO && calls == 1 && errs[0] == -EIO, "the commit fails with -EIO: no receipt");
	ok(strstr(last_log, "unreachable") != NULL, "the log says the database is unreachable");
	if (!strstr(last_log, "unreachable"))
		diag("log: %s", last_log);
	ok(q("SELECT count(*) FROM \"K_TANDEM_MESSAGES\"") == 0, "and nothing of it was written");
	add(st, "queue://k", "k2", 4);
	ok(store_flush(st) == 0 && q("SELECT count(*) FROM \"K_TANDEM_MESSAGES\"") == 1,
	   "the next commit connects again and writes");

	/* Abandoned mid-commit (the broker lost its lease): the commit is
	 * cut off where it is, not finished. */
	store_close(st);
	setenv("TANDEM_TEST_COMMIT_DELAY_MS", "1500", 1);
	st = open_pg("K_", NULL, true);
	unsetenv("TANDEM_TEST_COMMIT_DELAY_MS");
	if (!st)
		return (void)ok(0, "the store opens again");
	add(st, "queue://k", "abandoned", 4);
	calls = 0;
	store_on_commit(st, on_done, NULL);
	store_commit(st);
	usleep(300 * 1000);	/* inside the commit */
	store_abandon(st);
	ok(calls == 1 && errs[0] < 0, "store_abandon during a commit: its callback is told it failed");
	ok(q("SELECT count(*) FROM \"K_TANDEM_MESSAGES\" WHERE id = 'abandoned'") == 0,
	   "and nothing of it is written");
	st = open_pg("K_", NULL, true);
	if (!st)
		return (void)ok(0, "the store opens again");

	/* Killed while idle (a database restarted between commits): the
	 * next commit finds out before it begins, and connects again. */
	ok(q("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	     "WHERE application_name = 'tandemd store writer' AND datname = current_database()) t") == 1,
	   "the store's session is killed between commits");
	for (int i = 0; i < 200 && q("SELECT count(*) FROM pg_stat_activity WHERE "
				     "application_name = 'tandemd store writer'") > 0; i++)
		usleep(50 * 1000);
	add(st, "queue://k", "k3", 4);
	rc = store_flush(st);
	if (rc)
		diag("flush: %d, log: %s", rc, last_log);
	ok(rc == 0 && q("SELECT count(*) FROM \"K_TANDEM_MESSAGES\"") == 2,
	   "the next commit connects again first, and succeeds");
	store_close(st);
}

/* A server that takes the connection and never says a word (a network
 * that drops everything after the handshake looks the same): the open,
 * on the broker's loop, gives up after wait_ms, whatever the conninfo's
 * own connect_timeout (libpq's default waits for ever). */
static void test_silent_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		ok(0, "a silent server listens");
		return;
	}
	char ci[200], err[512];
	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=x user=u password=pw-Leak-2 "
		 "connect_timeout=60", ntohs(a.sin_port));
	struct store_pg_params silent = { ci, "", NULL, true, 300 };
	errno = 0;
	struct store *st = store_open_pg(&silent, err, sizeof err);
	ok(!st && errno == EIO && strstr(err, "no answer within 300 ms") &&
	   !strstr(err, "pw-Leak-2"),
	   "a server that never answers: the open gives up after wait_ms, and says so");
	if (st)
		store_close(st);
	else
		diag("%s", err);
	close(fd);
}

int main(void)
{
	conninfo = getenv("PG_CONNINFO");
	if (!conninfo) {
		printf("1..0 # SKIP no PG_CONNINFO: t/39-pg-store.t runs this against a real PostgreSQL\n");
		return 0;
	}
	log_set_sink(capture, NULL);
	alarm(120);	/* a commit that hangs fails the test, rather than hanging it */
	admin = PQconnectdb(conninfo);
	if (PQstatus(admin) != CONNECTION_OK) {
		ok(0, "the test connects");
		return done_testing();
	}
	PQclear(PQexec(admin, "SET client_min_messages = warning"));

	char err[512];
	struct store_pg_params none = { conninfo, "NONE_", NULL, false, 0 };
	errno = 0;
	ok(!store_open_pg(&none, err, sizeof err) && errno == ENOENT &&
	   strstr(err, "createTablesOnStartup"),
	   "without its tables and createTablesOnStartup, the store is refused with a reason");
	struct store_pg_params bad = { "host=127.0.0.1 port=1 dbname=x user=u password=pw-Leak-1",
				       "", NULL, true, 0 };
	ok(!store_open_pg(&bad, err, sizeof err) && errno == EIO &&
	   strstr(err, "unreachable") && !strstr(err, "pw-Leak-1"),
	   "an unreachable database: refused, said so, without the password");
	test_silent_server();

	test_messages();
	test_durables_prepared_sessions();
	test_prefixes();
	test_upgrade();
	test_big_commit();
	test_fencing();
	test_take_waits();
	test_killed();

	const char *pw = getenv("PG_PASSWORD");
	ok(!pw || !*pw || !strstr(logs, pw), "no log line holds the password");
	PQfinish(admin);
	return done_testing();
}
