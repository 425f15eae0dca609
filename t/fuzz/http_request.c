/*
 * http_request.c - fuzz harness: the web server's requests (web/), from
 * the bytes on the wire through libmicrohttpd to our request handler,
 * the route table, the login, the CSRF check, the pages and the APIs.
 *
 * A broker with its web console runs in the harness's process
 * (fixture.h). Each input is written, as it is, on a new loopback
 * connection, which is then half-closed; the harness runs the broker's
 * loop until the server closes the connection or a short deadline passes.
 * Our code cannot be reached without libmicrohttpd's own parsing in front
 * (its connection object is opaque), so this exercises both, as a client
 * would. Each input comes from its own 127.x.y.z address, so that the
 * per-address login throttle and connection limit that earlier inputs
 * set off do not shut out the later ones (every 127/8 address counts as
 * loopback, where ActiveMQ's default admin/admin login is taken).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "loop.h"
#include "web.h"

#define DEADLINE_ROUNDS 200	/* of at most 1 ms each */
/* libmicrohttpd keeps a connection open after its answers even when the
 * client has half-closed it, and stops reading one it refused: the
 * exchange is taken as over when nothing went either way for this many
 * rounds. */
#define QUIET_ROUNDS 3

/* Each input takes milliseconds of waiting: fewer of them in make check
 * (driver.c) than for the parsers. */
unsigned long fuzz_check_mutations = 1000;

static int client(void)
{
	static uint32_t n;
	n = n % 0xfffffd + 1;
	struct sockaddr_in from = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(0x7f000001u + n) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u),
				  .sin_port = htons((uint16_t)fixture_web_port()) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&from, sizeof from) < 0 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what came (*got: whether anything did); false once the server
 * has closed. */
static bool still_open(int fd, bool *got)
{
	char buf[65536];
	*got = false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		*got |= n > 0;
		if (n > 0 && getenv("FUZZ_SHOW"))	/* to see what an input reaches */
			fprintf(stderr, "%.*s\n", (int)strcspn(buf, "\r\n"), buf);
		if (n > 0)
			continue;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loop *l = fixture_broker(true);
	int fd = client();
	if (fd < 0)
		return 0;
	size_t off = 0;
	int rounds = 0, quiet = 0;
	while (rounds++ < DEADLINE_ROUNDS) {
		bool sent = false;
		if (off < size) {
			ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			sent = n > 0;
			if (n > 0)
				off += (size_t)n;
			if (off == size)
				shutdown(fd, SHUT_WR);
		} else if (!size) {
			shutdown(fd, SHUT_WR);
		}
		loop_run_once(l, 1);
		bool got;
		if (!still_open(fd, &got))
			break;
		quiet = got || sent ? 0 : quiet + 1;
		if (quiet == QUIET_ROUNDS)
			break;
	}
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "-- %d rounds\n", rounds);
	close(fd);
	/* A request still waiting (a GET of /api/message for a message)
	 * is let go now, as when the broker stops serving; its connection
	 * then ends with the next runs of the loop. */
	web_stop_serving();
	loop_run_once(l, 0);
	return 0;
}
