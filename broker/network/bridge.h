/*
 * bridge.h - network bridges: this broker as a client of other brokers,
 * forwarding queue messages to wherever the consumers are.
 *
 * One bridge per entry of a networkConnector's static:(...) list (an entry
 * may be a failover:(...) list: the bridge follows that pair's master).
 * It connects over STOMP, introduces itself as a bridge (so the remote
 * keeps the message ids it forwards, drops resends and loops), and
 * subscribes to the remote's queue consumer advisories (advisory.h). For
 * every queue where the remote has consumers, it opens a local consumer
 * (with prefetchSize, and below every local consumer with
 * decreaseNetworkConsumerPriority) and forwards what that consumer gets;
 * a message is acknowledged here only when the remote's RECEIPT says it
 * is stored there. A message names every broker it left in
 * NETWORK_PATH_HEADER, by BrokerId (the brokers of two pairs may share
 * names): it is not sent back to one of them (but as a replay), nor
 * further than messageTTL hops.
 *
 * Under an authorizationPlugin a bridge has here the rights of its
 * networkConnector's userName (a bridge made by a remote's duplex
 * connector, those of that connection's login), as ActiveMQ's logs in at
 * its own broker with it: it consumes only what that user may read
 * (bridge_demand.c, may_forward), and one whose login is not valid here
 * does not start (bridge.c, local_login_ok).
 *
 * A bridge never dies: on any failure it goes to BACKING_OFF (warning once
 * until it is active again, not at every retry) and
 * tries again (the next address of its list), 100 ms doubling to 10 s.
 * Bridges run only while this broker is master.
 */
#ifndef TANDEM_BRIDGE_H
#define TANDEM_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "message.h"

/* The first wait before a bridge tries again; it doubles to 10 s. */
#define BRIDGE_BACKOFF_FIRST_MS 100

#define NETWORK_PATH_HEADER "tandem-broker-path"
/* Set on a message a bridge sends back to a broker of its path because
 * nobody consumes it here any more (replayWhenNoConsumers). */
#define NETWORK_REPLAY_HEADER "tandem-replay"
/* The client id of a bridge's network durable subscriptions begins so:
 * "tandem-bridge:CONNECTOR:ENTRY", one per topic (its name). */
#define NETWORK_DURABLE_PREFIX "tandem-bridge:"

struct conf_network_connector;
struct conn;
struct loop;

/* STANDBY is no failure: the remote is this broker, or a broker another
 * bridge of the connector already reaches (a broker advertising two
 * connectors, a static list naming every node); it looks again now and
 * then, in case that changes. */
enum bridge_state { BRIDGE_CONNECTING, BRIDGE_HANDSHAKE, BRIDGE_ACTIVE, BRIDGE_BACKING_OFF,
		    BRIDGE_STANDBY };

struct bridge_demand;
struct bridge;
struct resolve;

/* Called when a dial fails: why, to be shown and logged once. */
typedef void (*bridge_dial_fail_fn)(struct bridge *b, const char *why);

/* A connection being dialled (bridge_dial.c): the remote's name looked up
 * off the loop (resolve.h), then a non-blocking connect(). */
struct bridge_dial {
	struct bridge *b;
	struct resolve *resolving;	/* while the name is looked up */
	int fd;				/* -1 unless a connect() is under way */
	loop_fd_fn on_connected;
	bridge_dial_fail_fn on_fail;
	char addr[256];			/* HOST:PORT, for errors */
};

