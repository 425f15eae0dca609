/*
 * deadline.h - the web server's defence against slow clients: every
 * connection must send a whole request (headers and body) within the
 * request timeout of connecting or of its previous answer, and the oldest
 * connection still waiting for its request is closed when the server
 * nears its connection limit, so a new client (a load balancer asking
 * /health) always finds a slot.
 *
 * web_server.c calls these from libmicrohttpd's callbacks; each connection's
 * struct web_deadline is its socket context. Closing is a shutdown() of
 * the socket: libmicrohttpd sees the end of the stream at its next run
 * and closes the connection itself (and only then the fd, so it is never
 * another connection's).
 */
#ifndef TANDEM_WEB_DEADLINE_H
#define TANDEM_WEB_DEADLINE_H

#include <stdint.h>

struct loop;
struct web_deadline;

/* conns_max is the daemon's connection limit; timeout_ms the time a
 * connection has for each whole request. */
void web_deadline_init(struct loop *l, int timeout_ms, unsigned conns_max);
/* Stops the timer; every connection must have ended. */
void web_deadline_stop(void);

/* A new connection on socket fd: its first request is due. May close the
 * oldest waiting one to keep the reserve. NULL when memory is short (the
 * connection then has no deadline but its idle timeout). */
struct web_deadline *web_deadline_start(int fd);
/* The connection ended. */
void web_deadline_end(struct web_deadline *d);
/* Its request is in (or held on purpose): no deadline while it is served. */
void web_deadline_met(struct web_deadline *d);
/* Its answer is out: the next request is due within the timeout. */
void web_deadline_again(struct web_deadline *d);

#endif
