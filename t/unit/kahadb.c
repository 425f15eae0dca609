/*
 * kahadb.c - the KahaDB journal reader and replay over journals built
 * here, record by record, as ActiveMQ's Journal and MessageDatabase write
 * them (t/36-kahadb-import.t reads one that ActiveMQ itself wrote).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "kahadb_import.h"
#include "kahadb_journal.h"
#include "kahadb_records.h"
#include "kahadb_replay.h"
#include "kahadb_scheduler.h"
#include "openwire_codec.h"
#include "tap.h"

struct w {
	uint8_t b[16384];
	size_t n;
};

static void put(struct w *w, const void *p, size_t len)
{
	memcpy(w->b + w->n, p, len);
	w->n += len;
}

static void varint(struct w *w, uint64_t v)
{
	while (v >= 0x80) {
		w->b[w->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (uint8_t)v;
}

static void f_int(struct w *w, unsigned num, uint64_t v)
{
	varint(w, num << 3);
	varint(w, v);
}

static void f_bytes(struct w *w, unsigned num, const void *p, size_t len)
{
	varint(w, num << 3 | 2);
	varint(w, len);
	put(w, p, len);
}

static void f_str(struct w *w, unsigned num, const char *s)
{
	f_bytes(w, num, s, strlen(s));
}

static void f_msg(struct w *w, unsigned num, const struct w *m)
{
	f_bytes(w, num, m->b, m->n);
}

static void u32(struct w *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 4);
}

/* One journal command, as a row: "L7" is local transaction 7, "X7" the
 * XA transaction with global id 7; a NULL tx is none. */
struct step {
	enum kahadb_type type;
	enum kahadb_dest_type dest_type;
	const char *dest, *id, *tx, *sub;
	int priority;
};

static void txn_info(struct w *w, const char *tx)
{
	struct w info = { .n = 0 }, id = { .n = 0 };
	if (tx[0] == 'L') {
		f_str(&id, 1, "ID:conn-1");
		f_int(&id, 1, (uint64_t)atoi(tx + 1));	/* both fields are 1 */
		f_msg(&info, 1, &id);
	} else {
		f_int(&id, 1, 0x1234);
		f_str(&id, 2, "branch");
		f_str(&id, 3, tx + 1);
		f_msg(&info, 2, &id);
	}
	f_msg(w, 1, &info);
}

static void dest(struct w *w, unsigned num, const struct step *s)
{
	struct w d = { .n = 0 };
	f_int(&d, 1, s->dest_type);
	f_str(&d, 2, s->dest);
	f_msg(w, num, &d);
}

/* A user record's payload: the type byte, then the framed command. */
static void command(struct w *out, const struct step *s)
{
	struct w c = { .n = 0 };
	if (s->tx)
		txn_info(&c, s->tx);
	switch (s->type) {
	case KAHADB_ADD_MESSAGE:
	case KAHADB_REMOVE_MESSAGE:
		dest(&c, 2, s);
		f_str(&c, 3, s->id);
		if (s->type == KAHADB_ADD_MESSAGE)
			f_str(&c, 4, "\0\0\0\2\x1c\0");	/* stands for the OpenWire bytes */
		else if (s->sub)
			f_str(&c, 5, s->sub);
		if (s->priority)
			f_int(&c, 5, (uint64_t)s->priority);
		break;
	case KAHADB_SUBSCRIPTION:
		dest(&c, 1, s);
		f_str(&c, 2, s->sub);
		if (s->id)	/* the SubscriptionInfo: present unless removed */
			f_str(&c, 4, s->id);
		break;
	case KAHADB_REMOVE_DESTINATION:
		dest(&c, 1, s);
		break;
	case KAHADB_TRACE:
		f_str(&c, 1, "LOADED");
		break;
	default:
		break;
	}
	out->b[out->n++] = (uint8_t)s->type;
	varint(out, c.n);
	put(out, c.b, c.n);
}

