/*
 * top.h - tandemtop's state between its parts: the model, which screen
 * shows what, the selection, and the modes (a page of details, help, the
 * filter being typed, a purge being confirmed). tandemtop.c owns it; keys.c
 * changes it; ui.c draws it; actions.c runs purge and browse on nodes;
 * batch.c prints it without a terminal.
 */
#ifndef TANDEM_TOP_TOP_H
#define TANDEM_TOP_TOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "top_model.h"
#include "screen.h"
#include "view.h"

enum mode { MODE_TABLE, MODE_PAGE, MODE_HELP, MODE_FILTER, MODE_CONFIRM };

struct screen_state {
	int sort;		/* column, -1: as built */
	bool reverse;
	size_t selected;	/* row index in the built view */
	size_t scroll;		/* first row shown */
	char key[1100];		/* the selected row's key: kept across rebuilds */
};

#define JOBS_MAX 32

struct job {
	size_t node;
	bool browse;		/* else purge */
	char dest[1024];
};

struct top {
	struct model model;
	/* Set by the signal handler (SIGINT, SIGTERM, SIGHUP): time to end. */
	const volatile sig_atomic_t *stop;
	int screen;
	struct screen_state st[NSCREENS];
	char filter[128];
	enum mode mode;
	struct view view;	/* the current screen, built for this frame */
	struct page page;
	size_t page_scroll;
	char confirm[1100];	/* the destination key a purge waits on */
	char status[512];
	bool status_bad;
	struct job jobs[JOBS_MAX];
	size_t njobs;
	bool quit;
	bool color;
	int wake[2];		/* the workers' pipe: read end, write end */
};

/* keys.c: what a key does, and the table the help, the bar, --help and
 * the man page follow. */
struct key_binding {
	const char *keys;	/* as shown: "Up/k", "Enter" */
	const char *bar_key, *bar;	/* in the bottom bar; NULL: not there */
	const char *help;
	int codes[6];		/* the ncurses key codes; 0 ends */
	void (*run)(struct top *t, int code);
};
extern const struct key_binding key_bindings[];
void keys_handle(struct top *t, int code);
void keys_print_help(FILE *out);

/* ui.c */
void ui_start(struct top *t);
void ui_stop(void);
void ui_draw(struct top *t);
/* Rebuilds t->view from the model for the current screen, with its sort
 * and the filter, and keeps the selection on the same key. */
void ui_build(struct top *t);
/* Rows of the table area on this terminal. */
int ui_table_rows(void);

/* actions.c */
void actions_purge_ask(struct top *t);
void actions_purge(struct top *t);
void actions_browse(struct top *t);
void actions_poll(struct top *t);

void top_status(struct top *t, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* batch.c: `--batch`: iterations snapshots (0: until a signal), each
 * screen in screens[] order, or only `only` (a screen index, or -1). */
int batch_run(struct top *t, int iterations, int interval_ms, int timeout_ms, int only, int width);

#endif
