/*
 * bridge.c - network bridges (see bridge.h): connecting (bridge_dial.c
 * dials, a host name looked up off the loop) and backing off, the STOMP
 * conversation with the remote broker, and demand forwarding.
 */
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "advisory.h"
#include "bridge.h"
#include "bridge_openwire.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "consumer.h"
#include "log.h"
#include "loop.h"
#include "netflow.h"
#include "proto.h"
#include "stomp_frame.h"

#define BACKOFF_MAX_MS 10000
#define BRIDGE_MAX_FRAME (100u << 20)

static struct bridge *bridges;
static struct loop *loop;
static bool stopping;

static void connect_next(struct bridge *b);
static const struct proto bridge_proto;

static void (*active_changed)(bool up);

void bridge_on_active_change(void (*fn)(bool up))
{
	active_changed = fn;
}

static void set_state(struct bridge *b, enum bridge_state s)
{
	int64_t now = wall_ms();
	bool was = b->state == BRIDGE_ACTIVE;
	if (s == BRIDGE_ACTIVE)
		b->down_since = 0;
	else if (!b->down_since)
		b->down_since = now;
	b->state = s;
	b->state_since = now;
	if (was != (s == BRIDGE_ACTIVE) && active_changed && !stopping)
		active_changed(s == BRIDGE_ACTIVE);
}

const char *bridge_state_name(enum bridge_state s)
{
	static const char *const names[] = { "connecting", "handshake", "active", "backing off",
					     "standby" };
	return names[s];
}

struct bridge *bridge_first(void)
{
	return bridges;
}

/* ---- the conversation ---- */

static void retry(struct loop *l, void *ctx)
{
	(void)l;
	struct bridge *b = ctx;
	b->timer = 0;
	connect_next(b);
}

static void remove_later(struct loop *l, void *ctx)
{
	(void)l;
	struct bridge *b = ctx;
	b->timer = 0;
	bridge_remove(b);
}

/* Lets go of the connection and of what it forwarded (in flight comes
 * back). */
static void let_go(struct bridge *b)
{
	bridge_drop_demand(b);
	bridge_beat_stop(b, loop);
	bridge_dial_cancel(&b->connecting);
	if (b->conn) {
		if (!bridge_ow_hosted(b))
			b->conn->state = NULL;	/* its close must not come back here */
		conn_close(b->conn, b->last_error);
		b->conn = NULL;
	}
	stomp_parser_free(b->parser);
	b->parser = NULL;
	bridge_ow_release(b);
	bridge_duplex_close(b);
}

/* Something went wrong: say so, let go of the connection, try again (or,
 * for a bridge a duplex peer opened here, go: the peer comes back). */
void bridge_fail(struct bridge *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->last_error, sizeof b->last_error, fmt, ap);
	va_end(ap);
	b->failures++;
	/* An attempt that took longer than the back-off (a connect that timed
	 * out, an ARP that found nobody) was the wait: a link that heals is
	 * tried again at once, not after a back-off grown through the cut. */
	bool trying = b->state == BRIDGE_CONNECTING || b->state == BRIDGE_HANDSHAKE;
	if (trying && wall_ms() - b->state_since >= b->backoff_ms)
		b->backoff_ms = BRIDGE_BACKOFF_FIRST_MS;
	let_go(b);
	if (b->created_by_duplex) {
		log_warn("network", "Bridge %s: %s; it ends (the duplex peer reconnects)",
			 b->entry, b->last_error);
		set_state(b, BRIDGE_BACKING_OFF);
		if (!b->timer)
			b->timer = loop_add_timer(loop, 0, remove_later, b);
		return;
	}
	/* Said once when it goes down, not at every retry of a broker that
	 * stays away (a slave's closed port would fill the log): again only
	 * after it has been active. */
	if (!b->warned)
		log_warn("network", "Bridge %s: %s; retrying in %" PRId64 " ms, then less often "
			 "(said again once it has connected)", b->entry, b->last_error, b->backoff_ms);
	else
		log_debug("network", "Bridge %s: %s; retrying in %" PRId64 " ms", b->entry,
			  b->last_error, b->backoff_ms);
	b->warned = true;
	set_state(b, BRIDGE_BACKING_OFF);
	b->next_addr = (b->next_addr + 1) % b->naddrs;
	b->timer = loop_add_timer(loop, b->backoff_ms, retry, b);
	b->backoff_ms = b->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b->backoff_ms * 2;
}

