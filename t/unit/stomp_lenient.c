/* What ActiveMQ tolerates in STOMP input (stomp_lenient.h), rule by rule:
 * trimming as Java's String.trim(), what may follow a command word (for
 * the tcp:// connector's detection), and a persistent value that is true. */
#include <stdlib.h>

#include "stomp_lenient.h"
#include "tap.h"

static const struct {
	const char *in, *want, *label;
} trims[] = {
	{ " true", "true", "a space before goes" },
	{ "true \t\r", "true", "space, tab and CR after go" },
	{ "\x01\x1f x y \x20", "x y", "every byte up to 0x20 goes, inner ones stay" },
	{ "   ", "", "blanks only leave nothing" },
	{ "", "", "nothing stays nothing" },
	{ "a\x7f", "a\x7f", "DEL is no blank to Java" },
	{ "\xc2\xa0x", "\xc2\xa0x", "nor is a UTF-8 no-break space" },
};

static const struct {
	const char *after;	/* what follows the command word */
	int want;
	const char *label;
} ends[] = {
	{ "\n", 1, "a command word then LF is a command" },
	{ "\r\n", 1, "then CR LF too" },
	{ " \t\r\n", 1, "then blanks and CR LF too" },
	{ " ", -1, "then a blank: more may come" },
	{ "\r", -1, "then CR: more may come" },
	{ "", -1, "then nothing yet: more may come" },
	{ "X\n", 0, "CONNECTX is no CONNECT" },
	{ " X\n", 0, "nor is CONNECT X" },
};

static const struct {
	const char *value;
	bool want;
} trues[] = {
	{ "true", true },
	{ " true", true },
	{ "true\t", true },
	{ "TRUE", false },	/* ActiveMQ: "true".equals() */
	{ "t rue", false },
	{ "", false },
	{ NULL, false },
};

int main(void)
{
	char name[128];
	for (size_t i = 0; i < sizeof trims / sizeof trims[0]; i++) {
		const char *s = trims[i].in;
		size_t len = strlen(s);
		stomp_lenient_trim(&s, &len);
		char *got = strndup(s, len);
		is_str(got, trims[i].want, trims[i].label);
		free(got);
	}
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		const char *s = ends[i].after;
		is(stomp_lenient_command_end(s, strlen(s)), ends[i].want, ends[i].label);
	}
	const char nul_end[] = " \0\n";
	ok(stomp_lenient_command_end(nul_end, 3) == 0, "a NUL after a command word is no blank");
	ok(stomp_lenient_skipped('\0') && stomp_lenient_skipped('\n') &&
	   !stomp_lenient_skipped(' ') && !stomp_lenient_skipped('S'),
	   "NULs and EOLs before a command are skipped, nothing else");
	for (size_t i = 0; i < sizeof trues / sizeof trues[0]; i++) {
		snprintf(name, sizeof name, "persistent:%s is %s",
			 trues[i].value ? trues[i].value : "(none)", trues[i].want ? "true" : "not");
		ok(stomp_lenient_true(trues[i].value) == trues[i].want, name);
	}
	return done_testing();
}
