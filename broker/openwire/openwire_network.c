/*
 * openwire_network.c - an ActiveMQ broker's network bridge as a client:
 * what is network-specific on an OpenWire connection whose peer is
 * another broker (ActiveMQ's DemandForwardingBridge, activemq-broker
 * org.apache.activemq.network, is the specification).
 *
 * ActiveMQ's networkConnector dials this broker, sends a BrokerInfo with
 * networkConnection=true (who it is), subscribes to the consumer
 * advisories (openwire_advisory.c says what they carry for it) and sends
 * each message its consumers here want, with the brokerPath of the
 * brokers it left. Here, that connection is a bridge peer as a Tandem
 * bridge's STOMP connection is (bridge_inbound.h): its messages count in
 * the network flows under its broker's name and id (netflow.h), with the
 * rights of its login and no others (authz.h); the brokerPath becomes the
 * core's broker path (NETWORK_PATH_HEADER, BrokerIds comma-separated:
 * Tandem's bridges do not send a message back to a broker in it, nor
 * further than networkTTL), and a message whose path names this broker already is
 * dropped (answered as taken). A resend after either side restarted is
 * known by its MessageId, which the bridge keeps: the producer audit
 * (producer_audit.h) drops it.
 *
 * The other way, a message's path goes to an OpenWire consumer as its
 * brokerPath.
 *
 * Duplex (ActiveMQ's networkConnector duplex="true"): a peer whose
 * BrokerInfo says duplexConnection gets, once its ConnectionInfo is
 * accepted, this broker's bridge back over the same connection
 * (bridge_openwire_duplex.c). The handler hosts it: it sends the
 * bridge's commands with its own command ids, and hands it what answers
 * them (Responses, and the advisories the peer forwards to the bridge's
 * advisory consumer as messages); the peer's own commands are served as
 * before. Tandem's own duplex bridge to an ActiveMQ dials a connection
 * served the same way (openwire_dial_duplex()): its BrokerInfo says
 * networkConnection and duplexConnection, and ActiveMQ's bridge back on
 * it is a peer served here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "bridge.h"
#include "bridge_openwire.h"
#include "broker.h"
#include "buf.h"
#include "conn.h"
#include "log.h"
#include "openwire_conn.h"
#include "openwire_network.h"
#include "openwire.h"

int ow_on_broker_info(struct ow_conn *oc, struct ow_obj *o)
{
	const struct ow_broker_info *bi = (const void *)o;
	if (!(bi->network_connection || oc->dialled) || oc->peer_name)
		return 0;	/* a client's, or said again */
	bool oom = false;
	char *name = ow_utf8_of(&bi->broker_name, &oom);
	char *id = bi->broker_id ? ow_utf8_of(&bi->broker_id->value, &oom) : NULL;
	if (oom || !name) {
		free(name);
		free(id);
		if (oom) {
			conn_close(oc->conn, "out of memory");
			return -1;
		}
		log_warn("openwire", "%s: a network connection's BrokerInfo without a broker "
			 "name: taken as a client's", oc->conn->peer);
		return 0;
	}
	oc->peer_name = name;
	oc->peer_id = id;
	ow_network_duplex_asked(oc, bi);
	/* management's copy (Connection's RemoteBrokerName), the conn's */
	oc->conn->network_broker = strdup(name);
	oc->conn->network_broker_id = id ? strdup(id) : NULL;
	log_info("openwire", "Network bridge from broker %s (%s) connected from %s%s", name,
		 id ? id : "no BrokerId", oc->conn->peer,
		 bi->duplex_connection ? ", duplex" : "");
	return 0;
}

/* ---- duplex: this broker's bridge back over the connection ---- */

void ow_network_duplex_asked(struct ow_conn *oc, const struct ow_broker_info *bi)
{
	bool oom = false;
	oc->duplex_asked = bi->duplex_connection;
	if (oc->duplex_asked)
		oc->duplex_props = ow_utf8_of(&bi->network_properties, &oom);
	if (oom)
		log_warn("openwire", "%s: out of memory for its duplex bridge's options: the "
			 "defaults are taken", oc->conn->peer);
}

static int32_t host_send(struct conn *c, struct ow_obj *o)
{
	struct ow_conn *oc = c->state;
	if (!oc || c->dead) {
		ow_obj_free(o);
		return -1;
	}
	return ow_send(oc, o) < 0 ? -1 : oc->next_command_id;
}

static void host_detach(struct conn *c)
{
	struct ow_conn *oc = c->state;
	if (oc)
		oc->duplex = NULL;
}

static const struct bridge_ow_host duplex_host = { host_send, host_detach };

/* As ActiveMQ, the bridge back starts once the remote's bridge logged
 * in: a client that cannot log in never gets one. */
void ow_network_logged_in(struct ow_conn *oc)
{
	if (!oc->duplex_asked || !oc->peer_name || oc->duplex)
		return;
	oc->duplex_asked = false;
	struct bridge *b = bridge_ow_duplex_accept(oc->conn, oc->peer_name, oc->duplex_props);
	if (!b)
		return;	/* logged; the remote's bridge still forwards here */
	oc->duplex = b;
	bridge_ow_host(b, oc->conn, &duplex_host, oc->peer_name, oc->peer_id);
}

