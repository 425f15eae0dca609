/*
 * http_request.c - fuzz harness: the web server's requests (web/), from
 * the bytes on the wire through libmicrohttpd to our request handler,
 * the route table, the login, the CSRF check, the pages and the APIs.
 *
 * Each input is written, as it is, on a new loopback connection to the
 * web console of the broker in the harness's process (fixture.h). Our
 * code cannot be reached without libmicrohttpd's parsing in front (its
 * connection object is opaque), so this exercises both, as a client would.
 */
#include <stdint.h>

#include "fixture.h"
#include "loop.h"
#include "web.h"

/* Each input takes milliseconds of waiting: fewer of them in make check
 * (driver.c) than for the parsers. */
unsigned long fuzz_check_mutations = 1000;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loop *l = fixture_broker();
	fixture_exchange(fixture_web_port(), data, size);
	/* A request still waiting (a GET of /api/message for a message)
	 * is let go now, as when the broker stops serving; its connection
	 * then ends with the next run of the loop. */
	web_stop_serving();
	loop_run_once(l, 0);
	return 0;
}
