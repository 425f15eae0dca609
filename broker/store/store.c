/*
 * store.c - persistent messages and durable subscriptions in SQLite
 * (contract in store.h).
 *
 * Tables (store.db in the store directory, WAL journal, synchronous=FULL):
 *   messages(seq, id, dest_type, dest, headers, body, priority, expires,
 *            timestamp, redeliveries)  one row per persistent message
 *   entries(container, seq)      "this container still holds that message"
 *   durables(client_id, sub_name, topic, selector, no_local)
 *   session_ids(owner, kind, id) a protocol's per-client numbers (store.h)
 *   dispatched(container, priority, seq)
 *                                the highest seq of each priority a
 *                                container has handed to a consumer
 *                                (store_mark_dispatched)
 *
 * Operations are queued in `ops` as the broker makes them and written by
 * store_commit() in one transaction, in order; then the commit callbacks
 * run. Headers are stored as a blob of (name NUL value NUL)* pairs: names
 * and values never hold NUL, so the blob needs no other framing, and a
 * damaged blob is detected by an odd count or a missing final NUL.
 *
 * Threads: the loop thread queues operations into `ops`/`dones`;
 * store_commit() moves them into a `struct batch` for writer_main(), which
 * owns the connection while a batch runs and signals `efd` when done;
 * collect() frees the batch and runs its callbacks on the loop thread.
 * Start reading at store_commit().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"

/* 2: prepared transactions (tables prepared and prepared_acks). Each
 * open creates the tables a store of an older version lacks.
 * 3: messages.redeliveries and durables.no_local (upgrade_3). The table
 * dispatched came without a version of its own: a tandemd that does not
 * know it leaves it be. */
#define STORE_SCHEMA_VERSION 3

enum op_kind {
	OP_ADD_MESSAGE,
	OP_ADD_ENTRY,
	OP_REMOVE_ENTRY,
	OP_REMOVE_CONTAINER,
	OP_ADD_DURABLE,
	OP_REMOVE_DURABLE,
	OP_RENAME_DURABLE,	/* a: client_id, b: sub_name, c: the new name */
	OP_ADD_SESSION_ID,	/* a: owner; seq: kind << 16 | id */
	OP_REMOVE_SESSION_ID,
	OP_REMOVE_SESSION_IDS,	/* a: owner */
	OP_ADD_PREPARED,	/* a: txid */
	OP_ADD_PREPARED_ACK,	/* a: txid, b: container, seq */
	OP_REMOVE_PREPARED,	/* a: txid (its acks; its container is an OP_REMOVE_CONTAINER) */
	OP_MARK_DISPATCHED,	/* a: container, prio, seq */
	OP_NONE,		/* cancelled before it was written */
};

struct op {
	enum op_kind kind;
	int prio;		/* OP_MARK_DISPATCHED (in what was padding) */
	struct message *msg;	/* OP_ADD_MESSAGE: one reference */
	uint64_t seq;
	char *a, *b, *c, *d;	/* container / client_id, sub_name, topic, selector */
};

struct done {
	store_done_fn fn;
	void *ctx;
	bool waits;		/* someone waits for it: worth hurrying the commit */
};

/* The prepared statements, one per operation or query. */
enum stmt_id {
	ST_ADD_MESSAGE,
	ST_ADD_ENTRY,
	ST_REMOVE_ENTRY,
	ST_DROP_ORPHAN,
	ST_DROP_CONTAINER_ORPHANS,
	ST_REMOVE_CONTAINER,
	ST_ADD_DURABLE,
	ST_REMOVE_DURABLE,
	ST_RENAME_DURABLE,
	ST_RENAME_CONTAINER,
	ST_ADD_SESSION_ID,
	ST_REMOVE_SESSION_ID,
	ST_REMOVE_SESSION_IDS,
	ST_ADD_PREPARED,
	ST_ADD_PREPARED_ACK,
	ST_REMOVE_PREPARED,
	ST_REMOVE_PREPARED_ACKS,
	ST_MARK_DISPATCHED,
	ST_REMOVE_MARKS,
	ST_RENAME_MARKS,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_ADD_MESSAGE] = "INSERT OR REPLACE INTO messages(seq, id, dest_type, dest, headers, "
			   "body, priority, expires, timestamp, redeliveries) "
			   "VALUES (?,?,?,?,?,?,?,?,?,?)",
	[ST_ADD_ENTRY] = "INSERT OR IGNORE INTO entries(container, seq) VALUES (?,?)",
	[ST_REMOVE_ENTRY] = "DELETE FROM entries WHERE container = ? AND seq = ?",
	[ST_DROP_ORPHAN] = "DELETE FROM messages WHERE seq = ?1 AND NOT EXISTS "
			   "(SELECT 1 FROM entries WHERE seq = ?1)",
	[ST_DROP_CONTAINER_ORPHANS] =
		"DELETE FROM messages WHERE seq IN (SELECT seq FROM entries WHERE container = ?1) "
		"AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = messages.seq "
		"AND e.container <> ?1)",
	[ST_REMOVE_CONTAINER] = "DELETE FROM entries WHERE container = ?",
	[ST_ADD_DURABLE] = "INSERT OR REPLACE INTO durables(client_id, sub_name, topic, selector, "
			   "no_local) VALUES (?,?,?,?,?)",
	[ST_REMOVE_DURABLE] = "DELETE FROM durables WHERE client_id = ? AND sub_name = ?",
	[ST_RENAME_DURABLE] = "UPDATE durables SET sub_name = ?3 WHERE client_id = ?1 AND sub_name = ?2",
	[ST_RENAME_CONTAINER] = "UPDATE entries SET container = ?2 WHERE container = ?1",
	[ST_ADD_SESSION_ID] = "INSERT OR IGNORE INTO session_ids(owner, kind, id) VALUES (?,?,?)",
	[ST_REMOVE_SESSION_ID] = "DELETE FROM session_ids WHERE owner = ? AND kind = ? AND id = ?",
	[ST_REMOVE_SESSION_IDS] = "DELETE FROM session_ids WHERE owner = ?",
	[ST_ADD_PREPARED] = "INSERT OR IGNORE INTO prepared(txid) VALUES (?)",
	[ST_ADD_PREPARED_ACK] = "INSERT OR IGNORE INTO prepared_acks(txid, container, seq) "
				"VALUES (?,?,?)",
	[ST_REMOVE_PREPARED] = "DELETE FROM prepared WHERE txid = ?",
	[ST_REMOVE_PREPARED_ACKS] = "DELETE FROM prepared_acks WHERE txid = ?",
	[ST_MARK_DISPATCHED] = "INSERT INTO dispatched(container, priority, seq) VALUES (?,?,?) "
			       "ON CONFLICT(container, priority) DO UPDATE "
			       "SET seq = max(seq, excluded.seq)",
	[ST_REMOVE_MARKS] = "DELETE FROM dispatched WHERE container = ?",
	[ST_RENAME_MARKS] = "UPDATE dispatched SET container = ?2 WHERE container = ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

/* One transaction, so that a new store costs one sync, not one a table. */
static const char schema[] =
	"BEGIN;"
	"CREATE TABLE IF NOT EXISTS messages ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, dest_type INTEGER NOT NULL,"
	"  dest TEXT NOT NULL, headers BLOB, body BLOB, priority INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, timestamp INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS entries ("
	"  container TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (container, seq)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS entries_seq ON entries(seq);"
	"CREATE TABLE IF NOT EXISTS durables ("
	"  client_id TEXT NOT NULL, sub_name TEXT NOT NULL, topic TEXT NOT NULL,"
	"  selector TEXT, PRIMARY KEY (client_id, sub_name));"
	"CREATE TABLE IF NOT EXISTS session_ids ("
	"  owner TEXT NOT NULL, kind INTEGER NOT NULL, id INTEGER NOT NULL,"
	"  PRIMARY KEY (owner, kind, id)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS prepared (txid TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS prepared_acks ("
	"  txid TEXT NOT NULL, container TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (txid, container, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS dispatched ("
	"  container TEXT NOT NULL, priority INTEGER NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (container, priority)) WITHOUT ROWID;"
	"COMMIT;";

