/*
 * page_connections.c - /connections (every client connection) and
 * /network (the network connectors, their bridges with state, failing
 * ones marked, and forwarded counts, the ActiveMQ brokers that dialled in,
 * and what crossed them per destination, with rates).
 */
#include <string.h>

#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "paging.h"
#include "query.h"

#define N(a) (sizeof(a) / sizeof *(a))
#define BROKER MODEL_DOMAIN ":type=Broker,brokerName=%s"

int page_connections(struct web_req *r)
{
	static const struct html_col cols[] = {
		{ "RemoteAddress", "Remote address" }, { "Protocol", "Protocol" },
		{ "ClientId", "Client id" }, { "UserName", "User" },
		{ "ConnectedSince", "Connected since (UTC)" }, { "Consumers", "Subscriptions" },
		{ "EnqueueCount", "Sent" }, { "DispatchCount", "Delivered" },
		{ "Blocked", "Blocked" },
		/* another broker's bridge (a Tandem's, an ActiveMQ's) */
		{ "RemoteBrokerName", "Network bridge of" },
	};
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Connections");
	json_t *config = paging_config(r, "RemoteAddress");
	struct jolokia_page page;
	json_t *rows = query_page(NULL, config, &page, BROKER ",connector=clientConnectors,"
				  "connectorName=*,connectionViewType=remoteAddress,connectionName=*",
				  model_broker_name());
	json_decref(config);
	paging_nav(&b, r, "/connections", "RemoteAddress", &page);
	html_rows(&b, "connections", rows, cols, N(cols), "no connections");
	paging_nav(&b, r, "/connections", NULL, &page);
	json_decref(rows);
	return html_end(r, &b);
}

/* Every bridge a row; one not active (connecting, in its handshake or
 * backing off between retries) is failing, and has been since it went
 * down (DownSinceMillis), not since its latest retry. */
static void bridges_table(struct buf *b)
{
	static const struct html_col after[] = {
		{ "EnqueueCounter", "Forwarded" }, { "DequeueCounter", "Stored remotely" },
		{ "Connects", "Connects" }, { "Failures", "Failures" },
		{ "LastError", "Last error" }, { "Demand", "Demand" },
	};
	json_t *rows = query_rows(NULL, NULL, BROKER ",connector=networkConnectors,"
				  "networkConnectorName=*,networkBridge=*", model_broker_name());
	buf_puts(b, "<h2>Bridges</h2><table id=\"bridges\"><tr><th>Connector</th>"
		 "<th>Remote broker</th><th>Remote address</th><th>State</th>"
		 "<th>Since (UTC)</th>");
	for (size_t k = 0; k < N(after); k++)
		buf_printf(b, "<th>%s</th>", after[k].heading);
	buf_puts(b, "</tr>\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *state = json_string_value(json_object_get(row, "State"));
		bool active = state && !strcmp(state, "active");
		buf_printf(b, "<tr class=\"%s\">", active ? "ok" : "bad");
		html_cell(b, json_object_get(row, "NetworkConnectorName"));
		html_cell(b, json_object_get(row, "RemoteBrokerName"));
		html_cell(b, json_object_get(row, "RemoteAddress"));
		buf_printf(b, "<td class=\"state %s\">", active ? "ok" : "bad");
		html_value(b, json_object_get(row, "State"));
		buf_puts(b, active ? "</td>" : " (failing)</td>");
		html_time_cell(b, json_object_get(row, active ? "StateSinceMillis" : "DownSinceMillis"));
		for (size_t k = 0; k < N(after); k++)
			html_cell(b, json_object_get(row, after[k].attr));
		buf_puts(b, "</tr>\n");
	}
	if (!json_array_size(rows))
		buf_printf(b, "<tr><td colspan=\"%zu\">no bridges</td></tr>", N(after) + 5);
	buf_puts(b, "</table>\n");
	json_decref(rows);
}

/* ActiveMQ brokers whose networkConnector dialled this one: an
 * InboundNetworkBridge each (mgmt/server/model_inbound.c), as long as it
 * is connected. */