/* A journal file: the steps as user records in one batch, then zeros. */
static void journal(struct w *f, const struct step *steps, size_t n)
{
	struct w recs = { .n = 0 };
	for (size_t i = 0; i < n; i++) {
		struct w payload = { .n = 0 };
		command(&payload, &steps[i]);
		u32(&recs, (uint32_t)payload.n + 5);
		recs.b[recs.n++] = 1;
		put(&recs, payload.b, payload.n);
	}
	f->n = 0;
	u32(f, 28);
	f->b[f->n++] = 2;
	put(f, "WRITE BATCH", 11);
	u32(f, (uint32_t)recs.n);
	u32(f, 0);
	u32(f, (uint32_t)adler32(adler32(0, Z_NULL, 0), recs.b, (uInt)recs.n));
	put(f, recs.b, recs.n);
	memset(f->b + f->n, 0, 64);
	f->n += 64;
}

static int replay_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	struct kahadb_cmd c;
	if (kahadb_cmd_decode(rec->data, rec->len, &c, err, errlen) < 0)
		return -1;
	return kahadb_replay_cmd(ctx, &c, err, errlen);
}

/* "queue://a=2 durable://c:s=1 prepared=1 dropped=1": what is left. */
static void summary(struct kahadb_replay *r, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (struct kahadb_container *c = r->containers; c; c = c->next)
		used += (size_t)snprintf(out + used, len - used, "%s=%zu ", c->name, c->count);
	for (struct kahadb_tx *t = r->txs; t; t = t->next)
		used += (size_t)snprintf(out + used, len - used, "prepared:%s+%zu-%zu ", t->key,
					 t->adds, t->removes);
	snprintf(out + used, len - used, "committed=%zu rolledback=%zu dropped=%zu",
		 r->committed, r->rolled_back, r->dropped);
}

#define Q KAHADB_QUEUE
#define T KAHADB_TOPIC
#define ADD KAHADB_ADD_MESSAGE
#define DEL KAHADB_REMOVE_MESSAGE

static const struct {
	const char *name;
	struct step steps[12];
	const char *want;
} cases[] = {
	{ "adds minus removes, per queue, in order",
	  { { KAHADB_TRACE, Q, NULL, NULL, NULL, NULL, 0 },
	    { ADD, Q, "a", "m1", NULL, NULL, 0 }, { ADD, Q, "a", "m2", NULL, NULL, 9 },
	    { ADD, Q, "b", "m3", NULL, NULL, 0 }, { DEL, Q, "a", "m1", NULL, NULL, 0 } },
	  "queue://a=1 queue://b=1 committed=0 rolledback=0 dropped=0" },
	{ "a local transaction: applied at its commit, dropped at its rollback",
	  { { ADD, Q, "a", "m1", "L1", NULL, 0 }, { ADD, Q, "a", "m2", "L2", NULL, 0 },
	    { KAHADB_COMMIT, Q, NULL, NULL, "L1", NULL, 0 },
	    { KAHADB_ROLLBACK, Q, NULL, NULL, "L2", NULL, 0 } },
	  "queue://a=1 committed=1 rolledback=1 dropped=0" },
	{ "a transaction neither prepared nor ended is dropped; a prepared XA one is kept",
	  { { ADD, Q, "a", "m0", NULL, NULL, 0 },
	    { ADD, Q, "a", "m1", "L1", NULL, 0 }, { ADD, Q, "a", "m2", "X77", NULL, 0 },
	    { DEL, Q, "a", "m0", "X77", NULL, 0 },
	    { KAHADB_PREPARE, Q, NULL, NULL, "X77", NULL, 0 } },
	  "queue://a=1 prepared:XID:[4660,globalId=3737,branchId=6272616e6368]+1-1 committed=0 rolledback=0 dropped=1" },
	{ "a durable subscription keeps what it has not acknowledged",
	  { { KAHADB_SUBSCRIPTION, T, "t", "info", NULL, "c1:s1", 0 },
	    { KAHADB_SUBSCRIPTION, T, "t", "info", NULL, "c2:s2", 0 },
	    { ADD, T, "t", "m1", NULL, NULL, 0 }, { ADD, T, "t", "m2", NULL, NULL, 0 },
	    { DEL, T, "t", "m1", NULL, "c1:s1", 0 },
	    { KAHADB_SUBSCRIPTION, T, "t", NULL, NULL, "c2:s2", 0 } },
	  "durable://c1:s1=1 committed=0 rolledback=0 dropped=0" },
	{ "a removed queue takes its messages with it",
	  { { ADD, Q, "a", "m1", NULL, NULL, 0 }, { ADD, Q, "b", "m2", NULL, NULL, 0 },
	    { KAHADB_REMOVE_DESTINATION, Q, "a", NULL, NULL, NULL, 0 } },
	  "queue://b=1 committed=0 rolledback=0 dropped=0" },
};

