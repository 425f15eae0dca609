/*
 * stomp_client.c - a blocking STOMP 1.2 client (see stomp_client.h).
 *
 * The input buffer holds bytes read but not yet fed to the parser; the
 * parser stops after each whole frame, so one read may yield many frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "stomp_client.h"

/* Bounds a frame the broker sends us; generous, only against garbage. */
#define MAX_FRAME (256u << 20)

struct stomp_client {
	int fd;
	int timeout_ms;
	struct stomp_parser *parser;
	struct buf in;
	struct buf out;
	char err[512];
};

const char *stomp_client_error(const struct stomp_client *c) { return c->err; }

int stomp_client_frame(struct stomp_client *c, const char *command, const char *const *headers,
		       const char *body, size_t body_len)
{
	int version = strcmp(command, "CONNECT") ? STOMP_V12 : STOMP_V10;
	buf_reset(&c->out);
	int r = stomp_put_command(&c->out, command);
	for (size_t i = 0; headers && headers[i] && r == 0; i += 2)
		r = stomp_put_header(&c->out, version, headers[i], headers[i + 1]);
	if (r == 0)
		r = stomp_put_body(&c->out, body, body_len, body != NULL);
	if (r < 0) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	return net_write_all(c->fd, buf_data(&c->out), buf_len(&c->out),
			     net_now_ms() + c->timeout_ms, c->err, sizeof c->err);
}

/* A frame already in the buffer, if a whole one is there. */
static int parse(struct stomp_client *c, struct stomp_frame **f)
{
	const char *why = NULL;
	ssize_t n = stomp_parser_feed(c->parser, buf_data(&c->in), buf_len(&c->in), f, &why);
	if (n < 0) {
		snprintf(c->err, sizeof c->err, "bad frame from the broker: %s", why);
		return -1;
	}
	buf_consume(&c->in, (size_t)n);
	return 0;
}

struct stomp_frame *stomp_client_next(struct stomp_client *c, int timeout_ms, int *timed_out)
{
	int64_t deadline = net_now_ms() + timeout_ms;
	*timed_out = 0;
	for (;;) {
		struct stomp_frame *f = NULL;
		if (buf_len(&c->in) && parse(c, &f) < 0)
			return NULL;
		if (f && !strcmp(f->command, "ERROR")) {
			const char *m = stomp_frame_header(f, "message");
			snprintf(c->err, sizeof c->err, "the broker sent an ERROR: %s", m ? m : f->body);
			stomp_frame_free(f);
			return NULL;
		}
		if (f)
			return f;
		char *space = buf_space(&c->in, 65536);
		if (!space) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return NULL;
		}
		ssize_t r = net_read(c->fd, space, 65536, deadline, c->err, sizeof c->err);
		if (r == 0)
			snprintf(c->err, sizeof c->err, "the broker closed the connection");
		if (r == -2)
			*timed_out = 1;
		if (r <= 0)
			return NULL;
		buf_commit(&c->in, (size_t)r);
	}
}

int stomp_client_receipt(struct stomp_client *c, const char *id, int timeout_ms)
{
	for (;;) {
		int timed_out;
		struct stomp_frame *f = stomp_client_next(c, timeout_ms, &timed_out);
		if (!f)
			return -1;
		const char *rid = stomp_frame_header(f, "receipt-id");
		int done = !strcmp(f->command, "RECEIPT") && rid && !strcmp(rid, id);
		stomp_frame_free(f);
		if (done)
			return 0;
	}
}

struct stomp_client *stomp_client_open(const char *addr, const char *user, const char *password,
				       int timeout_ms, char *err, size_t errlen)
{
	struct stomp_client *c = calloc(1, sizeof *c);
	if (!c || !(c->parser = stomp_parser_new(MAX_FRAME))) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	c->fd = net_connect(addr, timeout_ms, c->err, sizeof c->err);
	/* Without a user the list ends at the NULL in place of "login". */
	const char *const headers[] = {
		"accept-version", "1.2", "host", "localhost",
		user ? "login" : NULL, user, "passcode", password ? password : "", NULL,
	};
	struct stomp_frame *f = NULL;
	int timed_out;
	if (c->fd >= 0 && stomp_client_frame(c, "CONNECT", headers, NULL, 0) == 0)
		f = stomp_client_next(c, timeout_ms, &timed_out);
	if (f && strcmp(f->command, "CONNECTED"))
		snprintf(c->err, sizeof c->err, "expected CONNECTED, got %s", f->command);
	if (!f || strcmp(f->command, "CONNECTED")) {
		snprintf(err, errlen, "%s: %s", addr, c->err);
		stomp_frame_free(f);
		stomp_client_close(c);
		return NULL;
	}
	stomp_frame_free(f);
	stomp_parser_set_version(c->parser, STOMP_V12);
	return c;
}

void stomp_client_close(struct stomp_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		stomp_client_frame(c, "DISCONNECT", NULL, NULL, 0);
		close(c->fd);
	}
	stomp_parser_free(c->parser);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}