/* Version 3's columns, added to the tables above (new or older) in one
 * transaction with the version, so that a crash cannot add them twice.
 * redeliveries: how often a message was delivered before it came into
 * this store (ActiveMQ's redeliveryCounter, kahadb_import.h); no_local:
 * NULL for a subscription recorded before it was kept. */
static const char upgrade_3[] =
	"BEGIN;"
	"ALTER TABLE messages ADD COLUMN redeliveries INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE durables ADD COLUMN no_local INTEGER;"
	"PRAGMA user_version = 3;"
	"COMMIT;";

/* What the loop handed over in one call of store_commit(), and whom it
 * tells. The writer writes a chain of them in one transaction. */
struct batch {
	struct batch *next;
	struct op *ops;
	size_t nops;
	struct done *dones;
	size_t ndones;
	size_t nwaiting;	/* dones that wait */
	int err;		/* set by the writer */
};

/* Pacing of commits (writer thread). A batch whose callbacks wait (a
 * producer waiting for its receipt) is written at once: whatever arrives
 * meanwhile shares the next fsync. (Waiting for the waiters a commit
 * released, so that eight producers share one fsync instead of two groups
 * of four taking turns, measured slower: 10,700 against 13,000 msgs/s in
 * make bench's row 2, 12 runs each; the disk is better kept busy.) A batch
 * nobody waits for (acks, sends without a receipt) waits up to
 * OPS_DELAY_US for company. */
#define OPS_DELAY_US		2000
#define HOUSEKEEPING_US		100000	/* the size is measured at most this often */
#define QUIET_US		50000	/* free pages go back after no commit for this long */
#define VACUUM_SLICE		256	/* pages given back at a time: ~20 ms */
/* The WAL is cut back to nothing after no commit for this long, when it
 * is larger than WAL_KEEP: after a burst it kept 22 MB of a drained
 * store's 300 KB, and up to journal_size_limit for good. Not sooner: a
 * WAL that is overwritten in place syncs faster than one that grows. */
#define WAL_IDLE_US		10000000
#define WAL_KEEP		(4LL << 20)
/* A store made before auto_vacuum was chosen (or by another tool) is
 * rebuilt with it (VACUUM) once at a quiet moment, when what it still
 * holds is at most this large: VACUUM copies all of it, holding the
 * writer meanwhile. */
#define CONVERT_MAX_BYTES	(64LL << 20)

/* The WAL (store.db-wal) is checkpointed by the writer, never inside a
 * commit somebody waits for: SQLite's own automatic checkpoint ran in the
 * COMMIT that passed 1,000 frames, so one receipt in about 250 waited for
 * the pages to be copied into store.db and store.db to be synced. The
 * writer copies them after handing that commit back, once the WAL holds
 * this many frames, and at quiet moments (QUIET_US without a commit) once
 * it holds a quarter of that. A complete checkpoint lets the next commit
 * start the WAL over from its beginning: the same 4 MiB are overwritten
 * again and again, already allocated, and a sync of an overwrite costs
 * the disk less than one of an append (8,973 against 5,286 a second on
 * the bench machine, issue 23). journal_size_limit only trims a WAL that
 * a long transaction or a reader made bigger than that. */
#define CHECKPOINT_FRAMES	1000

#define RETRY_US		100000	/* after a failed commit, wait this long */
#define FAILURE_LOG_US		10000000

struct store {
	sqlite3 *db;		/* the writer's, except before the first commit */
	sqlite3 *reader;	/* loop thread: paging in (opened on first use) */
	sqlite3_stmt *page_stmt;
	char *dir;
	sqlite3_stmt *stmt[ST_COUNT];
	uint64_t next_seq;

	/* Loop thread only: store_on_unwritten_entry()'s hook. */
	store_unwritten_fn unwritten_fn;
	void *unwritten_ctx;

	/* Loop thread only: what the next store_commit() hands over. */
	struct op *ops;
	size_t nops, opcap;
	struct done *dones;
	size_t ndones, donecap, nwaiting;
	uint64_t batch_id;	/* of the batch being queued now */
	size_t inflight;	/* batches handed over and not yet collected */
	size_t inflight_ops;	/* the operations in them */
	uint64_t not_written;	/* messages cancelled before their commit */

	/* Shared with the writer, under mu. */
	pthread_t writer;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *sub_head, *sub_tail;	/* handed over, for the writer */
	size_t sub_nops, sub_dones;
	int64_t sub_since;	/* when the oldest of them was handed over */
	struct batch *fin_head, *fin_tail;	/* written, for store_complete() */
	bool urgent;		/* store_flush() waits: no pacing */
	bool stopping;
	bool abandoned;		/* loop thread: store_abandon() runs */
	struct store_size size;
	int efd;		/* eventfd: a batch is finished */
	unsigned test_delay_ms;	/* TANDEM_TEST_COMMIT_DELAY_MS (store.h) */

	/* Writer thread only. */
	int64_t housekeeping_next;	/* not before */
	int64_t last_write;		/* when the last commit ended */
	long failures;		/* commits failed in a row */
	int64_t failure_logged;
	int64_t retry_at;	/* after a failure, no commit before this */
	bool housekeeping_more;		/* free pages left to give back, or a WAL to checkpoint */
	bool wal_dirty;			/* written since the WAL was last cut back */
	int auto_vacuum;		/* PRAGMA auto_vacuum; -1 not read yet */
	int wal_frames;		/* in store.db-wal after the last commit (on_wal) */
};

/* SQLite's WAL hook, after each commit on db (the writer's thread, or the
 * loop's before the writer starts): how long the WAL is. Being set, it
 * also turns SQLite's automatic checkpoint off (CHECKPOINT_FRAMES). */
static int on_wal(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	((struct store *)arg)->wal_frames = frames;
	return SQLITE_OK;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static char *durable_container(const char *client_id, const char *sub_name)
{
	char *s;
	return asprintf(&s, "durable://%s:%s", client_id, sub_name) < 0 ? NULL : s;
}

/* ---- opening and closing ---- */

static int exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_mkdir(const char *dir)
{
	if (!*dir) {
		errno = ENOENT;
		return -1;
	}
	char *path = strdup(dir);
	if (!path)
		return -1;
	for (char *s = path + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				free(path);
				return -1;
			}
			if (!c)
				break;
			*s = c;
		}
	}
	free(path);
	struct stat sb;
	if (stat(dir, &sb) < 0)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void *writer_main(void *arg);
static int errno_of(int rc);

/* Why a store could not be opened, as store_open's errno: EBADMSG for a
 * file that is corrupt or no database, which no retry mends. */
static int open_errno(int code)
{
	int prim = code & 0xff;
	return prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB ? EBADMSG : -errno_of(code);
}

static void measure(struct store *st, long long *pages, long long *free_pages,
		    long long *page_size);
static void set_size(struct store *st, long long pages, long long free_pages,
		     long long page_size);

