/* fixture.c - a broker in the harness's own process (see fixture.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "authz.h"
#include "broker.h"
#include "config.h"
#include "fixture.h"
#include "jolokia.h"
#include "log.h"
#include "loop.h"

static void drop(void *ctx, enum log_level level, const char *component, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)component;
	(void)msg;
}

void fixture_quiet_log(void)
{
	log_set_sink(drop, NULL);
}

/* A port free now on loopback. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		perror("fixture: a free port");
		exit(1);
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* What the broker holds before the first input: made through the
 * management model, as an operator would. */
static const char *const setup[] = {
	"{\"type\":\"exec\",\"mbean\":\"org.apache.activemq:type=Broker,brokerName=fuzz\","
	"\"operation\":\"addQueue\",\"arguments\":[\"fuzz.a\"]}",
	"{\"type\":\"exec\",\"mbean\":\"org.apache.activemq:type=Broker,brokerName=fuzz\","
	"\"operation\":\"addQueue\",\"arguments\":[\"fuzz.b\"]}",
	"{\"type\":\"exec\",\"mbean\":\"org.apache.activemq:type=Broker,brokerName=fuzz\","
	"\"operation\":\"addTopic\",\"arguments\":[\"fuzz.t\"]}",
	"{\"type\":\"exec\",\"mbean\":\"org.apache.activemq:type=Broker,brokerName=fuzz,"
	"destinationType=Queue,destinationName=fuzz.a\",\"operation\":\"sendTextMessage\","
	"\"arguments\":[\"one\"]}",
	"{\"type\":\"exec\",\"mbean\":\"org.apache.activemq:type=Broker,brokerName=fuzz,"
	"destinationType=Queue,destinationName=fuzz.a\",\"operation\":\"sendTextMessage\","
	"\"arguments\":[{\"color\":\"red\"},\"two\"]}",
};

static struct loop *loop;
static int tcp_port, web_port;
static struct config cfg;

static void write_config(const char *path, const char *dir)
{
	FILE *f = fopen(path, "w");
	int n = f ? fprintf(f,
		"<broker xmlns=\"http://activemq.apache.org/schema/core\" brokerName=\"fuzz\"\n"
		"        persistent=\"false\" dataDirectory=\"%s\">\n"
		"  <managementContext><managementContext createConnector=\"false\"\n"
		"      webConsolePort=\"%d\"/></managementContext>\n"
		"  <transportConnectors>\n"
		"    <transportConnector name=\"auto\" uri=\"tcp://127.0.0.1:%d\"/>\n"
		"  </transportConnectors>\n"
		"</broker>\n", dir, web_port, tcp_port) : -1;
	if (n < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

struct loop *fixture_broker(void)
{
	if (loop)
		return loop;
	fixture_quiet_log();
	char dir[] = "/tmp/tandem-fuzz-XXXXXX", path[64];
	if (!mkdtemp(dir)) {
		perror("fixture: mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof path, "%s/broker.xml", dir);
	tcp_port = free_port();
	web_port = free_port();
	write_config(path, dir);
	loop = loop_new();
	if (!loop || config_load(&cfg, path, NULL, 0) < 0 || broker_start(loop, &cfg) < 0) {
		fprintf(stderr, "fixture: the broker did not start\n");
		exit(1);
	}
	unlink(path);
	rmdir(dir);
	const struct authz_who owner = { .user = "fixture", .peer = "fixture", .level = AUTHZ_ALL };
	for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
		json_t *req = json_loads(setup[i], 0, NULL);
		json_t *resp = req ? jolokia_request(req, &owner) : NULL;
		if (json_integer_value(json_object_get(resp, "status")) != 200) {
			fprintf(stderr, "fixture: %s failed\n", setup[i]);
			exit(1);
		}
		json_decref(resp);
		json_decref(req);
	}
	loop_run_once(loop, 0);
	return loop;
}

int fixture_tcp_port(void)
{
	return tcp_port;
}

int fixture_web_port(void)
{
	return web_port;
}

/* ---- a client ---- */

#define DEADLINE_ROUNDS 200	/* of at most 1 ms each */
/* The broker may keep a connection open after its answers even when the
 * client has half-closed it (libmicrohttpd does), or stop reading one it
 * refused: the exchange is taken as over when nothing went either way for
 * this many rounds. */
#define QUIET_ROUNDS 3

static int client(int port)
{
	static uint32_t n;
	n = n % 0xfffffd + 1;
	struct sockaddr_in from = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(0x7f000001u + n) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u),
				  .sin_port = htons((uint16_t)port) };
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

/* Reads what came (*got: whether anything did); false once the broker
 * has closed. FUZZ_SHOW in the environment shows the first line of each
 * read, to see what an input reaches. */
static bool still_open(int fd, bool *got)
{
	char buf[65536];
	*got = false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n <= 0)
			return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		*got = true;
		buf[n] = '\0';
		if (getenv("FUZZ_SHOW"))
			fprintf(stderr, "%.*s\n", (int)strcspn(buf, "\r\n"), buf);
	}
}

void fixture_exchange(int port, const uint8_t *data, size_t size)
{
	struct loop *l = fixture_broker();
	int fd = client(port);
	if (fd < 0)
		return;
	size_t off = 0;
	int rounds = 0, quiet = 0;
	if (!size)
		shutdown(fd, SHUT_WR);
	while (rounds++ < DEADLINE_ROUNDS && quiet < QUIET_ROUNDS) {
		bool sent = false, got;
		if (off < size) {
			ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			sent = n > 0;
			off += n > 0 ? (size_t)n : 0;
			if (off == size)
				shutdown(fd, SHUT_WR);
		}
		loop_run_once(l, 1);
		if (!still_open(fd, &got))
			break;
		quiet = got || sent ? 0 : quiet + 1;
	}
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "-- %d rounds\n", rounds);
	close(fd);
	loop_run_once(l, 0);
}

void fixture_kahadb_twice(const uint8_t *data, size_t size,
			  void (*fn)(const uint8_t *data, size_t size))
{
	fn(data, size);
	enum { SUM_AT = 20, SUM_LEN = 8 };	/* in a batch control record */
	if (size < SUM_AT + SUM_LEN)
		return;
	uint8_t *copy = malloc(size);
	if (!copy)
		return;
	memcpy(copy, data, size);
	memset(copy + SUM_AT, 0, SUM_LEN);
	fn(copy, size);
	free(copy);
}
