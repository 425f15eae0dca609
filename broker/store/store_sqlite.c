/*
 * store_sqlite.c - the store's SQLite backend (store.h; what a backend
 * does: store_backend.h): store.db in the store directory, WAL journal,
 * synchronous=FULL.
 *
 * Tables:
 *   messages(seq, id, dest_type, dest, headers, body, priority, expires,
 *            timestamp, redeliveries)  one row per persistent message
 *   entries(container, seq)      "this container still holds that message"
 *   durables(client_id, sub_name, topic, selector, no_local)
 *   session_ids(owner, kind, id) a protocol's per-client numbers (store.h)
 *   dispatched(container, priority, seq)
 *                                the highest seq of each priority a
 *                                container has handed to a consumer
 *                                (store_mark_dispatched)
 *   entry_counts(container, priority, n)  how many entries each container
 *                                holds per priority, kept by triggers
 *
 * A synced store is opened through store_vfs.c, which writes a commit's
 * WAL frames in one write. The writer thread owns the connection while a
 * commit runs and does the housekeeping (free pages back to the file system, WAL checkpoints);
 * paging in reads through a read-only connection of the loop thread.
 * Start reading at store_open().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store_backend.h"
#include "store_vfs.h"

/* 2: prepared transactions (tables prepared and prepared_acks). Each
 * open creates the tables a store of an older version lacks.
 * 3: messages.redeliveries and durables.no_local (upgrade_3). The table
 * dispatched came without a version of its own: a tandemd that does not
 * know it leaves it be. */
#define STORE_SCHEMA_VERSION 3

/* Removals (acks) are written REMOVE_BATCH to a statement: a drained
 * backlog's acks come hundreds at a time (the JMS client's DUPS_OK acks
 * 500 messages at once), and a statement of their own each, plus one to
 * drop the message, cost more than the rows' b-tree work. SEQS is the
 * list of their seqs; the unused places stay NULL, which matches nothing. */
#define REMOVE_BATCH 64
#define SEQ8 "?,?,?,?,?,?,?,?"
#define SEQS SEQ8 "," SEQ8 "," SEQ8 "," SEQ8 "," SEQ8 "," SEQ8 "," SEQ8 "," SEQ8

/* The prepared statements, one per operation or query. */
enum stmt_id {
	ST_ADD_MESSAGE,
	ST_ADD_ENTRY,
	ST_REMOVE_ENTRIES,
	ST_DROP_ORPHANS,
	ST_DROP_CONTAINER_ORPHANS,
	ST_REMOVE_CONTAINER,
	ST_UNCOUNT_CONTAINER,
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
	/* REMOVE_BATCH removals a statement (remove_entry) */
	[ST_REMOVE_ENTRIES] = "DELETE FROM entries WHERE container = ?1 AND seq IN (" SEQS ")",
	[ST_DROP_ORPHANS] = "DELETE FROM messages WHERE seq IN (" SEQS ") AND NOT EXISTS "
			    "(SELECT 1 FROM entries e WHERE e.seq = messages.seq)",
	[ST_DROP_CONTAINER_ORPHANS] =
		"DELETE FROM messages WHERE seq IN (SELECT seq FROM entries WHERE container = ?1) "
		"AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = messages.seq "
		"AND e.container <> ?1)",
	[ST_REMOVE_CONTAINER] = "DELETE FROM entries WHERE container = ?",
	/* after ST_REMOVE_CONTAINER: the trigger could not find the priority
	 * of the entries whose messages ST_DROP_CONTAINER_ORPHANS dropped */
	[ST_UNCOUNT_CONTAINER] = "DELETE FROM entry_counts WHERE container = ?",
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

/* Run in one transaction with counts_schema (open_schema), so that a new
 * store costs one sync, not one a table. */
static const char schema[] =
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
	"  PRIMARY KEY (container, priority)) WITHOUT ROWID;";

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

/* Entries counted per container and priority, by triggers in the
 * transaction that adds or removes them: a master that takes over reads
 * these few rows instead of every entry to know each queue's depth, and
 * leaves the messages on disk until a consumer comes (store_load_counts;
 * reading 1,000,000 entries took 1.4 s, issue 23). The triggers live in
 * store.db, so an older tandemd on this store keeps the counts right too.
 * A count whose message row is missing is not counted, as
 * store_load_entries() does not read such an entry either. */
static const char counts_schema[] =
	"CREATE TABLE IF NOT EXISTS entry_counts ("
	"  container TEXT NOT NULL, priority INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY (container, priority)) WITHOUT ROWID;"
	"CREATE TRIGGER IF NOT EXISTS entry_counted AFTER INSERT ON entries BEGIN"
	"  INSERT INTO entry_counts(container, priority, n)"
	"  SELECT NEW.container, priority, 1 FROM messages WHERE seq = NEW.seq"
	"  ON CONFLICT(container, priority) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS entry_uncounted AFTER DELETE ON entries BEGIN"
	"  UPDATE entry_counts SET n = n - 1 WHERE container = OLD.container"
	"  AND priority = (SELECT priority FROM messages WHERE seq = OLD.seq); END;"
	"CREATE TRIGGER IF NOT EXISTS entry_moved AFTER UPDATE OF container ON entries BEGIN"
	"  UPDATE entry_counts SET n = n - 1 WHERE container = OLD.container"
	"  AND priority = (SELECT priority FROM messages WHERE seq = OLD.seq);"
	"  INSERT INTO entry_counts(container, priority, n)"
	"  SELECT NEW.container, priority, 1 FROM messages WHERE seq = NEW.seq"
	"  ON CONFLICT(container, priority) DO UPDATE SET n = n + 1; END;"
	/* drained containers (a prepared transaction's, a removed queue's) */
	"DELETE FROM entry_counts WHERE n <= 0;";

/* A store written before entry_counts existed is counted once. */
static const char counts_fill[] =
	"INSERT INTO entry_counts(container, priority, n) "
	"SELECT e.container, m.priority, COUNT(*) FROM entries e JOIN messages m "
	"ON m.seq = e.seq GROUP BY e.container, m.priority;";

/* Housekeeping (writer thread). */
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

/* The writer's connection. secure_delete=FAST: Debian builds SQLite with
 * SECURE_DELETE on, which zeroes every page a delete frees and so writes
 * it to the WAL (and copies it to store.db at the checkpoint), although
 * nothing will read it: draining a backlog of 1 KiB messages freed a page
 * every three acks. FAST still zeroes a deleted row inside the page it
 * leaves (no extra write), not the freed pages, whose bytes go back to
 * the file system when housekeeping vacuums them; as KahaDB leaves an
 * acked message in its journal until the journal file goes. Durability
 * is not touched: the same rows go in the same commits. */
#define WRITER_PRAGMAS "PRAGMA secure_delete=FAST;"

struct sq {
	sqlite3 *db;		/* the writer's, and the loads' before any commit */
	sqlite3 *reader;	/* loop thread: paging in (opened on first use) */
	sqlite3_stmt *page_stmt;
	char *dir;
	sqlite3_stmt *stmt[ST_COUNT];
	int rc;			/* writer thread: what failed last */
	/* Writer thread: what is written later in the transaction (apply_op):
	 * removals, and the latest dispatch mark (mark, NULL for none). The
	 * containers are the operations', valid until the commit ends. */
	struct removal {
		const char *container;
		uint64_t seq;
	} removals[REMOVE_BATCH], mark;
	size_t nremovals;
	int mark_prio;

