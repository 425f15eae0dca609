/*
 * bridge_openwire.h - a bridge to an ActiveMQ broker: the same demand
 * forwarding as bridge_demand.c, spoken in OpenWire as ActiveMQ's own
 * DemandForwardingBridge speaks it (activemq-broker,
 * org.apache.activemq.network), so that a Tandem master joins a network
 * of ActiveMQ brokers.
 *
 * Which bridges speak it: an entry whose URI says protocol=openwire
 * (static:(tcp://amq:61616?protocol=openwire)), and any bridge whose
 * remote answered its STOMP CONNECT with OpenWire's WireFormatInfo (an
 * ActiveMQ openwire connector sends it first, on accept): that bridge
 * tries again at once in OpenWire, and keeps to it for that address.
 *
 * The conversation (bridge_openwire.c), as the remote ActiveMQ expects it:
 *   WireFormatInfo both ways, negotiated as a client does
 *   -> BrokerInfo (this broker's BrokerId and name, networkConnection),
 *      ConnectionInfo (the connector's userName/password; a Response is
 *      asked, so a refused login fails the bridge with ActiveMQ's words),
 *      SessionInfo, ProducerInfo
 *   <- BrokerInfo: the remote's BrokerId and name (bridge_connected())
 *   -> ConsumerInfo on ActiveMQ.Advisory.Consumer.> : the remote's
 *      consumers come as advisories (bridge_openwire_demand.c), each
 *      acknowledged
 *   -> a message for each the local demand consumers get, with this
 *      broker appended to its brokerPath, its message id kept (so a
 *      resend is the same message to ActiveMQ's duplicate check), and a
 *      Response asked: the message is acknowledged here only on it
 *   KeepAliveInfo both ways, a third of the negotiated
 *   maxInactivityDuration apart; silence for that long fails the bridge.
 */
#ifndef TANDEM_BRIDGE_OPENWIRE_H
#define TANDEM_BRIDGE_OPENWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridge;
struct conn;
struct qentry;
struct ow_obj;
struct ow_message;

/* Whether an entry's URI asks for OpenWire (protocol=openwire). */
bool bridge_ow_wanted(const char *entry);
/* Whether the first bytes a bridge read are an OpenWire WireFormatInfo:
 * 1 yes, 0 no, -1 too few to tell. */
int bridge_ow_detect(const char *data, size_t len);
/* b speaks OpenWire on c from now on: its WireFormatInfo goes out. */
void bridge_ow_start(struct bridge *b, struct conn *c);
/* Lets go of b's OpenWire state (the connection is closed by the caller). */
void bridge_ow_release(struct bridge *b);
/* Sends the message of e (a demand consumer's delivery) to the remote:
 * 0, or -1 when it cannot be encoded (out of memory). */
int bridge_ow_forward(struct bridge *b, const struct qentry *e);

/* Duplex, the dialled end: an ActiveMQ's networkConnector with
 * duplex="true" dialled this broker (openwire_network.c), and this
 * broker's bridge b forwards back over that same connection, as
 * ActiveMQ's responder end of a duplex bridge does. The connection stays
 * the OpenWire handler's, which hosts b: it encodes b's commands with its
 * own command ids and hands b what answers them. */
struct bridge_ow_host {
	/* Sends o (taken) on c: the command id it went with, or -1. */
	int32_t (*send)(struct conn *c, struct ow_obj *o);
	/* b lets go of c (it failed or stops): c no longer hosts it. */
	void (*detach)(struct conn *c);
};
/* b rides on c from now on. With a name, c is a remote's duplex
 * bridge that dialled in (b a bridge_new_duplex() bridge, linked), whose
 * remote is broker name (BrokerId id, or NULL): b's ConnectionInfo,
 * SessionInfo, ProducerInfo and advisory consumer go out one way, and it
 * is active. With none, b dialled c itself (its networkConnector says
 * duplex="true"): b logs in once c's WireFormatInfo exchange is done
 * (bridge_ow_host_ready()) and is active on the answer and the remote's
 * BrokerInfo, as a bridge with its own connection is. */
void bridge_ow_host(struct bridge *b, struct conn *c, const struct bridge_ow_host *host,
		    const char *name, const char *id);
void bridge_ow_host_ready(struct bridge *b);
/* This broker's side of a duplex connection it dialled: c served by the
 * OpenWire handler, whose BrokerInfo says networkConnection and
 * duplexConnection, hosting b (openwire_network.c). 0, or -1 when memory
 * ran out. */
int openwire_dial_duplex(struct conn *c, struct bridge *b);
/* b's options as ActiveMQ's BrokerInfo carries them (networkProperties,
 * a java.util.Properties text), for the remote's bridge back; malloc'ed,
 * NULL when memory ran out. */
char *bridge_ow_duplex_props(const struct bridge *b);
/* The bridge back to broker peer_name, whose duplex bridge came on c
 * with its connector's options in props (BrokerInfo's networkProperties,
 * a Java Properties text; NULL: the defaults): made and linked, not
 * started (bridge_ow_host()); NULL (logged) when memory ran out. */
struct bridge *bridge_ow_duplex_accept(const struct conn *c, const char *peer_name,
				       const char *props);
/* A command from the remote on the hosting connection: true when it was
 * b's (a Response or ExceptionResponse to what b sent, an advisory for
 * b's advisory consumer), handled; false: the host serves it. */
bool bridge_ow_hosted_command(struct bridge *b, struct ow_obj *o);
/* The hosting connection is closing: b fails and ends. */
void bridge_ow_host_gone(struct bridge *b);
/* Whether b rides on a host's connection (closing it is the host's). */
bool bridge_ow_hosted(const struct bridge *b);

/* Between bridge_openwire.c and bridge_openwire_demand.c. */
struct ow_str;
/* A string field as a NUL-terminated UTF-8 copy; NULL for Java's null or
 * when memory runs out. */
char *bridge_ow_text(const struct ow_str *s);
/* Sends o (taken) on b's connection with the next command id; 0 or -1. */
int bridge_ow_send(struct bridge *b, struct ow_obj *o);
/* An advisory the remote dispatched to the demand consumer (taken by
 * nothing: the caller frees it). */
void bridge_ow_advisory(struct bridge *b, const struct ow_message *m);
/* Forgets what the remote's advisories said (the connection went). */
void bridge_ow_demand_clear(struct bridge *b);

#endif
