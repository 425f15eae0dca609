/*
 * stompbench.c - a STOMP load generator for `make bench`.
 *
 *   stompbench -p PORT [-P producers] [-C consumers] [-n messages per producer]
 *              [-s size] [-r receipt-every] [--persistent] [--topic] [-d name]
 *              [-E messages to receive, for draining a backlog with -P 0]
 *
 * Producers send n messages each, asking for a RECEIPT every r messages and
 * waiting for it (r=1: one message in flight per producer). Consumers
 * subscribe first (auto ack); on a queue they share the messages, on a
 * topic each gets all of them. Every body starts with the send time, so the
 * consumers measure end-to-end latency. Prints one line:
 *
 *   msgs/s=... p50_us=... p99_us=... received=...
 *
 * Plain blocking sockets and one thread per client: the point is to load
 * the broker, not to be clever.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "stomp_frame.h"

static int port, producers = 1, consumers = 1, receipt_every = 1;
static long expect_override = -1;	/* -E: drain a backlog */
static long per_producer = 10000;
static size_t size = 1024;
static bool persistent, topic;
static const char *name = "bench";
static char dest[256];

static long expected;		/* messages all consumers receive in all */
static long received;
static int64_t *latencies;	/* microseconds, one per received message */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int subscribed;
static int consumer_fds[64];
static volatile bool all_received;	/* consumers may see their socket close */

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "stompbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct client {
	int fd;
	struct stomp_parser *parser;
	char in[65536];
	size_t in_off, in_len;
};

static void send_all(struct client *c, const struct buf *b)
{
	const char *p = buf_data(b);
	size_t n = buf_len(b);
	while (n) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* The next frame from the broker; exits on an ERROR or a closed socket. */
static struct stomp_frame *next_frame(struct client *c)
{
	for (;;) {
		if (c->in_off < c->in_len) {
			struct stomp_frame *f = NULL;
			const char *err = NULL;
			ssize_t n = stomp_parser_feed(c->parser, c->in + c->in_off,
						      c->in_len - c->in_off, &f, &err);
			if (n < 0) {
				fprintf(stderr, "stompbench: bad frame from the broker: %s\n", err);
				exit(1);
			}
			c->in_off += (size_t)n;
			if (f) {
				if (!strcmp(f->command, "ERROR")) {
					fprintf(stderr, "stompbench: ERROR: %s\n",
						stomp_frame_header(f, "message"));
					exit(1);
				}
				return f;
			}
		}
		ssize_t r = read(c->fd, c->in, sizeof c->in);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (all_received)
				return NULL;
			fprintf(stderr, "stompbench: the broker closed the connection\n");
			exit(1);
		}
		c->in_off = 0;
		c->in_len = (size_t)r;
	}
}

