/* JMS selectors: the operators ActiveMQ users write, SQL's NULL logic,
 * syntax errors that say where, and hostile selectors that are refused
 * (or simply work) without exhausting the stack.
 *
 * Each case gives the selector's truth value for one message. A message
 * matches only when that is TRUE, so UNKNOWN is told from FALSE by also
 * matching NOT (selector): true when FALSE, still not true when UNKNOWN. */
#include <stdbool.h>
#include <stdlib.h>

#include "selector.h"
#include "tap.h"

struct header {
	const char *name, *value;
};

static char long_a[20001];	/* 20000 'a', filled in by main() */

static const struct header message[] = {
	{ "color", "red" }, { "doors", "4" }, { "price", "10.5" }, { "name", "order-1" },
	{ "flag", "true" }, { "off", "false" }, { "shout", "TRUE" }, { "pct", "50%" },
	{ "JMSType", "car" }, { "quote", "it's" }, { "neg", "-3" }, { "x.y", "dotted" },
	{ "zip", "007" }, { "dbl", "4.0" }, { "hex", "0x10" }, { "nanh", "nan" },
	{ "inf", "inf" }, { "spaced", " 5" }, { "empty", "" }, { "under", "a_b" },
	{ "axb", "axb" }, { "bang", "a!b" }, { "dangle", "50!" }, { "city", "Z\xc3\xbcrich" },
	{ "_u", "x" }, { "$d", "y" }, { "x", "10" }, { "count", "3" },
	{ "long", long_a },
	{ "s_five", "5" }, { "n_five", "5" }, { "n_half", "0.5" }, { "n_big", "1.0E10" },
	{ "n_nan", "NaN" }, { "b_yes", "true" }, { "s_true", "true" },
	{ NULL, NULL },
};

static const struct header other_message[] = {
	{ "color", "blue" }, { "doors", "2" },
	{ NULL, NULL },
};

/* Typed values, as a JMS producer's properties are: the name's prefix
 * says the type (s_ String, n_ number, b_ boolean). */
static const char *lookup(void *ctx, const char *name, enum selector_type *type)
{
	static const struct { const char *prefix; enum selector_type type; } typed[] = {
		{ "s_", SELECTOR_STRING }, { "n_", SELECTOR_NUMBER }, { "b_", SELECTOR_BOOLEAN },
	};
	for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
		if (!strncmp(name, typed[i].prefix, 2))
			*type = typed[i].type;
	for (const struct header *h = ctx; h->name; h++)
		if (!strcmp(h->name, name))
			return h->value;
	return NULL;
}

enum truth { F, T, U };

