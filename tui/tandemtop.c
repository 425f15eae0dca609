/*
 * tandemtop.c - tandemtop: the options, the nodes, and the loop that
 * refreshes the model and draws a frame whenever a node brought news, a
 * key was pressed, or a second passed (waiting times go on counting).
 *
 *   tandemtop [--node ADDR]... [--cluster FILE] [--interval SEC]
 *             [--user U --password P] [--batch [--iterations N]]
 *
 * Start reading at main(), then model.h, node.h and screen.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <curses.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cluster.h"
#include "top.h"
#include "version.h"

struct options {
	const char *cluster;
	const char **nodes;
	size_t nnodes;
	double interval, timeout;
	const char *user, *password;
	bool batch, no_discover;
	long iterations, width;
	int screen;
	int format;
};

/* The options: one table for getopt and --help (and the man page test). */
static const struct {
	const char *name, *arg, *help;
} option_help[] = {
	{ "node", "ADDR", "a node's management socket HOST:PORT or /PATH (unix) (repeatable; default 127.0.0.1:1099)" },
	{ "cluster", "FILE", "nodes from FILE, one \"HOST:PORT [PAIRNAME]\" a line (no discovery)" },
	{ "interval", "SEC", "seconds between snapshots (default 1, at least 0.1)" },
	{ "timeout", "SEC", "a node that does not answer within SEC seconds is DOWN (default 2)" },
	{ "user", "U", "log in as U (when the brokers have users)" },
	{ "password", "P", "the password of --user" },
	{ "screen", "NAME", "the screen to start on: cluster, queues, flows or events" },
	{ "no-discover", NULL, "watch only the nodes given, not their pairs and bridges' remotes" },
	{ "batch", NULL, "print plain snapshots on stdout instead of the screen" },
	{ "iterations", "N", "with --batch: stop after N snapshots (default: never)" },
	{ "width", "COLS", "with --batch: the width of the tables (default $COLUMNS, else 160)" },
	{ "format", "FMT", "with --batch: text (tables, the default), tsv or json (one record a line)" },
	{ "version", NULL, "print tandemtop's version" },
	{ "help", NULL, "this help" },
};

static void help(FILE *out)
{
	fputs("usage: tandemtop [--node ADDR]... [--cluster FILE] [--interval SEC]\n"
	      "                 [--user U --password P] [--batch [--iterations N]]\n\n"
	      "options:\n", out);
	for (size_t i = 0; i < sizeof option_help / sizeof option_help[0]; i++) {
		char left[40];
		snprintf(left, sizeof left, "--%s%s%s", option_help[i].name, option_help[i].arg ? " " : "",
			 option_help[i].arg ? option_help[i].arg : "");
		fprintf(out, "  %-20s %s\n", left, option_help[i].help);
	}
	keys_print_help(out);
}

static int screen_named(const char *name)
{
	for (int i = 0; i < NSCREENS; i++)
		if (!strcasecmp(name, screens[i]->name))
			return i;
	return -1;
}

static bool number(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

/* 0 go on, else the exit code + 1 (help: 1, usage error: 3). */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "node", required_argument, NULL, 'n' }, { "cluster", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' }, { "timeout", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' }, { "password", required_argument, NULL, 'p' },
		{ "screen", required_argument, NULL, 's' }, { "no-discover", no_argument, NULL, 'D' },
		{ "batch", no_argument, NULL, 'b' }, { "iterations", required_argument, NULL, 'N' },
		{ "width", required_argument, NULL, 'w' }, { "version", no_argument, NULL, 'V' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;
	double v;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'n': {
			const char **nodes = realloc(o->nodes, (o->nnodes + 1) * sizeof *nodes);
			if (!nodes)
				return 2;
			o->nodes = nodes;
			o->nodes[o->nnodes++] = optarg;
			break;
		}
		case 'c': o->cluster = optarg; break;
		case 'u': o->user = optarg; break;
		case 'p': o->password = optarg; break;
		case 'D': o->no_discover = true; break;
		case 'b': o->batch = true; break;
		case 'i':
			if (!number(optarg, 0.1, 3600, &o->interval)) {
				fprintf(stderr, "tandemtop: --interval wants seconds from 0.1 to 3600, not \"%s\"\n", optarg);
				return 3;
			}
			break;
		case 't':
			if (!number(optarg, 0.1, 3600, &o->timeout)) {
				fprintf(stderr, "tandemtop: --timeout wants seconds from 0.1 to 3600, not \"%s\"\n", optarg);
				return 3;
			}
			break;
		case 'N':
			if (!number(optarg, 1, 1e9, &v) || v != (double)(long)v) {
				fprintf(stderr, "tandemtop: --iterations wants a whole number, at least 1, not \"%s\"\n", optarg);
				return 3;
			}
			o->iterations = (long)v;
			break;
		case 'w':
			if (!number(optarg, 20, 10000, &v)) {
				fprintf(stderr, "tandemtop: --width wants columns from 20 to 10000, not \"%s\"\n", optarg);
				return 3;
			}
			o->width = (long)v;
			break;
		case 's':
			if ((o->screen = screen_named(optarg)) < 0) {
				fprintf(stderr, "tandemtop: --screen wants cluster, queues, flows or events, not \"%s\"\n", optarg);
				return 3;
			}
			break;
		case 'f':
			if ((o->format = batch_format(optarg)) < 0) {
				fprintf(stderr, "tandemtop: --format wants text, tsv or json, not \"%s\"\n", optarg);
				return 3;
			}
			break;
		case 'V': printf("tandemtop %s\n", TANDEM_VERSION); return 1;
		case 'h': help(stdout); return 1;
		default: fputs("tandemtop: see tandemtop --help\n", stderr); return 3;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tandemtop: unexpected argument %s (see tandemtop --help)\n", argv[optind]);
		return 3;
	}
	if (o->password && !o->user) {
		fputs("tandemtop: --password goes with --user\n", stderr);
		return 3;
	}
	if (o->iterations && !o->batch) {
		fputs("tandemtop: --iterations goes with --batch\n", stderr);
		return 3;
	}
	if (o->format && !o->batch) {
		fputs("tandemtop: --format goes with --batch\n", stderr);
		return 3;
	}
	return 0;
}

