/*
 * bridge_duplex.c - duplex bridges (networkConnector duplex="true"): one
 * broker's configuration, and connections from it only, carry messages
 * both ways, as through a firewall that lets one side call the other.
 *
 * The configured side (A) runs its bridge to B as usual. Once that is
 * active, A opens a second connection to B and sends a CONNECT that says
 * "duplex" and carries A's options; B's STOMP handler gives that
 * connection to bridge_duplex_accept(), which makes a bridge on B with
 * those options (CreatedByDuplex), and B's bridge speaks to A as a client
 * over it while A serves it like any STOMP client connection (a trusted
 * one: A dialled it). Either connection failing makes A's bridge start
 * over, and B's duplex bridge ends with its connection.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "proto.h"
#include "stomp_frame.h"

#define DUPLEX_HEADER "tandem-duplex"

/* ---- the configured side ---- */

/* "queue://A,topic://B" for a filter list; "" for none. */
static char *filters_text(const struct conf_dest_filters *f)
{
	size_t len = 1;
	for (size_t i = 0; i < f->n; i++)
		len += strlen(f->v[i].pattern) + 10;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < f->n; i++)
		p += sprintf(p, "%s%s://%s", i ? "," : "", f->v[i].topic ? "topic" : "queue",
			     f->v[i].pattern);
	return s;
}

static void reverse_gone(struct conn *c, void *ctx)
{
	(void)c;
	struct bridge *b = ctx;
	b->reverse = NULL;
	bridge_fail(b, "the duplex connection to %s closed", b->remote_addr);
}

/* The CONNECT that asks the remote for a bridge back over this
 * connection, with this connector's options. */
static int put_duplex_connect(struct bridge *b, struct buf *out)
{
	const struct conf_network_connector *nc = b->nc;
	char msg_ttl[16], cons_ttl[16], prefetch[16];
	snprintf(msg_ttl, sizeof msg_ttl, "%d", nc->message_ttl);
	snprintf(cons_ttl, sizeof cons_ttl, "%d", nc->consumer_ttl);
	snprintf(prefetch, sizeof prefetch, "%d", nc->prefetch_size);
	char *excluded = filters_text(&nc->excluded);
	char *included = filters_text(&nc->dynamically_included);
	int rc = !excluded || !included ? -1 : 0;
	const char *hdrs[] = {
		"accept-version", "1.2",
		"tandem-network-bridge", broker.cfg->broker_name,
		DUPLEX_HEADER, nc->name,
		"tandem-message-ttl", msg_ttl,
		"tandem-consumer-ttl", cons_ttl,
		"tandem-prefetch-size", prefetch,
		"tandem-decrease-priority", nc->decrease_network_consumer_priority ? "true" : "false",
		"tandem-conduit", nc->conduit_subscriptions ? "true" : "false",
		"tandem-bridge-temp", nc->bridge_temp_destinations ? "true" : "false",
		"tandem-suppress-duplicates",
		nc->suppress_duplicate_queue_subscriptions ? "true" : "false",
		"tandem-excluded", excluded ? excluded : "",
		"tandem-dynamically-included", included ? included : "",
		nc->user_name ? "login" : NULL, nc->user_name,
		"passcode", nc->password ? nc->password : "",
		NULL,
	};
	rc |= stomp_put_command(out, "CONNECT");
	for (size_t i = 0; hdrs[i]; i += 2)
		rc |= stomp_put_header(out, STOMP_V12, hdrs[i], hdrs[i + 1]);
	rc |= stomp_put_body(out, NULL, 0, 0);
	free(excluded);
	free(included);
	return rc;
}

static void on_reverse_connected(struct loop *l, int fd, int events, void *ctx)
{
	(void)events;
	struct bridge *b = ctx;
	int err = bridge_dialled(&b->reverse_dial, fd);
	if (err) {
		bridge_fail(b, "duplex: cannot connect to %s: %s", b->remote_addr, strerror(err));
		return;
	}
	struct conn *c = conn_new(l, NULL, fd, b->remote_addr, NULL);
	const struct proto *stomp = proto_find("stomp");
	if (!c || !stomp || put_duplex_connect(b, &c->out) < 0) {
		if (c)
			conn_close(c, "out of memory");
		bridge_fail(b, "duplex: out of memory");
		return;
	}
	/* From here on this end serves the remote's bridge as STOMP does any
	 * client's, with this connector's login. */
	c->proto = stomp;
	if (bridge_duplex_login(b, c) < 0 || stomp->open(c) < 0) {
		conn_close(c, "out of memory");
		bridge_fail(b, "duplex: out of memory");
		return;
	}
	c->gone = reverse_gone;
	c->gone_ctx = b;
	b->reverse = c;
	conn_flush_later(c);
	log_info("network", "Bridge %s: duplex connection to %s open: %s forwards back over it",
		 b->entry, b->remote_addr, b->remote_name);
}

