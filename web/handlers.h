/*
 * handlers.h - the handler of every route (routes.c's table), one file
 * or page group each.
 */
#ifndef TANDEM_WEB_HANDLERS_H
#define TANDEM_WEB_HANDLERS_H

struct web_req;

int web_health(struct web_req *r);		/* health.c */
int web_metrics(struct web_req *r);		/* metrics.c */
int web_jolokia(struct web_req *r);		/* api_jolokia.c */
int web_message(struct web_req *r);		/* api_message.c */
int web_static(struct web_req *r);		/* static.c */
int web_static_charts(struct web_req *r);	/* static_charts.c */
int web_static_queues(struct web_req *r);	/* static_queues.c */
int web_static_layout(struct web_req *r);	/* static_layout.c */
int page_login(struct web_req *r);		/* page_login.c */
int page_logout(struct web_req *r);
int page_overview(struct web_req *r);		/* page_broker.c */
int page_ha(struct web_req *r);
int page_cluster(struct web_req *r);
int page_queues(struct web_req *r);		/* page_queues.c */
int page_queue_purge(struct web_req *r);
int page_queue_delete(struct web_req *r);
int page_queue_create(struct web_req *r);
int page_queue(struct web_req *r);
int page_queue_retry(struct web_req *r);
int page_message(struct web_req *r);
int page_message_delete(struct web_req *r);
int page_message_move(struct web_req *r);
int page_topics(struct web_req *r);		/* page_topics.c */
int page_subscribers(struct web_req *r);
int page_subscriber_delete(struct web_req *r);
int page_connections(struct web_req *r);	/* page_connections.c */
int page_network(struct web_req *r);
int page_send(struct web_req *r);		/* page_send.c */

#endif
