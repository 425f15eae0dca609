/* Strings between Java's modified UTF-8 (what OpenWire carries) and the
 * UTF-8 of STOMP and MQTT (broker/openwire/openwire_wire.c): characters
 * past U+FFFF are a surrogate pair on one side and four bytes on the
 * other, NUL is C0 80 on one side, a lone surrogate becomes U+FFFD, and
 * input that is not UTF-8 is refused. */
#include <stdlib.h>
#include <string.h>

#include "openwire_wire.h"
#include "tap.h"

static const struct {
	const char *name;
	const char *mutf8;
	size_t mlen;
	const char *utf8;
	size_t ulen;
} both_ways[] = {
	{ "ASCII", "queue.a", 7, "queue.a", 7 },
	{ "two and three bytes", "caf\xc3\xa9 \xe2\x82\xac", 9, "caf\xc3\xa9 \xe2\x82\xac", 9 },
	{ "U+1F600 as a surrogate pair", "\xed\xa0\xbd\xed\xb8\x80", 6, "\xf0\x9f\x98\x80", 4 },
	{ "NUL as C0 80", "a\xc0\x80" "b", 4, "a\0b", 3 },
	{ "ASCII runs between the others", "ab\xc3\xa9" "cd\xed\xa0\xbd\xed\xb8\x80" "ef\xc0\x80" "gh", 18,
	  "ab\xc3\xa9" "cd\xf0\x9f\x98\x80" "ef\0gh", 15 },
};

static void check_both_ways(void)
{
	for (size_t i = 0; i < sizeof both_ways / sizeof both_ways[0]; i++) {
		struct ow_str m = { (char *)both_ways[i].mutf8, (uint32_t)both_ways[i].mlen };
		struct buf u = BUF_INIT;
		char name[120];
		snprintf(name, sizeof name, "to UTF-8: %s", both_ways[i].name);
		ok(ow_str_to_utf8(&m, &u) == 0 && buf_len(&u) == both_ways[i].ulen &&
		   !memcmp(buf_data(&u), both_ways[i].utf8, buf_len(&u)), name);
		buf_free(&u);
		struct ow_str back = { 0 };
		snprintf(name, sizeof name, "from UTF-8: %s", both_ways[i].name);
		ok(ow_str_from_utf8(&back, both_ways[i].utf8, both_ways[i].ulen) == 0 &&
		   back.len == both_ways[i].mlen && !memcmp(back.s, both_ways[i].mutf8, back.len), name);
		ow_str_clear(&back);
	}
}

static void one_way(void)
{
	struct ow_str lone = { (char *)"x\xed\xa0\xbdy", 5 };
	struct buf u = BUF_INIT;
	ok(ow_str_to_utf8(&lone, &u) == 0 && buf_len(&u) == 5 &&
	   !memcmp(buf_data(&u), "x\xef\xbf\xbdy", 5), "a lone surrogate becomes U+FFFD");
	buf_free(&u);
	static const char *const bad[] = { "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ow_str s = { 0 };
		char name[80];
		snprintf(name, sizeof name, "refused as UTF-8: input %zu", i);
		ok(ow_str_from_utf8(&s, bad[i], strlen(bad[i])) < 0 && !s.s, name);
	}
	struct ow_str e = { 0 };
	ok(ow_str_from_utf8(&e, "", 0) == 0 && e.s && e.len == 0, "the empty string is not null");
	ow_str_clear(&e);
}

int main(void)
{
	check_both_ways();
	one_way();
	return done_testing();
}
