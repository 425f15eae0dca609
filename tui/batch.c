/*
 * batch.c - `tandemtop --batch`: snapshots on stdout, every interval,
 * `iterations` times, in one of three formats:
 *
 *   text  as `top -b` prints them: a line with the time and the nodes,
 *         every screen's table (or the one --screen names), a blank line;
 *   tsv   one record a line, fields apart by tabs, never padded: the
 *         snapshot's time, the record's kind (summary, a screen's name,
 *         its group titles as NAME-group), then the fields; a line
 *         starting with # names the fields of the records after it;
 *   json  one JSON object a line, the columns' titles as keys.
 *
 * In tsv and json an event is printed once, in the first snapshot that
 * has it: a script reading the stream sees each event one time.
 *
 * The first snapshot waits until every node (found ones too) has
 * answered or failed, within the timeout, so it is complete; rates need
 * two readings and are unknown ("-", null) until then.
 */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "top.h"

/* Takes what the workers bring for ms milliseconds. */
static void gather(struct top *t, int ms)
{
	int64_t until = net_now_ms() + ms;
	while (!*t->stop) {
		model_refresh(&t->model);
		int64_t left = until - net_now_ms();
		if (left <= 0)
			return;
		struct pollfd p = { .fd = t->wake[0], .events = POLLIN };
		if (poll(&p, 1, left > 100 ? 100 : (int)left) > 0) {
			char drain[256];
			if (read(t->wake[0], drain, sizeof drain) < 0)
				continue;
		}
	}
}

static const char *const format_names[] = { "text", "tsv", "json" };

int batch_format(const char *name)
{
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (!strcasecmp(name, format_names[i]))
			return (int)i;
	return -1;
}

static void print_text(struct top *t, const char *when, int only, int width)
{
	struct trouble tr;
	char trouble[300];
	model_trouble(&t->model, &tr);
	model_trouble_text(&tr, trouble, sizeof trouble);
	printf("tandemtop %s, %zu node%s, queued %ld%s%s%s\n", when, t->model.nnodes,
	       t->model.nnodes == 1 ? "" : "s", tr.queued, tr.queued_stale ? " (stale on nodes down)" : "",
	       *trouble ? ", TROUBLE: " : "", trouble);
	for (int s = 0; s < NSCREENS; s++) {
		if (only >= 0 && s != only)
			continue;
		struct view v;
		view_init(&v);
		screens[s]->build(&t->model, &v);
		printf("\n== %s ==\n", screens[s]->name);
		view_print(&v, stdout, width);
		view_clear(&v);
	}
	printf("\n");
}

/* A field of a tsv record: tabs and line ends would split it. */
static void tsv_field(const char *text)
{
	putchar('\t');
	for (const char *p = text ? text : ""; *p; p++)
		putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

/* A cell as JSON: its number when it has one and says only that ("12",
 * "3.5"), else its text; "-" (unknown) is null. */
static json_t *cell_json(const struct vcell *c)
{
	const char *text = c->text ? c->text : "";
	if (!strcmp(text, "-"))
		return json_null();
	char *end;
	double v = strtod(text, &end);
	if (!isnan(c->num) && *text && !*end && v == c->num)
		return v == (double)(json_int_t)v ? json_integer((json_int_t)v) : json_real(v);
	return json_string(text);
}

static void print_json(json_t *record)
{
	char *line = record ? json_dumps(record, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (line)
		puts(line);
	free(line);
	json_decref(record);
}

/* One record per row; group titles are records of their own. */
static void print_view(const struct view *v, const char *when, const char *screen, bool json)
{
	if (!json) {
		printf("#time\tkind");
		for (size_t c = 0; c < v->ncols; c++)
			tsv_field(v->cols[c].title);
		putchar('\n');
	}
	for (size_t i = 0; i < v->nrows; i++) {
		const struct vrow *r = &v->rows[i];
		char kind[64];
		snprintf(kind, sizeof kind, "%s%s", screen, r->header ? "-group" : "");
		if (json) {
			json_t *o = json_pack("{s:s, s:s}", "time", when, "kind", kind);
			for (size_t c = 0; o && c < (r->header ? 1 : v->ncols); c++)
				json_object_set_new(o, r->header ? "title" : v->cols[c].title,
						    cell_json(&r->cells[c]));
			print_json(o);
			continue;
		}
		fputs(when, stdout);
		tsv_field(kind);
		for (size_t c = 0; c < (r->header ? 1 : v->ncols); c++)
			tsv_field(r->cells[c].text);
		putchar('\n');
	}
}

/* The events not printed yet, oldest first. */
static void print_events(struct top *t, const char *when, bool json, uint64_t *printed)
{
	const struct model *m = &t->model;
	if (!json)
		printf("#time\tkind\tTIME\tWHO\tEVENT\tBAD\n");
	for (size_t i = 0; i < m->nevents; i++) {
		const struct mevent *e = model_event_at(m, i);
		if (e->seq <= *printed)
			continue;
		*printed = e->seq;
		char at[16];
		screen_time_text(e->ms, at, sizeof at);
		if (json) {
			print_json(json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:b}", "time", when, "kind",
					     "events", "TIME", at, "ms", (json_int_t)e->ms, "WHO", e->who,
					     "EVENT", e->text, "BAD", e->bad));
			continue;
		}
		fputs(when, stdout);
		tsv_field("events");
		tsv_field(at);
		tsv_field(e->who);
		tsv_field(e->text);
		tsv_field(e->bad ? "1" : "0");
		putchar('\n');
	}
}

