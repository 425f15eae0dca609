/*
 * openwire_network.h - another broker's network bridge as an OpenWire
 * client (openwire_network.c): who it is, and the broker path of the
 * messages it brings and of those it is sent.
 */
#ifndef TANDEM_OPENWIRE_NETWORK_H
#define TANDEM_OPENWIRE_NETWORK_H

#include <stdbool.h>

#include "message.h"
#include "openwire_props.h"
#include "openwire_types.h"

struct ow_conn;

/* BrokerInfo: with networkConnection, the connection is that broker's
 * bridge from now on (oc->peer_name, oc->peer_id); logged. */
int ow_on_broker_info(struct ow_conn *oc, struct ow_obj *o);
/* BrokerInfo bi (of a bridge peer) asked for duplexConnection: noted,
 * with its networkProperties, for ow_network_logged_in(). */
void ow_network_duplex_asked(struct ow_conn *oc, const struct ow_broker_info *bi);
/* The peer's ConnectionInfo was accepted: a duplex bridge peer gets this
 * broker's bridge back over the connection (bridge_openwire_duplex.c). */
void ow_network_logged_in(struct ow_conn *oc);
/* A command that answers that bridge back (a Response, an advisory for
 * its advisory consumer): true when it was taken. */
bool ow_network_duplex_command(struct ow_conn *oc, struct ow_obj *o);
/* The BrokerInfo o (taken; NULL: out of memory) as this broker sends it
 * on oc: on a duplex connection it dialled, with networkConnection,
 * duplexConnection and its bridge's options (networkProperties). */
struct ow_obj *ow_network_broker_info(struct ow_conn *oc, struct ow_obj *o);
/* The WireFormatInfo exchange is done: a bridge this broker dialled logs
 * in. */
void ow_network_negotiated(struct ow_conn *oc);
/* The connection's output drained: the bridge back may forward more. */
void ow_network_drained(struct ow_conn *oc);
/* The connection ends: its peer is forgotten (logged when it was one). */
void ow_network_release(struct ow_conn *oc);
/* om's brokerPath as the core's broker path header (NETWORK_PATH_HEADER)
 * in h, when it has one: 0, or -1 with *oom. */
int ow_network_path_header(const struct ow_message *om, struct ow_headers *h, bool *oom);
/* A broker path ("ID,ID", NULL: none) as an array of BrokerIds in a
 * (empty before): 0, or -1 when memory ran out (a's owner frees what it
 * holds). */
int ow_broker_path_parse(struct ow_array *a, const char *path);
/* m's broker path as om's brokerPath: 0, or -1 when memory ran out. */
int ow_network_path_of(struct ow_message *om, const struct message *m);
/* Whether a bridge peer's consumer is sent m: not a consumer advisory
 * that names no consumer (one that only counts them, for Tandem's own
 * bridges): ActiveMQ's bridge fails on an advisory without its
 * dataStructure. */
bool ow_network_wants(const struct message *m);
/* Whether a message a bridge peer brought goes in: not when this broker
 * is in its path already (logged at debug level). */
bool ow_network_accepts(const struct ow_conn *oc, const struct message *m);

#endif
