/* The SQLite store's removals (acks), written many to a statement: what
 * stays and what goes is what one statement each left, across several
 * containers, priorities and messages held twice, in the order the
 * operations were queued. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store_test.h"

static char dir[] = "/tmp/tandem-store-removals-XXXXXX";

#define NMSG 300

static const char *const containers[] = { "queue://a", "queue://b", "durable://c:s", "queue://c" };
#define NCONT 4

/* held[i][k]: message i (1..NMSG) is in containers[k]. */
static bool held[NMSG + 1][NCONT];
static uint64_t seq_of[NMSG + 1];

static int prio_of(int i)
{
	return i % 3 == 0 ? 9 : i % 3 == 1 ? 4 : 0;
}

static struct message *msg(int i)
{
	char id[32];
	snprintf(id, sizeof id, "id-%d", i);
	struct message *m = test_message(id, "a", 1, 'x');
	m->priority = (uint8_t)prio_of(i);
	return m;
}

/* One line of SQL's text answer, "" when none. */
static const char *text_of(const char *sql)
{
	static char out[8192];
	char path[128];
	snprintf(path, sizeof path, "%s/store.db", dir);
	sqlite3 *db;
	sqlite3_stmt *q;
	out[0] = '\0';
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_text(q, 0))
		snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	return out;
}

/* What held[][] says the store must hold, as the queries below put it. */
static void expected(char *entries, size_t elen, char *messages, size_t mlen, char *counts,
		     size_t clen)
{
	entries[0] = messages[0] = counts[0] = '\0';
	/* entries by container then seq, as "container:seq" */
	static const int order[NCONT] = { 2, 0, 1, 3 };	/* durable:// sorts first */
	for (int o = 0; o < NCONT; o++) {
		int k = order[o];
		for (int i = 1; i <= NMSG; i++)
			if (held[i][k])
				snprintf(entries + strlen(entries), elen - strlen(entries), "%s%s:%llu",
					 *entries ? " " : "", containers[k],
					 (unsigned long long)seq_of[i]);
		for (int p = 0; p <= 9; p++) {
			int n = 0;
			for (int i = 1; i <= NMSG; i++)
				n += held[i][k] && prio_of(i) == p;
			if (n)
				snprintf(counts + strlen(counts), clen - strlen(counts), "%s%s/%d/%d",
					 *counts ? " " : "", containers[k], p, n);
		}
	}
	for (int i = 1; i <= NMSG; i++)
		if (held[i][0] || held[i][1] || held[i][2] || held[i][3])
			snprintf(messages + strlen(messages), mlen - strlen(messages), "%s%llu",
				 *messages ? " " : "", (unsigned long long)seq_of[i]);
}

static void check_store(const char *what)
{
	static char entries[16384], messages[4096], counts[512];
	char name[160];
	expected(entries, sizeof entries, messages, sizeof messages, counts, sizeof counts);
	snprintf(name, sizeof name, "%s: the entries left are those not removed", what);
	is_str(text_of("SELECT group_concat(container || ':' || seq, ' ') FROM "
		       "(SELECT container, seq FROM entries ORDER BY container, seq)"), entries,
	       name);
	snprintf(name, sizeof name, "%s: a message row stays exactly while an entry holds it",
		 what);
	is_str(text_of("SELECT group_concat(seq, ' ') FROM (SELECT seq FROM messages ORDER BY seq)"),
	       messages, name);
	snprintf(name, sizeof name, "%s: the counts per container and priority follow", what);
	is_str(text_of("SELECT group_concat(container || '/' || priority || '/' || n, ' ') FROM "
		       "(SELECT * FROM entry_counts WHERE n > 0 ORDER BY container, priority)"),
	       counts, name);
}

/* Adds message i to container k (queued). */
static void add_entry(struct store *st, int i, int k)
{
	store_add_entry(st, containers[k], seq_of[i]);
	held[i][k] = true;
}

/* marked[k][p]: the highest seq marked dispatched for containers[k] and
 * priority p. */
static uint64_t marked[NCONT][10];

/* A dispatch round's mark (queued). */
static void mark(struct store *st, int i, int k)
{
	store_mark_dispatched(st, containers[k], prio_of(i), seq_of[i]);
	if (seq_of[i] > marked[k][prio_of(i)])
		marked[k][prio_of(i)] = seq_of[i];
}

