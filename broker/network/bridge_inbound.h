/*
 * bridge_inbound.h - the inbound half of the network of brokers: what a
 * client connection is when its client is another broker's bridge.
 *
 * A remote's bridge connects as a STOMP client and says so in its
 * CONNECT (tandem-network-bridge, tandem-broker-id, tandem-duplex); the
 * STOMP code hands those frames here, and every message such a peer
 * brings is checked here for loops and resends before it is published
 * (bridge.h says what the outbound half sends).
 */
#ifndef TANDEM_BRIDGE_INBOUND_H
#define TANDEM_BRIDGE_INBOUND_H

#include <stdbool.h>

#include "buf.h"
#include "message.h"
#include "stomp_frame.h"

/* The remote broker behind a client connection, when it is a bridge. */
struct bridge_peer {
	char *name;	/* its brokerName; NULL: a plain client */
	char *id;	/* its BrokerId, when it said it */
};

/* Whether the CONNECT asks for a duplex bridge: a bridge of this broker
 * then takes the connection over (bridge_duplex_accept). */
bool bridge_inbound_wants_duplex(const struct stomp_frame *connect);

/* Reads a CONNECT's bridge headers into p (left empty for a plain
 * client; logged for a bridge, as coming from `from`): 0, or -1 when
 * memory runs out. */
int bridge_inbound_peer(const struct stomp_frame *connect, const char *from,
			struct bridge_peer *p);
void bridge_inbound_peer_free(struct bridge_peer *p);

/* The CONNECTED headers that say who this broker is, and, to a bridge,
 * where its management socket is (tandemtop finds the remotes of bridges
 * through them). */
void bridge_inbound_connected_headers(struct buf *out, bool to_bridge);

/* Whether a message a bridge that logged in as `user` (NULL: none)
 * brought is to be published: false (logged at debug level) when it went
 * through this broker before, unless it is a replay, or when it is a
 * resend a bridge of the same user already delivered. */
bool bridge_inbound_accepts(const struct message *m, const char *user);
/* m, which bridge_inbound_accepts() let in, was refused (no room, no
 * right): its resend must not be dropped as one of a message taken. */
void bridge_inbound_refused(const struct message *m, const char *user);

#endif
