/*
 * store.h - persistent messages and durable subscriptions, in SQLite
 * (store_open) or PostgreSQL (store_open_pg).
 *
 * The store holds these things, in the store directory (store.db, WAL
 * mode) or in a database's tables:
 *   - message rows: one per persistent message, whatever number of
 *     containers hold it (a topic message kept by three durable
 *     subscriptions is written once);
 *   - entries: (container, seq) pairs saying "this container still holds
 *     that message". A container is a queue ("queue://NAME") or a durable
 *     subscription ("durable://CLIENTID:SUBNAME"). A message row goes away
 *     with its last entry.
 *   - durable subscriptions: client id, subscription name, topic, selector,
 *     noLocal.
 *   - prepared transactions (XA): the transaction's id; the messages it
 *     sends, as entries of its container "prepared://ID"; the entries it
 *     acked (container, seq), which stay where they are until it ends.
 *   - dispatch marks (below): how far each container's consumers got.
 *
 * Writes are queued, never executed at once: callers queue operations as
 * they happen, and store_commit() hands everything queued since the last
 * commit to the store's writer thread, which owns the SQLite connection and
 * writes it in one transaction (one fsync). While that commit runs, new
 * operations queue up and go together in the next one: group commit, with
 * the event loop never waiting on the disk. The writer paces commits: a
 * batch somebody waits for (a receipt) is written once as many wait as
 * when the last commit ended (the producers it released come back), or
 * after half that commit's time, and operations nobody waits for
 * (acks, sends without a receipt) gather for up to 2 ms.
 * When the writer has nothing to write it gives the free pages of a
 * drained backlog back to the file system, a slice at a time. When a
 * commit is done the writer signals store_event_fd(); the loop then calls
 * store_complete(), which runs the callbacks registered with
 * store_on_commit() in order. A batch left with nothing to write needs no
 * commit: store_commit() says so and the loop completes it at once.
 * Operations apply in the order they were queued, so an entry added and
 * removed in one batch leaves nothing behind.
 *
 * Tests only: TANDEM_TEST_COMMIT_DELAY_MS in the environment makes the
 * writer wait that long inside every transaction before its COMMIT, so a
 * test can kill -9 the broker while a commit is surely not durable (and
 * caps a commit's wait for its cohort at that long, not 100 ms).
 * TANDEM_TEST_ANSWER_DELAY_MS makes it wait that long after each COMMIT
 * before the loop hears of it, so a test can kill -9 the broker while a
 * commit is durable and not yet answered (no RECEIPT sent).
 * TANDEM_TEST_TEMP_COMMIT_DELAY_MS slows the temp store's commits alone
 * (temp_store.c, store_test_commit_delay()), so that a test can have
 * the temp store's writer behind the store's.
 *
 * Thread: every function is called from the event loop thread; the writer
 * thread is private to store.c. Messages handed to the store must not
 * change (they never do: see message.h).
 */
#ifndef TANDEM_STORE_H
#define TANDEM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

struct store;

/* Opens (creating if needed) the store in directory `dir`, which must exist
 * or be creatable, and starts its writer thread. `sync`: fsync every commit
 * (kahaDB@enableJournalDiskSyncs); without it a commit survives a crash of
 * tandemd but not of the machine. On failure returns NULL with a reason in
 * err and errno saying whether trying again may help: EBADMSG (store.db is
 * corrupt or not a database) and EPROTO (a newer schema) say it cannot;
 * others (ENOSPC, EBUSY, EACCES, ENOMEM, EIO) may pass. */
struct store *store_open(const char *dir, bool sync, char *err, size_t errlen);

/* The store in PostgreSQL, for a pair of brokers that share nothing but
 * a database (issue 24: jdbcPersistenceAdapter). Every other store_*
 * call works on it unchanged. */
struct store_pg_params {
	const char *conninfo;      /* config_jdbc_conninfo()'s, has the password */
	const char *table_prefix;  /* ActiveMQ's tablePrefix, "" default */
	const char *lease_token;   /* the lease holder's token (pg_lease_token()), NULL = no fencing */
	bool create_tables;        /* createTablesOnStartup */
	long wait_ms;              /* lockKeepAlivePeriod: how long the loop waits, at most,
				    * without a word from the database (0: 10 s) */
};
/* Connects (twice: the writer's connection and the loop's, for loading
 * and paging in), creates the tables <table_prefix>TANDEM_* when missing
 * and create_tables, and starts the writer. No call on the loop's thread
 * (this one, the loads, store_page_in) waits longer than wait_ms for an
 * answer: then it fails, and the reads fail at once for wait_ms more. On failure NULL with a reason
 * in err (never the conninfo) and errno: EPROTO (tables of a newer
 * schema) says trying again cannot help; ENOENT (no tables, and
 * create_tables false) until somebody creates them; EIO (the database
 * is unreachable, or refused) may pass.
 *
 * Fencing: with a lease_token, every commit first checks, in its own
 * transaction, that the lease row (<table_prefix>TANDEM_LOCK, pg_lease.h)
 * holds that token unexpired by the database's clock, locking the row
 * FOR SHARE so that a slave's take waits for the commit. When it does
 * not, the commit writes nothing and fails with -ESTALE: the lease is
 * another broker's now, and this one must stop serving (store_abandon).
 * A commit that loses the connection (the database went away, or killed
 * the session) fails with -EIO, its log line saying the database is
 * unreachable; the next commit connects again. Neither ever reaches a
 * store_on_commit() callback as 0: no receipt for what is not committed. */
