/*
 * page_topics.c - /topics (every topic with its counts) and /subscribers
 * (durable subscriptions, with delete, and every live subscription).
 */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "html.h"
#include "http.h"
#include "model.h"
#include "paging.h"
#include "query.h"

#define N(a) (sizeof(a) / sizeof *(a))
#define DESTS MODEL_DOMAIN ":type=Broker,brokerName=%s,destinationType=%s,destinationName=*"

int page_topics(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Topics");
	json_t *config = paging_config(r, "Name");
	struct jolokia_page page;
	json_t *rows = query_page("Name,ConsumerCount,ProducerCount,EnqueueCount,DequeueCount",
				  config, &page, DESTS, model_broker_name(), "Topic");
	json_decref(config);
	paging_nav(&b, r, "/topics", "Name", &page);
	buf_puts(&b, "<table id=\"topics\"><tr><th>Name</th><th>Subscribers</th><th>Producers</th>"
		 "<th>Enqueued</th><th>Dequeued</th><th>Actions</th></tr>\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		buf_puts(&b, "<tr>");
		html_cell(&b, json_object_get(row, "Name"));
		html_cell(&b, json_object_get(row, "ConsumerCount"));
		html_cell(&b, json_object_get(row, "ProducerCount"));
		html_cell(&b, json_object_get(row, "EnqueueCount"));
		html_cell(&b, json_object_get(row, "DequeueCount"));
		buf_puts(&b, "<td><a href=\"/send?type=topic&amp;dest=");
		struct buf url = BUF_INIT;
		url_text(&url, json_string_value(json_object_get(row, "Name")));
		html_textn(&b, buf_data(&url), buf_len(&url));
		buf_free(&url);
		buf_puts(&b, "\">Send</a></td></tr>\n");
	}
	if (!json_array_size(rows))
		buf_puts(&b, page.next[0] ? "<tr><td colspan=\"6\">none in this part of the "
			 "list: Next looks further</td></tr>" : "<tr><td colspan=\"6\">no topics</td></tr>");
	buf_puts(&b, "</table>\n");
	paging_nav(&b, r, "/topics", NULL, &page);
	json_decref(rows);
	return html_end(r, &b);
}

int page_subscribers(struct web_req *r)
{
	struct buf b = BUF_INIT;
	html_begin(r, &b, "Subscribers");
	/* Durable and live subscriptions are one walk of consumers' names:
	 * one page of each, the next link going on with both. */
	json_t *config = paging_config(r, NULL);
	struct jolokia_page page, live_page;
	json_t *rows = query_page("ClientId,SubscriptionName,DestinationName,Selector,Active,"
				  "PendingQueueSize,EnqueueCounter,DequeueCounter", config, &page,
				  MODEL_DOMAIN ":type=Broker,brokerName=%s,destinationType=Topic,"
				  "destinationName=*,endpoint=Consumer,clientId=*,"
				  "consumerId=Durable(*)", model_broker_name());
	buf_puts(&b, "<h2>Durable subscriptions</h2><table id=\"durables\"><tr><th>Client id</th>"
		 "<th>Name</th><th>Topic</th><th>Selector</th><th>Active</th><th>Pending</th>"
		 "<th>Enqueued</th><th>Dequeued</th><th>Actions</th></tr>\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		static const char *const attrs[] = {
			"ClientId", "SubscriptionName", "DestinationName", "Selector", "Active",
			"PendingQueueSize", "EnqueueCounter", "DequeueCounter",
		};
		buf_puts(&b, "<tr>");
		for (size_t k = 0; k < N(attrs); k++)
			html_cell(&b, json_object_get(row, attrs[k]));
		buf_puts(&b, "<td>");
		html_button(r, &b, "/subscribers/delete", "Delete",
			    "Delete this subscription and its messages?", "mbean",
			    json_string_value(json_object_get(row, "_name")), NULL);
		buf_puts(&b, "</td></tr>\n");
	}
	if (!json_array_size(rows))
		buf_puts(&b, "<tr><td colspan=\"9\">none</td></tr>");
	buf_puts(&b, "</table>\n");
	json_decref(rows);

	static const struct html_col live[] = {
		{ "DestinationName", "Destination" }, { "ClientId", "Client id" },
		{ "ConnectionId", "Connection" }, { "SubscriptionId", "Subscription" },
		{ "Selector", "Selector" }, { "PrefetchSize", "Prefetch" },
		{ "DispatchedQueueSize", "In flight" }, { "PendingQueueSize", "Pending" },
		{ "Durable", "Durable" },
	};
	rows = query_page(NULL, config, &live_page, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
			  "destinationType=*,destinationName=*,endpoint=Consumer,*",
			  model_broker_name());
	json_decref(config);
	/* Durable subscriptions are listed above; live ones have a connection. */
	for (size_t k = json_array_size(rows); k-- > 0;)
		if (!json_object_get(json_array_get(rows, k), "SubscriptionId"))
			json_array_remove(rows, k);
	buf_puts(&b, "<h2>Live subscriptions</h2>");
	html_rows(&b, "consumers", rows, live, N(live), "none");
	json_decref(rows);
	/* Durables are walked before live ones: the later of the two places
	 * is where both go on. */
	paging_nav(&b, r, "/subscribers", NULL, live_page.next[0] ? &live_page : &page);
	return html_end(r, &b);
}

int page_subscriber_delete(struct web_req *r)
{
	const char *mbean = web_field(r, "mbean");
	char err[512];
	if (!mbean || strncmp(mbean, MODEL_DOMAIN ":", strlen(MODEL_DOMAIN) + 1))
		return html_failed(r, "/subscribers", "Which subscription?");
	if (query_exec(r, mbean, "destroy", NULL, NULL, err, sizeof err) < 0)
		return html_failed(r, "/subscribers", "%s", err);
	return html_done(r, "/subscribers", "Deleted the subscription");
}
