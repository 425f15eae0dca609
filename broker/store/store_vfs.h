/*
 * store_vfs.h - a VFS over SQLite's own that writes each commit's WAL
 * frames in one write (private to broker/store/store_sqlite.c).
 *
 * SQLite writes a WAL frame as two writes, its 24-byte header and then its
 * page, so a commit of one message (five frames) cost about eleven
 * pwrite64 calls on the writer's thread, a receipt waiting on each
 * (issue 23). The frames of a commit lie one after another in the WAL:
 * this VFS gathers such contiguous writes in a buffer and writes them at
 * once, before anything that could see the file without them: a sync, a
 * read, a truncate, the file's size, a lock change, closing (not at the
 * barrier SQLite passes before it publishes new frames in the WAL index:
 * the sync of a synced commit comes first, below).
 * A write that fails when the buffer goes out fails the call that sent it
 * (the sync of the commit, for a synced store), so the commit fails as it
 * would have at the write. Files other than a WAL are passed through.
 *
 * For stores synced at every commit only (store_open with sync): each of
 * their commits syncs the WAL before publishing it, so no frame is ever
 * visible to a reader before it is written.
 */
#ifndef TANDEM_STORE_VFS_H
#define TANDEM_STORE_VFS_H

/* The VFS's name for sqlite3_open_v2, registered on first use; NULL when
 * it could not be (then SQLite's default is used, writing as before). */
const char *store_vfs_name(void);

#endif
