/*
 * startup.c - how long a broker takes from exec to accepting connections.
 *
 *   startup PORT COMMAND [ARG]...
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
 */
#include <arpa/inet.h>
#include <errno.h>
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

int main(int argc, char **argv)
{
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
	while (now_ns() - start < 120 * 1000000000LL) {
		if (try_connect(port) == 0) {
			printf("pid=%ld start_ms=%.1f\n", (long)pid, (double)(now_ns() - start) / 1e6);
			return 0;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "startup: %s exited before accepting connections\n",
				argv[2]);
			return 1;
		}
		usleep(100);
	}
	fprintf(stderr, "startup: nothing accepted connections on port %d in 120 s\n", port);
	return 1;
}
