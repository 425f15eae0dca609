/*
 * paging.h - the console's listings in pages: /queues, /topics,
 * /subscribers and /connections show PAGING_ROWS objects at a time, in
 * the model's order (queues and topics by name), with a filter and a
 * link to the next page. A page is one bounded read (tandem-mgmt(7),
 * Paging), so an open Queues tab over 100,000 queues costs the broker
 * a page every refresh, not every queue.
 */
#ifndef TANDEM_WEB_PAGING_H
#define TANDEM_WEB_PAGING_H

#include <jansson.h>

#include "buf.h"
#include "jolokia.h"

#define PAGING_ROWS 100

struct web_req;

/* The read config of the page the request asks for: ?after=NEXT (the
 * last page's next) and ?filter=TEXT, a glob (or a part of the name)
 * over filter_attr (NULL: no filter). A new reference. */
json_t *paging_config(struct web_req *r, const char *filter_attr);

/* The filter form (when filter_attr) and the links to the first and the
 * next page of path. */
void paging_nav(struct buf *b, struct web_req *r, const char *path, const char *filter_attr,
		const struct jolokia_page *page);

/* path?KEY=VALUE&... as an HTML attribute value, the values escaped for
 * a URL; a NULL or empty value is left out. */
struct paging_arg {
	const char *key, *value;
};
void paging_href(struct buf *b, const char *path, const struct paging_arg *args, size_t n);

/* The attributes a table[data-refresh] needs so the console's script
 * refreshes this page's objects alone: data-config, the page's config. */
void paging_refresh_attrs(struct buf *b, json_t *config);

#endif
