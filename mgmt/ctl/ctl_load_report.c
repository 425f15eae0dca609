/*
 * ctl_load_report.c - the summary of a `tandemctl producer` or `consumer`
 * run on one node: its row (table or --json) and its line on stderr.
 *
 * Throughput is messages over the run's seconds, and the seconds go from
 * the first message to the last, not from the start of the process:
 *
 *   producer  first SEND .. last RECEIPT (the last message always asks
 *             for one, so every message is in);
 *   consumer  the later of the earliest send time in the bodies and the
 *             first SUBSCRIBE .. the last arrival.
 *
 * So a consumer subscribed before its producers start measures from the
 * producers' first message to its own last one, which is what
 * t/bench/run's rows report (the C load generator make bench used before
 * measured the same span, in one process); a consumer that drains a
 * backlog sent long ago measures from its subscription; and the idle
 * --timeout that ends a --count 0 run is not counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_load.h"

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The workers' counts added up, in `sum` (its latencies left empty). */
static void add_up(const struct worker *w, long n, struct worker *sum)
{
	memset(sum, 0, sizeof *sum);
	for (long i = 0; i < n; i++) {
		sum->done += w[i].done;
		sum->receipted += w[i].receipted;
		sum->resent += w[i].resent;
		sum->redelivered += w[i].redelivered;
		sum->reconnects += w[i].reconnects;
		sum->nlat += w[i].nlat;
	}
}

/* Least of the non-zero values (0 when none); `x` folded into `*min`. */
static void fold_min(int64_t *min, int64_t x)
{
	if (x && (!*min || x < *min))
		*min = x;
}

/* From the first message to the last, in seconds (see the top). */
static double run_seconds(const struct load *l, const struct worker *w, long n)
{
	int64_t first = 0, sub = 0, last = 0;
	for (long i = 0; i < n; i++) {
		fold_min(&first, w[i].first_us);
		fold_min(&sub, w[i].sub_us);
		if (w[i].last_us > last)
			last = w[i].last_us;
	}
	int64_t start = l->producing || first > sub ? first : sub;
	return start && last > start ? (double)(last - start) / 1e6 : 0;
}

/* The p-th percentile (0..100) of sorted samples, in milliseconds. */
static double percentile_ms(const int64_t *sorted, size_t n, int p)
{
	return n ? (double)sorted[n * (size_t)p / 100] / 1000 : 0;
}

json_t *load_report(const struct load *l, const char *label, const struct worker *w, long n)
{
	struct worker sum;
	add_up(w, n, &sum);
	size_t nlat = sum.nlat;
	int64_t *all = calloc(nlat + 1, sizeof *all);
	for (long i = 0, k = 0; all && i < n; i++) {
		if (!w[i].nlat)
			continue;	/* a client that got nothing has no samples (NULL) */
		memcpy(all + k, w[i].lat_us, w[i].nlat * sizeof *all);
		k += (long)w[i].nlat;
	}
	if (all)
		qsort(all, nlat, sizeof *all, cmp64);
	else
		nlat = 0;	/* no percentiles rather than none at all */
	double secs = run_seconds(l, w, n);
	json_t *row = json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:I}", "node", label,
				"clients", (json_int_t)n, "messages", (json_int_t)sum.done,
				"seconds", secs, "msgs_per_s", secs > 0 ? (double)sum.done / secs : 0.0,
				"p50_ms", percentile_ms(all, nlat, 50), "p99_ms",
				percentile_ms(all, nlat, 99), "reconnects", (json_int_t)sum.reconnects);
	free(all);
	if (row && l->producing)
		json_object_update_new(row, json_pack("{s:I, s:I, s:I}", "sent", (json_int_t)sum.done,
						      "receipted", (json_int_t)sum.receipted,
						      "resent", (json_int_t)sum.resent));
	else if (row)
		json_object_update_new(row, json_pack("{s:I, s:I}", "received", (json_int_t)sum.done,
						      "redelivered", (json_int_t)sum.redelivered));
	return row;
}

/* On stderr, so that the table and --json on stdout stay as they are. */
void load_report_counts(const struct load *l, const char *label, const struct worker *w, long n)
{
	struct worker sum;
	add_up(w, n, &sum);
	if (l->producing)
		fprintf(stderr, "tandemctl producer: %s: sent %ld, receipted %ld, resent %ld, reconnects %ld\n",
			label, sum.done, sum.receipted, sum.resent, sum.reconnects);
	else
		fprintf(stderr, "tandemctl consumer: %s: received %ld, redelivered %ld, reconnects %ld\n",
			label, sum.done, sum.redelivered, sum.reconnects);
}