static void print_records(struct top *t, const char *when, int only, bool json, uint64_t *printed)
{
	struct trouble tr;
	char trouble[300];
	model_trouble(&t->model, &tr);
	model_trouble_text(&tr, trouble, sizeof trouble);
	if (json) {
		print_json(json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:i, s:I, s:s}", "time", when,
				     "kind", "summary", "nodes", (json_int_t)t->model.nnodes, "queued",
				     (json_int_t)tr.queued, "queued_stale", (json_int_t)tr.queued_stale,
				     "nodes_down", tr.nodes_down, "bridges_down", tr.bridges_down,
				     "queues_stuck", tr.queues_stuck, "producers_blocked",
				     (json_int_t)tr.blocked, "trouble", trouble));
	} else {
		printf("#time\tkind\tnodes\tqueued\tqueued_stale\tnodes_down\tbridges_down\t"
		       "queues_stuck\tproducers_blocked\ttrouble\n");
		printf("%s\tsummary\t%zu\t%ld\t%ld\t%d\t%d\t%d\t%ld", when, t->model.nnodes, tr.queued,
		       tr.queued_stale, tr.nodes_down, tr.bridges_down, tr.queues_stuck, tr.blocked);
		tsv_field(trouble);
		putchar('\n');
	}
	for (int s = 0; s < NSCREENS; s++) {
		if (only >= 0 && s != only)
			continue;
		char screen[32];
		snprintf(screen, sizeof screen, "%s", screens[s]->name);
		for (char *p = screen; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (screens[s] == &screen_events) {
			print_events(t, when, json, printed);
			continue;
		}
		struct view v;
		view_init(&v);
		screens[s]->build(&t->model, &v);
		print_view(&v, when, screen, json);
		view_clear(&v);
	}
}

int batch_run(struct top *t, const struct batch_options *b)
{
	/* Settled: every node answered or failed; found nodes count too. */
	int64_t until = net_now_ms() + b->timeout_ms + 1000;
	uint64_t printed = 0;
	do
		gather(t, 50);
	while (!model_settled(&t->model) && net_now_ms() < until && !*t->stop);
	for (int i = 0; (b->iterations == 0 || i < b->iterations) && !*t->stop; i++) {
		if (i > 0)
			gather(t, b->interval_ms);
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(when, sizeof when, b->format == BATCH_TEXT ? "%Y-%m-%d %H:%M:%S"
								     : "%Y-%m-%dT%H:%M:%S%z", &tm);
		if (b->format == BATCH_TEXT)
			print_text(t, when, b->only, b->width);
		else
			print_records(t, when, b->only, b->format == BATCH_JSON, &printed);
		fflush(stdout);
		if (ferror(stdout))
			return 1;
	}
	return 0;
}
