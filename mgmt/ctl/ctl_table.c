/*
 * ctl_table.c - tandemctl's output: aligned tables for people, JSON for
 * scripts, from the same rows.
 *
 * Rows are JSON objects so that --json can print them whole (a browsed
 * message with its full body) while the table shows only its columns, cut
 * to a width. Widths are counted in characters (UTF-8 continuation bytes
 * do not count), so names in any script line up. Also the few ways a
 * value is shown to people that several commands share (time spans).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

void ctl_table_init(struct ctl_table *t, const struct ctl_column *cols, size_t ncols)
{
	t->cols = cols;
	t->ncols = ncols;
	t->rows = json_array();
}

json_t *ctl_row(const struct ctl_node *n, json_t *attrs)
{
	json_t *row = json_pack("{s:s}", "node", n->addr);
	if (row && n->pair)
		json_object_set_new(row, "pair", json_string(n->pair));
	if (row && attrs)
		json_object_update(row, attrs);
	return row;
}

void ctl_table_add(struct ctl_table *t, json_t *row)
{
	if (row)
		json_array_append_new(t->rows, row);
}

void ctl_table_add_down(struct ctl_table *t, const struct ctl_node *n)
{
	json_t *row = ctl_row(n, NULL);
	if (row)
		json_object_set_new(row, "role", json_string("down"));
	ctl_table_add(t, row);
}

/* Control characters (a newline in a body) would break the layout. */
static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* A JSON value as a table cell (malloc'ed). */
static char *cell_text(json_t *v)
{
	char *s = NULL;
	if (!v || json_is_null(v))
		return strdup("-");
	if (json_is_string(v)) {
		s = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			s = NULL;
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		if (asprintf(&s, d == (double)(long long)d ? "%.0f" : "%.2f", d) < 0)
			s = NULL;
	} else if (json_is_boolean(v)) {
		s = strdup(json_is_true(v) ? "true" : "false");
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	}
	if (s)
		flatten(s);
	return s ? s : strdup("?");
}

static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Cuts s to at most max characters, the last three "..." when cut. */
static void cut(char *s, size_t max)
{
	if (!max || width(s) <= max)
		return;
	size_t chars = 0;
	char *p = s;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && chars++ == max - 3)
			break;
	}
	strcpy(p, "...");
}

/* Every cell of every row as text: cells[row * ncols + col]. */
static char **render(const struct ctl_table *t, size_t nrows, size_t *widths)
{
	char **cells = calloc(nrows * t->ncols + 1, sizeof *cells);
	if (!cells)
		return NULL;
	for (size_t c = 0; c < t->ncols; c++)
		widths[c] = width(t->cols[c].title);
	for (size_t r = 0; r < nrows; r++) {
		json_t *row = json_array_get(t->rows, r);
		for (size_t c = 0; c < t->ncols; c++) {
			char *s = cell_text(json_object_get(row, t->cols[c].key));
			cut(s, t->cols[c].max);
			if (width(s) > widths[c])
				widths[c] = width(s);
			cells[r * t->ncols + c] = s;
		}
	}
	return cells;
}

static void print_cell(const char *s, size_t w, bool right, bool last)
{
	size_t pad = w - width(s);
	if (right)
		printf("%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, stdout);
	else
		printf("%s%*s", s, (int)pad, "");
	fputs(last ? "\n" : "  ", stdout);
}

static void print_aligned(const struct ctl_table *t)
{
	size_t nrows = json_array_size(t->rows);
	size_t *widths = calloc(t->ncols, sizeof *widths);
	char **cells = widths ? render(t, nrows, widths) : NULL;
	if (!cells) {
		fprintf(stderr, "tandemctl: out of memory\n");
		free(widths);
		return;
	}
	for (size_t c = 0; c < t->ncols; c++)
		print_cell(t->cols[c].title, widths[c], t->cols[c].right, c + 1 == t->ncols);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			print_cell(cells[r * t->ncols + c], widths[c], t->cols[c].right,
				   c + 1 == t->ncols);
	for (size_t i = 0; i < nrows * t->ncols; i++)
		free(cells[i]);
	free(cells);
	free(widths);
}

void ctl_table_print(struct ctl_table *t, bool json)
{
	if (json)
		json_dumpf(t->rows, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(9));
	if (json)
		fputc('\n', stdout);
	else if (json_array_size(t->rows))
		print_aligned(t);
	fflush(stdout);
	json_decref(t->rows);
	t->rows = NULL;
}
