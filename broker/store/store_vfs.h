/*
 * store_vfs.h - a VFS over SQLite's own that writes each commit's WAL
 * frames in one write (private to broker/store/store_sqlite.c).
 *
 * SQLite writes a WAL frame as two writes, its 24-byte header and then its
 * page, so a commit of one message (five frames) cost about eleven
 * pwrite64 calls on the writer's thread, a receipt waiting on each
 * (issue 23). The frames of a commit lie one after another in the WAL:
 * this VFS gathers such contiguous writes in a buffer and writes them at
 * once when the last page of a commit is written (the frame header before
 * it says so), and before anything that could see the file without them:
 * a sync, a read, a truncate, the file's size, a lock change, closing. So
 * SQLite publishes a commit's frames in the WAL index only after they are
 * in the file, synced or not, and a write that fails (a full disk) fails
 * that commit, as it would have at the write. Files other than a WAL are
 * passed through.
 */
#ifndef TANDEM_STORE_VFS_H
#define TANDEM_STORE_VFS_H

/* The VFS's name for sqlite3_open_v2, registered on first use; NULL when
 * it could not be (then SQLite's default is used, writing as before). */
const char *store_vfs_name(void);

#endif
