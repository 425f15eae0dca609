/*
 * startup.c - how long a broker takes from exec to accepting connections.
 *
 *   startup PORT COMMAND [ARG]...
 *   startup --kill PID PORT [QUEUE]
 *
 * Starts COMMAND with its stdout and stderr both on this program's stderr
 * (so that `res=$(startup ...)` in a script does not wait for the broker
 * to close the pipe), then tries to connect to
 * 127.0.0.1:PORT every 100 microseconds until it succeeds. Prints
 *
 *   pid=PID start_ms=MS
 *
 * and exits 0, leaving the broker running; exits 1 if the command dies or
 * 120 s pass first. A launcher in C, because a script's own start-up
 * (tens of milliseconds for Python) would be measured along with the
 * broker's.
 *
 * With --kill it measures a takeover instead: it kills PID with SIGKILL
 * and tries 127.0.0.1:PORT (the slave's) the same way, printing
 *
 *   takeover_ms=MS
 *
 * With a QUEUE after PORT it then speaks STOMP on that connection:
 * CONNECT, then SUBSCRIBE to /queue/QUEUE with ack:client, and prints
 *
 *   takeover_ms=MS connected_ms=MS message_ms=MS
 *
 * all from the kill: accepting, the CONNECTED frame, the first MESSAGE.
 * The message is not acknowledged, so it stays in the queue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int try_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
	close(fd);
	return rc;
}

/* Tries the port every 100 microseconds for up to 120 s: the time it
 * took in ms, or -1. */
static double until_accepting(int port, int64_t start, pid_t child)
{
	while (now_ns() - start < 120 * 1000000000LL) {
		if (try_connect(port) == 0)
			return (double)(now_ns() - start) / 1e6;
		int status;
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			return -1;
		usleep(100);
	}
	return -1;
}

/* Reads from fd until `want` arrived (a frame's command at the start of
 * a line); -1 when the connection ends first or 120 s pass. */
static int read_until(int fd, const char *want, int64_t start)
{
	char buf[65536];
	size_t have = 0, wlen = strlen(want);
	while (now_ns() - start < 120 * 1000000000LL) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		for (size_t i = 0; i + wlen <= have; i++)
			if ((i == 0 || buf[i - 1] == '\n' || buf[i - 1] == '\0') &&
			    !memcmp(buf + i, want, wlen))
				return 0;
		/* keep a tail that may hold the start of `want` */
		if (have > wlen) {
			memmove(buf, buf + have - wlen, wlen);
			have = wlen;
		}
	}
	return -1;
}

/* The STOMP half of a takeover: CONNECTED and the first MESSAGE of
 * queue, timed from start. */
static int stomp_first(int port, const char *queue, int64_t start, double *connected,
		       double *message)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		fprintf(stderr, "startup: connect to port %d: %s\n", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char frame[1024];
	int len = snprintf(frame, sizeof frame, "CONNECT\naccept-version:1.2\nhost:localhost\n\n%c",
			   0);
	if (write(fd, frame, (size_t)len) != len || read_until(fd, "CONNECTED\n", start) < 0)
		goto fail;
	*connected = (double)(now_ns() - start) / 1e6;
	len = snprintf(frame, sizeof frame, "SUBSCRIBE\nid:0\ndestination:/queue/%s\nack:client\n\n%c",
		       queue, 0);
	if (write(fd, frame, (size_t)len) != len || read_until(fd, "MESSAGE\n", start) < 0)
		goto fail;
	*message = (double)(now_ns() - start) / 1e6;
	close(fd);
	return 0;
fail:
	fprintf(stderr, "startup: no CONNECTED or MESSAGE from port %d\n", port);
	close(fd);
	return -1;
}

static int takeover(pid_t victim, int port, const char *queue)
{
	if (try_connect(port) == 0) {
		fprintf(stderr, "startup: port %d already accepts: no slave there\n", port);
		return 1;
	}
	int64_t start = now_ns();
	if (kill(victim, SIGKILL) < 0) {
		fprintf(stderr, "startup: kill %ld: %s\n", (long)victim, strerror(errno));
		return 1;
	}
	double ms = until_accepting(port, start, 0);
	if (ms < 0) {
		fprintf(stderr, "startup: nothing took over port %d in 120 s\n", port);
		return 1;
	}
	double connected, message;
	if (!queue) {
		printf("takeover_ms=%.1f\n", ms);
		return 0;
	}
	if (stomp_first(port, queue, start, &connected, &message) < 0)
		return 1;
	printf("takeover_ms=%.1f connected_ms=%.1f message_ms=%.1f\n", ms, connected, message);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--kill"))
		return takeover((pid_t)atol(argv[2]), atoi(argv[3]), argc == 5 ? argv[4] : NULL);
	if (argc < 3 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: startup PORT COMMAND [ARG]...\n");
		return 2;
	}
	int port = atoi(argv[1]);
	if (try_connect(port) == 0) {
		fprintf(stderr, "startup: port %d is already taken\n", port);
		return 1;
	}
	int64_t start = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("startup: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(2, 1);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "startup: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	double ms = until_accepting(port, start, pid);
	if (ms >= 0) {
		printf("pid=%ld start_ms=%.1f\n", (long)pid, ms);
		return 0;
	}
	fprintf(stderr, "startup: %s exited or did not accept connections on port %d in 120 s\n",
		argv[2], port);
	return 1;
}
