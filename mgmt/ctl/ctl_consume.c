/*
 * ctl_consume.c - `tandemctl consume`: takes messages off a destination
 * over STOMP and prints them.
 *
 * Each message is acknowledged (client-individual) only after it is in
 * the output, with a prefetch of one, so messages beyond --count stay on
 * the broker instead of being dispatched to us and lost at exit. Through
 * a failover URI it follows the master of a pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "net.h"
#include "stomp_client.h"

static const struct ctl_option options[] = {
	{ "count", true, "N", "stop after N messages (default 1; 0: until --timeout passes with none)" },
	{ "selector", true, "S", "only messages matching the JMS selector S" },
	{ "timeout", true, "SEC", "give up when no message came for SEC seconds (default 10)" },
	{ "stomp", true, "URI", "the broker's STOMP address or a failover: URI (default: the node's host and its stomp:// or tcp:// connector's port)" },
	{ NULL, false, NULL, NULL },
};

static const struct ctl_column cols[] = {
	{ "node", "NODE", false, 0 }, { "id", "MESSAGE-ID", false, 0 }, { "body", "BODY", false, 0 },
};

struct consume {
	const char *dest;
	char *stomp_dest;
	const char *selector;
	long count;
	int timeout_ms;
	struct ctl_table table;
};

static json_t *message_row(const char *label, const char *dest, const struct stomp_frame *f)
{
	json_t *headers = json_object();
	for (size_t i = 0; i < f->nheaders; i++)
		if (f->headers[i].name && !json_object_get(headers, f->headers[i].name))
			json_object_set_new(headers, f->headers[i].name, json_string(f->headers[i].value));
	json_t *body = json_stringn(f->body, f->body_len);
	const char *id = stomp_frame_header(f, "message-id");
	return json_pack("{s:s, s:s, s:s?, s:o, s:o}", "node", label, "destination", dest, "id", id,
			 "headers", headers, "body", body ? body : json_string("(not UTF-8 text)"));
}

/* Reads messages until the count or the timeout; the number taken, or
 * -1 after reporting why. A broken connection is opened again through
 * the --stomp URI (the client subscribes again): the message whose ACK
 * was lost with it comes again and is printed twice. */
static long take(struct ctl *ctl, struct consume *c, struct stomp_client *s, const char *label)
{
	long got = 0;
	int r = 0;
	while (c->count == 0 || got < c->count) {
		int timed_out;
		struct stomp_frame *f = r < 0 ? NULL : stomp_client_next(s, c->timeout_ms, &timed_out);
		if (!f && r == 0 && timed_out && c->count == 0)
			break;
		if (!f && r == 0 && timed_out) {
			ctl_fail(ctl, label, CTL_FAILED, "%ld of %ld message(s) came before the timeout", got, c->count);
			return -1;
		}
		if (!f && stomp_client_broken(s) && stomp_client_reconnect(s) == 0) {
			r = 0;
			continue;
		}
		if (!f) {
			ctl_fail(ctl, label, CTL_FAILED, "%s", stomp_client_error(s));
			return -1;
		}
		const char *ack = stomp_frame_header(f, "ack");
		if (!strcmp(f->command, "MESSAGE")) {
			ctl_table_add(&c->table, message_row(label, c->dest, f));
			got++;
		}
		const char *const ack_headers[] = { "id", ack, NULL };
		r = ack && !strcmp(f->command, "MESSAGE") ?
			stomp_client_frame(s, "ACK", ack_headers, NULL, 0) : 0;
		stomp_frame_free(f);
	}
	return got;
}

static void consume_at(struct ctl *ctl, const char *label, const char *addr, void *arg)
{
	struct consume *c = arg;
	char err[512];
	const struct stomp_client_config cfg = {
		.uri = addr, .user = ctl->user, .password = ctl->password,
		.timeout_ms = ctl->timeout_ms, .wait_ms = c->timeout_ms,
	};
	struct stomp_client *s = stomp_client_open(&cfg, err, sizeof err);
	if (!s) {
		ctl_fail(ctl, label, CTL_UNREACHABLE, "%s", err);
		return;
	}
	const char *const sub[] = {
		"id", "1", "destination", c->stomp_dest, "ack", "client-individual",
		"activemq.prefetchSize", "1", c->selector ? "selector" : NULL, c->selector, NULL,
	};
	/* A SUBSCRIBE that did not go out is sent again by a reconnection. */
	stomp_client_frame(s, "SUBSCRIBE", sub, NULL, 0);
	take(ctl, c, s, label);
	stomp_client_close(s);
}

static int run(struct ctl *ctl, struct ctl_args *a)
{
	struct consume c = { .selector = ctl_opt(a, "selector") };
	if (a->argc != 1)
		return ctl_usage(a, "expected one destination");
	long secs;
	const char *stomp;
	if (ctl_opt_long(a, "count", 1, 0, 1000000000, &c.count) < 0 ||
	    ctl_opt_long(a, "timeout", 10, 1, 86400, &secs) < 0 || ctl_stomp_option(a, &stomp) < 0)
		return -1;
	c.timeout_ms = (int)secs * 1000;
	c.dest = a->argv[0];
	c.stomp_dest = ctl_stomp_dest(c.dest);
	ctl_table_init(&c.table, cols, sizeof cols / sizeof cols[0]);
	ctl_each_stomp(ctl, stomp, consume_at, &c);
	ctl_table_print(&c.table, ctl->json);
	free(c.stomp_dest);
	return 0;
}

const struct ctl_command ctl_cmd_consume = {
	"consume", run, "DEST [--count N] [--selector S] [--timeout SEC] [--stomp URI]",
	"takes messages off a destination over STOMP and prints them", options, CTL_SLAVE_REFUSED,
};
