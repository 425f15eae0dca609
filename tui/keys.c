/*
 * keys.c - what each key does: one table, from which the help screen,
 * the bottom bar, `tandemtop --help` and the man page's KEYS section all
 * follow (t/90-tandemtop.t checks the man page against --help).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

/* The rows the keys move over: the screen's, or the browsed messages. */
static struct screen_state *state(struct top *t)
{
	return t->mode == MODE_BROWSE ? &t->browse_st : &t->st[t->screen];
}

static const struct view *rows(const struct top *t)
{
	return t->mode == MODE_BROWSE ? &t->browse_view : &t->view;
}

/* Moves the selection by delta rows, over group titles. */
static void move_by(struct top *t, long delta)
{
	const struct view *v = rows(t);
	struct screen_state *st = state(t);
	if (!v->nrows)
		return;
	long sel = (long)st->selected + delta;
	if (sel < 0)
		sel = 0;
	if (sel >= (long)v->nrows)
		sel = (long)v->nrows - 1;
	/* Skip titles in the direction of travel, else back the other way. */
	long step = delta < 0 ? -1 : 1;
	while (sel >= 0 && sel < (long)v->nrows && v->rows[sel].header)
		sel += step;
	if (sel < 0 || sel >= (long)v->nrows)
		for (sel = (long)st->selected; sel >= 0 && sel < (long)v->nrows && v->rows[sel].header;)
			sel -= step;
	if (sel < 0 || sel >= (long)v->nrows)
		return;
	st->selected = (size_t)sel;
	if (v->rows[sel].key)
		snprintf(st->key, sizeof st->key, "%s", v->rows[sel].key);
}

static void k_up(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_PAGE || t->mode == MODE_HELP)
		t->page_scroll -= t->page_scroll > 0;
	else
		move_by(t, -1);
}

static void k_down(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_PAGE || t->mode == MODE_HELP)
		t->page_scroll++;
	else
		move_by(t, 1);
}

static void k_page(struct top *t, int c)
{
	long rows = ui_table_rows();
	long delta = c == KEY_PPAGE ? -rows : rows;
	if (t->mode == MODE_PAGE || t->mode == MODE_HELP) {
		long s = (long)t->page_scroll + delta;
		t->page_scroll = s < 0 ? 0 : (size_t)s;
	} else {
		move_by(t, delta);
	}
}

static void k_ends(struct top *t, int c)
{
	if (t->mode == MODE_PAGE || t->mode == MODE_HELP)
		t->page_scroll = c == KEY_HOME ? 0 : (size_t)1 << 30;
	else
		move_by(t, c == KEY_HOME ? -(1L << 30) : 1L << 30);
}

static void k_enter(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_BROWSE)
		browse_open(t);
	if (t->mode != MODE_TABLE)
		return;
	const struct view *v = &t->view;
	struct screen_state *st = state(t);
	if (st->selected >= v->nrows || !v->rows[st->selected].key)
		return;
	snprintf(t->page_key, sizeof t->page_key, "%s", v->rows[st->selected].key);
	ui_build_page(t);
	t->page_scroll = 0;
	t->page_back = MODE_TABLE;
	t->mode = MODE_PAGE;
}

static void k_back(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_PAGE)
		t->mode = t->page_back;
	else if (t->mode == MODE_HELP || t->mode == MODE_BROWSE)
		t->mode = MODE_TABLE;
}

static void show_screen(struct top *t, int screen)
{
	t->screen = (screen + NSCREENS) % NSCREENS;
	t->mode = MODE_TABLE;
}

static void k_tab(struct top *t, int c)
{
	show_screen(t, t->screen + (c == KEY_BTAB ? -1 : 1));
}

static void k_number(struct top *t, int c)
{
	show_screen(t, c - '1');
}

/* The next column shown at this width (hidden ones would sort by what
 * cannot be seen), or -1: the screen's own order. Numbers start with
 * the largest, text from A. */
static void k_sort(struct top *t, int c)
{
	(void)c;
	struct screen_state *st = state(t);
	const struct view *v = &t->view;
	int *widths = calloc(v->ncols ? v->ncols : 1, sizeof *widths);
	if (t->mode != MODE_TABLE || !v->ncols || !widths) {
		free(widths);
		return;
	}
	view_layout(v, COLS, widths);
	int next = st->sort + 1;
	while (next < (int)v->ncols && widths[next] < 0)
		next++;
	st->sort = next >= (int)v->ncols ? -1 : next;
	free(widths);
	if (st->sort < 0) {
		top_status(t, false, "sorted by the default order");
		return;
	}
	st->reverse = v->cols[st->sort].right;
	top_status(t, false, "sorted by %s", v->cols[st->sort].title);
}

static void k_reverse(struct top *t, int c)
{
	(void)c;
	state(t)->reverse = !state(t)->reverse;
}

static void k_filter(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_TABLE)
		t->mode = MODE_FILTER;
}

static void k_purge(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_TABLE || t->mode == MODE_PAGE)
		actions_purge_ask(t);
}

static void k_browse(struct top *t, int c)
{
	(void)c;
	if (t->mode == MODE_TABLE || t->mode == MODE_PAGE)
		actions_browse(t);
}

