/*
 * proto.h - what a protocol handler offers the transport layer.
 *
 * A protocol is a small table of functions. The connector keeps a table of
 * them (protocols.c): for a tcp:// connector each row's detect() looks at
 * the first bytes of a new connection; stomp:// and mqtt:// connectors pick
 * their row by name. Adding a protocol is adding a file and a row.
 */
#ifndef TANDEM_PROTO_H
#define TANDEM_PROTO_H

#include <stddef.h>

struct conn;
struct store;

struct proto {
	const char *name;	/* "stomp", "mqtt", ... as in connector URIs */
	const char *label;	/* for log lines: "STOMP", "MQTT" */
	/* Looks at the first bytes of a connection: 1 it is this protocol,
	 * 0 it is not, -1 too few bytes to tell. */
	int (*detect)(const char *data, size_t len);
	/* NULL for a protocol recognised but not served yet. The rest may be
	 * NULL then too. */
	int (*open)(struct conn *c);		/* set up c->state; 0 or -1 */
	void (*on_data)(struct conn *c);	/* bytes waiting in c->in */
	void (*on_drain)(struct conn *c);	/* output fell below the high mark */
	void (*close)(struct conn *c);		/* release c->state; called once */
	/* Optional: the store was opened (the lock is ours), its messages
	 * loaded: restore what the protocol keeps there. 0 or -1 (logged). */
	int (*load)(struct store *st);
	/* Optional: the broker stops serving (shutdown, lost lock) after
	 * closing every connection: forget state kept between connections. */
	void (*stop)(void);
	/* Optional: bytes the protocol holds of frames not complete yet (its
	 * parser's), counted with the connection's input in memoryUsage. */
	size_t (*buffered)(const struct conn *c);
};

/* The protocols this build knows, in detection order; NULL-terminated. */
extern const struct proto *const protocols[];

/* The row called `name`, or NULL. */
const struct proto *proto_find(const char *name);

#endif
