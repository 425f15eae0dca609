/*
 * advertise.c - a reachable address for a socket bound to every address
 * (see advertise.h).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "advertise.h"

bool advertise_wildcard(const char *host)
{
	return !host || !*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "::") ||
	       !strcmp(host, "[::]");
}

/* The host's name, when others could look it up (it resolves here). */
static bool host_name(char *out, size_t outlen)
{
	char name[256];
	if (gethostname(name, sizeof name - 1) < 0 || !*name)
		return false;
	name[sizeof name - 1] = '\0';
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	snprintf(out, outlen, "%s", name);
	return true;
}

/* The first IPv4 (else IPv6) address of an interface up and not loopback. */
static bool first_address(char *out, size_t outlen)
{
	struct ifaddrs *all;
	if (getifaddrs(&all) < 0)
		return false;
	bool found = false;
	for (int family = AF_INET; !found && family; family = family == AF_INET ? AF_INET6 : 0)
		for (struct ifaddrs *i = all; i && !found; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
			    !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
				continue;
			const void *a = family == AF_INET
				? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
				: (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
				continue;	/* needs a scope others do not have */
			found = inet_ntop(family, a, out, (socklen_t)outlen) != NULL;
		}
	freeifaddrs(all);
	return found;
}

const char *advertise_host(const char *host)
{
	static char found[256];
	if (!advertise_wildcard(host))
		return host;
	if (!found[0] && !host_name(found, sizeof found) && !first_address(found, sizeof found))
		snprintf(found, sizeof found, "127.0.0.1");
	return found;
}

void advertise_addr(const char *host, int port, char *out, size_t outlen)
{
	const char *h = advertise_host(host);
	snprintf(out, outlen, strchr(h, ':') && h[0] != '[' ? "[%s]:%d" : "%s:%d", h, port);
}
