/*
 * connector.c - listening sockets for <transportConnector> (see connector.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "connector.h"
#include "log.h"
#include "loop.h"
#include "proto.h"

/* One warning per connector per this many ms when refusing connections,
 * with the count of those refused in between: a connection storm must not
 * become a log storm. */
#define REFUSAL_LOG_MS 10000

/* Schemes whose protocol is fixed, and schemes that detect. */
static const struct {
	const char *scheme;
	const char *proto;	/* NULL: detect from the first bytes */
} schemes[] = {
	{ "tcp", NULL }, { "nio", NULL }, { "auto", NULL }, { "auto+nio", NULL },
	{ "stomp", "stomp" }, { "stomp+nio", "stomp" },
	{ "mqtt", "mqtt" }, { "mqtt+nio", "mqtt" },
	{ "amqp", "amqp" }, { "amqp+nio", "amqp" },
};

static void on_accept(struct loop *l, int fd, int events, void *ctx);

int connector_start(struct connector *ct, struct loop *l,
		    const struct conf_connector *conf)
{
	memset(ct, 0, sizeof *ct);
	ct->conf = conf;
	ct->loop = l;
	ct->fd = -1;

	size_t i;
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strcmp(schemes[i].scheme, conf->scheme) == 0)
			break;
	if (i == sizeof schemes / sizeof schemes[0]) {
		log_error("connector", "Connector %s: scheme %s:// is not supported "
			  "(tcp, nio, auto, stomp, mqtt, amqp are)", conf->name,
			  conf->scheme);
		return -1;
	}
	if (schemes[i].proto) {
		ct->fixed = proto_find(schemes[i].proto);
		if (!ct->fixed || !ct->fixed->open) {
			log_warn("connector", "Connector %s (%s): %s is not served by "
				 "this version of Tandem yet; connector not started",
				 conf->name, conf->uri, schemes[i].proto);
			return 1;
		}
	}

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[16];
	snprintf(port, sizeof port, "%d", conf->port);
	const char *host = conf->host && *conf->host ? conf->host : NULL;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		log_error("connector", "Connector %s: cannot resolve %s: %s",
			  conf->name, conf->host, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 511) < 0) {
		log_error("connector", "Connector %s: cannot listen on %s: %s",
			  conf->name, conf->uri, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	ct->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	if (loop_add_fd(l, fd, LOOP_READ, on_accept, ct) < 0) {
		log_error("connector", "Connector %s: %s", conf->name, strerror(errno));
		close(fd);
		return -1;
	}
	ct->fd = fd;
	log_info("connector", "Listening for connections at: %s://%s:%d (%s)",
		 conf->scheme, conf->host, ct->port,
		 ct->fixed ? ct->fixed->label : "STOMP detected; MQTT, OpenWire, AMQP recognised");
	log_info("connector", "Connector %s started", conf->name);
	return 0;
}

void connector_stop(struct connector *ct)
{
	if (ct->fd < 0)
		return;
	loop_del_fd(ct->loop, ct->fd);
	close(ct->fd);
	ct->fd = -1;
	log_info("connector", "Connector %s stopped", ct->conf->name);
}

void connector_conn_closed(struct connector *ct)
{
	ct->current--;
}

static void refuse(struct connector *ct, int fd, const char *peer)
{
	close(fd);
	ct->refused++;
	ct->refused_unlogged++;
	int64_t now = loop_now(ct->loop);
	if (ct->refusal_logged_at && now - ct->refusal_logged_at < REFUSAL_LOG_MS)
		return;
	log_warn("connector", "Reached the maximum number of allowed client "
		 "connections. Connector: %s, Limit: %ld; refused %ld connection(s), "
		 "the last from %s", ct->conf->name, ct->conf->max_connections,
		 ct->refused_unlogged, peer);
	ct->refused_unlogged = 0;
	ct->refusal_logged_at = now;
}

static void on_accept(struct loop *l, int lfd, int events, void *ctx)
{
	(void)events;
	struct connector *ct = ctx;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_error("connector", "Connector %s: cannot accept: %s",
					  ct->conf->name, strerror(errno));
			return;
		}
		char host[INET6_ADDRSTRLEN] = "?", peer[64];
		int port = 0;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
			port = ntohs(sin->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
			port = ntohs(sin6->sin6_port);
		}
		snprintf(peer, sizeof peer, "%s:%d", host, port);
		if (ct->current >= ct->conf->max_connections) {
			refuse(ct, fd, peer);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		ct->current++;
		ct->accepted++;
		if (!conn_new(l, ct, fd, peer, ct->fixed))
			ct->current--;
	}
}
