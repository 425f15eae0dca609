/*
 * page_connections.c - /connections (every client connection) and
 * /network (the network connectors, their bridges with state and
 * forwarded counts, and what crossed them per destination, with rates).
 */
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

int page_network(struct web_req *r)
{
	static const struct html_col connectors[] = {
		{ "Name", "Name" }, { "Uri", "URI" }, { "NetworkTTL", "TTL" },
		{ "Bridges", "Bridges" }, { "DynamicOnly", "Dynamic only" },
		{ "ConduitSubscriptions", "Conduit" },
	};
	static const struct html_col bridges[] = {
		{ "NetworkConnectorName", "Connector" }, { "RemoteBrokerName", "Remote broker" },
		{ "RemoteAddress", "Remote address" }, { "State", "State" },
		{ "StateSinceMillis", "Since (UTC)" },
		{ "EnqueueCounter", "Forwarded" }, { "DequeueCounter", "Stored remotely" },
		{ "Connects", "Connects" }, { "Failures", "Failures" },
		{ "LastError", "Last error" }, { "Demand", "Demand" },
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
	rows = query_rows(NULL, NULL, BROKER ",connector=networkConnectors,networkConnectorName=*,"
			  "networkBridge=*", model_broker_name());
	buf_puts(&b, "<h2>Bridges</h2>");
	html_rows(&b, "bridges", rows, bridges, N(bridges), "no bridges");
	json_decref(rows);
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