int openwire_dial_duplex(struct conn *c, struct bridge *b)
{
	/* This broker chose the peer: the remote's bridge back needs no
	 * login, and has this connector's (bridge_duplex_login). */
	c->proto = &openwire_proto;
	if (bridge_duplex_login(b, c) < 0 || openwire_proto.open(c) < 0)
		return -1;
	struct ow_conn *oc = c->state;
	oc->dialled = true;
	oc->duplex = b;
	bridge_ow_host(b, c, &duplex_host, NULL, NULL);
	return 0;
}

struct ow_obj *ow_network_broker_info(struct ow_conn *oc, struct ow_obj *o)
{
	struct ow_broker_info *bi = (void *)o;
	if (!o || !oc->dialled || !oc->duplex)
		return o;
	bi->network_connection = bi->duplex_connection = true;
	char *props = bridge_ow_duplex_props(oc->duplex);
	if (!props || ow_str_from_utf8(&bi->network_properties, props, strlen(props)) < 0) {
		ow_obj_free(o);
		o = NULL;
	}
	free(props);
	return o;
}

void ow_network_negotiated(struct ow_conn *oc)
{
	if (oc->dialled && oc->duplex)
		bridge_ow_host_ready(oc->duplex);
}

bool ow_network_duplex_command(struct ow_conn *oc, struct ow_obj *o)
{
	return oc->duplex && bridge_ow_hosted_command(oc->duplex, o);
}

void ow_network_drained(struct ow_conn *oc)
{
	if (oc->duplex)
		bridge_wake_demand(oc->duplex);
}

void ow_network_release(struct ow_conn *oc)
{
	struct bridge *b = oc->duplex;
	oc->duplex = NULL;
	if (b)
		bridge_ow_host_gone(b);
	free(oc->duplex_props);
	oc->duplex_props = NULL;
	if (oc->peer_name)
		log_info("openwire", "Network bridge from broker %s disconnected (%s)",
			 oc->peer_name, oc->conn->peer);
	free(oc->peer_name);
	free(oc->peer_id);
	oc->peer_name = oc->peer_id = NULL;
}

/* ---- the broker path ---- */

int ow_network_path_header(const struct ow_message *om, struct ow_headers *h, bool *oom)
{
	const struct ow_array *path = &om->broker_path;
	if (!path->v || !path->n)
		return 0;
	struct buf b = BUF_INIT;
	int rc = 0;
	for (uint16_t i = 0; rc == 0 && i < path->n; i++) {
		const struct ow_broker_id *id = (const void *)path->v[i];
		char *s = id ? ow_utf8_of(&id->value, oom) : NULL;
		/* A comma would split one id in two. */
		if (s && *s && !strchr(s, ','))
			rc = (buf_len(&b) && buf_puts(&b, ",") < 0) || buf_puts(&b, s) < 0 ? -1 : 0;
		free(s);
	}
	if (rc == 0 && *oom)
		rc = -1;
	if (rc == 0 && buf_len(&b))	/* a buf's data ends in a NUL */
		rc = ow_headers_add(h, NETWORK_PATH_HEADER, buf_data(&b));
	*oom |= rc < 0;
	buf_free(&b);
	return rc;
}

int ow_broker_path_parse(struct ow_array *a, const char *path)
{
	size_t n = 0;
	for (const char *p = path; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		n++;
	if (!n || n > UINT16_MAX)
		return 0;
	if (!(a->v = calloc(n, sizeof *a->v)))
		return -1;
	for (const char *p = path; a->n < n; p += strcspn(p, ",") + 1) {
		struct ow_broker_id *id = (void *)ow_obj_new(OW_BROKER_ID);
		if (!id)
			return -1;	/* the owner of a frees what is in it */
		a->v[a->n++] = &id->h;
		if (ow_str_from_utf8(&id->value, p, strcspn(p, ",")) < 0)
			return -1;
	}
	return 0;
}

int ow_network_path_of(struct ow_message *om, const struct message *m)
{
	return ow_broker_path_parse(&om->broker_path, message_header(m, NETWORK_PATH_HEADER));
}

bool ow_network_accepts(const struct ow_conn *oc, const struct message *m)
{
	if (!broker_in_path(m))
		return true;
	/* A queue message coming back left with the bridge that took it
	 * (ActiveMQ's replayWhenNoConsumers, or its bridge's failover to the
	 * other node of this pair): this is its only copy, and dropping it
	 * while answering it as taken would lose it. A topic message's
	 * subscribers here had it already. */
	if (m->dest_type == DEST_QUEUE)
		return true;
	log_debug("openwire", "Dropped %s from broker %s: it went through this broker before (%s)",
		  m->id, oc->peer_name, message_header(m, NETWORK_PATH_HEADER));
	return false;
}

bool ow_network_wants(const struct message *m)
{
	return strncmp(m->dest, ADVISORY_PREFIX, strlen(ADVISORY_PREFIX)) ||
	       message_header(m, ADVISORY_SUBJECT);
}