	/* Writer thread only. */
	int64_t housekeeping_next;	/* not before */
	int64_t last_write;		/* when the last commit ended */
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
	((struct sq *)arg)->wal_frames = frames;
	return SQLITE_OK;
}

/* ---- opening and closing ---- */

static int exec(struct sq *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
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

/* Why a store could not be opened, as store_open's errno: EBADMSG for a
 * file that is corrupt or no database, which no retry mends. */
static int open_errno(int code)
{
	int prim = code & 0xff;
	return prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB ? EBADMSG : -errno_of(code);
}

/* Creates what is missing of the schema, in one transaction. */
static int open_schema(struct sq *s, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
			       "name = 'entry_counts'", -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	bool counted = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	if (exec(s, "BEGIN", err, errlen) < 0)
		return -1;
	if (exec(s, schema, err, errlen) < 0 || exec(s, counts_schema, err, errlen) < 0 ||
	    (!counted && exec(s, counts_fill, err, errlen) < 0) ||
	    exec(s, "COMMIT", err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Reads the database's size in pages, free pages and page size. */
static void measure(struct sq *s, long long *pages, long long *free_pages,
		    long long *page_size)
{
	static const char *const sql[3] = {
		"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size",
	};
	long long *out[3] = { pages, free_pages, page_size };
	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &q, NULL) != SQLITE_OK)
			continue;
		if (sqlite3_step(q) == SQLITE_ROW)
			*out[i] = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
}

static void size_of(struct store_size *size, long long pages, long long free_pages,
		    long long page_size)
{
	size->file_bytes = pages * page_size;
	size->free_bytes = free_pages * page_size;
}

/* The schema, at this tandemd's version; 0, or -1 with err (and *version
 * what the file says). */
static int open_version(struct sq *s, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			*version = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (*version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "store.db has schema version %d; this tandemd knows "
			 "version %d at most", *version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (*version < 3 && exec(s, upgrade_3, err, errlen) < 0)
		return -1;
	char set_version[64];
	snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d",
		 STORE_SCHEMA_VERSION);
	if (*version < STORE_SCHEMA_VERSION && exec(s, set_version, err, errlen) < 0)
		return -1;
	return 0;
}

/* The first seq to hand out. Above every mark too: a message that came
 * after them must not take the seq of one a mark covers (its consumer
 * took and acked it) and pass for dispatched when loaded again. */
static int first_seq(struct sq *s, uint64_t *next, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT max(COALESCE((SELECT MAX(seq) FROM messages), 0), "
			       "COALESCE((SELECT MAX(seq) FROM dispatched), 0))", -1, &q,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	*next = 1;
	if (sqlite3_step(q) == SQLITE_ROW)
		*next = (uint64_t)sqlite3_column_int64(q, 0) + 1;
	sqlite3_finalize(q);
	return 0;
}

static void sq_close(void *b);
static const struct store_backend sqlite_backend;

/* SQLite's settings for the whole process, before its first connection.
 * No page cache starts with a bulk allocation: SQLite's default gives
 * each new cache 20 pages at once (88 KB), and a statement with an IN
 * list makes an in-memory table, so a cache, every time it runs; the
 * writer thread's heap then grew and shrank by that much per statement,
 * and glibc gave the memory back each time (madvise, and a TLB shootdown
 * on the other core): a third of the broker's CPU while a backlog drained. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
}

struct store *store_open(const char *dir, bool sync, char *err, size_t errlen)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, configure_sqlite);
	if (store_mkdir(dir) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return NULL;
	}
	struct sq *s = calloc(1, sizeof *s);
	char *path = NULL;
	if (!s || !(s->dir = strdup(dir)) || asprintf(&path, "%s/store.db", dir) < 0) {
		snprintf(err, errlen, "out of memory");
		free(s ? s->dir : NULL);
		free(s);
		return NULL;
	}
	s->auto_vacuum = -1;
	int version = 0;
	uint64_t next_seq = 1;
	/* A synced store's commits write their WAL frames at once (store_vfs.h). */
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, sync ? store_vfs_name() : NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* Opening runs on the loop thread: another process holding store.db
	 * fails it soon, and the locker tries again later (with a back-off)
	 * instead of the loop standing still for the commit's timeout. */
	sqlite3_busy_timeout(s->db, 500);
	/* auto_vacuum must be chosen before the first table exists; it lets
	 * housekeeping hand free pages back after a backlog drains. */
	sqlite3_wal_hook(s->db, on_wal, s);
	if (exec(s, "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;"
		 "PRAGMA journal_size_limit=67108864; PRAGMA foreign_keys=OFF;", err, errlen) < 0 ||
	    exec(s, sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
		 err, errlen) < 0 || exec(s, WRITER_PRAGMAS, err, errlen) < 0 ||
	    open_schema(s, err, errlen) < 0 || open_version(s, &version, err, errlen) < 0 ||
	    first_seq(s, &next_seq, err, errlen) < 0)
		goto fail;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	/* Another process holding the write lock (a second tandemd on the same
	 * directory) fails a commit with -EBUSY after this long. */
	sqlite3_busy_timeout(s->db, 5000);
	long long pages = 0, free_pages = 0, page_size = 4096;
	measure(s, &pages, &free_pages, &page_size);
	struct store_size size;
	size_of(&size, pages, free_pages, page_size);
	struct store *st = store_start(&sqlite_backend, s, path, next_seq, &size, err, errlen);
	free(path);
	if (!st)
		errno = EIO;
	return st;
fail:;
	/* What failed last, before closing forgets it. */
	int why = version > STORE_SCHEMA_VERSION ? EPROTO :
		  open_errno(s->db ? sqlite3_errcode(s->db) : rc);
	free(path);
	sq_close(s);
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

static void sq_close(void *b)
{
	struct sq *s = b;
	sqlite3_finalize(s->page_stmt);
	sqlite3_close(s->reader);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_error("store", "Closing %s/store.db: %s", s->dir, sqlite3_errmsg(s->db));
	free(s->dir);
	free(s);
}

/* ---- loading ---- */

/* Runs a query of the loop thread and hands each row to each_row;
 * `what` names it in the error logged. 0 or -1. */
static int query_db(sqlite3 *db, const char *sql, const char *what,
		    void (*each_row)(sqlite3_stmt *q, void *fn, void *ctx), void *fn, void *ctx)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		log_error("store", "Reading %s: %s", what, sqlite3_errmsg(db));
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		each_row(q, fn, ctx);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading %s: %s", what, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int query_rows(struct sq *s, const char *sql, const char *what,
		      void (*each_row)(sqlite3_stmt *q, void *fn, void *ctx), void *fn, void *ctx)
{
	return query_db(s->db, sql, what, each_row, fn, ctx);
}

static int open_reader(struct sq *s);

static const char *text(sqlite3_stmt *q, int col)
{
	return (const char *)sqlite3_column_text(q, col);
}

static void durable_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	((store_durable_fn)fn)(ctx, text(q, 0), text(q, 1), text(q, 2), text(q, 3),
			       sqlite3_column_int(q, 4));
}

static int sq_load_durables(void *b, store_durable_fn fn, void *ctx)
{
	return query_rows(b, "SELECT client_id, sub_name, topic, selector, COALESCE(no_local, -1) "
			  "FROM durables ORDER BY client_id, sub_name", "durable subscriptions",
			  durable_row, (void *)fn, ctx);
}

static void session_id_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	((store_session_id_fn)fn)(ctx, text(q, 0), sqlite3_column_int(q, 1),
				  (unsigned)sqlite3_column_int(q, 2));
}

static int sq_load_session_ids(void *b, store_session_id_fn fn, void *ctx)
{
	return query_rows(b, "SELECT owner, kind, id FROM session_ids", "session ids",
			  session_id_row, (void *)fn, ctx);
}

/* (container, int, int64) rows: marks and counts. */
static void mark_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	((store_mark_fn)fn)(ctx, text(q, 0), sqlite3_column_int(q, 1),
			    (uint64_t)sqlite3_column_int64(q, 2));
}

