/*
 * openwire_cluster.c - what failover clients are told of the cluster, as
 * ActiveMQ's TransportConnector tells them: a ConnectionControl whose
 * connectedBrokers lists the URIs a client may reconnect to. The failover
 * transport adds them to the URIs it was started with, so a client that
 * knew one node finds the others when that node dies.
 *
 * The list (connector options, tandem.xml(5)): with updateClusterClients
 * or rebalanceClusterClients, this broker's connector the client came in
 * on, then the master of every pair a network bridge of this broker
 * reaches (its address, which is the remote's client connector in the
 * seed). Every client whose ConnectionInfo is manageable (a JMS client's)
 * gets one after its login, as ActiveMQ sends it (empty without the
 * options: the client keeps its own list). When a bridge becomes active,
 * the fault-tolerant clients (those with a failover URL) of a connector
 * with either option hear the new list; when one stops being active, those
 * of a connector with updateClusterClientsOnRemove. With
 * rebalanceClusterClients the list is turned by one for each client, whose
 * failover transport then reconnects to the first: clients spread over
 * the cluster (but not a client that just failed over to here).
 *
 * updateURIsURL is no connector option: it is the client's own (a file of
 * URIs its failover transport reads), so nothing here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "openwire.h"
#include "openwire_conn.h"

/* ConnectionControl's connectedBrokers and rebalanceConnection came in
 * OpenWire 6; an older client would get an empty command. */
#define CLUSTER_VERSION 6

static unsigned long turns;	/* rebalancing: where the next list starts */

static bool updates(const struct conf_connector *cc)
{
	return cc && (cc->update_cluster_clients || cc->rebalance_cluster_clients);
}

/* tcp://HOST:PORT of connector ct as a client reaches it: the wildcard
 * address is published as this host's name, as ActiveMQ does. */
static void own_uri(const struct connector *ct, char *out, size_t len)
{
	char host[256];
	const char *h = ct->conf->host;
	if (!h || !*h || !strcmp(h, "0.0.0.0") || !strcmp(h, "::") || !strcmp(h, "[::]")) {
		if (gethostname(host, sizeof host) < 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = 0;
		h = host;
	}
	snprintf(out, len, "tcp://%s:%d", h, ct->port);
}

/* The URIs, comma-separated, into out (empty when it has no room): this
 * connector's first, then each bridged master's once, turned by `turn`. */
static void cluster_uris(const struct connector *ct, unsigned long turn, char *out,
			 size_t len)
{
	char uris[64][300];
	size_t n = 0;
	own_uri(ct, uris[n++], sizeof uris[0]);
	for (const struct bridge *b = bridge_first(); b && n < 64; b = b->next) {
		if (b->state != BRIDGE_ACTIVE || !b->remote_addr[0])
			continue;
		snprintf(uris[n], sizeof uris[n], "tcp://%s", b->remote_addr);
		size_t i = 0;
		while (i < n && strcmp(uris[i], uris[n]))
			i++;
		n += i == n;
	}
	size_t used = 0;
	out[0] = 0;
	for (size_t k = 0; k < n; k++) {
		int w = snprintf(out + used, len - used, "%s%s", k ? "," : "",
				 uris[(k + turn) % n]);
		if (w < 0 || (size_t)w >= len - used) {
			out[0] = 0;
			return;
		}
		used += (size_t)w;
	}
}

static void send_control(struct ow_conn *oc, bool rebalance)
{
	const struct connector *ct = oc->conn->connector;
	struct ow_connection_control *cc = (void *)ow_obj_new(OW_CONNECTION_CONTROL);
	if (!cc)
		return;
	char list[4096] = "";
	if (ct && updates(ct->conf))
		cluster_uris(ct, rebalance ? turns++ : 0, list, sizeof list);
	cc->rebalance_connection = rebalance;
	if (ow_str_from_utf8(&cc->connected_brokers, list, strlen(list)) < 0) {
		ow_obj_free(&cc->c.h);
		return;
	}
	ow_send(oc, &cc->c.h);
}

void ow_cluster_logged_in(struct ow_conn *oc, const struct ow_connection_info *ci)
{
	const struct connector *ct = oc->conn->connector;
	oc->fault_tolerant = ci->fault_tolerant;
	if (!ci->manageable || oc->fmt.version < CLUSTER_VERSION)
		return;
	send_control(oc, ct && ct->conf->rebalance_cluster_clients && !ci->failover_reconnect);
}

/* The bridges' hook (bridge_on_active_change). */
static void bridges_changed(bool up)
{
	for (struct conn *c = conn_first(); c; c = c->next) {
		struct ow_conn *oc = c->state;
		const struct conf_connector *cc = c->connector ? c->connector->conf : NULL;
		if (c->proto != &openwire_proto || !oc || c->dead || c->closing || !oc->connected ||
		    !oc->fault_tolerant || oc->fmt.version < CLUSTER_VERSION || !cc)
			continue;
		if (up ? updates(cc) : cc->update_cluster_clients_on_remove)
			send_control(oc, cc->rebalance_cluster_clients);
	}
}

void ow_cluster_watch(void)
{
	bridge_on_active_change(bridges_changed);
}
