/*
 * cluster.h - what the cluster tools (tandemctl and tandemtop) share about
 * a cluster beyond one request: the cluster file that lists its nodes,
 * the object name patterns that describe a node's role and its bridges
 * (tandem-mgmt(7)), and how the times nodes report are shown to people.
 */
#ifndef TANDEM_MGMT_CLUSTER_H
#define TANDEM_MGMT_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

/* Patterns: a node's broker, its Locker (found without knowing the
 * broker's name), its network bridges and its network flows. */
#define MGMT_BROKERS MGMT_DOMAIN ":type=Broker,brokerName=*"
#define MGMT_LOCKERS MGMT_DOMAIN ":type=Broker,service=Locker,*"
#define MGMT_DESTINATIONS MGMT_DOMAIN ":type=Broker,brokerName=*,destinationType=*,destinationName=*"
/* connector=networkConnectors, or duplexNetworkConnectors for the bridges
 * a remote's duplex connector made here */
#define MGMT_BRIDGES MGMT_DOMAIN ":type=Broker,brokerName=*,connector=*," \
	"networkConnectorName=*,networkBridge=*"
/* every client connection of a broker */
#define MGMT_CONNECTIONS MGMT_DOMAIN ":type=Broker,brokerName=*,connector=clientConnectors," \
	"connectorName=*,connectionViewType=remoteAddress,connectionName=*"
/* A flow's name ends with remoteBrokerId=... when the remote said it:
 * without the ",*" those (nearly all) did not match. */
#define MGMT_FLOWS MGMT_DOMAIN ":type=Broker,brokerName=*,connector=networkConnectors," \
	"networkBridge=*,direction=*,destinationType=*,destinationName=*,*"

/* Reads a cluster file: "HOST:PORT [PAIRNAME]" a line, '#' starts a
 * comment. add() is called for each node (pair NULL when the line has
 * none) and fails the read by returning < 0. 0, or -1 with the reason
 * (FILE:LINE: what is wrong) in err. A file without nodes is an error. */
int mgmt_cluster_read(const char *file, int (*add)(void *ctx, const char *addr, const char *pair),
		      void *ctx, char *err, size_t errlen);

/* How long ago `since` (ms since the epoch, as a node reports it) was by
 * this host's clock; 0 for a node whose clock is ahead of ours. */
int64_t mgmt_ms_since(int64_t since);
/* A span of time as people read it: "12.3s", "5m07s", "3h05m", "2d04h". */
void mgmt_duration_text(int64_t ms, char *out, size_t outlen);

#endif
