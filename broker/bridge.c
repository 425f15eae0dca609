/*
 * bridge.c - network bridges (see bridge.h): connecting and backing off,
 * the STOMP conversation with the remote broker, and demand forwarding.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "advisory.h"
#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "consumer.h"
#include "log.h"
#include "loop.h"
#include "netflow.h"
#include "proto.h"
#include "stomp_frame.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 10000
#define BRIDGE_MAX_FRAME (100u << 20)

/* One destination the remote has consumers for, and the local consumer
 * that feeds them. */
struct bridge_demand {
	struct bridge *bridge;
	enum dest_type type;
	char *name;
	int hops;		/* bridges between here and the nearest consumer: 1 + the remote's */
	long remote_local;	/* the remote's own consumers of it */
	bool statically;	/* staticallyIncludedDestinations: no advisory needed */
	struct consumer *consumer;
	struct bridge_demand *next;
};

static struct bridge *bridges;
static struct loop *loop;
static bool stopping;

static void connect_next(struct bridge *b);
static const struct proto bridge_proto;

static void set_state(struct bridge *b, enum bridge_state s)
{
	int64_t now = wall_ms();
	if (s == BRIDGE_ACTIVE)
		b->down_since = 0;
	else if (!b->down_since)
		b->down_since = now;
	b->state = s;
	b->state_since = now;
}

const char *bridge_state_name(enum bridge_state s)
{
	static const char *const names[] = { "connecting", "handshake", "active", "backing off" };
	return names[s];
}

struct bridge *bridge_first(void)
{
	return bridges;
}

/* ---- demand ---- */

static int path_hops(const char *path)
{
	if (!path || !*path)
		return 0;
	int n = 1;
	for (const char *p = path; *p; p++)
		n += *p == ',';
	return n;
}