/* See BRIDGE_STANDBY. Said once, not at every look. */
static void stand_by(struct bridge *b, const char *why)
{
	bool again = !strcmp(b->last_error, why);
	snprintf(b->last_error, sizeof b->last_error, "%s", why);
	let_go(b);
	if (!again)
		log_info("network", "Bridge %s: %s: standing by (looking again every %d s)",
			 b->entry, why, BACKOFF_MAX_MS / 1000);
	set_state(b, BRIDGE_STANDBY);
	b->down_since = 0;	/* not down: not needed */
	b->next_addr = (b->next_addr + 1) % b->naddrs;
	b->timer = loop_add_timer(loop, BACKOFF_MAX_MS, retry, b);
}

/* Another active bridge of b's connector to the same broker, if any. */
static const struct bridge *active_twin(const struct bridge *b)
{
	for (const struct bridge *o = bridges; o && b->remote_id; o = o->next)
		if (o != b && o->nc == b->nc && o->state == BRIDGE_ACTIVE && o->remote_id &&
		    !strcmp(o->remote_id, b->remote_id))
			return o;
	return NULL;
}

static void send_frame(struct bridge *b, const char *command, const char *const *headers)
{
	struct buf *out = &b->conn->out;
	/* STOMP 1.2 escapes no header of CONNECT: the broker reads them as
	 * they are (a host's or a broker id's colons stay colons). */
	int v = strcmp(command, "CONNECT") ? STOMP_V12 : STOMP_V10;
	stomp_put_command(out, command);
	for (size_t i = 0; headers[i]; i += 2)
		stomp_put_header(out, v, headers[i], headers[i + 1]);
	stomp_put_body(out, NULL, 0, 0);
	conn_flush_later(b->conn);
}

bool bridge_connected(struct bridge *b, const char *name, const char *id, const char *mgmt)
{
	free(b->remote_name);
	free(b->remote_id);
	free(b->remote_mgmt);
	b->remote_name = strdup(name ? name : b->remote_addr);
	b->remote_id = id ? strdup(id) : NULL;
	b->remote_mgmt = mgmt && *mgmt ? strdup(mgmt) : NULL;
	/* By id: the brokers of two pairs may well share names (the seed's
	 * do), but no two running brokers share an id. */
	char why[sizeof b->last_error];
	const struct bridge *twin = b->created_by_duplex ? NULL : active_twin(b);
	if (b->remote_id ? !strcmp(b->remote_id, broker.id_prefix)
			 : b->remote_name && !strcmp(b->remote_name, broker.cfg->broker_name)) {
		snprintf(why, sizeof why, "%s is this broker itself", b->remote_addr);
		if (b->created_by_duplex)
			bridge_fail(b, "%s", why);
		else
			stand_by(b, why);
		return false;
	}
	if (twin) {
		snprintf(why, sizeof why, "%s (%s) is reached already by bridge %s",
			 b->remote_addr, b->remote_name, twin->entry);
		stand_by(b, why);
		return false;
	}
	set_state(b, BRIDGE_ACTIVE);
	b->backoff_ms = BRIDGE_BACKOFF_FIRST_MS;
	b->warned = false;
	b->connects++;
	b->last_error[0] = '\0';
	log_info("network", "Network connection between %s and %s (%s%s) has been established",
		 broker.cfg->broker_name, b->remote_name, b->remote_addr,
		 b->openwire ? ", ActiveMQ over OpenWire" : "");
	return true;
}

