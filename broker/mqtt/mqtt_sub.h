/*
 * mqtt_sub.h - MQTT subscriptions: topic filters as broker consumers,
 * deliveries as PUBLISH packets, and the client's acknowledgements.
 *
 * A subscription of a clean session is a plain topic consumer; one of a
 * persistent session (cleanSession=0) is a durable topic subscription
 * named "mqtt:QOS:FILTER" under the MQTT client id, as ActiveMQ keeps
 * MQTT sessions, so it and its QoS 1/2 messages live in the store and
 * survive the client's absence, a broker restart and a failover.
 *
 * A message goes out at the lower of its QoS (the ActiveMQ.MQTT.QoS
 * header an MQTT publisher's message carries; others count as the
 * subscription's) and the QoS the subscription was granted. It is acked
 * to the broker on PUBACK (QoS 1) or PUBREC (QoS 2); QoS 0 at once.
 */
#ifndef TANDEM_MQTT_SUB_H
#define TANDEM_MQTT_SUB_H

#include <stdbool.h>
#include <stdint.h>

#include "mqtt_packet.h"

struct consumer;
struct mqtt_conn;

/* The message property holding the QoS an MQTT client published with
 * (ActiveMQ's name, so that JMS and STOMP applications see the same). */
#define MQTT_QOS_HEADER "ActiveMQ.MQTT.QoS"

/* The prefix of the durable subscriptions of persistent sessions. */
#define MQTT_DURABLE_PREFIX "mqtt:"

struct mqtt_sub {
	char *filter;		/* as the client wrote it */
	uint8_t qos;		/* granted */
	struct consumer *consumer;
	struct mqtt_conn *mc;
	struct mqtt_sub *next, *prev;	/* mc->subs */
};

/* SUBSCRIBE one filter; returns the SUBACK code (granted QoS, or
 * MQTT_SUBACK_FAILURE with the reason logged). Retained messages that
 * match are queued for it. */
uint8_t mqtt_sub_add(struct mqtt_conn *mc, const char *filter, uint8_t qos);
/* UNSUBSCRIBE one filter (nothing when there is none). */
void mqtt_sub_remove(struct mqtt_conn *mc, const char *filter);

/* A persistent session resumes: reopens every durable subscription its
 * client id has, and sends again the PUBRELs owed. Returns how many
 * subscriptions, or -1 (logged). */
int mqtt_sub_resume(struct mqtt_conn *mc);
/* Whether client_id has subscriptions kept for it. */
bool mqtt_sub_kept(const char *client_id);
/* A clean session starts: whatever was kept for client_id goes. */
void mqtt_sub_forget(const char *client_id);

/* The connection goes: its subscriptions close (unacked messages go back
 * to their queues, a persistent session keeps what it needs to resend). */
void mqtt_sub_close_all(struct mqtt_conn *mc);

/* The client's acknowledgements of deliveries: PUBACK, PUBREC, PUBCOMP.
 * Returns 0, or -1 when the connection was closed for an acknowledgement
 * of the wrong kind or out of order. */
int mqtt_sub_acked(struct mqtt_conn *mc, const struct mqtt_packet *pk);

/* Whether an acknowledgement of `type` (PUBREL too: one that no inbound
 * QoS 2 message waits for) names a delivery in flight that waits for
 * another kind; the connection was closed then. */
bool mqtt_sub_ack_misplaced(struct mqtt_conn *mc, enum mqtt_type type, uint16_t packet_id);

/* For management: one subscription of a session. */
struct mqtt_sub_info {
	const char *filter;
	uint8_t qos;
	const char *dest;	/* the broker's topic pattern */
	bool durable;		/* kept in the store (persistent session) */
	bool active;		/* its client is connected */
	size_t inflight;	/* delivered, not acknowledged yet */
	size_t pending;		/* waiting to be delivered */
};
/* Calls fn for each subscription of the session: its connection's, or
 * while it is away, what the store keeps for it. */
struct mqtt_session;
void mqtt_sub_each(const struct mqtt_session *s,
		   void (*fn)(void *ctx, const struct mqtt_sub_info *i), void *ctx);

/* The connection drained: consumers may deliver again. */
void mqtt_sub_wakeup(struct mqtt_conn *mc);

#endif
