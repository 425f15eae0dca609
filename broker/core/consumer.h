/*
 * consumer.h - a subscription of one client, as the broker core sees it.
 *
 * Protocol handlers create consumers with consumer_open(), giving a small
 * table of callbacks: deliver() writes one message to the client, and
 * writable() says whether its connection can take more right now. The core
 * binds the consumer to every queue it reads from (one for /queue/NAME, all
 * matching ones for a wildcard, a private one for a topic subscriber, the
 * subscription's for a durable subscriber) and calls deliver() as messages
 * become available, within the prefetch limit.
 */
#ifndef TANDEM_CONSUMER_H
#define TANDEM_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"
#include "queue.h"

enum ack_mode { ACK_AUTO, ACK_CLIENT, ACK_CLIENT_INDIVIDUAL };

struct conn;
struct consumer;

struct consumer_ops {
	/* Sends e->msg to the client. e->redeliveries > 0 means redelivered.
	 * 0, or -1 when it could not (the entry stays pending). */
	int (*deliver)(struct consumer *c, struct qentry *e);
	/* The client can take another message now. */
	bool (*writable)(struct consumer *c);
	/* Optional: whether it takes m at all, besides its selector (a
	 * network bridge does not send a message back where it came from). */
	bool (*wants)(const struct consumer *c, const struct message *m);
};

struct consumer_spec {
	enum dest_type type;
	const char *dest;		/* may hold wildcards */
	const char *selector;		/* NULL for none */
	enum ack_mode ack;
	unsigned prefetch;		/* in-flight bound for client acks */
	int priority;			/* activemq.priority; default 0 */
	const char *client_id;		/* for durable subscriptions */
	const char *durable_name;	/* non-NULL: a durable topic subscription */
	struct conn *conn;		/* whose it is (management); may be NULL */
	const char *id;			/* the protocol's subscription id */
	bool network;			/* a bridge to another broker, not a client */
	/* OpenWire's consumer.exclusive: of the exclusive consumers of a
	 * queue, one (queue.c exclusive_owner) gets every message. */
	bool exclusive;
	/* JMS noLocal: nothing its own connection published. */
	bool no_local;
	/* With prefetch 0: no bound but the protocol's writable() (OpenWire's
	 * MessagePull asks for each message). */
	bool pull;
};

struct consumer {
	const struct consumer_ops *ops;
	void *ctx;			/* the protocol's subscription */
	struct conn *conn;		/* for management: whose it is */
	char *id;			/* for management: the subscription id */
	uint64_t number;		/* broker-wide, for its object name */
	enum dest_type type;
	char *dest;
	struct selector *selector;
	char *selector_text;		/* as given, for management */
	enum ack_mode ack;
	unsigned prefetch;
	/* In flight beyond prefetch: what OpenWire's delivered acks allow
	 * (consumer_widen), as ActiveMQ's prefetchExtension. */
	unsigned extension;
	int priority;
	bool network;			/* see consumer_spec */
	bool exclusive, no_local, pull;	/* see consumer_spec */
	struct entry_list inflight;	/* delivery order */
	size_t ninflight;
	uint64_t dispatched, dequeued;	/* deliveries, acks: for management */
	struct binding *bindings;
	struct queue *own;		/* topic subscriber's backlog (owned) */
	struct durable *durable;	/* durable subscription in use */
	struct consumer *next, *prev;	/* broker's wildcard-queue / topic lists */
	struct consumer *all_next, *all_prev;	/* every open consumer */
};

/* Opens a consumer. On a bad spec (selector syntax, durable in use)
 * returns NULL with a client-facing reason in err. */
struct consumer *consumer_open(const struct consumer_spec *spec,
			       const struct consumer_ops *ops, void *ctx,
			       char *err, size_t errlen);
/* Every open consumer, newest first (management). */
struct consumer *consumer_first(void);

/* Closes: unacked messages go back to their queues as redelivered. */
void consumer_close(struct consumer *c);

/* The in-flight entry delivered with this id, or with this message id. */
struct qentry *consumer_find(struct consumer *c, uint64_t delivery_id,
			    const char *message_id);
/* Acks e, and with `cumulative` everything delivered before it. */
void consumer_ack(struct consumer *c, struct qentry *e, bool cumulative);
/* The store's half of consumer_ack(), queued now: a transaction's ack
 * goes to the store in its commit and takes effect in memory (the
 * consumer's room, the counters) once that commit is durable. */
void consumer_ack_store(struct consumer *c, struct qentry *e, bool cumulative);
/* A new prefetch (a client's ConsumerControl); `pull` as in
 * consumer_spec. */
void consumer_set_prefetch(struct consumer *c, unsigned prefetch, bool pull);
/* Widens (delta > 0) or narrows the window beyond prefetch, never below
 * nothing; a wider window is offered messages at the end of the
 * iteration. */
void consumer_widen(struct consumer *c, int delta);
/* An in-flight e whose expiry its client saw: counted as expired and
 * dropped (a persistent one to the DLQ), as ActiveMQ's expired ack. */
void consumer_expired(struct consumer *c, struct qentry *e);
/* Gives e back for redelivery. */
void consumer_nack(struct consumer *c, struct qentry *e);
/* A poison ack, as ActiveMQ names what its STOMP NACK sends: e leaves at
 * once for the DLQ (with `cause`), or, from a plain topic subscription,
 * is dropped, as ActiveMQ's topic subscriptions drop it. */
void consumer_poison(struct consumer *c, struct qentry *e, const char *cause);
/* Puts m (one more reference is taken) in front of this consumer alone:
 * into its topic backlog or its durable subscription, stored when
 * persistent, as a publish to it would be. For what a new subscription
 * is owed (retained messages). 0, or -1 (ENOMEM, or a queue consumer). */
int consumer_offer(struct consumer *c, struct message *m);

/* The client can take more again (its output drained). */
void consumer_wakeup(struct consumer *c);

/* Can the consumer take another message now? */
bool consumer_has_room(const struct consumer *c);
/* Is c noLocal and m from its own connection? */
bool consumer_skips_local(const struct consumer *c, const struct message *m);
/* Does m pass the consumer's selector? */
bool consumer_selects(const struct consumer *c, const struct message *m);

#endif
