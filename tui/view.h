/*
 * view.h - what a screen shows, apart from how: a table of columns and
 * rows of text cells, each with a style and a sort value, that the
 * terminal (ui.c) draws and batch mode (batch.c) prints. Sorting,
 * filtering and fitting the columns into a width live here, once for
 * every screen; also the text pages (in view.c) that Enter and `b` open.
 */
#ifndef TANDEM_TOP_VIEW_H
#define TANDEM_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Styles say what a cell means; ui.c maps them to colours, or to bold
 * and reverse on a monochrome terminal. */
enum vstyle { V_NORMAL, V_GOOD, V_WARN, V_BAD, V_DIM, V_GROUP, V_ACCENT };

struct vcol {
	char title[32];
	int min, max;		/* width: grows with the content between these */
	bool right;		/* numbers */
	int drop;		/* 0: always shown; else narrow screens drop the highest first */
};

struct vcell {
	char *text;
	double num;		/* sort value; NAN: sort by text */
	enum vstyle style;	/* V_NORMAL: the row's */
};

struct vrow {
	struct vcell *cells;
	enum vstyle style;
	int group;		/* rows sort within their group */
	bool header;		/* the group's title: one line across the columns */
	char *key;		/* what Enter, p and b act on; NULL for a header */
	size_t order;		/* when it was added: ties keep it, so rows do not jump */
};

struct view {
	struct vcol *cols;
	size_t ncols;
	struct vrow *rows;
	size_t nrows;
};

void view_init(struct view *v);
void view_clear(struct view *v);
/* Adds a column; its index. view_cols: a screen's table of them. */
size_t view_col(struct view *v, const char *title, int min, int max, bool right, int drop);
void view_cols(struct view *v, const struct vcol *cols, size_t n);
/* A new row (cells empty, "") in group with key (copied; may be NULL);
 * NULL on ENOMEM, which the setters below accept. */
struct vrow *view_row(struct view *v, int group, const char *key);
void view_cell(struct vrow *r, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void view_cell_style(struct vrow *r, size_t col, enum vstyle style);
void view_cell_num(struct vrow *r, size_t col, double num);
/* A group's title line. */
void view_header(struct view *v, int group, enum vstyle style, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sorts rows within their groups by column col (numbers by value, then
 * text), headers first; col < 0 keeps the order they were added in. */
void view_sort(struct view *v, int col, bool reverse);
/* Keeps the rows any cell of which contains needle (case ignored), and
 * the headers of groups that keep a row. */
void view_filter(struct view *v, const char *needle);

/* Column widths for a screen `width` wide: widths[i] is -1 for a column
 * dropped. Returns the width used. */
int view_layout(const struct view *v, int width, int *widths);
/* text cut or padded to exactly w characters (UTF-8: characters, not
 * bytes), right-aligned when asked, into out. */
void view_fit(const char *text, int w, bool right, char *out, size_t outlen);
/* Characters in a UTF-8 string. */
int view_width(const char *s);

/* Prints the table, columns fitted to width, as plain text. */
void view_print(const struct view *v, FILE *out, int width);

/* A page of text lines (details, browsed messages). */
struct pline {
	char *text;
	enum vstyle style;
};

struct page {
	char title[200];
	struct pline *lines;
	size_t nlines;
};

void page_init(struct page *p, const char *title);
void page_clear(struct page *p);
void page_add(struct page *p, enum vstyle style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