struct store *store_open(const char *dir, bool sync, char *err, size_t errlen)
{
	if (store_mkdir(dir) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return NULL;
	}
	struct store *st = calloc(1, sizeof *st);
	char *path = NULL;
	if (!st || !(st->dir = strdup(dir)) || asprintf(&path, "%s/store.db", dir) < 0) {
		snprintf(err, errlen, "out of memory");
		free(st ? st->dir : NULL);
		free(st);
		return NULL;
	}
	st->efd = -1;
	st->auto_vacuum = -1;
	int version = 0;
	const char *delay = getenv("TANDEM_TEST_COMMIT_DELAY_MS");
	st->test_delay_ms = delay ? (unsigned)strtoul(delay, NULL, 10) % 60000 : 0;
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);
	free(path);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* Opening runs on the loop thread: another process holding store.db
	 * fails it soon, and the locker tries again later (with a back-off)
	 * instead of the loop standing still for the commit's timeout. */
	sqlite3_busy_timeout(st->db, 500);
	/* auto_vacuum must be chosen before the first table exists; it lets
	 * housekeeping hand free pages back after a backlog drains. */
	sqlite3_wal_hook(st->db, on_wal, st);
	if (exec(st, "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;"
		 "PRAGMA journal_size_limit=67108864; PRAGMA foreign_keys=OFF;", err, errlen) < 0 ||
	    exec(st, sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
		 err, errlen) < 0 ||
	    exec(st, schema, err, errlen) < 0)
		goto fail;

	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			version = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "store.db has schema version %d; this tandemd knows "
			 "version %d at most", version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version < 3 && exec(st, upgrade_3, err, errlen) < 0)
		goto fail;
	char set_version[64];
	snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d",
		 STORE_SCHEMA_VERSION);
	if (version < STORE_SCHEMA_VERSION && exec(st, set_version, err, errlen) < 0)
		goto fail;

	/* Above every mark too: a message that came after them must not
	 * take the seq of one a mark covers (its consumer took and acked
	 * it) and pass for dispatched when loaded again. */
	if (sqlite3_prepare_v2(st->db, "SELECT max(COALESCE((SELECT MAX(seq) FROM messages), 0), "
			       "COALESCE((SELECT MAX(seq) FROM dispatched), 0))", -1, &q,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
		goto fail;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		st->next_seq = (uint64_t)sqlite3_column_int64(q, 0) + 1;
	sqlite3_finalize(q);

	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	/* Another process holding the write lock (a second tandemd on the same
	 * directory) fails a commit with -EBUSY after this long. */
	sqlite3_busy_timeout(st->db, 5000);
	st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&st->mu, NULL);
	long long pages = 0, free_pages = 0, page_size = 4096;
	measure(st, &pages, &free_pages, &page_size);
	set_size(st, pages, free_pages, page_size);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cv, &ca);
	pthread_condattr_destroy(&ca);
	int rc2 = pthread_create(&st->writer, NULL, writer_main, st);
	if (rc2) {
		snprintf(err, errlen, "cannot start the store writer thread: %s", strerror(rc2));
		pthread_mutex_destroy(&st->mu);
		pthread_cond_destroy(&st->cv);
		goto fail;
	}
	return st;
fail:;
	/* What failed last, before closing forgets it. */
	int why = version > STORE_SCHEMA_VERSION ? EPROTO :
		  open_errno(st->db ? sqlite3_errcode(st->db) : rc);
	if (st->efd >= 0)
		close(st->efd);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->dir);
	free(st);
	errno = why;
	return NULL;
}

