/* The string-keyed hash table: what is filed is found under its key and
 * only there, removal takes out exactly that key, and nothing is lost as
 * the table grows through many doublings. */
#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"
#include "tap.h"

#define MANY 50000

static const struct {
	const char *key;
	int value;
} small[] = {
	{ "", 1 }, { "a", 2 }, { "b", 3 }, { "ab", 4 }, { "ba", 5 },
	{ "/queue/orders", 6 }, { "/topic/orders", 7 }, { "sensors/+/temp", 8 },
};
#define NSMALL (sizeof small / sizeof small[0])

static void test_small(void)
{
	struct strmap m = STRMAP_INIT;
	ok(strmap_get(&m, "a") == NULL && strmap_del(&m, "a") == NULL,
	   "an empty map finds and removes nothing");
	int fails = 0;
	for (size_t i = 0; i < NSMALL; i++)
		fails += strmap_put(&m, small[i].key, (void *)&small[i].value) != 0;
	is(fails, 0, "every key filed");
	is(m.count, NSMALL, "count");
	int wrong = 0;
	for (size_t i = 0; i < NSMALL; i++)
		wrong += strmap_get(&m, small[i].key) != &small[i].value;
	is(wrong, 0, "each key finds its own value (the empty key too)");
	ok(strmap_get(&m, "c") == NULL && strmap_get(&m, "/queue/order") == NULL,
	   "keys not filed, prefixes of filed ones, are not found");
	ok(strmap_del(&m, "ab") == &small[3].value, "removal returns the value");
	ok(strmap_get(&m, "ab") == NULL && strmap_get(&m, "ba") == &small[4].value &&
	   strmap_get(&m, "a") == &small[1].value, "only that key went");
	ok(strmap_del(&m, "ab") == NULL, "removing it again finds nothing");
	ok(strmap_put(&m, "ab", (void *)&small[0].value) == 0 &&
	   strmap_get(&m, "ab") == &small[0].value, "a removed key can be filed again");
	strmap_clear(&m);
	ok(m.count == 0 && strmap_get(&m, "a") == NULL, "cleared");
	ok(strmap_put(&m, "x", (void *)&small[0].value) == 0 && strmap_get(&m, "x"),
	   "a cleared map is usable again");
	strmap_clear(&m);
}

static void test_many(void)
{
	struct strmap m = STRMAP_INIT;
	char (*keys)[16] = malloc(MANY * sizeof *keys);
	int fails = 0;
	for (int i = 0; i < MANY; i++) {
		snprintf(keys[i], sizeof keys[i], "sub-%d", i);
		fails += strmap_put(&m, keys[i], keys[i]) != 0;
	}
	ok(fails == 0 && m.count == MANY, "50,000 keys filed through many doublings");
	int wrong = 0;
	for (int i = 0; i < MANY; i++)
		wrong += strmap_get(&m, keys[i]) != keys[i];
	is(wrong, 0, "each found after growing");
	for (int i = 0; i < MANY; i += 2)
		wrong += strmap_del(&m, keys[i]) != keys[i];
	is(wrong, 0, "every other one removed");
	for (int i = 0; i < MANY; i++)
		wrong += (strmap_get(&m, keys[i]) != NULL) != (i % 2 == 1);
	ok(wrong == 0 && m.count == MANY / 2, "the odd ones stay, the even ones are gone");
	strmap_clear(&m);
	free(keys);
}

int main(void)
{
	test_small();
	test_many();
	return done_testing();
}
