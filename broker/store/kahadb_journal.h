/*
 * kahadb_journal.h - the records of an ActiveMQ KahaDB journal, read
 * from its files db-1.log, db-2.log, ... in order.
 *
 * ActiveMQ's Journal appends records in batches. Every record starts
 * with a 4-byte big-endian size (the 5-byte head included) and a type
 * byte: 1 is a user record (one KahaDB command, kahadb_records.h), 2 a
 * batch control record ("WRITE BATCH", then the size of the records
 * that follow in the batch and their Adler-32, 0 when checksums were
 * off). A file ends at its EOF record ("-qMa" and '4'), or at zeros:
 * the rest of a preallocated file.
 *
 * The index db.data is not read: after a crash it may be stale, and
 * ActiveMQ's own recovery replays the journal too.
 *
 * Anything this reader does not know stops it with the file, the offset
 * and why: an unknown record type, a batch whose checksum does not
 * match, a batch that runs past the end of its file. It never writes.
 */
#ifndef TANDEM_KAHADB_JOURNAL_H
#define TANDEM_KAHADB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct kahadb_record {
	unsigned file_id;	/* N of db-N.log */
	size_t offset;		/* of the record's head in that file */
	const uint8_t *data;	/* the payload after the 5-byte head */
	size_t len;
};

/* Called for each user record in journal order; data is valid during
 * the call only. Returns 0 to go on, or -1 with a reason in err to stop. */
typedef int kahadb_record_fn(const struct kahadb_record *r, void *ctx, char *err,
			     size_t errlen);

/* Reads every db-N.log of dir in the order of N. 0 when every record was
 * read and accepted; -1 with the reason (file and offset) in err. */
int kahadb_journal_read(const char *dir, kahadb_record_fn *fn, void *ctx, char *err,
			size_t errlen);

/* The same over one file's bytes (the unit tests' entry). */
int kahadb_journal_scan(const uint8_t *data, size_t len, unsigned file_id,
			kahadb_record_fn *fn, void *ctx, char *err, size_t errlen);

#endif