static const struct {
	const char *sel;
	enum truth want;
} cases[] = {
	/* typed values (a JMS producer's properties): a String "5" is no
	 * number, an int 5 no string, a boolean only a boolean */
	{ "s_five = 5", F },
	{ "s_five = '5'", T },
	{ "s_five > 4", F },
	{ "n_five = 5", T },
	{ "n_five = '5'", F },
	{ "n_five > 4.5", T },
	{ "n_half < 1", T },
	{ "n_big = 10000000000", T },
	{ "n_big > n_five", T },
	{ "n_nan = n_nan", U },
	{ "n_five BETWEEN 1 AND 9", T },
	{ "n_five + 1 = 6", T },
	{ "b_yes", T },
	{ "b_yes = TRUE", T },
	{ "s_true", U },
	{ "s_five LIKE '5'", T },
	{ "n_five LIKE '5'", U },
	/* = <> < <= > >= on numbers: a header that reads as a number is one */
	{ "doors = 4", T },
	{ "doors = 4.0", T },
	{ "doors <> 4", F },
	{ "doors <> 5", T },
	{ "doors < 5", T },
	{ "doors < 4", F },
	{ "doors <= 4", T },
	{ "doors > 4", F },
	{ "doors > 3", T },
	{ "doors >= 4", T },
	{ "doors >= 5", F },
	{ "price > 10", T },
	{ "price = 10.5", T },
	{ "neg < 0", T },
	{ "zip = 7", T },
	{ "doors = dbl", T },
	{ "hex = 16", T },
	{ "doors = 4 AND price > doors", T },

	/* strings: equality only, and a quoted literal is always a string */
	{ "color = 'red'", T },
	{ "color = 'blue'", F },
	{ "color <> 'blue'", T },
	{ "color <> 'red'", F },
	{ "color = 'RED'", F },
	{ "color > 'a'", F },
	{ "color < 'z'", F },
	{ "color >= 'red'", F },
	{ "doors = '4'", T },
	{ "price = '10.50'", F },
	{ "zip = '007'", T },
	{ "zip = '7'", F },
	{ "'05' = '5'", F },
	{ "'abc' = 'abc'", T },
	{ "color = 4", F },
	{ "color <> 4", T },
	{ "nanh = 'nan'", T },
	{ "inf = 'inf'", T },
	{ "nanh = nanh", T },
	{ "spaced = 5", F },
	{ "spaced = ' 5'", T },
	{ "empty = ''", T },
	{ "quote = 'it''s'", T },
	{ "'it''s' = 'it''s'", T },
	{ "'''' = ''''", T },

	/* numeric literals */
	{ "1e2 = 100", T },
	{ "1E+2 = 100", T },
	{ "2.5e-1 = 0.25", T },
	{ "10L = 10", T },
	{ "10l = 10", T },
	{ "1.5f = 1.5", T },
	{ ".5 = 0.5", T },
	{ "5. = 5", T },
	{ "0x1F = 31", T },
	{ "0x1FL = 31", T },

	/* arithmetic, with * / before + - and both left to right */
	{ "price * 2 = 21", T },
	{ "doors + 1 = 5", T },
	{ "doors - 1 = 3", T },
	{ "doors / 2 = 2", T },
	{ "7 / 2 = 3.5", T },
	{ "2 + 3 * 4 = 14", T },
	{ "(2 + 3) * 4 = 20", T },
	{ "10 - 4 - 3 = 3", T },
	{ "16 / 4 / 2 = 2", T },
	{ "2 * 3 - 4 / 2 = 4", T },
	{ "-2 * -3 = 6", T },
	{ "- - 5 = 5", T },
	{ "+5 = 5", T },
	{ "2 - -2 = 4", T },
	{ "-neg = 3", T },
	{ "-(doors + 1) = -5", T },
	{ "1 + 2 > 2", T },
	{ "x-count = 7", T },
	{ "doors / 0 = 1", U },
	{ "doors / 0 <> 1", U },
	{ "0 / 0 = 0", U },
	{ "doors / 0 IS NULL", T },
	{ "missing + 1 = 1", U },
	{ "(missing + 1) IS NULL", T },
	{ "color + 1 = 1", U },
	{ "'1' + 1 = 2", U },
	{ "-color = 1", U },
	{ "inf + 1 = 1", U },

	/* NULL: a missing header makes comparisons unknown */
	{ "missing = 1", U },
	{ "missing <> 1", U },
	{ "missing = 'x'", U },
	{ "missing > 1", U },
	{ "missing = missing", U },
	{ "NOT missing = 1", U },
	{ "Color = 'red'", U },
	{ "DOORS = 4", U },

	/* AND, OR, NOT: SQL's three-valued truth tables */
	{ "TRUE", T },
	{ "FALSE", F },
	{ "NOT TRUE", F },
	{ "NOT NOT TRUE", T },
	{ "NOT NOT NOT TRUE", F },
	{ "TRUE AND TRUE", T },
	{ "TRUE AND FALSE", F },
	{ "FALSE OR TRUE", T },
	{ "FALSE OR FALSE", F },
	{ "missing = 1 OR color = 'red'", T },
	{ "color = 'red' OR missing = 1", T },
	{ "missing = 1 OR color = 'blue'", U },
	{ "missing = 1 OR TRUE", T },
	{ "missing = 1 OR FALSE", U },
	{ "missing = 1 AND color = 'red'", U },
	{ "missing = 1 AND color = 'blue'", F },
	{ "missing = 1 AND FALSE", F },
	{ "FALSE AND missing = 1", F },
	{ "missing = 1 AND TRUE", U },
	{ "NOT (missing = 1 AND FALSE)", T },
	{ "NOT (missing = 1 OR TRUE)", F },
	{ "NOT (missing = 1) OR TRUE", T },
	{ "missing = 1 OR missing = 2 OR doors = 4", T },
	{ "doors = 4 AND doors = 4 AND missing = 1", U },

	/* precedence: OR < AND < NOT < comparison < + - < * / < sign */
	{ "TRUE OR TRUE AND FALSE", T },
	{ "(TRUE OR TRUE) AND FALSE", F },
	{ "FALSE AND FALSE OR TRUE", T },
	{ "NOT FALSE AND FALSE", F },
	{ "NOT (FALSE AND FALSE)", T },
	{ "NOT doors = 5", T },
	{ "NOT doors = 4 OR TRUE", T },
	{ "color = 'blue' AND doors = 4 OR doors = 4", T },
	{ "color = 'blue' AND (doors = 4 OR doors = 4)", F },
	{ "color = 'red' AND doors = 4 OR color = 'blue'", T },

	/* keywords in any case; identifiers as written */
	{ "color = 'red' aNd doors = 4", T },
	{ "tRuE", T },
	{ "color = 'red' and DOORS is null", T },
	{ "doors between 3 and 5", T },
	{ "color not in ('blue')", T },
	{ "name like 'o%' escape '!'", T },
	{ "JMSType = 'car'", T },
	{ "x.y = 'dotted'", T },
	{ "_u = 'x' AND $d = 'y'", T },

	/* booleans: a header saying true/false is one, other values are not */
	{ "flag", T },
	{ "off", F },
	{ "shout", T },
	{ "NOT flag", F },
	{ "NOT off", T },
	{ "flag AND doors = 4", T },
	{ "off OR doors = 4", T },
	{ "flag = TRUE", T },
	{ "flag = FALSE", F },
	{ "off = FALSE", T },
	{ "shout = TRUE", T },
	{ "flag = 'true'", T },
	{ "(doors = 4) = TRUE", T },
	{ "(doors = 4) <> FALSE", T },
	{ "TRUE = FALSE", F },
	{ "color", U },
	{ "doors", U },
	{ "missing", U },
	{ "'true'", U },
	{ "1", U },
	{ "color = TRUE", F },
	{ "TRUE = 1", U },
	{ "(missing = 1) = TRUE", U },

	/* IS [NOT] NULL */
	{ "missing IS NULL", T },
	{ "missing IS NOT NULL", F },
	{ "color IS NULL", F },
	{ "color IS NOT NULL", T },
	{ "empty IS NULL", F },
	{ "NOT missing IS NULL", F },

	/* [NOT] IN */
	{ "color IN ('blue', 'red')", T },
	{ "color IN ('blue')", F },
	{ "color IN ('RED')", F },
	{ "color NOT IN ('blue', 'red')", F },
	{ "color NOT IN ('blue')", T },
	{ "missing IN ('a')", U },
	{ "missing NOT IN ('a')", U },
	{ "doors IN (3, 4)", T },
	{ "doors IN (3, 5)", F },
	{ "doors IN (-4, 4.0)", T },
	{ "doors IN ('4')", T },
	{ "price IN ('10.50')", F },
	{ "neg IN (-3)", T },
	{ "neg IN (- - -3, +7)", T },
	{ "quote IN ('x', 'it''s')", T },
	{ "color IN ('a','b','c','d','e','f','g','h','i','j','k','red')", T },

	/* [NOT] LIKE, with % and _ and ESCAPE */
	{ "name LIKE 'order%'", T },
	{ "name LIKE 'order-_'", T },
	{ "name LIKE 'order_'", F },
	{ "name LIKE '%1'", T },
	{ "name LIKE '%'", T },
	{ "name LIKE '%-%'", T },
	{ "name LIKE 'ORDER%'", F },
	{ "name LIKE 'order-1'", T },
	{ "name LIKE 'order-'", F },
	{ "name LIKE '_______'", T },
	{ "name LIKE '________'", F },
	{ "name LIKE '%r%r%'", T },
	{ "name LIKE '%d%d%'", F },
	{ "name LIKE 'o%e%1'", T },
	{ "name LIKE '%%%1'", T },
	{ "name NOT LIKE '%x%'", T },
	{ "name NOT LIKE 'order%'", F },
	{ "missing LIKE '%'", U },
	{ "missing NOT LIKE '%'", U },
	{ "doors LIKE '4'", T },
	{ "5 LIKE '5'", U },
	{ "'abc' LIKE 'a%'", T },
	{ "pct LIKE '50!%' ESCAPE '!'", T },
	{ "name LIKE '50!%' ESCAPE '!'", F },
	{ "name LIKE 'order!-1' ESCAPE '!'", T },
	{ "under LIKE 'a\\_b' ESCAPE '\\'", T },
	{ "axb LIKE 'a\\_b' ESCAPE '\\'", F },
	{ "axb LIKE 'a_b'", T },
	{ "bang LIKE 'a!!b' ESCAPE '!'", T },
	{ "dangle LIKE '50!' ESCAPE '!'", T },
	{ "pct LIKE '50%%' ESCAPE '%'", T },
	{ "name LIKE 'order%%' ESCAPE '%'", F },
	{ "empty LIKE ''", T },
	{ "empty LIKE '%'", T },
	{ "empty LIKE '_'", F },
	{ "city LIKE 'Z_rich'", T },
	{ "city LIKE 'Z__rich'", F },
	{ "city LIKE '%ich'", T },
	{ "city LIKE '%_rich'", T },
	{ "city LIKE '______'", T },
	{ "long LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%b'", F },
	{ "long LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%'", T },

	/* [NOT] BETWEEN, numbers only */
	{ "doors BETWEEN 3 AND 5", T },
	{ "doors BETWEEN 4 AND 4", T },
	{ "doors BETWEEN 5 AND 9", F },
	{ "doors BETWEEN 5 AND 3", F },
	{ "doors NOT BETWEEN 5 AND 9", T },
	{ "doors NOT BETWEEN 3 AND 5", F },
	{ "price BETWEEN 10 AND 11", T },
	{ "neg BETWEEN -5 AND -1", T },
	{ "doors BETWEEN 1 + 2 AND 2 * 3", T },
	{ "doors BETWEEN 3 AND 5 AND color = 'red'", T },
	{ "doors BETWEEN 3 AND 5 OR FALSE", T },
	{ "missing BETWEEN 1 AND 2", U },
	{ "missing NOT BETWEEN 1 AND 2", U },
	{ "doors BETWEEN missing AND 9", U },
	{ "doors BETWEEN missing AND 3", F },
	{ "color BETWEEN 1 AND 2", U },
	{ "doors BETWEEN '1' AND '9'", U },
};