static bool path_has(const char *path, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = path; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && !strncmp(p, name, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* How the remote is named in broker paths and demand: its BrokerId
 * (names repeat across pairs, ids never); its name before the handshake
 * told the id, or from a broker that does not say it. */
static const char *remote_key(const struct bridge *b)
{
	return b->remote_id ? b->remote_id : b->remote_name;
}

/* A message that went through the remote before may go back there only
 * as a replay (replayWhenNoConsumers): nobody here consumes it and the
 * remote has consumers of its own, so it is not stranded here, and it
 * cannot ping-pong (it only ever moves toward a consumer). */
static bool replays(const struct bridge_demand *d, const struct message *m)
{
	if (d->type != DEST_QUEUE || d->remote_local <= 0)
		return false;
	const struct conf_policy *pol = config_policy_for(broker.cfg, false, m->dest);
	if (pol && !pol->replay_when_no_consumers)
		return false;
	const struct queue *q = broker_queue(m->dest, false);
	return !q || advisory_local_consumers(q) == 0;
}

static bool demand_wants(const struct consumer *c, const struct message *m)
{
	const struct bridge_demand *d = c->ctx;
	const struct bridge *b = d->bridge;
	const char *path = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	if (remote_key(b) && path_has(path, remote_key(b)))
		return replays(d, m);
	return path_hops(path) < b->nc->message_ttl;
}

static bool demand_writable(struct consumer *c)
{
	const struct bridge_demand *d = c->ctx;
	return d->bridge->conn && conn_writable(d->bridge->conn);
}

/* Sends the message on to the remote, asking for a RECEIPT that names
 * the delivery: the local ack waits for it. */
static int demand_forward(struct consumer *c, struct qentry *e)
{
	struct bridge_demand *d = c->ctx;
	struct bridge *b = d->bridge;
	struct buf *out = &b->conn->out;
	const struct message *m = e->msg;
	const char *old = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	char num[32], receipt[48], *path = NULL, dest[1024];
	bool replay = remote_key(b) && path_has(old, remote_key(b));
	if (asprintf(&path, "%s%s%s", old ? old : "", old ? "," : "", broker.id_prefix) < 0)
		return -1;
	size_t mark = buf_len(out);
	snprintf(dest, sizeof dest, "/%s/%s", d->type == DEST_QUEUE ? "queue" : "topic", m->dest);
	snprintf(receipt, sizeof receipt, "d%" PRIu64, e->delivery_id);
	int rc = stomp_put_command(out, "SEND");
	rc |= stomp_put_header(out, STOMP_V12, "destination", dest);
	rc |= stomp_put_header(out, STOMP_V12, "receipt", receipt);
	rc |= stomp_put_header(out, STOMP_V12, "tandem-message-id", m->id);
	if (m->persistent)
		rc |= stomp_put_header(out, STOMP_V12, "persistent", "true");
	snprintf(num, sizeof num, "%u", m->priority);
	rc |= stomp_put_header(out, STOMP_V12, "priority", num);
	if (m->expires) {
		snprintf(num, sizeof num, "%" PRId64, m->expires);
		rc |= stomp_put_header(out, STOMP_V12, "expires", num);
	}
	rc |= stomp_put_header(out, STOMP_V12, NETWORK_PATH_HEADER, path);
	if (replay)
		rc |= stomp_put_header(out, STOMP_V12, NETWORK_REPLAY_HEADER, "true");
	for (size_t i = 0; i < m->nheaders; i++)
		if (strcmp(m->headers[i].name, NETWORK_PATH_HEADER) &&
		    strcmp(m->headers[i].name, NETWORK_REPLAY_HEADER))
			rc |= stomp_put_header(out, STOMP_V12, m->headers[i].name,
					       m->headers[i].value);
	rc |= stomp_put_body(out, m->body, m->body_len, 1);
	free(path);
	if (rc) {
		out->len = out->off + mark;
		return -1;
	}
	conn_flush_later(b->conn);
	b->conn->msgs_out++;
	return 0;
}

static const struct consumer_ops demand_ops = { demand_forward, demand_writable, demand_wants };

static struct bridge_demand *find_demand(struct bridge *b, enum dest_type type, const char *name)
{
	for (struct bridge_demand *d = b->demands; d; d = d->next)
		if (d->type == type && !strcmp(d->name, name))
			return d;
	return NULL;
}

static const char *type_name(enum dest_type type)
{
	return type == DEST_QUEUE ? "queue" : "topic";
}

static void drop_demand(struct bridge *b, struct bridge_demand *d)
{
	for (struct bridge_demand **pp = &b->demands; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	consumer_close(d->consumer);	/* what was in flight comes back */
	free(d->name);
	free(d);
}

static void drop_all_demand(struct bridge *b)
{
	while (b->demands)
		drop_demand(b, b->demands);
}

bool bridge_consumer_demand(const struct consumer *c, const char **remote, int *hops)
{
	if (!c->network || c->ops != &demand_ops)
		return false;
	const struct bridge_demand *d = c->ctx;
	if (!d->bridge->remote_name)
		return false;
	*remote = remote_key(d->bridge);
	*hops = d->hops;
	return true;
}

/* Whether the connector forwards this destination on demand at all. */
static bool dynamically_included(const struct conf_network_connector *nc, enum dest_type type,
				  const char *name)
{
	bool topic = type == DEST_TOPIC;
	/* The broker's own destinations (advisories) never travel. */
	if (!strncmp(name, "ActiveMQ.", 9) || config_dest_filtered(&nc->excluded, topic, name))
		return false;
	return !nc->dynamically_included.n ||
	       config_dest_filtered(&nc->dynamically_included, topic, name);
}

/* The hops to the remote's nearest consumer from its advisory headers:
 * 0 when it has its own, else 1 + the least of its bridges' demand that
 * does not lead back here; -1 when none. */
static int demand_distance(long local, const char *demand)
{
	if (local > 0)
		return 0;
	int best = -1;
	const char *self = broker.id_prefix;
	size_t selflen = strlen(self);
	for (const char *p = demand; p && *p;) {
		size_t n = strcspn(p, ",");
		/* "ID:host-1:1::2": the hops follow the last colon */
		const char *colon = NULL;
		for (const char *c = p; c < p + n; c++)
			if (*c == ':')
				colon = c;
		if (colon && !((size_t)(colon - p) == selflen && !strncmp(p, self, selflen))) {
			int h = atoi(colon + 1);
			if (h > 0 && (best < 0 || h < best))
				best = h;
		}
		p += n + (p[n] == ',');
	}
	return best;
}

/* Opens the local consumer that feeds the remote's demand for a
 * destination `hops` bridges away (1: consumers on the remote itself). */
static struct bridge_demand *open_demand(struct bridge *b, enum dest_type type, const char *name,
					 int hops)
{
	struct bridge_demand *d = calloc(1, sizeof *d);
	if (!d || !(d->name = strdup(name))) {
		free(d);
		return NULL;
	}
	d->bridge = b;
	d->type = type;
	d->hops = hops;
	char id[128], err[256];
	snprintf(id, sizeof id, "bridge:%s", b->remote_name);
	/* Below every local consumer, and lower still for each hop further. */
	int priority = b->nc->decrease_network_consumer_priority ? -hops : 0;
	struct consumer_spec spec = {
		.type = type,
		.dest = name,
		.ack = ACK_CLIENT_INDIVIDUAL,
		.prefetch = b->nc->prefetch_size > 0 ? (unsigned)b->nc->prefetch_size : 1,
		.priority = priority,
		.conn = b->conn,
		.id = id,
		.network = true,
	};
	d->consumer = consumer_open(&spec, &demand_ops, d, err, sizeof err);
	if (!d->consumer) {
		log_warn("network", "Bridge %s: cannot consume %s://%s for %s: %s", b->entry,
			 type_name(type), name, b->remote_name, err);
		free(d->name);
		free(d);
		return NULL;
	}
	d->next = b->demands;
	b->demands = d;
	return d;
}

/* The remote's advisory for a destination: `local` consumers of its own
 * and its bridges' demand (advisory.h). */
static void remote_demand(struct bridge *b, enum dest_type type, const char *name, long local,
			  const char *demand)
{
	struct bridge_demand *d = find_demand(b, type, name);
	int dist = demand_distance(local, demand);
	if (d)
		d->remote_local = local;
	if (d && d->statically)
		return;
	if (dist < 0 || dist + 1 > b->nc->consumer_ttl) {
		if (d) {
			log_info("network", "Bridge %s: no more consumers of %s://%s on %s or "
				 "beyond", b->entry, type_name(type), name, b->remote_name);
			drop_demand(b, d);
		}
		return;
	}
	if (d) {
		d->hops = dist + 1;
		return;
	}
	if (!dynamically_included(b->nc, type, name))
		return;
	d = open_demand(b, type, name, dist + 1);
	if (!d)
		return;
	d->remote_local = local;
	if (local > 0)
		log_info("network", "Bridge %s: %ld consumer(s) of %s://%s on %s: forwarding",
			 b->entry, local, type_name(type), name, b->remote_name);
	else
		log_info("network", "Bridge %s: consumers of %s://%s %d bridge(s) beyond %s: "
			 "forwarding", b->entry, type_name(type), name, dist, b->remote_name);
}

/* staticallyIncludedDestinations: forwarded whatever the remote says. */
static void open_static_demand(struct bridge *b)
{
	const struct conf_dest_filters *f = &b->nc->statically_included;
	for (size_t i = 0; i < f->n; i++) {
		enum dest_type type = f->v[i].topic ? DEST_TOPIC : DEST_QUEUE;
		struct bridge_demand *d = find_demand(b, type, f->v[i].pattern);
		if (!d)
			d = open_demand(b, type, f->v[i].pattern, 1);
		if (d)
			d->statically = true;
	}
}

static void on_receipt(struct bridge *b, const char *id)
{
	char *end;
	if (!id || id[0] != 'd')
		return;
	uint64_t delivery = strtoull(id + 1, &end, 10);
	for (struct bridge_demand *d = b->demands; d; d = d->next) {
		struct qentry *e = consumer_find(d->consumer, delivery, NULL);
		if (e) {
			netflow_count(b->remote_name, NETFLOW_OUTBOUND, d->type, e->msg->dest);
			consumer_ack(d->consumer, e, false);
			b->forwarded++;
			return;
		}
	}
}

void bridge_demand_text(const struct bridge *b, char *out, size_t outlen)
{
	size_t len = 0;
	out[0] = '\0';
	for (const struct bridge_demand *d = b->demands; d && len < outlen; d = d->next)
		len += (size_t)snprintf(out + len, outlen - len, "%s%s://%s", len ? "," : "",
					type_name(d->type), d->name);
}

/* ---- the conversation ---- */

static void fail(struct bridge *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void retry(struct loop *l, void *ctx)
{
	(void)l;
	struct bridge *b = ctx;
	b->timer = 0;
	connect_next(b);
}

/* Something went wrong: say so, let go of the connection, try again. */
static void fail(struct bridge *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->last_error, sizeof b->last_error, fmt, ap);
	va_end(ap);
	b->failures++;
	drop_all_demand(b);
	if (b->connecting_fd >= 0) {
		loop_del_fd(loop, b->connecting_fd);
		close(b->connecting_fd);
		b->connecting_fd = -1;
	}
	if (b->conn) {
		b->conn->state = NULL;	/* its close must not come back here */
		conn_close(b->conn, b->last_error);
		b->conn = NULL;
	}
	stomp_parser_free(b->parser);
	b->parser = NULL;
	/* Said at each change, not at every retry of a broker that stays away. */
	if (b->state != BRIDGE_BACKING_OFF || b->backoff_ms == BACKOFF_FIRST_MS)
		log_warn("network", "Bridge %s: %s; retrying in %" PRId64 " ms", b->entry,
			 b->last_error, b->backoff_ms);
	set_state(b, BRIDGE_BACKING_OFF);
	b->next_addr = (b->next_addr + 1) % b->naddrs;
	b->timer = loop_add_timer(loop, b->backoff_ms, retry, b);
	b->backoff_ms = b->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b->backoff_ms * 2;
}

static void send_frame(struct bridge *b, const char *command, const char *const *headers)
{
	struct buf *out = &b->conn->out;
	stomp_put_command(out, command);
	for (size_t i = 0; headers[i]; i += 2)
		stomp_put_header(out, STOMP_V12, headers[i], headers[i + 1]);
	stomp_put_body(out, NULL, 0, 0);
	conn_flush_later(b->conn);
}

static void on_frame(struct bridge *b, struct stomp_frame *f)
{
	if (!strcmp(f->command, "CONNECTED")) {
		const char *name = stomp_frame_header(f, "tandem-broker");
		const char *id = stomp_frame_header(f, "tandem-broker-id");
		free(b->remote_name);
		free(b->remote_id);
		b->remote_name = strdup(name ? name : b->remote_addr);
		b->remote_id = id ? strdup(id) : NULL;
		const char *mgmt = stomp_frame_header(f, "tandem-management");
		free(b->remote_mgmt);
		b->remote_mgmt = mgmt && *mgmt ? strdup(mgmt) : NULL;
		/* By id: the brokers of two pairs may well share names (the seed's
		 * do), but no two running brokers share an id. */
		if (b->remote_id ? !strcmp(b->remote_id, broker.id_prefix)
				 : b->remote_name && !strcmp(b->remote_name, broker.cfg->broker_name)) {
			fail(b, "%s is this broker itself", b->remote_addr);
			return;
		}
		stomp_parser_set_version(b->parser, STOMP_V12);
		set_state(b, BRIDGE_ACTIVE);
		b->backoff_ms = BACKOFF_FIRST_MS;
		b->connects++;
		b->last_error[0] = '\0';
		log_info("network", "Network connection between %s and %s (%s) has been established",
			 broker.cfg->broker_name, b->remote_name, b->remote_addr);
		const char *sub[] = { "destination", "/topic/" ADVISORY_PREFIX ">",
				      "id", "advisories", "ack", "auto", NULL };
		send_frame(b, "SUBSCRIBE", sub);
		open_static_demand(b);
	} else if (!strcmp(f->command, "MESSAGE")) {
		const char *dest = stomp_frame_header(f, "destination");
		const char *count = stomp_frame_header(f, "consumerCount");
		const char *demand = stomp_frame_header(f, ADVISORY_DEMAND_HEADER);
		const char *qp = "/topic/" ADVISORY_QUEUE_PREFIX, *tp = "/topic/" ADVISORY_TOPIC_PREFIX;
		if (dest && count && !strncmp(dest, qp, strlen(qp)))
			remote_demand(b, DEST_QUEUE, dest + strlen(qp), strtol(count, NULL, 10), demand);
		else if (dest && count && !strncmp(dest, tp, strlen(tp)))
			remote_demand(b, DEST_TOPIC, dest + strlen(tp), strtol(count, NULL, 10), demand);
	} else if (!strcmp(f->command, "RECEIPT")) {
		on_receipt(b, stomp_frame_header(f, "receipt-id"));
	} else if (!strcmp(f->command, "ERROR")) {
		const char *msg = stomp_frame_header(f, "message");
		fail(b, "%s answered ERROR: %s", b->remote_addr, msg ? msg : "(no message)");
	}
}

static void bridge_on_data(struct conn *c)
{
	while (c->state && buf_len(&c->in) > 0 && !c->dead) {
		struct bridge *b = c->state;
		struct stomp_frame *f = NULL;
		const char *err = NULL;
		ssize_t n = stomp_parser_feed(b->parser, buf_data(&c->in), buf_len(&c->in), &f, &err);
		if (n < 0) {
			fail(b, "bad frame from %s: %s", b->remote_addr, err ? err : "protocol error");
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
	for (struct bridge_demand *d = b ? b->demands : NULL; d; d = d->next)
		consumer_wakeup(d->consumer);
}

static void bridge_on_close(struct conn *c)
{
	struct bridge *b = c->state;
	if (!b || stopping)
		return;
	b->conn = NULL;		/* it is being reaped */
	fail(b, "the connection to %s closed", b->remote_addr);
}

static const struct proto bridge_proto = {
	"bridge", "network bridge", NULL, NULL, bridge_on_data, bridge_on_drain, bridge_on_close,
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
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		fail(b, "cannot connect to %s: %s", b->remote_addr, strerror(err));
		return;
	}
	loop_del_fd(l, fd);
	b->connecting_fd = -1;
	local_address(fd, b->local_addr, sizeof b->local_addr);
	b->conn = conn_new(l, NULL, fd, b->remote_addr, NULL);
	if (!b->conn || !(b->parser = stomp_parser_new(BRIDGE_MAX_FRAME))) {
		fail(b, "out of memory");
		return;
	}
	b->conn->proto = &bridge_proto;
	b->conn->state = b;
	set_state(b, BRIDGE_HANDSHAKE);
	char client_id[256];
	snprintf(client_id, sizeof client_id, "%s-bridge-%s", broker.cfg->broker_name, b->entry);
	const char *hdrs[] = { "accept-version", "1.2", "host", b->remote_addr,
			       "tandem-network-bridge", broker.cfg->broker_name,
			       "client-id", client_id,
			       b->nc->user_name ? "login" : NULL, b->nc->user_name,
			       "passcode", b->nc->password ? b->nc->password : "", NULL };
	send_frame(b, "CONNECT", hdrs);
}

static void connect_next(struct bridge *b)
{
	const char *addr = b->addrs[b->next_addr];
	snprintf(b->remote_addr, sizeof b->remote_addr, "%s", addr);
	set_state(b, BRIDGE_CONNECTING);
	char host[256];
	const char *colon = strrchr(addr, ':');
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc) {
		fail(b, "cannot resolve %s: %s", addr, gai_strerror(rc));
		return;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		int e = errno;
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		fail(b, "cannot connect to %s: %s", addr, strerror(e));
		return;
	}
	freeaddrinfo(ai);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	b->connecting_fd = fd;
	if (loop_add_fd(loop, fd, LOOP_WRITE, on_connected, b) < 0) {
		fail(b, "cannot watch the connection to %s: %s", addr, strerror(errno));
		return;
	}
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
	b->connecting_fd = -1;
	b->backoff_ms = BACKOFF_FIRST_MS;
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
	drop_all_demand(b);
	if (b->timer)
		loop_del_timer(loop, b->timer);
	if (b->connecting_fd >= 0) {
		loop_del_fd(loop, b->connecting_fd);
		close(b->connecting_fd);
	}
	if (b->conn) {
		b->conn->state = NULL;
		conn_close(b->conn, "bridge stopping");
	}
	stomp_parser_free(b->parser);
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
			bridge_free(b);
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