static void on_frame(struct bridge *b, struct stomp_frame *f)
{
	if (!strcmp(f->command, "CONNECTED")) {
		if (!bridge_connected(b, stomp_frame_header(f, "tandem-broker"),
				      stomp_frame_header(f, "tandem-broker-id"),
				      stomp_frame_header(f, "tandem-management")))
			return;
		stomp_parser_set_version(b->parser, STOMP_V12);
		bridge_beat_start(b, loop, stomp_frame_header(f, "heart-beat"));
		const char *sub[] = { "destination", "/topic/" ADVISORY_PREFIX ">",
				      "id", "advisories", "ack", "auto", NULL };
		send_frame(b, "SUBSCRIBE", sub);
		bridge_open_static_demand(b);
		if (b->nc->duplex && !b->created_by_duplex)
			bridge_duplex_open(b);
	} else if (!strcmp(f->command, "MESSAGE")) {
		const char *dest = stomp_frame_header(f, "destination");
		const char *count = stomp_frame_header(f, "consumerCount");
		const char *demand = stomp_frame_header(f, ADVISORY_DEMAND_HEADER);
		const char *durables = stomp_frame_header(f, ADVISORY_DURABLES_HEADER);
		long nd = durables ? strtol(durables, NULL, 10) : 0;
		const char *qp = "/topic/" ADVISORY_QUEUE_PREFIX, *tp = "/topic/" ADVISORY_TOPIC_PREFIX;
		if (dest && count && !strncmp(dest, qp, strlen(qp)))
			bridge_remote_demand(b, DEST_QUEUE, dest + strlen(qp), strtol(count, NULL, 10), demand,
					     0);
		else if (dest && count && !strncmp(dest, tp, strlen(tp)))
			bridge_remote_demand(b, DEST_TOPIC, dest + strlen(tp), strtol(count, NULL, 10), demand,
					     nd);
	} else if (!strcmp(f->command, "RECEIPT")) {
		bridge_receipt(b, stomp_frame_header(f, "receipt-id"));
	} else if (!strcmp(f->command, "ERROR")) {
		const char *msg = stomp_frame_header(f, "message");
		bridge_fail(b, "%s answered ERROR: %s", b->remote_addr, msg ? msg : "(no message)");
	}
}

/* The remote answered the CONNECT in OpenWire: an ActiveMQ broker's
 * openwire connector, which sends its WireFormatInfo on accept (and will
 * close on the CONNECT it cannot read). Dialled again at once, in
 * OpenWire from now on. */
static bool activemq_answered(struct bridge *b, struct conn *c)
{
	int r = b->state == BRIDGE_HANDSHAKE && !b->created_by_duplex
		? bridge_ow_detect(buf_data(&c->in), buf_len(&c->in)) : 0;
	if (r <= 0)
		return r < 0;
	log_info("network", "Bridge %s: %s answered in OpenWire: an ActiveMQ broker; speaking "
		 "OpenWire to it from now on", b->entry, b->remote_addr);
	b->openwire = true;
	snprintf(b->last_error, sizeof b->last_error, "%s speaks OpenWire", b->remote_addr);
	let_go(b);
	connect_next(b);
	return true;
}

static void bridge_on_data(struct conn *c)
{
	while (c->state && buf_len(&c->in) > 0 && !c->dead) {
		struct bridge *b = c->state;
		if (activemq_answered(b, c))
			return;
		struct stomp_frame *f = NULL;
		const char *err = NULL;
		ssize_t n = stomp_parser_feed(b->parser, buf_data(&c->in), buf_len(&c->in), &f, &err);
		if (n < 0) {
			bridge_fail(b, "bad frame from %s: %s", b->remote_addr, err ? err : "protocol error");
			return;
		}
		buf_consume(&c->in, (size_t)n);
		if (!f)
			return;
		on_frame(b, f);
		stomp_frame_free(f);
	}
}

