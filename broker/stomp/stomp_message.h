/*
 * stomp_message.h - a core message as the MESSAGE frame a subscriber
 * gets.
 *
 * A topic message goes to every subscriber, and most of its frame (the
 * message's own headers and the body) is the same for all of them: that
 * part is encoded once per message and kept with it (message_cache) for
 * the next subscriber, so a fan-out costs a copy per subscriber, not an
 * encoding.
 */
#ifndef TANDEM_STOMP_MESSAGE_H
#define TANDEM_STOMP_MESSAGE_H

#include "buf.h"
#include "queue.h"

struct conn;

/* Appends the MESSAGE frame of e (e->msg as delivery e->delivery_id) for
 * subscription `sub_id` on connection c, which speaks STOMP `version`.
 * 0, or -1 when memory runs out (out left as it was). */
int stomp_put_message(struct buf *out, const struct conn *c, int version, const char *sub_id,
		      const struct qentry *e);

#endif