static void check_marks(const char *what)
{
	char want[512] = "", name[160];
	static const int order[NCONT] = { 2, 0, 1, 3 };
	for (int o = 0; o < NCONT; o++)
		for (int p = 0; p <= 9; p++)
			if (marked[order[o]][p])
				snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s/%d/%llu",
					 *want ? " " : "", containers[order[o]], p,
					 (unsigned long long)marked[order[o]][p]);
	snprintf(name, sizeof name, "%s: each container's and priority's highest mark is kept",
		 what);
	is_str(text_of("SELECT group_concat(container || '/' || priority || '/' || seq, ' ') FROM "
		       "(SELECT * FROM dispatched ORDER BY container, priority)"), want, name);
}

/* Removes message i from container k (queued, not written). */
static void remove_entry(struct store *st, int i, int k)
{
	store_remove_entry(st, containers[k], seq_of[i]);
	held[i][k] = false;
}

int main(void)
{
	char err[256];
	if (!mkdtemp(dir))
		return 1;
	struct store *st = store_open(dir, true, err, sizeof err);
	ok(st != NULL, "opens");
	if (!st)
		return done_testing();
	/* Even messages in queue a, odd ones in b, every fifth also kept by
	 * the durable subscription: one row, two entries. */
	for (int i = 1; i <= NMSG; i++) {
		struct message *m = msg(i);
		store_add_message(st, m);
		seq_of[i] = m->seq;
		int k = i % 2 ? 1 : 0;
		store_add_entry(st, containers[k], m->seq);
		held[i][k] = true;
		if (i % 5 == 0) {
			store_add_entry(st, containers[2], m->seq);
			held[i][2] = true;
		}
		message_unref(m);
	}
	is(store_flush(st), 0, "a backlog on three containers, three priorities, committed");
	check_store("filled");

	/* One commit of removals in the order acks come from consumers of
	 * all three: the containers alternate, runs are longer and shorter
	 * than a statement's, and some messages lose one holder of two. */
	/* Dispatch marks between them, as a queue's dispatch rounds make
	 * them: rising, a lower one after a higher one now and then, other
	 * containers' between. */
	int removed = 0;
	for (int i = 1; i <= 240; i++) {
		if (i % 4 == 0)
			mark(st, i + 12, i % 2 ? 1 : 0);
		if (i % 9 == 0)
			mark(st, i - 6, i % 2 ? 1 : 0);
		if (i % 7 == 3)
			continue;	/* not acked */
		remove_entry(st, i, i % 2 ? 1 : 0);
		removed++;
		if (i % 10 == 0) {
			remove_entry(st, i, 2);
			removed++;
		}
	}
	ok(removed > 200, "over 200 removals queued");
	is(store_flush(st), 0, "the removals across the containers, committed at once");
	check_store("after the removals");
	check_marks("after the removals");

	/* Another kind of operation between removals keeps its place: an
	 * entry added for a message after one of its two holders removed it
	 * and before the other did keeps it, as does one added before both
	 * (a move); an entry removed and added back is there; a container
	 * removed after removals of its own. */
	int kept = 245, moved = 255;	/* odd: in b; 245 and 255 in the durable too */
	remove_entry(st, kept, 1);
	add_entry(st, kept, 3);
	remove_entry(st, kept, 2);
	add_entry(st, moved, 3);
	remove_entry(st, moved, 1);
	remove_entry(st, moved, 2);
	for (int i = 261; i <= 300; i++)
		if (held[i][1])
			remove_entry(st, i, 1);
	for (int i = 241; i <= 300; i += 2) {
		if (i % 5 == 0 && i != kept && i != moved)
			remove_entry(st, i, 2);
	}
	remove_entry(st, 280, 0);	/* and added back: there again */
	add_entry(st, 280, 0);
	is(store_flush(st), 0, "removals with additions among them, committed");
	check_store("with additions between");

	for (int i = 242; i <= 270; i += 2) {
		remove_entry(st, i, 0);
		mark(st, i + 2, 0);
	}
	store_remove_container(st, containers[0]);	/* and its marks */
	for (int i = 1; i <= NMSG; i++)
		held[i][0] = false;
	memset(marked[0], 0, sizeof marked[0]);
	remove_entry(st, kept, 3);
	mark(st, 299, 0);	/* after the removal: kept */
	is(store_flush(st), 0, "removals, a container's removal and a removal after it, committed");
	check_store("with a container removed between");
	check_marks("with a container removed between");

	store_close(st);
	st = store_open(dir, true, err, sizeof err);
	ok(st != NULL, "reopens");
	check_store("reopened");
	store_close(st);

	test_remove_dir(dir);
	return done_testing();
}
