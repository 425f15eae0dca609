/*
 * store_vfs.c - the gathering VFS (store_vfs.h): SQLite's default VFS
 * under it does the work; this one only holds a WAL's contiguous writes
 * back until something needs them in the file.
 *
 * Each file opened through it is a `struct gfile` followed by the file of
 * the VFS under it; every method passes through to that one, a WAL's
 * first writing out what is gathered. The VFS functions that take no file
 * (delete, access, full path names, time, randomness) are the default
 * VFS's own, copied: the unix VFS does not look at the sqlite3_vfs they
 * are given beyond mxPathname, which is copied with them.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_vfs.h"

#define VFS_NAME	"tandem-gather"
/* More than a commit of a few messages (five frames of 4,120 bytes
 * each); a bigger commit goes out 64 KiB at a time. */
#define GATHER_BYTES	(64 * 1024)

struct gfile {
	sqlite3_file base;	/* its pMethods: gather_methods */
	sqlite3_file *real;	/* the file under it, right after this struct */
	char *buf;		/* a WAL's writes not yet sent; NULL: not a WAL */
	size_t len;
	sqlite3_int64 off;	/* where buf[0] goes */
};

static sqlite3_vfs gather_vfs;
static sqlite3_vfs *under;
static bool registered;

/* Sends what is gathered; SQLite's code for the write if it failed. */
static int flush(struct gfile *f)
{
	if (!f->len)
		return SQLITE_OK;
	size_t len = f->len;
	f->len = 0;
	return f->real->pMethods->xWrite(f->real, f->buf, (int)len, f->off);
}

static int g_close(sqlite3_file *p)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int g_read(sqlite3_file *p, void *data, int amt, sqlite3_int64 off)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, data, amt, off);
}

static int g_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
	struct gfile *f = (struct gfile *)p;
	if (!f->buf)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	/* Only a write that continues the gathered ones joins them: any
	 * other goes after them, in the order SQLite made them. */
	if (f->len && (off != f->off + (sqlite3_int64)f->len || f->len + (size_t)amt > GATHER_BYTES)) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	if ((size_t)amt > GATHER_BYTES)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	return SQLITE_OK;
}

static int g_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int g_sync(sqlite3_file *p, int flags)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int g_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int g_lock(sqlite3_file *p, int level)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xLock(f->real, level);
}

static int g_unlock(sqlite3_file *p, int level)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xUnlock(f->real, level);
}

static int g_check_reserved(sqlite3_file *p, int *out)
{
	struct gfile *f = (struct gfile *)p;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int g_file_control(sqlite3_file *p, int op, void *arg)
{
	struct gfile *f = (struct gfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int g_sector_size(sqlite3_file *p)
{
	struct gfile *f = (struct gfile *)p;
	return f->real->pMethods->xSectorSize(f->real);
}

static int g_device(sqlite3_file *p)
{
	struct gfile *f = (struct gfile *)p;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Shared memory and mapping: the database file's, passed through (a
 * file under it of an older method version has none). */
static int g_shm_map(sqlite3_file *p, int page, int size, int extend, void volatile **out)
{
	struct gfile *f = (struct gfile *)p;
	if (f->real->pMethods->iVersion < 2)
		return SQLITE_IOERR_SHMMAP;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int g_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	struct gfile *f = (struct gfile *)p;
	if (f->real->pMethods->iVersion < 2)
		return SQLITE_IOERR_SHMLOCK;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void g_shm_barrier(sqlite3_file *p)
{
	struct gfile *f = (struct gfile *)p;
	if (f->real->pMethods->iVersion >= 2)
		f->real->pMethods->xShmBarrier(f->real);
}

static int g_shm_unmap(sqlite3_file *p, int delete_flag)
{
	struct gfile *f = (struct gfile *)p;
	if (f->real->pMethods->iVersion < 2)
		return SQLITE_OK;
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int g_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
	struct gfile *f = (struct gfile *)p;
	*out = NULL;
	if (f->real->pMethods->iVersion < 3 || f->buf)
		return SQLITE_OK;	/* no mapping: SQLite reads instead */
	return f->real->pMethods->xFetch(f->real, off, amt, out);
}

static int g_unfetch(sqlite3_file *p, sqlite3_int64 off, void *data)
{
	struct gfile *f = (struct gfile *)p;
	if (f->real->pMethods->iVersion < 3)
		return SQLITE_OK;
	return f->real->pMethods->xUnfetch(f->real, off, data);
}

static const sqlite3_io_methods gather_methods = {
	.iVersion = 3,
	.xClose = g_close,
	.xRead = g_read,
	.xWrite = g_write,
	.xTruncate = g_truncate,
	.xSync = g_sync,
	.xFileSize = g_file_size,
	.xLock = g_lock,
	.xUnlock = g_unlock,
	.xCheckReservedLock = g_check_reserved,
	.xFileControl = g_file_control,
	.xSectorSize = g_sector_size,
	.xDeviceCharacteristics = g_device,
	.xShmMap = g_shm_map,
	.xShmLock = g_shm_lock,
	.xShmBarrier = g_shm_barrier,
	.xShmUnmap = g_shm_unmap,
	.xFetch = g_fetch,
	.xUnfetch = g_unfetch,
};

static int g_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
	(void)vfs;
	struct gfile *f = (struct gfile *)p;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	int rc = under->xOpen(under, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* SQLite closes a file that failed to open when its pMethods
		 * is set; ours stays NULL, so the one under it is closed here */
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		return rc;
	}
	/* Without memory for the buffer a WAL is written as before. */
	if (flags & SQLITE_OPEN_WAL)
		f->buf = malloc(GATHER_BYTES);
	f->base.pMethods = &gather_methods;
	return SQLITE_OK;
}

static void register_vfs(void)
{
	under = sqlite3_vfs_find(NULL);
	if (!under || under->iVersion < 1)
		return;
	gather_vfs = *under;
	gather_vfs.pNext = NULL;
	gather_vfs.zName = VFS_NAME;
	/* struct gfile is a multiple of 8 bytes: the file under it is aligned */
	gather_vfs.szOsFile = (int)sizeof(struct gfile) + under->szOsFile;
	gather_vfs.xOpen = g_open;
	registered = sqlite3_vfs_register(&gather_vfs, 0) == SQLITE_OK;
}

const char *store_vfs_name(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, register_vfs);
	return registered ? VFS_NAME : NULL;
}
