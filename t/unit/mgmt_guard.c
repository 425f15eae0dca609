/* Login throttling on the management socket (mgmt/server/mgmt_guard.c): when
 * each login from an address may be checked, with loginFailureDelay 100
 * ms and loop times given by hand. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "mgmt_server.h"
#include "tap.h"

static int failed_lines, summary_lines;
static char last_summary[512];

static void sink(void *ctx, enum log_level level, const char *component, const char *message)
{
	(void)ctx;
	(void)level;
	(void)component;
	if (strstr(message, "Management login failed"))
		failed_lines++;
	if (strstr(message, "failed management logins from")) {
		summary_lines++;
		snprintf(last_summary, sizeof last_summary, "%s", message);
	}
}

/* A login from peer at now that is checked at its turn and fails. */
static int64_t fail(const char *peer, int64_t now)
{
	int64_t at = mgmt_guard_slot(peer, now);
	if (at >= 0)
		mgmt_guard_failed(peer, "ops", at > now, at);
	return at;
}

int main(void)
{
	struct loop *l = loop_new();
	log_set_sink(sink, NULL);
	mgmt_guard_start(l, 100);

	is(fail("127.0.0.1:1", 0), 0, "an address that never failed is checked at once");
	is(fail("127.0.0.1:2", 10), 10, "a second try too");
	is(fail("127.0.0.1:3", 20), 20, "and a third");
	is(mgmt_guard_slot("127.0.0.1:4", 30), 120,
	   "the fourth waits loginFailureDelay after the third failure");
	is(mgmt_guard_slot("127.0.0.1:5", 30), 320,
	   "another at the same time waits behind it, twice as long");
	is(mgmt_guard_slot("127.0.0.1:6", 30), 720, "and the next four times as long");
	is(mgmt_guard_slot("10.0.0.7:1", 30), 30, "another address is not held up");
	is(mgmt_guard_slot("unix uid 0", 30), 30, "nor the unix socket's uid");

	int taken = 0;
	while (mgmt_guard_slot("127.0.0.1:7", 50) >= 0)
		taken++;
	is(taken, 6, "turns are taken until the next is more than a minute away (delays cap at 30 s)");
	is(mgmt_guard_slot("127.0.0.1:8", 50), -1, "then a login is refused at once");

	is(failed_lines, 1, "the first failure of an address is logged");
	is(summary_lines, 0, "the others wait for the summary");
	mgmt_guard_stop();
	is(summary_lines, 1, "which the stop says");
	if (!ok(strstr(last_summary, "2 failed management logins from 127.0.0.1 in the last") &&
		strstr(last_summary, "2 refused unchecked"),
		"the summary counts the failures after the first and the logins refused"))
		printf("#   %s\n", last_summary);

	is(mgmt_guard_slot("127.0.0.1:9", 100000), 100000,
	   "once its last turn has passed, an address is checked at once again");
	is(mgmt_guard_slot("127.0.0.1:9", 100000 + 600001), 100000 + 600001,
	   "and after ten quiet minutes it starts over");
	is(fail("127.0.0.1:9", 700002), 700002, "... its first failure free again");
	is(failed_lines, 2, "... and logged again");

	log_set_sink(NULL, NULL);
	loop_free(l);
	return done_testing();
}
