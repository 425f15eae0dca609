/*
 * batch.c - `tandemtop --batch`: plain snapshots on stdout, as `top -b`
 * prints them, for scripts and tests: a line with the time and the
 * nodes, then every screen's table (or the one --screen names), then a
 * blank line, every interval, `iterations` times.
 *
 * The first snapshot waits until every node (found ones too) has
 * answered or failed, within the timeout, so it is complete; rates need
 * two readings and show "-" until then.
 */
#include <poll.h>
#include <stdio.h>
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

static void print_snapshot(struct top *t, int only, int width)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	printf("tandemtop %s, %zu node%s\n", when, t->model.nnodes, t->model.nnodes == 1 ? "" : "s");
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
	fflush(stdout);
}

int batch_run(struct top *t, int iterations, int interval_ms, int timeout_ms, int only, int width)
{
	/* Settled: every node answered or failed; found nodes count too. */
	int64_t until = net_now_ms() + timeout_ms + 1000;
	do
		gather(t, 50);
	while (!model_settled(&t->model) && net_now_ms() < until && !*t->stop);
	for (int i = 0; (iterations == 0 || i < iterations) && !*t->stop; i++) {
		if (i > 0)
			gather(t, interval_ms);
		print_snapshot(t, only, width);
		if (ferror(stdout))
			return 1;
	}
	return 0;
}