static void inbound_table(struct buf *b)
{
	static const struct html_col cols[] = {
		{ "RemoteBrokerName", "Remote broker" }, { "RemoteBrokerType", "Kind" },
		{ "RemoteBrokerId", "Broker id" }, { "RemoteAddress", "From" },
		{ "NetworkConnectorName", "Connector" },
		{ "StateSinceMillis", "Connected since (UTC)" },
		{ "EnqueueCounter", "Messages in" }, { "ForwardedBack", "Messages out" },
		{ "Neighbour", "Its own state (Jolokia)" },
	};
	json_t *rows = query_rows(NULL, NULL, BROKER ",connector=inboundNetworkBridges,"
				  "networkConnectorName=*,networkBridge=*", model_broker_name());
	buf_puts(b, "<h2>Inbound bridges</h2>");
	html_rows(b, "inbound-bridges", rows, cols, N(cols), "no broker dialled in");
	json_decref(rows);
}

/* The ActiveMQ neighbours whose Jolokia this broker reads (a
 * jolokiaNeighbour each, tandem.xml(5)): their own state, or why it
 * cannot be read. */
static void neighbours_table(struct buf *b)
{
	static const struct html_col cols[] = {
		{ "Name", "Neighbour" }, { "Url", "Jolokia" }, { "State", "State" },
		{ "Error", "Why not" }, { "Uptime", "Uptime" },
		{ "TotalMessageCount", "Messages" }, { "ReadMillis", "Read at (UTC)" },
		{ "Summary", "Summary" },
	};
	json_t *rows = query_rows(NULL, NULL, BROKER ",service=JolokiaNeighbour,neighbourName=*",
				  model_broker_name());
	if (json_array_size(rows)) {
		buf_puts(b, "<h2>ActiveMQ neighbours (their Jolokia)</h2>");
		html_rows(b, "neighbours", rows, cols, N(cols), "none");
	}
	json_decref(rows);
}

int page_network(struct web_req *r)
{
	static const struct html_col connectors[] = {
		{ "Name", "Name" }, { "Uri", "URI" }, { "NetworkTTL", "TTL" },
		{ "Bridges", "Bridges" }, { "DynamicOnly", "Dynamic only" },
		{ "ConduitSubscriptions", "Conduit" },
	};
	static const struct html_col flows[] = {
		{ "RemoteBrokerName", "Neighbour" }, { "Direction", "Direction" },
		{ "DestinationName", "Destination" }, { "Count", "Messages" },
		{ "Rate", "Rate (msg/s)" },
	};
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Network");
	json_t *rows = query_rows(NULL, NULL, BROKER ",connector=networkConnectors,"
				  "networkConnectorName=*", model_broker_name());
	buf_puts(&b, "<h2>Network connectors</h2>");
	html_rows(&b, "network-connectors", rows, connectors, N(connectors), "none");
	json_decref(rows);
	bridges_table(&b);
	inbound_table(&b);
	neighbours_table(&b);
	/* The busiest first, while there are few enough to sort (tandem-mgmt(7),
	 * Paging); else a page by name. */
	rows = query_rows(NULL, "-Count", BROKER ",connector=networkConnectors,networkBridge=*,"
			  "direction=*,destinationType=*,destinationName=*,*", model_broker_name());
	buf_puts(&b, "<h2>Forwarded, per destination</h2>");
	if (!json_array_size(rows)) {
		json_decref(rows);
		json_t *config = paging_config(r, NULL);
		struct jolokia_page page;
		rows = query_page(NULL, config, &page, BROKER ",connector=networkConnectors,"
				  "networkBridge=*,direction=*,destinationType=*,destinationName=*,*",
				  model_broker_name());
		json_decref(config);
		if (json_array_size(rows))
			buf_puts(&b, "<p>Too many to sort: by name, a page at a time.</p>");
		paging_nav(&b, r, "/network", NULL, &page);
	}
	html_rows(&b, "flows", rows, flows, N(flows), "nothing forwarded yet");
	json_decref(rows);
	return html_end(r, &b);
}
