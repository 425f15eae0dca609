/*
 * mgmt_json.c - fuzz harness: management requests (mgmt/server/jolokia.c over
 * the model, mgmt/model*.c) as the management socket reads them: lines of
 * JSON, each a request object or an array of them, answered in order.
 *
 * A broker runs in the harness's process (fixture.h) with queues,
 * messages and a topic, so reads, searches, lists, writes and operations
 * (purge, remove, send, browse, pause...) meet real objects. Requests
 * that change the broker do so for the inputs after them too, as they
 * would on a live broker; "stop" only asks the loop to stop, which the
 * harness does not heed (it drives the loop one iteration at a time).
 * Each request is asked twice: as a read-only stranger (the refusals)
 * and as the broker's own uid (everything).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz.h"
#include "fixture.h"
#include "jolokia.h"
#include "loop.h"

static void answer_as(json_t *req, enum authz_level level)
{
	const struct authz_who who = { .user = "fuzz", .peer = "fuzz", .level = level };
	json_t *resp = jolokia_request(req, &who);
	char *text = json_dumps(resp, JSON_COMPACT);
	if (getenv("FUZZ_SHOW"))	/* to see what a corpus file reaches */
		fprintf(stderr, "%.300s\n", text ? text : "(null)");
	free(text);
	json_decref(resp);
}

static void answer(json_t *req)
{
	answer_as(req, AUTHZ_READ_ONLY);
	answer_as(req, AUTHZ_ALL);
}

static void line(const char *s, size_t len)
{
	json_error_t err;
	json_t *req = json_loadb(s, len, JSON_DECODE_ANY, &err);
	if (!req)
		return;
	if (json_is_array(req)) {
		size_t i;
		json_t *one;
		json_array_foreach(req, i, one)
			answer(one);
	} else {
		answer(req);
	}
	json_decref(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loop *l = fixture_broker();
	const char *s = (const char *)data, *end = s + size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		line(s, len);
		s += len + 1;
	}
	/* What the requests queued (dispatch, expiry) runs as it would
	 * before the loop sleeps. */
	loop_run_once(l, 0);
	return 0;
}
