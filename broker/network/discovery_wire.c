/*
 * discovery_wire.c - the multicast discovery URI and datagrams (see
 * discovery_wire.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "discovery_wire.h"

#define TYPE_SUFFIX ".ActiveMQ-4."

/* ActiveMQ's agent options that mean nothing here: a bridge backs off and
 * retries on its own (bridge.h), and the interface is chosen by name. */
static const char *const unused_options[] = {
	"initialReconnectDelay", "maxReconnectDelay", "backOffMultiplier",
	"useExponentialBackOff", "maxReconnectAttempts", "loopBackMode", "interface",
};

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* One name=value; -1 with why when the value is wrong. */
static int set_option(struct discovery_group *g, const char *name, const char *value,
		      char *why, size_t whylen)
{
	long v;
	if (!strcmp(name, "group")) {
		if (!*value || strlen(value) >= sizeof g->name) {
			snprintf(why, whylen, "group= wants a name of 1 to %zu characters",
				 sizeof g->name - 1);
			return -1;
		}
		strcpy(g->name, value);
	} else if (!strcmp(name, "keepAliveInterval")) {
		if (parse_long(value, 1, 3600000, &v) < 0) {
			snprintf(why, whylen, "keepAliveInterval= wants milliseconds, not '%s'", value);
			return -1;
		}
		g->keepalive_ms = v;
	} else if (!strcmp(name, "timeToLive")) {
		if (parse_long(value, 0, 255, &v) < 0) {
			snprintf(why, whylen, "timeToLive= wants 0 to 255 hops, not '%s'", value);
			return -1;
		}
		g->ttl = (int)v;
	} else if (!strcmp(name, "networkInterface") || !strcmp(name, "joinNetworkInterface")) {
		if (!*value || strlen(value) >= sizeof g->ifname) {
			snprintf(why, whylen, "%s= wants an interface name, not '%s'", name, value);
			return -1;
		}
		strcpy(g->ifname, value);
	} else {
		for (size_t i = 0; i < sizeof unused_options / sizeof unused_options[0]; i++)
			if (!strcmp(name, unused_options[i]))
				return 0;
		size_t len = strlen(g->ignored);
		snprintf(g->ignored + len, sizeof g->ignored - len, "%s%s", len ? ", " : "", name);
	}
	return 0;
}

/* The first len bytes of src as a string in dst; -1 when they do not fit. */
static int copy_span(char *dst, size_t dstlen, const char *src, size_t len)
{
	if (len >= dstlen)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int discovery_parse_uri(const char *uri, struct discovery_group *g, char *why, size_t whylen)
{
	*g = (struct discovery_group){
		.name = DISCOVERY_DEFAULT_GROUP, .port = DISCOVERY_DEFAULT_PORT,
		.keepalive_ms = DISCOVERY_KEEPALIVE_MS, .ttl = DISCOVERY_TTL,
	};
	inet_pton(AF_INET, DISCOVERY_DEFAULT_ADDR, &g->addr);
	if (strncmp(uri, "multicast://", 12)) {
		snprintf(why, whylen, "a multicast://... URI");
		return -1;
	}
	const char *host = uri + 12;
	size_t hlen = strcspn(host, ":/?");
	char name[128], num[16];
	if (hlen == 0 || copy_span(name, sizeof name, host, hlen) < 0) {
		snprintf(why, whylen, "multicast://default, multicast://GROUP or multicast://ADDRESS:PORT");
		return -1;
	}
	struct in_addr a;
	if (inet_pton(AF_INET, name, &a) == 1) {
		if (!IN_MULTICAST(ntohl(a.s_addr))) {
			snprintf(why, whylen, "%s is not a multicast address (224.0.0.0/4)", name);
			return -1;
		}
		g->addr = a;
	} else if (strcmp(name, "default")) {
		strcpy(g->name, name);
	}
	const char *p = host + hlen;
	if (*p == ':') {
		size_t plen = strcspn(p + 1, "/?");
		if (copy_span(num, sizeof num, p + 1, plen) < 0 ||
		    config_parse_port(num, &g->port) < 0 || g->port == 0) {
			snprintf(why, whylen, "a port from 1 to 65535 after the address");
			return -1;
		}
		p += 1 + plen;
	}
	p += strspn(p, "/");
	if (*p && *p != '?') {
		snprintf(why, whylen, "nothing but ?options after the address, not '%s'", p);
		return -1;
	}
	/* name=value&name=value */
	while (*p && *++p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		char opt[512];
		if (!eq || eq == p || copy_span(opt, sizeof opt, p, len) < 0) {
			snprintf(why, whylen, "options as name=value&name=value");
			return -1;
		}
		opt[eq - p] = '\0';
		if (set_option(g, opt, opt + (eq - p) + 1, why, whylen) < 0)
			return -1;
		p += len;
	}
	return 0;
}

int discovery_format(char *out, size_t outlen, const char *group, bool alive,
		     const char *broker, const char *service)
{
	/* A '%' in the name would cut the service short for every reader. */
	if (strchr(broker, '%'))
		broker = "localhost";
	int n = snprintf(out, outlen, "%s" TYPE_SUFFIX "%s%%%s%%%s", group,
			 alive ? "alive." : "dead.", broker, service);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int discovery_parse(const char *data, size_t len, const char *group, struct discovery_news *n)
{
	char text[DISCOVERY_DATAGRAM_MAX + 1];
	if (len > DISCOVERY_DATAGRAM_MAX || memchr(data, '\0', len))
		return -1;
	memcpy(text, data, len);
	text[len] = '\0';
	size_t glen = strlen(group);
	if (strncmp(text, group, glen) || strncmp(text + glen, TYPE_SUFFIX, strlen(TYPE_SUFFIX)))
		return -1;
	const char *p = text + glen + strlen(TYPE_SUFFIX);
	if (!strncmp(p, "alive.", 6)) {
		n->alive = true;
		p += 6;
	} else if (!strncmp(p, "dead.", 5)) {
		n->alive = false;
		p += 5;
	} else {
		return -1;
	}
	const char *end = *p == '%' ? strchr(p + 1, '%') : NULL;
	if (!end || (size_t)(end - p - 1) >= sizeof n->broker || !end[1] ||
	    strlen(end + 1) >= sizeof n->service)
		return -1;
	snprintf(n->broker, sizeof n->broker, "%.*s", (int)(end - p - 1), p + 1);
	strcpy(n->service, end + 1);
	return 0;
}
