/*
 * ctl_load_recv.c - one consumer client of `tandemctl consumer`.
 *
 * It subscribes (asking for a RECEIPT, which tells --ready that the
 * subscription is in place; messages of a backlog may come before it),
 * takes messages until its count (or, with count 0, until none came for
 * --timeout; with --total, until the node's clients took that many in
 * all) and, when the connection breaks, reconnects through its URI (the
 * client subscribes again by itself). With client acks, what it took but
 * had not acknowledged comes back from the broker (marked redelivered):
 * the sequence file then shows it twice, which is the truth of what the
 * application saw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_load.h"
#include "net.h"

#define SUB_RECEIPT "subscribed"

/* How long a client of a --total run waits at a time before it looks
 * whether the others took the last message: the end of the run is not
 * measured from this, only the process ends up to this much later. */
#define TOTAL_SLICE_MS 50

static int subscribe(struct worker *w, struct stomp_client *s)
{
	const struct load *l = w->load;
	char prefetch[24];
	snprintf(prefetch, sizeof prefetch, "%ld", l->prefetch);
	/* ActiveMQ's name for the prefetch, which Tandem takes too; without
	 * it each broker keeps its own default (1000 for a queue). */
	const char *const sub[] = { "id", "1", "destination", l->dest,
				    "ack", l->client_ack ? "client" : "auto", "receipt", SUB_RECEIPT,
				    l->prefetch ? "activemq.prefetchSize" : NULL, prefetch, NULL };
	w->sub_us = load_wall_us();
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
	int64_t sent, now = load_wall_us();
	int n = sscanf(f->body, "%ld %" SCNd64, &seq, &sent);
	if (n == 2) {
		load_sample(w, now - sent);
		if (!w->first_us || sent < w->first_us)
			w->first_us = sent;
	}
	w->last_us = now;
	atomic_fetch_add(&w->load->taken, 1);
	atomic_store(&w->load->last_ms, net_now_ms());
	/* With the message id: a number under two ids was sent twice, under
	 * one id it was delivered twice. */
	const char *id = stomp_frame_header(f, "message-id");
	char line[320];
	if (w->load->seq_file && n >= 1)
		snprintf(line, sizeof line, "%ld %s", seq, id ? id : "-");
	else if (w->load->seq_file)
		snprintf(line, sizeof line, "- %s", id ? id : "-");
	load_record_text(w->load, line);
	const char *redelivered = stomp_frame_header(f, "redelivered");
	w->redelivered += redelivered && !strcmp(redelivered, "true");
	w->done++;
}

/* This client is done: its count, or the run's --total. */
static bool finished(const struct worker *w)
{
	struct load *l = w->load;
	if (l->total)
		return atomic_load(&l->taken) >= l->total;
	return l->count && w->done >= l->count;
}

/* No frame came in the wait: 1 to wait again, 0 when the client is done
 * (a --total run idle for --timeout ends quietly: the run reports it,
 * once, for all its clients), -1 when it failed. */
static int waited(struct worker *w, struct stomp_client *s)
{
	struct load *l = w->load;
	if (l->total)
		return net_now_ms() - atomic_load(&l->last_ms) < l->timeout_ms;
	if (l->count == 0)
		return 0;	/* drained */
	snprintf(w->err, sizeof w->err, "%s: %ld of %ld message(s) came, then none for %.1fs",
		 stomp_client_addr(s), w->done, l->count, (double)l->timeout_ms / 1000);
	return -1;
}

int load_consume(struct worker *w, struct stomp_client *s)
{
	struct load *l = w->load;
	bool subscribed = false;
	int r = subscribe(w, s);
	if (r < 0)
		r = resume(w, s);
	while (r == 0 && !finished(w)) {
		int timed_out;
		struct stomp_frame *f =
			stomp_client_next(s, l->total ? TOTAL_SLICE_MS : l->timeout_ms, &timed_out);
		if (!f && timed_out) {
			int again = waited(w, s);
			if (again == 1)
				continue;
			return again;
		}
		if (!f) {
			r = resume(w, s);
			continue;
		}
		const char *rid = stomp_frame_header(f, "receipt-id");
		if (!strcmp(f->command, "RECEIPT") && rid && !strcmp(rid, SUB_RECEIPT) && !subscribed) {
			subscribed = true;	/* again after a reconnection: no news */
			load_subscribed(l);
		} else if (!strcmp(f->command, "MESSAGE")) {
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
