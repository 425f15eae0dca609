/*
 * mqtt.h - the MQTT 3.1.1 protocol handler.
 *
 * mqtt.c turns packets from mqtt_packet.c into broker calls (CONNECT,
 * PUBLISH in, PUBREL, PINGREQ, DISCONNECT, keep-alive, the will);
 * mqtt_sub.c holds the subscriptions and the deliveries back out with
 * their acknowledgements; mqtt_session.c what a session remembers. They
 * share struct mqtt_conn, the state of one connection; nothing outside
 * MQTT's files sees it.
 *
 * A connection and its session (the C function that moves each):
 *
 *   opened --CONNECT (on_connect)--> in session --DISCONNECT, takeover,
 *   close (leave_session)--> out of session --socket closed--> gone
 *
 *   1. A connection is in at most one session, and a session has at most
 *      one connection (mc->session and s->conn point at each other).
 *   2. Leaving ends a clean session; a persistent one stays registered,
 *      its subscriptions durable, its records in flight detached.
 *   3. CONNECT finds only sessions no connection is in: one still held is
 *      left first (take_over), so the new cleanSession alone decides.
 *   4. After DISCONNECT the connection only lingers for the client to
 *      close its end: it is out of its session already.
 */
#ifndef TANDEM_MQTT_H
#define TANDEM_MQTT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"
#include "strmap.h"

struct conn;
struct message;
struct mqtt_parser;
struct mqtt_session;
struct mqtt_sub;

extern const struct proto mqtt_proto;

/* A CONNECT packet at the start of a connection. */
int mqtt_detect(const char *data, size_t len);

/* A delivery to ack once the current dispatch is over (see mqtt_sub.c). */
struct mqtt_later_ack {
	struct mqtt_sub *sub;
	uint64_t delivery_id;
};

struct mqtt_conn {
	struct conn *conn;
	struct mqtt_parser *parser;
	struct mqtt_session *session;	/* from CONNECT on */
	bool connected;
	bool said_disconnect;		/* DISCONNECT: no will */
	uint16_t keep_alive;		/* seconds; 0 none */
	uint64_t keep_alive_timer;
	struct message *will;		/* published if the connection fails */
	bool will_retain;
	struct mqtt_sub *subs;
	struct strmap subs_by_filter;	/* the same subscriptions by filter */
	struct mqtt_later_ack *later;	/* acks waiting for later_timer */
	size_t nlater, later_cap;
	uint64_t later_timer;
};

/* authorizationPlugin: whether the client may do op (AUTHZ_READ or
 * AUTHZ_WRITE) on the broker topic `dest`, and create it when it does
 * not exist yet (a pattern creates nothing). A refusal is logged (by
 * authz.c). */
bool mqtt_permitted(struct mqtt_conn *mc, int op, const char *dest);

/* Closes a connection for a protocol violation or a refusal, logging why
 * once (the standard's answer to a bad packet: no reply, just close). */
void mqtt_close(struct mqtt_conn *mc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
