/*
 * server_peer.c - which local user is at the other end of a management
 * connection (see server.h, mgmt_peer_uid), so that a broker without users
 * gives full access to its own uid and root only.
 *
 * A unix socket says it itself (SO_PEERCRED). A TCP connection from this
 * host is a socket of the kernel's table too: its line in /proc/net/tcp
 * (or tcp6) whose local address is our peer's and whose remote address is
 * ours names its owner's uid. The table is read rather than asked through
 * sock_diag netlink because netlink needs the inet_diag modules, which a
 * container may lack; it is read once per connection, and only by a
 * broker without users.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "server.h"

/* One address of the table: "0100007F:1F90" (IPv4, the 32-bit words as
 * the kernel holds them, the port in host order) or 32 hex digits (IPv6). */
struct table_addr {
	uint32_t w[4];
	int nw;
	unsigned port;
};

static int parse_addr(const char *s, struct table_addr *a)
{
	size_t hex = strcspn(s, ":");
	if (hex != 8 && hex != 32)
		return -1;
	a->nw = (int)(hex / 8);
	for (int i = 0; i < a->nw; i++) {
		char word[9];
		memcpy(word, s + 8 * i, 8);
		word[8] = '\0';
		unsigned v;
		if (sscanf(word, "%8x", &v) != 1)
			return -1;
		a->w[i] = v;
	}
	return sscanf(s + hex, ":%4x", &a->port) == 1 ? 0 : -1;
}

/* Does table address a name socket address sa? */
static bool same(const struct table_addr *a, const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return a->nw == 1 && a->w[0] == in->sin_addr.s_addr && a->port == ntohs(in->sin_port);
	}
	if (sa->ss_family != AF_INET6 || a->nw != 4)
		return false;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	uint32_t w[4];
	memcpy(w, &in6->sin6_addr, sizeof w);
	return !memcmp(w, a->w, sizeof w) && a->port == ntohs(in6->sin6_port);
}

/* The uid owning the socket whose local end is `local` and remote end
 * `remote`, from one table; 0, or -1 when it is not there. */
static int uid_in(const char *table, const struct sockaddr_storage *local,
		  const struct sockaddr_storage *remote, uid_t *uid)
{
	FILE *f = fopen(table, "r");
	if (!f)
		return -1;
	char line[512], l[64], r[64];
	unsigned u;
	int rc = -1;
	while (rc < 0 && fgets(line, sizeof line, f)) {
		struct table_addr la, ra;
		if (sscanf(line, " %*d: %63s %63s %*x %*x:%*x %*x:%*x %*x %u", l, r, &u) == 3 &&
		    !parse_addr(l, &la) && !parse_addr(r, &ra) && same(&la, local) &&
		    same(&ra, remote)) {
			*uid = (uid_t)u;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* ::ffff:a.b.c.d becomes a.b.c.d. */
static void unmap_v4(struct sockaddr_storage *sa)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	if (sa->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = in6->sin6_port };
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(sa, 0, sizeof *sa);
	memcpy(sa, &in, sizeof in);
}

int mgmt_peer_uid(int fd, uid_t *uid)
{
	struct sockaddr_storage mine, theirs;
	socklen_t ml = sizeof mine, tl = sizeof theirs;
	if (getsockname(fd, (struct sockaddr *)&mine, &ml) < 0)
		return -1;
	if (mine.ss_family == AF_UNIX) {
		struct ucred cred;
		socklen_t cl = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
			return -1;
		*uid = cred.uid;
		return 0;
	}
	if (getpeername(fd, (struct sockaddr *)&theirs, &tl) < 0)
		return -1;
	/* An IPv4 client of a socket bound to "::" is ::ffff:a.b.c.d to us,
	 * but its own socket is IPv4, in the tcp table. */
	unmap_v4(&mine);
	unmap_v4(&theirs);
	/* The peer's socket: its local end is our remote one. */
	return uid_in(theirs.ss_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", &theirs,
		      &mine, uid);
}
