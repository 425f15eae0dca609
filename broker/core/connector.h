/*
 * connector.h - a listening socket from a <transportConnector>.
 *
 * A connector accepts connections, enforces maximumConnections (the next
 * connection is closed at once and counted; the ones already open are not
 * touched) and hands each socket to a conn with either its fixed protocol
 * (stomp://, mqtt://) or none, to be detected from the first bytes (tcp://).
 */
#ifndef TANDEM_CONNECTOR_H
#define TANDEM_CONNECTOR_H

#include <stdint.h>

struct conf_connector;
struct loop;
struct proto;

struct connector;

/* A warning said at most once per interval (10 s): the first event at
 * once, the ones after it counted and said together when the interval
 * ends, so that a storm becomes a few lines and none goes unsaid. */
struct log_tally {
	struct connector *ct;
	void (*say)(struct connector *ct, const struct log_tally *t);
	long unlogged;			/* events not said yet */
	int64_t logged_at;		/* loop time it was last said */
	uint64_t timer;			/* says the rest when the interval ends */
	char last[224];			/* the latest event: its peer, its reason */
};

struct connector {
	const struct conf_connector *conf;
	const struct proto *fixed;	/* NULL: detect from the first bytes */
	struct loop *loop;
	int fd;
	int port;			/* the port actually bound */
	/* scheme://HOST:PORT as told to others: a reachable host for one
	 * bound to every address (advertise.h), the port bound. */
	char advertised[512];
	long current;			/* open connections */
	long accepted;
	long refused;			/* past maximumConnections */
	struct log_tally refusals;	/* past maximumConnections */
	long login_expired;		/* closed at their login deadline */
	struct log_tally expiries;
};

/* Binds and listens. Returns 0, or -1 with the reason logged (port in use,
 * bad host, unsupported scheme). */
int connector_start(struct connector *ct, struct loop *l,
		    const struct conf_connector *conf);
void connector_stop(struct connector *ct);

/* A connection of this connector went away. */
void connector_conn_closed(struct connector *ct);

/* A connection from `peer` is closed for not completing its login in
 * time (`why`): counted, and said in a warning at most every 10 s. */
void connector_login_expired(struct connector *ct, const char *peer, const char *why);

#endif
