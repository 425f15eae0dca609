/*
 * bridge_openwire_duplex.c - the dialled end of an ActiveMQ broker's
 * duplex networkConnector (duplex="true"): a bridge of this broker that
 * forwards back to it over the connection its own bridge opened here, as
 * ActiveMQ's responder end does (TransportConnection's duplex bridge,
 * DemandForwardingBridgeSupport.duplexStart, in activemq-broker).
 *
 * ActiveMQ's bridge says duplexConnection in its BrokerInfo and carries
 * its connector's options in networkProperties (a java.util.Properties
 * text: messageTTL, consumerTTL, prefetchSize, conduitSubscriptions, ...;
 * networkTTL is left out by ActiveMQ itself). Once its ConnectionInfo is
 * accepted (its login), this broker's bridge, with those options, speaks
 * to it as a client over the same connection (bridge_ow_host()): it sends
 * ConnectionInfo, SessionInfo, ProducerInfo and a ConsumerInfo on the
 * consumer advisories, one way; the remote's bridge takes that ConsumerInfo
 * for demand and forwards its consumer advisories back as messages; each
 * message this bridge forwards is answered with a Response carrying the
 * message's command id. The OpenWire handler keeps serving the remote's
 * own bridge on that connection and passes what answers this one on.
 *
 * What this bridge reads here is what the remote's user may read: its
 * demand consumers ask the authorizationPlugin as that user's own
 * consumers would (bridge_demand.c), so a client that logs in and says
 * it is a duplex bridge gets nothing it could not consume itself.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bridge_openwire.h"
#include "buf.h"
#include "config.h"
#include "conn.h"
#include "log.h"

/* One line's key or value of a Properties text, unescaped, into out
 * (at most outlen - 1 bytes); returns where it stopped. Keys end at an
 * unescaped '=', ':' or blank; values at the line's end. */
static const char *prop_token(const char *p, bool key, char *out, size_t outlen)
{
	size_t n = 0;
	for (; *p && *p != '\n' && *p != '\r'; p++) {
		char ch = *p;
		if (key && (ch == '=' || ch == ':' || ch == ' ' || ch == '\t'))
			break;
		if (ch == '\\' && p[1] && p[1] != '\n') {
			ch = *++p;
			ch = ch == 't' ? '\t' : ch == 'n' ? '\n' : ch == 'r' ? '\r' : ch == 'f' ? '\f' : ch;
		}
		if (n + 1 < outlen)
			out[n++] = ch;
	}
	out[n] = '\0';
	return p;
}

/* The value of key in a Properties text, into out; false when absent. */
static bool prop_get(const char *props, const char *key, char *out, size_t outlen)
{
	char k[128];
	for (const char *p = props; p && *p; p += *p != '\0') {
		p += strspn(p, " \t\r\n\f");
		if (*p == '#' || *p == '!') {
			p += strcspn(p, "\n");
			continue;
		}
		p = prop_token(p, true, k, sizeof k);
		p += strspn(p, " \t");
		if (*p == '=' || *p == ':')
			p++;
		p += strspn(p, " \t");
		if (!strcmp(k, key)) {
			prop_token(p, false, out, outlen);
			return true;
		}
		p += strcspn(p, "\n");
	}
	return false;
}

static int prop_int(const char *props, const char *key, int dflt)
{
	char v[32], *end;
	if (!prop_get(props, key, v, sizeof v))
		return dflt;
	long n = strtol(v, &end, 10);
	return *end || n < 1 || n > 1000000 ? dflt : (int)n;
}

static bool prop_bool(const char *props, const char *key, bool dflt)
{
	char v[8];
	return prop_get(props, key, v, sizeof v) ? !strcmp(v, "true") : dflt;
}

/* The remote's connector's options as this bridge's; NULL when memory
 * ran out. */
