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

#endif