static void bridge_on_drain(struct conn *c)
{
	struct bridge *b = c->state;
	if (b)
		bridge_wake_demand(b);
}

static void bridge_on_close(struct conn *c)
{
	struct bridge *b = c->state;
	if (!b || stopping)
		return;
	b->conn = NULL;		/* it is being reaped */
	bridge_fail(b, "the connection to %s closed", b->remote_addr);
}

static const struct proto bridge_proto = {
	.name = "bridge", .label = "network bridge", .on_data = bridge_on_data,
	.on_drain = bridge_on_drain, .close = bridge_on_close,
};

/* HOST:PORT of this end of a connected socket, for management. */
static void local_address(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[48], port[8];	/* numeric: an IPv6 address fits */
	out[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port, sizeof port,
			NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(out, outlen, "%s:%s", host, port);
}

/* The non-blocking connect() finished: start the STOMP handshake. */
static void on_connected(struct loop *l, int fd, int events, void *ctx)
{
	(void)events;
	struct bridge *b = ctx;
	int err = bridge_dialled(&b->connecting, fd);
	if (err) {
		bridge_fail(b, "cannot connect to %s: %s", b->remote_addr, strerror(err));
		return;
	}
	bridge_beat_socket(b, fd);
	struct conn *c = conn_new(l, NULL, fd, b->remote_addr, NULL);
	if (!c) {
		bridge_fail(b, "out of memory");
		return;
	}
	bridge_handshake(b, c);
}

void bridge_handshake(struct bridge *b, struct conn *c)
{
	local_address(c->fd, b->local_addr, sizeof b->local_addr);
	if (b->openwire) {
		set_state(b, BRIDGE_HANDSHAKE);
		bridge_beat_deadline(b, loop);
		/* duplex: the OpenWire handler serves the remote's bridge back
		 * on this connection and carries this bridge. */
		if (b->nc->duplex && !b->created_by_duplex) {
			if (openwire_dial_duplex(c, b) < 0) {
				conn_close(c, "out of memory");
				bridge_fail(b, "out of memory");
			}
			return;
		}
		bridge_ow_start(b, c);
		return;
	}
	b->conn = c;
	c->proto = &bridge_proto;
	c->state = b;
	if (!(b->parser = stomp_parser_new(BRIDGE_MAX_FRAME))) {
		bridge_fail(b, "out of memory");
		return;
	}
	set_state(b, BRIDGE_HANDSHAKE);
	bridge_beat_deadline(b, loop);
	char beats[64];
	bridge_beat_offer(b, beats, sizeof beats);
	char client_id[256];
	snprintf(client_id, sizeof client_id, "%s-bridge-%s", broker.cfg->broker_name, b->entry);
	const char *hdrs[] = { "accept-version", "1.2", "host", b->remote_addr,
			       "tandem-network-bridge", broker.cfg->broker_name,
			       "tandem-broker-id", broker.id_prefix,
			       "client-id", client_id, "heart-beat", beats,
			       b->nc->user_name ? "login" : NULL, b->nc->user_name,
			       "passcode", b->nc->password ? b->nc->password : "", NULL };
	send_frame(b, "CONNECT", hdrs);
	if (buf_len(&c->in))	/* what came with the connection's first frame */
		bridge_on_data(c);
}

/* A dial of connect_next() failed (bridge_dial_fail_fn). */
static void dial_failed(struct bridge *b, const char *why)
{
	bridge_fail(b, "%s", why);
}

/* With an authorizationPlugin a bridge reads here as its connector's
 * userName (bridge_demand.c, may_forward), as ActiveMQ's logs in at its
 * own broker with userName and password; a login not valid here starts
 * no bridge there ("User name [null] or password is invalid"), and none
 * here: false, with why in b's last error. */
static bool local_login_ok(struct bridge *b)
{
	const struct conf_network_connector *nc = b->nc;
	if (!broker.cfg->authorization || broker_login_ok(nc->user_name, nc->password))
		return true;
	if (!nc->user_name)
		bridge_fail(b, "its own login is not valid here: networkConnector %s has no userName "
			    "(with an authorizationPlugin a bridge reads here as its userName)",
			    nc->name);
	else
		bridge_fail(b, "its own login is not valid here: networkConnector %s: User name [%s] "
			    "or password is invalid", nc->name, nc->user_name);
	return false;
}

static void connect_next(struct bridge *b)
{
	const char *addr = b->addrs[b->next_addr];
	snprintf(b->remote_addr, sizeof b->remote_addr, "%s", addr);
	set_state(b, BRIDGE_CONNECTING);
	if (!local_login_ok(b))
		return;
	/* The deadline first: a name slow to resolve counts against
	 * connectionTimeout too; a dial that fails at once stops it again
	 * (bridge_fail). */
	bridge_beat_deadline(b, loop);
	bridge_dial(&b->connecting, addr, on_connected, dial_failed);
}

/* ---- configuration ---- */

/* Splits "a,b(c,d),e" at the commas outside parentheses. */
static size_t split_top(const char *s, char ***out)
{
	size_t n = 0, cap = 0;
	char **v = NULL;
	const char *start = s;
	int depth = 0;
	for (const char *p = s;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				char **nv = realloc(v, cap * sizeof *nv);
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = strndup(start, (size_t)(p - start));
			start = p + 1;
			if (!*p)
				break;
		}
	}
	*out = v;
	return n;
}

