/*
 * ctl_load_send.c - one producer client of `tandemctl producer`.
 *
 * Messages go out in sequence; every --receipt-every-th asks for a
 * RECEIPT and waits for it. A RECEIPT answers for everything sent before
 * it on the connection: the broker handles a connection's frames in order
 * and answers a receipt once all that came before is durable. So the
 * messages since the last RECEIPT are the only ones in doubt, and when the
 * connection breaks they are all sent again on the next one: a message
 * may arrive twice (its RECEIPT was lost), never not at all.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_load.h"

/* Holds a producer to its share of --rate: message i is due at
 * start + i / rate. */
static void pace(const struct load *l, int64_t start_us, long i)
{
	if (!l->rate)
		return;
	double per_client = (double)l->rate / (double)l->parallel;
	int64_t due = start_us + (int64_t)((double)i * 1e6 / per_client);
	int64_t wait = due - load_wall_us();
	if (wait > 0) {
		struct timespec ts = { wait / 1000000, (wait % 1000000) * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Sends message i (1-based) of this client, asking for RECEIPT rid
 * when rid is non-NULL; *sent_us is its send time. */
static int send_one(struct worker *w, struct stomp_client *s, char *body, long i, const char *rid,
		    int64_t *sent_us)
{
	const struct load *l = w->load;
	const char *const headers[] = {
		"destination", l->dest, "persistent", l->persistent ? "true" : "false",
		rid ? "receipt" : NULL, rid, NULL,
	};
	*sent_us = load_wall_us();
	int n = snprintf(body, (size_t)l->size, "%ld %" PRId64 " ", w->index * l->count + i, *sent_us);
	body[n] = 'x';	/* snprintf's NUL: the body goes on */
	return stomp_client_frame(s, "SEND", headers, body, (size_t)l->size);
}

int load_produce(struct worker *w, struct stomp_client *s)
{
	struct load *l = w->load;
	char *body = malloc((size_t)l->size);
	if (!body) {
		snprintf(w->err, sizeof w->err, "out of memory");
		return -1;
	}
	memset(body, 'x', (size_t)l->size);
	int64_t start = load_wall_us();
	long base = w->index * l->count;
	long first = 1;		/* the first message no RECEIPT has answered for */
	long high = 0;		/* the last message sent at least once */
	for (long i = 1; i <= l->count;) {
		char rid[32];
		bool want = (l->receipt_every && i % l->receipt_every == 0) || i == l->count;
		int64_t sent;
		snprintf(rid, sizeof rid, "r%ld", i);
		if (i > high)
			pace(l, start, i - 1);
		int r = send_one(w, s, body, i, want ? rid : NULL, &sent);
		if (!w->first_us)
			w->first_us = sent;
		if (r == 0 && i > high) {
			high = i;
			w->done++;
		} else if (r == 0) {
			w->resent++;
		}
		if (r == 0 && want && (r = stomp_client_receipt(s, rid, l->timeout_ms)) == 0) {
			w->last_us = load_wall_us();
			load_sample(w, w->last_us - sent);
			load_record(l, base + first, base + i);
			w->receipted += i - first + 1;
			first = i + 1;
		}
		if (r == 0) {
			i++;
			continue;
		}
		if (!stomp_client_broken(s) || stomp_client_reconnect(s) < 0) {
			snprintf(w->err, sizeof w->err, "%s: %s", stomp_client_addr(s),
				 stomp_client_error(s));
			free(body);
			return -1;
		}
		w->reconnects++;
		i = first;	/* everything in doubt, again */
	}
	free(body);
	return 0;
}