struct bridge {
	const struct conf_network_connector *nc;
	char *entry;			/* its static:(...) entry, for names and logs */
	char **addrs;			/* HOST:PORT, tried in turn */
	size_t naddrs, next_addr;
	enum bridge_state state;
	int64_t state_since;		/* wall clock */
	int64_t down_since;		/* not active since (wall clock); 0 while active */
	char last_error[256];
	long connects, failures;
	bool warned;			/* its failure was logged since it was last active */
	int64_t backoff_ms;
	struct bridge_dial connecting;	/* until the connection is made */
	struct conn *conn;		/* from the handshake on */
	struct stomp_parser *parser;
	char remote_addr[64];
	char *remote_name;		/* from CONNECTED; NULL before */
	char *remote_id;		/* its BrokerId, from CONNECTED; NULL before */
	char *remote_mgmt;		/* its management socket, from CONNECTED; NULL: none */
	char local_addr[64];		/* this end of the connection, HOST:PORT */
	uint64_t timer;
	struct bridge_demand *demands;
	uint64_t recheck_timer;		/* demand refused while its destination is missing */
	uint64_t forwarded;		/* messages the remote acknowledged */
	/* duplex: this broker's bridge opens a second connection to the
	 * remote, on which the remote's bridge back here is the client. */
	struct bridge_dial reverse_dial;	/* until that connection is made */
	struct conn *reverse;		/* that connection, served by STOMP here */
	bool created_by_duplex;		/* the remote's duplex bridge made this one */
	struct conf_network_connector *own_nc;	/* its options, then (owned) */
	/* bridge_beat.c: from the entry's options, then as negotiated */
	int64_t inactivity_ms;		/* wireFormat.maxInactivityDuration; 0: none */
	int64_t connect_timeout_ms;	/* connectionTimeout: connect and handshake */
	bool keepalive;			/* keepAlive: TCP keepalive and user timeout */
	int64_t beat_out_ms, beat_in_ms;	/* heart-beats agreed; 0: none */
	uint64_t beat_timer;		/* the deadline, then the beats */
	int64_t beat_due;		/* loop time the beat timer is due */
	/* bridge_openwire.h: the remote is an ActiveMQ, spoken to in OpenWire */
	bool openwire;
	struct bridge_ow *ow;		/* its connection's state; NULL but then */
	struct bridge *next;
};

/* Starts the bridges of every networkConnector (serve()); 0 or -1. */
int bridge_start_all(struct loop *l);
/* Stops them: connections closed, unacknowledged messages given back. */
void bridge_stop_all(void);
/* One more bridge of nc (a discovered remote): entry is tcp://HOST:PORT or
 * failover:(...). It connects at once and retries for ever; NULL (logged)
 * when the entry is no address. Only between bridge_start_all() and
 * bridge_stop_all(). */
struct bridge *bridge_add(const struct conf_network_connector *nc, const char *entry);
/* Closes one bridge (its remote went away) and frees it. */
void bridge_remove(struct bridge *b);
/* fn is told when a bridge becomes active (up) or stops being active,
 * once the bridge says so (OpenWire's failover clients hear of the masters
 * the network reaches, openwire_cluster.c). One listener; NULL: none. */
void bridge_on_active_change(void (*fn)(bool up));

/* Every bridge, for management. */
struct bridge *bridge_first(void);
const char *bridge_state_name(enum bridge_state s);
/* When c is a bridge's consumer: the remote broker it forwards to and
 * how many bridges away the consumers it stands for are (advisory.h). */
struct consumer;
bool bridge_consumer_demand(const struct consumer *c, const char **remote, int *hops);
/* The destinations forwarded to the remote, comma-separated, into out. */
void bridge_demand_text(const struct bridge *b, char *out, size_t outlen);
/* The destinations the remote wants that b's user may not read here. */
void bridge_demand_refused_text(const struct bridge *b, char *out, size_t outlen);

/* Between bridge.c (the connection) and bridge_demand.c (what it forwards). */
/* How the remote is named in broker paths and demand: its BrokerId (names
 * repeat across pairs, ids never), or its name from a broker that does not
 * say its id. */
const char *bridge_remote_key(const struct bridge *b);
/* The remote's advisory for a destination: `local` consumers of its own,
 * its bridges' demand and its durable subscriptions (advisory.h). */
void bridge_remote_demand(struct bridge *b, enum dest_type type, const char *name, long local,
			  const char *via, long durables);
/* Whether a message published here goes into network durable d: not when
 * it came from (or would go further than messageTTL past) d's remote. */
struct durable;
bool bridge_durable_admits(const struct durable *d, const struct message *m);
/* staticallyIncludedDestinations: forwarded whatever the remote says. */
void bridge_open_static_demand(struct bridge *b);
/* The remote's RECEIPT for a forwarded message: acked here now. */
void bridge_receipt(struct bridge *b, const char *receipt_id);
/* The remote has stored delivery `delivery` of a demand consumer: acked
 * here now (the receipt's, or an OpenWire Response's). */
