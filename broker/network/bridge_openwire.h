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