static void reverse_failed(struct bridge *b, const char *why)
{
	bridge_fail(b, "duplex: %s", why);
}

/* Without a login of its own, what the remote sent back over a
 * connection this broker dialled had every right: any queue written, any
 * read, whatever the authorizationPlugin said (t/87-network-duplex-authz
 * test 2). */
int bridge_duplex_login(struct bridge *b, struct conn *c)
{
	c->trusted = true;
	free(c->user);
	c->user = NULL;
	const char *user = b->nc->user_name;
	return user && *user && !(c->user = strdup(user)) ? -1 : 0;
}

void bridge_duplex_open(struct bridge *b)
{
	bridge_dial(&b->reverse_dial, b->remote_addr, on_reverse_connected, reverse_failed);
}

void bridge_duplex_close(struct bridge *b)
{
	bridge_dial_cancel(&b->reverse_dial);
	if (b->reverse) {
		b->reverse->gone = NULL;	/* not back here: b knows */
		conn_close(b->reverse, "network bridge stopping");
		b->reverse = NULL;
	}
}

/* ---- the remote side ---- */

static bool header_bool(const struct stomp_frame *f, const char *name, bool dflt)
{
	const char *v = stomp_frame_header(f, name);
	return v ? !strcmp(v, "true") : dflt;
}

static int header_int(const struct stomp_frame *f, const char *name, int dflt)
{
	const char *v = stomp_frame_header(f, name);
	char *end;
	long n = v ? strtol(v, &end, 10) : dflt;
	return v && (*end || n < 1 || n > 1000000) ? dflt : (int)n;
}

int bridge_filters_parse(const char *text, struct conf_dest_filters *f)
{
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, ",");
		bool topic = !strncmp(p, "topic://", 8);
		size_t skip = topic ? 8 : !strncmp(p, "queue://", 8) ? 8 : 0;
		if (n > skip) {
			struct conf_dest_filter *v = realloc(f->v, (f->n + 1) * sizeof *v);
			char *pattern = strndup(p + skip, n - skip);
			if (!v || !pattern) {
				free(pattern);
				if (v)
					f->v = v;
				return -1;
			}
			f->v = v;
			v[f->n++] = (struct conf_dest_filter){ topic, pattern };
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

struct bridge *bridge_duplex_accept(struct conn *c, const struct stomp_frame *f)
{
	const char *peer_broker = stomp_frame_header(f, "tandem-network-bridge");
	const char *name = stomp_frame_header(f, DUPLEX_HEADER);
	struct conf_network_connector *nc = calloc(1, sizeof *nc);
	char *entry = NULL;
	if (!nc || !(nc->name = strdup(name && *name ? name : "bridge")) ||
	    !(nc->uri = strdup("duplex")) ||
	    asprintf(&entry, "duplex:%s@%s", peer_broker ? peer_broker : "?", c->peer) < 0) {
		config_network_connector_free(nc);
		free(nc);
		log_error("network", "Duplex bridge from %s: out of memory", c->peer);
		return NULL;
	}
	nc->duplex = true;
	nc->message_ttl = header_int(f, "tandem-message-ttl", 1);
	nc->consumer_ttl = header_int(f, "tandem-consumer-ttl", 1);
	nc->network_ttl = nc->message_ttl;
	nc->prefetch_size = header_int(f, "tandem-prefetch-size", 1000);
	nc->decrease_network_consumer_priority = header_bool(f, "tandem-decrease-priority", false);
	nc->conduit_subscriptions = header_bool(f, "tandem-conduit", true);
	nc->bridge_temp_destinations = header_bool(f, "tandem-bridge-temp", true);
	nc->suppress_duplicate_queue_subscriptions =
		header_bool(f, "tandem-suppress-duplicates", false);
	struct bridge *b = NULL;
	if (bridge_filters_parse(stomp_frame_header(f, "tandem-excluded"), &nc->excluded) < 0 ||
	    bridge_filters_parse(stomp_frame_header(f, "tandem-dynamically-included"),
			  &nc->dynamically_included) < 0 ||
	    !(b = bridge_new_duplex(nc, entry))) {
		config_network_connector_free(nc);
		free(nc);
		free(entry);
		log_error("network", "Duplex bridge from %s: out of memory", c->peer);
		return NULL;
	}
	free(entry);
	log_info("network", "Broker %s at %s opened a duplex bridge (networkConnector %s): "
		 "forwarding to it over that connection", peer_broker ? peer_broker : "?", c->peer,
		 nc->name);
	return b;
}
