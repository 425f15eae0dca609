/*
 * client_id.h - client ids, one connection's at a time broker-wide and
 * across protocols, as ActiveMQ's RegionBroker keeps them (its
 * clientIdSet): a JMS client's ConnectionInfo, a STOMP CONNECT's client-id
 * header and an MQTT client id are the same name space there, so a JMS
 * application and a STOMP client with one id cannot both be connected.
 * What a protocol does about a taken id is its own (OpenWire and STOMP
 * refuse the newcomer; MQTT takes the id over, as ActiveMQ's MQTT
 * transport steals the link).
 *
 * The holder's conn->client_id is the key; an id is released when its
 * connection goes (broker_conn_gone) or gives it up.
 */
#ifndef TANDEM_CLIENT_ID_H
#define TANDEM_CLIENT_ID_H

struct conn;

/* The connection holding id, or NULL. */
struct conn *client_id_holder(const char *id);
/* Files c->client_id (set by the caller) as c's, taking it from any other
 * holder: 0, or -1 out of memory. */
int client_id_hold(struct conn *c);
/* Frees c's id, if c holds one (c->client_id stays as it is). */
void client_id_release(struct conn *c);

#endif
