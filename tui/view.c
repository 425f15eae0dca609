/*
 * view.c - tables and pages of text (see view.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

/* Characters of a long text (an event, an error) kept before columns go. */
#define LONG_TEXT 24

void view_init(struct view *v)
{
	memset(v, 0, sizeof *v);
}

void view_clear(struct view *v)
{
	for (size_t i = 0; i < v->nrows; i++) {
		for (size_t c = 0; c < v->ncols; c++)
			free(v->rows[i].cells[c].text);
		free(v->rows[i].cells);
		free(v->rows[i].key);
	}
	free(v->rows);
	free(v->cols);
	view_init(v);
}

size_t view_col(struct view *v, const char *title, int min, int max, bool right, int drop)
{
	struct vcol *cols = realloc(v->cols, (v->ncols + 1) * sizeof *cols);
	if (!cols)
		return v->ncols ? v->ncols - 1 : 0;	/* ENOMEM: an old column gets the cells */
	v->cols = cols;
	struct vcol *c = &cols[v->ncols];
	snprintf(c->title, sizeof c->title, "%s", title);
	c->min = min;
	c->max = max;
	c->right = right;
	c->drop = drop;
	return v->ncols++;
}

void view_cols(struct view *v, const struct vcol *cols, size_t n)
{
	for (size_t c = 0; c < n; c++)
		view_col(v, cols[c].title, cols[c].min, cols[c].max, cols[c].right, cols[c].drop);
}

struct vrow *view_row(struct view *v, int group, const char *key)
{
	struct vrow *rows = realloc(v->rows, (v->nrows + 1) * sizeof *rows);
	if (!rows)
		return NULL;
	v->rows = rows;
	struct vrow *r = &rows[v->nrows];
	memset(r, 0, sizeof *r);
	r->cells = calloc(v->ncols ? v->ncols : 1, sizeof *r->cells);
	r->key = key ? strdup(key) : NULL;
	if (!r->cells || (key && !r->key)) {
		free(r->cells);
		free(r->key);
		return NULL;
	}
	for (size_t c = 0; c < v->ncols; c++)
		r->cells[c].num = NAN;
	r->group = group;
	r->order = v->nrows++;
	return r;
}

void view_cell(struct vrow *r, size_t col, const char *fmt, ...)
{
	if (!r)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(r->cells[col].text);
	r->cells[col].text = s;
}

void view_cell_style(struct vrow *r, size_t col, enum vstyle style)
{
	if (r)
		r->cells[col].style = style;
}

void view_cell_num(struct vrow *r, size_t col, double num)
{
	if (r)
		r->cells[col].num = num;
}

void view_header(struct view *v, int group, enum vstyle style, const char *fmt, ...)
{
	struct vrow *r = view_row(v, group, NULL);
	if (!r || !v->ncols)
		return;
	r->header = true;
	r->style = style;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r->cells[0].text, fmt, ap) < 0)
		r->cells[0].text = NULL;
	va_end(ap);
}

/* ---- sorting and filtering ---- */

static int sort_col;
static bool sort_reverse;

static const char *text_of(const struct vcell *c)
{
	return c->text ? c->text : "";
}

static int compare(const void *a, const void *b)
{
	const struct vrow *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->header != y->header)
		return x->header ? -1 : 1;
	if (x->header)
		return 0;
	const struct vcell *cx = &x->cells[sort_col], *cy = &y->cells[sort_col];
	int r;
	if (!isnan(cx->num) && !isnan(cy->num))
		r = cx->num < cy->num ? -1 : cx->num > cy->num;
	else if (isnan(cx->num) != isnan(cy->num))
		r = isnan(cx->num) ? 1 : -1;	/* unknown values last */
	else
		r = strcmp(text_of(cx), text_of(cy));
	if (sort_reverse)
		r = -r;
	return r ? r : x->order < y->order ? -1 : x->order > y->order;
}

void view_sort(struct view *v, int col, bool reverse)
{
	if (col < 0 || (size_t)col >= v->ncols || v->nrows < 2)
		return;
	sort_col = col;
	sort_reverse = reverse;
	qsort(v->rows, v->nrows, sizeof *v->rows, compare);
}

static bool row_matches(const struct view *v, const struct vrow *r, const char *needle)
{
	for (size_t c = 0; c < v->ncols; c++)
		if (strcasestr(text_of(&r->cells[c]), needle))
			return true;
	return r->key && strcasestr(r->key, needle);
}

static void drop_row(struct view *v, size_t i)
{
	for (size_t c = 0; c < v->ncols; c++)
		free(v->rows[i].cells[c].text);
	free(v->rows[i].cells);
	free(v->rows[i].key);
}

