/*
 * config_attr.c - reading, defaulting and printing a configuration value
 * by its row (contract in config_attr.h). The rows themselves are in
 * config_schema.c; what each type accepts is the `types` table below.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_attr.h"

#define INT_MAX_VALUE 1000000000L	/* a larger int is read as this */

static void *field(void *obj, const struct conf_attr *row)
{
	return (char *)obj + row->offset;
}

static int set_string(const struct conf_attr *row, void *obj, const char *value,
		      char *expected, size_t len)
{
	char *copy = strdup(value);
	if (!copy) {
		snprintf(expected, len, "a value that fits in memory");
		return -1;
	}
	char **slot = field(obj, row);
	free(*slot);
	*slot = copy;
	return 0;
}

static int set_bool(const struct conf_attr *row, void *obj, const char *value,
		    char *expected, size_t len)
{
	if (config_parse_bool(value, field(obj, row)) == 0)
		return 0;
	snprintf(expected, len, "true or false");
	return -1;
}

/* A whole number of at least row->min, as strtol reads it. */
static int whole_number(const struct conf_attr *row, const char *value, long *out,
			char *expected, size_t len)
{
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (!*value || *end || errno || n < row->min) {
		snprintf(expected, len, "a whole number of at least %ld", row->min);
		return -1;
	}
	*out = n;
	return 0;
}

static int set_int(const struct conf_attr *row, void *obj, const char *value,
		   char *expected, size_t len)
{
	long n;
	if (whole_number(row, value, &n, expected, len) < 0)
		return -1;
	*(int *)field(obj, row) = n > INT_MAX_VALUE ? (int)INT_MAX_VALUE : (int)n;
	return 0;
}

static int set_long(const struct conf_attr *row, void *obj, const char *value,
		    char *expected, size_t len)
{
	return whole_number(row, value, field(obj, row), expected, len);
}

static int set_size(const struct conf_attr *row, void *obj, const char *value,
		    char *expected, size_t len)
{
	long long n;
	if (config_parse_size(value, &n) == 0 && n >= row->min) {
		*(long long *)field(obj, row) = n;
		return 0;
	}
	if (row->min > 0)
		snprintf(expected, len, "a size of at least %ld bytes", row->min);
	else
		snprintf(expected, len, "a size like 1024, 64 mb or 100 gb");
	return -1;
}

/* ActiveMQ's timeouts: any whole number, and none at all for 0 or less. */
static int set_ms(const struct conf_attr *row, void *obj, const char *value,
		  char *expected, size_t len)
{
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (!*value || *end || errno) {
		snprintf(expected, len, "a whole number of milliseconds");
		return -1;
	}
	*(long *)field(obj, row) = n > 0 ? n : 0;
	return 0;
}

static int set_port(const struct conf_attr *row, void *obj, const char *value,
		    char *expected, size_t len)
{
	if (config_parse_port(value, field(obj, row)) == 0)
		return 0;
	snprintf(expected, len, "a port number from 0 to 65535");
	return -1;
}

static int set_percent(const struct conf_attr *row, void *obj, const char *value,
		       char *expected, size_t len)
{
	int pct;
	if (config_parse_percent(value, &pct) == 0 && pct >= row->min) {
		*(int *)field(obj, row) = pct;
		return 0;
	}
	snprintf(expected, len, "a percentage from %ld to 100", row->min);
	return -1;
}

static void print_string(FILE *out, const char *name, const void *v)
{
	fprintf(out, "  %s: %s\n", name, *(char *const *)v);
}

static void print_bool(FILE *out, const char *name, const void *v)
{
	fprintf(out, "  %s: %s\n", name, *(const bool *)v ? "true" : "false");
}

static void print_int(FILE *out, const char *name, const void *v)
{
	fprintf(out, "  %s: %d\n", name, *(const int *)v);
}

static void print_long(FILE *out, const char *name, const void *v)
{
	fprintf(out, "  %s: %ld\n", name, *(const long *)v);
}

static void print_size(FILE *out, const char *name, const void *v)
{
	conf_print_size(out, name, *(const long long *)v);
}

static void print_ms(FILE *out, const char *name, const void *v)
{
	fprintf(out, "  %s: %ld ms\n", name, *(const long *)v);
}

/* What each type is: its C size, how it is set from text and printed
 * (NULL: never printed). */
