/*
 * ui.c - the terminal: draws the current screen's table (or a page, or
 * the help) with ncurses, htop's way: a summary line, the screens' tabs,
 * the column titles in a bar, the rows with the selection, a status line
 * and the keys in a bar at the bottom. Colours when the terminal has them
 * and NO_COLOR is not set; else bold, underline and reverse say the same.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "top.h"

enum { P_GOOD = 1, P_WARN, P_BAD, P_ACCENT, P_TITLE, P_BAR, P_SELECT, P_TAB, P_SELECT_BAD,
       P_SELECT_WARN, P_ALERT_BAD, P_ALERT_WARN };

static bool color;

void ui_start(struct top *t)
{
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	color = has_colors() && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	if (color) {
		start_color();
		use_default_colors();
		init_pair(P_GOOD, COLOR_GREEN, -1);
		init_pair(P_WARN, COLOR_YELLOW, -1);
		init_pair(P_BAD, COLOR_RED, -1);
		init_pair(P_ACCENT, COLOR_CYAN, -1);
		init_pair(P_TITLE, COLOR_BLACK, COLOR_GREEN);
		init_pair(P_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(P_SELECT, COLOR_BLACK, COLOR_CYAN);
		init_pair(P_TAB, COLOR_BLACK, COLOR_WHITE);
		init_pair(P_SELECT_BAD, COLOR_WHITE, COLOR_RED);
		init_pair(P_SELECT_WARN, COLOR_BLACK, COLOR_YELLOW);
		init_pair(P_ALERT_BAD, COLOR_WHITE, COLOR_RED);
		init_pair(P_ALERT_WARN, COLOR_BLACK, COLOR_YELLOW);
	}
	t->color = color;
}

void ui_stop(void)
{
	endwin();
}

int ui_table_rows(void)
{
	return LINES - 5 > 1 ? LINES - 5 : 1;
}

static attr_t style_attr(enum vstyle s)
{
	switch (s) {
	case V_GOOD: return color ? COLOR_PAIR(P_GOOD) | A_BOLD : A_BOLD;
	case V_WARN: return color ? COLOR_PAIR(P_WARN) | A_BOLD : A_UNDERLINE;
	case V_BAD: return color ? COLOR_PAIR(P_BAD) | A_BOLD : A_BOLD | A_UNDERLINE;
	case V_DIM: return A_DIM;
	case V_GROUP: return A_BOLD;
	case V_ACCENT: return color ? COLOR_PAIR(P_ACCENT) : A_NORMAL;
	default: return A_NORMAL;
	}
}

static attr_t bar_attr(int pair)
{
	return color ? COLOR_PAIR(pair) : A_REVERSE;
}

/* Writes text at (y, x) cut to the screen's width; returns the column after it. */
static int put(int y, int x, attr_t attr, const char *text)
{
	char fitted[2048];
	int room = COLS - x;
	if (room <= 0)
		return x;
	int w = view_width(text);
	view_fit(text, w < room ? w : room, false, fitted, sizeof fitted);
	attrset(attr);
	mvaddstr(y, x, fitted);
	attrset(A_NORMAL);
	return x + (w < room ? w : room);
}

