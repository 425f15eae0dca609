/*
 * listener.h - listening TCP sockets and accepting from them, for the client
 * connectors and the management socket.
 */
#ifndef TANDEM_LISTENER_H
#define TANDEM_LISTENER_H

#include <stddef.h>

/* A non-blocking listening socket on host (NULL or "": every address)
 * and port (0: any free one; the port bound goes in *bound). Returns the
 * fd, or -1 with the reason in err. */
int net_listen(const char *host, int port, int *bound, char *err, size_t errlen);

/* Accepts one connection (non-blocking, TCP_NODELAY) and writes its
 * "address:port" in peer. Returns the fd, or -1 (errno; EAGAIN when none
 * is waiting). */
int net_accept(int lfd, char *peer, size_t peerlen);

#endif
