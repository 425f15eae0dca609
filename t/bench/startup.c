/*
 * startup.c - how long a broker takes from exec to accepting connections.
 *
 *   startup PORT COMMAND [ARG]...
 *   startup --kill PID PORT
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

static int takeover(pid_t victim, int port)
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
	printf("takeover_ms=%.1f\n", ms);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--kill"))
		return takeover((pid_t)atol(argv[2]), atoi(argv[3]));
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