static void putf(int y, int x, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void putf(int y, int x, attr_t attr, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	put(y, x, attr, text);
}

/* A whole line in one attribute (the bars). */
static void fill_line(int y, attr_t attr)
{
	attrset(attr);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
}

/* The selection bar over a row keeps the row's alarm: red stays red. */
static attr_t select_attr(const struct vrow *r, size_t ncols)
{
	enum vstyle worst = r->style;
	for (size_t c = 0; c < ncols && worst != V_BAD; c++)
		if (r->cells[c].style == V_BAD || (r->cells[c].style == V_WARN && worst != V_BAD))
			worst = r->cells[c].style;
	if (worst == V_BAD)
		return color ? COLOR_PAIR(P_SELECT_BAD) | A_BOLD : A_REVERSE | A_BOLD | A_UNDERLINE;
	if (worst == V_WARN)
		return color ? COLOR_PAIR(P_SELECT_WARN) : A_REVERSE | A_UNDERLINE;
	return bar_attr(P_SELECT);
}

/* The summary line: the total first (it must survive 80 columns), then
 * the trouble, red or yellow, then the roles. */
static void draw_summary(struct top *t)
{
	const struct model *m = &t->model;
	int masters = 0, slaves = 0, active = 0;
	for (size_t i = 0; i < m->nnodes; i++) {
		masters += m->nodes[i]->role == ROLE_MASTER;
		slaves += m->nodes[i]->role == ROLE_SLAVE;
	}
	for (size_t i = 0; i < m->nbridges; i++)
		active += m->bridges[i].active;
	struct trouble tr;
	char when[16], text[300], stale[48] = "";
	model_trouble(m, &tr);
	model_trouble_text(&tr, text, sizeof text);
	bool red = tr.nodes_down || tr.bridges_down || tr.queues_stuck;
	attr_t alarm = !*text ? A_BOLD
		     : color ? COLOR_PAIR(red ? P_ALERT_BAD : P_ALERT_WARN) | A_BOLD
			     : A_REVERSE | A_BOLD | (red ? A_UNDERLINE : 0);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	if (tr.queued_stale)
		snprintf(stale, sizeof stale, " (%ld stale)", tr.queued_stale);
	int x = put(0, 0, alarm, "tandemtop");
	x = put(0, x, A_NORMAL, " ");
	x = put(0, x, A_NORMAL, when);
	x = put(0, x, A_NORMAL, "  queued ");
	char queued[64];
	snprintf(queued, sizeof queued, "%ld%s", tr.queued, stale);
	x = put(0, x, tr.queued_stale ? style_attr(V_WARN) : A_BOLD, queued);
	if (*text) {
		x = put(0, x, A_NORMAL, "  ");
		x = put(0, x, alarm, text);
	}
	putf(0, x, A_NORMAL, "  nodes %zu: %d master, %d slave  bridges %d/%zu active", m->nnodes,
	     masters, slaves, active, m->nbridges);
}

static void draw_tabs(struct top *t)
{
	int x = 0;
	for (int i = 0; i < NSCREENS; i++) {
		char tab[40];
		snprintf(tab, sizeof tab, " %d %s ", i + 1, screens[i]->name);
		x = put(1, x, i == t->screen ? bar_attr(P_TAB) | A_BOLD : A_NORMAL, tab);
	}
	const struct screen_state *st = &t->st[t->screen];
	if (t->mode == MODE_FILTER)
		x = put(1, x + 1, A_BOLD, " filter: ");
	else if (*st->filter)
		x = put(1, x + 1, A_NORMAL, " filter: ");
	if (t->mode == MODE_FILTER || *st->filter) {
		x = put(1, x, A_UNDERLINE, st->filter);
		if (t->mode == MODE_FILTER)
			x = put(1, x, A_REVERSE, " ");
	}
	if (st->sort >= 0 && (size_t)st->sort < t->view.ncols)
		putf(1, x + 1, A_DIM, " sort: %s %s", t->sort_title,
		     st->reverse ? "descending" : "ascending");
}

/* A table from line top: its titles in a bar, then the rows that fit. */
static void draw_table(struct top *t, const struct view *v, struct screen_state *st, int top)
{
	int *widths = calloc(v->ncols ? v->ncols : 1, sizeof *widths);
	char cell[2048];
	if (!widths)
		return;
	int used = view_layout(v, COLS, widths);
	fill_line(top, bar_attr(P_TITLE));
	int x = 0;
	for (size_t c = 0; c < v->ncols; c++) {
		if (widths[c] < 0)
			continue;
		view_fit(v->cols[c].title, widths[c], v->cols[c].right, cell, sizeof cell);
		attr_t a = bar_attr(P_TITLE) | ((int)c == st->sort ? A_BOLD | A_UNDERLINE : 0);
		x = put(top, x, a, cell) + 1;
	}
	int rows = LINES - 3 - top > 1 ? LINES - 3 - top : 1;
	if (st->selected < st->scroll)
		st->scroll = st->selected;
	if (st->selected >= st->scroll + (size_t)rows)
		st->scroll = st->selected - (size_t)rows + 1;
	if (v->nrows < st->scroll + (size_t)rows)
		st->scroll = v->nrows > (size_t)rows ? v->nrows - (size_t)rows : 0;
	for (int line = 0; line < rows; line++) {
		size_t i = st->scroll + (size_t)line;
		if (i >= v->nrows)
			break;
		const struct vrow *r = &v->rows[i];
		int y = top + 1 + line;
		bool sel = i == st->selected && t->mode != MODE_PAGE;
		attr_t row_attr = sel ? select_attr(r, v->ncols) : style_attr(r->style);
		if (r->header) {
			view_fit(r->cells[0].text, used < COLS ? used : COLS, false, cell, sizeof cell);
			put(y, 0, row_attr | (sel ? 0 : A_BOLD), cell);
			continue;
		}
		if (sel)
			fill_line(y, row_attr);
		x = 0;
		for (size_t c = 0; c < v->ncols; c++) {
			if (widths[c] < 0)
				continue;
			view_fit(r->cells[c].text, widths[c], v->cols[c].right, cell, sizeof cell);
			attr_t a = !sel && r->cells[c].style != V_NORMAL ? style_attr(r->cells[c].style)
									  : row_attr;
			x = put(y, x, a, cell);
			x = put(y, x, row_attr, " ");
		}
	}
	if (!v->nrows)
		put(top + 1, 1, A_DIM, *st->filter ? "(nothing matches the filter)"
				     : t->mode == MODE_BROWSE ? "(no messages waiting)" : "(nothing yet)");
	free(widths);
}

/* Bytes of s that make `chars` characters. */
static size_t bytes_for(const char *s, int chars)
{
	size_t i = 0;
	for (int n = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == chars)
			break;
	}
	return i;
}