int store_remove_files(const char *dir, char *err, size_t errlen)
{
	static const char *const files[] = { "store.db", "store.db-wal", "store.db-shm" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, files[i]) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

struct store *store_open_scratch(const char *dir, char *err, size_t errlen)
{
	return store_remove_files(dir, err, errlen) < 0 ? NULL : store_open(dir, false, err, errlen);
}

uint64_t store_new_seq(struct store *st)
{
	return st->next_seq++;
}

static void op_free(struct op *o)
{
	if (o->msg)
		message_unref(o->msg);
	free(o->a);
	free(o->b);
	free(o->c);
	free(o->d);
}

static void release(struct store *st);
static int collect(struct store *st);

/* What is queued and not handed over is dropped: its callbacks are told
 * -ECANCELED, and what they queue in turn goes too, untold. */
static void cancel_queued(struct store *st)
{
	struct done *dones = st->dones;
	size_t ndones = st->ndones;
	st->dones = NULL;
	st->ndones = st->donecap = st->nwaiting = 0;
	for (size_t i = 0; i < ndones; i++)
		dones[i].fn(dones[i].ctx, -ECANCELED);
	free(dones);
	for (size_t i = 0; i < st->nops; i++)
		op_free(&st->ops[i]);
	st->nops = 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	/* Callbacks may queue more; a few rounds settle it. Callbacks that
	 * keep queueing for ever lose what they queue last, and are told. */
	for (int round = 0; round < 8 && store_pending(st); round++)
		store_flush(st);
	if (store_pending(st)) {
		log_error("store", "Closing %s/store.db: commit callbacks keep queueing; "
			  "%zu operation(s) not stored", st->dir, st->nops);
		cancel_queued(st);
	}
	pthread_mutex_lock(&st->mu);
	st->stopping = true;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	pthread_join(st->writer, NULL);
	release(st);
}

void store_abandon(struct store *st)
{
	if (!st)
		return;
	st->abandoned = true;
	/* What the writer has not started is not written; what it is
	 * writing now cannot be stopped half-way, and is reported as usual. */
	pthread_mutex_lock(&st->mu);
	struct batch *unwritten = st->sub_head;
	st->sub_head = st->sub_tail = NULL;
	st->sub_nops = st->sub_dones = 0;
	st->stopping = true;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	pthread_join(st->writer, NULL);
	for (struct batch *b = unwritten; b; b = b->next)
		b->err = -ECANCELED;
	if (st->fin_tail)
		st->fin_tail->next = unwritten;
	else
		st->fin_head = unwritten;
	collect(st);
	cancel_queued(st);
	release(st);
}

/* Frees a store whose writer has stopped. */
static void release(struct store *st)
{
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	close(st->efd);
	sqlite3_finalize(st->page_stmt);
	sqlite3_close(st->reader);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_error("store", "Closing %s/store.db: %s", st->dir, sqlite3_errmsg(st->db));
	free(st->ops);
	free(st->dones);
	free(st->dir);
	free(st);
}

/* ---- loading ---- */

int store_load_durables(struct store *st, store_durable_fn fn, void *ctx)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT client_id, sub_name, topic, selector, "
			       "COALESCE(no_local, -1) FROM durables ORDER BY client_id, sub_name", -1, &q,
			       NULL) != SQLITE_OK) {
		log_error("store", "Reading durable subscriptions: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(q, 0),
		   (const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2),
		   (const char *)sqlite3_column_text(q, 3), sqlite3_column_int(q, 4));
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading durable subscriptions: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int store_load_session_ids(struct store *st, store_session_id_fn fn, void *ctx)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT owner, kind, id FROM session_ids", -1, &q,
			       NULL) != SQLITE_OK) {
		log_error("store", "Reading session ids: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1),
		   (unsigned)sqlite3_column_int(q, 2));
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading session ids: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int store_load_marks(struct store *st, store_mark_fn fn, void *ctx)
{
	/* The marks of containers that hold nothing any more mark nothing:
	 * they go, so that drained queues leave no rows behind. */
	char err[256];
	if (exec(st, "DELETE FROM dispatched WHERE NOT EXISTS "
		 "(SELECT 1 FROM entries e WHERE e.container = dispatched.container)",
		 err, sizeof err) < 0)
		log_warn("store", "Dropping the dispatch marks of empty containers: %s", err);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT container, priority, seq FROM dispatched", -1, &q,
			       NULL) != SQLITE_OK) {
		log_error("store", "Reading dispatch marks: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1),
		   (uint64_t)sqlite3_column_int64(q, 2));
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading dispatch marks: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Decodes a headers blob; -1 when it is damaged. */
static int decode_headers(const char *blob, size_t len, struct header **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (len == 0)
		return 0;
	if (blob[len - 1] != '\0')
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += blob[i] == '\0';
	if (n % 2)
		return -1;
	struct header *h = calloc(n / 2, sizeof *h);
	if (!h)
		return -1;
	const char *s = blob;
	for (size_t i = 0; i < n / 2; i++) {
		h[i].name = strdup(s);
		s += strlen(s) + 1;
		h[i].value = strdup(s);
		s += strlen(s) + 1;
		if (!h[i].name || !h[i].value) {
			headers_free(h, i + 1);
			return -1;
		}
	}
	*out = h;
	*nout = n / 2;
	return 0;
}

static struct message *row_message(sqlite3_stmt *q)
{
	struct header *h;
	size_t nh;
	const char *blob = sqlite3_column_blob(q, 5);
	if (decode_headers(blob, (size_t)sqlite3_column_bytes(q, 5), &h, &nh) < 0)
		return NULL;
	const void *b = sqlite3_column_blob(q, 6);
	size_t body_len = (size_t)sqlite3_column_bytes(q, 6);
	char *body = malloc(body_len + 1);
	const char *id = (const char *)sqlite3_column_text(q, 2);
	const char *dest = (const char *)sqlite3_column_text(q, 4);
	if (!body || !id || !dest) {
		free(body);
		headers_free(h, nh);
		return NULL;
	}
	if (body_len)
		memcpy(body, b, body_len);
	body[body_len] = '\0';
	struct message *m = message_new_take(strdup(id), sqlite3_column_int(q, 3) ? DEST_TOPIC
					     : DEST_QUEUE, strdup(dest), h, nh, body, body_len);
	if (!m)
		return NULL;
	m->seq = (uint64_t)sqlite3_column_int64(q, 1);
	m->persistent = true;
	int prio = sqlite3_column_int(q, 7);
	m->priority = (uint8_t)(prio < 0 ? 0 : prio > MSG_PRIORITY_MAX ? MSG_PRIORITY_MAX : prio);
	m->expires = sqlite3_column_int64(q, 8);
	m->timestamp = sqlite3_column_int64(q, 9);
	m->redeliveries = (uint32_t)sqlite3_column_int64(q, 10);
	return m;
}

/* Messages held by more than one container while store_load_entries()
 * runs: each row is decoded once and every holder gets a reference to the
 * same object, as when the broker fanned it out (a topic message kept by
 * ten durable subscriptions costs one body, not ten). Only shared rows
 * are kept here, each until its last holder has had it. */
struct shared {
	uint64_t seq;
	bool used;		/* the slot holds seq */
	struct message *m;	/* one reference of the map's; NULL when damaged or done */
	long left;		/* holders still to be handed a reference */
};

struct share_map {
	struct shared *slot;
	size_t cap, n;		/* cap is a power of two */
};

static size_t share_hash(uint64_t seq, size_t cap)
{
	return (size_t)((seq * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* The slot for seq, new (used false) if absent; NULL when memory runs out. */
static struct shared *share_slot(struct share_map *map, uint64_t seq)
{
	if ((map->n + 1) * 2 > map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 256;
		struct shared *slot = calloc(cap, sizeof *slot);
		if (!slot)
			return NULL;
		for (size_t i = 0; i < map->cap; i++) {
			if (!map->slot[i].used)
				continue;
			size_t j = share_hash(map->slot[i].seq, cap);
			while (slot[j].used)
				j = (j + 1) & (cap - 1);
			slot[j] = map->slot[i];
		}
		free(map->slot);
		map->slot = slot;
		map->cap = cap;
	}
	size_t j = share_hash(seq, map->cap);
	while (map->slot[j].used && map->slot[j].seq != seq)
		j = (j + 1) & (map->cap - 1);
	return &map->slot[j];
}

static void share_free(struct share_map *map)
{
	for (size_t i = 0; i < map->cap; i++)
		message_unref(map->slot[i].m);
	free(map->slot);
}

int store_load_entries(struct store *st, store_entry_fn fn, void *ctx)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT e.container, m.seq, m.id, m.dest_type, m.dest, m.headers, "
			       "m.body, m.priority, m.expires, m.timestamp, m.redeliveries, "
			       "(SELECT COUNT(*) FROM entries h WHERE h.seq = e.seq) "
			       "FROM entries e JOIN messages m ON m.seq = e.seq "
			       "ORDER BY e.container, e.seq", -1, &q, NULL) != SQLITE_OK) {
		log_error("store", "Reading messages: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	struct share_map map = { 0 };
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 1);
		long holders = (long)sqlite3_column_int64(q, 11);
		/* Without memory for the map a shared row is simply read again. */
		struct shared *s = holders > 1 ? share_slot(&map, seq) : NULL;
		struct message *m;
		if (s && s->used) {
			s->left--;
			if (!s->m)
				continue;	/* damaged: said so at its first holder */
			/* the last holder takes the map's own reference */
			m = s->left > 0 ? message_ref(s->m) : s->m;
			if (s->left <= 0)
				s->m = NULL;
		} else {
			m = row_message(q);
			if (!m)
				log_error("store", "Message %llu in %s/store.db is damaged (or memory "
					  "ran out): skipped in %ld container(s)",
					  (unsigned long long)seq, st->dir, holders);
			if (s) {
				*s = (struct shared){ seq, true, m ? message_ref(m) : NULL,
						      holders - 1 };
				map.n++;
			}
			if (!m)
				continue;
		}
		fn(ctx, (const char *)sqlite3_column_text(q, 0), m);
	}
	sqlite3_finalize(q);
	share_free(&map);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading messages: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Paging reads through a connection of its own: WAL lets it read what is
 * committed while the writer thread writes the next batch. */
static int open_reader(struct store *st)
{
	char *path = NULL;
	if (asprintf(&path, "%s/store.db", st->dir) < 0)
		return -1;
	int rc = sqlite3_open_v2(path, &st->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
				 NULL);
	free(path);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(st->reader,
			"SELECT e.container, m.seq, m.id, m.dest_type, m.dest, m.headers, "
			"m.body, m.priority, m.expires, m.timestamp, m.redeliveries "
			"FROM entries e JOIN messages m ON m.seq = e.seq "
			"WHERE e.container = ?1 AND m.priority = ?4 AND e.seq > ?2 "
			"ORDER BY e.seq LIMIT ?3",
			-1, SQLITE_PREPARE_PERSISTENT, &st->page_stmt, NULL);
	if (rc != SQLITE_OK) {
		log_error("store", "Cannot open %s/store.db for paging: %s", st->dir,
			  st->reader ? sqlite3_errmsg(st->reader) : sqlite3_errstr(rc));
		sqlite3_close(st->reader);
		st->reader = NULL;
		return -1;
	}
	return 0;
}

int store_page_in(struct store *st, const char *container, int priority, uint64_t after_seq,
		  size_t max, store_entry_fn fn, void *ctx)
{
	if (!st->reader && open_reader(st) < 0)
		return -1;
	sqlite3_stmt *q = st->page_stmt;
	sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after_seq);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
	sqlite3_bind_int(q, 4, priority);
	int rc, n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct message *m = row_message(q);
		if (!m) {
			log_error("store", "Message %lld in %s/store.db is damaged (or memory ran "
				  "out): skipped", (long long)sqlite3_column_int64(q, 1), st->dir);
			continue;
		}
		fn(ctx, container, m);
		n++;
	}
	if (rc != SQLITE_DONE)
		log_error("store", "Paging in %s: %s", container, sqlite3_errmsg(st->reader));
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? n : -1;
}

/* ---- queued operations ---- */

static struct op *new_op(struct store *st, enum op_kind kind)
{
	if (st->nops == st->opcap) {
		size_t cap = st->opcap ? st->opcap * 2 : 64;
		struct op *o = realloc(st->ops, cap * sizeof *o);
		if (!o)
			return NULL;
		st->ops = o;
		st->opcap = cap;
	}
	struct op *o = &st->ops[st->nops];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	return o;
}

/* Duplicates up to four strings into o; NULL strings stay NULL. Commits the
 * op only when every copy worked. */
static int push_op(struct store *st, struct op *o, const char *a, const char *b,
		   const char *c, const char *d)
{
	const char *in[4] = { a, b, c, d };
	char **out[4] = { &o->a, &o->b, &o->c, &o->d };
	for (int i = 0; i < 4; i++) {
		if (in[i] && !(*out[i] = strdup(in[i]))) {
			op_free(o);
			return -1;
		}
	}
	st->nops++;
	return 0;
}

int store_add_message(struct store *st, struct message *m)
{
	struct op *o = new_op(st, OP_ADD_MESSAGE);
	if (!o)
		return -1;
	if (!m->seq)
		m->seq = st->next_seq++;
	o->msg = message_ref(m);
	o->seq = m->seq;
	st->nops++;
	return 0;
}

int store_add_entry(struct store *st, const char *container, uint64_t seq)
{
	struct op *o = new_op(st, OP_ADD_ENTRY);
	if (!o)
		return -1;
	o->seq = seq;
	return push_op(st, o, container, NULL, NULL, NULL);
}

