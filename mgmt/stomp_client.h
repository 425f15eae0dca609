/*
 * stomp_client.h - a small blocking STOMP 1.2 client for tandemctl's
 * consume and load generators.
 *
 * Frames are written and parsed with the broker's own stomp_frame code;
 * sockets come from net.h, so a broker that stops answering is a timeout,
 * never a hang. One client per thread.
 */
#ifndef TANDEM_STOMP_CLIENT_H
#define TANDEM_STOMP_CLIENT_H

#include <stddef.h>

#include "stomp_frame.h"

struct stomp_client;

/* Connects to addr ("HOST:PORT") and sends CONNECT (login when user is
 * non-NULL); waits for CONNECTED. NULL with a reason in err. */
struct stomp_client *stomp_client_open(const char *addr, const char *user, const char *password,
				       int timeout_ms, char *err, size_t errlen);
/* Sends DISCONNECT (best effort) and frees everything. */
void stomp_client_close(struct stomp_client *c);
const char *stomp_client_error(const struct stomp_client *c);

/* Sends a frame. headers is a NULL-terminated list of name, value pairs
 * (borrowed); body may be NULL. 0, or -1 with the reason in the error. */
int stomp_client_frame(struct stomp_client *c, const char *command, const char *const *headers,
		       const char *body, size_t body_len);

/* The next frame within timeout_ms: the caller frees it with
 * stomp_frame_free. NULL on timeout (*timed_out set) or on an error (the
 * reason in the error; an ERROR frame's message is one). */
struct stomp_frame *stomp_client_next(struct stomp_client *c, int timeout_ms, int *timed_out);

/* Waits for the RECEIPT of `id` (frames before it are dropped). 0 or -1. */
int stomp_client_receipt(struct stomp_client *c, const char *id, int timeout_ms);

#endif
