/* JMS selectors: the operators ActiveMQ users write, SQL's NULL logic, and
 * syntax errors that say where. */
#include <stdlib.h>

#include "selector.h"
#include "tap.h"

static const char *const headers[][2] = {
	{ "color", "red" }, { "doors", "4" }, { "price", "10.5" }, { "name", "order-1" },
	{ "flag", "true" }, { "off", "false" }, { "pct", "50%" }, { "JMSType", "car" },
	{ "quote", "it's" }, { "neg", "-3" }, { "x.y", "dotted" },
};

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
		if (!strcmp(headers[i][0], name))
			return headers[i][1];
	return NULL;
}

static const struct {
	const char *sel;
	bool want;
} cases[] = {
	{ "color = 'red'", true },
	{ "color = 'blue'", false },
	{ "color <> 'blue'", true },
	{ "doors = 4", true },
	{ "doors = 4.0", true },
	{ "doors > 3 AND doors < 5", true },
	{ "doors >= 4 AND doors <= 4", true },
	{ "doors > 4", false },
	{ "price > 10", true },
	{ "price * 2 = 21", true },
	{ "doors + 1 = 5 AND doors - 1 = 3 AND doors / 2 = 2", true },
	{ "-neg = 3", true },
	{ "doors / 0 = 1", false },
	{ "color = 'red' OR missing = 1", true },
	{ "missing = 1 OR color = 'red'", true },
	{ "missing = 1", false },
	{ "NOT missing = 1", false },
	{ "NOT (missing = 1) OR TRUE", true },
	{ "missing = 1 AND FALSE", false },
	{ "NOT (missing = 1 AND FALSE)", true },
	{ "missing IS NULL", true },
	{ "color IS NULL", false },
	{ "color IS NOT NULL", true },
	{ "color IN ('blue', 'red')", true },
	{ "color NOT IN ('blue', 'red')", false },
	{ "missing IN ('a')", false },
	{ "missing NOT IN ('a')", false },
	{ "doors IN (3, 4)", true },
	{ "name LIKE 'order%'", true },
	{ "name LIKE 'order-_'", true },
	{ "name LIKE 'order_'", false },
	{ "name NOT LIKE '%x%'", true },
	{ "pct LIKE '50!%' ESCAPE '!'", true },
	{ "name LIKE '50!%' ESCAPE '!'", false },
	{ "doors BETWEEN 3 AND 5", true },
	{ "doors BETWEEN 5 AND 9", false },
	{ "doors NOT BETWEEN 5 AND 9", true },
	{ "color > 'a'", false },
	{ "flag", true },
	{ "off", false },
	{ "flag AND doors = 4", true },
	{ "flag = TRUE", true },
	{ "quote = 'it''s'", true },
	{ "color = 'red' AND doors = 4 OR color = 'blue'", true },
	{ "color = 'blue' AND doors = 4 OR doors = 4", true },
	{ "color = 'blue' AND (doors = 4 OR doors = 4)", false },
	{ "JMSType = 'car'", true },
	{ "x.y = 'dotted'", true },
	{ "color = 'red' and DOORS is null", true },
	{ "2 + 3 * 4 = 14", true },
	{ "(2 + 3) * 4 = 20", true },
	{ "1e2 = 100", true },
	{ "10L = 10", true },
	{ "color = 4", false },
};

static const struct {
	const char *sel;
	const char *err;
} errors[] = {
	{ "", "empty selector" },
	{ "   ", "empty selector" },
	{ "color = ", "position 9" },
	{ "(color = 'red'", "expected ')' at position 15" },
	{ "color = 'red", "unterminated string" },
	{ "color == 'red'", "expected a value at position 8" },
	{ "color IN 'red'", "'(' after IN" },
	{ "color LIKE 5", "string pattern after LIKE" },
	{ "doors BETWEEN 1 OR 2", "AND in BETWEEN" },
	{ "color IS 5", "NULL after IS" },
	{ "color = 'red' garbage", "unexpected text" },
	{ "color # 1", "unexpected character '#'" },
	{ "12abc = 1", "malformed number" },
	{ "name LIKE 'a' ESCAPE 'xy'", "one-character string" },
	{ "color NOT = 'x'", "BETWEEN, IN or LIKE after NOT" },
};

int main(void)
{
	char err[200], name[200];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct selector *s = selector_compile(cases[i].sel, err, sizeof err);
		snprintf(name, sizeof name, "%s is %s", cases[i].sel, cases[i].want ? "true" : "not true");
		if (!s) {
			ok(0, name);
			diag("%s", err);
			continue;
		}
		ok(selector_match(s, lookup, NULL) == cases[i].want, name);
		selector_free(s);
	}
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		err[0] = '\0';
		struct selector *s = selector_compile(errors[i].sel, err, sizeof err);
		snprintf(name, sizeof name, "'%s' is refused: %s", errors[i].sel, errors[i].err);
		ok(!s && strstr(err, errors[i].err) && !strncmp(err, "selector: ", 10), name);
		if (s || !strstr(err, errors[i].err))
			diag("got: %s", err);
		selector_free(s);
	}
	/* Hostile nesting: refused, no stack overflow. */
	size_t n = 100000;
	char *deep = malloc(2 * n + 8);
	memset(deep, '(', n);
	strcpy(deep + n, "1=1");
	memset(deep + n + 3, ')', n);
	deep[2 * n + 3] = '\0';
	struct selector *s = selector_compile(deep, err, sizeof err);
	ok(!s && strstr(err, "nested too deeply"), "100000 nested parentheses are refused");
	memset(deep, '-', n);
	strcpy(deep + n, "1 = 1");
	s = selector_compile(deep, err, sizeof err);
	ok(!s && strstr(err, "nested too deeply"), "100000 unary minus signs are refused");
	snprintf(deep, 64, "((((((((((doors = 4))))))))))");
	s = selector_compile(deep, err, sizeof err);
	ok(s && selector_match(s, lookup, NULL), "ten levels are fine");
	selector_free(s);
	free(deep);
	return done_testing();
}
