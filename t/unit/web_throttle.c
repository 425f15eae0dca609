/* Failed web logins per user name and address, and the growing wait
 * before the next attempt (web/throttle.c): no lockout, and no pair
 * slows down another. */
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "tap.h"
#include "throttle.h"

#define MIN 60000

/* n failures of the pair, all at time t; the wait then. */
static int64_t fail(const char *user, const char *addr, int n, int64_t t)
{
	for (int i = 0; i < n; i++)
		web_throttle_failed(user, addr, t);
	return web_throttle_wait(user, addr, t);
}

int main(void)
{
	log_set_level(LOG_ERROR);	/* its warnings are the broker's log's, not TAP's */
	static const int64_t waits[] = { 0, 0, 250, 500, 1000, 2000, 4000, 8000, 16000,
					 30000, 30000, 30000 };
	int64_t t = 1000000;
	is(web_throttle_wait("alice", "10.0.0.1:1000", t), 0, "no failure: no wait");
	for (size_t i = 0; i < sizeof waits / sizeof *waits; i++) {
		char name[80];
		snprintf(name, sizeof name, "after %zu failures the next attempt waits %lld ms",
			 i + 1, (long long)waits[i]);
		is(fail("alice", "10.0.0.1:1000", 1, t), waits[i], name);
	}
	is(web_throttle_wait("alice", "10.0.0.1:2222", t), 30000,
	   "the address's port does not matter (a new connection waits the same)");
	is(web_throttle_wait("alice", "10.0.0.1:1000", t + 10000), 20000, "the wait runs down");
	is(web_throttle_wait("alice", "10.0.0.1:1000", t + 30000), 0, "and ends: no lockout");

	is(web_throttle_wait("bob", "10.0.0.1:1000", t), 0,
	   "another user behind the same address does not wait");
	is(web_throttle_wait("alice", "10.0.0.2:1000", t), 0,
	   "the same user from another address does not wait");
	is(web_throttle_wait("alic", "10.0.0.1:1000", t), 0, "names are compared whole");

	web_throttle_passed("alice", "10.0.0.1:1000", t + 30000);
	is(web_throttle_wait("alice", "10.0.0.1:1000", t + 30000), 0, "a login starts the count again");
	is(fail("alice", "10.0.0.1:1000", 3, t + 30000), 250, "from the first free failures");

	is(fail("carol", "[::1]:5", 4, t), 500, "IPv6 addresses");
	is(web_throttle_wait("carol", "[::1]:6", t), 500, "their port does not matter either");
	is(web_throttle_wait("carol", "[::1]:6", t + 15 * MIN + 1), 0,
	   "a pair is forgotten 15 minutes after its last failure");
	is(fail("carol", "[::1]:6", 1, t + 15 * MIN + 1), 0, "and starts again from nothing");

	is(fail(NULL, "10.0.0.3:1", 3, t), 250, "a login with no user name counts as the empty name");

	web_throttle_clear();
	is(web_throttle_wait("alice", "10.0.0.1:1000", t), 0, "clear forgets every pair");
	return done_testing();
}
