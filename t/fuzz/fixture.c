/* fixture.c - a broker in the harness's own process (see fixture.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "broker.h"
#include "config.h"
#include "fixture.h"
#include "jolokia.h"
#include "log.h"
#include "loop.h"
#include "web.h"

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
static int fixture_port;
static struct config cfg;

struct loop *fixture_broker(bool web)
{
	if (loop)
		return loop;
	fixture_quiet_log();
	char dir[] = "/tmp/tandem-fuzz-XXXXXX", path[64], xml[1024];
	if (!mkdtemp(dir)) {
		perror("fixture: mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof path, "%s/broker.xml", dir);
	fixture_port = web ? free_port() : 0;
	int n = snprintf(xml, sizeof xml,
			 "<broker xmlns=\"http://activemq.apache.org/schema/core\" "
			 "brokerName=\"fuzz\" persistent=\"false\" dataDirectory=\"%s\">\n"
			 "  <managementContext><managementContext createConnector=\"false\"%s%.0d%s/>"
			 "</managementContext>\n"
			 "</broker>\n", dir, web ? " webConsolePort=\"" : "", fixture_port,
			 web ? "\"" : "");
	FILE *f = fopen(path, "w");
	if (!f || fwrite(xml, 1, (size_t)n, f) != (size_t)n || fclose(f)) {
		perror(path);
		exit(1);
	}
	loop = loop_new();
	if (!loop || config_load(&cfg, path, NULL, 0) < 0 || broker_start(loop, &cfg) < 0) {
		fprintf(stderr, "fixture: the broker did not start\n");
		exit(1);
	}
	unlink(path);
	rmdir(dir);
	for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
		json_t *req = json_loads(setup[i], 0, NULL);
		json_t *resp = req ? jolokia_request(req) : NULL;
		json_t *status = json_object_get(resp, "status");
		if (json_integer_value(status) != 200) {
			fprintf(stderr, "fixture: %s failed\n", setup[i]);
			exit(1);
		}
		json_decref(resp);
		json_decref(req);
	}
	loop_run_once(loop, 0);
	return loop;
}

int fixture_web_port(void)
{
	return fixture_port;
}