static const struct {
	size_t size;
	int (*set)(const struct conf_attr *row, void *obj, const char *value,
		   char *expected, size_t len);
	void (*print)(FILE *out, const char *name, const void *v);
} types[] = {
	[CONF_NONE] = { 0, NULL, NULL },
	[CONF_STRING] = { sizeof(char *), set_string, print_string },
	[CONF_SECRET] = { sizeof(char *), set_string, NULL },
	[CONF_BOOL] = { sizeof(bool), set_bool, print_bool },
	[CONF_INT] = { sizeof(int), set_int, print_int },
	[CONF_LONG] = { sizeof(long), set_long, print_long },
	[CONF_SIZE] = { sizeof(long long), set_size, print_size },
	[CONF_MS] = { sizeof(long), set_ms, print_ms },
	[CONF_PORT] = { sizeof(int), set_port, print_int },
	[CONF_PERCENT] = { sizeof(int), set_percent, print_int },
};

static bool is_prefix_row(const struct conf_attr *row)
{
	size_t n = strlen(row->name);
	return n >= 2 && !strcmp(row->name + n - 2, ".*");
}

const struct conf_attr *conf_attr_find(const struct conf_attr *rows, const char *name)
{
	for (const struct conf_attr *r = rows; r->name; r++)
		if (!is_prefix_row(r) && !strcmp(r->name, name))
			return r;
	for (const struct conf_attr *r = rows; r->name; r++)
		if (is_prefix_row(r) && !strncmp(r->name, name, strlen(r->name) - 1))
			return r;
	return NULL;
}

int conf_attr_set(const struct conf_attr *row, void *obj, const char *value,
		  char *expected, size_t len)
{
	if (row->offset == CONF_NO_FIELD || !types[row->type].set) {
		snprintf(expected, len, "nothing (%s has no value here)", row->name);
		return -1;
	}
	return types[row->type].set(row, obj, value, expected, len);
}

/* A default that names an earlier row rather than giving a value. */
static const struct conf_attr *default_row(const struct conf_attr *rows,
					   const struct conf_attr *row)
{
	return row->def ? conf_attr_find(rows, row->def) : NULL;
}

void conf_attr_defaults(const struct conf_attr *rows, void *obj)
{
	char why[96];
	for (const struct conf_attr *r = rows; r->name; r++)
		if (r->kind == CONF_FIELD && r->def && !default_row(rows, r))
			conf_attr_set(r, obj, r->def, why, sizeof why);
}

void conf_attr_inherit(const struct conf_attr *rows, const struct conf_attr *row, void *obj)
{
	const struct conf_attr *from = default_row(rows, row);
	if (from && from->type == row->type && types[row->type].size &&
	    types[row->type].set != set_string)
		memcpy(field(obj, row), field(obj, from), types[row->type].size);
}

/* True when the row's field of obj holds its default. */
static bool is_default(const struct conf_attr *rows, const struct conf_attr *row, const void *obj)
{
	const void *v = (const char *)obj + row->offset;
	if (row->type == CONF_STRING || row->type == CONF_SECRET) {
		const char *s = *(char *const *)v;
		return !s || (row->def && !strcmp(s, row->def));
	}
	/* The default laid out in a scratch copy of the field. */
	union {
		bool b;
		int i;
		long l;
		long long ll;
	} want = { 0 };
	const struct conf_attr *from = default_row(rows, row);
	char why[96];
	if (from) {
		memcpy(&want, (const char *)obj + from->offset, types[row->type].size);
	} else if (row->def) {
		struct conf_attr at_zero = *row;
		at_zero.offset = 0;
		conf_attr_set(&at_zero, &want, row->def, why, sizeof why);
	}
	return !memcmp(&want, v, types[row->type].size);
}

void conf_attr_print(FILE *out, const struct conf_attr *rows, const void *obj,
		     unsigned when)
{
	for (const struct conf_attr *r = rows; r->name; r++) {
		if (!(r->print & when) || r->offset == CONF_NO_FIELD || !types[r->type].print)
			continue;
		if (r->print == CONF_PRINT_IF_SET && is_default(rows, r, obj))
			continue;
		types[r->type].print(out, r->name, (const char *)obj + r->offset);
	}
}

void conf_print_size(FILE *out, const char *label, long long n)
{
	static const char *const units[] = { "b", "kb", "mb", "gb", "tb" };
	int u = 0;
	long long v = n;
	while (u < 4 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	fprintf(out, "  %s: %lld", label, n);
	if (u)
		fprintf(out, " (%lld %s)", v, units[u]);
	fputc('\n', out);
}
