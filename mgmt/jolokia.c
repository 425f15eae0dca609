/*
 * jolokia.c - Jolokia's request shapes over the management model (see
 * jolokia.h and man tandem-mgmt(7)).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "config.h"
#include "jolokia.h"
#include "loop.h"
#include "model.h"
#include "objname.h"
#include "version.h"

#define ERR_NOT_FOUND "javax.management.InstanceNotFoundException"
#define ERR_NO_ATTR "javax.management.AttributeNotFoundException"
#define ERR_BAD "java.lang.IllegalArgumentException"
#define ERR_FAILED "javax.management.MBeanException"
#define ERR_DENIED "java.lang.SecurityException"

static json_t *response(json_t *req)
{
	return json_pack("{s:O, s:I}", "request", req ? req : json_null(),
			 "timestamp", (json_int_t)(wall_ms() / 1000));
}

json_t *jolokia_ok(json_t *req, json_t *value)
{
	json_t *r = response(req);
	json_object_set_new(r, "value", value ? value : json_null());
	json_object_set_new(r, "status", json_integer(200));
	return r;
}

json_t *jolokia_error(json_t *req, int status, const char *type, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *r = response(req);
	json_object_set_new(r, "status", json_integer(status));
	json_object_set_new(r, "error_type", json_string(type));
	json_object_set_new(r, "error", json_string(msg));
	return r;
}

/* ---- collecting objects for search and pattern reads ---- */

struct found {
	struct mobj *o;
	json_t **key;		/* sort key per object, when sorting */
	size_t n, cap;
};

static bool collect(const struct mobj *o, void *ctx)
{
	struct found *f = ctx;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct mobj *a = realloc(f->o, cap * sizeof *a);
		if (!a)
			return false;
		f->o = a;
		f->cap = cap;
	}
	f->o[f->n++] = *o;
	return true;
}

/* Collects the objects matching one pattern string, or each of an array. */
static int find_all(json_t *mbean, struct found *f, char *err, size_t errlen)
{
	json_t *one = mbean;
	size_t n = json_is_array(mbean) ? json_array_size(mbean) : 1;
	for (size_t i = 0; i < n; i++) {
		if (json_is_array(mbean))
			one = json_array_get(mbean, i);
		const char *s = json_string_value(one);
		struct objname p;
		if (!s || objname_parse(s, &p) < 0) {
			snprintf(err, errlen, "Invalid object name: %s", s ? s : "(not a string)");
			return -1;
		}
		model_each(&p, collect, f);
		objname_free(&p);
	}
	return 0;
}

/* Does value v pass the condition c of a "where"? */
static bool passes(json_t *v, json_t *c)
{
	if (json_is_object(c)) {
		json_t *gt = json_object_get(c, ">"), *lt = json_object_get(c, "<");
		if (!json_is_number(v))
			return false;
		double x = json_number_value(v);
		return (!gt || x > json_number_value(gt)) && (!lt || x < json_number_value(lt));
	}
	if (json_is_string(c) && json_is_string(v))
		return objname_glob(json_string_value(c), json_string_value(v));
	if (json_is_number(c) && json_is_number(v))
		return json_number_value(c) == json_number_value(v);
	return json_equal(c, v);
}

static bool wanted(const struct mobj *o, json_t *where)
{
	const char *attr;
	json_t *cond;
	json_object_foreach(where, attr, cond) {
		const struct mattr *a = model_attr(o->cls, attr);
		if (!a)
			return false;
		json_t *v = a->get(o);
		bool ok = passes(v, cond);
		json_decref(v);
		if (!ok)
			return false;
	}
	return true;
}

static int cmp_json(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x < y ? -1 : x > y;
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	/* Objects without the attribute go last. */
	return !a - !b;
}

struct sort_item {
	struct mobj *o;
	json_t *key;
};

static int sort_desc;

static int cmp_items(const void *x, const void *y)
{
	const struct sort_item *a = x, *b = y;
	int c = cmp_json(a->key, b->key);
	if (c && !(a->key && b->key))
		return c;	/* missing keys last either way */
	if (sort_desc)
		c = -c;
	return c ? c : strcmp(a->o->name, b->o->name);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(((const struct sort_item *)x)->o->name, ((const struct sort_item *)y)->o->name);
}

/* Filters, sorts and pages what was found (sorted by name when by_name,
 * as a search answers); returns the objects to show (an array to free)
 * and their count in *n. */
