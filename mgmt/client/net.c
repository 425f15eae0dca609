/*
 * net.c - blocking TCP client sockets with deadlines (see net.h).
 *
 * The socket is non-blocking underneath and every wait is a poll() bounded
 * by the caller's deadline, so a node that accepts and then says nothing
 * costs at most the timeout the operator chose.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

int64_t net_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int net_split_addr(const char *addr, char **host, int *port, char *err, size_t errlen)
{
	const char *colon = strrchr(addr, ':');
	const char *h = addr;
	size_t hlen = colon ? (size_t)(colon - addr) : 0;
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "expected HOST:PORT");
		return -1;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p <= 0 || p > 65535) {
		snprintf(err, errlen, "bad port");
		return -1;
	}
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	*host = hlen ? strndup(h, hlen) : strdup("127.0.0.1");
	if (!*host) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*port = (int)p;
	return 0;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - net_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* One attempt at one resolved address. */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *saved_errno)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0) {
		*saved_errno = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		*saved_errno = errno;
		close(fd);
		return -1;
	}
	int r = wait_fd(fd, POLLOUT, deadline);
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (r <= 0) {
		*saved_errno = r == 0 ? ETIMEDOUT : errno;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		*saved_errno = soerr ? soerr : errno;
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* A node's unix management socket: a path (tandem-mgmt(7)). */
static int connect_unix(const char *path, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "the socket path is longer than %zu bytes", sizeof sa.sun_path - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	struct addrinfo ai = { .ai_family = AF_UNIX, .ai_socktype = SOCK_STREAM,
			       .ai_addr = (struct sockaddr *)&sa, .ai_addrlen = sizeof sa };
	int saved = 0;
	int fd = connect_one(&ai, net_now_ms() + timeout_ms, &saved);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to %s: %s", path,
			 saved == ETIMEDOUT ? "no answer (timed out)" : strerror(saved));
	return fd;
}

int net_connect(const char *addr, int timeout_ms, char *err, size_t errlen)
{
	if (addr[0] == '/')
		return connect_unix(addr, timeout_ms, err, errlen);
	char *host;
	int port;
	if (net_split_addr(addr, &host, &port, err, errlen) < 0)
		return -1;
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host, service, &hints, &res);
	free(host);
	if (gai) {
		snprintf(err, errlen, "cannot resolve: %s", gai_strerror(gai));
		return -1;
	}
	int64_t deadline = net_now_ms() + timeout_ms;
	int fd = -1, saved = ECONNREFUSED;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, deadline, &saved);
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect: %s",
			 saved == ETIMEDOUT ? "no answer (timed out)" : strerror(saved));
	return fd;
}

int net_write_all(int fd, const void *data, size_t len, int64_t deadline,
		  char *err, size_t errlen)
{
	const char *p = data;
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN) {
			snprintf(err, errlen, "write failed: %s", strerror(errno));
			return -1;
		}
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r <= 0) {
			snprintf(err, errlen, "write %s", r ? strerror(errno) : "timed out");
			return -1;
		}
	}
	return 0;
}

ssize_t net_read(int fd, void *data, size_t len, int64_t deadline,
		 char *err, size_t errlen)
{
	for (;;) {
		ssize_t r = recv(fd, data, len, 0);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			snprintf(err, errlen, "read failed: %s", strerror(errno));
			return -1;
		}
		int w = wait_fd(fd, POLLIN, deadline);
		if (w == 0) {
			snprintf(err, errlen, "no answer (timed out)");
			return -2;
		}
		if (w < 0) {
			snprintf(err, errlen, "poll failed: %s", strerror(errno));
			return -1;
		}
	}
}
