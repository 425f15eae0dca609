/*
 * stomp_dest.h - STOMP destination headers, read and written as ActiveMQ
 * 5.17 does (its LegacyFrameTranslator).
 *
 * Read: /queue/NAME and /topic/NAME; a connection's own temporary
 * destinations /temp-queue/NAME and /temp-topic/NAME; anyone's by its real
 * name, /remote-temp-queue/REAL and /remote-temp-topic/REAL (reply-to
 * headers carry these); and anything else is the queue of that name,
 * prefix and all ("orders", "/exchange/x"), where Tandem once refused it.
 * Spaces around the header and the name are trimmed, as ActiveMQ's
 * destination names are.
 *
 * Written (MESSAGE's destination and reply-to headers): /queue/NAME or
 * /topic/NAME, whatever the sender wrote; a temporary destination as its
 * own connection named it, and by its real name to anyone else.
 *
 * Composite destinations (a comma-separated list) are not read: the comma
 * is part of the name.
 */
#ifndef TANDEM_STOMP_DEST_H
#define TANDEM_STOMP_DEST_H

#include <stddef.h>

#include "message.h"

struct conn;

/* Longest destination name Tandem takes (the part after the prefix). */
#define STOMP_DEST_NAME_MAX 512

enum stomp_dest_scope {
	STOMP_DEST_NAMED,	/* /queue/, /topic/, a bare name, /remote-temp-... */
	STOMP_DEST_TEMP,	/* /temp-queue/, /temp-topic/: the connection's own */
};

struct stomp_dest {
	enum dest_type type;
	enum stomp_dest_scope scope;
	const char *name;	/* the trimmed name, in the caller's buffer */
};

/* Reads a destination header (not NULL). 0, or -1 with the ERROR's
 * message header in *why (a row of stomp_error.c) and its text in err.
 * buf takes the name: STOMP_DEST_NAME_MAX + 1 bytes are enough. */
int stomp_dest_parse(const char *header, struct stomp_dest *d, char *buf, size_t buflen,
		     const char **why, char *err, size_t errlen);

/* MESSAGE's destination header for (type, name) delivered on c. */
void stomp_dest_format(const struct conn *c, enum dest_type type, const char *name, char *out,
		       size_t outlen);

/* A reply-to header's value as delivered on c: c's own temporary
 * destination as c named it (a SEND's reply-to was rewritten to
 * /remote-temp-queue/REAL for everyone else), anything else as it is.
 * Returns value or out. */
const char *stomp_dest_reply_to(const struct conn *c, const char *value, char *out,
				size_t outlen);

#endif