/* How far back store_remove_entry() looks for the entry it removes: so
 * many operations, in so many handed-over batches at most. */
#define CANCEL_SCAN 256
#define CANCEL_BATCHES 8

static void cancel_op(struct op *o)
{
	op_free(o);
	memset(o, 0, sizeof *o);
	o->kind = OP_NONE;
}

/* The search of cancel_unwritten(), carried from one array of operations
 * to the next older one. */
struct cancel_search {
	struct store *st;
	const char *container;
	uint64_t seq;
	struct op *entry;	/* the addition of the entry, once seen */
	bool shared;		/* another container adds the message too */
	size_t budget;		/* operations left to look at */
};

/* Looks through ops[0..n) from the newest: 1 when it cancelled, -1 when
 * the search must end without, 0 when it goes on in older operations. */
static int cancel_in(struct op *ops, size_t n, struct cancel_search *cs)
{
	for (size_t i = n; i-- > 0;) {
		struct op *o = &ops[i];
		if (!cs->budget--)
			return -1;
		switch (o->kind) {
		case OP_ADD_MESSAGE:
			if (o->seq != cs->seq)
				continue;
			if (!cs->entry)
				return -1;
			cancel_op(cs->entry);
			if (!cs->shared) {
				cancel_op(o);
				cs->st->not_written++;
			}
			return 1;
		case OP_ADD_ENTRY:
			if (o->seq != cs->seq)
				continue;
			if (!cs->entry && !strcmp(o->a, cs->container))
				cs->entry = o;
			else
				cs->shared = true;
			continue;
		case OP_REMOVE_ENTRY:
			if (o->seq == cs->seq)
				return -1;
			continue;
		case OP_ADD_SESSION_ID:
		case OP_REMOVE_SESSION_ID:
		case OP_NONE:
			continue;
		default:
			return -1;
		}
	}
	return 0;
}

/* A message a consumer acknowledged before its commit began need never be
 * written (KahaDB does the same): when the entry to remove was added in the
 * operations not yet written (queued, or handed over to a writer busy with
 * an earlier commit), with its message, the addition is cancelled, and the
 * message too unless another container added it there. Only the last
 * CANCEL_SCAN operations are searched, and any other kind of operation on
 * the message or on whole containers ends the search: then the removal is
 * written as usual. True when cancelled. */
static bool cancel_unwritten(struct store *st, const char *container, uint64_t seq)
{
	struct cancel_search cs = { st, container, seq, NULL, false, CANCEL_SCAN };
	int rc = cancel_in(st->ops, st->nops, &cs);
	if (rc)
		return rc > 0;
	/* The writer takes handed-over batches under mu, so while it is held
	 * they are the loop's to change. The list runs from the oldest: the
	 * newest CANCEL_BATCHES are collected, then searched newest first. */
	struct batch *newest[CANCEL_BATCHES];
	size_t n = 0;
	pthread_mutex_lock(&st->mu);
	for (struct batch *b = st->sub_head; b; b = b->next) {
		if (n == CANCEL_BATCHES)
			memmove(newest, newest + 1, --n * sizeof *newest);
		newest[n++] = b;
	}
	while (rc == 0 && n) {
		struct batch *b = newest[--n];
		rc = cancel_in(b->ops, b->nops, &cs);
	}
	pthread_mutex_unlock(&st->mu);
	return rc > 0;
}

int store_remove_entry(struct store *st, const char *container, uint64_t seq)
{
	if (cancel_unwritten(st, container, seq))
		return 0;
	struct op *o = new_op(st, OP_REMOVE_ENTRY);
	if (!o)
		return -1;
	o->seq = seq;
	return push_op(st, o, container, NULL, NULL, NULL);
}

int store_remove_container(struct store *st, const char *container)
{
	struct op *o = new_op(st, OP_REMOVE_CONTAINER);
	return o ? push_op(st, o, container, NULL, NULL, NULL) : -1;
}

int store_mark_dispatched(struct store *st, const char *container, int priority, uint64_t seq)
{
	struct op *o = new_op(st, OP_MARK_DISPATCHED);
	if (!o)
		return -1;
	o->prio = priority;
	o->seq = seq;
	return push_op(st, o, container, NULL, NULL, NULL);
}

int store_add_durable(struct store *st, const char *client_id, const char *sub_name,
		      const char *topic, const char *selector, bool no_local)
{
	struct op *o = new_op(st, OP_ADD_DURABLE);
	if (o)
		o->seq = no_local;
	return o ? push_op(st, o, client_id, sub_name, topic, selector) : -1;
}

static int push_session_id(struct store *st, enum op_kind kind, const char *owner, int k,
			   unsigned id)
{
	struct op *o = new_op(st, kind);
	if (!o)
		return -1;
	o->seq = (uint64_t)k << 16 | (id & 0xffff);
	return push_op(st, o, owner, NULL, NULL, NULL);
}

int store_rename_durable(struct store *st, const char *client_id, const char *sub_name,
			 const char *new_name)
{
	struct op *o = new_op(st, OP_RENAME_DURABLE);
	return o ? push_op(st, o, client_id, sub_name, new_name, NULL) : -1;
}

int store_add_session_id(struct store *st, const char *owner, int kind, unsigned id)
{
	return push_session_id(st, OP_ADD_SESSION_ID, owner, kind, id);
}

int store_remove_session_id(struct store *st, const char *owner, int kind, unsigned id)
{
	return push_session_id(st, OP_REMOVE_SESSION_ID, owner, kind, id);
}

int store_remove_session_ids(struct store *st, const char *owner)
{
	return push_session_id(st, OP_REMOVE_SESSION_IDS, owner, 0, 0);
}

int store_add_prepared(struct store *st, const char *txid)
{
	struct op *o = new_op(st, OP_ADD_PREPARED);
	return o ? push_op(st, o, txid, NULL, NULL, NULL) : -1;
}

int store_add_prepared_ack(struct store *st, const char *txid, const char *container,
			   uint64_t seq)
{
	struct op *o = new_op(st, OP_ADD_PREPARED_ACK);
	if (!o)
		return -1;
	o->seq = seq;
	return push_op(st, o, txid, container, NULL, NULL);
}

int store_remove_prepared(struct store *st, const char *txid)
{
	char *container = store_prepared_container(txid);
	struct op *o = container ? new_op(st, OP_REMOVE_PREPARED) : NULL;
	int rc = o ? push_op(st, o, txid, NULL, NULL, NULL) : -1;
	if (rc == 0)
		rc = store_remove_container(st, container);
	free(container);
	return rc;
}

char *store_prepared_container(const char *txid)
{
	char *c;
	return asprintf(&c, "%s%s", STORE_PREPARED_PREFIX, txid) < 0 ? NULL : c;
}