static int add_cluster_node(void *m, const char *addr, const char *pair)
{
	return model_add_node(m, addr, pair, NULL, NULL) < 0 ? -1 : 0;
}

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

/* The screen: a frame after every change, key or second. */
static int interactive(struct top *t)
{
	ui_start(t);
	int64_t drawn = 0;
	bool dirty = true;
	while (!t->quit && !*t->stop) {
		dirty |= model_refresh(&t->model);
		actions_poll(t);
		int64_t now = wall_now_ms();
		if (dirty || now - drawn >= 1000) {
			ui_build(t);
			ui_draw(t);
			drawn = now;
			dirty = false;
		}
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = t->wake[0], .events = POLLIN } };
		int n = poll(p, 2, 250);
		if (n > 0 && (p[1].revents & POLLIN)) {
			char drain[256];
			if (read(t->wake[0], drain, sizeof drain) > 0)
				dirty = true;
		}
		/* Also after EINTR: a resize arrives as SIGWINCH, then KEY_RESIZE. */
		int c;
		while ((c = getch()) != ERR) {
			keys_handle(t, c);
			dirty = true;
			if (t->quit)
				break;
			if (c != KEY_RESIZE)
				ui_build(t);	/* the next key sees the rows this one made */
		}
	}
	ui_stop();
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .interval = 1, .timeout = 2, .screen = -1 };
	int rc = parse(argc, argv, &o);
	if (rc) {
		free(o.nodes);
		return rc - 1;
	}
	setlocale(LC_ALL, "");
	screen_utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	static struct top t;
	t.stop = &stop_signal;
	if (pipe2(t.wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		fprintf(stderr, "tandemtop: pipe: %s\n", strerror(errno));
		return 1;
	}
	struct node_options no = {
		.interval_ms = (int)(o.interval * 1000), .timeout_ms = (int)(o.timeout * 1000),
		.user = o.user, .password = o.password, .wake_fd = t.wake[1],
	};
	model_init(&t.model, &no, !o.no_discover && !o.cluster);
	for (int i = 0; i < NSCREENS; i++)
		t.st[i].sort = -1;
	t.screen = o.screen < 0 ? 0 : o.screen;
	char err[1200];
	if (o.cluster && mgmt_cluster_read(o.cluster, add_cluster_node, &t.model, err, sizeof err) < 0) {
		fprintf(stderr, "tandemtop: %s\n", err);
		rc = 2;
	}
	for (size_t i = 0; !rc && i < o.nnodes; i++)
		if (model_add_node(&t.model, o.nodes[i], NULL, NULL, NULL) < 0) {
			fprintf(stderr, "tandemtop: cannot watch %s: out of memory\n", o.nodes[i]);
			rc = 1;
		}
	if (!rc && !t.model.nnodes && model_add_node(&t.model, MGMT_DEFAULT_ADDR, NULL, NULL, NULL) < 0)
		rc = 1;
	if (!rc) {
		struct sigaction sa = { .sa_handler = on_signal };
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		if (o.batch) {
			const char *cols = getenv("COLUMNS");
			long width = o.width ? o.width : cols && atol(cols) >= 20 ? atol(cols) : 160;
			struct batch_options b = {
				.iterations = (int)o.iterations, .interval_ms = no.interval_ms,
				.timeout_ms = no.timeout_ms, .only = o.screen, .width = (int)width,
				.format = o.format,
			};
			rc = batch_run(&t, &b);
		} else if (!isatty(0) || !isatty(1)) {
			fputs("tandemtop: the screen needs a terminal (or --batch)\n", stderr);
			rc = 2;
		} else {
			rc = interactive(&t);
		}
	}
	view_clear(&t.view);
	view_clear(&t.browse_view);
	json_decref(t.browse);
	page_clear(&t.page);
	model_free(&t.model);
	free(o.nodes);
	return rc;
}
