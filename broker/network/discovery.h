/*
 * discovery.h - multicast discovery of the network's brokers, as ActiveMQ's
 * MulticastDiscoveryAgent does it (the datagrams are in discovery_wire.h).
 *
 * Two kinds of agent, each with a UDP socket and a timer on the broker's
 * loop:
 *   - an advertiser per transportConnector with a multicast discoveryUri:
 *     every keepAliveInterval (500 ms) it sends "alive" with the
 *     connector's URI; on a stop it sends "dead". A connector bound to
 *     every address (0.0.0.0) is advertised with the address this host
 *     sends its multicast from: the one peers on that network can reach.
 *   - a listener per networkConnector with a multicast:// URI: it joins
 *     the group and adds a bridge (bridge_add) for every service it hears
 *     that is not this broker's own, and removes it on "dead" or after 10
 *     missed heartbeats (5 s by default).
 * Agents run only while this broker is master: a slave neither advertises
 * nor bridges, and one that takes over starts both.
 *
 * A group that cannot be joined or a send that fails (no multicast route,
 * an unknown interface) is logged once; the listener tries to join again
 * every 5 s and the advertiser at every heartbeat, and each says when it
 * works again. The broker serves on either way.
 */
#ifndef TANDEM_DISCOVERY_H
#define TANDEM_DISCOVERY_H

struct loop;

/* Starts the agents of the configuration (serve(): after the connectors,
 * whose bound ports it advertises, and bridge_start_all()). 0, or -1 when
 * memory runs out; every other problem is logged and skipped. */
int discovery_start(struct loop *l);

/* Says "dead" for every advertised service, removes the bridges the
 * listeners added and closes the sockets (stop_serving(), before
 * bridge_stop_all()). */
void discovery_stop(void);

#endif
