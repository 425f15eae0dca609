/* The configuration's attribute rows (broker/config/config_attr.h): the rows are
 * sound, values are read and refused by their type, and man/tandem.xml.5
 * documents every row and nothing else, with the same kind and default.
 *
 * The man page's contract, which this file holds it to: an element whose
 * rows are complete has an entry in ELEMENTS, a .TP whose tag is
 * ".B <heading>" (conf_attr_tables[].heading), followed before the next
 * entry by an .RS list; each .TP of that list is tagged with attribute
 * names only (".B name" or ".BR name1 \", \" name2 ..."), and its text
 * says "not implemented" for the rows of that kind and "default VALUE" for
 * each row that has a default. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_attr.h"
#include "tap.h"

#define MAN_PAGE "man/tandem.xml.5"	/* the tests run from the top of the tree */
#define MAX_LINES 4096
#define MAX_ROWS 128
#define MAX_ARGS 256	/* of one request line */

static char *man[MAX_LINES];
static size_t nman;

static int read_man(void)
{
	FILE *f = fopen(MAN_PAGE, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while (nman < MAX_LINES && (n = getline(&line, &cap, f)) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		man[nman++] = strdup(line);
	}
	free(line);
	fclose(f);
	return 0;
}

static bool is_request(const char *line, const char *req)
{
	size_t n = strlen(req);
	return !strncmp(line, req, n) && (line[n] == '\0' || line[n] == ' ');
}

/* The arguments of a request line (".BR a \", \" b"), quotes removed. */
static size_t roff_args(const char *line, char args[][128], size_t max)
{
	const char *s = line + strcspn(line, " ");
	size_t n = 0;
	while (n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		bool quoted = *s == '"';
		const char *start = quoted ? s + 1 : s;
		const char *end = quoted ? strchr(start, '"') : start + strcspn(start, " ");
		if (!end)
			end = start + strlen(start);
		snprintf(args[n++], 128, "%.*s", (int)(end - start), start);
		s = *end == '"' ? end + 1 : end;
	}
	return n;
}

/* A line as text: requests lose their name and quotes, escapes their
 * backslash ("\-1" is "-1", "\fB" nothing). */
static void append_text(char *out, size_t len, const char *line)
{
	char args[MAX_ARGS][128];
	char plain[1024] = "";
	if (line[0] == '.') {
		size_t n = roff_args(line, args, MAX_ARGS);
		for (size_t i = 0; i < n; i++)
			strncat(plain, args[i], sizeof plain - strlen(plain) - 1);
	} else {
		snprintf(plain, sizeof plain, "%s", line);
	}
	size_t o = strlen(out);
	for (const char *s = plain; *s && o + 2 < len; s++) {
		if (s[0] == '\\' && s[1] == 'f' && s[2]) {
			s += 2;
		} else if (s[0] == '\\' && (s[1] == '-' || s[1] == '&')) {
			if (s[1] == '-')
				out[o++] = '-';
			s++;
		} else {
			out[o++] = *s;
		}
	}
	if (o + 1 < len)
		out[o++] = ' ';
	out[o] = '\0';
}

/* True when the text says "default VALUE" (or "default: VALUE"), VALUE a
 * whole word. */
static bool says_default(const char *text, const char *value)
{
	for (const char *s = text; (s = strstr(s, "default")); s++) {
		const char *v = s + 7;
		if (*v == ':')
			v++;
		if (*v++ != ' ')
			continue;
		size_t n = strlen(value);
		if (!strncmp(v, value, n) && !isalnum((unsigned char)v[n]))
			return true;
	}
	return false;
}

static bool is_name(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && strcmp(s, "*"))
			return false;
	return true;
}

/* The line of the .TP tag ".B heading" in the man page, or -1. */
static long find_heading(const char *heading)
{
	char want[256];
	snprintf(want, sizeof want, ".B %s", heading);
	for (size_t i = 1; i < nman; i++)
		if (!strcmp(man[i], want) && is_request(man[i - 1], ".TP"))
			return (long)i;
	return -1;
}

struct report {
	char missing[1024];	/* rows the man page does not document */
	char unknown[1024];	/* documented names without a row */
	char kind[1024];	/* documented with another kind */
	char defaults[1024];	/* the default not said */
	char form[1024];	/* list items that are not names */
};

static void note(char *buf, const char *what)
{
	size_t n = strlen(buf);
	snprintf(buf + n, 1024 - n, "%s%s", n ? ", " : "", what);
}

