/*
 * store_journal.c - the store's own journal in front of SQLite (contract
 * and file layout in store_journal.h).
 *
 * A record is built in `rec` as the writer applies a commit's operations
 * (journal_add: each operation's kind, priority, seq, its strings and, for
 * a message, its row), then written whole, padded to JOURNAL_ALIGN, at
 * `off` (journal_write). Reading (journal_replay) decodes the same bytes
 * back into operations. Numbers are in this machine's byte order: the
 * file is read by the broker that wrote it or by its slave on the same
 * directory.
 *
 * Start reading at journal_write().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <zlib.h>

#include "log.h"
#include "message.h"
#include "store_journal.h"

#define JOURNAL_ALIGN	4096
#define HEADER_MAGIC	0x4a48444eu	/* "JHDN" */
#define RECORD_MAGIC	0x4a52434eu	/* "JRCN" */
#define SLOT_BYTES	512		/* one header slot, a sector */
#define NO_STRING	UINT32_MAX

struct jheader {
	uint32_t magic;
	uint32_t version;
	uint64_t start_seq;	/* the first live record's sequence */
	uint32_t crc;		/* of the fields above */
	uint32_t pad;
};

struct jrecord {
	uint32_t magic;
	uint32_t len;		/* of the operations after this */
	uint64_t seq;
	uint32_t crc;		/* of len, seq and the operations */
	uint32_t pad;
};

struct journal {
	int fd;
	char *path;
	long long bytes;	/* the file's size */
	long long off;		/* where the next record goes */
	uint64_t seq;		/* the next record's sequence */
	uint64_t start_seq;	/* the first live record's */
	unsigned slot;		/* the header slot written last */
	char *rec;		/* the record being built: struct record, then ops */
	size_t len, cap;
	bool failed;		/* journal_add ran out of memory */
};

/* ---- the file ---- */

static uint32_t header_crc(const struct jheader *h)
{
	return (uint32_t)crc32(0, (const Bytef *)h, offsetof(struct jheader, crc));
}

static uint32_t record_crc(const struct jrecord *r, const char *ops)
{
	uLong c = crc32(0, (const Bytef *)&r->len, sizeof r->len);
	c = crc32(c, (const Bytef *)&r->seq, sizeof r->seq);
	return (uint32_t)crc32(c, (const Bytef *)ops, r->len);
}

static int write_all(int fd, const void *data, size_t len, off_t off)
{
	const char *p = data;
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* A new journal: `bytes` reserved, the front written with zeros, synced
 * with its directory entry. */
static int create_file(const char *path, const char *dir, long long bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = -posix_fallocate(fd, 0, bytes);
	static const char zeros[1 << 16];
	long long front = bytes < JOURNAL_WRITTEN ? bytes : JOURNAL_WRITTEN;
	for (long long at = 0; rc == 0 && at < front; at += (long long)sizeof zeros)
		rc = write_all(fd, zeros, (size_t)(front - at < (long long)sizeof zeros ?
						   front - at : (long long)sizeof zeros), at);
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	int dfd = rc == 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	if (rc < 0)
		unlink(path);
	return rc;
}

/* The live start from the better header slot; false when neither is a
 * header (a new file: all zeros). */
static bool read_header(struct journal *j)
{
	bool found = false;
	for (unsigned i = 0; i < 2; i++) {
		struct jheader h;
		if (pread(j->fd, &h, sizeof h, (off_t)i * SLOT_BYTES) != (ssize_t)sizeof h ||
		    h.magic != HEADER_MAGIC || h.crc != header_crc(&h))
			continue;
		if (!found || h.start_seq > j->start_seq) {
			j->start_seq = h.start_seq;
			j->slot = i;
		}
		found = true;
	}
	return found;
}

/* A new journal's size: `bytes`, or a sixteenth of what the disk has free
 * when that is less (a small file system keeps room for the store). */
static long long fit(const char *dir, long long bytes)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) < 0)
		return bytes;
	long long part = (long long)vfs.f_bavail * (long long)vfs.f_frsize / 16;
	return (part < bytes ? part : bytes) / JOURNAL_ALIGN * JOURNAL_ALIGN;
}

struct journal *journal_open(const char *dir, long long bytes, char *err, size_t errlen)
{
	struct journal *j = calloc(1, sizeof *j);
	if (!j || asprintf(&j->path, "%s/%s", dir, JOURNAL_FILE) < 0) {
		free(j);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	j->fd = -1;
	struct stat sb;
	int rc = 0;
	if (stat(j->path, &sb) < 0 && errno == ENOENT) {
		bytes = fit(dir, bytes);
		rc = bytes < JOURNAL_MIN ? -ENOSPC : create_file(j->path, dir, bytes);
	}
	if (rc < 0) {
		snprintf(err, errlen, "no room for %s (%lld KiB): %s", j->path,
			 (bytes > JOURNAL_MIN ? bytes : JOURNAL_MIN) >> 10, strerror(-rc));
		goto fail;
	}
	j->fd = open(j->path, O_RDWR | O_CLOEXEC);
	if (j->fd < 0 || fstat(j->fd, &sb) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", j->path, strerror(errno));
		goto fail;
	}
	if (sb.st_size < 2 * JOURNAL_RECORDS_AT) {
		rc = -EBADMSG;
		snprintf(err, errlen, "%s is %lld bytes, too short for a journal", j->path,
			 (long long)sb.st_size);
		goto fail;
	}
	j->bytes = sb.st_size;
	if (!read_header(j))
		j->start_seq = 1;
	j->seq = j->start_seq;
	j->off = JOURNAL_RECORDS_AT;
	return j;
fail:
	journal_close(j);
	errno = -rc;
	return NULL;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->rec);
	free(j);
}

