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

struct connector {
	const struct conf_connector *conf;
	const struct proto *fixed;	/* NULL: detect from the first bytes */
	struct loop *loop;
	int fd;
	int port;			/* the port actually bound */
	long current;			/* open connections */
	long accepted;
	long refused;			/* past maximumConnections */
	long refused_unlogged;
	int64_t refusal_logged_at;
};

/* Binds and listens. Returns 0, or -1 with the reason logged (port in use,
 * bad host, unsupported scheme). */
int connector_start(struct connector *ct, struct loop *l,
		    const struct conf_connector *conf);
void connector_stop(struct connector *ct);

/* A connection of this connector went away. */
void connector_conn_closed(struct connector *ct);

#endif
