/*
 * page_broker.c - the console's broker pages: / (overview: role, lock,
 * uptime, usage, connectors, health), /ha (the lock, its holder, its
 * events) and /cluster (the nodes this one knows: its pair, and the
 * brokers its network bridges reach).
 */
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "query.h"

#define BROKER MODEL_DOMAIN ":type=Broker,brokerName=%s"

/* A two-column table of one object's attributes, in the order given. */
static void facts(struct buf *b, json_t *obj, const char *const *attrs)
{
	buf_puts(b, "<table class=\"facts\">");
	for (; *attrs; attrs++) {
		json_t *v = json_object_get(obj, *attrs);
		if (!v)
			continue;
		buf_puts(b, "<tr><th>");
		html_text(b, *attrs);
		buf_puts(b, "</th>");
		html_cell(b, v);
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</table>\n");
}

static void usage_bar(struct buf *b, const char *label, const char *id, json_t *v)
{
	long long pct = json_integer_value(v);
	buf_printf(b, "<tr><th>%s</th><td><meter id=\"%s\" min=\"0\" max=\"100\" low=\"70\" "
		   "high=\"90\" value=\"%lld\">%lld%%</meter> %lld%%</td></tr>", label, id, pct, pct,
		   pct);
}

int page_overview(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Overview");
	/* the last hour, from the broker's History (static_charts.c) */
	buf_puts(&b, "<section><h2>Messages held, in and out per second</h2><div class=\"hchart\" "
		 "id=\"broker-chart\" data-history=\"" MODEL_DOMAIN ":type=Broker,brokerName=");
	html_text(&b, model_broker_name());
	buf_puts(&b, ",service=History\"><noscript>The chart needs JavaScript; the numbers below "
		 "do not.</noscript></div></section>\n");
	json_t *read = query_read(NULL, NULL, BROKER, model_broker_name());
	json_t *br = query_first(read);
	static const char *const attrs[] = {
		"BrokerName", "BrokerId", "BrokerVersion", "Uptime", "DataDirectory",
		"TotalMessageCount", "TotalEnqueueCount", "TotalDequeueCount", "TotalConsumerCount",
		"TotalProducerCount", "CurrentConnectionsCount", NULL,
	};
	buf_puts(&b, "<section><h2>Broker</h2>");
	facts(&b, br, attrs);
	buf_puts(&b, "<table class=\"facts\">");
	usage_bar(&b, "Memory", "memory", json_object_get(br, "MemoryPercentUsage"));
	usage_bar(&b, "Store", "store", json_object_get(br, "StorePercentUsage"));
	usage_bar(&b, "Temp", "temp", json_object_get(br, "TempPercentUsage"));
	buf_puts(&b, "</table></section>\n");
	json_decref(read);

	read = query_read("Role,Holder,WaitingSince,Attempts", NULL, BROKER ",service=Locker",
			  model_broker_name());
	static const char *const lock[] = { "Role", "Holder", "WaitingSince", "Attempts", NULL };
	buf_puts(&b, "<section><h2>Lock</h2>");
	if (query_first(read))
		facts(&b, query_first(read), lock);
	else
		buf_puts(&b, "<p>No store (persistent=\"false\"): no lock.</p>");
	buf_puts(&b, "</section>\n");
	json_decref(read);

	read = query_read("CurrentStatus", NULL, BROKER ",service=Health", model_broker_name());
	buf_puts(&b, "<section><h2>Health</h2><p id=\"health\">");
	html_value(&b, json_object_get(query_first(read), "CurrentStatus"));
	buf_puts(&b, "</p></section>\n");
	json_decref(read);

	json_t *rows = query_rows("Name,Uri,CurrentConnections,MaximumConnections,RefusedConnections",
				  NULL, BROKER ",connector=clientConnectors,connectorName=*",
				  model_broker_name());
	static const struct html_col connectors[] = {
		{ "Name", "Name" }, { "Uri", "URI" }, { "CurrentConnections", "Connections" },
		{ "MaximumConnections", "Maximum" }, { "RefusedConnections", "Refused" },
	};
	buf_puts(&b, "<section><h2>Connectors</h2>");
	html_rows(&b, "connectors", rows, connectors, 5, "none open (a slave opens none)");
	buf_puts(&b, "</section>\n");
	json_decref(rows);
	return html_end(r, &b);
}

int page_ha(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "High availability");
	json_t *read = query_read(NULL, NULL, BROKER ",service=Locker", model_broker_name());
	json_t *lk = query_first(read);
	if (!lk) {
		buf_puts(&b, "<p>This broker keeps no store (persistent=\"false\"): it has no lock "
			 "and no slave.</p>");
		json_decref(read);
		return html_end(r, &b);
	}
	static const char *const attrs[] = {
		"Role", "Holder", "HolderStale", "HolderRefreshedAgo", "LockFile", "StoreDirectory",
		"WaitingSince", "Attempts", "LastError", "LockAcquireSleepInterval", "LockKeepAlivePeriod", NULL,
	};
	facts(&b, lk, attrs);
	buf_puts(&b, "<h2>Events</h2><table id=\"events\"><tr><th>Time (UTC)</th><th>Event</th></tr>");
	json_t *events = json_object_get(lk, "Events");
	for (size_t i = json_array_size(events); i-- > 0;) {
		json_t *e = json_array_get(events, i);
		buf_puts(&b, "<tr>");
		html_cell(&b, json_object_get(e, "iso"));
		html_cell(&b, json_object_get(e, "event"));
		buf_puts(&b, "</tr>");
	}
	buf_puts(&b, "</table>");
	json_decref(read);
	return html_end(r, &b);
}

