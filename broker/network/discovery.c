/*
 * discovery.c - multicast discovery agents (see discovery.h).
 *
 * `agents` lists every agent of this broker; an advertiser knows its
 * connector and the service URI it sends, a listener its networkConnector
 * and the remote services it heard, each with the bridge made for it.
 * Start reading at discovery_start().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "connector.h"
#include "discovery.h"
#include "discovery_wire.h"
#include "log.h"
#include "loop.h"

#define JOIN_RETRY_MS 5000
#define READS_PER_WAKE 64

/* A service a listener heard, and the bridge to it. */
struct remote {
	char service[512];
	char broker[128];
	int64_t heard;			/* loop time of its last heartbeat */
	struct bridge *bridge;		/* NULL when bridge_add() refused the URI */
	struct remote *next;
};

struct agent {
	struct discovery_group g;
	char where[192];		/* "group default (239.255.2.3:6155)", for logs */
	int fd;
	uint64_t timer;
	bool failing;			/* the last join or send failed (and said so) */
	/* An advertiser: */
	const struct connector *ct;
	char service[512];		/* "" until its address is known */
	/* A listener: */
	const struct conf_network_connector *nc;
	struct remote *remotes;
	struct agent *next;
};

static struct agent *agents;
static struct loop *loop;

static void heartbeat(struct loop *l, void *ctx);

/* The first failure is logged; the same failure again is not, until it
 * worked in between. */
static void say_failure(struct agent *a, const char *what, int err)
{
	if (a->failing)
		return;
	a->failing = true;
	const char *hint = err == ENODEV || err == ENETUNREACH
		? " (no route to the multicast group: add one, e.g. ip route add 224.0.0.0/4 dev IFACE)"
		: "";
	log_error("discovery", "%s on multicast %s: %s%s; trying again", what, a->where,
		  strerror(err), hint);
}

/* An interface named in the URI, for sending and joining; 0 when none or
 * when it does not exist (*err set). */
static int interface_index(const struct agent *a, int *err)
{
	if (!a->g.ifname[0])
		return 0;
	unsigned idx = if_nametoindex(a->g.ifname);
	if (!idx)
		*err = errno;
	return (int)idx;
}

static struct sockaddr_in group_addr(const struct agent *a)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)a->g.port),
				     .sin_addr = a->g.addr };
}

static bool own_service(const char *service)
{
	for (const struct agent *a = agents; a; a = a->next)
		if (a->ct && a->service[0] && !strcmp(a->service, service))
			return true;
	return false;
}

/* ---- advertising ---- */

static bool wildcard_host(const char *host)
{
	return !*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "::") || !strcmp(host, "[::]");
}

/* Opens the socket and works out the service URI; 0 or an errno. The
 * socket is connected to the group: then the kernel has chosen the
 * interface and source address that reach the group, which is the
 * address to advertise for a connector bound to every address. */
static int advertiser_open(struct agent *a)
{
	int err = 0, ifindex = interface_index(a, &err);
	if (err)
		return err;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct ip_mreqn mr = { .imr_ifindex = ifindex };
	struct sockaddr_in to = group_addr(a), me;
	socklen_t len = sizeof me;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &a->g.ttl, sizeof a->g.ttl) < 0 ||
	    (ifindex && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0) ||
	    connect(fd, (struct sockaddr *)&to, sizeof to) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	const struct conf_connector *c = a->ct->conf;
	char host[INET6_ADDRSTRLEN + 2];
	if (wildcard_host(c->host))
		inet_ntop(AF_INET, &me.sin_addr, host, sizeof host);
	else if (strchr(c->host, ':') && c->host[0] != '[')
		snprintf(host, sizeof host, "[%s]", c->host);
	else
		snprintf(host, sizeof host, "%s", c->host);
	snprintf(a->service, sizeof a->service, "%s://%s:%d", c->scheme, host, a->ct->port);
	a->fd = fd;
	return 0;
}