int store_load_prepared(struct store *st, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			void *ctx)
{
	static const char *const sql[] = {
		"SELECT txid, NULL, 0 FROM prepared ORDER BY txid",
		"SELECT txid, container, seq FROM prepared_acks ORDER BY txid, container, seq",
	};
	for (size_t i = 0; i < 2; i++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL) != SQLITE_OK) {
			log_error("store", "Reading prepared transactions: %s",
				  sqlite3_errmsg(st->db));
			return -1;
		}
		int rc;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			const char *txid = (const char *)sqlite3_column_text(q, 0);
			if (i == 0)
				fn(ctx, txid);
			else
				ack_fn(ctx, txid, (const char *)sqlite3_column_text(q, 1),
				       (uint64_t)sqlite3_column_int64(q, 2));
		}
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE) {
			log_error("store", "Reading prepared transactions: %s",
				  sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

int store_remove_durable(struct store *st, const char *client_id, const char *sub_name)
{
	char *container = durable_container(client_id, sub_name);
	struct op *o = container ? new_op(st, OP_REMOVE_DURABLE) : NULL;
	int rc = o ? push_op(st, o, client_id, sub_name, container, NULL) : -1;
	free(container);
	return rc;
}

static int add_done(struct store *st, store_done_fn fn, void *ctx, bool waits)
{
	if (st->ndones == st->donecap) {
		size_t cap = st->donecap ? st->donecap * 2 : 64;
		struct done *d = realloc(st->dones, cap * sizeof *d);
		if (!d)
			return -1;
		st->dones = d;
		st->donecap = cap;
	}
	st->dones[st->ndones++] = (struct done){ fn, ctx, waits };
	st->nwaiting += waits;
	return 0;
}

int store_on_commit(struct store *st, store_done_fn fn, void *ctx)
{
	return add_done(st, fn, ctx, true);
}

int store_watch(struct store *st, store_done_fn fn, void *ctx)
{
	return add_done(st, fn, ctx, false);
}

uint64_t store_batch_id(const struct store *st)
{
	return st->batch_id;
}

bool store_pending(const struct store *st)
{
	return st->nops > 0 || st->ndones > 0 || st->inflight > 0;
}

size_t store_unwritten(const struct store *st)
{
	return st->nops + st->inflight_ops;
}

uint64_t store_not_written(const struct store *st)
{
	return st->not_written;
}

/* ---- commit ---- */

static int encode_headers(const struct message *m, char **blob, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nheaders; i++)
		n += strlen(m->headers[i].name) + strlen(m->headers[i].value) + 2;
	*len = n;
	*blob = malloc(n ? n : 1);
	if (!*blob)
		return -1;
	char *p = *blob;
	for (size_t i = 0; i < m->nheaders; i++) {
		p = stpcpy(p, m->headers[i].name) + 1;
		p = stpcpy(p, m->headers[i].value) + 1;
	}
	return 0;
}

/* Binds the values and runs one statement to completion. */
static int run(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int bind_text(struct store *st, enum stmt_id id, int col, const char *s)
{
	return sqlite3_bind_text(st->stmt[id], col, s, -1, SQLITE_STATIC);
}

static int apply(struct store *st, const struct op *o)
{
	int rc = SQLITE_OK;
	switch (o->kind) {
	case OP_ADD_MESSAGE: {
		const struct message *m = o->msg;
		char *blob;
		size_t len;
		if (encode_headers(m, &blob, &len) < 0)
			return SQLITE_NOMEM;
		sqlite3_stmt *s = st->stmt[ST_ADD_MESSAGE];
		sqlite3_bind_int64(s, 1, (sqlite3_int64)m->seq);
		sqlite3_bind_text(s, 2, m->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, m->dest_type);
		sqlite3_bind_text(s, 4, m->dest, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 7, m->priority);
		sqlite3_bind_int64(s, 8, m->expires);
		sqlite3_bind_int64(s, 9, m->timestamp);
		sqlite3_bind_int64(s, 10, m->redeliveries);
		/* Only the blobs can fail to bind (SQLITE_TOOBIG); a failed
		 * bind would leave NULL and store an empty body. */
		rc = sqlite3_bind_blob64(s, 5, blob, len, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_blob64(s, 6, m->body_len ? m->body : "", m->body_len,
						 SQLITE_STATIC);
		if (rc == SQLITE_OK) {
			rc = run(st, ST_ADD_MESSAGE);
		} else {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
		}
		free(blob);
		break;
	}
	case OP_ADD_ENTRY:
		bind_text(st, ST_ADD_ENTRY, 1, o->a);
		sqlite3_bind_int64(st->stmt[ST_ADD_ENTRY], 2, (sqlite3_int64)o->seq);
		rc = run(st, ST_ADD_ENTRY);
		break;
	case OP_REMOVE_ENTRY:
		bind_text(st, ST_REMOVE_ENTRY, 1, o->a);
		sqlite3_bind_int64(st->stmt[ST_REMOVE_ENTRY], 2, (sqlite3_int64)o->seq);
		rc = run(st, ST_REMOVE_ENTRY);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st->stmt[ST_DROP_ORPHAN], 1, (sqlite3_int64)o->seq);
			rc = run(st, ST_DROP_ORPHAN);
		}
		break;
	case OP_REMOVE_DURABLE:
		bind_text(st, ST_REMOVE_DURABLE, 1, o->a);
		bind_text(st, ST_REMOVE_DURABLE, 2, o->b);
		rc = run(st, ST_REMOVE_DURABLE);
		if (rc != SQLITE_OK)
			break;
		/* and its entries, as for a container (the name is in c) */
		__attribute__((fallthrough));
	case OP_REMOVE_CONTAINER: {
		const char *container = o->kind == OP_REMOVE_DURABLE ? o->c : o->a;
		bind_text(st, ST_DROP_CONTAINER_ORPHANS, 1, container);
		rc = run(st, ST_DROP_CONTAINER_ORPHANS);
		if (rc == SQLITE_OK) {
			bind_text(st, ST_REMOVE_CONTAINER, 1, container);
			rc = run(st, ST_REMOVE_CONTAINER);
		}
		if (rc == SQLITE_OK) {
			bind_text(st, ST_REMOVE_MARKS, 1, container);
			rc = run(st, ST_REMOVE_MARKS);
		}
		break;
	}
	case OP_RENAME_DURABLE: {
		char *from = durable_container(o->a, o->b), *to = durable_container(o->a, o->c);
		if (!from || !to) {
			free(from);
			free(to);
			return SQLITE_NOMEM;
		}
		bind_text(st, ST_RENAME_DURABLE, 1, o->a);
		bind_text(st, ST_RENAME_DURABLE, 2, o->b);
		bind_text(st, ST_RENAME_DURABLE, 3, o->c);
		rc = run(st, ST_RENAME_DURABLE);
		if (rc == SQLITE_OK) {
			bind_text(st, ST_RENAME_CONTAINER, 1, from);
			bind_text(st, ST_RENAME_CONTAINER, 2, to);
			rc = run(st, ST_RENAME_CONTAINER);
		}
		if (rc == SQLITE_OK) {
			bind_text(st, ST_RENAME_MARKS, 1, from);
			bind_text(st, ST_RENAME_MARKS, 2, to);
			rc = run(st, ST_RENAME_MARKS);
		}
		free(from);
		free(to);
		break;
	}
	case OP_ADD_SESSION_ID:
	case OP_REMOVE_SESSION_ID: {
		enum stmt_id id = o->kind == OP_ADD_SESSION_ID ? ST_ADD_SESSION_ID
							       : ST_REMOVE_SESSION_ID;
		bind_text(st, id, 1, o->a);
		sqlite3_bind_int(st->stmt[id], 2, (int)(o->seq >> 16));
		sqlite3_bind_int(st->stmt[id], 3, (int)(o->seq & 0xffff));
		rc = run(st, id);
		break;
	}
	case OP_REMOVE_SESSION_IDS:
		bind_text(st, ST_REMOVE_SESSION_IDS, 1, o->a);
		rc = run(st, ST_REMOVE_SESSION_IDS);
		break;
	case OP_ADD_PREPARED:
		bind_text(st, ST_ADD_PREPARED, 1, o->a);
		rc = run(st, ST_ADD_PREPARED);
		break;
	case OP_ADD_PREPARED_ACK:
		bind_text(st, ST_ADD_PREPARED_ACK, 1, o->a);
		bind_text(st, ST_ADD_PREPARED_ACK, 2, o->b);
		sqlite3_bind_int64(st->stmt[ST_ADD_PREPARED_ACK], 3, (sqlite3_int64)o->seq);
		rc = run(st, ST_ADD_PREPARED_ACK);
		break;
	case OP_REMOVE_PREPARED:
		bind_text(st, ST_REMOVE_PREPARED, 1, o->a);
		rc = run(st, ST_REMOVE_PREPARED);
		if (rc == SQLITE_OK) {
			bind_text(st, ST_REMOVE_PREPARED_ACKS, 1, o->a);
			rc = run(st, ST_REMOVE_PREPARED_ACKS);
		}
		break;
	case OP_MARK_DISPATCHED:
		bind_text(st, ST_MARK_DISPATCHED, 1, o->a);
		sqlite3_bind_int(st->stmt[ST_MARK_DISPATCHED], 2, o->prio);
		sqlite3_bind_int64(st->stmt[ST_MARK_DISPATCHED], 3, (sqlite3_int64)o->seq);
		rc = run(st, ST_MARK_DISPATCHED);
		break;
	case OP_NONE:
		break;
	case OP_ADD_DURABLE:
		bind_text(st, ST_ADD_DURABLE, 1, o->a);
		bind_text(st, ST_ADD_DURABLE, 2, o->b);
		bind_text(st, ST_ADD_DURABLE, 3, o->c);
		if (o->d)
			bind_text(st, ST_ADD_DURABLE, 4, o->d);
		else
			sqlite3_bind_null(st->stmt[ST_ADD_DURABLE], 4);
		sqlite3_bind_int(st->stmt[ST_ADD_DURABLE], 5, o->seq != 0);
		rc = run(st, ST_ADD_DURABLE);
		break;
	}
	return rc;
}

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_TOOBIG: return -EMSGSIZE;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN: return -EACCES;
	default: return -EIO;
	}
}

