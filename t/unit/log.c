/* Log lines: whatever a client chose is escaped, so one call writes one
 * line (issue 16, point 12). The table is what a message holds and what
 * the sink is given. */
#include <stdlib.h>

#include "log.h"
#include "tap.h"

static char said[4096];

static void capture(void *ctx, enum log_level level, const char *component, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)component;
	snprintf(said, sizeof said, "%s", msg);
}

static const struct {
	const char *label, *in, *out;
} cases[] = {
	{ "plain text is kept", "user [app] logged in", "user [app] logged in" },
	{ "a newline cannot start a forged line", "[eve\n2026-01-01 | INFO  | x]",
	  "[eve\\n2026-01-01 | INFO  | x]" },
	{ "CR and tab by name", "a\rb\tc", "a\\rb\\tc" },
	{ "a terminal's escape sequence", "\x1b[2J\x07", "\\x1b[2J\\x07" },
	{ "DEL", "a\x7f", "a\\x7f" },
	{ "a backslash is kept", "a\\nb", "a\\nb" },
	{ "UTF-8 is kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "a byte that is not UTF-8", "a\xff" "b", "a\\xffb" },
	{ "a cut sequence", "a\xe2\x82", "a\\xe2\\x82" },
	{ "an overlong form", "\xc0\xaf", "\\xc0\\xaf" },
	{ "a surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80" },
	{ "past U+10FFFF", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
	{ "a C1 control (CSI)", "\xc2\x9b" "2J", "\\xc2\\x9b2J" },
	{ "U+00A0 is kept", "\xc2\xa0", "\xc2\xa0" },
};

int main(void)
{
	log_set_sink(capture, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		log_warn("test", "%s", cases[i].in);
		is_str(said, cases[i].out, cases[i].label);
	}

	/* A message that fills the buffer is cut at a whole escape. */
	char *big = malloc(3000);
	memset(big, '\n', 2999);
	big[2999] = '\0';
	log_warn("test", "%s", big);
	size_t n = strlen(said);
	ok(n > 0 && n < 2048 && n % 2 == 0 && said[n - 2] == '\\' && said[n - 1] == 'n',
	   "a long message is cut at a whole escape");
	free(big);
	return done_testing();
}
