/*
 * kahadb_journal.c - walks the batches and records of KahaDB's journal
 * files (see kahadb_journal.h). Start at kahadb_journal_scan().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "kahadb_journal.h"

enum {
	HEAD_SIZE = 5,			/* size (4) and type (1) */
	USER_RECORD = 1,
	BATCH_CONTROL = 2,
	MAGIC_LEN = 11,			/* "WRITE BATCH" */
	BATCH_CONTROL_SIZE = HEAD_SIZE + MAGIC_LEN + 4 + 8,
};

static const char batch_magic[MAGIC_LEN] = "WRITE BATCH";

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

/* Where a file's records end: its EOF record, or zeros where the next
 * head would be (a preallocated file, or ActiveMQ's older 0,0 EOF). */
static int at_end(const uint8_t *p, size_t left)
{
	if (left < HEAD_SIZE)
		return 1;
	if (memcmp(p, "-qMa4", HEAD_SIZE) == 0)
		return 1;
	return get_u32(p) == 0 && p[4] == 0;
}

/* The user records of the batch at body[0..len): each must be a whole
 * user record, as ActiveMQ's appender writes nothing else inside a batch. */
static int scan_batch(const uint8_t *file, size_t start, size_t len, unsigned file_id,
		      kahadb_record_fn *fn, void *ctx, char *err, size_t errlen)
{
	size_t off = start, end = start + len;
	while (off < end) {
		if (end - off < HEAD_SIZE) {
			snprintf(err, errlen, "db-%u.log offset %zu: a record head cut by its "
				 "batch's end", file_id, off);
			return -1;
		}
		uint32_t size = get_u32(file + off);
		uint8_t type = file[off + 4];
		if (type != USER_RECORD) {
			snprintf(err, errlen, "db-%u.log offset %zu: unknown record type %u inside "
				 "a batch", file_id, off, type);
			return -1;
		}
		if (size < HEAD_SIZE || size > end - off) {
			snprintf(err, errlen, "db-%u.log offset %zu: a record of %u bytes does not "
				 "fit its batch", file_id, off, size);
			return -1;
		}
		struct kahadb_record r = { file_id, off, file + off + HEAD_SIZE, size - HEAD_SIZE };
		if (fn(&r, ctx, err, errlen) < 0)
			return -1;
		off += size;
	}
	return 0;
}

/* The batch control record at file[off]: checks it and its batch's
 * checksum, reads the batch, and returns the offset after it, or 0 with
 * the reason in err. */
static size_t read_batch(const uint8_t *file, size_t flen, size_t off, unsigned file_id,
			 kahadb_record_fn *fn, void *ctx, char *err, size_t errlen)
{
	const uint8_t *p = file + off;
	if (flen - off < BATCH_CONTROL_SIZE || get_u32(p) != BATCH_CONTROL_SIZE ||
	    memcmp(p + HEAD_SIZE, batch_magic, MAGIC_LEN) != 0) {
		snprintf(err, errlen, "db-%u.log offset %zu: a batch control record that is "
			 "not one", file_id, off);
		return 0;
	}
	uint32_t len = get_u32(p + HEAD_SIZE + MAGIC_LEN);
	uint64_t sum = get_u64(p + HEAD_SIZE + MAGIC_LEN + 4);
	size_t start = off + BATCH_CONTROL_SIZE;
	if (len > flen - start) {
		snprintf(err, errlen, "db-%u.log offset %zu: a batch of %u bytes runs past the "
			 "file's end (%zu bytes)", file_id, off, len, flen);
		return 0;
	}
	/* 0: written with checksums off (ActiveMQ's checksumJournalFiles). */
	if (sum) {
		uLong a = adler32(adler32(0L, Z_NULL, 0), file + start, len);
		if (a != sum) {
			snprintf(err, errlen, "db-%u.log offset %zu: checksum failure (the batch "
				 "of %u bytes sums to %#lx, its record says %#llx)", file_id, off,
				 len, (unsigned long)a, (unsigned long long)sum);
			return 0;
		}
	}
	if (scan_batch(file, start, len, file_id, fn, ctx, err, errlen) < 0)
		return 0;
	return start + len;
}

int kahadb_journal_scan(const uint8_t *data, size_t len, unsigned file_id,
			kahadb_record_fn *fn, void *ctx, char *err, size_t errlen)
{
	size_t off = 0;
	while (!at_end(data + off, len - off)) {
		uint8_t type = data[off + 4];
		if (type != BATCH_CONTROL) {
			snprintf(err, errlen, "db-%u.log offset %zu: unknown record type %u where "
				 "a batch should start", file_id, off, type);
			return -1;
		}
		off = read_batch(data, len, off, file_id, fn, ctx, err, errlen);
		if (!off)
			return -1;
	}
	return 0;
}

static int read_file(const char *dir, unsigned id, kahadb_record_fn *fn, void *ctx,
		     char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/db-%u.log", dir, id);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = kahadb_journal_scan(m, (size_t)st.st_size, id, fn, ctx, err, errlen);
	munmap(m, (size_t)st.st_size);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* The N of every db-N.log in dir, sorted: *ids is the caller's. */
static int list_files(const char *dir, unsigned **ids, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	*ids = NULL;
	*n = 0;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		unsigned id;
		char tail[8];
		if (sscanf(e->d_name, "db-%u.lo%7s", &id, tail) != 2 || strcmp(tail, "g") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			unsigned *more = realloc(*ids, cap * sizeof *more);
			if (!more) {
				closedir(d);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			*ids = more;
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	if (*n)	/* no files, no array: qsort wants one */
		qsort(*ids, *n, sizeof **ids, cmp_id);
	return 0;
}

int kahadb_journal_read(const char *dir, kahadb_record_fn *fn, void *ctx, char *err,
			size_t errlen)
{
	unsigned *ids;
	size_t n;
	if (list_files(dir, &ids, &n, err, errlen) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = read_file(dir, ids[i], fn, ctx, err, errlen);
	free(ids);
	return rc;
}
