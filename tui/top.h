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

enum mode { MODE_TABLE, MODE_PAGE, MODE_HELP, MODE_FILTER, MODE_CONFIRM, MODE_BROWSE };

struct screen_state {
	int sort;		/* column, -1: as built */
	bool reverse;
	size_t selected;	/* row index in the built view */
	size_t scroll;		/* first row shown */
	char key[1100];		/* the selected row's key: kept across rebuilds */
	char filter[128];	/* typed on this screen, for this screen */
};

#define JOBS_MAX 32

struct job {
	const struct mnode *node;	/* gone from the model (merged): the job goes */
	bool browse;		/* else purge */
	char dest[1024];
};

struct top {
	struct model model;
	/* Set by the signal handler (SIGINT, SIGTERM, SIGHUP): time to end. */
	const volatile sig_atomic_t *stop;
	int screen;
	struct screen_state st[NSCREENS];
	enum mode mode;
	struct view view;	/* the current screen, built for this frame */
	char sort_title[32];	/* its sorted column's title, without the arrow */
	struct page page;
	size_t page_scroll;
	enum mode page_back;	/* where Esc leaves the page for */
	char page_key[1100];	/* a screen's details: rebuilt every frame; "" for other pages */
	/* Browsed messages (browse.c): the list and its selection. */
	json_t *browse;
	struct view browse_view;
	struct screen_state browse_st;
	char browse_title[1200];
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
/* Rebuilds the page of details of t->page_key on the current screen. */
void ui_build_page(struct top *t);
/* Rows of the table area on this terminal. */
int ui_table_rows(void);

/* browse.c: show the messages a browse brought (borrowed: the list keeps
 * its own reference), rebuild their list, open the selected one whole. */
void browse_show(struct top *t, const char *dest, const char *node, json_t *messages);
void browse_build(struct top *t);
void browse_open(struct top *t);

/* actions.c */
void actions_purge_ask(struct top *t);
void actions_purge(struct top *t);
void actions_browse(struct top *t);
void actions_poll(struct top *t);

void top_status(struct top *t, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* batch.c: `--batch`: iterations snapshots (0: until a signal), each
 * screen in screens[] order, or only `only` (a screen index, or -1), in
 * a format (batch_format: its index by name, or -1). */
enum batch_format { BATCH_TEXT, BATCH_TSV, BATCH_JSON };
struct batch_options {
	int iterations, interval_ms, timeout_ms, only, width;
	enum batch_format format;
};
int batch_format(const char *name);
int batch_run(struct top *t, const struct batch_options *b);

#endif