struct store *store_open_pg(const struct store_pg_params *p, char *err, size_t errlen);

/* The same for a scratch store (the temp store of non-persistent
 * messages): whatever `dir` held before is removed first, and commits are
 * not synced. */
/* Tests only: when the environment variable env gives milliseconds,
 * every commit of st waits that long inside its transaction, as
 * TANDEM_TEST_COMMIT_DELAY_MS makes every store's. */
void store_test_commit_delay(struct store *st, const char *env);

struct store *store_open_scratch(const char *dir, char *err, size_t errlen);

/* Creates dir and its parents; 0, or -1 with errno. */
int store_mkdir(const char *dir);

/* Removes a closed store's files from dir; 0, or -1 with a reason. */
int store_remove_files(const char *dir, char *err, size_t errlen);

/* A new message seq from this store's sequence, for a message that is
 * stored elsewhere but must sort among this store's messages. */
uint64_t store_new_seq(struct store *st);

/* Commits everything queued (running the callbacks), stops the writer and
 * closes. */
void store_close(struct store *st);
/* Closes without writing what is queued: the lock on the directory is
 * lost and another broker may own the store now (fencing). The commit in
 * progress, if any, ends; every callback not yet run gets -ECANCELED. */
void store_abandon(struct store *st);

/* Start-up loading, before any operation is queued. */
/* no_local: 1 or 0, -1 for a subscription stored before it was kept. */
typedef void (*store_durable_fn)(void *ctx, const char *client_id,
				 const char *sub_name, const char *topic,
				 const char *selector /* NULL when none */, int no_local);
int store_load_durables(struct store *st, store_durable_fn fn, void *ctx);

/* Calls fn for every entry, grouped by container and in seq order within a
 * container. `m` carries one reference that fn takes over. Returns 0 or -1
 * (error logged). */
typedef void (*store_entry_fn)(void *ctx, const char *container,
			       struct message *m);
int store_load_entries(struct store *st, store_entry_fn fn, void *ctx);

/* Start-up without reading every entry (what a master that takes over
 * does): how many entries each container holds, per priority; fn is
 * called once for each (container, priority) that holds any, whatever
 * the backlog (the store keeps these counts as entries come and go).
 * The messages are then read with store_page_in() when needed. */
typedef void (*store_count_fn)(void *ctx, const char *container, int priority, uint64_t n);
int store_load_counts(struct store *st, store_count_fn fn, void *ctx);

/* store_load_entries() for the containers whose names start with prefix
 * (retained messages, prepared transactions: what must be in memory). */
int store_load_prefix(struct store *st, const char *prefix, store_entry_fn fn, void *ctx);

/* Calls fn with the ids of the `max` newest messages (highest seq),
 * oldest first: what a producer may send again after a failover; with
 * each, the message's `audit` as it was stored (NULL for none), or
 * "*" for a row written before the store kept it (producer_audit.h's
 * PRODUCER_AUDIT_ANY). */
typedef void (*store_id_fn)(void *ctx, const char *id, const char *audit);
int store_load_recent_ids(struct store *st, size_t max, store_id_fn fn, void *ctx);

/* Session ids: small numbers a protocol must remember for a client across
 * a restart or a failover (MQTT's packet identifiers in flight), kept as
 * (owner, kind, id). Calls fn for each; 0 or -1 (logged). */
typedef void (*store_session_id_fn)(void *ctx, const char *owner, int kind, unsigned id);
int store_load_session_ids(struct store *st, store_session_id_fn fn, void *ctx);

/* Dispatch marks: the highest seq of each priority a container has handed
 * to a consumer, written with the next group commit (never a commit of
 * their own to wait for), so that a master taking over knows which of the
 * messages it loads the last one may have delivered (JMSRedelivered).
 * Removing or renaming a container does the same to its marks. Loading
 * calls fn for each mark of a container that still holds entries (the
 * others are dropped first); 0 or -1 (logged). */
int store_mark_dispatched(struct store *st, const char *container, int priority, uint64_t seq);
typedef void (*store_mark_fn)(void *ctx, const char *container, int priority, uint64_t seq);
int store_load_marks(struct store *st, store_mark_fn fn, void *ctx);

/* Paging: calls fn for up to `max` committed entries of `container` with
 * this priority whose seq is above after_seq, in seq order (what a queue
 * left on disk). Reads on the calling thread through a read-only
 * connection. Returns how many, or -1 (logged). */
int store_page_in(struct store *st, const char *container, int priority, uint64_t after_seq,
		  size_t max, store_entry_fn fn, void *ctx);

/* Queued operations. Each returns 0, or -1 when memory runs out. */

