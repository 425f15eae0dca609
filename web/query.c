/*
 * query.c - the pages' reads and operations (see query.h), as Jolokia
 * requests to mgmt/server/jolokia.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "http.h"
#include "jolokia.h"
#include "model.h"
#include "objname.h"
#include "query.h"

/* Why the last read failed ("" when it did not). */
static char read_error[256];

const char *query_error(void)
{
	return read_error;
}

static json_t *read_va(const char *attrs, json_t *config, struct jolokia_page *page,
		       const char *fmt, va_list ap)
{
	char pattern[MOBJ_NAME_MAX * 2];
	vsnprintf(pattern, sizeof pattern, fmt, ap);
	json_t *mbean = json_string(pattern);
	json_t *list = NULL;
	if (attrs) {
		list = json_array();
		for (const char *p = attrs; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
			json_array_append_new(list, json_stringn(p, strcspn(p, ",")));
	}
	char err[256];
	err[0] = '\0';
	json_t *v = jolokia_pattern_read(mbean, list, config, page, err, sizeof err);
	snprintf(read_error, sizeof read_error, "%s", v ? "" : err);
	json_decref(mbean);
	json_decref(list);
	return v ? v : json_object();
}

static json_t *sort_config(const char *sort)
{
	return sort ? json_pack("{s:s}", "sort", sort) : json_object();
}

/* A pattern read's objects as rows: an array of their attribute objects
 * with "_name" added, in the read's order (jansson keeps the order in
 * which keys went in). */
static json_t *rows_of(json_t *v)
{
	json_t *rows = json_array();
	const char *name;
	json_t *obj;
	json_object_foreach(v, name, obj) {
		json_object_set_new(obj, "_name", json_string(name));
		json_array_append(rows, obj);
	}
	json_decref(v);
	return rows;
}

static json_t *read_sorted_va(const char *attrs, const char *sort, const char *pattern,
			      va_list ap)
{
	json_t *config = sort_config(sort);
	json_t *v = read_va(attrs, config, NULL, pattern, ap);
	json_decref(config);
	return v;
}

json_t *query_read(const char *attrs, const char *sort, const char *pattern, ...)
{
	va_list ap;
	va_start(ap, pattern);
	json_t *v = read_sorted_va(attrs, sort, pattern, ap);
	va_end(ap);
	return v;
}

json_t *query_rows(const char *attrs, const char *sort, const char *pattern, ...)
{
	va_list ap;
	va_start(ap, pattern);
	json_t *v = read_sorted_va(attrs, sort, pattern, ap);
	va_end(ap);
	return rows_of(v);
}

json_t *query_page(const char *attrs, json_t *config, struct jolokia_page *page,
		   const char *pattern, ...)
{
	va_list ap;
	va_start(ap, pattern);
	json_t *v = read_va(attrs, config, page, pattern, ap);
	va_end(ap);
	return rows_of(v);
}

json_t *query_first(json_t *read)
{
	const char *name;
	json_t *obj;
	json_object_foreach(read, name, obj)
		return obj;
	return NULL;
}

json_t *query_attr(const char *mbean, const char *attr)
{
	json_t *req = json_pack("{s:s, s:s, s:s}", "type", "read", "mbean", mbean,
				"attribute", attr);
	/* Reads are everyone's. */
	static const struct authz_who reader = { .level = AUTHZ_READ_ONLY };
	json_t *resp = jolokia_request(req, &reader);
	json_decref(req);
	json_t *v = json_integer_value(json_object_get(resp, "status")) == 200
		? json_incref(json_object_get(resp, "value")) : NULL;
	json_decref(resp);
	return v;
}

int query_exec(struct web_req *r, const char *mbean, const char *op, json_t *args,
	       json_t **value, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:o}", "type", "exec", "mbean", mbean,
				"operation", op, "arguments", args ? args : json_array());
	struct authz_who who;
	web_auth_who(r->user, r->peer, &who);
	json_t *resp = jolokia_request(req, &who);
	json_decref(req);
	int rc = 0;
	if (json_integer_value(json_object_get(resp, "status")) == 200) {
		if (value)
			*value = json_incref(json_object_get(resp, "value"));
	} else {
		const char *e = json_string_value(json_object_get(resp, "error"));
		snprintf(err, errlen, "%s", e ? e : "the operation failed");
		rc = -1;
	}
	json_decref(resp);
	return rc;
}

void query_broker_name(char *out, size_t n)
{
	snprintf(out, n, MODEL_DOMAIN ":type=Broker,brokerName=%s", model_broker_name());
}

void query_dest_name(char *out, size_t n, const char *type, const char *dest)
{
	char q[MOBJ_NAME_MAX];
	objname_quote(dest, q, sizeof q);
	snprintf(out, n, MODEL_DOMAIN ":type=Broker,brokerName=%s,destinationType=%s,"
		 "destinationName=%s", model_broker_name(), type, q);
}