static int sq_load_marks(void *b, store_mark_fn fn, void *ctx)
{
	/* The marks of containers that hold nothing any more mark nothing:
	 * they go, so that drained queues leave no rows behind. */
	char err[256];
	if (exec(b, "DELETE FROM dispatched WHERE NOT EXISTS "
		 "(SELECT 1 FROM entries e WHERE e.container = dispatched.container)",
		 err, sizeof err) < 0)
		log_warn("store", "Dropping the dispatch marks of empty containers: %s", err);
	return query_rows(b, "SELECT container, priority, seq FROM dispatched", "dispatch marks",
			  mark_row, (void *)fn, ctx);
}

static int sq_load_counts(void *b, store_count_fn fn, void *ctx)
{
	/* store_count_fn and store_mark_fn take the same arguments */
	return query_rows(b, "SELECT container, priority, n FROM entry_counts "
			  "WHERE n > 0 ORDER BY container, priority", "the counts of messages",
			  mark_row, (void *)fn, ctx);
}

static void id_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	if (text(q, 0))
		((store_id_fn)fn)(ctx, text(q, 0));
}

static int sq_load_recent_ids(void *b, size_t max, store_id_fn fn, void *ctx)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT id FROM (SELECT seq, id FROM messages "
		 "ORDER BY seq DESC LIMIT %lld) ORDER BY seq",
		 (long long)(max > INT64_MAX ? INT64_MAX : max));
	/* Through the loop's own connection, as paging in: the broker reads
	 * these when the first consumer comes or a producer's id is first
	 * looked up (producer_audit_defer), while the writer thread may be
	 * inside a commit on its connection. Read through that one, the loop
	 * used a connection another thread was using (opened NOMUTEX): under
	 * kill -9 rounds (t/30-persistence) the paging connection then found
	 * "file is not a database" and receipted messages were lost. */
	struct sq *s = b;
	if (!s->reader && open_reader(s) < 0)
		return -1;
	return query_db(s->reader, sql, "message ids", id_row, (void *)fn, ctx);
}

