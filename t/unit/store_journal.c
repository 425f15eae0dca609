/* A synced store's journal (broker/store/store_journal.h): commits that
 * reached the journal and not SQLite (TANDEM_TEST_JOURNAL_ONLY, as if a
 * crash lost everything SQLite wrote without a sync) are all there after
 * the store opens again, replaying them again changes nothing, a torn
 * last record or a bad CRC ends the replay there, a disk without room
 * for the journal is a clear error at open, and the store's size counts
 * the journal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store_test.h"

#define RECORD_AT(i) (4096L * ((i) + 1))	/* a small commit's record: one block */

static char base[] = "/tmp/tandem-store-journal-test-XXXXXX";

/* What a store holds: "container id" lines, sorted by load order. */
struct seen {
	char text[4096];
	int n;
};

static void saw(void *ctx, const char *container, struct message *m)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof s->text - len, "%s %s;", container, m->id);
	s->n++;
	message_unref(m);
}

static void count(void *ctx, const char *container, int priority, uint64_t n)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof s->text - len, "%s/%d=%llu;", container, priority,
		 (unsigned long long)n);
}

static int load(const char *dir, struct seen *entries, struct seen *counts)
{
	char err[256];
	memset(entries, 0, sizeof *entries);
	memset(counts, 0, sizeof *counts);
	struct store *st = store_open(dir, true, err, sizeof err);
	if (!st) {
		diag("store_open: %s", err);
		return -1;
	}
	int rc = store_load_entries(st, saw, entries);
	if (rc == 0)
		rc = store_load_counts(st, count, counts);
	store_close(st);
	return rc;
}

/* One commit each: n messages on queue://q (id-0 ...), then, when
 * `more`, a removal of id-1, a durable subscription holding id-0 renamed
 * (its entries with it). In a child that dies without closing, its
 * commits reaching the journal only. */
static void write_commits(const char *dir, int n, bool more)
{
	pid_t pid = fork();
	if (pid == 0) {
		setenv("TANDEM_TEST_JOURNAL_ONLY", "1", 1);
		char err[256];
		struct store *st = store_open(dir, true, err, sizeof err);
		if (!st)
			_exit(2);
		uint64_t seq0 = 0, seq1 = 0;
		for (int i = 0; i < n; i++) {
			char id[16];
			snprintf(id, sizeof id, "id-%d", i);
			struct message *m = test_message(id, "q", 100, 'a');
			store_add_message(st, m);
			store_add_entry(st, "queue://q", m->seq);
			if (i == 0)
				seq0 = m->seq;
			if (i == 1)
				seq1 = m->seq;
			message_unref(m);
			if (store_flush(st) != 0)
				_exit(3);
		}
		if (more) {
			store_remove_entry(st, "queue://q", seq1);
			store_flush(st);
			store_add_durable(st, "c", "s1", "t", NULL, false);
			store_add_entry(st, "durable://c:s1", seq0);
			store_flush(st);
			store_rename_durable(st, "c", "s1", "s2");
			if (store_flush(st) != 0)
				_exit(3);
		}
		_exit(0);	/* no close: as a kill -9 */
	}
	int status = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		diag("the writing child ended with status %d", status);
}

static long long messages_in_db(const char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/store.db", dir);
	sqlite3 *db;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM messages", -1, &q, NULL) ==
		    SQLITE_OK) {
			if (sqlite3_step(q) == SQLITE_ROW)
				v = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
		}
	}
	sqlite3_close(db);
	return v;
}

static char *subdir(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", base, name);
	return p;
}

static int run(const char *cmd)
{
	return system(cmd);
}

/* Damages `len` bytes of the journal in dir at `off`. */
static void damage(const char *dir, long off, size_t len, int byte)
{
	char path[256];
	snprintf(path, sizeof path, "%s/store.journal", dir);
	int fd = open(path, O_WRONLY);
	char buf[4096];
	memset(buf, byte, sizeof buf);
	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len)
		diag("cannot damage %s", path);
	if (fd >= 0)
		close(fd);
}

static void journal_alone(void)
{
	char *d = subdir("alone"), *copy = subdir("alone-copy");
	write_commits(d, 3, true);
	ok(messages_in_db(d) == 0, "commits that reached only the journal left store.db empty");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "cp -a %s %s", d, copy);
	run(cmd);
	struct seen e, c;
	ok(load(d, &e, &c) == 0, "the store opens");
	is_str(e.text, "durable://c:s2 id-0;queue://q id-0;queue://q id-2;",
	       "every journaled operation is there: adds, a removal, a rename");
	is_str(c.text, "durable://c:s2/4=1;queue://q/4=2;", "and the counts agree");
	ok(messages_in_db(d) == 2, "store.db holds them now");

	/* The same records again over a store that has them. */
	snprintf(cmd, sizeof cmd, "cp %s/store.journal %s/store.journal", copy, d);
	run(cmd);
	ok(load(d, &e, &c) == 0, "replayed again over a store that holds them");
	is_str(e.text, "durable://c:s2 id-0;queue://q id-0;queue://q id-2;",
	       "the same entries, none twice");
	is_str(c.text, "durable://c:s2/4=1;queue://q/4=2;", "the same counts");
	ok(load(d, &e, &c) == 0 && e.n == 3, "and a clean close leaves nothing to replay");
}

static void torn_last(void)
{
	char *d = subdir("torn");
	write_commits(d, 3, false);
	/* the third record's second half never reached the disk */
	damage(d, RECORD_AT(2) + 64, 4096 - 64, 0);
	struct seen e, c;
	ok(load(d, &e, &c) == 0, "a torn last record: the store opens");
	is_str(e.text, "queue://q id-0;queue://q id-1;", "with every record before it");
	/* and the journal goes on from there */
	write_commits(d, 1, false);
	ok(load(d, &e, &c) == 0 && e.n == 3, "the next commit after it is replayed too");
}

static void bad_crc(void)
{
	char *d = subdir("crc");
	write_commits(d, 4, false);
	damage(d, RECORD_AT(1) + 200, 1, 'Z');
	struct seen e, c;
	ok(load(d, &e, &c) == 0, "a bad CRC in the middle: the store opens");
	is_str(e.text, "queue://q id-0;", "with the records before it only");
}

static void sized(void)
{
	char *d = subdir("size"), err[256];
	struct store *st = store_open(d, true, err, sizeof err);
	char path[300];
	snprintf(path, sizeof path, "%s/store.journal", d);
	struct stat sb;
	struct store_size sz = { 0, 0 };
	if (st)
		store_size(st, &sz);
	ok(st && stat(path, &sb) == 0 && sb.st_size > 0 && sz.file_bytes >= sb.st_size &&
	   sz.file_bytes - sz.free_bytes < sb.st_size,
	   "the store's size has the journal's file in it, its unused room as free");
	if (st)
		store_close(st);
}

static void no_room(void)
{
	char *fs = subdir("fs");
	mkdir(fs, 0755);
	if (mount("tandem-test", fs, "tmpfs", 0, "size=1m") < 0) {
		ok(1, "a disk without room for the journal # SKIP cannot mount a tmpfs here");
		return;
	}
	char err[256] = "";
	struct store *st = store_open(fs, true, err, sizeof err);
	int why = errno;
	diag("%s", err);
	ok(!st && why == ENOSPC && strstr(err, "store.journal"),
	   "a disk without room for the journal: ENOSPC at open, naming it");
	if (st)
		store_close(st);
	umount(fs);
}

int main(void)
{
	if (!mkdtemp(base)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	journal_alone();
	torn_last();
	bad_crc();
	sized();
	no_room();
	test_remove_dir(base);
	return done_testing();
}