static void test_replays(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = 0;
		while (n < 12 && (cases[i].steps[n].dest || cases[i].steps[n].tx ||
				  cases[i].steps[n].type == KAHADB_TRACE))
			n++;
		static struct w f;
		journal(&f, cases[i].steps, n);
		struct kahadb_replay r = { 0 };
		char err[256] = "", got[1024];
		int rc = kahadb_journal_scan(f.b, f.n, 1, replay_record, &r, err, sizeof err);
		kahadb_replay_finish(&r);
		summary(&r, got, sizeof got);
		if (rc < 0)
			diag("%s", err);
		is_str(got, cases[i].want, cases[i].name);
		kahadb_replay_release(&r);
	}
}

static int count_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	(void)rec;
	(void)err;
	(void)errlen;
	++*(int *)ctx;
	return 0;
}

/* A journal this reader cannot read completely stops it with where and why. */
static void test_errors(void)
{
	static const struct step two[] = { { ADD, Q, "a", "m1", NULL, NULL, 0 },
					   { ADD, Q, "a", "m2", NULL, NULL, 0 } };
	static struct w f;
	char err[256];
	int n = 0;

	journal(&f, two, 2);
	ok(kahadb_journal_scan(f.b, f.n, 3, count_record, &n, err, sizeof err) == 0 && n == 2,
	   "a batch of two records, then zeros: two records");

	f.b[f.n - 70] ^= 1;	/* a byte of the last record */
	ok(kahadb_journal_scan(f.b, f.n, 3, count_record, &n, err, sizeof err) < 0,
	   "a flipped byte inside a batch is refused");
	ok(strstr(err, "db-3.log offset 0: checksum failure") != NULL, "... as a checksum failure");
	diag("%s", err);

	journal(&f, two, 2);
	f.b[4] = 7;
	ok(kahadb_journal_scan(f.b, f.n, 1, count_record, &n, err, sizeof err) < 0 &&
	   strstr(err, "db-1.log offset 0: unknown record type 7") != NULL,
	   "an unknown record type is refused");

	journal(&f, two, 2);
	f.b[28 + 4] = 9;	/* the first record's type, inside the batch */
	memset(f.b + 20, 0, 8);	/* checksums off */
	ok(kahadb_journal_scan(f.b, f.n, 1, count_record, &n, err, sizeof err) < 0 &&
	   strstr(err, "unknown record type 9 inside a batch") != NULL,
	   "an unknown record type inside a batch is refused");

	journal(&f, two, 2);
	f.b[28 + 5] = 11;	/* the first command: a scheduler command */
	memset(f.b + 20, 0, 8);
	struct kahadb_replay r = { 0 };
	ok(kahadb_journal_scan(f.b, f.n, 1, replay_record, &r, err, sizeof err) < 0 &&
	   strcmp(err, "unknown command type 11") == 0, "an unknown command type is refused");
	kahadb_replay_release(&r);

	journal(&f, two, 2);
	f.b[19] = 0xff;		/* the batch's size: past the end */
	ok(kahadb_journal_scan(f.b, f.n, 1, count_record, &n, err, sizeof err) < 0 &&
	   strstr(err, "runs past the file's end") != NULL, "a batch cut short is refused");

	static const uint8_t eof_only[] = { '-', 'q', 'M', 'a', '4', 1, 2, 3 };
	n = 0;
	ok(kahadb_journal_scan(eof_only, sizeof eof_only, 1, count_record, &n, err, sizeof err) == 0 &&
	   n == 0, "the EOF record ends a file");
}

