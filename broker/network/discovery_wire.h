/*
 * discovery_wire.h - what ActiveMQ's multicast discovery says and where:
 * the multicast://... URI of a discovery group and the text of its
 * datagrams. Pure functions, no sockets (discovery.h owns those).
 *
 * A datagram is one line of text, no terminator:
 *
 *   <group>.ActiveMQ-4.alive.%<broker>%<service URI>
 *   <group>.ActiveMQ-4.dead.%<broker>%<service URI>
 *
 * ActiveMQ 5.17 always writes "localhost" as <broker> and reads whatever
 * is between the two '%'; Tandem writes its broker name there (for the
 * peers' logs) unless the name holds a '%'.
 */
#ifndef TANDEM_DISCOVERY_WIRE_H
#define TANDEM_DISCOVERY_WIRE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ActiveMQ 5.17's MulticastDiscoveryAgent defaults. */
#define DISCOVERY_DEFAULT_ADDR "239.255.2.3"
#define DISCOVERY_DEFAULT_PORT 6155
#define DISCOVERY_DEFAULT_GROUP "default"
#define DISCOVERY_KEEPALIVE_MS 500	/* keepAliveInterval */
#define DISCOVERY_MISSES 10		/* heartbeats missed before a service is dead */
#define DISCOVERY_TTL 1			/* timeToLive: the local network only */
#define DISCOVERY_DATAGRAM_MAX 8192

struct discovery_group {
	char name[128];			/* ?group=, default "default" */
	struct in_addr addr;		/* the multicast address */
	int port;
	int64_t keepalive_ms;		/* ?keepAliveInterval= */
	int ttl;			/* ?timeToLive= */
	char ifname[IF_NAMESIZE];	/* ?networkInterface= or joinNetworkInterface=; "" routes */
	char ignored[256];		/* options given that Tandem does not know, for a warning */
};

/* Reads multicast://HOST[:PORT][?options]. HOST is "default" (ActiveMQ's
 * address), an IPv4 multicast address, or (Tandem's reading of
 * multicast://GROUP) any other name, which names the group on the default
 * address. -1 with what is wrong in why. */
int discovery_parse_uri(const char *uri, struct discovery_group *g, char *why, size_t whylen);

/* Writes the datagram into out; its length, or -1 when it does not fit. */
int discovery_format(char *out, size_t outlen, const char *group, bool alive,
		     const char *broker, const char *service);

struct discovery_news {
	bool alive;			/* alive (a heartbeat) or dead (a clean stop) */
	char broker[128];
	char service[512];
};

/* Reads one datagram of `group`; -1 when it belongs to another group or
 * is not ActiveMQ discovery at all (the caller ignores it). */
int discovery_parse(const char *data, size_t len, const char *group, struct discovery_news *n);

#endif
