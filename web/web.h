/*
 * web.h - the web console and HTTP API of a node (web/README.md): what the
 * broker core calls. libmicrohttpd runs inside the broker's event loop
 * (no thread of its own), so handlers read and change broker state as any
 * other callback of the loop does.
 */
#ifndef TANDEM_WEB_H
#define TANDEM_WEB_H

struct config;
struct loop;

/* Listens when the configuration names a web console port (jetty.xml's
 * WebConsolePort bean or managementContext@webConsolePort); a slave's
 * console runs too. 0, or -1 (logged). */
int web_start(struct loop *l, const struct config *cfg);
/* The broker stops serving (a lost lock, or the stop): requests that hold
 * a consumer (a GET of /api/message waiting for a message) end now, before
 * the destinations go. */
void web_stop_serving(void);
/* Stops the server and closes its connections. */
void web_stop(void);
/* The port bound, 0 when not listening. */
int web_port(void);

#endif