/* One item of an element's list: its tag at man[tag], its text up to end. */
static void check_item(const struct conf_attr_table *t, size_t tag, size_t end,
		       bool *documented, struct report *r)
{
	static char text[16384];
	text[0] = '\0';
	for (size_t i = tag + 1; i < end; i++)
		append_text(text, sizeof text, man[i]);
	bool not_implemented = strstr(text, "not implemented") != NULL;
	char args[MAX_ARGS][128];
	bool alternating = is_request(man[tag], ".BR");
	if (!alternating && !is_request(man[tag], ".B")) {
		note(r->form, man[tag]);
		return;
	}
	size_t n = roff_args(man[tag], args, MAX_ARGS);
	for (size_t a = 0; a < n; a += alternating ? 2 : 1) {
		const struct conf_attr *row = conf_attr_find(t->rows, args[a]);
		if (!is_name(args[a])) {
			note(r->form, args[a]);
			continue;
		}
		if (!row || strcmp(row->name, args[a])) {
			note(r->unknown, args[a]);
			continue;
		}
		documented[row - t->rows] = true;
		if (not_implemented != (row->kind == CONF_NOT_IMPLEMENTED))
			note(r->kind, args[a]);
		if (row->def && !says_default(text, row->def))
			note(r->defaults, args[a]);
	}
}

/* Walks the .RS list after the heading; -1 when there is none. */
static int check_list(const struct conf_attr_table *t, long heading, bool *documented,
		      struct report *r)
{
	size_t i = (size_t)heading + 1;
	while (i < nman && !is_request(man[i], ".RS") && !is_request(man[i], ".TP"))
		i++;
	if (i == nman || !is_request(man[i], ".RS"))
		return -1;
	int depth = 1;
	long tag = -1;
	for (i++; i < nman && depth > 0; i++) {
		bool item = depth == 1 && is_request(man[i], ".TP");
		bool close = depth == 1 && is_request(man[i], ".RE");
		if ((item || close) && tag >= 0)
			check_item(t, (size_t)tag, i, documented, r);
		if (item)
			tag = (long)i + 1;
		if (is_request(man[i], ".RS"))
			depth++;
		else if (is_request(man[i], ".RE"))
			depth--;
	}
	return 0;
}

static void man_page(void)
{
	if (!ok(read_man() == 0, "man/tandem.xml.5 is read"))
		return;
	for (const struct conf_attr_table *t = conf_attr_tables; t->element; t++) {
		bool documented[MAX_ROWS] = { false };
		struct report r = { "", "", "", "", "" };
		char name[256];
		long h = find_heading(t->heading);
		snprintf(name, sizeof name, "%s: the man page has an entry \".B %s\" with a list",
			 t->element, t->heading);
		if (!ok(h >= 0 && check_list(t, h, documented, &r) == 0, name))
			continue;
		for (const struct conf_attr *row = t->rows; row->name; row++)
			if (!documented[row - t->rows])
				note(r.missing, row->name);
		snprintf(name, sizeof name, "%s: every row is documented", t->element);
		if (!ok(!r.missing[0], name))
			diag("not in the man page: %s", r.missing);
		snprintf(name, sizeof name, "%s: every attribute documented has a row", t->element);
		if (!ok(!r.unknown[0] && !r.form[0], name))
			diag("no row: %s; not attribute names: %s", r.unknown, r.form);
		snprintf(name, sizeof name, "%s: the not implemented ones, and only they, are "
			 "documented as such", t->element);
		if (!ok(!r.kind[0], name))
			diag("documented with the wrong kind: %s", r.kind);
		snprintf(name, sizeof name, "%s: every default is the man page's", t->element);
		if (!ok(!r.defaults[0], name))
			diag("the man page does not say \"default VALUE\" for: %s", r.defaults);
	}
}

/* Room for any element's struct, to read values into. */
union scratch {
	struct conf_connector c;
	struct conf_network_connector nc;
	struct conf_policy p;
	struct config cfg;
};