static void advertise(struct agent *a, bool alive)
{
	char text[DISCOVERY_DATAGRAM_MAX];
	int n = discovery_format(text, sizeof text, a->g.name, alive, broker.cfg->broker_name,
				 a->service);
	if (n < 0 || send(a->fd, text, (size_t)n, 0) == n) {
		if (a->failing && n >= 0)
			log_info("discovery", "Advertising %s on multicast %s again", a->service,
				 a->where);
		a->failing = false;
		return;
	}
	char what[600];
	snprintf(what, sizeof what, "Cannot advertise %s", a->service);
	say_failure(a, what, errno);
}

static void advertiser_beat(struct agent *a)
{
	if (a->fd < 0) {
		int err = advertiser_open(a);
		if (err) {
			char what[256];
			snprintf(what, sizeof what, "Cannot advertise connector %s", a->ct->conf->name);
			say_failure(a, what, err);
			return;
		}
		log_info("discovery", "Advertising %s (connector %s) on multicast %s every %" PRId64
			 " ms", a->service, a->ct->conf->name, a->where, a->g.keepalive_ms);
		a->failing = false;
	}
	advertise(a, true);
}

/* ---- listening ---- */

static void remote_drop(struct agent *a, struct remote *r, const char *why)
{
	for (struct remote **pp = &a->remotes; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (why)
		log_info("discovery", "networkConnector %s: %s (broker %s) %s: removing its bridge",
			 a->nc->name, r->service, r->broker, why);
	if (r->bridge)
		bridge_remove(r->bridge);
	free(r);
}

static void on_news(struct agent *a, const struct discovery_news *n)
{
	if (own_service(n->service))
		return;
	struct remote *r = a->remotes;
	while (r && strcmp(r->service, n->service))
		r = r->next;
	if (!n->alive) {
		if (r)
			remote_drop(a, r, "said it stops");
		return;
	}
	if (r) {
		r->heard = loop_now(loop);
		return;
	}
	if (!(r = calloc(1, sizeof *r))) {
		log_error("discovery", "networkConnector %s: out of memory for %s", a->nc->name,
			  n->service);
		return;
	}
	snprintf(r->service, sizeof r->service, "%s", n->service);
	snprintf(r->broker, sizeof r->broker, "%s", n->broker);
	r->heard = loop_now(loop);
	r->next = a->remotes;
	a->remotes = r;
	log_info("discovery", "networkConnector %s: discovered %s (broker %s) on multicast %s: "
		 "adding a bridge", a->nc->name, r->service, r->broker, a->where);
	r->bridge = bridge_add(a->nc, r->service);
}

static void on_datagram(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)events;
	struct agent *a = ctx;
	char data[DISCOVERY_DATAGRAM_MAX];
	for (int i = 0; i < READS_PER_WAKE; i++) {
		ssize_t n = recv(fd, data, sizeof data, 0);
		if (n < 0)
			return;	/* EAGAIN; an error of one datagram is not the group's */
		struct discovery_news news;
		if (discovery_parse(data, (size_t)n, a->g.name, &news) == 0)
			on_news(a, &news);
	}
}

/* Binds to the group's address (only its datagrams arrive) with
 * SO_REUSEADDR (other agents and brokers of this host hear them too) and
 * joins. 0 or an errno. */
static int listener_open(struct agent *a)
{
	int err = 0, ifindex = interface_index(a, &err), one = 1;
	if (err)
		return err;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct sockaddr_in at = group_addr(a);
	struct ip_mreqn mr = { .imr_multiaddr = a->g.addr, .imr_ifindex = ifindex };
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&at, sizeof at) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0 ||
	    loop_add_fd(loop, fd, LOOP_READ, on_datagram, a) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	a->fd = fd;
	return 0;
}

