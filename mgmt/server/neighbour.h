/*
 * neighbour.h - ActiveMQ neighbours' own state, read from their Jolokia
 * endpoints (<?tandem jolokiaNeighbour ...?>, tandem.xml(5)), for the
 * management model (the JolokiaNeighbour objects, and the Neighbour
 * attribute of the bridges to and from that broker).
 *
 * A thread of its own (neighbour.c) POSTs one bulk Jolokia request to
 * each neighbour every `interval` (its broker, its queues' QueueSize, its
 * network bridges), through the tools' HTTP client (mgmt/client/
 * client_http.h), which blocks up to `timeout`: the loop never waits on
 * a neighbour, it only takes the latest view under a mutex. The thread
 * touches no broker state. The login is sent and never shown: not in a
 * view, an error or a log line.
 */
#ifndef TANDEM_NEIGHBOUR_H
#define TANDEM_NEIGHBOUR_H

#include <stddef.h>

#include <jansson.h>

struct config;

/* Starts the thread when cfg names neighbours; 0, or -1 (logged). */
int neighbour_start(const struct config *cfg);
/* Stops and joins it (a read under way ends within its timeout). */
void neighbour_stop(void);

/* The latest view of the neighbour called broker_name (a new reference;
 * NULL when none is configured under that name):
 *   {"State": "reachable" | "unreachable" | "not read yet",
 *    "Error": why unreachable, "" otherwise, "ReadMillis": when last read
 *    (0: never), "Summary": one line for a bridge's row,
 *    and from its Jolokia: "BrokerName", "BrokerId", "Uptime",
 *    "UptimeMillis", "TotalMessageCount", "Queues": {NAME: QueueSize},
 *    "NetworkBridges": [{"RemoteBrokerName", "RemoteAddress",
 *    "EnqueueCounter", "DequeueCounter"}]}
 * An unreachable neighbour keeps what it said last. A view is never
 * changed once given out. */
json_t *neighbour_view(const char *broker_name);
/* The view's Summary as a JSON string ("" when none is configured). */
json_t *neighbour_summary(const char *broker_name);

#endif
