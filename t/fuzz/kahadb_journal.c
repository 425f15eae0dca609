/*
 * kahadb_journal.c - fuzz harness: a KahaDB journal file as ActiveMQ left
 * it (broker/store/kahadb_journal.c, kahadb_records.c, kahadb_replay.c),
 * and the import's check that every message it holds decodes
 * (kahadb_import.c, through the OpenWire codec).
 *
 * Each input runs twice: as it is, and with its first batch's checksum
 * zeroed (checksums off), or nearly every mutation would stop at the
 * checksum and never reach the records.
 *
 * Besides not crashing: a journal refused, or a store refused, says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "kahadb_import.h"
#include "kahadb_journal.h"
#include "kahadb_records.h"
#include "kahadb_replay.h"

static void broken(const char *what)
{
	fprintf(stderr, "kahadb_journal harness: %s\n", what);
	abort();
}

static int on_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	struct kahadb_cmd c;
	if (kahadb_cmd_decode(rec->data, rec->len, &c, err, errlen) < 0)
		return -1;
	return kahadb_replay_cmd(ctx, &c, err, errlen);
}

static void one_journal(const uint8_t *data, size_t size)
{
	struct kahadb_replay r = { 0 };
	char err[512] = "";
	if (kahadb_journal_scan(data, size, 1, on_record, &r, err, sizeof err) < 0) {
		if (!err[0])
			broken("a journal refused without a reason");
	} else {
		kahadb_replay_finish(&r);
		if (kahadb_import_check(&r, err, sizeof err) < 0 && !err[0])
			broken("a store refused without a reason");
	}
	kahadb_replay_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fixture_kahadb_twice(data, size, one_journal);
	return 0;
}