static struct sort_item *select_items(struct found *f, json_t *config, bool by_name, size_t *n,
				      size_t *total)
{
	struct sort_item *items = calloc(f->n ? f->n : 1, sizeof *items);
	if (!items)
		return NULL;
	json_t *where = json_object_get(config, "where");
	const char *sort = json_string_value(json_object_get(config, "sort"));
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (json_is_object(where) && !wanted(&f->o[i], where))
			continue;
		items[k].o = &f->o[i];
		if (sort) {
			const struct mattr *a = model_attr(f->o[i].cls, sort + (*sort == '-'));
			items[k].key = a ? a->get(&f->o[i]) : NULL;
		}
		k++;
	}
	sort_desc = sort && *sort == '-';
	/* A pattern read's value is an object: order only matters for a
	 * page or when asked. */
	bool paged = json_object_get(config, "offset") || json_object_get(config, "limit");
	if (sort || paged || by_name)
		qsort(items, k, sizeof *items, sort ? cmp_items : cmp_names);
	*total = k;
	json_int_t offset = json_integer_value(json_object_get(config, "offset"));
	json_int_t limit = json_integer_value(json_object_get(config, "limit"));
	size_t from = offset > 0 ? (size_t)offset : 0;
	if (from > k)
		from = k;
	size_t count = k - from;
	if (json_object_get(config, "limit") && limit >= 0 && (size_t)limit < count)
		count = (size_t)limit;
	for (size_t i = 0; i < k; i++)
		json_decref(items[i].key);
	memmove(items, items + from, count * sizeof *items);
	*n = count;
	return items;
}

/* ---- the requests ---- */

json_t *jolokia_pattern_read(json_t *mbean, json_t *attrs, json_t *config, size_t *total,
			     char *err, size_t errlen)
{
	struct found f = { 0 };
	if (find_all(mbean, &f, err, errlen) < 0) {
		free(f.o);
		return NULL;
	}
	size_t n;
	struct sort_item *items = select_items(&f, config, false, &n, total);
	json_t *out = json_object();
	for (size_t i = 0; items && i < n; i++) {
		const struct mobj *o = items[i].o;
		json_t *vals = json_object();
		if (!attrs || json_is_null(attrs)) {
			json_decref(vals);
			vals = model_read(o, NULL, err, errlen);
		} else {
			/* Objects lack the attributes of other classes: skipped. */
			size_t j;
			json_t *a;
			json_t *list = json_is_string(attrs) ? json_pack("[O]", attrs) : json_incref(attrs);
			json_array_foreach(list, j, a) {
				const struct mattr *ma = json_is_string(a)
					? model_attr(o->cls, json_string_value(a)) : NULL;
				if (ma)
					json_object_set_new(vals, ma->name, ma->get(o));
			}
			json_decref(list);
		}
		if (json_object_size(vals))
			json_object_set_new(out, o->name, vals);
		else
			json_decref(vals);
	}
	free(items);
	free(f.o);
	return out;
}

static json_t *do_search(json_t *req)
{
	char err[512];
	struct found f = { 0 };
	if (find_all(json_object_get(req, "mbean"), &f, err, sizeof err) < 0) {
		free(f.o);
		return jolokia_error(req, 400, ERR_BAD, "%s", err);
	}
	size_t n, total;
	struct sort_item *items = select_items(&f, json_object_get(req, "config"), true, &n, &total);
	json_t *names = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(names, json_string(items[i].o->name));
	free(items);
	free(f.o);
	json_t *r = jolokia_ok(req, names);
	json_object_set_new(r, "total", json_integer((json_int_t)total));
	return r;
}

/* The one object a request names, or an error response in *resp. */
static int one_object(json_t *req, struct mobj *o, json_t **resp)
{
	const char *name = json_string_value(json_object_get(req, "mbean"));
	if (!name) {
		*resp = jolokia_error(req, 400, ERR_BAD, "The request needs an \"mbean\"");
		return -1;
	}
	if (model_find(name, o) < 0) {
		*resp = jolokia_error(req, 404, ERR_NOT_FOUND, "No MBean %s", name);
		return -1;
	}
	return 0;
}

