/*
 * kahadb_scheduler.c - fuzz harness: a journal file of ActiveMQ's
 * scheduler store (broker/store/kahadb_scheduler.c, over the journal
 * reader kahadb_journal.c and kahadb_records.c's job decoder), whose
 * pending jobs an import counts.
 *
 * Each input runs twice, as kahadb_journal.c's does: as it is, and with
 * its first batch's checksum zeroed (checksums off), or nearly every
 * mutation would stop at the checksum and never reach the jobs.
 *
 * Besides not crashing: a refusal says why, and the count is a simple
 * model's, kept here with the jobs in an array and compared byte for byte
 * (a scheduler's name and a job's id may hold any bytes, '/' and NUL
 * too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "kahadb_journal.h"
#include "kahadb_records.h"
#include "kahadb_scheduler.h"

static void broken(const char *what)
{
	fprintf(stderr, "kahadb_scheduler harness: %s\n", what);
	abort();
}

/* ---- the model: every pending job, in an array ---- */

struct model_job {
	struct kahadb_bytes scheduler, job_id;	/* into the input, alive for the run */
	int64_t next_time;
};

struct model {
	struct model_job *v;
	size_t n, cap;
	size_t commands;
};

static int same_bytes(struct kahadb_bytes a, struct kahadb_bytes b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

static struct model_job *model_find(struct model *m, const struct kahadb_job_cmd *c)
{
	for (size_t i = 0; i < m->n; i++)
		if (same_bytes(m->v[i].scheduler, c->scheduler) && same_bytes(m->v[i].job_id, c->job_id))
			return &m->v[i];
	return NULL;
}

static int model_add(struct model *m, const struct kahadb_job_cmd *c)
{
	struct model_job *x = model_find(m, c);
	if (x) {
		x->next_time = c->next_time;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct model_job *v = realloc(m->v, cap * sizeof *v);
		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct model_job){ c->scheduler, c->job_id, c->next_time };
	return 0;
}

/* Drops the jobs of c's scheduler, those due within its span only when
 * `span`, or the one job c names when `one`. */
static void model_remove(struct model *m, const struct kahadb_job_cmd *c, int span, int one)
{
	size_t w = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct model_job *x = &m->v[i];
		int gone = same_bytes(x->scheduler, c->scheduler) &&
			   (one ? same_bytes(x->job_id, c->job_id)
				: !span || (x->next_time >= c->start_time &&
					    x->next_time <= c->end_time));
		if (!gone)
			m->v[w++] = *x;
	}
	m->n = w;
}

/* A scan's records point into the input (kahadb_journal.c copies
 * nothing), so the model keeps those pointers for the run. */
static int model_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	struct model *m = ctx;
	struct kahadb_job_cmd c;
	if (kahadb_job_decode(rec->data, rec->len, &c, err, errlen) < 0)
		return -1;
	m->commands++;
	switch (c.type) {
	case KAHADB_ADD_JOB:
	case KAHADB_RESCHEDULE_JOB:
		if (model_add(m, &c) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		break;
	case KAHADB_REMOVE_JOB:
		model_remove(m, &c, 0, 1);
		break;
	case KAHADB_REMOVE_JOBS:
		model_remove(m, &c, 1, 0);
		break;
	case KAHADB_DESTROY_SCHEDULER:
		model_remove(m, &c, 0, 0);
		break;
	default:
		break;
	}
	return 0;
}

static void one_journal(const uint8_t *data, size_t size)
{
	size_t jobs = 0, commands = 0;
	char err[512] = "";
	int rc = kahadb_scheduler_count(data, size, &jobs, &commands, err, sizeof err);
	if (rc < 0 && !err[0])
		broken("a journal refused without a reason");
	struct model m = { 0 };
	char merr[512] = "";
	int mrc = kahadb_journal_scan(data, size, 1, model_record, &m, merr, sizeof merr);
	if (mrc == 0 && rc == 0 && (m.n != jobs || m.commands != commands)) {
		fprintf(stderr, "counted %zu job(s) from %zu command(s), the model %zu from %zu\n",
			jobs, commands, m.n, m.commands);
		broken("the count is not the model's");
	}
	if (mrc != rc)
		broken("the model and the count disagree on whether the journal reads");
	free(m.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fixture_kahadb_twice(data, size, one_journal);
	return 0;
}
