/*
 * net.h - blocking TCP client sockets that never hang.
 *
 * tandemctl and tandemtop talk to nodes that may be down, slow or gone
 * half-way through an answer. Every call here takes a deadline and gives
 * up with a readable reason instead of waiting for the kernel's own
 * timeouts (minutes for a connect to a host that drops packets).
 */
#ifndef TANDEM_NET_H
#define TANDEM_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on the monotonic clock: deadlines are now_ms() + timeout. */
int64_t net_now_ms(void);

/* Splits "HOST:PORT" ("[v6]:PORT" too) into host (malloc'ed, the caller
 * frees it) and port. -1 with a reason in err when it has no port. */
int net_split_addr(const char *addr, char **host, int *port, char *err, size_t errlen);

/* Connects to addr ("HOST:PORT") within timeout_ms. Returns the socket
 * (non-blocking, the caller closes it) or -1 with a reason in err. */
int net_connect(const char *addr, int timeout_ms, char *err, size_t errlen);

/* Writes all of data[0, len) before `deadline` (net_now_ms() scale).
 * 0, or -1 with a reason in err. */
int net_write_all(int fd, const void *data, size_t len, int64_t deadline,
		  char *err, size_t errlen);

/* Reads what is there (at most len bytes), waiting until `deadline`.
 * Returns bytes read, 0 at end of stream, -1 with a reason in err, or -2
 * when the deadline passed with nothing to read (err says so too). */
ssize_t net_read(int fd, void *data, size_t len, int64_t deadline,
		 char *err, size_t errlen);

#endif
