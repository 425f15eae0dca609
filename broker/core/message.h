/*
 * message.h - an immutable, reference-counted message.
 *
 * One message object is shared by every queue entry and subscription that
 * holds it (a topic fan-out shares one body among all subscribers), so
 * nothing may change a message after message_new() returns it. Protocols
 * translate their frames into messages and back; the broker core and the
 * store see only this type.
 */
#ifndef TANDEM_MESSAGE_H
#define TANDEM_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "header.h"

enum dest_type { DEST_QUEUE = 0, DEST_TOPIC = 1 };

#define MSG_PRIORITY_DEFAULT 4
#define MSG_PRIORITY_MAX 9

struct message {
	int refs;
	uint64_t seq;		/* store key; assigned by store_add_message() */
	char *id;		/* message-id, unique per broker */
	enum dest_type dest_type;
	char *dest;		/* destination name without /queue/ or /topic/ */
	struct header *headers;	/* application headers, in arrival order */
	size_t nheaders;
	char *body;		/* NUL-terminated for convenience; may hold NULs */
	size_t body_len;
	size_t cost;		/* what it takes in memory (flow.h), set at creation */
	bool persistent;
	bool packed;		/* id, dest, headers and body share its block */
	uint8_t priority;	/* 0..9, higher first */
	int64_t expires;	/* ms since the epoch; 0 never */
	int64_t timestamp;	/* ms since the epoch, when the broker took it */
	/* Deliveries before it came into this broker (ActiveMQ's
	 * redeliveryCounter, kept by a KahaDB import): its entries start
	 * counting redeliveries from there. Stored. */
	uint32_t redeliveries;
	/* Whose producer audit its id went into when the broker took it
	 * (producer_audit.h's who: a client login's own ids, a bridge
	 * login's), NULL for none: stored with it, so that a master that takes over files
	 * the id in that audit again and in no other. Set by broker_publish
	 * before the message is stored, never after; malloc'ed, freed with
	 * the message. */
	char *audit;
	bool retained;		/* a topic's retained copy (retain.h): it goes to
				 * new subscriptions, flagged as retained */
	/* The fields that change, loop thread only; the store never reads
	 * them. held: a committing transaction's message, routed but not
	 * dispatched until its commit is durable (commit_hold.h). */
	bool held;
	/* What broker_send() counted it in, so that a send refused after
	 * it was routed (its commit failed) is taken back from exactly those
	 * (broker_route_taken_back): TotalEnqueueCount, its topic's
	 * EnqueueCount, and how many queues counted it and still keep it. A
	 * DLQ or retained copy was counted in none of them. */
	bool counted, counted_topic;
	uint32_t routes;
	/* A protocol's encoding of the message, kept for the next subscriber
	 * of a fan-out (struct message_cache); freed with the message. */
	struct message_cache *cache;
	/* The id (conn.h) of the connection that published it, 0 for the
	 * broker's own and for messages read back from the store: what a
	 * noLocal subscriber skips. */
	uint64_t origin;
	/* Queue entries and transactions holding it now (queue.c, txn.c).
	 * While there are none, the message is held only by someone else (a
	 * store write not done yet, a protocol) and counts in
	 * message_unqueued_bytes(). */
	uint32_t entries;
};

/* What a protocol keeps of a message it encodes for many subscribers: it
 * embeds this first in its own struct, and the core calls release() when
 * the message goes (or the protocol drops it with message_drop_cache). */
struct message_cache {
	const void *owner;	/* which protocol's */
	void (*release)(struct message_cache *c);
};

/* Builds a message with one reference. Takes ownership of `id`, `dest`,
 * `headers` (and its strings) and `body` (malloc'ed, body_len + 1 bytes,
 * NUL-terminated) whatever the outcome. NULL when memory runs out. */
struct message *message_new_take(char *id, enum dest_type type, char *dest,
				 struct header *headers, size_t nheaders,
				 char *body, size_t body_len);

/* The same with copies of id, dest, headers and body made in the
 * message's own block: one malloc and one free per message instead of
 * six, for producers of many small messages (MQTT PUBLISH). The caller
 * keeps what it passed. NULL when memory runs out. */
struct message *message_new_packed(const char *id, enum dest_type type, const char *dest,
				   const struct header *headers, size_t nheaders,
				   const char *body, size_t body_len);

struct message *message_ref(struct message *m);
void message_unref(struct message *m);

/* A queue entry or a transaction starts or stops holding m. */
void message_entry_added(struct message *m);
void message_entry_removed(struct message *m);
/* Bytes (their cost) of the live messages that no queue entry holds:
 * what the memory limits must count besides the queues' entries (flow.h).
 * Without it, 37,000 non-persistent 10 KB messages waiting for the temp
 * store's writer held 380 MB under a 32 MB memoryUsage. */
long long message_unqueued_bytes(void);

/* Releases m's cache, if it has one. */
void message_drop_cache(struct message *m);

/* Application header `name`, or NULL. */
const char *message_header(const struct message *m, const char *name);

/* A copy sent to another destination (DLQ, move), sharing nothing with the
 * original; extra headers are appended. NULL when memory runs out. */
struct message *message_copy_to(const struct message *m, enum dest_type type,
				const char *dest, const struct header *extra,
				size_t nextra);

bool message_expired(const struct message *m, int64_t now_ms);

/* "queue" or "topic". */
const char *dest_type_name(enum dest_type type);

#endif
