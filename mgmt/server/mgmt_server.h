/*
 * mgmt_server.h - the management socket: the model (model.h) served as
 * Jolokia-shaped JSON lines on <managementContext connectorPort>, with
 * login and watch streams (man tandem-mgmt(7)).
 *
 * Its connections are struct conns of their own protocol, in the broker's
 * event loop, so a slow or stuck client costs only its own buffer.
 */
#ifndef TANDEM_MGMT_SERVER_H
#define TANDEM_MGMT_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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

/* The unix socket's path ("" when none). */
const char *mgmt_unix_path(void);

/* How many times management work was left for a later loop iteration
 * because this one's share was spent (tandem-mgmt(7),
 * ManagementWorkDeferred). */
uint64_t mgmt_deferred(void);

/* The uid of the local process at the other end of a connection (a unix
 * socket, or TCP from this host): 0, or -1 when it cannot be told
 * (server_peer.c). */
int mgmt_peer_uid(int fd, uid_t *uid);

/* Login throttling per address (server_guard.c). peer is a connection's
 * "ip:port" or "unix uid N". */
struct loop;
void mgmt_guard_start(struct loop *l, int64_t delay_ms);
/* Logs what is not said yet. */
void mgmt_guard_stop(void);
/* When a login from peer may be checked (loop time, `now` for at once;
 * a later slot is then taken), or -1 when its turn is too far away
 * (refuse it). */
int64_t mgmt_guard_slot(const char *peer, int64_t now);
/* A login from peer as user failed (logged in a summary); `waited`: it
 * had a later slot (and was counted then). */
void mgmt_guard_failed(const char *peer, const char *user, bool waited, int64_t now);

#endif
