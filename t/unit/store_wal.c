/* The store's WAL (store.db-wal) is checkpointed by the writer thread, not
 * inside commits (store.c, CHECKPOINT_FRAMES): it stays the same few MiB,
 * overwritten in place however many commits go through it, and what it
 * holds reaches store.db at a quiet moment without waiting for the next
 * 1,000 frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store_test.h"

static char dir[] = "/tmp/tandem-store-wal-test-XXXXXX";

static long long file_size(const char *name)
{
	char path[128];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &sb) < 0 ? -1 : (long long)sb.st_size;
}

/* The database's size as SQLite sees it (through the WAL), in bytes. */
static long long db_bytes(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/store.db", dir);
	sqlite3 *db;
	long long pages = -1, page_size = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_stmt *q;
		const char *sql[2] = { "PRAGMA page_count", "PRAGMA page_size" };
		long long *out[2] = { &pages, &page_size };
		for (int i = 0; i < 2; i++) {
			if (sqlite3_prepare_v2(db, sql[i], -1, &q, NULL) != SQLITE_OK)
				continue;
			if (sqlite3_step(q) == SQLITE_ROW)
				*out[i] = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
		}
	}
	sqlite3_close(db);
	return pages * page_size;
}

/* One commit of one persistent 1 KiB message on queue://q. */
static int send_one(struct store *st, long i)
{
	char id[32];
	snprintf(id, sizeof id, "id-%ld", i);
	test_queue_one(st, id, 1024, 'x');
	return store_flush(st);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char err[256];
	struct store *st = store_open(dir, false, err, sizeof err);
	ok(st != NULL, "the store opens");
	if (!st)
		return done_testing();

	/* 100 messages: about 400 frames, fewer than a checkpoint by size
	 * needs. SQLite's automatic checkpoint would leave them in the WAL
	 * until 1,000 frames; the writer copies them once it is quiet. */
	int failed = 0;
	for (long i = 0; i < 100; i++)
		failed += send_one(st, i) != 0;
	ok(!failed, "100 commits of one message each");
	long long want = db_bytes(), have = file_size("store.db");
	diag("store.db: %lld bytes, the database %lld", have, want);
	ok(want > have, "store.db lacks pages that are only in the WAL yet");
	for (int tries = 0; tries < 100 && file_size("store.db") < want; tries++)
		usleep(50000);
	have = file_size("store.db");
	diag("store.db: %lld bytes, the database %lld", have, want);
	ok(have >= want, "a quiet moment later the WAL has been copied into store.db");

	/* 1,500 more: some 6,000 frames, the WAL started over each time it
	 * was checkpointed. */
	long long wal_max = 0;
	for (long i = 100; i < 1600; i++) {
		failed += send_one(st, i) != 0;
		long long w = file_size("store.db-wal");
		if (w > wal_max)
			wal_max = w;
	}
	ok(!failed, "1,500 more commits");
	/* 1,000 frames of 4 KiB pages and their 24-byte headers, and the
	 * last commit's few frames beyond. */
	diag("store.db-wal: %lld bytes at most", wal_max);
	ok(wal_max > 0 && wal_max < 1100LL * (4096 + 24) + 32,
	   "the WAL stays the same size, overwritten in place");
	store_close(st);

	test_remove_dir(dir);
	return done_testing();
}
