/*
 * mqttload.c - MQTT load for `make bench`: one publisher or one subscriber
 * per process, the same against every broker.
 *
 *   mqttload pub PORT TOPIC COUNT QOS SIZE WINDOW
 *   mqttload sub PORT TOPIC COUNT QOS READY_FILE
 *
 * The publisher sends COUNT messages of SIZE bytes (at least 8: the send
 * time leads the payload) at QOS, with at most WINDOW unacknowledged at
 * QoS 1, and prints
 *
 *   sent=N seconds=S msgs/s=R
 *
 * The subscriber subscribes at QOS, creates READY_FILE once its SUBACK
 * came, receives COUNT messages (acking QoS 1 ones) and prints
 *
 *   received=N seconds=S msgs/s=R p50_us=.. p99_us=..
 *
 * where the seconds go from its first message to its last and the
 * latencies from each message's send time to its arrival. Plain blocking
 * sockets, the packet code of the broker (mqtt_packet.h) on the client's
 * side, with clean sessions: what is measured is the broker.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mqtt_packet.h"

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "mqttload: %s\n", what);
	exit(1);
}

struct client {
	int fd;
	struct buf out;
	struct mqtt_parser *parser;
	char in[65536];
	size_t in_off, in_len;
};

static void flush_out(struct client *c)
{
	while (buf_len(&c->out)) {
		ssize_t n = write(c->fd, buf_data(&c->out), buf_len(&c->out));
		if (n <= 0)
			die("write failed");
		buf_consume(&c->out, (size_t)n);
	}
	buf_reset(&c->out);
}

/* The next packet (blocking). */
static struct mqtt_packet *next_packet(struct client *c)
{
	for (;;) {
		if (c->in_off < c->in_len) {
			struct mqtt_packet *pk;
			const char *err;
			ssize_t n = mqtt_parser_feed(c->parser, c->in + c->in_off,
						     c->in_len - c->in_off, &pk, &err);
			if (n < 0)
				die(err);
			c->in_off += (size_t)n;
			if (pk)
				return pk;
			continue;
		}
		ssize_t n = read(c->fd, c->in, sizeof c->in);
		if (n <= 0)
			die("the broker closed the connection");
		c->in_off = 0;
		c->in_len = (size_t)n;
	}
}

static void expect(struct client *c, enum mqtt_type type)
{
	struct mqtt_packet *pk = next_packet(c);
	if (pk->type != type || (type == MQTT_CONNACK && pk->return_code))
		die("unexpected answer");
	mqtt_packet_free(pk);
}

static void connect_to(struct client *c, int port, const char *id)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("cannot connect");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->parser = mqtt_parser_new(1 << 24);
	mqtt_put_connect(&c->out, id, true, 600, NULL, NULL, 0, false, NULL, NULL);
	flush_out(c);
	expect(c, MQTT_CONNACK);
}

static int publisher(int port, const char *topic, long count, int qos, size_t size, long window)
{
	struct client c = { .out = BUF_INIT };
	char id[64];
	snprintf(id, sizeof id, "mqttload-pub-%d", (int)getpid());
	connect_to(&c, port, id);
	char *payload = calloc(1, size);
	long sent = 0, inflight = 0;
	uint16_t pid = 0;
	int64_t t0 = now_ns();
	while (sent < count) {
		/* A batch: as many as the window allows (64 at QoS 0). */
		long room = qos ? window - inflight : 64;
		for (; room > 0 && sent < count; room--, sent++) {
			int64_t t = now_ns();
			memcpy(payload, &t, sizeof t);
			if (++pid == 0)
				pid = 1;
			mqtt_put_publish(&c.out, (uint8_t)qos, false, false, topic, pid, payload, size);
			inflight += qos > 0;
		}
		flush_out(&c);
		/* At QoS 1, wait for at least one PUBACK when the window is full
		 * or everything is sent. */
		while (qos && inflight && (inflight >= window || sent == count)) {
			struct mqtt_packet *pk = next_packet(&c);
			inflight -= pk->type == MQTT_PUBACK;
			mqtt_packet_free(pk);
		}
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	printf("sent=%ld seconds=%.3f msgs/s=%.0f\n", sent, secs, sent / secs);
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int subscriber(int port, const char *topic, long count, int qos, const char *ready)
{
	struct client c = { .out = BUF_INIT };
	char id[64];
	snprintf(id, sizeof id, "mqttload-sub-%d", (int)getpid());
	connect_to(&c, port, id);
	struct mqtt_filter f = { (char *)topic, (uint8_t)qos };
	mqtt_put_subscribe(&c.out, 1, &f, 1);
	flush_out(&c);
	expect(&c, MQTT_SUBACK);
	FILE *r = fopen(ready, "w");
	if (r)
		fclose(r);
	int64_t *lat = calloc((size_t)count, sizeof *lat);
	int64_t first = 0, last = 0;
	long got = 0;
	while (got < count) {
		struct mqtt_packet *pk = next_packet(&c);
		if (pk->type == MQTT_PUBLISH) {
			int64_t t = now_ns(), sent = 0;
			if (pk->payload_len >= sizeof sent)
				memcpy(&sent, pk->payload, sizeof sent);
			if (!got)
				first = t;
			last = t;
			lat[got++] = t - sent;
			if (pk->qos == 1)
				mqtt_put_ack(&c.out, MQTT_PUBACK, pk->packet_id);
		}
		mqtt_packet_free(pk);
		/* Acks go out when the input read so far is used up. */
		if (c.in_off == c.in_len && buf_len(&c.out))
			flush_out(&c);
	}
	flush_out(&c);
	qsort(lat, (size_t)got, sizeof *lat, cmp64);
	double secs = (double)(last - first) / 1e9;
	printf("received=%ld seconds=%.3f msgs/s=%.0f p50_us=%lld p99_us=%lld\n", got, secs,
	       secs > 0 ? got / secs : 0.0, (long long)lat[got / 2] / 1000,
	       (long long)lat[(long)(got * 0.99)] / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "pub"))
		return publisher(atoi(argv[2]), argv[3], atol(argv[4]), atoi(argv[5]),
				 (size_t)atol(argv[6]) < 8 ? 8 : (size_t)atol(argv[6]), atol(argv[7]));
	if (argc == 7 && !strcmp(argv[1], "sub"))
		return subscriber(atoi(argv[2]), argv[3], atol(argv[4]), atoi(argv[5]), argv[6]);
	fprintf(stderr, "usage: mqttload pub PORT TOPIC COUNT QOS SIZE WINDOW\n"
		"       mqttload sub PORT TOPIC COUNT QOS READY_FILE\n");
	return 2;
}