static const struct {
	const char *sel;
	const char *err;	/* the whole message */
} errors[] = {
	{ "", "selector: empty selector at position 1" },
	{ "   ", "selector: empty selector at position 4" },
	{ "color = ", "selector: unexpected end, expected a value at position 9" },
	{ "= 1", "selector: expected a value at position 1" },
	{ "AND", "selector: expected a value at position 1" },
	{ "NOT", "selector: unexpected end, expected a value at position 4" },
	{ "()", "selector: expected a value at position 2" },
	{ "doors = 4 AND", "selector: unexpected end, expected a value at position 14" },
	{ "color = 'red' OR OR", "selector: expected a value at position 18" },
	{ "color == 'red'", "selector: expected a value at position 8" },
	{ "doors < > 1", "selector: expected a value at position 9" },
	{ "(color = 'red'", "selector: unexpected end, expected ')' at position 15" },
	{ "((doors = 4) AND (color = 'red')", "selector: unexpected end, expected ')' at position 33" },
	{ "(doors = 4 color", "selector: expected ')' at position 12" },
	{ "color = 'red')", "selector: unexpected ')' after the end of the expression at position 14" },
	{ "color = 'red' garbage", "selector: unexpected text after the end of the expression at position 15" },
	{ "color IS NULL NULL", "selector: unexpected text after the end of the expression at position 15" },
	{ "color = 'red", "selector: unterminated string literal at position 9" },
	{ "color = 'it''s", "selector: unterminated string literal at position 9" },
	{ "color # 1", "selector: unexpected character '#' at position 7" },
	{ "color = \x01", "selector: unexpected byte 0x01 at position 9" },
	{ "12abc = 1", "selector: malformed number at position 1" },
	{ "1.2.3 = 1", "selector: malformed number at position 1" },
	{ "0x = 1", "selector: malformed number at position 1" },
	{ "color IN 'red'", "selector: expected '(' after IN at position 10" },
	{ "color IN ()", "selector: expected a string or number literal in the IN list at position 11" },
	{ "color IN (doors)", "selector: expected a string or number literal in the IN list at position 11" },
	{ "doors IN (-doors)", "selector: expected a string or number literal in the IN list at position 12" },
	{ "doors IN (1 + 2)", "selector: expected ')' or ',' in the IN list at position 13" },
	{ "color IN ('a' 'b')", "selector: expected ')' or ',' in the IN list at position 15" },
	{ "color IN ('a',", "selector: expected a string or number literal in the IN list at position 15" },
	{ "color LIKE 5", "selector: expected a string pattern after LIKE at position 12" },
	{ "color LIKE name", "selector: expected a string pattern after LIKE at position 12" },
	{ "name LIKE 'a' ESCAPE 'xy'", "selector: expected a one-character string after ESCAPE at position 22" },
	{ "name LIKE 'a' ESCAPE ''", "selector: expected a one-character string after ESCAPE at position 22" },
	{ "name LIKE 'a' ESCAPE", "selector: expected a one-character string after ESCAPE at position 21" },
	{ "doors BETWEEN 1 OR 2", "selector: expected AND in BETWEEN at position 17" },
	{ "doors BETWEEN 1", "selector: unexpected end, expected AND in BETWEEN at position 16" },
	{ "color IS 5", "selector: expected NULL after IS at position 10" },
	{ "color IS NOT", "selector: unexpected end, expected NULL after IS at position 13" },
	{ "color NOT = 'x'", "selector: expected BETWEEN, IN or LIKE after NOT at position 11" },
	{ "x--", "selector: unexpected end, expected a value at position 4" },
};

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	if (!s)
		abort();
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + n * ul, tail, tl + 1);
	return s;
}

