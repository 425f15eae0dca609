/*
 * ctl_load_recv.c - one consumer client of `tandemctl consumer`.
 *
 * It subscribes, takes messages until its count (or, with count 0, until
 * none came for --timeout) and, when the connection breaks, reconnects
 * through its URI (the client subscribes again by itself). With client acks, what it took
 * but had not acknowledged comes back from the broker (marked
 * redelivered): the sequence file then shows it twice, which is the
 * truth of what the application saw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_load.h"

static int subscribe(const struct load *l, struct stomp_client *s)
{
	const char *const sub[] = { "id", "1", "destination", l->dest,
				    "ack", l->client_ack ? "client" : "auto", NULL };
	return stomp_client_frame(s, "SUBSCRIBE", sub, NULL, 0);
}

/* After a broken connection, a new one (subscribed again by the client):
 * 0, or -1 when the client gave up or the failure was not the
 * connection's (an ERROR frame). */
static int resume(struct worker *w, struct stomp_client *s)
{
	if (!stomp_client_broken(s) || stomp_client_reconnect(s) < 0)
		return -1;
	w->reconnects++;
	return 0;
}

/* Takes one MESSAGE into the counts and the sequence file. */
static void take(struct worker *w, const struct stomp_frame *f)
{
	long seq;
	int64_t sent;
	int n = sscanf(f->body, "%ld %" SCNd64, &seq, &sent);
	if (n == 2)
		load_sample(w, load_wall_us() - sent);
	/* With the message id: a number under two ids was sent twice, under
	 * one id it was delivered twice. */
	const char *id = stomp_frame_header(f, "message-id");
	char line[320];
	if (n >= 1)
		snprintf(line, sizeof line, "%ld %s", seq, id ? id : "-");
	else
		snprintf(line, sizeof line, "- %s", id ? id : "-");
	load_record_text(w->load, line);
	const char *redelivered = stomp_frame_header(f, "redelivered");
	w->redelivered += redelivered && !strcmp(redelivered, "true");
	w->done++;
}

int load_consume(struct worker *w, struct stomp_client *s)
{
	const struct load *l = w->load;
	int r = subscribe(l, s);
	if (r < 0)
		r = resume(w, s);
	while (r == 0 && (l->count == 0 || w->done < l->count)) {
		int timed_out;
		struct stomp_frame *f = stomp_client_next(s, l->timeout_ms, &timed_out);
		if (!f && timed_out && l->count == 0)
			return 0;	/* drained */
		if (!f && timed_out) {
			snprintf(w->err, sizeof w->err, "%s: %ld of %ld message(s) came, then none for %.1fs",
				 stomp_client_addr(s), w->done, l->count, (double)l->timeout_ms / 1000);
			return -1;
		}
		if (!f) {
			r = resume(w, s);
			continue;
		}
		if (!strcmp(f->command, "MESSAGE")) {
			take(w, f);
			const char *const ack[] = { "id", stomp_frame_header(f, "ack"), NULL };
			if (l->client_ack && ack[1])
				r = stomp_client_frame(s, "ACK", ack, NULL, 0);
		}
		stomp_frame_free(f);
		if (r < 0)
			r = resume(w, s);
	}
	if (r < 0)
		snprintf(w->err, sizeof w->err, "%s: %s", stomp_client_addr(s), stomp_client_error(s));
	return r;
}
