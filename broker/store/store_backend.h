/*
 * store_backend.h - what a database under the store provides (private to
 * broker/store/store*.c).
 *
 * store.c owns everything that is the same whatever the database: the
 * queue of operations, group commit, the writer thread and its pacing,
 * the callbacks, cancelling what was acked before it was written,
 * retrying removals, and turning rows into messages. A backend
 * (store_sqlite.c, store_pg.c) owns its connection(s) and its SQL, and
 * fills a `struct store_backend`: one transaction per commit (begin,
 * apply each operation, commit or rollback), the start-up loads, paging
 * in, and its housekeeping. Its open function makes its state, then hands
 * it to store_start().
 *
 * Threads: begin/apply/commit/rollback/after_commit/idle_due/idle run on
 * the writer thread only; the load functions, page_rows and close on the
 * loop thread (close after the writer stopped). A backend whose loads
 * share the writer's connection relies on store.h's rule that loading
 * comes before any operation is queued.
 */
#ifndef TANDEM_STORE_BACKEND_H
#define TANDEM_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum op_kind {
	OP_ADD_MESSAGE,
	OP_ADD_ENTRY,
	OP_REMOVE_ENTRY,
	OP_REMOVE_CONTAINER,
	OP_ADD_DURABLE,		/* a: client_id, b: sub_name, c: topic, d: selector; seq: noLocal */
	OP_REMOVE_DURABLE,	/* a: client_id, b: sub_name, c: its container */
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

/* One stored entry with its message, as a backend reads it: pointers
 * valid during the call only. */
struct store_row {
	const char *container;
	uint64_t seq;
	const char *id;
	int dest_type;
	const char *dest;
	const void *headers;	/* the blob of store_encode_headers() */
	size_t headers_len;
	const void *body;
	size_t body_len;
	int priority;
	int64_t expires, timestamp;
	uint32_t redeliveries;
	long holders;		/* load_rows: how many containers hold it */
};
typedef void (*store_row_fn)(void *ctx, const struct store_row *row);

struct store_backend {
	/* Writer thread: one transaction. Each returns 0 or a negative
	 * errno, with what failed in why(). -EAGAIN: the connection was
	 * found dead before anything of the transaction ran (a database
	 * restarted between commits): store.c rolls back and writes the
	 * same transaction again, once. */
	int (*begin)(void *b);
	int (*apply)(void *b, const struct op *o);
	int (*commit)(void *b);
	void (*rollback)(void *b);
	const char *(*why)(void *b);
	/* Writer thread, after a commit was handed back (now: when it
	 * ended): work no receipt should wait for. True when it measured
	 * the size into *size. */
	bool (*after_commit)(void *b, int64_t now, struct store_size *size);
	/* Writer thread, with nothing to write: when idle() is next due
	 * (monotonic us), 0 for never; idle() returns true when it measured
	 * the size into *size, and the loop is then told (it may be waiting
	 * for room). */
	int64_t (*idle_due)(void *b);
	bool (*idle)(void *b, struct store_size *size);

	/* Loop thread: store.h's loads; each 0 or -1 (logged). */
	int (*load_durables)(void *b, store_durable_fn fn, void *ctx);
	int (*load_session_ids)(void *b, store_session_id_fn fn, void *ctx);
	int (*load_marks)(void *b, store_mark_fn fn, void *ctx);
	int (*load_counts)(void *b, store_count_fn fn, void *ctx);
	int (*load_recent_ids)(void *b, size_t max, store_id_fn fn, void *ctx);
	int (*load_prepared)(void *b, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			     void *ctx);
	/* Every entry of the containers whose name starts with prefix ("":
	 * all), by container then seq, with holders set. */
	int (*load_rows)(void *b, const char *prefix, store_row_fn fn, void *ctx);
	/* store_page_in()'s rows: how many, or -1 (logged). */
	int (*page_rows)(void *b, const char *container, int priority, uint64_t after_seq,
			 size_t max, store_row_fn fn, void *ctx);
	/* Loop thread, store_abandon(): makes a commit in progress end now
	 * (it fails), rather than when the database answers; NULL for none. */
	void (*interrupt)(void *b);
	/* Loop thread, after the writer stopped: frees b. */
	void (*close)(void *b);
};

/* Starts the store over backend state b (which it owns from then on,
 * whatever the outcome): `name` says where the store is in logs (never a
 * password); next_seq the first seq to hand out; size as measured at
 * open. NULL with err on failure (b closed). */
struct store *store_start(const struct store_backend *be, void *b, const char *name,
			  uint64_t next_seq, const struct store_size *size, char *err,
			  size_t errlen);

/* The headers of m as (name NUL value NUL)* pairs, malloc'ed; -1 out of
 * memory. */
int store_encode_headers(const struct message *m, char **blob, size_t *len);

/* "durable://CLIENTID:SUBNAME", malloc'ed; NULL out of memory. */
char *store_durable_container(const char *client_id, const char *sub_name);

/* Monotonic microseconds. */
int64_t store_now_us(void);

#endif