/* Compiles text and reports whether it matches the message; -1 when it
 * does not compile (err says why). */
static int run(const char *text, const struct header *msg, char *err, size_t errlen)
{
	struct selector *s = selector_compile(text, err, errlen);
	if (!s)
		return -1;
	int r = selector_match(s, lookup, (void *)msg);
	selector_free(s);
	return r;
}

static void deep_paren(size_t n, char *err, size_t errlen, int want, const char *what)
{
	char *open = repeat("", "(", n, "doors = 4");
	char *text = repeat(open, ")", n, "");
	is(run(text, message, err, errlen), want, what);
	if (want < 0)
		ok(strstr(err, "selector: nested too deeply (more than 100 parentheses) at position 101"),
		   "... and the error says where nesting went too deep");
	free(open);
	free(text);
}

int main(void)
{
	char err[256], name[512], wrapped[512];
	memset(long_a, 'a', sizeof long_a - 1);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		static const char *const words[] = { "false", "true", "unknown" };
		enum truth want = cases[i].want;
		snprintf(name, sizeof name, "%s is %s", cases[i].sel, words[want]);
		snprintf(wrapped, sizeof wrapped, "NOT (%s)", cases[i].sel);
		int r = run(cases[i].sel, message, err, sizeof err);
		int n = run(wrapped, message, err, sizeof err);
		ok(r == (want == T) && n == (want == F), name);
		if (r < 0 || n < 0)
			diag("%s", err);
		else if (r != (want == T) || n != (want == F))
			diag("matched %d, NOT matched %d", r, n);
	}

	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		strcpy(err, "untouched");
		struct selector *s = selector_compile(errors[i].sel, err, sizeof err);
		snprintf(name, sizeof name, "'%s' is refused: %s", errors[i].sel, errors[i].err);
		ok(!s && !strcmp(err, errors[i].err), name);
		if (s || strcmp(err, errors[i].err))
			diag("got: %s", s ? "(compiled)" : err);
		selector_free(s);
	}

	/* One compiled selector serves any number of messages. */
	struct selector *s = selector_compile("color = 'red' AND doors > 3", err, sizeof err);
	ok(s && selector_match(s, lookup, (void *)message), "a compiled selector matches one message");
	ok(s && !selector_match(s, lookup, (void *)other_message), "... and not another");
	ok(s && selector_match(s, lookup, (void *)message), "... and still the first");
	selector_free(s);
	selector_free(NULL);

	/* The error buffer is never overrun, and may be absent. */
	memset(err, 'x', sizeof err);
	ok(!selector_compile("(", err, 9) && !strcmp(err, "selector") && err[9] == 'x',
	   "an error is cut to the buffer it is given");
	ok(!selector_compile("(", NULL, 0), "an error with no buffer is still an error");

	/* Hostile nesting is refused before it can exhaust the stack; long
	 * flat chains and runs of NOT or signs just work. */
	deep_paren(100, err, sizeof err, 1, "100 nested parentheses are fine");
	deep_paren(101, err, sizeof err, -1, "101 nested parentheses are refused");
	deep_paren(100000, err, sizeof err, -1, "100000 nested parentheses are refused");

	char *text = repeat("", "NOT ", 100000, "doors = 4");
	is(run(text, message, err, sizeof err), 1, "100000 NOTs in a row are fine (and cancel out)");
	free(text);
	text = repeat("", "NOT ", 100001, "doors = 4");
	is(run(text, message, err, sizeof err), 0, "... and an odd number of them negates");
	free(text);
	text = repeat("", "-", 100000, "1 = 1");
	is(run(text, message, err, sizeof err), 1, "100000 minus signs in a row are fine");
	free(text);
	text = repeat("", "doors = 0 OR ", 100000, "doors = 4");
	is(run(text, message, err, sizeof err), 1, "an OR of 100001 comparisons is fine");
	free(text);
	text = repeat("", "doors > 0 AND ", 100000, "doors = 4");
	is(run(text, message, err, sizeof err), 1, "an AND of 100001 comparisons is fine");
	free(text);
	text = repeat("0", " + 1", 500, " = 500");
	is(run(text, message, err, sizeof err), 1, "a sum of 500 terms is fine");
	free(text);
	text = repeat("0", " + 1", 100000, " = 100000");
	is(run(text, message, err, sizeof err), -1, "a sum of 100000 terms is refused");
	ok(strstr(err, "selector: expression too complex (more than 1000 levels) at position "),
	   "... as too complex");
	free(text);
	text = repeat("color IN (", "'x', ", 100000, "'red')");
	is(run(text, message, err, sizeof err), 1, "an IN list of 100001 strings is fine");
	free(text);

	return done_testing();
}
