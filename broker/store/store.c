/*
 * store.c - the store's queue of operations, group commit, writer thread
 * and callbacks (contract in store.h), whatever the database under it:
 * the SQL lives in a backend (store_backend.h), SQLite's in
 * store_sqlite.c, PostgreSQL's in store_pg.c.
 *
 * Operations are queued in `ops` as the broker makes them and written by
 * store_commit() in one transaction, in order; then the commit callbacks
 * run. Headers are stored as a blob of (name NUL value NUL)* pairs: names
 * and values never hold NUL, so the blob needs no other framing, and a
 * damaged blob is detected by an odd count or a missing final NUL.
 *
 * Threads: the loop thread queues operations into `ops`/`dones`;
 * store_commit() moves them into a `struct batch` for writer_main(), which
 * owns the backend's writing connection while a batch runs and signals
 * `efd` when done; collect() frees the batch and runs its callbacks on the
 * loop thread. Start reading at store_commit().
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

#include "log.h"
#include "store_backend.h"

struct done {
	store_done_fn fn;
	void *ctx;
	bool waits;		/* someone waits for it: worth hurrying the commit */
};

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
 * producer waiting for its receipt) is written at once when as many wait
 * as when the last commit ended (its cohort: those it released, and those
 * that had come during it); with fewer, it waits for the rest up to half
 * the last commit's time (COHORT_WAIT_MAX_US at most), and whatever
 * arrives meanwhile shares the next commit. A producer that comes back
 * just after a commit began waits for that whole commit and its own: the
 * waiters split into groups that take turns, each group served once in
 * two commits, so waiting up to a whole commit for the cohort would still
 * be no slower. On SQLite's 1 ms commits
 * the wait is short and grouping matters little (an earlier wait for the
 * released waiters measured slower there: 10,700 against 13,000 msgs/s
 * in make bench's row 2); on PostgreSQL's commits of about 6 ms on this machine,
 * eight sync producers went from 772-863 msgs/s in turns of about four to
 * 1,805-1,894 with a quarter (t/bench/pg's row P2 shape, two runs each,
 * load 8), and from a quarter's 1,518-2,318 to half's 1,415-3,153 (1,932
 * against 2,338 on average, three runs each, 6.0 against 6.8 messages a
 * commit; SQLite 2,149-6,213 against 3,949-7,517). A batch
 * nobody waits for (acks, sends without a receipt) waits up to
 * OPS_DELAY_US for company. */
#define OPS_DELAY_US		2000
#define COHORT_WAIT_MAX_US	100000
#define RETRY_US		100000	/* after a failed commit, wait this long */
#define FAILURE_LOG_US		10000000

struct store {
	const struct store_backend *be;
	void *b;		/* the backend's state */
	char *name;		/* where the store is, for logs */
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
	size_t cohort;		/* waiters known when the last commit ended */
	int64_t cohort_until;	/* until when the next commit waits for them */
	bool stopping;
	bool abandoned;		/* loop thread: store_abandon() runs */
	struct store_size size;
	int efd;		/* eventfd: a batch is finished */
	unsigned test_delay_ms;	/* TANDEM_TEST_COMMIT_DELAY_MS (store.h) */
	unsigned test_answer_ms;	/* TANDEM_TEST_ANSWER_DELAY_MS (store.h) */

	/* Writer thread only. */
	long failures;		/* commits failed in a row */
	int64_t failure_logged;
	int64_t retry_at;	/* after a failure, no commit before this */
};

/* Milliseconds from a test's environment variable: 0 when unset. */
static unsigned test_env_ms(const char *name)
{
	const char *v = getenv(name);
	return v ? (unsigned)strtoul(v, NULL, 10) % 60000 : 0;
}

void store_test_commit_delay(struct store *st, const char *env)
{
	unsigned ms = test_env_ms(env);
	if (!ms)
		return;
	pthread_mutex_lock(&st->mu);
	st->test_delay_ms = ms;
	pthread_mutex_unlock(&st->mu);
}

int64_t store_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char *store_durable_container(const char *client_id, const char *sub_name)
{
	char *s;
	return asprintf(&s, "durable://%s:%s", client_id, sub_name) < 0 ? NULL : s;
}

/* ---- opening and closing ---- */

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

struct store *store_start(const struct store_backend *be, void *b, const char *name,
			  uint64_t next_seq, const struct store_size *size, char *err,
			  size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	if (!st || !(st->name = strdup(name))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	st->be = be;
	st->b = b;
	st->next_seq = next_seq;
	st->size = *size;
	st->test_delay_ms = test_env_ms("TANDEM_TEST_COMMIT_DELAY_MS");
	st->test_answer_ms = test_env_ms("TANDEM_TEST_ANSWER_DELAY_MS");
	st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&st->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cv, &ca);
	pthread_condattr_destroy(&ca);
	int rc = pthread_create(&st->writer, NULL, writer_main, st);
	if (rc) {
		snprintf(err, errlen, "cannot start the store writer thread: %s", strerror(rc));
		pthread_mutex_destroy(&st->mu);
		pthread_cond_destroy(&st->cv);
		close(st->efd);
		goto fail;
	}
	return st;
fail:
	be->close(b);
	if (st)
		free(st->name);
	free(st);
	return NULL;
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
		log_error("store", "Closing %s: commit callbacks keep queueing; "
			  "%zu operation(s) not stored", st->name, st->nops);
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
	 * writing now cannot be stopped half-way: it is interrupted where
	 * the backend can (a commit waiting on a database that went away),
	 * else it ends, and is reported as usual. */
	pthread_mutex_lock(&st->mu);
	struct batch *unwritten = st->sub_head;
	st->sub_head = st->sub_tail = NULL;
	st->sub_nops = st->sub_dones = 0;
	st->stopping = true;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	if (st->be->interrupt)
		st->be->interrupt(st->b);
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
	st->be->close(st->b);
	free(st->ops);
	free(st->dones);
	free(st->name);
	free(st);
}

/* ---- loading ---- */

int store_load_durables(struct store *st, store_durable_fn fn, void *ctx)
{
	return st->be->load_durables(st->b, fn, ctx);
}

int store_load_session_ids(struct store *st, store_session_id_fn fn, void *ctx)
{
	return st->be->load_session_ids(st->b, fn, ctx);
}

int store_load_marks(struct store *st, store_mark_fn fn, void *ctx)
{
	return st->be->load_marks(st->b, fn, ctx);
}

int store_load_counts(struct store *st, store_count_fn fn, void *ctx)
{
	return st->be->load_counts(st->b, fn, ctx);
}

int store_load_recent_ids(struct store *st, size_t max, store_id_fn fn, void *ctx)
{
	return st->be->load_recent_ids(st->b, max, fn, ctx);
}

int store_load_prepared(struct store *st, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			void *ctx)
{
	return st->be->load_prepared(st->b, fn, ack_fn, ctx);
}

/* How many headers a blob holds, -1 when it is damaged. */
static long count_headers(const char *blob, size_t len)
{
	if (len == 0)
		return 0;
	if (blob[len - 1] != '\0')
		return -1;
	size_t n = 0;
	for (const char *s = blob; (s = memchr(s, '\0', len - (size_t)(s - blob))); s++)
		n++;
	return n % 2 ? -1 : (long)(n / 2);
}

/* Points h[0..n) at the names and values of a blob count_headers()
 * accepted: no copies. */
static void point_headers(const char *blob, struct header *h, size_t n)
{
	const char *s = blob;
	for (size_t i = 0; i < n; i++) {
		h[i].name = (char *)s;
		s += strlen(s) + 1;
		h[i].value = (char *)s;
		s += strlen(s) + 1;
	}
}

/* Headers on the stack up to this many; more take a malloc. */
#define ROW_HEADERS 32

/* The message of a row, in one block (message_new_packed: one malloc and
 * one free, where a message with its own id, destination, body and a
 * string for each header name and value took some thirty, a tenth of the
 * broker's CPU while a backlog of JMS messages drained); NULL when it is
 * damaged or memory runs out. */
static struct message *row_message(const struct store_row *r)
{
	long nh = count_headers(r->headers, r->headers_len);
	if (nh < 0 || !r->id || !r->dest)
		return NULL;
	struct header stack[ROW_HEADERS];
	struct header *h = !nh ? NULL : nh <= ROW_HEADERS ? stack : malloc((size_t)nh * sizeof *h);
	if (nh && !h)
		return NULL;
	point_headers(r->headers, h, (size_t)nh);
	struct message *m = message_new_packed(r->id, r->dest_type ? DEST_TOPIC : DEST_QUEUE,
					       r->dest, h, (size_t)nh,
					       r->body_len ? r->body : "", r->body_len);
	if (h != stack)
		free(h);	/* NULL or its own */
	if (!m)
		return NULL;
	m->seq = r->seq;
	m->persistent = true;
	int prio = r->priority;
	m->priority = (uint8_t)(prio < 0 ? 0 : prio > MSG_PRIORITY_MAX ? MSG_PRIORITY_MAX : prio);
	m->expires = r->expires;
	m->timestamp = r->timestamp;
	m->redeliveries = r->redeliveries;
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

/* store_load_entries()'s walk over the backend's rows. */
struct loading {
	struct store *st;
	struct share_map map;
	store_entry_fn fn;
	void *ctx;
};

static void load_row(void *arg, const struct store_row *r)
{
	struct loading *ld = arg;
	/* Without memory for the map a shared row is simply read again. */
	struct shared *s = r->holders > 1 ? share_slot(&ld->map, r->seq) : NULL;
	struct message *m;
	if (s && s->used) {
		s->left--;
		if (!s->m)
			return;	/* damaged: said so at its first holder */
		/* the last holder takes the map's own reference */
		m = s->left > 0 ? message_ref(s->m) : s->m;
		if (s->left <= 0)
			s->m = NULL;
	} else {
		m = row_message(r);
		if (!m)
			log_error("store", "Message %llu in %s is damaged (or memory ran out): "
				  "skipped in %ld container(s)", (unsigned long long)r->seq,
				  ld->st->name, r->holders);
		if (s) {
			*s = (struct shared){ r->seq, true, m ? message_ref(m) : NULL,
					      r->holders - 1 };
			ld->map.n++;
		}
		if (!m)
			return;
	}
	ld->fn(ld->ctx, r->container, m);
}

/* The entries of the containers whose names start with prefix ("": all),
 * for store_load_entries() and store_load_prefix(). */
static int load_entries(struct store *st, const char *prefix, store_entry_fn fn, void *ctx)
{
	struct loading ld = { st, { 0 }, fn, ctx };
	int rc = st->be->load_rows(st->b, prefix, load_row, &ld);
	share_free(&ld.map);
	return rc;
}

int store_load_entries(struct store *st, store_entry_fn fn, void *ctx)
{
	return load_entries(st, "", fn, ctx);
}

int store_load_prefix(struct store *st, const char *prefix, store_entry_fn fn, void *ctx)
{
	return *prefix ? load_entries(st, prefix, fn, ctx) : 0;
}

/* store_page_in()'s rows, made messages. */
struct paging {
	struct store *st;
	store_entry_fn fn;
	void *ctx;
	int skipped;
};

static void page_row(void *arg, const struct store_row *r)
{
	struct paging *pg = arg;
	struct message *m = row_message(r);
	if (!m) {
		log_error("store", "Message %llu in %s is damaged (or memory ran out): skipped",
			  (unsigned long long)r->seq, pg->st->name);
		pg->skipped++;
		return;
	}
	pg->fn(pg->ctx, r->container, m);
}

int store_page_in(struct store *st, const char *container, int priority, uint64_t after_seq,
		  size_t max, store_entry_fn fn, void *ctx)
{
	struct paging pg = { st, fn, ctx, 0 };
	int n = st->be->page_rows(st->b, container, priority, after_seq, max, page_row, &pg);
	return n < 0 ? -1 : n - pg.skipped;
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

int store_remove_durable(struct store *st, const char *client_id, const char *sub_name)
{
	char *container = store_durable_container(client_id, sub_name);
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

int store_encode_headers(const struct message *m, char **blob, size_t *len)
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

/* Wakes the event loop: a batch is finished, or the store shrank. */
static void signal_loop(struct store *st)
{
	uint64_t one = 1;
	if (write(st->efd, &one, sizeof one) < 0)
		log_error("store", "Cannot signal the event loop: %s", strerror(errno));
}

static void set_size(struct store *st, const struct store_size *size)
{
	pthread_mutex_lock(&st->mu);
	st->size = *size;
	pthread_mutex_unlock(&st->mu);
}

/* Waits until the handed-over batches should be written (see the pacing
 * above), and takes them; NULL when the store is closing and nothing is
 * left. Runs the backend's housekeeping that is due while idle. Called
 * with mu held. */
static struct batch *take_chain(struct store *st)
{
	for (;;) {
		int64_t now = store_now_us(), deadline;
		if (st->sub_head) {
			if (st->stopping || st->urgent)
				break;
			if (now < st->retry_at) {
				deadline = st->retry_at;
			} else {
				if (st->sub_nops > 4096)
					break;
				if (st->sub_dones && (st->sub_dones >= st->cohort ||
						      now >= st->cohort_until))
					break;
				deadline = st->sub_dones ? st->cohort_until
					 : st->sub_since + OPS_DELAY_US;
				if (now >= deadline)
					break;
			}
		} else if (st->stopping) {
			return NULL;
		} else if ((deadline = st->be->idle_due(st->b))) {
			if (now >= deadline) {
				pthread_mutex_unlock(&st->mu);
				struct store_size size;
				bool measured = st->be->idle(st->b, &size);
				if (measured)
					set_size(st, &size);
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

/* One transaction of the chain's operations; 0 or a negative errno. */
static int write_transaction(struct store *st, struct batch *chain)
{
	const struct store_backend *be = st->be;
	int rc = be->begin(st->b);
	for (struct batch *b = chain; rc == 0 && b; b = b->next)
		for (size_t i = 0; rc == 0 && i < b->nops; i++)
			if (b->ops[i].kind != OP_NONE)
				rc = be->apply(st->b, &b->ops[i]);
	if (rc == 0 && st->test_delay_ms)
		usleep(st->test_delay_ms * 1000u);
	return rc == 0 ? be->commit(st->b) : rc;
}

/* Writes a chain of batches in one transaction; 0 or a negative errno. */
static int write_chain(struct store *st, struct batch *chain)
{
	const struct store_backend *be = st->be;
	size_t nops = 0;
	for (struct batch *b = chain; b; b = b->next)
		nops += ops_to_write(b);
	if (!nops)
		return 0;	/* nothing, or only what was cancelled: no sync */
	int rc = write_transaction(st, chain);
	if (rc == -EAGAIN) {
		/* nothing was done on a stale connection (store_backend.h) */
		be->rollback(st->b);
		rc = write_transaction(st, chain);
		if (rc == -EAGAIN)
			rc = -EIO;
	}
	if (rc == 0) {
		if (st->failures)
			log_info("store", "Writing to %s works again after %ld failed commit(s)",
				 st->name, st->failures);
		st->failures = 0;
		return 0;
	}
	/* A full disk fails every commit until there is room: say so at
	 * once, then every 10 s. */
	int64_t now = store_now_us();
	st->failures++;
	if (st->failures == 1 || now - st->failure_logged >= FAILURE_LOG_US) {
		log_error("store", "Writing to %s failed: %s (%zu operation(s) not stored; "
			  "%ld failed commit(s) so far)", st->name, be->why(st->b), nops,
			  st->failures);
		st->failure_logged = now;
	}
	st->retry_at = now + RETRY_US;
	be->rollback(st->b);
	return rc;
}

static void *writer_main(void *arg)
{
	struct store *st = arg;
	pthread_mutex_lock(&st->mu);
	struct batch *chain;
	while ((chain = take_chain(st))) {
		pthread_mutex_unlock(&st->mu);
		int64_t began = store_now_us();
		int err = write_chain(st, chain);
		int64_t ended = store_now_us();
		if (st->test_answer_ms)
			usleep(st->test_answer_ms * 1000u);
		struct batch *last = chain;
		size_t waiters = 0;
		for (struct batch *b = chain; b; b = b->next) {
			b->err = err;
			waiters += b->nwaiting;
			last = b;
		}
		pthread_mutex_lock(&st->mu);
		st->cohort = waiters + st->sub_dones;
		int64_t grace = (ended - began) / 2;
		/* a test's slowed commits get a cap in proportion, so that a
		 * loaded machine's scheduling does not decide its outcome */
		int64_t cap = st->test_delay_ms ? st->test_delay_ms * 1000LL : COHORT_WAIT_MAX_US;
		st->cohort_until = ended + (grace < cap ? grace : cap);
		if (st->fin_tail)
			st->fin_tail->next = chain;
		else
			st->fin_head = chain;
		st->fin_tail = last;
		signal_loop(st);
		pthread_cond_broadcast(&st->cv);
		pthread_mutex_unlock(&st->mu);
		struct store_size size;
		if (st->be->after_commit(st->b, ended, &size))
			set_size(st, &size);
		pthread_mutex_lock(&st->mu);
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
		st->sub_since = store_now_us();
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