/* "tcp://h:p?x" -> "h:p" in place. */
static void bare_address(char *s)
{
	char *p = strstr(s, "://");
	if (p)
		memmove(s, p + 3, strlen(p + 3) + 1);
	s[strcspn(s, "?/")] = '\0';
}

/* A bridge for one static entry: tcp://h:p, or failover:(...)?options. */
static struct bridge *bridge_new(const struct conf_network_connector *nc, const char *entry)
{
	struct bridge *b = calloc(1, sizeof *b);
	if (!b || !(b->entry = strdup(entry))) {
		free(b);
		return NULL;
	}
	b->nc = nc;
	bridge_dial_init(&b->connecting, b);
	bridge_dial_init(&b->reverse_dial, b);
	b->backoff_ms = BRIDGE_BACKOFF_FIRST_MS;
	b->openwire = bridge_ow_wanted(entry);
	bridge_beat_options(b);
	const char *list = entry;
	char *inner = NULL;
	if (!strncmp(entry, "failover:", 9)) {
		const char *open = strchr(entry, '('), *close = strrchr(entry, ')');
		inner = open && close > open ? strndup(open + 1, (size_t)(close - open - 1))
					     : strdup(entry + 9);
		list = inner;
	}
	b->naddrs = list ? split_top(list, &b->addrs) : 0;
	free(inner);
	bool bad = false;
	for (size_t i = 0; i < b->naddrs; i++) {
		bad |= !b->addrs[i] || !strchr(b->addrs[i], ':');
		if (b->addrs[i])
			bare_address(b->addrs[i]);
	}
	if (bad) {	/* refused by the caller */
		for (size_t i = 0; i < b->naddrs; i++)
			free(b->addrs[i]);
		b->naddrs = 0;
	}
	return b;
}

struct bridge *bridge_new_duplex(struct conf_network_connector *own_nc, const char *entry)
{
	struct bridge *b = calloc(1, sizeof *b);
	if (!b || !(b->entry = strdup(entry))) {
		free(b);
		return NULL;
	}
	b->nc = b->own_nc = own_nc;
	b->created_by_duplex = true;
	bridge_dial_init(&b->connecting, b);
	bridge_dial_init(&b->reverse_dial, b);
	b->backoff_ms = BRIDGE_BACKOFF_FIRST_MS;
	bridge_beat_options(b);
	return b;
}

