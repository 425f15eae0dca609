/*
 * openwire_browse.c - QueueBrowser: a ConsumerInfo with `browser` set
 * sees the messages waiting on a queue without taking them. It is
 * answered, every waiting message its selector accepts goes out in a
 * MessageDispatch, in dispatch order (priority, then arrival), and a
 * MessageDispatch without a message marks the end, as ActiveMQ's
 * QueueBrowserSubscription does; the client's enumeration ends there.
 *
 * What is seen: the messages held in memory (queue.h's page window, 1000
 * a queue; ActiveMQ's browser sees its maxBrowsePageSize, 400 by
 * default), neither those in flight to a consumer nor those in a
 * transaction's commit. Nothing is bound: the browser's acks name no
 * consumer of the core and change nothing.
 */
#include <stdlib.h>

#include "authz.h"
#include "broker.h"
#include "message.h"
#include "message_select.h"
#include "openwire_conn.h"
#include "openwire_message.h"
#include "queue.h"
#include "selector.h"
#include "wildcard.h"

struct browse {
	struct ow_conn *oc;
	const struct ow_consumer_info *ci;
	struct selector *selector;
	int rc;
};

static void browse_one(void *ctx, struct qentry *e)
{
	struct browse *b = ctx;
	if (b->rc < 0 || e->msg->held || message_expired(e->msg, broker.now_wall) ||
	    !selector_accepts(b->selector, e->msg))
		return;
	/* broker_sequence_id names no delivery: acks of it find nothing. */
	struct ow_message *om = ow_message_from_core(e->msg, 0, e->redeliveries);
	if (!om || ow_dispatch(b->oc, b->ci->consumer_id, om) < 0)
		b->rc = -1;
}

int ow_browse(struct ow_conn *oc, const struct ow_consumer_info *ci, enum dest_type type,
	      const char *dest, const char *selector)
{
	struct browse b = { oc, ci, NULL, 0 };
	char why[200];
	if (type != DEST_QUEUE) {
		ow_refuse(oc, &ci->c, EX_DEST, "Only queues can be browsed: [%s]", dest);
		return -1;
	}
	if (selector && *selector && !(b.selector = selector_compile(selector, why, sizeof why))) {
		ow_refuse(oc, &ci->c, EX_SELECTOR, "Invalid selector '%s': %s", selector, why);
		return -1;
	}
	if (!authz_allows_use(oc->conn, false, AUTHZ_READ, DEST_QUEUE, dest, why, sizeof why)) {
		selector_free(b.selector);
		ow_refuse(oc, &ci->c, EX_SECURITY, "%s", why);
		return -1;
	}
	/* The client registered the browser before it asked: the answer
	 * first, then what it browses. */
	if (ci->c.response_required)
		ow_send_response(oc, ci->c.command_id);
	if (!dest_has_wildcard(dest)) {
		struct queue *q = broker_queue(dest, false);
		if (q)
			queue_each_pending(q, q->npending, browse_one, &b);
	} else {
		for (struct queue *q = broker.queues; q; q = q->next)
			if (dest_match(dest, q->name))
				queue_each_pending(q, q->npending, browse_one, &b);
	}
	selector_free(b.selector);
	ow_dispatch_end(oc, ci->consumer_id, ci->destination);
	return 1;
}