static void prepared_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	((store_prepared_fn)fn)(ctx, text(q, 0));
}

static void prepared_ack_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	((store_prepared_ack_fn)fn)(ctx, text(q, 0), text(q, 1),
				    (uint64_t)sqlite3_column_int64(q, 2));
}

static int sq_load_prepared(void *b, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			    void *ctx)
{
	if (query_rows(b, "SELECT txid FROM prepared ORDER BY txid", "prepared transactions",
		       prepared_row, (void *)fn, ctx) < 0)
		return -1;
	return query_rows(b, "SELECT txid, container, seq FROM prepared_acks "
			  "ORDER BY txid, container, seq", "prepared transactions",
			  prepared_ack_row, (void *)ack_fn, ctx);
}

/* The columns of a message row from column 0 on: container, seq, id,
 * dest_type, dest, headers, body, priority, expires, timestamp,
 * redeliveries (then the holders, when asked for). */
#define ROW_COLUMNS "e.container, m.seq, m.id, m.dest_type, m.dest, m.headers, m.body, " \
		    "m.priority, m.expires, m.timestamp, m.redeliveries"

static void read_row(sqlite3_stmt *q, struct store_row *r)
{
	*r = (struct store_row){
		.container = text(q, 0),
		.seq = (uint64_t)sqlite3_column_int64(q, 1),
		.id = text(q, 2),
		.dest_type = sqlite3_column_int(q, 3),
		.dest = text(q, 4),
		.headers = sqlite3_column_blob(q, 5),
		.headers_len = (size_t)sqlite3_column_bytes(q, 5),
		.body = sqlite3_column_blob(q, 6),
		.body_len = (size_t)sqlite3_column_bytes(q, 6),
		.priority = sqlite3_column_int(q, 7),
		.expires = sqlite3_column_int64(q, 8),
		.timestamp = sqlite3_column_int64(q, 9),
		.redeliveries = (uint32_t)sqlite3_column_int64(q, 10),
		.holders = 1,
	};
}