static json_t *do_read(json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "mbean"));
	json_t *attrs = json_object_get(req, "attribute");
	char err[512];
	if (name && objname_is_pattern(name)) {
		size_t total;
		json_t *v = jolokia_pattern_read(json_object_get(req, "mbean"), attrs,
						 json_object_get(req, "config"), &total, err, sizeof err);
		if (!v)
			return jolokia_error(req, 400, ERR_BAD, "%s", err);
		json_t *r = jolokia_ok(req, v);
		json_object_set_new(r, "total", json_integer((json_int_t)total));
		return r;
	}
	struct mobj o;
	json_t *resp;
	if (one_object(req, &o, &resp) < 0)
		return resp;
	if (attrs && !json_is_string(attrs) && !json_is_array(attrs) && !json_is_null(attrs))
		return jolokia_error(req, 400, ERR_BAD, "\"attribute\" is a name or a list of names");
	json_t *v = model_read(&o, attrs, err, sizeof err);
	return v ? jolokia_ok(req, v) : jolokia_error(req, 404, ERR_NO_ATTR, "%s", err);
}

/* A slave has no destinations and must not make any: they would live in
 * memory only, and be lost when it takes over the store. */
static json_t *not_serving(json_t *req)
{
	return jolokia_error(req, 503, ERR_FAILED, "Broker %s is a slave waiting for the store's "
			     "lock: it takes no changes; ask the master (see its service=Locker "
			     "object)", broker.cfg->broker_name);
}

/* ---- who may change what (authz.h; man tandem-mgmt(7), "Access") ---- */

/* Whether who may run m on o with args; when not, why in err (logged). */
static bool may_run(const struct authz_who *who, const struct mobj *o, const struct mop *m,
		    json_t *args, char *err, size_t errlen)
{
	static const enum authz_op ops[] = {
		[MPERM_READ] = AUTHZ_READ, [MPERM_WRITE] = AUTHZ_WRITE, [MPERM_ADMIN] = AUTHZ_ADMIN,
	};
	const struct mperm *p = &m->perm;
	if (p->need == MPERM_BROKER) {
		char what[MOBJ_NAME_MAX + 160];
		snprintf(what, sizeof what, "run %s on %s", m->name, o->name);
		return authz_who_broker_admin(who, what, err, errlen);
	}
	enum dest_type type = p->topic ? DEST_TOPIC : DEST_QUEUE;
	const char *name = p->dest_of ? p->dest_of(o, &type)
				      : json_string_value(json_array_get(args, (size_t)p->arg - 1));
	/* A missing name is the operation's to refuse, as a bad argument:
	 * it changes nothing then. */
	if (name && !authz_who_allows(who, ops[p->need], type, name, err, errlen))
		return false;
	const char *to = p->to_arg ? json_string_value(json_array_get(args, (size_t)p->to_arg - 1))
				   : NULL;
	return !to || authz_who_allows(who, AUTHZ_WRITE, DEST_QUEUE, to, err, errlen);
}

static json_t *denied(json_t *req, const char *why)
{
	return jolokia_error(req, 403, ERR_DENIED, "%s", why);
}

static json_t *do_write(json_t *req, const struct authz_who *who)
{
	struct mobj o;
	json_t *resp;
	if (one_object(req, &o, &resp) < 0)
		return resp;
	const char *attr = json_string_value(json_object_get(req, "attribute"));
	const struct mattr *a = attr ? model_attr(o.cls, attr) : NULL;
	if (!a)
		return jolokia_error(req, 404, ERR_NO_ATTR, "No such attribute: %s",
				     attr ? attr : "(none given)");
	if (!a->set)
		return jolokia_error(req, 403, ERR_BAD, "Attribute %s is read-only", attr);
	char err[MOBJ_NAME_MAX + 512], what[MOBJ_NAME_MAX + 160];
	/* A writable attribute is a setting: a broker admin's. */
	snprintf(what, sizeof what, "write %s of %s", a->name, o.name);
	if (!authz_who_broker_admin(who, what, err, sizeof err))
		return denied(req, err);
	if (!broker_serving())
		return not_serving(req);
	json_t *old = a->get(&o);
	if (a->set(&o, json_object_get(req, "value"), err, sizeof err) < 0) {
		json_decref(old);
		return jolokia_error(req, 400, ERR_BAD, "%s", err);
	}
	return jolokia_ok(req, old);
}