static void k_help(struct top *t, int c)
{
	(void)c;
	page_clear(&t->page);
	page_init(&t->page, "tandemtop: keys (Esc goes back)");
	for (const struct key_binding *k = key_bindings; k->keys; k++)
		if (k->help)
			page_add(&t->page, V_NORMAL, "  %-20s %s", k->keys, k->help);
	page_add(&t->page, V_NORMAL, "%s", "");
	page_add(&t->page, V_GROUP, "Screens");
	for (int i = 0; i < NSCREENS; i++)
		page_add(&t->page, V_NORMAL, "  %d %-8s %s", i + 1, screens[i]->name, screens[i]->help);
	page_add(&t->page, V_NORMAL, "%s", "");
	page_add(&t->page, V_GROUP, "Styles");
	page_add(&t->page, V_GOOD, "  MASTER: holds its pair's lock and serves");
	page_add(&t->page, V_ACCENT, "  SLAVE: waits for the lock");
	page_add(&t->page, V_BAD, "  DOWN, a bridge not active, messages stuck on a node");
	page_add(&t->page, V_WARN, "  producers blocked by flow control, usage at 70%% or more");
	t->page_scroll = 0;
	t->mode = MODE_HELP;
}

static void k_quit(struct top *t, int c)
{
	(void)c;
	t->quit = true;
}

const struct key_binding key_bindings[] = {
	{ "Up/k, Down/j", NULL, NULL, "move the selection (scroll a page)", { KEY_UP, 'k', 0 }, k_up },
	{ "Down/j", NULL, NULL, NULL, { KEY_DOWN, 'j', 0 }, k_down },
	{ "PgUp, PgDn", NULL, NULL, "a screenful up or down", { KEY_PPAGE, KEY_NPAGE, 0 }, k_page },
	{ "Home, End", NULL, NULL, "the first or the last row", { KEY_HOME, KEY_END, 0 }, k_ends },
	{ "Enter", "Enter", "Drill ", "details of the selected node, destination, bridge or event",
	  { '\n', '\r', KEY_ENTER, 0 }, k_enter },
	{ "Esc/Left", "Esc", "Back ", "back from details or help", { KEY_ESC, KEY_LEFT, KEY_BACKSPACE, 0 },
	  k_back },
	{ "Tab, Shift-Tab", "Tab", "Next ", "the next or the previous screen", { '\t', KEY_BTAB, 0 }, k_tab },
	{ "1, 2, 3, 4, 5", "1-5", "Screen ", "Cluster, Queues, Flows, Events, Connections",
	  { '1', '2', '3', '4', '5' }, k_number },
	{ "s", "s", "Sort ", "sort by the next column (then the default order again)", { 's', 0 }, k_sort },
	{ "r", NULL, NULL, "reverse the sort order", { 'r', 0 }, k_reverse },
	{ "/", "/", "Filter ", "show only the rows that contain some text", { '/', 0 }, k_filter },
	{ "p", "p", "Purge ", "purge the selected queue on every node (asks y to confirm)", { 'p', 0 },
	  k_purge },
	{ "b", "b", "Browse ", "the first messages waiting on the selected queue", { 'b', 0 }, k_browse },
	{ "?/h", "?", "Help ", "this help", { '?', 'h', KEY_F(1), 0 }, k_help },
	{ "q", "q", "Quit", "quit (also F10 and Ctrl-C)", { 'q', KEY_F(10), CTRL('c'), 0 }, k_quit },
	{ NULL, NULL, NULL, NULL, { 0 }, NULL },
};

/* Typing the filter: printable characters go into it. */
static void filter_key(struct top *t, int c)
{
	char *filter = state(t)->filter;
	size_t len = strlen(filter);
	if (c == '\n' || c == '\r' || c == KEY_ENTER) {
		t->mode = MODE_TABLE;
	} else if (c == KEY_ESC) {
		filter[0] = '\0';
		t->mode = MODE_TABLE;
	} else if ((c == KEY_BACKSPACE || c == 127 || c == CTRL('h')) && len) {
		filter[len - 1] = '\0';
	} else if (c >= 0x20 && c < 0x7f && len + 1 < sizeof state(t)->filter) {
		filter[len] = (char)c;
		filter[len + 1] = '\0';
	}
}

void keys_handle(struct top *t, int c)
{
	if (c == KEY_RESIZE)
		return;		/* the next frame is drawn at the new size */
	if (t->mode == MODE_FILTER) {
		filter_key(t, c);
		return;
	}
	if (t->mode == MODE_CONFIRM) {
		if (c == 'y' || c == 'Y')
			actions_purge(t);
		else
			top_status(t, false, "purge cancelled");
		t->mode = MODE_TABLE;
		return;
	}
	for (const struct key_binding *k = key_bindings; k->keys; k++)
		for (size_t i = 0; i < sizeof k->codes / sizeof k->codes[0] && k->codes[i]; i++)
			if (k->codes[i] == c) {
				k->run(t, c);
				return;
			}
}

void keys_print_help(FILE *out)
{
	fputs("keys:\n", out);
	for (const struct key_binding *k = key_bindings; k->keys; k++)
		if (k->help)
			fprintf(out, "  %-20s %s\n", k->keys, k->help);
}
