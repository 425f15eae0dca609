/*
 * store_journal.h - the synced SQLite store's own journal in front of
 * SQLite (private to broker/store/store_sqlite.c; issue 23).
 *
 * A preallocated file, store.journal in the store directory, written in
 * place and never appended to: each group commit's operations are one
 * record, written with one pwrite and made durable with one fdatasync.
 * That sync is the commit's durable point, and the receipts follow it;
 * SQLite itself runs with synchronous=NORMAL (consistent after any crash,
 * not durable by itself). A record is needed only until SQLite's WAL is
 * synced past its commit: journal_restart() then names the next record as
 * the first live one, and the records go at the front of the file again.
 *
 * The file: two header slots (at 0 and 512, written in turn, so that a
 * torn header write leaves the other; the one with the highest start
 * wins), each saying the sequence number of the first live record, then
 * the records from JOURNAL_RECORDS_AT, each 4 KiB aligned (a record never
 * shares a block with the one before it, so writing it cannot tear an
 * acknowledged one): magic, length, sequence, CRC32 (zlib) of length,
 * sequence and operations, then the operations. Reading at open stops at
 * the first record whose magic, sequence (one more than the last) or CRC
 * is not right: a torn last record was never acknowledged.
 *
 * Threads: journal_open and journal_replay on the loop thread before the
 * writer starts; journal_begin/add/write/restart on the writer thread;
 * journal_used from either (a relaxed read: a figure for sizes).
 */
#ifndef TANDEM_STORE_JOURNAL_H
#define TANDEM_STORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "store_backend.h"

#define JOURNAL_FILE		"store.journal"
/* The file's size: room for a commit of 16 MiB. A bigger one is made
 * durable by syncing SQLite's WAL instead (store_sqlite.c). */
#define JOURNAL_BYTES		(16LL << 20)
/* Of which the front is written with zeros at creation, the rest only
 * reserved (fallocate): the journal starts over long before it gets past
 * this, and a block written before syncs as an overwrite, without the
 * file system's own metadata. */
#define JOURNAL_WRITTEN		(2LL << 20)
#define JOURNAL_RECORDS_AT	4096
/* A disk with less than sixteen times this free cannot hold a new one. */
#define JOURNAL_MIN		(128LL << 10)

struct journal;

/* Opens <dir>/store.journal, creating it when it does not exist: `bytes`
 * reserved on the disk (a sixteenth of its free space when that is less),
 * the first JOURNAL_WRITTEN of them written. An existing file keeps its
 * size. NULL with err and errno on failure: ENOSPC when the disk has no
 * room for it (less than JOURNAL_MIN). */
struct journal *journal_open(const char *dir, long long bytes, char *err, size_t errlen);

/* Calls fn for each operation of each live record, in order (an
 * OP_ADD_MESSAGE's message is valid during the call only). Returns how
 * many records were read, or -1 when fn failed (its err). The next record
 * is written after the last one read. */
typedef int (*journal_op_fn)(void *ctx, const struct op *o);
long journal_replay(struct journal *j, journal_op_fn fn, void *ctx);

/* The record of a commit: journal_begin() empties it, journal_add()
 * appends an operation (0, or -ENOMEM), journal_write() writes it and
 * syncs: 0, -ENOSPC when it does not fit in the room left (nothing is
 * written: make SQLite durable, then journal_restart()), or -errno. */
void journal_begin(struct journal *j);
int journal_add(struct journal *j, const struct op *o);
int journal_write(struct journal *j);

/* Everything written so far is durable elsewhere (SQLite's WAL was
 * synced): the next record is the first live one, at the front of the
 * file. 0 or -errno. */
int journal_restart(struct journal *j);

/* Bytes of live records; the file's size. */
long long journal_used(const struct journal *j);
long long journal_file_bytes(const struct journal *j);

void journal_close(struct journal *j);

#endif