static void listener_beat(struct agent *a)
{
	if (a->fd < 0) {
		int err = listener_open(a);
		if (err) {
			char what[256];
			snprintf(what, sizeof what, "networkConnector %s: cannot join", a->nc->name);
			say_failure(a, what, err);
			return;
		}
		log_info("discovery", "networkConnector %s: listening for brokers on multicast %s",
			 a->nc->name, a->where);
		a->failing = false;
	}
	int64_t deadline = loop_now(loop) - a->g.keepalive_ms * DISCOVERY_MISSES;
	for (struct remote *r = a->remotes, *next; r; r = next) {
		next = r->next;
		if (r->heard < deadline) {
			char why[64];
			snprintf(why, sizeof why, "was not heard for %" PRId64 " ms",
				 a->g.keepalive_ms * DISCOVERY_MISSES);
			remote_drop(a, r, why);
		}
	}
}

/* ---- agents ---- */

static void heartbeat(struct loop *l, void *ctx)
{
	struct agent *a = ctx;
	if (a->ct)
		advertiser_beat(a);
	else
		listener_beat(a);
	/* A listener that could not join waits longer: the route may come. */
	int64_t next = a->nc && a->fd < 0 ? JOIN_RETRY_MS : a->g.keepalive_ms;
	a->timer = loop_add_timer(l, next, heartbeat, a);
}

static struct agent *agent_new(const char *owner, const char *uri)
{
	struct agent *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	char why[256];
	a->fd = -1;
	if (discovery_parse_uri(uri, &a->g, why, sizeof why) < 0) {
		log_error("discovery", "%s: cannot use %s: expected %s; no discovery there", owner,
			  uri, why);
		a->fd = -2;	/* refused: freed by the caller */
		return a;
	}
	char addr[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a->g.addr, addr, sizeof addr);
	snprintf(a->where, sizeof a->where, "group %s (%s:%d%s%s)", a->g.name, addr, a->g.port,
		 a->g.ifname[0] ? " on " : "", a->g.ifname);
	if (a->g.ignored[0])
		log_warn("discovery", "%s: %s: options not known to Tandem, ignored: %s", owner, uri,
			 a->g.ignored);
	return a;
}

static int agent_start(struct agent *a)
{
	if (a->fd == -2) {
		free(a);
		return 0;
	}
	a->next = agents;
	agents = a;
	heartbeat(loop, a);
	return a->timer ? 0 : -1;
}

int discovery_start(struct loop *l)
{
	loop = l;
	const struct config *cfg = broker.cfg;
	char owner[256];
	/* Advertisers first: listeners must know this broker's own services. */
	for (size_t i = 0; i < broker.nconnectors; i++) {
		const struct connector *ct = &broker.connectors[i];
		const char *uri = ct->conf->discovery_uri;
		if (!uri || ct->fd < 0)
			continue;
		snprintf(owner, sizeof owner, "transportConnector %s discoveryUri", ct->conf->name);
		if (strncmp(uri, "multicast:", 10)) {
			log_warn("discovery", "%s: %s discovery is not served by this version of "
				 "Tandem (multicast:// is); not advertised", owner, uri);
			continue;
		}
		struct agent *a = agent_new(owner, uri);
		if (!a)
			return -1;
		a->ct = ct;
		if (agent_start(a) < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++) {
		const struct conf_network_connector *nc = &cfg->network_connectors[i];
		if (strncmp(nc->uri, "multicast:", 10))
			continue;
		snprintf(owner, sizeof owner, "networkConnector %s", nc->name);
		struct agent *a = agent_new(owner, nc->uri);
		if (!a)
			return -1;
		a->nc = nc;
		if (agent_start(a) < 0)
			return -1;
	}
	return 0;
}

void discovery_stop(void)
{
	while (agents) {
		struct agent *a = agents;
		agents = a->next;
		/* Peers drop their bridges now rather than after missed heartbeats. */
		if (a->ct && a->fd >= 0) {
			advertise(a, false);
			log_info("discovery", "Stopped advertising %s on multicast %s", a->service,
				 a->where);
		}
		while (a->remotes)
			remote_drop(a, a->remotes, NULL);
		if (a->timer)
			loop_del_timer(loop, a->timer);
		if (a->fd >= 0) {
			if (a->nc)
				loop_del_fd(loop, a->fd);
			close(a->fd);
		}
		free(a);
	}
}