int page_cluster(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Cluster");
	buf_puts(&b, "<h2>This pair</h2><table id=\"pair\"><tr><th>Broker</th>"
		 "<th>Management address</th><th>Role</th><th>Console</th></tr>");
	json_t *consoles = broker.cfg->persistent
		? model_roster_read_from(broker.cfg->store_directory, "web") : json_object();
	json_t *read = query_read("PairNodes,Role,Holder", NULL, BROKER ",service=Locker",
				  model_broker_name());
	json_t *lk = query_first(read);
	const char *me = model_broker_name();
	/* The nodes either roster knows (a node may have no management
	 * socket, or no console). */
	json_t *pair = json_object_get(lk, "PairNodes");
	pair = json_is_object(pair) ? json_copy(pair) : json_object();
	const char *name;
	json_t *addr;
	json_object_foreach(consoles, name, addr)
		if (!json_object_get(pair, name))
			json_object_set_new(pair, name, json_string(""));
	const char *holder = json_string_value(json_object_get(lk, "Holder"));
	if (!json_object_size(pair)) {
		buf_puts(&b, "<tr><td>");
		html_text(&b, me);
		buf_puts(&b, "</td><td></td><td>");
		html_value(&b, json_object_get(lk, "Role"));
		buf_puts(&b, "</td><td></td></tr>");
	}
	json_object_foreach(pair, name, addr) {
		bool self = !strcmp(name, me);
		/* The lock file names its holder first: "NAME on HOST pid ..." */
		bool holds = holder && !strncmp(holder, name, strlen(name)) &&
			     holder[strlen(name)] == ' ';
		buf_puts(&b, "<tr><td>");
		if (self)
			buf_puts(&b, "<a href=\"/\">");
		html_text(&b, name);
		buf_puts(&b, self ? "</a> (this node)" : "");
		buf_puts(&b, "</td>");
		html_cell(&b, addr);
		buf_printf(&b, "<td>%s</td><td>", holds ? "master" : "slave or down");
		const char *url = json_string_value(json_object_get(consoles, name));
		if (url && !strncmp(url, "http", 4)) {
			buf_puts(&b, "<a href=\"");
			html_text(&b, url);
			buf_puts(&b, "\">");
			html_text(&b, url);
			buf_puts(&b, "</a>");
		}
		buf_puts(&b, "</td></tr>");
	}
	json_decref(consoles);
	json_decref(pair);
	buf_puts(&b, "</table>\n");
	json_decref(read);

	json_t *rows = query_rows("RemoteBrokerName,RemoteAddress,RemoteManagementAddress,State,"
				  "EnqueueCounter", NULL,
				  BROKER ",connector=networkConnectors,networkConnectorName=*,"
				  "networkBridge=*", me);
	static const struct html_col remotes[] = {
		{ "RemoteBrokerName", "Broker" }, { "RemoteAddress", "Address" },
		{ "RemoteManagementAddress", "Management address" }, { "State", "Bridge" },
		{ "EnqueueCounter", "Forwarded" },
	};
	buf_puts(&b, "<h2>Brokers the network reaches</h2>");
	html_rows(&b, "remotes", rows, remotes, 5, "no network bridges");
	buf_puts(&b, "<p>Each node serves its own console on the port of its "
		 "jetty.xml; a node's management address leads to it with <code>tandemctl</code> "
		 "and <code>tandemtop</code>.</p>");
	json_decref(rows);
	return html_end(r, &b);
}