static int sq_load_rows(void *b, const char *prefix, store_row_fn fn, void *ctx)
{
	struct sq *s = b;
	sqlite3_stmt *q;
	/* A range of the primary key: names from prefix up to the prefix
	 * with its last byte one higher. */
	size_t plen = strlen(prefix);
	char *end = strdup(prefix);
	if (!end || (plen && (unsigned char)end[plen - 1] == 0xff)) {
		free(end);
		log_error("store", "Reading messages of %s: out of memory", prefix);
		return -1;
	}
	if (plen)
		end[plen - 1]++;
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT " ROW_COLUMNS ", "
		 "(SELECT COUNT(*) FROM entries h WHERE h.seq = e.seq) "
		 "FROM entries e JOIN messages m ON m.seq = e.seq %s "
		 "ORDER BY e.container, e.seq",
		 plen ? "WHERE e.container >= ?1 AND e.container < ?2" : "");
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		free(end);
		log_error("store", "Reading messages: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (plen) {
		sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, end, -1, free);
	} else {
		free(end);
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_row r;
		read_row(q, &r);
		r.holders = (long)sqlite3_column_int64(q, 11);
		fn(ctx, &r);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_error("store", "Reading messages: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Paging reads through a connection of its own: WAL lets it read what is
 * committed while the writer thread writes the next batch. */
static int open_reader(struct sq *s)
{
	char *path = NULL;
	if (asprintf(&path, "%s/store.db", s->dir) < 0)
		return -1;
	int rc = sqlite3_open_v2(path, &s->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
				 NULL);
	free(path);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->reader,
			"SELECT " ROW_COLUMNS " FROM entries e JOIN messages m ON m.seq = e.seq "
			"WHERE e.container = ?1 AND m.priority = ?4 AND e.seq > ?2 "
			"ORDER BY e.seq LIMIT ?3",
			-1, SQLITE_PREPARE_PERSISTENT, &s->page_stmt, NULL);
	if (rc != SQLITE_OK) {
		log_error("store", "Cannot open %s/store.db for paging: %s", s->dir,
			  s->reader ? sqlite3_errmsg(s->reader) : sqlite3_errstr(rc));
		sqlite3_close(s->reader);
		s->reader = NULL;
		return -1;
	}
	return 0;
}

static int sq_page_rows(void *b, const char *container, int priority, uint64_t after_seq,
			size_t max, store_row_fn fn, void *ctx)
{
	struct sq *s = b;
	if (!s->reader && open_reader(s) < 0)
		return -1;
	sqlite3_stmt *q = s->page_stmt;
	sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after_seq);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
	sqlite3_bind_int(q, 4, priority);
	int rc, n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_row r;
		read_row(q, &r);
		fn(ctx, &r);
		n++;
	}
	if (rc != SQLITE_DONE)
		log_error("store", "Paging in %s: %s", container, sqlite3_errmsg(s->reader));
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? n : -1;
}

/* ---- one transaction ---- */

