/* Destination wildcards as ActiveMQ matches them. */
#include "tap.h"
#include "wildcard.h"

static const struct {
	const char *pattern, *name;
	bool match;
} cases[] = {
	{ "orders", "orders", true },
	{ "orders", "orders.eu", false },
	{ "orders.eu", "orders", false },
	{ "orders", "order", false },
	{ "price.*", "price.stock", true },
	{ "price.*", "price.stock.nasdaq", false },
	{ "price.*", "price", false },
	{ "*.stock", "price.stock", true },
	{ "*.stock", "price.bond", false },
	{ "price.*.nasdaq", "price.stock.nasdaq", true },
	{ "price.*.nasdaq", "price.stock.nyse", false },
	{ "price.>", "price.stock", true },
	{ "price.>", "price.stock.nasdaq", true },
	{ "price.>", "price", false },
	{ "price.>", "prices.stock", false },
	{ ">", "anything", true },
	{ ">", "any.thing.at.all", true },
	{ "*", "one", true },
	{ "*", "one.two", false },
	{ "*.*", "one.two", true },
	{ "a.*.>", "a.b.c", true },
	{ "a.*.>", "a.b", false },
	{ "a..b", "a..b", true },
	{ "a.*", "a.", true },
	{ "", "", true },
	{ "", "a", false },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[128];
		snprintf(name, sizeof name, "'%s' %s '%s'", cases[i].pattern,
			 cases[i].match ? "matches" : "does not match", cases[i].name);
		ok(dest_match(cases[i].pattern, cases[i].name) == cases[i].match, name);
	}
	ok(dest_has_wildcard("a.*"), "a.* has a wildcard");
	ok(dest_has_wildcard(">"), "> has a wildcard");
	ok(dest_has_wildcard("a.>"), "a.> has a wildcard");
	ok(!dest_has_wildcard("a.b"), "a.b has none");
	ok(!dest_has_wildcard("a*b.c>"), "'*' and '>' inside an element are plain characters");
	return done_testing();
}
