/*
 * bridge_beat.c - noticing that a bridge's link is dead (see bridge.h).
 *
 * A partition sends no FIN or RST: without help a bridge stays "active"
 * over a dead link, its output piling up in the kernel, until TCP gives up
 * many minutes later, and a connect() to a broker cut off hangs for two
 * minutes of SYN retries. So a bridge
 *   - asks the remote for STOMP heart-beats both ways, a third of
 *     wireFormat.maxInactivityDuration apart, and fails when nothing at
 *     all came in for that long (ActiveMQ's InactivityMonitor);
 *   - gives a connect() and the handshake that long (connectionTimeout);
 *   - turns on TCP keepalive and TCP_USER_TIMEOUT (keepAlive), so that
 *     the kernel, too, gives up on unacknowledged data (in twice that).
 * The options are read from the bridge's static:(...) entry, as ActiveMQ
 * reads them from a network connector's transport URI.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "conn.h"
#include "loop.h"

/* Tandem's default: a dead link noticed in a few seconds (ActiveMQ waits
 * 30 s, which let 2,256 messages pile up behind a 20 s cut). */
#define INACTIVITY_DEFAULT_MS 3000
/* The shortest heart-beat period asked for: as the STOMP server's. */
#define BEAT_MIN_MS 100

/* The value of option NAME= in the entry (any of its URIs), or def. */
static long long entry_option(const char *entry, const char *name, long long def)
{
	size_t n = strlen(name);
	for (const char *p = strstr(entry, name); p; p = strstr(p + 1, name)) {
		if (p > entry && (p[-1] == '?' || p[-1] == '&') && p[n] == '=') {
			const char *v = p + n + 1;
			if (!strncmp(v, "true", 4))
				return 1;
			if (!strncmp(v, "false", 5))
				return 0;
			char *end;
			long long x = strtoll(v, &end, 10);
			return end > v && x >= 0 ? x : def;
		}
	}
	return def;
}

void bridge_beat_options(struct bridge *b)
{
	const char *e = b->entry;
	b->inactivity_ms = entry_option(e, "wireFormat.maxInactivityDuration", INACTIVITY_DEFAULT_MS);
	b->connect_timeout_ms = entry_option(e, "connectionTimeout",
					     b->inactivity_ms ? b->inactivity_ms : 30000);
	b->keepalive = entry_option(e, "keepAlive", b->inactivity_ms > 0);
}

void bridge_beat_offer(const struct bridge *b, char *out, size_t outlen)
{
	int64_t every = b->inactivity_ms / 3;
	if (b->inactivity_ms && every < BEAT_MIN_MS)
		every = BEAT_MIN_MS;
	snprintf(out, outlen, "%" PRId64 ",%" PRId64, every, every);
}

void bridge_beat_socket(const struct bridge *b, int fd)
{
	if (!b->keepalive)
		return;
	int one = 1, idle = (int)(b->inactivity_ms / 1000), intvl = 1, cnt = 3;
	/* Later than the heart-beats, whose message says more. */
	unsigned int user_timeout = (unsigned int)(b->inactivity_ms * 2);
	if (idle < 1)
		idle = 1;
	/* Best effort: the heart-beats notice a dead link without them. */
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	if (user_timeout)
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
}

void bridge_beat_stop(struct bridge *b, struct loop *l)
{
	if (b->beat_timer)
		loop_del_timer(l, b->beat_timer);
	b->beat_timer = 0;
}

static void too_slow(struct loop *l, void *ctx)
{
	(void)l;
	struct bridge *b = ctx;
	b->beat_timer = 0;
	/* The wait was this attempt itself (see bridge_fail()). */
	b->backoff_ms = BRIDGE_BACKOFF_FIRST_MS;
	bridge_fail(b, "no answer from %s in %" PRId64 " ms (connectionTimeout)", b->remote_addr,
		    b->connect_timeout_ms);
}

void bridge_beat_deadline(struct bridge *b, struct loop *l)
{
	bridge_beat_stop(b, l);
	if (b->connect_timeout_ms)
		b->beat_timer = loop_add_timer(l, b->connect_timeout_ms, too_slow, b);
}

static void beat_tick(struct loop *l, void *ctx);

static void schedule(struct bridge *b, struct loop *l)
{
	int64_t every = b->beat_out_ms;
	if (b->beat_in_ms && (!every || b->beat_in_ms < every))
		every = b->beat_in_ms;
	if (every) {
		b->beat_timer = loop_add_timer(l, every / 2, beat_tick, b);
		b->beat_due = loop_now(l) + every / 2;
	}
}

/* The remote's beats may come up to 1.5 periods apart (its timer's
 * half-period ticks): silence is death only past both that, twice over,
 * and maxInactivityDuration. */
static int64_t silence_allowed(const struct bridge *b)
{
	return b->beat_in_ms * 2 > b->inactivity_ms ? b->beat_in_ms * 2 : b->inactivity_ms;
}

static void beat_tick(struct loop *l, void *ctx)
{
	struct bridge *b = ctx;
	struct conn *c = b->conn;
	b->beat_timer = 0;
	if (!c || c->dead || c->closing)
		return;
	int64_t now = loop_now(l), quiet = now - c->last_read;
	/* A tick this late means this broker's loop was held (a long store
	 * recovery, a stop): what came in meanwhile is not read yet, so the
	 * silence is ours. Judged at the next tick. */
	bool held = now - b->beat_due > silence_allowed(b) / 2;
	if (b->beat_in_ms && !c->read_paused && !held && quiet > silence_allowed(b)) {
		bridge_fail(b, "nothing from %s for %" PRId64 " ms, though it beats every %" PRId64
			    " ms: the link is down", b->remote_addr, quiet, b->beat_in_ms);
		return;
	}
	/* Twice as often as promised, so that a late tick is never late. */
	if (b->beat_out_ms && now - c->last_write >= b->beat_out_ms / 2 && buf_len(&c->out) == 0) {
		buf_append(&c->out, "\n", 1);
		conn_flush_later(c);
	}
	schedule(b, l);
}

/* STOMP's rule: each way, the slower of what one side offers and the
 * other asks for, or none when either says 0. */
void bridge_beat_start(struct bridge *b, struct loop *l, const char *connected_hb)
{
	bridge_beat_stop(b, l);
	long long sx = 0, sy = 0;
	if (!connected_hb || sscanf(connected_hb, "%lld,%lld", &sx, &sy) != 2 || sx < 0 || sy < 0)
		sx = sy = 0;
	char offer[64];
	bridge_beat_offer(b, offer, sizeof offer);
	long long cx = strtoll(offer, NULL, 10);
	b->beat_out_ms = cx && sy ? (cx > sy ? cx : sy) : 0;
	b->beat_in_ms = cx && sx ? (cx > sx ? cx : sx) : 0;
	schedule(b, l);
}