/* Assigns m->seq (if 0) and queues the message row. Call once per message,
 * before store_add_entry() for it. */
int store_add_message(struct store *st, struct message *m);
int store_add_entry(struct store *st, const char *container, uint64_t seq);
/* Removes the entry; the message row goes when no entry holds it. */
int store_remove_entry(struct store *st, const char *container, uint64_t seq);
/* Removes every entry of a container (purge, removed queue or durable). */
int store_remove_container(struct store *st, const char *container);
int store_add_durable(struct store *st, const char *client_id,
		      const char *sub_name, const char *topic,
		      const char *selector, bool no_local);
/* Removes the subscription and its entries. */
int store_remove_durable(struct store *st, const char *client_id,
			 const char *sub_name);
/* Renames a durable subscription, its entries with it. */
int store_rename_durable(struct store *st, const char *client_id, const char *sub_name,
			 const char *new_name);
/* Session ids (above): kind and id below 65536. */
int store_add_session_id(struct store *st, const char *owner, int kind, unsigned id);
int store_remove_session_id(struct store *st, const char *owner, int kind, unsigned id);
/* Every id of the owner (its session ended). */
int store_remove_session_ids(struct store *st, const char *owner);

/* Prepared transactions (above). txid: the protocol's name for it, which
 * it can read back after a restart. */
#define STORE_PREPARED_PREFIX "prepared://"
/* "prepared://TXID", malloc'ed; NULL out of memory. */
char *store_prepared_container(const char *txid);
int store_add_prepared(struct store *st, const char *txid);
int store_add_prepared_ack(struct store *st, const char *txid, const char *container,
			   uint64_t seq);
/* Removes the transaction, its acks and its container's entries (its
 * messages, unless routed meanwhile). */
int store_remove_prepared(struct store *st, const char *txid);
/* Start-up: calls fn for each prepared transaction, then ack_fn for each
 * entry one acked (its messages come with store_load_entries(), in their
 * containers). 0 or -1 (logged). */
typedef void (*store_prepared_fn)(void *ctx, const char *txid);
typedef void (*store_prepared_ack_fn)(void *ctx, const char *txid, const char *container,
				      uint64_t seq);
int store_load_prepared(struct store *st, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			void *ctx);

/* Runs fn(ctx, err) after the commit that covers everything queued so far:
 * err 0 when it is durable, negative errno-style when the commit failed
 * (then the queued operations are lost and the caller must say so to the
 * client, e.g. an ERROR instead of a RECEIPT). */
typedef void (*store_done_fn)(void *ctx, int err);
int store_on_commit(struct store *st, store_done_fn fn, void *ctx);

/* The same for a callback that nobody waits for (it only reports a
 * failure): it does not hurry the commit along. */
int store_watch(struct store *st, store_done_fn fn, void *ctx);

/* Calls fn(ctx, container, seq, m) for each entry that a failed commit
 * did not write, as that commit completes (before its store_on_commit()
 * callbacks): its producer is told the send failed, so whoever counted the
 * entry as enqueued can take it back. m is the message when that commit
 * was to write its row too (the entry is part of its send), else NULL; it
 * stays valid during the call. One hook per store; NULL for none. */
typedef void (*store_unwritten_fn)(void *ctx, const char *container, uint64_t seq,
				   struct message *m);
void store_on_unwritten_entry(struct store *st, store_unwritten_fn fn, void *ctx);

/* Identifies the commit that operations queued now will go in: it
 * changes each time store_commit() hands them over. */
uint64_t store_batch_id(const struct store *st);

/* True when operations or callbacks are queued or a commit is running:
 * then a callback registered now runs after a commit. */
bool store_pending(const struct store *st);

/* How many operations are queued or being written: how far the writer is
 * behind the loop. */
size_t store_unwritten(const struct store *st);

/* How many messages were acknowledged before their commit began, and so
 * never written (store_remove_entry cancels them), since the store opened. */
uint64_t store_not_written(const struct store *st);

/* Hands what is queued to the writer thread. True when there was nothing
 * to write (every operation was cancelled: store_remove_entry) and no
 * commit before it: then it is finished at once, the event fd is not
 * signalled, and the caller runs store_complete() now. */
bool store_commit(struct store *st);

/* Readable (LOOP_READ) when a commit has finished. */
int store_event_fd(const struct store *st);

/* Collects a finished commit: frees its operations and runs its
 * callbacks. Call when store_event_fd() is readable. */
void store_complete(struct store *st);

/* Commits what is queued now and waits for it, running the callbacks.
 * Returns 0 or the negative error they were given. For shutdown and
 * tests; the broker's loop uses store_commit() and store_complete(). */
int store_flush(struct store *st);

/* Housekeeping figures: the database size in bytes and how many of them
 * are free pages waiting to be returned to the file system (so the bytes
 * in use are the difference). Measured by the writer after commits, at
 * most every 100 ms; the event fd is signalled when a measure taken while
 * idle may have freed room. */
struct store_size {
	long long file_bytes;
	long long free_bytes;
};
void store_size(const struct store *st, struct store_size *out);

#endif