long long journal_used(const struct journal *j)
{
	return __atomic_load_n(&j->off, __ATOMIC_RELAXED) - JOURNAL_RECORDS_AT;
}

long long journal_file_bytes(const struct journal *j)
{
	return j->bytes;
}

int journal_restart(struct journal *j)
{
	struct jheader h = { HEADER_MAGIC, 1, j->seq, 0, 0 };
	h.crc = header_crc(&h);
	unsigned slot = j->slot ^ 1;
	int rc = write_all(j->fd, &h, sizeof h, (off_t)slot * SLOT_BYTES);
	if (rc == 0 && fdatasync(j->fd) < 0)
		rc = -errno;
	if (rc < 0)
		return rc;
	/* Only now may records go over the old ones: a header not yet on
	 * disk still names them. */
	j->slot = slot;
	j->start_seq = j->seq;
	__atomic_store_n(&j->off, JOURNAL_RECORDS_AT, __ATOMIC_RELAXED);
	return 0;
}

/* ---- a record's operations ---- */

static bool reserve(struct journal *j, size_t more)
{
	if (j->failed)
		return false;
	if (j->len + more <= j->cap)
		return true;
	size_t cap = j->cap ? j->cap : 2 * JOURNAL_ALIGN;
	while (cap < j->len + more + JOURNAL_ALIGN)
		cap *= 2;
	char *p = realloc(j->rec, cap);
	if (!p) {
		j->failed = true;
		return false;
	}
	j->rec = p;
	j->cap = cap;
	return true;
}

static void put(struct journal *j, const void *data, size_t len)
{
	if (reserve(j, len)) {
		memcpy(j->rec + j->len, data, len);
		j->len += len;
	}
}

static void put_u32(struct journal *j, uint32_t v) { put(j, &v, sizeof v); }
static void put_u64(struct journal *j, uint64_t v) { put(j, &v, sizeof v); }

/* A string with its NUL, or none. */
static void put_str(struct journal *j, const char *s)
{
	if (!s) {
		put_u32(j, NO_STRING);
		return;
	}
	size_t n = strlen(s) + 1;
	put_u32(j, (uint32_t)n);
	put(j, s, n);
}

static void put_blob(struct journal *j, const void *data, size_t len)
{
	put_u64(j, len);
	put(j, data, len);
}

/* A message as its row: what store_row_message() makes again. */
static void put_message(struct journal *j, const struct message *m)
{
	char *blob;
	size_t len;
	if (store_encode_headers(m, &blob, &len) < 0) {
		j->failed = true;
		return;
	}
	put_u64(j, m->seq);
	put_u32(j, (uint32_t)m->dest_type);
	put_u32(j, m->priority);
	put_u64(j, (uint64_t)m->expires);
	put_u64(j, (uint64_t)m->timestamp);
	put_u32(j, m->redeliveries);
	put_str(j, m->id);
	put_str(j, m->dest);
	put_blob(j, blob, len);
	put_blob(j, m->body, m->body_len);
	free(blob);
}

void journal_begin(struct journal *j)
{
	j->failed = false;
	j->len = 0;
	struct jrecord r = { 0 };
	put(j, &r, sizeof r);
}

int journal_add(struct journal *j, const struct op *o)
{
	put_u32(j, (uint32_t)o->kind);
	put_u32(j, (uint32_t)o->prio);
	put_u64(j, o->seq);
	put_str(j, o->a);
	put_str(j, o->b);
	put_str(j, o->c);
	put_str(j, o->d);
	if (o->kind == OP_ADD_MESSAGE)
		put_message(j, o->msg);
	return j->failed ? -ENOMEM : 0;
}

int journal_write(struct journal *j)
{
	if (j->failed)
		return -ENOMEM;
	size_t total = (j->len + JOURNAL_ALIGN - 1) / JOURNAL_ALIGN * JOURNAL_ALIGN;
	if (j->off + (long long)total > j->bytes)
		return -ENOSPC;
	if (!reserve(j, total - j->len))
		return -ENOMEM;
	memset(j->rec + j->len, 0, total - j->len);
	struct jrecord *r = (struct jrecord *)j->rec;
	*r = (struct jrecord){ RECORD_MAGIC, (uint32_t)(j->len - sizeof *r), j->seq, 0, 0 };
	r->crc = record_crc(r, j->rec + sizeof *r);
	int rc = write_all(j->fd, j->rec, total, j->off);
	if (rc == 0 && fdatasync(j->fd) < 0)
		rc = -errno;
	if (rc < 0)
		return rc;
	j->seq++;
	__atomic_store_n(&j->off, j->off + (long long)total, __ATOMIC_RELAXED);
	return 0;
}

