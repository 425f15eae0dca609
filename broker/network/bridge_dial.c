/*
 * bridge_dial.c - dialling a remote broker for a bridge (see bridge.h):
 * HOST:PORT to a connected socket without blocking the loop.
 *
 * A numeric address (127.0.0.1:61616, [::1] without brackets) is connected
 * at once, as before; a name goes to the resolver thread (resolve.h) and
 * is connected when its answer comes back. Either way the bridge hears
 * once: on_connected when the socket is writable, or on_fail with why. A
 * bridge that stops or fails meanwhile cancels the dial
 * (bridge_dial_cancel), and the lookup's late answer is thrown away.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "broker.h"
#include "loop.h"
#include "resolve.h"

void bridge_dial_init(struct bridge_dial *d, struct bridge *b)
{
	*d = (struct bridge_dial){ .b = b, .fd = -1 };
}

/* Says why the dial failed, once; d is idle again before the bridge hears. */
static void dial_failed(struct bridge_dial *d, const char *fmt, const char *detail)
{
	char why[400];
	snprintf(why, sizeof why, fmt, d->addr, detail);
	d->on_fail(d->b, why);
}

/* The non-blocking connect() to the first address of ai (freed here). */
static void connect_to(struct bridge_dial *d, struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		int e = errno;
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		dial_failed(d, "cannot connect to %s: %s", strerror(e));
		return;
	}
	freeaddrinfo(ai);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (loop_add_fd(broker.loop, fd, LOOP_WRITE, d->on_connected, d->b) < 0) {
		int e = errno;
		close(fd);
		dial_failed(d, "cannot watch the connection to %s: %s", strerror(e));
		return;
	}
	d->fd = fd;
}

/* The resolver's answer for d's name (resolve_fn). */
static void resolved(void *ctx, struct addrinfo *ai, int err)
{
	struct bridge_dial *d = ctx;
	d->resolving = NULL;
	if (!ai)
		dial_failed(d, "cannot resolve %s: %s", gai_strerror(err));
	else
		connect_to(d, ai);
}

void bridge_dial(struct bridge_dial *d, const char *addr, loop_fd_fn on_connected,
		 bridge_dial_fail_fn on_fail)
{
	bridge_dial_cancel(d);
	d->on_connected = on_connected;
	d->on_fail = on_fail;
	snprintf(d->addr, sizeof d->addr, "%s", addr);
	char host[256];
	const char *colon = strrchr(addr, ':');
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	/* A numeric address asks no server: no thread, no wait. */
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc == 0) {
		connect_to(d, ai);
		return;
	}
	if (rc != EAI_NONAME) {
		dial_failed(d, "cannot resolve %s: %s", gai_strerror(rc));
		return;
	}
	d->resolving = resolve_start(broker.loop, host, colon + 1, resolved, d);
	if (!d->resolving)
		dial_failed(d, "cannot resolve %s: %s", strerror(errno));
}

int bridge_dialled(struct bridge_dial *d, int fd)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err) {
		loop_del_fd(broker.loop, fd);
		d->fd = -1;
	}
	return err;
}

void bridge_dial_cancel(struct bridge_dial *d)
{
	if (d->resolving) {
		resolve_cancel(d->resolving);
		d->resolving = NULL;
	}
	if (d->fd >= 0) {
		loop_del_fd(broker.loop, d->fd);
		close(d->fd);
		d->fd = -1;
	}
}
