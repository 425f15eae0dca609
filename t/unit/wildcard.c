/* Destination wildcards as ActiveMQ 5 matches them: '*' one element, a
 * trailing '>' whatever is left (nothing included), everything else plain. */
#include <stdbool.h>
#include <stdlib.h>

#include "tap.h"
#include "wildcard.h"

static const struct {
	const char *pattern, *name;
	bool match;
} cases[] = {
	/* no wildcard: the identical name only */
	{ "orders", "orders", true },
	{ "orders", "orders.eu", false },
	{ "orders.eu", "orders", false },
	{ "orders", "order", false },
	{ "order", "orders", false },
	{ "Orders", "orders", false },
	{ "a.b.c", "a.b.c", true },
	{ "a.b.c", "a.b.d", false },
	{ "a.b.c", "a.b", false },
	{ "a.b", "a.b.c", false },

	/* '*': exactly one element, wherever it stands */
	{ "price.*", "price.stock", true },
	{ "price.*", "price.stock.nasdaq", false },
	{ "price.*", "price", false },
	{ "price.*", "prices.stock", false },
	{ "*.stock", "price.stock", true },
	{ "*.stock", "price.bond", false },
	{ "*.stock", "stock", false },
	{ "price.*.nasdaq", "price.stock.nasdaq", true },
	{ "price.*.nasdaq", "price.stock.nyse", false },
	{ "price.*.nasdaq", "price.nasdaq", false },
	{ "price.*.nasdaq", "price.a.b.nasdaq", false },
	{ "*", "one", true },
	{ "*", "one.two", false },
	{ "*.*", "one.two", true },
	{ "*.*", "one", false },
	{ "*.*", "one.two.three", false },
	{ "a.*", "a.", true },
	{ "*", "", true },

	/* trailing '>': the rest of the name, nothing included */
	{ "price.>", "price.stock", true },
	{ "price.>", "price.stock.nasdaq", true },
	{ "price.>", "price", true },
	{ "price.>", "prices.stock", false },
	{ "price.>", "pric", false },
	{ "price.>", "other.stock", false },
	{ "price.stock.>", "price", false },
	{ ">", "anything", true },
	{ ">", "any.thing.at.all", true },
	{ ">", "", true },
	{ "a.>.>", "a", true },
	{ "a.>.>", "a.b.c", true },
	{ "a.>.>", "b", false },
	{ "a.*.>", "a.b", true },
	{ "a.*.>", "a.b.c", true },
	{ "a.*.>", "a", false },
	{ "*.>", "x", true },
	{ "*.*.>", "x", false },

	/* '>' before the end, and partial elements, are plain characters */
	{ "a.>.c", "a.b.c", false },
	{ "a.>.c", "a.>.c", true },
	{ "a.>.*", "a.b.c", false },
	{ "a.>.*", "a.>.c", true },
	{ "a*", "ab", false },
	{ "a*", "a*", true },
	{ "a>", "ab", false },
	{ "a.b>", "a.b.c", false },

	/* wildcards in the name match only the same spelling */
	{ "a.*", "a.*", true },
	{ "a.>", "a.>", true },
	{ "a.b", "a.*", false },
	{ "a.b", "a.>", false },
	{ "a.*.c", "a.>", false },

	/* empty elements are elements */
	{ "a..b", "a..b", true },
	{ "a..b", "a.b", false },
	{ "a.*.b", "a..b", true },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "a.", "a", false },
	{ "a.", "a.", true },
};

static const struct {
	const char *name;
	bool wild;
} wilds[] = {
	{ "a.*", true },
	{ ">", true },
	{ "*", true },
	{ "a.>", true },
	{ "*.b", true },
	{ "a.>.c", true },
	{ "a.b", false },
	{ "", false },
	{ "a*b.c>", false },
	{ "a.**", false },
	{ ">>", false },
};

/* Patterns as sets of names: does outer cover inner, do they overlap? */
static const struct {
	const char *outer, *inner;
	bool covers, overlap;
} sets[] = {
	{ "a.>", "a.>", true, true },
	{ "a.>", "a.b.*", true, true },
	{ "a.>", "a", true, true },
	{ ">", "a.*.c", true, true },
	{ "a.*", "a.b", true, true },
	/* '*' is one element: "a.*" does not cover "a.>" (a.b.c) */
	{ "a.*", "a.>", false, true },
	{ "a.*", "a.*.c", false, false },
	{ "a.b", "a.*", false, true },
	{ "a.b.>", "a.>", false, true },
	{ "b.>", "a.>", false, false },
	{ "*.b", "a.*", false, true },
	{ "a.*.>", "a", false, false },
	{ "a.*.>", "a.>", false, true },
	/* a '>' before the end is a plain element */
	{ "a.>.c", "a.*.c", false, true },
	{ "a.*.c", "a.>.c", true, true },
	{ "orders", "orders", true, true },
	{ "orders", "order", false, false },
};

int main(void)
{
	char name[160];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(name, sizeof name, "'%s' %s '%s'", cases[i].pattern,
			 cases[i].match ? "matches" : "does not match", cases[i].name);
		ok(dest_match(cases[i].pattern, cases[i].name) == cases[i].match, name);
	}
	for (size_t i = 0; i < sizeof wilds / sizeof wilds[0]; i++) {
		snprintf(name, sizeof name, "'%s' %s", wilds[i].name,
			 wilds[i].wild ? "is a wildcard" : "has no wildcard element");
		ok(dest_has_wildcard(wilds[i].name) == wilds[i].wild, name);
	}
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		snprintf(name, sizeof name, "'%s' %s '%s'", sets[i].outer,
			 sets[i].covers ? "covers" : "does not cover", sets[i].inner);
		ok(dest_covers(sets[i].outer, sets[i].inner) == sets[i].covers, name);
		snprintf(name, sizeof name, "'%s' and '%s' %s", sets[i].outer, sets[i].inner,
			 sets[i].overlap ? "overlap" : "do not overlap");
		ok(dest_overlap(sets[i].outer, sets[i].inner) == sets[i].overlap, name);
		ok(dest_overlap(sets[i].inner, sets[i].outer) == sets[i].overlap,
		   "and the other way round");
	}

	/* A pattern of many '>' elements is linear, not quadratic, and still
	 * only the trailing run is a wildcard. */
	size_t n = 200000;
	char *big = malloc(2 * n + 2);
	for (size_t i = 0; i < n; i++) {
		big[2 * i] = '>';
		big[2 * i + 1] = '.';
	}
	big[2 * n - 1] = '\0';
	ok(dest_match(big, "x.y.z"), "a pattern of 200000 '>' elements matches anything");
	big[0] = 'q';
	ok(!dest_match(big, "x.y.z"), "... and with a plain first element only what starts with it");
	ok(dest_match(big, "q"), "... including that element alone");
	free(big);
	return done_testing();
}
