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

/* A response with status 200 and value (taken over). */
json_t *jolokia_ok(json_t *req, json_t *value);
/* An error response. */
json_t *jolokia_error(json_t *req, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The value of a read of `mbean` (a name or pattern string, or an array
 * of them) for `attrs` (string, array, or NULL for all), as a pattern
 * read answers it: {name: {attr: value}}. `config` may hold where, sort,
 * offset and limit (man tandem-mgmt(7)); *total gets how many objects
 * matched before paging. NULL with err when the request is bad. */
json_t *jolokia_pattern_read(json_t *mbean, json_t *attrs, json_t *config, size_t *total,
			     char *err, size_t errlen);

#endif