void bridge_duplex_link(struct bridge *b, const struct conn *c)
{
	b->next = bridges;
	bridges = b;
	snprintf(b->remote_addr, sizeof b->remote_addr, "%s", c->peer);
	local_address(c->fd, b->local_addr, sizeof b->local_addr);
}

void bridge_duplex_start(struct bridge *b, struct conn *c)
{
	bridge_duplex_link(b, c);
	bridge_handshake(b, c);
}

struct bridge *bridge_add(const struct conf_network_connector *nc, const char *entry)
{
	struct bridge *b = bridge_new(nc, entry);
	if (!b || !b->naddrs) {
		log_error("network", "networkConnector %s: cannot use \"%s\" (not "
			  "tcp://HOST:PORT or failover:(...))", nc->name, entry);
		if (b) {
			free(b->addrs);
			free(b->entry);
			free(b);
		}
		return NULL;
	}
	b->next = bridges;
	bridges = b;
	connect_next(b);
	return b;
}

int bridge_start_all(struct loop *l)
{
	loop = l;
	stopping = false;
	const struct config *cfg = broker.cfg;
	for (size_t i = 0; i < cfg->nnetwork_connectors; i++) {
		const struct conf_network_connector *nc = &cfg->network_connectors[i];
		/* discovery.c adds one bridge per broker it hears of. */
		if (!strncmp(nc->uri, "multicast:", 10))
			continue;
		if (strncmp(nc->uri, "static:", 7)) {
			log_warn("network", "networkConnector %s: %s discovery is not served by "
				 "this version of Tandem yet (static:(...) and multicast:// are): "
				 "no bridges", nc->name, nc->uri);
			continue;
		}
		const char *list = nc->uri + 7;
		char *inner = NULL;
		if (*list == '(') {
			const char *close = strrchr(list, ')');
			inner = strndup(list + 1, close ? (size_t)(close - list - 1) : strlen(list + 1));
			list = inner;
		}
		char **entries = NULL;
		size_t n = list ? split_top(list, &entries) : 0;
		for (size_t k = 0; k < n; k++) {
			if (entries[k] && !*entries[k])
				;	/* static:() lists nobody: no bridge, no complaint */
			else if (entries[k])
				bridge_add(nc, entries[k]);
			else
				log_error("network", "networkConnector %s: out of memory", nc->name);
			free(entries[k]);
		}
		free(entries);
		free(inner);
	}
	return 0;
}

/* Closes b and frees it; the caller has unlinked it. */
static void bridge_free(struct bridge *b)
{
	bridge_drop_demand(b);
	bridge_beat_stop(b, loop);
	if (b->timer)
		loop_del_timer(loop, b->timer);
	bridge_dial_cancel(&b->connecting);
	if (b->conn) {
		if (!bridge_ow_hosted(b))
			b->conn->state = NULL;
		conn_close(b->conn, "bridge stopping");
	}
	stomp_parser_free(b->parser);
	bridge_ow_release(b);
	bridge_duplex_close(b);
	config_network_connector_free(b->own_nc);
	free(b->own_nc);
	for (size_t i = 0; i < b->naddrs; i++)
		free(b->addrs[i]);
	free(b->addrs);
	free(b->remote_name);
	free(b->remote_id);
	free(b->remote_mgmt);
	free(b->entry);
	free(b);
}

void bridge_remove(struct bridge *b)
{
	for (struct bridge **p = &bridges; *p; p = &(*p)->next)
		if (*p == b) {
			*p = b->next;
			bool was = b->state == BRIDGE_ACTIVE;
			bridge_free(b);
			if (was && active_changed && !stopping)
				active_changed(false);
			return;
		}
}

void bridge_stop_all(void)
{
	stopping = true;
	while (bridges) {
		struct bridge *b = bridges;
		bridges = b->next;
		bridge_free(b);
	}
}