static struct conf_network_connector *options_of(const char *props)
{
	struct conf_network_connector *nc = calloc(1, sizeof *nc);
	char name[256], filters[4096];
	if (!nc)
		return NULL;
	if (!prop_get(props, "name", name, sizeof name) || !*name)
		snprintf(name, sizeof name, "bridge");
	nc->duplex = true;
	/* ActiveMQ's networkTTL is its messageTTL and consumerTTL, which
	 * its BrokerInfo carries (not networkTTL itself). */
	nc->message_ttl = prop_int(props, "messageTTL", 1);
	nc->consumer_ttl = prop_int(props, "consumerTTL", nc->message_ttl);
	nc->network_ttl = nc->message_ttl;
	nc->prefetch_size = prop_int(props, "prefetchSize", 1000);
	nc->decrease_network_consumer_priority =
		prop_bool(props, "decreaseNetworkConsumerPriority", false);
	nc->conduit_subscriptions = prop_bool(props, "conduitSubscriptions", true);
	nc->suppress_duplicate_queue_subscriptions =
		prop_bool(props, "suppressDuplicateQueueSubscriptions", false);
	nc->dynamic_only = prop_bool(props, "dynamicOnly", false);
	/* Temporary destinations are not bridged to ActiveMQ yet
	 * (tandemd(8), Bridges to ActiveMQ brokers). */
	nc->bridge_temp_destinations = false;
	int rc = !(nc->name = strdup(name)) || !(nc->uri = strdup("duplex")) ? -1 : 0;
	static const struct {
		const char *key;
		size_t offset;
	} lists[] = {
		{ "excludedDestinations", offsetof(struct conf_network_connector, excluded) },
		{ "dynamicallyIncludedDestinations",
		  offsetof(struct conf_network_connector, dynamically_included) },
		{ "staticallyIncludedDestinations",
		  offsetof(struct conf_network_connector, statically_included) },
	};
	for (size_t i = 0; rc == 0 && i < sizeof lists / sizeof lists[0]; i++)
		if (prop_get(props, lists[i].key, filters, sizeof filters))
			rc = bridge_filters_parse(filters, (void *)((char *)nc + lists[i].offset));
	if (rc < 0) {
		config_network_connector_free(nc);
		free(nc);
		return NULL;
	}
	return nc;
}

struct bridge *bridge_ow_duplex_accept(const struct conn *c, const char *peer_name,
				       const char *props)
{
	struct conf_network_connector *nc = options_of(props);
	char *entry = NULL;
	struct bridge *b = NULL;
	if (!nc || asprintf(&entry, "duplex:%s@%s", peer_name, c->peer) < 0 ||
	    !(b = bridge_new_duplex(nc, entry))) {
		config_network_connector_free(nc);
		free(nc);
		free(entry);
		log_error("network", "Duplex bridge from broker %s (%s): out of memory", peer_name,
			  c->peer);
		return NULL;
	}
	free(entry);
	b->openwire = true;
	bridge_duplex_link(b, c);
	log_info("network", "Broker %s at %s opened a duplex bridge (networkConnector %s): "
		 "forwarding to it over that connection", peer_name, c->peer, nc->name);
	return b;
}

/* k=v on its own line, escaped as java.util.Properties reads it. */
static int put_prop(struct buf *out, const char *k, const char *v)
{
	int rc = buf_puts(out, k) < 0 || buf_puts(out, "=") < 0 ? -1 : 0;
	for (const char *p = v; rc == 0 && *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r"
				: *p == '=' ? "\\=" : *p == ':' ? "\\:" : NULL;
		rc = esc ? buf_puts(out, esc) : buf_append(out, p, 1);
	}
	return rc < 0 || buf_puts(out, "\n") < 0 ? -1 : 0;
}

char *bridge_ow_duplex_props(const struct bridge *b)
{
	const struct conf_network_connector *nc = b->nc;
	char msg_ttl[16], cons_ttl[16], prefetch[16];
	snprintf(msg_ttl, sizeof msg_ttl, "%d", nc->message_ttl);
	snprintf(cons_ttl, sizeof cons_ttl, "%d", nc->consumer_ttl);
	snprintf(prefetch, sizeof prefetch, "%d", nc->prefetch_size);
	/* ActiveMQ's responder end takes these for its bridge back
	 * (DemandForwardingBridgeSupport, doStartLocalAndRemoteBridges);
	 * userName and password are its login at its own broker, as
	 * ActiveMQ's dialler sends them. Temporary destinations are not
	 * bridged with ActiveMQ yet. */
	const char *props[] = {
		"name", nc->name,
		"duplex", "true",
		"messageTTL", msg_ttl,
		"consumerTTL", cons_ttl,
		"prefetchSize", prefetch,
		"conduitSubscriptions", nc->conduit_subscriptions ? "true" : "false",
		"decreaseNetworkConsumerPriority",
		nc->decrease_network_consumer_priority ? "true" : "false",
		"suppressDuplicateQueueSubscriptions",
		nc->suppress_duplicate_queue_subscriptions ? "true" : "false",
		"dynamicOnly", nc->dynamic_only ? "true" : "false",
		"bridgeTempDestinations", "false",
		"userName", nc->user_name,
		"password", nc->password,
	};
	struct buf out = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof props / sizeof props[0]; i += 2)
		if (props[i + 1])
			rc = put_prop(&out, props[i], props[i + 1]);
	size_t len;
	char *text = rc == 0 && buf_append(&out, "", 0) == 0 ? buf_steal(&out, &len) : NULL;
	buf_free(&out);
	return text;
}