/* A JMS message marshalled as ActiveMQ's store does, in this version. */
static void marshalled_message(int version, struct buf *out)
{
	struct ow_message *om = (void *)ow_obj_new(OW_MESSAGE);
	struct ow_message_id *id = (void *)ow_obj_new(OW_MESSAGE_ID);
	struct ow_producer_id *p = (void *)ow_obj_new(OW_PRODUCER_ID);
	p->connection_id.s = strdup("ID:c-1");
	p->connection_id.len = 6;
	p->session_id = p->value = 1;
	id->producer_id = p;
	id->producer_sequence_id = 7;
	om->message_id = id;
	om->persistent = true;
	om->priority = 6;
	struct ow_format f;
	ow_format_init(&f);
	f.version = version;
	ow_encode(&f, &om->c.h, out);
	ow_obj_free(&om->c.h);
}

/* Stores made before ActiveMQ's index recorded the OpenWire version hold
 * messages in version 6; 5.17's in version 11. Both are imported. */
static void test_versions(void)
{
	static const int versions[] = { 11, 6 };
	for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
		struct buf m = BUF_INIT;
		marshalled_message(versions[i], &m);
		struct kahadb_cmd c = { .type = KAHADB_ADD_MESSAGE, .has_dest = 1,
					.dest_type = KAHADB_QUEUE, .priority = 6 };
		c.dest_name = (struct kahadb_bytes){ (const uint8_t *)"a", 1 };
		c.message_id = (struct kahadb_bytes){ (const uint8_t *)"ID:c-1:1:1:7", 12 };
		c.message = (struct kahadb_bytes){ (const uint8_t *)buf_data(&m), buf_len(&m) };
		struct kahadb_replay r = { 0 };
		char err[512] = "", name[64];
		ok(kahadb_replay_cmd(&r, &c, err, sizeof err) == 0, "a message added");
		snprintf(name, sizeof name, "a message marshalled in OpenWire version %d is imported",
			 versions[i]);
		int rc = kahadb_import_check(&r, err, sizeof err);
		ok(rc == 0, name);
		if (rc < 0)
			diag("%s", err);
		kahadb_replay_release(&r);
		buf_free(&m);
	}
}

/* A job of the scheduler's journal: type, scheduler, job id, and the
 * times (next run; or the span a removal covers). A '~' in a job id
 * stands for a NUL byte. */
struct job_step {
	enum kahadb_type type;
	const char *scheduler, *job;
	int64_t t1, t2;
};

static void job_record(struct w *recs, const struct job_step *j)
{
	struct w c = { .n = 0 }, payload = { .n = 0 };
	f_str(&c, 1, j->scheduler);
	if (j->type == KAHADB_REMOVE_JOBS) {
		f_int(&c, 2, (uint64_t)j->t1);
		f_int(&c, 3, (uint64_t)j->t2);
	} else if (j->type != KAHADB_DESTROY_SCHEDULER) {
		char id[64];
		snprintf(id, sizeof id, "%s", j->job);
		for (char *p = id; (p = strchr(p, '~')); )
			*p++ = '\0';
		f_bytes(&c, 2, id, strlen(j->job));
		if (j->type != KAHADB_REMOVE_JOB)
			f_int(&c, j->type == KAHADB_ADD_JOB ? 9 : 4, (uint64_t)j->t1);
	}
	payload.b[payload.n++] = (uint8_t)j->type;
	varint(&payload, c.n);
	put(&payload, c.b, c.n);
	u32(recs, (uint32_t)payload.n + 5);
	recs->b[recs->n++] = 1;
	put(recs, payload.b, payload.n);
}

