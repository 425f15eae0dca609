/*
 * advertise.h - the address a socket bound to every address (0.0.0.0,
 * ::, or no host) is told to others as: never the wildcard, which names
 * no host to anyone else. As ActiveMQ publishes its connectors: the
 * host's name when it resolves, else the first address of an interface
 * that is up and not loopback, else 127.0.0.1. Worked out once, at
 * start-up (the name lookup may block), then kept.
 */
#ifndef TANDEM_ADVERTISE_H
#define TANDEM_ADVERTISE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether host binds every address. */
bool advertise_wildcard(const char *host);
/* The host to tell others for a socket bound to `host`: host itself
 * unless it is the wildcard. */
const char *advertise_host(const char *host);
/* "HOST:PORT", an IPv6 host in brackets, into out. */
void advertise_addr(const char *host, int port, char *out, size_t outlen);

#endif
