/*
 * query.h - what the console's pages read and do, through the management
 * model and the Jolokia code the socket and /api/jolokia use (never the
 * broker's structures), so a page shows what tandemctl shows.
 */
#ifndef TANDEM_WEB_QUERY_H
#define TANDEM_WEB_QUERY_H

#include <stddef.h>

#include <jansson.h>

/* {name: {attr: value}} of the objects matching pattern (a printf
 * format), with the attributes listed in attrs ("A,B,C"; NULL: all),
 * sorted by `sort` (an attribute, "-" first for descending; NULL: by
 * name). A new reference, never NULL. */
json_t *query_read(const char *attrs, const char *sort, const char *pattern, ...)
	__attribute__((format(printf, 3, 4)));
/* The objects of query_read as an array of their attribute objects, in
 * order, each with "_name" added. */
json_t *query_rows(const char *attrs, const char *sort, const char *pattern, ...)
	__attribute__((format(printf, 3, 4)));
/* One page of query_rows: config holds the page's limit, after and
 * where (tandem-mgmt(7)); *page gets where the next page starts. */
struct jolokia_page;
json_t *query_page(const char *attrs, json_t *config, struct jolokia_page *page,
		   const char *pattern, ...) __attribute__((format(printf, 4, 5)));
/* Why the last query_read, query_rows or query_page found nothing
 * because the read failed (a sort over too many objects): "" when it
 * did not fail. */
const char *query_error(void);
/* The first object of a query_read (borrowed), or NULL. */
json_t *query_first(json_t *read);
/* One attribute of one object; a new reference or NULL. */
json_t *query_attr(const char *mbean, const char *attr);
struct web_req;
/* Runs an operation as r's user (what it may do: auth.h): 0 with its
 * value in *value (may be NULL), or -1 with the error text in err. args
 * is taken over. */
int query_exec(struct web_req *r, const char *mbean, const char *op, json_t *args,
	       json_t **value, char *err, size_t errlen);

/* Object names, with ActiveMQ's quoting of the values. */
void query_broker_name(char *out, size_t n);
void query_dest_name(char *out, size_t n, const char *type, const char *dest);

#endif
