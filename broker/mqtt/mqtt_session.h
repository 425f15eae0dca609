/*
 * mqtt_session.h - what an MQTT session remembers between packets and,
 * with cleanSession=0, between connections: the packet identifiers in
 * flight either way.
 *
 * Outbound (broker to client), a QoS 1 or 2 delivery is an outflight
 * record from PUBLISH to PUBACK, or PUBLISH to PUBREC to PUBCOMP. When the
 * connection goes, its unacknowledged messages return to their queues (the
 * broker core does that); the records stay, detached from any
 * subscription, so that the redelivery after a reconnect carries the same
 * packet identifier with DUP set, and a PUBREL that was owed is sent
 * again: the client then sees a resend, never a new message.
 *
 * Inbound (client to broker), QoS 2 packet identifiers are remembered from
 * PUBLISH until PUBREL: a PUBLISH sent again with one of them (after a
 * reconnect, with DUP) is answered with PUBREC and not routed a second
 * time. That is MQTT's exactly-once.
 *
 * Every session is registered by client id while connected (a second
 * connection with the id takes it over); one with cleanSession=0 stays
 * registered when the client goes. Its subscriptions live in the store as
 * durable subscriptions (mqtt_sub.c), so they also outlive the process.
 * So do its packet identifiers where exactly-once depends on them
 * (store_add_session_id, committed with what they belong to): inbound
 * QoS 2 ids from PUBLISH to PUBREL, and outbound ids whose PUBREL is owed.
 * An outbound PUBLISH of a stored message takes its id from the message's
 * seq, so the redelivery after a restart or a failover carries the same
 * id; that it was sent is kept too (MQTT_ID_SENT, from PUBLISH to PUBACK
 * or PUBREC, a row committed with the next group, nothing waits for it),
 * so that the redelivery also carries DUP [MQTT-3.3.1-1].
 * mqtt_session_restore() registers the sessions the store names at
 * start.
 *
 * Thread: the event loop's.
 */
#ifndef TANDEM_MQTT_SESSION_H
#define TANDEM_MQTT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt_idset.h"

struct conn;
struct mqtt_sub;

enum mqtt_out_state {
	MQTT_OUT_PUBACK,	/* QoS 1 sent, waiting for PUBACK */
	MQTT_OUT_PUBREC,	/* QoS 2 sent, waiting for PUBREC */
	MQTT_OUT_PUBCOMP,	/* PUBREL sent, waiting for PUBCOMP */
};

struct mqtt_outflight {
	uint16_t packet_id;
	uint8_t qos;
	enum mqtt_out_state state;
	char *message_id;	/* until acked: knows the redelivery again */
	bool marked;		/* its sending is kept in the store (MQTT_ID_SENT) */
	struct mqtt_sub *sub;	/* NULL once its connection went (detached) */
	uint64_t delivery_id;	/* the broker's, to ack it */
	struct mqtt_outflight *prev, *next;	/* in send order */
};

struct mqtt_session {
	char *client_id;
	bool persistent;	/* cleanSession=0 */
	struct conn *conn;	/* connected now, or NULL */
	int64_t since_ms;	/* wall clock of the last connect or disconnect */
	uint16_t next_id;
	struct mqtt_idset ids_out;	/* outbound ids in use */
	struct mqtt_idset ids_in;	/* inbound QoS 2 ids before PUBREL */
	uint16_t *ids_sent;	/* ids the store says were sent before the
				 * restart and not acknowledged: DUP. A list,
				 * not a bitmap: every persistent session may
				 * have some, and few each */
	size_t nsent;
	size_t nin;
	struct mqtt_outflight *head, *tail;
	size_t nout;
	size_t ndetached;
	struct mqtt_session *next;	/* the registry */
};

/* A new session; NULL when memory runs out. */
struct mqtt_session *mqtt_session_new(const char *client_id, bool persistent);
void mqtt_session_free(struct mqtt_session *s);

/* The registry (registered sessions are freed by mqtt_session_drop or
 * mqtt_session_free_all). */
struct mqtt_session *mqtt_session_find(const char *client_id);
void mqtt_session_register(struct mqtt_session *s);
/* Unregisters and frees. */
void mqtt_session_drop(struct mqtt_session *s);
struct mqtt_session *mqtt_session_first(void);

/* The kinds of ids a persistent session keeps in the store. */
enum { MQTT_ID_IN = 1, MQTT_ID_OUT = 2, MQTT_ID_SENT = 3 };
/* store_load_session_ids' callback: the session of client_id (registered,
 * persistent, not connected) gets the id back. */
void mqtt_session_restore(void *ctx, const char *client_id, int kind, unsigned id);
void mqtt_session_free_all(void);

/* Outbound. Records a QoS 1/2 delivery of message_id (store seq, 0 for
 * none) through sub and gives it a packet id: the one a detached record
 * of the same message had (then *dup is set), else the one its seq gives
 * when free (*dup set when it was sent before a restart), else a free
 * one. NULL when memory or ids run out. */
struct mqtt_outflight *mqtt_session_out_add(struct mqtt_session *s, uint8_t qos,
					    const char *message_id, uint64_t seq,
					    struct mqtt_sub *sub, uint64_t delivery_id,
					    bool redelivered, bool *dup);
struct mqtt_outflight *mqtt_session_out_find(struct mqtt_session *s, uint16_t packet_id);
void mqtt_session_out_remove(struct mqtt_session *s, struct mqtt_outflight *o);
/* The message was handed over (PUBREC): only PUBCOMP is awaited now. */
void mqtt_session_out_released(struct mqtt_session *s, struct mqtt_outflight *o);
/* sub goes away. keep: its connection closed, so its messages will be
 * redelivered (records stay, detached); else (unsubscribed) they go. */
void mqtt_session_out_detach(struct mqtt_session *s, struct mqtt_sub *sub, bool keep);

/* The client went: memory that nothing in flight needs is given back. */
void mqtt_session_trim(struct mqtt_session *s);

/* Inbound QoS 2: whether packet_id awaits its PUBREL; mark (0, or -1 on
 * ENOMEM) and clear. */
bool mqtt_session_in_pending(const struct mqtt_session *s, uint16_t packet_id);
int mqtt_session_in_mark(struct mqtt_session *s, uint16_t packet_id);
void mqtt_session_in_clear(struct mqtt_session *s, uint16_t packet_id);

#endif