static void count_jobs(void *ctx, const char *dir, size_t jobs, size_t commands,
		       const char *err)
{
	char *out = ctx;
	snprintf(out, 256, "%s: %zu job(s), %zu command(s)%s%s", strrchr(dir, '/') - 3, jobs,
		 commands, err ? ": " : "", err ? err : "");
}

/* A scheduler store of these steps beside a KahaDB directory: what
 * kahadb_scheduler_find() says of it, in said. */
static void scheduler_said(const struct job_step *steps, size_t n, char said[256])
{
	char dir[] = "/tmp/kahadb-unit-XXXXXX", path[128];
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/kahadb", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/amq", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/amq/scheduler", dir);
	mkdir(path, 0755);
	struct w recs = { .n = 0 }, f = { .n = 0 };
	for (size_t i = 0; i < n; i++)
		job_record(&recs, &steps[i]);
	u32(&f, 28);
	f.b[f.n++] = 2;
	put(&f, "WRITE BATCH", 11);
	u32(&f, (uint32_t)recs.n);
	u32(&f, 0);
	u32(&f, 0);	/* checksums off */
	put(&f, recs.b, recs.n);
	snprintf(path, sizeof path, "%s/amq/scheduler/db-1.log", dir);
	FILE *out = fopen(path, "w");
	fwrite(f.b, 1, f.n, out);
	fclose(out);
	snprintf(path, sizeof path, "%s/kahadb", dir);
	is(kahadb_scheduler_find(path, NULL, count_jobs, said), 1,
	   "a scheduler store beside the KahaDB directory is found");
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
}

/* ActiveMQ's scheduler journal: jobs added, rescheduled, removed one by
 * one, by a span of due times, or with their scheduler. */
static void test_scheduler(void)
{
	static const struct job_step steps[] = {
		{ KAHADB_ADD_JOB, "JMS", "j1", 100, 0 },
		{ KAHADB_ADD_JOB, "JMS", "j2", 200, 0 },
		{ KAHADB_ADD_JOB, "JMS", "j3", 300, 0 },
		{ KAHADB_ADD_JOB, "JMS", "j4", 400, 0 },
		{ KAHADB_ADD_JOB, "other", "k1", 100, 0 },
		{ KAHADB_REMOVE_JOB, "JMS", "j1", 0, 0 },
		{ KAHADB_RESCHEDULE_JOB, "JMS", "j2", 900, 0 },
		{ KAHADB_REMOVE_JOBS, "JMS", NULL, 250, 350 },	/* j3 */
		{ KAHADB_DESTROY_SCHEDULER, "other", NULL, 0, 0 },
	};
	char said[256] = "";
	scheduler_said(steps, sizeof steps / sizeof *steps, said);
	ok(!strcmp(said, "amq/scheduler: 2 job(s), 9 command(s)"),
	   "its jobs are counted: added, less those removed one by one, by span and with their scheduler");
	if (strcmp(said, "amq/scheduler: 2 job(s), 9 command(s)"))
		diag("%s", said);
	/* Found by t/fuzz/kahadb_scheduler.c: the jobs were filed under
	 * "SCHEDULER/ID", so these were one job, and counted once. */
	static const struct job_step odd[] = {
		{ KAHADB_ADD_JOB, "a/b", "c", 1, 0 },
		{ KAHADB_ADD_JOB, "a", "b/c", 2, 0 },
		{ KAHADB_ADD_JOB, "x", "~1", 3, 0 },
		{ KAHADB_ADD_JOB, "x", "~2", 4, 0 },
	};
	scheduler_said(odd, sizeof odd / sizeof *odd, said);
	ok(!strcmp(said, "amq/scheduler: 4 job(s), 4 command(s)"),
	   "a scheduler's name and a job id may hold '/' and NUL: no two jobs are taken for one");
	if (strcmp(said, "amq/scheduler: 4 job(s), 4 command(s)"))
		diag("%s", said);
}

int main(void)
{
	test_replays();
	test_errors();
	test_versions();
	test_scheduler();
	return done_testing();
}
