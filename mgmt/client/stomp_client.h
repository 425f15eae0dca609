/*
 * stomp_client.h - a small blocking STOMP 1.2 client for tandemctl's
 * consume and load generators.
 *
 * Frames are written and parsed with the broker's own stomp_frame code;
 * sockets come from net.h, so a broker that stops answering is a timeout,
 * never a hang. One client per thread.
 *
 * A client connects through a URI (failover.h): a plain address, or a
 * failover list, through which a broken connection can be opened again
 * (stomp_client_reconnect). The client sends its subscriptions again on
 * the new connection; what else was in flight on the old one (sends
 * without their RECEIPT, ACKs) is the caller's to replay.
 */
#ifndef TANDEM_STOMP_CLIENT_H
#define TANDEM_STOMP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "stomp_frame.h"

struct stomp_client;

struct stomp_client_config {
	const char *uri;		/* HOST:PORT, tcp://, stomp:// or failover: */
	const char *user, *password;	/* CONNECT's login when user is non-NULL */
	int timeout_ms;			/* bounds each connect attempt and each answer */
	int wait_ms;			/* bounds a whole (re)connection through a failover
					 * list whose timeout= is -1 (the default) */
};

/* Connects through cfg->uri and sends CONNECT; waits for CONNECTED. The
 * strings of cfg are borrowed for the client's life. NULL with a reason
 * in err (a URI that does not parse is one). */
struct stomp_client *stomp_client_open(const struct stomp_client_config *cfg, char *err,
				       size_t errlen);
/* Sends DISCONNECT (best effort) and frees everything. */
void stomp_client_close(struct stomp_client *c);
const char *stomp_client_error(const struct stomp_client *c);

/* True when the last failure was the connection's (closed, reset, a write
 * or a RECEIPT that timed out, garbage from the broker): reconnecting may
 * help. An ERROR frame is the broker's answer, not a broken connection. */
bool stomp_client_broken(const struct stomp_client *c);
/* Opens a new connection through the URI's list (the old one is dropped,
 * with whatever it had unread) and subscribes again to every SUBSCRIBE
 * sent without its UNSUBSCRIBE. 0, or -1 with the reason in the error:
 * a plain address does not reconnect, nor does maxReconnectAttempts=0. */
int stomp_client_reconnect(struct stomp_client *c);
/* The address ("HOST:PORT") of the latest connection (it may have
 * broken since), and the reconnections so far. */
const char *stomp_client_addr(const struct stomp_client *c);
long stomp_client_reconnects(const struct stomp_client *c);

/* Sends a frame. headers is a NULL-terminated list of name, value pairs
 * (borrowed); body may be NULL. 0, or -1 with the reason in the error. */
int stomp_client_frame(struct stomp_client *c, const char *command, const char *const *headers,
		       const char *body, size_t body_len);

/* The next frame within timeout_ms: the caller frees it with
 * stomp_frame_free. NULL on timeout (*timed_out set) or on an error (the
 * reason in the error; an ERROR frame's message is one). */
struct stomp_frame *stomp_client_next(struct stomp_client *c, int timeout_ms, int *timed_out);

/* Waits for the RECEIPT of `id` (frames before it are dropped). 0 or -1;
 * a RECEIPT that does not come in time leaves the connection broken: what
 * was sent on it is in doubt. */
int stomp_client_receipt(struct stomp_client *c, const char *id, int timeout_ms);

#endif