/* ---- reading back ---- */

struct reader {
	const char *p, *end;
	bool bad;
};

static const void *take(struct reader *rd, size_t n)
{
	if (rd->bad || (size_t)(rd->end - rd->p) < n) {
		rd->bad = true;
		return NULL;
	}
	const void *at = rd->p;
	rd->p += n;
	return at;
}

static uint32_t take_u32(struct reader *rd)
{
	const void *p = take(rd, 4);
	uint32_t v = 0;
	if (p)
		memcpy(&v, p, 4);
	return v;
}

static uint64_t take_u64(struct reader *rd)
{
	const void *p = take(rd, 8);
	uint64_t v = 0;
	if (p)
		memcpy(&v, p, 8);
	return v;
}

static char *take_str(struct reader *rd)
{
	uint32_t n = take_u32(rd);
	if (n == NO_STRING)
		return NULL;
	const char *s = take(rd, n);
	if (s && (n == 0 || s[n - 1] != '\0'))
		rd->bad = true;
	return rd->bad ? NULL : (char *)s;
}

static const void *take_blob(struct reader *rd, size_t *len)
{
	uint64_t n = take_u64(rd);
	*len = (size_t)n;
	return take(rd, (size_t)n);
}

static struct message *take_message(struct reader *rd)
{
	struct store_row row = { 0 };
	row.seq = take_u64(rd);
	row.dest_type = (int)take_u32(rd);
	row.priority = (int)take_u32(rd);
	row.expires = (int64_t)take_u64(rd);
	row.timestamp = (int64_t)take_u64(rd);
	row.redeliveries = take_u32(rd);
	row.id = take_str(rd);
	row.dest = take_str(rd);
	row.headers = take_blob(rd, &row.headers_len);
	row.body = take_blob(rd, &row.body_len);
	return rd->bad ? NULL : store_row_message(&row);
}

/* Applies a record's operations; 0, 1 when it does not decode (a CRC
 * that matched damaged bytes: nothing after it is read), -1 when fn
 * failed. */
static int replay_ops(const char *ops, size_t len, journal_op_fn fn, void *ctx)
{
	struct reader rd = { ops, ops + len, false };
	while (rd.p < rd.end) {
		struct op o = { 0 };
		o.kind = (enum op_kind)take_u32(&rd);
		o.prio = (int)take_u32(&rd);
		o.seq = take_u64(&rd);
		o.a = take_str(&rd);
		o.b = take_str(&rd);
		o.c = take_str(&rd);
		o.d = take_str(&rd);
		if (!rd.bad && o.kind == OP_ADD_MESSAGE && !(o.msg = take_message(&rd)))
			rd.bad = true;
		if (rd.bad || o.kind > OP_NONE)
			return 1;
		int rc = fn(ctx, &o);
		if (o.msg)
			message_unref(o.msg);
		if (rc < 0)
			return -1;
	}
	return 0;
}

long journal_replay(struct journal *j, journal_op_fn fn, void *ctx)
{
	long n = 0;
	char *buf = NULL;
	for (;;) {
		struct jrecord r;
		if (j->off + (long long)sizeof r > j->bytes ||
		    pread(j->fd, &r, sizeof r, j->off) != (ssize_t)sizeof r ||
		    r.magic != RECORD_MAGIC || r.seq != j->seq ||
		    (long long)r.len > j->bytes - j->off - (long long)sizeof r)
			break;
		char *p = realloc(buf, r.len ? r.len : 1);
		if (!p) {
			log_error("store", "%s: out of memory reading record %llu", j->path,
				  (unsigned long long)r.seq);
			free(buf);
			return -1;
		}
		buf = p;
		if (pread(j->fd, buf, r.len, j->off + (off_t)sizeof r) != (ssize_t)r.len)
			break;
		if (r.crc != record_crc(&r, buf)) {
			log_warn("store", "%s: record %llu at %lld has a bad CRC: replay ends there",
				 j->path, (unsigned long long)r.seq, j->off);
			break;
		}
		int rc = replay_ops(buf, r.len, fn, ctx);
		if (rc < 0) {
			free(buf);
			return -1;
		}
		if (rc > 0) {
			log_warn("store", "%s: record %llu at %lld does not decode: replay ends there",
				 j->path, (unsigned long long)r.seq, j->off);
			break;
		}
		n++;
		j->seq++;
		long long size = (long long)sizeof r + r.len;
		j->off += (size + JOURNAL_ALIGN - 1) / JOURNAL_ALIGN * JOURNAL_ALIGN;
	}
	free(buf);
	return n;
}