static json_t *do_exec(json_t *req, const struct authz_who *who)
{
	struct mobj o;
	json_t *resp;
	if (one_object(req, &o, &resp) < 0)
		return resp;
	const char *op = json_string_value(json_object_get(req, "operation"));
	if (!op)
		return jolokia_error(req, 400, ERR_BAD, "The request needs an \"operation\"");
	/* Jolokia's signature "name(type,type)" is allowed and ignored. */
	char name[128];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(op, "("), op);
	json_t *args = json_object_get(req, "arguments");
	json_t *none = NULL;
	if (!args)
		args = none = json_array();
	if (!json_is_array(args)) {
		return jolokia_error(req, 400, ERR_BAD, "\"arguments\" is a list");
	}
	if (!broker_serving() && strcmp(name, "stop")) {
		json_decref(none);
		return not_serving(req);
	}
	const struct mop *m = model_op(o.cls, name, (int)json_array_size(args));
	if (!m) {
		json_decref(none);
		return model_op(o.cls, name, -1)
			? jolokia_error(req, 400, ERR_BAD, "Operation %s does not take %zu argument(s)",
					name, json_array_size(args))
			: jolokia_error(req, 404, ERR_BAD, "No operation %s on %s", name, o.name);
	}
	char err[MOBJ_NAME_MAX + 512] = "";
	if (!may_run(who, &o, m, args, err, sizeof err)) {
		json_decref(none);
		return denied(req, err);
	}
	json_t *v = m->run(&o, args, err, sizeof err);
	json_decref(none);
	return v ? jolokia_ok(req, v) : jolokia_error(req, 500, ERR_FAILED, "%s", err);
}

static bool describe_one(const struct mobj *o, void *ctx)
{
	json_t *domain = json_object_get(ctx, MODEL_DOMAIN);
	const char *props = strchr(o->name, ':') + 1;
	json_object_set_new(domain, props, model_describe(o));
	return true;
}

static json_t *do_list(json_t *req)
{
	json_t *out = json_pack("{s:{}}", MODEL_DOMAIN);
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *mbean = json_string_value(json_object_get(req, "mbean"));
	char pattern[MOBJ_NAME_MAX];
	if (path) {
		/* "domain/props": one object, answered without the wrapping */
		const char *slash = strchr(path, '/');
		snprintf(pattern, sizeof pattern, "%.*s:%s", slash ? (int)(slash - path) : (int)strlen(path),
			 path, slash ? slash + 1 : "*");
		mbean = pattern;
	}
	struct objname p;
	if (mbean && objname_parse(mbean, &p) < 0) {
		json_decref(out);
		return jolokia_error(req, 400, ERR_BAD, "Invalid object name: %s", mbean);
	}
	model_each(mbean ? &p : NULL, describe_one, out);
	if (mbean)
		objname_free(&p);
	if (path && strchr(path, '/') && !objname_is_pattern(path)) {
		json_t *domain = json_object_get(out, MODEL_DOMAIN);
		json_t *one = json_object_get(domain, strchr(path, '/') + 1);
		if (!one) {
			json_decref(out);
			return jolokia_error(req, 404, ERR_NOT_FOUND, "No MBean at path %s", path);
		}
		json_incref(one);
		json_decref(out);
		return jolokia_ok(req, one);
	}
	return jolokia_ok(req, out);
}

static json_t *do_version(json_t *req)
{
	char agent[64];
	snprintf(agent, sizeof agent, "tandem %s", TANDEM_VERSION);
	return jolokia_ok(req, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "agent", agent,
					 "protocol", "7.2", "info", "product", "tandem",
					 "vendor", "Tandem", "version", TANDEM_VERSION));
}

json_t *jolokia_request(json_t *req, const struct authz_who *who)
{
	if (!json_is_object(req))
		return jolokia_error(req, 400, ERR_BAD, "A request is a JSON object");
	const char *type = json_string_value(json_object_get(req, "type"));
	static const struct {
		const char *type;
		json_t *(*fn)(json_t *req);
	} types[] = {
		{ "read", do_read }, { "search", do_search }, { "list", do_list },
		{ "version", do_version },
	};
	/* Changes are checked against who; reads are everyone's. */
	if (type && !strcmp(type, "write"))
		return do_write(req, who);
	if (type && !strcmp(type, "exec"))
		return do_exec(req, who);
	for (size_t i = 0; type && i < sizeof types / sizeof *types; i++)
		if (!strcmp(type, types[i].type))
			return types[i].fn(req);
	return jolokia_error(req, 400, ERR_BAD, "Unknown request type: %s",
			     type ? type : "(none given)");
}
