/*
 * kahadb_scheduler.c - counts the jobs an ActiveMQ scheduler store still
 * holds (see kahadb_scheduler.h): its journal replayed, each job by its
 * scheduler and id, added, rescheduled, removed one by one, by the span
 * of times they were due in, or with their whole scheduler.
 */
#include <dirent.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kahadb.h"
#include "kahadb_journal.h"
#include "kahadb_records.h"
#include "kahadb_scheduler.h"
#include "strmap.h"

struct job {
	struct job *prev, *next;
	char *key;		/* SCHEDULER/JOBID, each escaped, as filed in jobs.by_key */
	size_t scheduler_len;	/* of the escaped SCHEDULER */
	int64_t next_time;
};

struct jobs {
	struct job *head;
	struct strmap by_key;
	size_t count, commands;
};

/* b as a part of a key, into out (NULL: only counted): names are any
 * bytes, and a '/' or a NUL taken as it is made two jobs one ("a/b" "c"
 * and "a" "b/c"; the key is a C string). '\' is "\\", '/' "\s", NUL
 * "\0". Returns the length. */
static size_t key_part(struct kahadb_bytes b, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < b.len; i++) {
		uint8_t ch = b.p[i];
		const char *esc = ch == '\\' ? "\\\\" : ch == '/' ? "\\s" : !ch ? "\\0" : NULL;
		if (out && esc)
			memcpy(out + n, esc, 2);
		else if (out)
			out[n] = (char)ch;
		n += esc ? 2 : 1;
	}
	return n;
}

static char *job_key(const struct kahadb_job_cmd *c, size_t *scheduler_len)
{
	size_t n = key_part(c->scheduler, NULL), m = key_part(c->job_id, NULL);
	char *k = malloc(n + m + 2);
	if (k) {
		key_part(c->scheduler, k);
		k[n] = '/';
		key_part(c->job_id, k + n + 1);
		k[n + m + 1] = '\0';
	}
	*scheduler_len = n;
	return k;
}

static void job_drop(struct jobs *j, struct job *x)
{
	strmap_del(&j->by_key, x->key);
	if (x->prev)
		x->prev->next = x->next;
	else
		j->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	j->count--;
	free(x->key);
	free(x);
}

static struct job *job_find(struct jobs *j, const struct kahadb_job_cmd *c)
{
	size_t n;
	char *k = job_key(c, &n);
	struct job *x = k ? strmap_get(&j->by_key, k) : NULL;
	free(k);
	return x;
}

static int job_add(struct jobs *j, const struct kahadb_job_cmd *c)
{
	struct job *x = job_find(j, c);
	if (x) {
		x->next_time = c->next_time;
		return 0;
	}
	if (!(x = calloc(1, sizeof *x)) || !(x->key = job_key(c, &x->scheduler_len)) ||
	    strmap_put(&j->by_key, x->key, x) < 0) {
		if (x)
			free(x->key);
		free(x);
		return -1;
	}
	x->next_time = c->next_time;
	x->next = j->head;
	if (j->head)
		j->head->prev = x;
	j->head = x;
	j->count++;
	return 0;
}

/* Whether x belongs to the scheduler whose escaped name is s (n bytes). */
static int same_scheduler(const struct job *x, const char *s, size_t n)
{
	return x->scheduler_len == n && memcmp(x->key, s, n) == 0;
}

static int jobs_remove_matching(struct jobs *j, const struct kahadb_job_cmd *c, int span)
{
	size_t n = key_part(c->scheduler, NULL);
	char *s = malloc(n + 1);
	if (!s)
		return -1;
	key_part(c->scheduler, s);
	for (struct job *x = j->head, *next; x; x = next) {
		next = x->next;
		if (same_scheduler(x, s, n) && (!span || (x->next_time >= c->start_time &&
							  x->next_time <= c->end_time)))
			job_drop(j, x);
	}
	free(s);
	return 0;
}

static int on_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	struct jobs *j = ctx;
	struct kahadb_job_cmd c;
	char why[256];
	if (kahadb_job_decode(rec->data, rec->len, &c, why, sizeof why) < 0) {
		snprintf(err, errlen, "db-%u.log offset %zu: %s", rec->file_id, rec->offset, why);
		return -1;
	}
	j->commands++;
	struct job *x;
	int rc = 0;
	switch (c.type) {
	case KAHADB_ADD_JOB:
	case KAHADB_RESCHEDULE_JOB:
		rc = job_add(j, &c);
		break;
	case KAHADB_REMOVE_JOB:
		if ((x = job_find(j, &c)))
			job_drop(j, x);
		break;
	case KAHADB_REMOVE_JOBS:
		rc = jobs_remove_matching(j, &c, 1);
		break;
	case KAHADB_DESTROY_SCHEDULER:
		rc = jobs_remove_matching(j, &c, 0);
		break;
	default:
		break;
	}
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

static void jobs_release(struct jobs *j)
{
	while (j->head)
		job_drop(j, j->head);
	strmap_clear(&j->by_key);
}

/* One scheduler store: 1 when said (it holds jobs, or cannot be read). */
static int count_jobs(const char *dir, kahadb_scheduler_fn *fn, void *ctx)
{
	char err[512];
	if (kahadb_find(dir, err, sizeof err) <= 0)
		return 0;	/* no journal with content */
	struct jobs j = { 0 };
	err[0] = '\0';
	int rc = kahadb_journal_read(dir, on_record, &j, err, sizeof err);
	int said = j.count || rc < 0;
	if (said)
		fn(ctx, dir, j.count, j.commands, rc < 0 ? err : NULL);
	jobs_release(&j);
	return said;
}

int kahadb_scheduler_count(const uint8_t *data, size_t size, size_t *jobs, size_t *commands,
			   char *err, size_t errlen)
{
	struct jobs j = { 0 };
	int rc = kahadb_journal_scan(data, size, 1, on_record, &j, err, errlen);
	*jobs = j.count;
	*commands = j.commands;
	jobs_release(&j);
	return rc < 0 ? -1 : 0;
}

int kahadb_scheduler_find(const char *kahadb_dir, const char *also, kahadb_scheduler_fn *fn,
			  void *ctx)
{
	char pattern[4096 + 16], parent[4096], extra[4096];
	int found = 0, also_seen = !also || !realpath(also, extra);
	if (!realpath(kahadb_dir, parent))
		return also_seen ? 0 : count_jobs(extra, fn, ctx);
	*strrchr(parent, '/') = '\0';	/* "/" becomes "", which globs "/x/scheduler" */
	snprintf(pattern, sizeof pattern, "%s/*/scheduler", parent);
	glob_t g;
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			found += count_jobs(g.gl_pathv[i], fn, ctx);
			also_seen = also_seen || !strcmp(g.gl_pathv[i], extra);
		}
		globfree(&g);
	}
	return found + (also_seen ? 0 : count_jobs(extra, fn, ctx));
}
