/*
 * server.h - the management socket: the model (model.h) served as
 * Jolokia-shaped JSON lines on <managementContext connectorPort>, with
 * login and watch streams (man tandem-mgmt(7)).
 *
 * Its connections are struct conns of their own protocol, in the broker's
 * event loop, so a slow or stuck client costs only its own buffer.
 */
#ifndef TANDEM_MGMT_SERVER_H
#define TANDEM_MGMT_SERVER_H

struct config;
struct loop;

/* Listens when the configuration asks for it. 0, or -1 (logged). */
int mgmt_start(struct loop *l, const struct config *cfg);
/* Stops listening (connections are closed with the broker's). */
void mgmt_stop(void);
/* The port bound, 0 when not listening. */
int mgmt_port(void);
/* HOST:PORT where others reach the socket ("" when not listening): a
 * wildcard host is replaced by this host's name. Network bridges tell
 * their remote (tandem-mgmt(7), RemoteManagementAddress). */
const char *mgmt_address(void);

#endif
