/*
 * page_broker.c - the console's broker pages: / (overview: role, lock,
 * uptime, usage with the fullest queue, connectors, health checks as
 * rows: page_health.c) and /ha (the lock, its holder, its
 * events). /cluster is page_cluster.c.
 */
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "page_health.h"
#include "query.h"

#define BROKER MODEL_DOMAIN ":type=Broker,brokerName=%s"

/* A two-column table of one object's attributes, in the order given;
 * the id lets the page's script put it in place live. */
static void facts(struct buf *b, const char *id, json_t *obj, const char *const *attrs)
{
	buf_printf(b, "<table class=\"facts\" id=\"%s\">", id);
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

/* A meter, and after it what it reads (a queue past its limit reads
 * over 100%, the meter full). */
static void usage_bar(struct buf *b, const char *label, const char *id, json_t *v,
		      const char *whose)
{
	long long pct = json_integer_value(v);
	buf_printf(b, "<tr><th>%s</th><td><meter id=\"%s\" min=\"0\" max=\"100\" low=\"70\" "
		   "high=\"90\" value=\"%lld\">%lld%%</meter> <span id=\"%s-pct\">%lld%%</span>",
		   label, id, pct > 100 ? 100 : pct, pct, id, pct);
	if (whose && *whose) {
		buf_puts(b, " (");
		html_text(b, whose);
		buf_puts(b, ")");
	}
	buf_puts(b, "</td></tr>");
}

int page_overview(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Overview");
	/* the last hour, from the broker's History (static_charts.c) */
	char hist[MOBJ_NAME_MAX];
	model_history_name(hist, sizeof hist, NULL);
	buf_puts(&b, "<section><h2>Messages held, in and out per second</h2><div class=\"hchart\" "
		 "id=\"broker-chart\" data-history=\"");
	html_text(&b, hist);
	buf_puts(&b, "\"><noscript>The chart needs JavaScript; the numbers below "
		 "do not.</noscript></div></section>\n");
	json_t *read = query_read(NULL, NULL, BROKER, model_broker_name());
	json_t *br = query_first(read);
	static const char *const attrs[] = {
		"BrokerName", "BrokerId", "BrokerVersion", "Uptime", "DataDirectory",
		"TotalMessageCount", "TotalEnqueueCount", "TotalDequeueCount", "TotalConsumerCount",
		"TotalProducerCount", "CurrentConnectionsCount", NULL,
	};
	buf_puts(&b, "<section><h2>Broker</h2>");
	facts(&b, "broker-facts", br, attrs);
	buf_puts(&b, "<table class=\"facts\" id=\"usage\">");
	usage_bar(&b, "Memory", "memory", json_object_get(br, "MemoryPercentUsage"), NULL);
	/* The broker's meter can read 0% while one queue is past its own
	 * limit and its producers wait. */
	usage_bar(&b, "Fullest queue", "dest-memory",
		  json_object_get(br, "DestinationMemoryPercentUsageMax"),
		  json_string_value(json_object_get(br, "DestinationMemoryPercentUsageMaxName")));
	usage_bar(&b, "Store", "store", json_object_get(br, "StorePercentUsage"), NULL);
	usage_bar(&b, "Temp", "temp", json_object_get(br, "TempPercentUsage"), NULL);
	buf_puts(&b, "</table></section>\n");
	json_decref(read);

	read = query_read("Role,Holder,WaitingSince,Attempts", NULL, BROKER ",service=Locker",
			  model_broker_name());
	static const char *const lock[] = { "Role", "Holder", "WaitingSince", "Attempts", NULL };
	buf_puts(&b, "<section><h2>Lock</h2>");
	if (query_first(read))
		facts(&b, "lock", query_first(read), lock);
	else
		buf_puts(&b, "<p>No store (persistent=\"false\"): no lock.</p>");
	buf_puts(&b, "</section>\n");
	json_decref(read);

	buf_puts(&b, "<section><h2>Health</h2>");
	health_table(&b);
	buf_puts(&b, "</section>\n");

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
		"Kind", "Database", "TablePrefix", "LeaseExpires", "WaitingSince", "Attempts", "LastError", "LockAcquireSleepInterval", "LockKeepAlivePeriod", NULL,
	};
	facts(&b, "locker", lk, attrs);
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
