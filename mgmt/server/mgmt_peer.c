/*
 * mgmt_peer.c - which local user is at the other end of a management
 * connection (see mgmt_server.h, mgmt_peer_uid), so that a broker without users
 * gives full access to its own uid and root only.
 *
 * A unix socket says it itself (SO_PEERCRED). A TCP connection from this
 * host is a socket of the kernel's too, whose local end is our peer and
 * whose remote end is us: the kernel names its owner's uid when asked
 * for that one socket through sock_diag netlink (the inet_diag exact
 * lookup, a hash lookup). Without the inet_diag modules (a container may
 * lack them), /proc/net/tcp (or tcp6) is searched instead; it lists every
 * socket of the host, so with 6,600 sockets (most in TIME_WAIT) that
 * took 22 ms of the loop per connection, against well under one for
 * netlink. Only a broker without users asks, once per connection.
 */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mgmt_server.h"

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
	unsigned long inode;
	int rc = -1;
	while (rc < 0 && fgets(line, sizeof line, f)) {
		struct table_addr la, ra;
		/* As for netlink: without an inode, the uid shown (0) is no
		 * owner's. */
		if (sscanf(line, " %*d: %63s %63s %*x %*x:%*x %*x:%*x %*x %u %*d %lu", l, r, &u,
			   &inode) == 4 &&
		    !parse_addr(l, &la) && !parse_addr(r, &ra) && same(&la, local) &&
		    same(&ra, remote)) {
			*uid = (uid_t)u;
			rc = inode ? 0 : -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* The inet_diag id of the TCP socket whose local end is `local` and
 * remote end `remote`. */
static void diag_id(struct inet_diag_sockid *id, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *remote)
{
	if (local->ss_family == AF_INET) {
		const struct sockaddr_in *l = (const void *)local, *r = (const void *)remote;
		id->idiag_sport = l->sin_port;
		id->idiag_dport = r->sin_port;
		memcpy(id->idiag_src, &l->sin_addr, 4);
		memcpy(id->idiag_dst, &r->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *l = (const void *)local, *r = (const void *)remote;
		id->idiag_sport = l->sin6_port;
		id->idiag_dport = r->sin6_port;
		memcpy(id->idiag_src, &l->sin6_addr, 16);
		memcpy(id->idiag_dst, &r->sin6_addr, 16);
	}
	id->idiag_cookie[0] = id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

/* The uid owning that socket, asked of the kernel: 0, or -1 (not there,
 * or no sock_diag here). */
static int uid_by_netlink(const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote, uid_t *uid)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	/* The kernel answers at once; the bound is for a kernel that does not. */
	struct timeval tv = { .tv_usec = 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} q = {
		.nh = { .nlmsg_len = sizeof q, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.req = { .sdiag_family = (uint8_t)local->ss_family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = ~0u },
	};
	diag_id(&q.req.id, local, remote);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr nh;
		char bytes[8192];
	} a;
	int rc = -1;
	ssize_t n;
	if (sendto(fd, &q, sizeof q, 0, (struct sockaddr *)&kernel, sizeof kernel) == sizeof q &&
	    (n = recv(fd, &a, sizeof a, 0)) > 0) {
		for (struct nlmsghdr *h = &a.nh; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				break;
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			/* No inode: a socket its owner closed (TIME_WAIT,
			 * orphaned), whose uid the kernel gives as 0. */
			if (m->idiag_inode) {
				*uid = m->idiag_uid;
				rc = 0;
			}
			break;
		}
	}
	close(fd);
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
	if (uid_by_netlink(&theirs, &mine, uid) == 0)
		return 0;
	return uid_in(theirs.ss_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", &theirs,
		      &mine, uid);
}