/* Reads the database's size in pages, free pages and page size. */
static void measure(struct store *st, long long *pages, long long *free_pages,
		    long long *page_size)
{
	static const char *const sql[3] = {
		"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size",
	};
	long long *out[3] = { pages, free_pages, page_size };
	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL) != SQLITE_OK)
			continue;
		if (sqlite3_step(q) == SQLITE_ROW)
			*out[i] = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
}

static void set_size(struct store *st, long long pages, long long free_pages,
		     long long page_size)
{
	pthread_mutex_lock(&st->mu);
	st->size.file_bytes = pages * page_size;
	st->size.free_bytes = free_pages * page_size;
	pthread_mutex_unlock(&st->mu);
}

/* A single-value PRAGMA's value, or -1. */
static long long pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Rebuilds a store without auto_vacuum=INCREMENTAL with it, once, so
 * that the slices below can give its pages back (PRAGMA auto_vacuum alone
 * does nothing to a database that has tables). True when it ran. */
static bool convert_to_incremental(struct store *st, long long live_bytes)
{
	if (st->auto_vacuum < 0)
		st->auto_vacuum = (int)pragma_int(st, "PRAGMA auto_vacuum");
	if (st->auto_vacuum == 2 || live_bytes > CONVERT_MAX_BYTES)
		return false;
	char err[256];
	if (exec(st, "PRAGMA auto_vacuum=INCREMENTAL; VACUUM", err, sizeof err) < 0) {
		log_warn("store", "%s/store.db could not be rebuilt to give free pages back: %s",
			 st->dir, err);
	} else {
		log_info("store", "%s/store.db rebuilt with auto_vacuum=INCREMENTAL: its free "
			 "pages go back to the file system from now on", st->dir);
	}
	st->auto_vacuum = 2;	/* tried once */
	st->wal_dirty = true;
	return true;
}

/* Copies the WAL's frames into store.db (CHECKPOINT_FRAMES says why
 * here). When every frame was copied the next commit starts the WAL over;
 * when a reader still needed some, the next occasion tries again. */
static void checkpoint(struct store *st)
{
	int frames = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames,
					   &copied);
	if (rc == SQLITE_OK && copied == frames)
		st->wal_frames = 0;
}

/* Cuts the WAL back to nothing after a long quiet time (WAL_IDLE_US), when
 * it is larger than WAL_KEEP; a checkpoint alone leaves its size. */
static void truncate_wal(struct store *st)
{
	if (!st->wal_dirty || now_us() - st->last_write < WAL_IDLE_US)
		return;
	st->wal_dirty = false;
	char *path = NULL;
	struct stat sb;
	if (asprintf(&path, "%s/store.db-wal", st->dir) < 0)
		return;
	bool big = stat(path, &sb) == 0 && sb.st_size > WAL_KEEP;
	free(path);
	if (big)
		exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", (char[128]){ 0 }, 128);
}

/* Measures the file and, when `quiet` (no commit for QUIET_US), returns
 * free pages to the file system a slice at a time, so that a drained
 * backlog gives its disk space back. Only when quiet: moving pages is slow
 * on a big file (2,048 pages took 160 ms on an 800 MB store); while a
 * backlog drained it took more of the writer's time than the
 * acknowledgements, and each slice holds up the commit behind it. Under a
 * steady load the free pages are used again instead. Once nothing is left
 * to give back, the WAL is cut back after a longer quiet time. */
static void housekeeping(struct store *st, bool quiet)
{
	long long pages = 0, free_pages = 0, page_size = 4096;
	measure(st, &pages, &free_pages, &page_size);
	bool worth = free_pages > 256 && free_pages * 4 > pages;
	bool wal = st->wal_frames >= CHECKPOINT_FRAMES / 4;
	if (worth && quiet && convert_to_incremental(st, (pages - free_pages) * page_size)) {
		measure(st, &pages, &free_pages, &page_size);
		worth = false;
	} else if (worth && quiet) {
		/* The file shrinks at a checkpoint; a slice alone writes too
		 * little to the WAL to start one. */
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)", VACUUM_SLICE);
		exec(st, sql, (char[128]){ 0 }, 128);
		checkpoint(st);
		free_pages = free_pages > VACUUM_SLICE ? free_pages - VACUUM_SLICE : 0;
		pages -= VACUUM_SLICE;
	} else if (quiet) {
		/* Copied while nobody waits. A trickle of commits is left to
		 * the next size: each would cost a checkpoint's two syncs. */
		if (wal)
			checkpoint(st);
		truncate_wal(st);
	}
	/* While there is more to give back, the next slice follows at once
	 * while quiet, and the next look soon, even when no commit comes. */
	st->housekeeping_more = worth || (wal && !quiet);
	st->housekeeping_next = now_us() + (worth && quiet ? 0 : HOUSEKEEPING_US);
	set_size(st, pages, free_pages, page_size);
}

/* Wakes the event loop: a batch is finished, or the store shrank. */
static void signal_loop(struct store *st)
{
	uint64_t one = 1;
	if (write(st->efd, &one, sizeof one) < 0)
		log_error("store", "Cannot signal the event loop: %s", strerror(errno));
}

/* Waits until the handed-over batches should be written (see the pacing
 * above), and takes them; NULL when the store is closing and nothing is
 * left. Runs housekeeping that is due while idle. Called with mu held. */
static struct batch *take_chain(struct store *st)
{
	for (;;) {
		int64_t now = now_us(), deadline;
		if (st->sub_head) {
			if (st->stopping || st->urgent)
				break;
			if (now < st->retry_at) {
				deadline = st->retry_at;
			} else {
				if (st->sub_nops > 4096 || st->sub_dones)
					break;
				deadline = st->sub_since + OPS_DELAY_US;
				if (now >= deadline)
					break;
			}
		} else if (st->stopping) {
			return NULL;
		} else if (st->housekeeping_more || st->wal_dirty) {
			deadline = st->housekeeping_more ? st->housekeeping_next
							 : st->last_write + WAL_IDLE_US;
			if (deadline < st->last_write + QUIET_US)
				deadline = st->last_write + QUIET_US;
			if (now >= deadline) {
				pthread_mutex_unlock(&st->mu);
				housekeeping(st, true);
				pthread_mutex_lock(&st->mu);
				/* The loop may hold producers until the store shrinks. */
				signal_loop(st);
				continue;
			}
		} else {
			pthread_cond_wait(&st->cv, &st->mu);
			continue;
		}
		struct timespec ts = { .tv_sec = deadline / 1000000,
				       .tv_nsec = (long)(deadline % 1000000) * 1000 };
		pthread_cond_timedwait(&st->cv, &st->mu, &ts);
	}
	struct batch *chain = st->sub_head;
	st->sub_head = st->sub_tail = NULL;
	st->sub_nops = st->sub_dones = 0;
	return chain;
}

/* The operations of b that are still to be written: not cancelled. */
static size_t ops_to_write(const struct batch *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nops; i++)
		n += b->ops[i].kind != OP_NONE;
	return n;
}