void view_filter(struct view *v, const char *needle)
{
	if (!needle || !*needle)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		struct vrow *r = &v->rows[i];
		bool keep = !r->header && row_matches(v, r, needle);
		for (size_t j = i + 1; r->header && j < v->nrows && v->rows[j].group == r->group; j++)
			keep |= !v->rows[j].header && row_matches(v, &v->rows[j], needle);
		if (keep)
			v->rows[kept++] = *r;
		else
			drop_row(v, i);
	}
	v->nrows = kept;
}

/* ---- layout ---- */

int view_width(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void view_fit(const char *text, int w, bool right, char *out, size_t outlen)
{
	if (!text)
		text = "";
	int len = view_width(text);
	size_t o = 0;
	if (right && len < w)
		for (int i = 0; i < w - len && o + 1 < outlen; i++)
			out[o++] = ' ';
	int chars = 0;
	for (const char *p = text; *p && o + 1 < outlen; p++) {
		bool starts = ((unsigned char)*p & 0xc0) != 0x80;
		if (starts && chars == w)
			break;
		chars += starts;
		/* Control characters (a newline in a message) would break the line. */
		out[o++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
	}
	for (; !right && chars < w && o + 1 < outlen; chars++)
		out[o++] = ' ';
	out[o] = '\0';
}

int view_layout(const struct view *v, int width, int *widths)
{
	int used = 0, shown = 0;
	for (size_t c = 0; c < v->ncols; c++) {
		int w = view_width(v->cols[c].title);
		for (size_t i = 0; i < v->nrows; i++) {
			int cw = v->rows[i].header ? 0 : view_width(v->rows[i].cells[c].text);
			if (cw > w)
				w = cw;
		}
		widths[c] = w < v->cols[c].min ? v->cols[c].min : w > v->cols[c].max ? v->cols[c].max : w;
		used += widths[c] + (shown++ ? 1 : 0);
	}
	/* Too wide: long texts (an event, an error) are cut to a readable
	 * width first, then the columns that matter least go, then the widest
	 * is cut further. */
	for (size_t c = 0; c < v->ncols && used > width; c++) {
		int floor = v->cols[c].min > LONG_TEXT ? v->cols[c].min : LONG_TEXT;
		if (widths[c] > floor) {
			int cut = widths[c] - floor < used - width ? widths[c] - floor : used - width;
			widths[c] -= cut;
			used -= cut;
		}
	}
	while (used > width) {
		int worst = -1;
		for (size_t c = 0; c < v->ncols; c++)
			if (widths[c] >= 0 && v->cols[c].drop &&
			    (worst < 0 || v->cols[c].drop > v->cols[worst].drop))
				worst = (int)c;
		if (worst < 0)
			break;
		used -= widths[worst] + 1;
		widths[worst] = -1;
	}
	while (used > width) {
		int widest = -1;
		for (size_t c = 0; c < v->ncols; c++)
			if (widths[c] > 4 && (widest < 0 || widths[c] > widths[widest]))
				widest = (int)c;
		if (widest < 0)
			break;
		widths[widest]--;
		used--;
	}
	return used;
}

void view_print(const struct view *v, FILE *out, int width)
{
	int *widths = calloc(v->ncols ? v->ncols : 1, sizeof *widths);
	char cell[1024];
	if (!widths)
		return;
	view_layout(v, width, widths);
	for (int pass = -1; pass < (int)v->nrows; pass++) {
		const struct vrow *r = pass < 0 ? NULL : &v->rows[pass];
		if (r && r->header) {
			fprintf(out, "%s\n", r->cells[0].text ? r->cells[0].text : "");
			continue;
		}
		char line[4096];
		size_t len = 0;
		for (size_t c = 0; c < v->ncols; c++) {
			if (widths[c] < 0)
				continue;
			view_fit(r ? r->cells[c].text : v->cols[c].title, widths[c], v->cols[c].right,
				 cell, sizeof cell);
			len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", len ? " " : "", cell);
			if (len >= sizeof line)
				len = sizeof line - 1;
		}
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		fprintf(out, "%s\n", line);
	}
	free(widths);
}

/* ---- pages ---- */

void page_init(struct page *p, const char *title)
{
	memset(p, 0, sizeof *p);
	snprintf(p->title, sizeof p->title, "%s", title);
}

void page_clear(struct page *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}

void page_add(struct page *p, enum vstyle style, const char *fmt, ...)
{
	struct pline *lines = realloc(p->lines, (p->nlines + 1) * sizeof *lines);
	if (!lines)
		return;
	p->lines = lines;
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	lines[p->nlines].text = s;
	lines[p->nlines].style = style;
	p->nlines++;
}
