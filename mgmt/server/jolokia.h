/*
 * jolokia.h - answering Jolokia-shaped requests (read, write, exec,
 * search, list, version) over the management model (model.h), for the
 * management socket and, later, HTTP.
 */
#ifndef TANDEM_JOLOKIA_H
#define TANDEM_JOLOKIA_H

#include <stddef.h>

#include <jansson.h>

struct authz_who;

/* The response to one request object (a new reference), for who (see
 * authz.h): a write or exec who may not do is answered 403 with
 * ActiveMQ's words ("User u is not authorized to ..."). `login` and
 * `watch` are the transport's business and answered 400 here. */
json_t *jolokia_request(json_t *req, const struct authz_who *who);

/* Around the requests of one bulk (an array of them): they share one
 * time budget, so that an array of 100 pattern reads does not make 100
 * pages in one go; the later ones answer a page of one object and their
 * "next" (tandem-mgmt(7), Paging). */
void jolokia_bulk_begin(void);
void jolokia_bulk_end(void);
/* Writes the answer (taken over) to bulk request `index` into out as that
 * element of the answers' JSON array, with the comma before it; the
 * brackets are the caller's. -1 when out cannot grow. */
struct buf;
int jolokia_bulk_put(struct buf *out, size_t index, json_t *answer);

/* A response with status 200 and value (taken over). */
json_t *jolokia_ok(json_t *req, json_t *value);
/* An error response. */
json_t *jolokia_error(json_t *req, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Where a page of a pattern read, search or list ends. */
struct jolokia_page {
	long long total;	/* objects that matched, -1 when not known */
	char next[600];		/* "after" for the next page; "" after the last */
};

/* The value of a read of `mbean` (a name or pattern string, or an array
 * of them) for `attrs` (string, array, or NULL for all), as a pattern
 * read answers it: {name: {attr: value}}. `config` may hold where, sort,
 * offset, limit and after (man tandem-mgmt(7)); an answer holds at most
 * one page and visits a bounded number of objects, *page (may be NULL)
 * says where the next page starts. NULL with err when the request is
 * bad. */
json_t *jolokia_pattern_read(json_t *mbean, json_t *attrs, json_t *config,
			     struct jolokia_page *page, char *err, size_t errlen);

#endif