static void rows_are_sound(void)
{
	for (const struct conf_attr_table *t = conf_attr_tables; t->element; t++) {
		char bad[1024] = "", name[160], why[96];
		size_t n = 0;
		for (const struct conf_attr *row = t->rows; row->name; row++, n++) {
			union scratch s;
			memset(&s, 0, sizeof s);
			const struct conf_attr *from = row->def ? conf_attr_find(t->rows, row->def)
								: NULL;
			bool fielded = row->offset != CONF_NO_FIELD && row->type != CONF_NONE;
			if ((row->kind == CONF_FIELD && !fielded) ||
			    (row->kind == CONF_NOT_IMPLEMENTED && fielded) ||
			    conf_attr_find(t->rows, row->name) != row ||
			    (from && (from >= row || from->type != row->type)) ||
			    (row->def && !from && conf_attr_set(row, &s, row->def, why, sizeof why) < 0))
				note(bad, row->name);
			if (row->type == CONF_STRING || row->type == CONF_SECRET)
				free(*(char **)((char *)&s + row->offset));
		}
		snprintf(name, sizeof name, "%s: %zu rows, each with a field if read, one name, and "
			 "a default of its type or an earlier row's", t->element, n);
		if (!ok(!bad[0] && n < MAX_ROWS, name))
			diag("%s", bad);
	}
}

static void values(void)
{
	static const struct {
		const char *attr;
		const char *value;
		const char *expected;	/* NULL: accepted */
	} cases[] = {
		{ "networkTTL", "3", NULL },
		{ "networkTTL", "0", "a whole number of at least 1" },
		{ "networkTTL", "3x", "a whole number of at least 1" },
		{ "duplex", "TRUE", NULL },
		{ "duplex", "yes", "true or false" },
		{ "prefetchSize", "99999999999", NULL },	/* read as 10^9 */
		{ "staticBridge", "true", "nothing (staticBridge has no value here)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conf_network_connector nc = { 0 };
		char why[96] = "", name[160];
		const struct conf_attr *row = conf_attr_find(network_connector_rows, cases[i].attr);
		int rc = row ? conf_attr_set(row, &nc, cases[i].value, why, sizeof why) : -2;
		snprintf(name, sizeof name, "%s=\"%s\": %s", cases[i].attr, cases[i].value,
			 cases[i].expected ? cases[i].expected : "accepted");
		ok(cases[i].expected ? rc == -1 && !strcmp(why, cases[i].expected) : rc == 0, name);
	}
	struct conf_connector c = { 0 };
	char why[96];
	const struct conf_attr *row = conf_attr_find(connector_option_rows,
						     "wireFormat.maxFrameSize");
	ok(row && conf_attr_set(row, &c, "512", why, sizeof why) < 0 &&
	   !strcmp(why, "a size of at least 1024 bytes"), "a frame size under 1024 is refused");
	row = conf_attr_find(connector_option_rows, "transport.connectAttemptTimeout");
	ok(row && conf_attr_set(row, &c, "-5", why, sizeof why) == 0 &&
	   c.connect_attempt_timeout_ms == 0, "a timeout of less than 0 is none (0)");
	row = conf_attr_find(connector_option_rows, "transport.tcpNoDelay");
	ok(row && row->kind == CONF_NOT_IMPLEMENTED && !strcmp(row->name, "transport.*"),
	   "other transport.* options find their prefix row");
	ok(!conf_attr_find(connector_option_rows, "wireFormat.colour"),
	   "an unknown option has no row");
}

/* --check prints messageTTL only when it is not networkTTL's. */
static void printing(void)
{
	struct conf_network_connector nc = { 0 };
	conf_attr_defaults(network_connector_rows, &nc);
	nc.uri = strdup("static:(tcp://h:1)");
	nc.network_ttl = nc.message_ttl = nc.consumer_ttl = 3;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	conf_attr_print(out, network_connector_rows, &nc, CONF_PRINT_ALWAYS | CONF_PRINT_IF_SET);
	nc.message_ttl = 2;
	fputs("--\n", out);
	conf_attr_print(out, network_connector_rows, &nc, CONF_PRINT_ALWAYS | CONF_PRINT_IF_SET);
	fclose(out);
	const char *second = strstr(text, "--\n");
	ok(second && strstr(text, "  networkTTL: 3\n") && !strstr(text, "password") &&
	   !memmem(text, (size_t)(second - text), "messageTTL", 10) &&
	   strstr(second, "  messageTTL: 2\n") && !strstr(second, "consumerTTL"),
	   "--check prints messageTTL and consumerTTL when they are not networkTTL, never the password");
	if (!second || !strstr(second, "  messageTTL: 2\n"))
		diag("%s", text);
	free(text);
	free(nc.uri);
	free(nc.name);
}

int main(void)
{
	rows_are_sound();
	values();
	printing();
	man_page();
	return done_testing();
}