void bridge_delivered(struct bridge *b, uint64_t delivery);
/* The remote said who it is (name; id, its BrokerId, or NULL; mgmt, its
 * management socket, or NULL): true when b is active now, false when it
 * stood by (the remote is this broker, or reached already) or failed. */
bool bridge_connected(struct bridge *b, const char *name, const char *id, const char *mgmt);
/* The connection drained: the local consumers may take more. */
void bridge_wake_demand(struct bridge *b);
/* Closes every local consumer of b (in-flight messages come back). */
void bridge_drop_demand(struct bridge *b);

/* Between bridge.c and bridge_beat.c: a dead link is noticed. */
/* Reads the entry's wireFormat.maxInactivityDuration, connectionTimeout
 * and keepAlive. */
void bridge_beat_options(struct bridge *b);
/* CONNECT's heart-beat header: "SEND,WANT" in ms. */
void bridge_beat_offer(const struct bridge *b, char *out, size_t outlen);
/* TCP keepalive and user timeout on a bridge's socket (keepAlive). */
void bridge_beat_socket(const struct bridge *b, int fd);
/* The connect and the handshake must be done in connectionTimeout. */
void bridge_beat_deadline(struct bridge *b, struct loop *l);
/* CONNECTED came, with its heart-beat header (NULL: none): beats go out
 * and silence fails the bridge. */
void bridge_beat_start(struct bridge *b, struct loop *l, const char *connected_hb);
/* No more deadline or beats. */
void bridge_beat_stop(struct bridge *b, struct loop *l);

/* Between bridge.c and bridge_duplex.c. */
struct stomp_frame;
/* Says what went wrong, lets go of the connections, and tries again in a
 * while (a bridge created by duplex ends instead). */
void bridge_fail(struct bridge *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Between bridge.c, bridge_duplex.c and bridge_dial.c: dialling. */
/* d idle, dialling for b: no lookup, no socket. */
void bridge_dial_init(struct bridge_dial *d, struct bridge *b);
/* Dials HOST:PORT for b: a numeric address at once, a name once the
 * resolver has answered. Then on_connected(loop, fd, events, b) when the
 * socket is writable, or on_fail(b, why) (perhaps before this returns). */
void bridge_dial(struct bridge_dial *d, const char *addr, loop_fd_fn on_connected,
		 bridge_dial_fail_fn on_fail);
/* In on_connected: 0 when the connect() worked (fd no longer watched, d
 * idle again, the caller owns fd), else its errno. */
int bridge_dialled(struct bridge_dial *d, int fd);
/* Stops a dial, if one is under way (the lookup's answer is thrown away,
 * the socket closed); no callback comes. */
void bridge_dial_cancel(struct bridge_dial *d);
/* b speaks STOMP as a client on c from now on: CONNECT goes out. */
void bridge_handshake(struct bridge *b, struct conn *c);
/* The forward bridge is active: open the duplex connection back. */
void bridge_duplex_open(struct bridge *b);
/* Closes b's duplex connection, if any (quietly). */
void bridge_duplex_close(struct bridge *b);
/* c, a connection b's duplex dialled, is served as the remote's bridge
 * back: no login is asked of the remote, and what it does has the rights
 * of b's networkConnector's own login (userName), as ActiveMQ's duplex
 * bridge logs in locally with it; none without one. 0, or -1 when
 * memory runs out. */
int bridge_duplex_login(struct bridge *b, struct conn *c);
/* A remote's duplex bridge connected here (c, a STOMP connection whose
 * CONNECT f asked for it): the bridge that will forward to the remote
 * over c, or NULL (logged). Started by bridge_duplex_start(b, c) once the
 * STOMP handler has let go of c. */
struct bridge *bridge_duplex_accept(struct conn *c, const struct stomp_frame *f);
void bridge_duplex_start(struct bridge *b, struct conn *c);
/* b (bridge_new_duplex()) joins the bridges, its remote at c's peer. */
void bridge_duplex_link(struct bridge *b, const struct conn *c);
/* "queue://A,topic://B" (NULL: none) added to a filter list: 0, or -1
 * when memory ran out. */
struct conf_dest_filters;
int bridge_filters_parse(const char *text, struct conf_dest_filters *f);
/* A bridge with its own options (taken over) and no address to dial. */
struct bridge *bridge_new_duplex(struct conf_network_connector *own_nc, const char *entry);

#endif