/* Binds the values and runs one statement to completion. */
static int run(struct sq *s, enum stmt_id id)
{
	sqlite3_stmt *q = s->stmt[id];
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int bind_text(struct sq *s, enum stmt_id id, int col, const char *v)
{
	return sqlite3_bind_text(s->stmt[id], col, v, -1, SQLITE_STATIC);
}

static int bind_int64(struct sq *s, enum stmt_id id, int col, uint64_t v)
{
	return sqlite3_bind_int64(s->stmt[id], col, (sqlite3_int64)v);
}

static int add_message(struct sq *s, const struct message *m)
{
	char *blob;
	size_t len;
	if (store_encode_headers(m, &blob, &len) < 0)
		return SQLITE_NOMEM;
	sqlite3_stmt *q = s->stmt[ST_ADD_MESSAGE];
	sqlite3_bind_int64(q, 1, (sqlite3_int64)m->seq);
	sqlite3_bind_text(q, 2, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, m->dest_type);
	sqlite3_bind_text(q, 4, m->dest, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, m->priority);
	sqlite3_bind_int64(q, 8, m->expires);
	sqlite3_bind_int64(q, 9, m->timestamp);
	sqlite3_bind_int64(q, 10, m->redeliveries);
	/* Only the blobs can fail to bind (SQLITE_TOOBIG); a failed
	 * bind would leave NULL and store an empty body. */
	int rc = sqlite3_bind_blob64(q, 5, blob, len, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob64(q, 6, m->body_len ? m->body : "", m->body_len,
					 SQLITE_STATIC);
	if (rc == SQLITE_OK) {
		rc = run(s, ST_ADD_MESSAGE);
	} else {
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
	free(blob);
	return rc;
}

/* Writes the removals gathered: a statement for each run of one
 * container, then one that drops the messages no entry holds any more.
 * The same rows as a statement each, in the same transaction. */
static int flush_removals(struct sq *s)
{
	struct removal *r = s->removals;
	size_t n = s->nremovals;
	int rc = SQLITE_OK;
	s->nremovals = 0;
	for (size_t i = 0, j; rc == SQLITE_OK && i < n; i = j) {
		bind_text(s, ST_REMOVE_ENTRIES, 1, r[i].container);
		for (j = i; j < n && (r[j].container == r[i].container ||
				      !strcmp(r[j].container, r[i].container)); j++)
			bind_int64(s, ST_REMOVE_ENTRIES, (int)(j - i) + 2, r[j].seq);
		rc = run(s, ST_REMOVE_ENTRIES);
	}
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++)
		bind_int64(s, ST_DROP_ORPHANS, (int)i + 1, r[i].seq);
	return rc == SQLITE_OK && n ? run(s, ST_DROP_ORPHANS) : rc;
}

/* Gathers a removal, written with the next REMOVE_BATCH - 1 or before
 * an operation that it must come before (apply_op). */
static int remove_entry(struct sq *s, const struct op *o)
{
	s->removals[s->nremovals++] = (struct removal){ o->a, o->seq };
	return s->nremovals == REMOVE_BATCH ? flush_removals(s) : SQLITE_OK;
}

static int write_mark(struct sq *s, const char *container, int prio, uint64_t seq)
{
	bind_text(s, ST_MARK_DISPATCHED, 1, container);
	sqlite3_bind_int(s->stmt[ST_MARK_DISPATCHED], 2, prio);
	bind_int64(s, ST_MARK_DISPATCHED, 3, seq);
	return run(s, ST_MARK_DISPATCHED);
}

/* Keeps a dispatch mark for later: a queue's dispatch round marks one
 * between every few acks of a draining consumer, and a mark only ever
 * rises (the statement keeps the higher), so of the marks of one
 * container and priority in a row only the last is written; another
 * one's writes the kept one first. */
static int mark_later(struct sq *s, const struct op *o)
{
	bool same = s->mark.container && s->mark_prio == o->prio && !strcmp(s->mark.container, o->a);
	if (same) {
		if (o->seq > s->mark.seq)
			s->mark.seq = o->seq;
		return SQLITE_OK;
	}
	int rc = s->mark.container ? write_mark(s, s->mark.container, s->mark_prio, s->mark.seq)
				   : SQLITE_OK;
	s->mark = (struct removal){ o->a, o->seq };
	s->mark_prio = o->prio;
	return rc;
}

/* Writes what waits for later (removals, then the kept mark): before any
 * operation other than those two kinds, which touch no table the other
 * writes (removals: entries, messages and their counts; marks:
 * dispatched), and before the commit. */
static int flush_later(struct sq *s)
{
	int rc = s->nremovals ? flush_removals(s) : SQLITE_OK;
	if (rc == SQLITE_OK && s->mark.container)
		rc = write_mark(s, s->mark.container, s->mark_prio, s->mark.seq);
	s->mark.container = NULL;
	return rc;
}

/* Every entry of a container, its orphaned messages, marks and counts. */
static int remove_container(struct sq *s, const char *container)
{
	bind_text(s, ST_DROP_CONTAINER_ORPHANS, 1, container);
	int rc = run(s, ST_DROP_CONTAINER_ORPHANS);
	if (rc == SQLITE_OK) {
		bind_text(s, ST_REMOVE_CONTAINER, 1, container);
		rc = run(s, ST_REMOVE_CONTAINER);
	}
	if (rc == SQLITE_OK) {
		bind_text(s, ST_REMOVE_MARKS, 1, container);
		rc = run(s, ST_REMOVE_MARKS);
	}
	if (rc == SQLITE_OK) {
		bind_text(s, ST_UNCOUNT_CONTAINER, 1, container);
		rc = run(s, ST_UNCOUNT_CONTAINER);
	}
	return rc;
}

static int rename_durable(struct sq *s, const struct op *o)
{
	char *from = store_durable_container(o->a, o->b), *to = store_durable_container(o->a, o->c);
	int rc = from && to ? SQLITE_OK : SQLITE_NOMEM;
	if (rc == SQLITE_OK) {
		bind_text(s, ST_RENAME_DURABLE, 1, o->a);
		bind_text(s, ST_RENAME_DURABLE, 2, o->b);
		bind_text(s, ST_RENAME_DURABLE, 3, o->c);
		rc = run(s, ST_RENAME_DURABLE);
	}
	if (rc == SQLITE_OK) {
		bind_text(s, ST_RENAME_CONTAINER, 1, from);
		bind_text(s, ST_RENAME_CONTAINER, 2, to);
		rc = run(s, ST_RENAME_CONTAINER);
	}
	if (rc == SQLITE_OK) {
		bind_text(s, ST_RENAME_MARKS, 1, from);
		bind_text(s, ST_RENAME_MARKS, 2, to);
		rc = run(s, ST_RENAME_MARKS);
	}
	free(from);
	free(to);
	return rc;
}

static int apply_op(struct sq *s, const struct op *o)
{
	if (o->kind == OP_REMOVE_ENTRY)
		return remove_entry(s, o);
	if (o->kind == OP_MARK_DISPATCHED)
		return mark_later(s, o);
	int rc = flush_later(s);
	if (rc != SQLITE_OK)
		return rc;
	switch (o->kind) {
	case OP_ADD_MESSAGE:
		return add_message(s, o->msg);
	case OP_ADD_ENTRY:
		bind_text(s, ST_ADD_ENTRY, 1, o->a);
		bind_int64(s, ST_ADD_ENTRY, 2, o->seq);
		return run(s, ST_ADD_ENTRY);
	case OP_REMOVE_ENTRY:	/* above */
	case OP_REMOVE_DURABLE:
		bind_text(s, ST_REMOVE_DURABLE, 1, o->a);
		bind_text(s, ST_REMOVE_DURABLE, 2, o->b);
		rc = run(s, ST_REMOVE_DURABLE);
		/* and its entries, as for a container (the name is in c) */
		return rc == SQLITE_OK ? remove_container(s, o->c) : rc;
	case OP_REMOVE_CONTAINER:
		return remove_container(s, o->a);
	case OP_RENAME_DURABLE:
		return rename_durable(s, o);
	case OP_ADD_SESSION_ID:
	case OP_REMOVE_SESSION_ID: {
		enum stmt_id id = o->kind == OP_ADD_SESSION_ID ? ST_ADD_SESSION_ID
							       : ST_REMOVE_SESSION_ID;
		bind_text(s, id, 1, o->a);
		sqlite3_bind_int(s->stmt[id], 2, (int)(o->seq >> 16));
		sqlite3_bind_int(s->stmt[id], 3, (int)(o->seq & 0xffff));
		return run(s, id);
	}
	case OP_REMOVE_SESSION_IDS:
		bind_text(s, ST_REMOVE_SESSION_IDS, 1, o->a);
		return run(s, ST_REMOVE_SESSION_IDS);
	case OP_ADD_PREPARED:
		bind_text(s, ST_ADD_PREPARED, 1, o->a);
		return run(s, ST_ADD_PREPARED);
	case OP_ADD_PREPARED_ACK:
		bind_text(s, ST_ADD_PREPARED_ACK, 1, o->a);
		bind_text(s, ST_ADD_PREPARED_ACK, 2, o->b);
		bind_int64(s, ST_ADD_PREPARED_ACK, 3, o->seq);
		return run(s, ST_ADD_PREPARED_ACK);
	case OP_REMOVE_PREPARED:
		bind_text(s, ST_REMOVE_PREPARED, 1, o->a);
		rc = run(s, ST_REMOVE_PREPARED);
		if (rc == SQLITE_OK) {
			bind_text(s, ST_REMOVE_PREPARED_ACKS, 1, o->a);
			rc = run(s, ST_REMOVE_PREPARED_ACKS);
		}
		return rc;
	case OP_MARK_DISPATCHED:	/* above */
	case OP_ADD_DURABLE:
		bind_text(s, ST_ADD_DURABLE, 1, o->a);
		bind_text(s, ST_ADD_DURABLE, 2, o->b);
		bind_text(s, ST_ADD_DURABLE, 3, o->c);
		if (o->d)
			bind_text(s, ST_ADD_DURABLE, 4, o->d);
		else
			sqlite3_bind_null(s->stmt[ST_ADD_DURABLE], 4);
		sqlite3_bind_int(s->stmt[ST_ADD_DURABLE], 5, o->seq != 0);
		return run(s, ST_ADD_DURABLE);
	case OP_NONE:
		break;
	}
	return rc;
}

/* The backend's result: 0, or the negative errno with rc kept for why(). */
static int result(struct sq *s, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	s->rc = rc;
	return errno_of(rc);
}

static int sq_begin(void *b)
{
	struct sq *s = b;
	s->nremovals = 0;
	s->mark.container = NULL;
	return result(b, run(b, ST_BEGIN));
}

static int sq_apply(void *b, const struct op *o)
{
	return result(b, apply_op(b, o));
}

static int sq_commit(void *b)
{
	struct sq *s = b;
	int rc = flush_later(s);
	return result(s, rc == SQLITE_OK ? run(s, ST_COMMIT) : rc);
}

static void sq_rollback(void *b)
{
	struct sq *s = b;
	if (!sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK);
}

static const char *sq_why(void *b)
{
	return sqlite3_errstr(((struct sq *)b)->rc);
}

/* ---- housekeeping (writer thread) ---- */

/* A single-value PRAGMA's value, or -1. */
static long long pragma_int(struct sq *s, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Rebuilds a store without auto_vacuum=INCREMENTAL with it, once, so
 * that the slices below can give its pages back (PRAGMA auto_vacuum alone
 * does nothing to a database that has tables). True when it ran. */
static bool convert_to_incremental(struct sq *s, long long live_bytes)
{
	if (s->auto_vacuum < 0)
		s->auto_vacuum = (int)pragma_int(s, "PRAGMA auto_vacuum");
	if (s->auto_vacuum == 2 || live_bytes > CONVERT_MAX_BYTES)
		return false;
	char err[256];
	if (exec(s, "PRAGMA auto_vacuum=INCREMENTAL; VACUUM", err, sizeof err) < 0) {
		log_warn("store", "%s/store.db could not be rebuilt to give free pages back: %s",
			 s->dir, err);
	} else {
		log_info("store", "%s/store.db rebuilt with auto_vacuum=INCREMENTAL: its free "
			 "pages go back to the file system from now on", s->dir);
	}
	s->auto_vacuum = 2;	/* tried once */
	s->wal_dirty = true;
	return true;
}

/* Copies the WAL's frames into store.db (CHECKPOINT_FRAMES says why
 * here). When every frame was copied the next commit starts the WAL over;
 * when a reader still needed some, the next occasion tries again. */
static void checkpoint(struct sq *s)
{
	int frames = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames,
					   &copied);
	if (rc == SQLITE_OK && copied == frames)
		s->wal_frames = 0;
}

/* Cuts the WAL back to nothing after a long quiet time (WAL_IDLE_US), when
 * it is larger than WAL_KEEP; a checkpoint alone leaves its size. */
static void truncate_wal(struct sq *s)
{
	if (!s->wal_dirty || store_now_us() - s->last_write < WAL_IDLE_US)
		return;
	s->wal_dirty = false;
	char *path = NULL;
	struct stat sb;
	if (asprintf(&path, "%s/store.db-wal", s->dir) < 0)
		return;
	bool big = stat(path, &sb) == 0 && sb.st_size > WAL_KEEP;
	free(path);
	if (big)
		exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", (char[128]){ 0 }, 128);
}

/* Measures the file and, when `quiet` (no commit for QUIET_US), returns
 * free pages to the file system a slice at a time, so that a drained
 * backlog gives its disk space back. Only when quiet: moving pages is slow
 * on a big file (2,048 pages took 160 ms on an 800 MB store); while a
 * backlog drained it took more of the writer's time than the
 * acknowledgements, and each slice holds up the commit behind it. Under a
 * steady load the free pages are used again instead. Once nothing is left
 * to give back, the WAL is cut back after a longer quiet time. */
static void housekeeping(struct sq *s, bool quiet, struct store_size *size)
{
	long long pages = 0, free_pages = 0, page_size = 4096;
	measure(s, &pages, &free_pages, &page_size);
	bool worth = free_pages > 256 && free_pages * 4 > pages;
	bool wal = s->wal_frames >= CHECKPOINT_FRAMES / 4;
	if (worth && quiet && convert_to_incremental(s, (pages - free_pages) * page_size)) {
		measure(s, &pages, &free_pages, &page_size);
		worth = false;
	} else if (worth && quiet) {
		/* The file shrinks at a checkpoint; a slice alone writes too
		 * little to the WAL to start one. */
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)", VACUUM_SLICE);
		exec(s, sql, (char[128]){ 0 }, 128);
		checkpoint(s);
		free_pages = free_pages > VACUUM_SLICE ? free_pages - VACUUM_SLICE : 0;
		pages -= VACUUM_SLICE;
	} else if (quiet) {
		/* Copied while nobody waits. A trickle of commits is left to
		 * the next size: each would cost a checkpoint's two syncs. */
		if (wal)
			checkpoint(s);
		truncate_wal(s);
	}
	/* While there is more to give back, the next slice follows at once
	 * while quiet, and the next look soon, even when no commit comes. */
	s->housekeeping_more = worth || (wal && !quiet);
	s->housekeeping_next = store_now_us() + (worth && quiet ? 0 : HOUSEKEEPING_US);
	size_of(size, pages, free_pages, page_size);
}

static bool sq_after_commit(void *b, int64_t now, struct store_size *size)
{
	struct sq *s = b;
	s->last_write = now;
	s->wal_dirty = true;
	/* After the callbacks were handed over: receipts do not wait for it. */
	if (s->wal_frames >= CHECKPOINT_FRAMES)
		checkpoint(s);
	if (s->last_write >= s->housekeeping_next) {
		housekeeping(s, false, size);
		return true;
	}
	s->housekeeping_more = true;	/* the size is stale: soon */
	return false;
}

static int64_t sq_idle_due(void *b)
{
	struct sq *s = b;
	if (!s->housekeeping_more && !s->wal_dirty)
		return 0;
	int64_t due = s->housekeeping_more ? s->housekeeping_next : s->last_write + WAL_IDLE_US;
	return due < s->last_write + QUIET_US ? s->last_write + QUIET_US : due;
}

static bool sq_idle(void *b, struct store_size *size)
{
	housekeeping(b, true, size);
	return true;
}

static const struct store_backend sqlite_backend = {
	.begin = sq_begin,
	.apply = sq_apply,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.why = sq_why,
	.after_commit = sq_after_commit,
	.idle_due = sq_idle_due,
	.idle = sq_idle,
	.load_durables = sq_load_durables,
	.load_session_ids = sq_load_session_ids,
	.load_marks = sq_load_marks,
	.load_counts = sq_load_counts,
	.load_recent_ids = sq_load_recent_ids,
	.load_prepared = sq_load_prepared,
	.load_rows = sq_load_rows,
	.page_rows = sq_page_rows,
	.close = sq_close,
};