/* Writes a chain of batches in one transaction; 0 or a negative errno. */
static int write_chain(struct store *st, struct batch *chain)
{
	size_t nops = 0;
	for (struct batch *b = chain; b; b = b->next)
		nops += ops_to_write(b);
	if (!nops)
		return 0;	/* nothing, or only what was cancelled: no sync */
	int rc = run(st, ST_BEGIN);
	for (struct batch *b = chain; rc == SQLITE_OK && b; b = b->next)
		for (size_t i = 0; rc == SQLITE_OK && i < b->nops; i++)
			rc = apply(st, &b->ops[i]);
	if (rc == SQLITE_OK && st->test_delay_ms)
		usleep(st->test_delay_ms * 1000u);
	if (rc == SQLITE_OK)
		rc = run(st, ST_COMMIT);
	if (rc == SQLITE_OK) {
		if (st->failures)
			log_info("store", "Writing to %s/store.db works again after %ld failed "
				 "commit(s)", st->dir, st->failures);
		st->failures = 0;
		return 0;
	}
	/* A full disk fails every commit until there is room: say so at
	 * once, then every 10 s. */
	int64_t now = now_us();
	st->failures++;
	if (st->failures == 1 || now - st->failure_logged >= FAILURE_LOG_US) {
		log_error("store", "Writing to %s/store.db failed: %s (%zu operation(s) not stored; "
			  "%ld failed commit(s) so far)", st->dir, sqlite3_errstr(rc), nops,
			  st->failures);
		st->failure_logged = now;
	}
	st->retry_at = now + RETRY_US;
	if (!sqlite3_get_autocommit(st->db))
		run(st, ST_ROLLBACK);
	return errno_of(rc);
}

static void *writer_main(void *arg)
{
	struct store *st = arg;
	pthread_mutex_lock(&st->mu);
	struct batch *chain;
	while ((chain = take_chain(st))) {
		pthread_mutex_unlock(&st->mu);
		int err = write_chain(st, chain);
		st->last_write = now_us();
		st->wal_dirty = true;
		struct batch *last = chain;
		for (struct batch *b = chain; b; b = b->next) {
			b->err = err;
			last = b;
		}
		pthread_mutex_lock(&st->mu);
		if (st->fin_tail)
			st->fin_tail->next = chain;
		else
			st->fin_head = chain;
		st->fin_tail = last;
		signal_loop(st);
		pthread_cond_broadcast(&st->cv);
		/* After the callbacks were handed over: receipts do not wait
		 * for it. */
		if (st->wal_frames >= CHECKPOINT_FRAMES) {
			pthread_mutex_unlock(&st->mu);
			checkpoint(st);
			pthread_mutex_lock(&st->mu);
		}
		if (st->last_write >= st->housekeeping_next) {
			pthread_mutex_unlock(&st->mu);
			housekeeping(st, false);
			pthread_mutex_lock(&st->mu);
		} else {
			st->housekeeping_more = true;	/* the size is stale: soon */
		}
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

bool store_commit(struct store *st)
{
	if (!st->nops && !st->ndones)
		return false;
	struct batch *b = calloc(1, sizeof *b);
	if (!b)
		return false;	/* memory: the next call tries again */
	*b = (struct batch){ NULL, st->ops, st->nops, st->dones, st->ndones, st->nwaiting, 0 };
	st->nwaiting = 0;
	st->batch_id++;
	st->ops = NULL;
	st->nops = st->opcap = 0;
	st->dones = NULL;
	st->ndones = st->donecap = 0;
	/* With nothing to write and nothing written before it, the batch is
	 * finished now: its callbacks (receipts for messages that consumers
	 * took before they were written) need not wait for the writer to
	 * wake, nor for the event fd. */
	bool finished = !st->inflight && !ops_to_write(b);
	st->inflight++;
	st->inflight_ops += b->nops;
	pthread_mutex_lock(&st->mu);
	if (finished) {
		if (st->fin_tail)
			st->fin_tail->next = b;
		else
			st->fin_head = b;
		st->fin_tail = b;
		pthread_mutex_unlock(&st->mu);
		return true;
	}
	if (st->sub_tail) {
		st->sub_tail->next = b;
	} else {
		st->sub_head = b;
		st->sub_since = now_us();
	}
	st->sub_tail = b;
	st->sub_nops += b->nops;
	st->sub_dones += b->nwaiting;
	pthread_mutex_unlock(&st->mu);
	/* After the unlock: a writer woken inside would block on mu at once. */
	pthread_cond_signal(&st->cv);
	return false;
}

int store_event_fd(const struct store *st)
{
	return st->efd;
}

/* A removal (an ack, a purge) that a failed commit did not write is
 * queued again, so that a consumer's ack is not undone by a full disk;
 * additions are not: their producers were told. True when o was taken
 * over. */
static bool retry_removal(struct store *st, struct op *o)
{
	if (o->kind != OP_REMOVE_ENTRY && o->kind != OP_REMOVE_CONTAINER &&
	    o->kind != OP_REMOVE_DURABLE && o->kind != OP_REMOVE_SESSION_ID &&
	    o->kind != OP_REMOVE_SESSION_IDS)
		return false;
	struct op *slot = new_op(st, o->kind);
	if (!slot)
		return false;
	*slot = *o;
	st->nops++;
	return true;
}

void store_on_unwritten_entry(struct store *st, store_unwritten_fn fn, void *ctx)
{
	st->unwritten_fn = fn;
	st->unwritten_ctx = ctx;
}

/* Tells the hook of each entry a failed commit did not write, with its
 * message when the batch adds that too: a send queues its message row,
 * then its entries, before any other message (broker_send), so the row
 * added last is the one to look at. Before any operation is freed: the
 * operation's reference keeps the message while the hook drops entries. */
static void tell_unwritten(struct store *st, const struct batch *b)
{
	struct message *m = NULL;
	for (size_t i = 0; i < b->nops && st->unwritten_fn; i++) {
		const struct op *o = &b->ops[i];
		if (o->kind == OP_ADD_MESSAGE)
			m = o->msg;
		else if (o->kind == OP_ADD_ENTRY)
			st->unwritten_fn(st->unwritten_ctx, o->a, o->seq,
					 m && m->seq == o->seq ? m : NULL);
	}
}

/* Takes the finished batches, if any, and runs their callbacks in order;
 * the first error or 0, or 1 when nothing had finished. */
static int collect(struct store *st)
{
	uint64_t n;
	if (read(st->efd, &n, sizeof n) < 0 && errno != EAGAIN)
		log_error("store", "Reading the store's event fd: %s", strerror(errno));
	pthread_mutex_lock(&st->mu);
	struct batch *b = st->fin_head;
	st->fin_head = st->fin_tail = NULL;
	pthread_mutex_unlock(&st->mu);
	int err = b ? 0 : 1;
	while (b) {
		struct batch *next = b->next;
		st->inflight--;
		st->inflight_ops -= b->nops;
		bool failed = b->err < 0 && !st->abandoned;
		if (failed)
			tell_unwritten(st, b);
		/* A removal that failed is queued again. */
		for (size_t i = 0; i < b->nops; i++)
			if (!(failed && retry_removal(st, &b->ops[i])))
				op_free(&b->ops[i]);
		free(b->ops);
		for (size_t i = 0; i < b->ndones; i++)
			b->dones[i].fn(b->dones[i].ctx, b->err);
		free(b->dones);
		if (b->err < 0 && err >= 0)
			err = b->err;
		free(b);
		b = next;
	}
	return err;
}

void store_complete(struct store *st)
{
	collect(st);
}

int store_flush(struct store *st)
{
	int err = 0;
	store_commit(st);
	pthread_mutex_lock(&st->mu);
	st->urgent = true;
	pthread_cond_signal(&st->cv);
	while (st->inflight) {
		while (!st->fin_head)
			pthread_cond_wait(&st->cv, &st->mu);
		pthread_mutex_unlock(&st->mu);
		int rc = collect(st);
		if (rc < 0)
			err = rc;
		pthread_mutex_lock(&st->mu);
	}
	st->urgent = false;
	pthread_mutex_unlock(&st->mu);
	return err;
}

void store_size(const struct store *st, struct store_size *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&st->mu);
	*out = st->size;
	pthread_mutex_unlock((pthread_mutex_t *)&st->mu);
}
