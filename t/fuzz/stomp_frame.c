/*
 * stomp_frame.c - fuzz harness: the STOMP frame parser (broker/common/stomp_frame.c).
 *
 * The first byte chooses the protocol version (its low two bits) and how
 * the rest is cut into the pieces the parser is fed (the other bits), since
 * the parser must give the same frames for any chunking. Every frame of a
 * 1.2 session (CONNECT aside, which is never escaped) must come back the
 * same after the encoder writes it and a new parser reads it: what the
 * broker receives is what it can send on.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stomp_frame.h"

#define MAX_FRAME 8192

static void broken(const char *what)
{
	fprintf(stderr, "stomp_frame harness: %s\n", what);
	abort();
}

static bool never_escaped(const char *command)
{
	return !strcmp(command, "CONNECT") || !strcmp(command, "STOMP") ||
	       !strcmp(command, "CONNECTED");
}

/* content-length is the encoder's to write (from the body's length). */
static bool is_length(const struct header *h)
{
	return !strcmp(h->name, "content-length");
}

/* The next header from *i on that is not content-length, or NULL. */
static const struct header *next_header(const struct stomp_frame *f, size_t *i)
{
	while (*i < f->nheaders && is_length(&f->headers[*i]))
		(*i)++;
	return *i < f->nheaders ? &f->headers[(*i)++] : NULL;
}

static void same_frame(const struct stomp_frame *a, const struct stomp_frame *b)
{
	if (strcmp(a->command, b->command) || a->body_len != b->body_len ||
	    memcmp(a->body, b->body, a->body_len))
		broken("a frame read back differs (command or body)");
	size_t i = 0, j = 0;
	const struct header *x, *y;
	do {
		x = next_header(a, &i);
		y = next_header(b, &j);
		if (!x != !y || (x && (strcmp(x->name, y->name) || strcmp(x->value, y->value))))
			broken("a header read back differs");
	} while (x);
}

/* Writes f for a 1.2 session and reads it back. */
static void round_trip(const struct stomp_frame *f)
{
	struct buf out = { 0 };
	int rc = stomp_put_command(&out, f->command);
	for (size_t i = 0; i < f->nheaders; i++)
		if (!is_length(&f->headers[i]))
			rc |= stomp_put_header(&out, STOMP_V12, f->headers[i].name,
					       f->headers[i].value);
	rc |= stomp_put_body(&out, f->body, f->body_len, 0);
	if (rc < 0) {
		buf_free(&out);
		return;
	}
	struct stomp_parser *p = stomp_parser_new(4 * MAX_FRAME + 64);
	stomp_parser_set_version(p, STOMP_V12);
	struct stomp_frame *back = NULL;
	const char *err = NULL;
	ssize_t used = stomp_parser_feed(p, out.data + out.off, buf_len(&out), &back, &err);
	if (used != (ssize_t)buf_len(&out) || !back) {
		fprintf(stderr, "%s\n", err ? err : "no frame");
		broken("what the encoder wrote does not parse back as one frame");
	}
	same_frame(f, back);
	stomp_frame_free(back);
	stomp_parser_free(p);
	buf_free(&out);
}

static void check(const struct stomp_frame *f, int version)
{
	if (!f->command || !*f->command || !f->body || f->body[f->body_len] != '\0')
		broken("a frame without command or terminated body");
	for (size_t i = 0; i < f->nheaders; i++)
		if (!f->headers[i].name || !f->headers[i].value)
			broken("a header without name or value");
	/* A command is written as it is: one ending in CR (an unknown
	 * command) reads back without it. */
	if (version == STOMP_V12 && !never_escaped(f->command) && !strchr(f->command, '\r'))
		round_trip(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const int versions[] = { STOMP_V10, STOMP_V11, STOMP_V12, STOMP_V12 };
	int version = versions[data[0] & 3];
	size_t chunk = data[0] >> 2 ? data[0] >> 2 : size;
	const char *in = (const char *)data + 1;
	size_t len = size - 1, off = 0;

	struct stomp_parser *p = stomp_parser_new(MAX_FRAME);
	if (!p)
		return 0;
	stomp_parser_set_version(p, version);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		struct stomp_frame *f = NULL;
		const char *err = NULL;
		ssize_t used = stomp_parser_feed(p, in + off, n, &f, &err);
		if (used < 0) {
			if (!err)
				broken("an error without a reason");
			break;
		}
		if ((size_t)used > n || (!used && !f))
			broken("the parser neither used bytes nor gave a frame");
		off += (size_t)used;
		if (f) {
			check(f, version);
			stomp_frame_free(f);
		}
	}
	stomp_parser_free(p);
	return 0;
}