static void client_open(struct client *c)
{
	memset(c, 0, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->parser = stomp_parser_new(1 << 26);
	struct buf b = BUF_INIT;
	stomp_put_command(&b, "CONNECT");
	stomp_put_header(&b, STOMP_V10, "accept-version", "1.2");
	stomp_put_header(&b, STOMP_V10, "host", "localhost");
	stomp_put_header(&b, STOMP_V10, "login", "admin");
	stomp_put_header(&b, STOMP_V10, "passcode", "admin");
	stomp_put_body(&b, NULL, 0, 0);
	send_all(c, &b);
	buf_free(&b);
	struct stomp_frame *f = next_frame(c);
	if (strcmp(f->command, "CONNECTED")) {
		fprintf(stderr, "stompbench: expected CONNECTED, got %s\n", f->command);
		exit(1);
	}
	stomp_parser_set_version(c->parser, STOMP_V12);
	stomp_frame_free(f);
}

static void *consume(void *arg)
{
	struct client c;
	client_open(&c);
	consumer_fds[(long)arg] = c.fd;
	struct buf b = BUF_INIT;
	stomp_put_command(&b, "SUBSCRIBE");
	stomp_put_header(&b, STOMP_V12, "id", "1");
	stomp_put_header(&b, STOMP_V12, "destination", dest);
	stomp_put_header(&b, STOMP_V12, "ack", "auto");
	stomp_put_header(&b, STOMP_V12, "receipt", "sub");
	stomp_put_body(&b, NULL, 0, 0);
	send_all(&c, &b);
	buf_free(&b);
	bool sub_confirmed = false;
	for (;;) {
		struct stomp_frame *f = next_frame(&c);
		if (!f)
			break;
		if (!strcmp(f->command, "RECEIPT")) {
			/* Messages of a backlog may come before it. */
			stomp_frame_free(f);
			if (!sub_confirmed) {
				sub_confirmed = true;
				pthread_mutex_lock(&mu);
				subscribed++;
				pthread_cond_broadcast(&cv);
				pthread_mutex_unlock(&mu);
			}
			continue;
		}
		int64_t t = now_us(), sent = 0;
		if (!strcmp(f->command, "MESSAGE"))
			sscanf(f->body, "%" SCNd64, &sent);
		stomp_frame_free(f);
		pthread_mutex_lock(&mu);
		if (received < expected)
			latencies[received] = t - sent;
		received++;
		bool done = received >= expected;
		if (done)
			pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
		if (done)
			break;
	}
	close(c.fd);
	stomp_parser_free(c.parser);
	return NULL;
}

static void *produce(void *arg)
{
	long id = (long)arg;
	struct client c;
	client_open(&c);
	char *body = malloc(size + 1);
	memset(body, 'x', size);
	struct buf b = BUF_INIT;
	for (long i = 1; i <= per_producer; i++) {
		int n = snprintf(body, size, "%" PRId64 " ", now_us());
		body[n] = 'x';
		buf_reset(&b);
		stomp_put_command(&b, "SEND");
		stomp_put_header(&b, STOMP_V12, "destination", dest);
		stomp_put_header(&b, STOMP_V12, "persistent", persistent ? "true" : "false");
		bool want = i % receipt_every == 0 || i == per_producer;
		char rid[32];
		if (want) {
			snprintf(rid, sizeof rid, "%ld-%ld", id, i);
			stomp_put_header(&b, STOMP_V12, "receipt", rid);
		}
		stomp_put_body(&b, body, size, 1);
		send_all(&c, &b);
		if (want)
			stomp_frame_free(next_frame(&c));
	}
	buf_free(&b);
	free(body);
	close(c.fd);
	stomp_parser_free(c.parser);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "persistent", no_argument, NULL, 'x' },
		{ "topic", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, "p:P:C:n:s:r:d:E:", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'P': producers = atoi(optarg); break;
		case 'C': consumers = atoi(optarg); break;
		case 'n': per_producer = atol(optarg); break;
		case 's': size = (size_t)atol(optarg); break;
		case 'r': receipt_every = atoi(optarg); break;
		case 'd': name = optarg; break;
		case 'E': expect_override = atol(optarg); break;
		case 'x': persistent = true; break;
		case 't': topic = true; break;
		default:
			fprintf(stderr, "usage: stompbench -p PORT [-P n] [-C n] [-n n] [-s bytes] "
				"[-r n] [-d name] [--persistent] [--topic]\n");
			return 2;
		}
	}
	if (!port || size < 32 || producers < 0 || consumers < 0 || receipt_every < 1) {
		fprintf(stderr, "stompbench: -p PORT is needed; sizes of at least 32 bytes\n");
		return 2;
	}
	snprintf(dest, sizeof dest, "/%s/%s", topic ? "topic" : "queue", name);
	long total = per_producer * producers;
	expected = consumers ? (topic ? total * consumers : total) : 0;
	if (expect_override >= 0) {	/* drain what is there */
		expected = expect_override;
		total = expect_override;
	}
	latencies = calloc((size_t)(expected ? expected : 1), sizeof *latencies);

	pthread_t ct[64], pt[64];
	if (consumers > 64 || producers > 64)
		return 2;
	for (int i = 0; i < consumers; i++)
		pthread_create(&ct[i], NULL, consume, (void *)(long)i);
	pthread_mutex_lock(&mu);
	while (subscribed < consumers)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);

	int64_t start = now_us();
	for (long i = 0; i < producers; i++)
		pthread_create(&pt[i], NULL, produce, (void *)i);
	for (int i = 0; i < producers; i++)
		pthread_join(pt[i], NULL);
	int64_t sent_end = now_us();
	pthread_mutex_lock(&mu);
	while (consumers && received < expected)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	int64_t end = consumers ? now_us() : sent_end;
	/* The consumers that did not take the last message wait in read(). */
	all_received = true;
	for (int i = 0; i < consumers; i++)
		shutdown(consumer_fds[i], SHUT_RDWR);
	for (int i = 0; i < consumers; i++)
		pthread_join(ct[i], NULL);

	double secs = (double)(end - start) / 1e6;
	qsort(latencies, (size_t)(expected ? expected : 1), sizeof *latencies, cmp64);
	int64_t p50 = expected ? latencies[expected / 2] : 0;
	int64_t p99 = expected ? latencies[expected * 99 / 100] : 0;
	printf("msgs/s=%.0f p50_us=%" PRId64 " p99_us=%" PRId64 " sent=%ld received=%ld "
	       "seconds=%.2f\n", (double)total / secs, p50, p99, total, received, secs);
	free(latencies);
	return 0;
}