/* The page, long lines wrapped; scroll is in wrapped lines. */
static void draw_page(struct top *t)
{
	const struct page *p = &t->page;
	int rows = LINES - 4 > 1 ? LINES - 4 : 1, width = COLS > 1 ? COLS : 1;
	size_t total = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		int w = view_width(p->lines[i].text);
		total += w > width ? (size_t)((w + width - 1) / width) : 1;
	}
	if (total > (size_t)rows && t->page_scroll > total - (size_t)rows)
		t->page_scroll = total - (size_t)rows;
	if (total <= (size_t)rows)
		t->page_scroll = 0;
	fill_line(1, bar_attr(P_TITLE));
	putf(1, 0, bar_attr(P_TITLE) | A_BOLD, "%s", p->title);
	size_t visual = 0;
	int y = 2;
	for (size_t i = 0; i < p->nlines && y < 2 + rows; i++) {
		const char *s = p->lines[i].text;
		do {
			size_t n = bytes_for(s, width);
			if (visual++ >= t->page_scroll && y < 2 + rows) {
				char chunk[4096];
				snprintf(chunk, sizeof chunk, "%.*s", (int)n, s);
				put(y++, 0, style_attr(p->lines[i].style), chunk);
			}
			s += n;
		} while (*s);
	}
}

static void draw_bar(struct top *t)
{
	int y = LINES - 1;
	move(y, 0);
	clrtoeol();
	if (t->mode == MODE_CONFIRM) {
		putf(y, 0, bar_attr(P_BAR) | A_BOLD, "Purge %s on every node that has it? y/N ",
		     t->confirm + 2);
		return;
	}
	if (t->mode == MODE_FILTER) {
		put(y, 0, bar_attr(P_BAR), "Filter: type text, Enter keeps it, Esc clears it");
		return;
	}
	int x = 0;
	for (const struct key_binding *k = key_bindings; k->keys && x < COLS; k++) {
		if (!k->bar)
			continue;
		x = put(y, x, A_BOLD, k->bar_key);
		x = put(y, x, bar_attr(P_BAR), k->bar);
	}
}

void ui_draw(struct top *t)
{
	erase();
	draw_summary(t);
	if (t->mode == MODE_PAGE || t->mode == MODE_HELP) {
		draw_page(t);
	} else if (t->mode == MODE_BROWSE) {
		fill_line(1, bar_attr(P_TITLE));
		put(1, 0, bar_attr(P_TITLE) | A_BOLD, t->browse_title);
		draw_table(t, &t->browse_view, &t->browse_st, 2);
	} else {
		draw_tabs(t);
		draw_table(t, &t->view, &t->st[t->screen], 2);
	}
	if (*t->status)
		put(LINES - 2, 0, t->status_bad ? style_attr(V_BAD) : A_NORMAL, t->status);
	draw_bar(t);
	refresh();
}

void ui_build_page(struct top *t)
{
	page_clear(&t->page);
	page_init(&t->page, "");
	screens[t->screen]->detail(&t->model, t->page_key, &t->page);
	if (!t->page.nlines)
		page_add(&t->page, V_DIM, "(gone: no node reports it any more)");
}

void ui_build(struct top *t)
{
	/* Details follow the cluster as the tables do. */
	if (t->mode == MODE_PAGE && *t->page_key)
		ui_build_page(t);
	if (t->mode == MODE_BROWSE)
		browse_build(t);	/* the ages go on */
	struct screen_state *st = &t->st[t->screen];
	view_clear(&t->view);
	screens[t->screen]->build(&t->model, &t->view);
	view_sort(&t->view, st->sort, st->reverse);
	view_filter(&t->view, st->filter);
	/* The sorted column's title says which way: the arrow is part of
	 * the title, so the layout makes room for it. */
	t->sort_title[0] = '\0';
	if (st->sort >= 0 && (size_t)st->sort < t->view.ncols) {
		char *title = t->view.cols[st->sort].title;
		snprintf(t->sort_title, sizeof t->sort_title, "%s", title);
		size_t len = strlen(title);
		snprintf(title + len, sizeof t->view.cols[0].title - len, "%s",
			 screen_utf8 ? (st->reverse ? "\u25bc" : "\u25b2") : (st->reverse ? "v" : "^"));
	}
	const struct view *v = &t->view;
	/* The selection follows its row's key; else stays where it was. */
	size_t sel = st->selected;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].key && !strcmp(v->rows[i].key, st->key)) {
			sel = i;
			break;
		}
	if (sel >= v->nrows)
		sel = v->nrows ? v->nrows - 1 : 0;
	/* Never on a group's title. */
	while (sel + 1 < v->nrows && v->rows[sel].header)
		sel++;
	st->selected = sel;
	if (sel < v->nrows && v->rows[sel].key)
		snprintf(st->key, sizeof st->key, "%s", v->rows[sel].key);
}
