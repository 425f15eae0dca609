/*
 * jolokia.c - Jolokia's request shapes over the management model (see
 * jolokia.h and man tandem-mgmt(7)).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "broker.h"
#include "buf.h"
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

/* ---- collecting objects for search, list and pattern reads ---- */

/* An answer holds at most this many objects unless the request asks for
 * another limit, at most VALUES_BUDGET attribute values, and one request
 * visits at most WALK_BUDGET objects: with 100,000 queues, a read of them
 * all held the loop (and every client) for over a second. A page cut
 * short says where the next one starts ("next"); man tandem-mgmt(7),
 * Paging. Measured (t/bench/bigreads): a page of 1,000 queues with all
 * their 15 attributes took 23 ms, of 100 took 1.7 ms; 1,000 names 2 ms. */
#define PAGE_DEFAULT 1000
#define VALUES_BUDGET 2000
#define WALK_BUDGET 3000
/* And an answer stops taking objects after this much work, whatever the
 * machine; writing the page out costs up to as much again (1.6 ms for
 * the first page of "*:*", whose Broker object names 1,000 queues), so
 * that a page holds the loop 4 ms at most (t/bench/bigreads). */
#define TIME_BUDGET_US 2000
/* A sort needs every match at once: it looks at no more objects than
 * this (a bounded pause, about 4 ms), else the request is refused;
 * tandemctl sorts on its side what it read in pages. */
#define SORT_MAX 2000

struct found {
	struct mobj *o;
	size_t n, cap;
	json_t *where;		/* the config's, when an object */
	size_t skip;		/* matches still to pass over (offset) */
	size_t limit;		/* objects to take; (size_t)-1: no limit */
	size_t matched;		/* matches seen, skipped ones included */
	bool failed;		/* out of memory */
	json_t *attrs;		/* what a read reads of each (NULL: all) */
	bool reading;		/* a read: the values count (VALUES_BUDGET) */
	size_t values;		/* values the page will hold */
	json_t *out;		/* a read in walk order: {name: values}, made as walked */
	const struct mclass *counted_cls;	/* values_of's last class, */
	size_t counted;				/* and how many values its objects give */
	int64_t deadline_us;	/* TIME_BUDGET_US after the start */
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The deadline of a bulk answer under way (jolokia_bulk_begin), 0 when
 * none: its requests share one TIME_BUDGET_US. */
static int64_t bulk_deadline_us;

void jolokia_bulk_begin(void)
{
	bulk_deadline_us = now_us() + TIME_BUDGET_US;
}

void jolokia_bulk_end(void)
{
	bulk_deadline_us = 0;
}

int jolokia_bulk_put(struct buf *out, size_t index, json_t *answer)
{
	char *text = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	int rc = (index && buf_puts(out, ",") < 0) || buf_puts(out, text ? text : "null") < 0
		 ? -1 : 0;
	free(text);
	return rc;
}

/* The attributes of o a read asks for (attrs: a name, a list, or NULL
 * for all), as {attr: value}; those of other classes are skipped. */
static json_t *read_values(const struct mobj *o, json_t *attrs)
{
	char err[256];
	if (!attrs || json_is_null(attrs)) {
		json_t *all = model_read(o, NULL, err, sizeof err);
		return all ? all : json_object();
	}
	json_t *vals = json_object();
	json_t *list = json_is_string(attrs) ? json_pack("[O]", attrs) : json_incref(attrs);
	size_t j;
	json_t *a;
	json_array_foreach(list, j, a) {
		const struct mattr *ma = json_is_string(a) ? model_attr(o->cls, json_string_value(a))
							   : NULL;
		if (ma)
			json_object_set_new(vals, ma->name, ma->get(o));
	}
	json_decref(list);
	return vals;
}

/* How many values a read will take of o. */
static size_t values_of(struct found *f, const struct mobj *o)
{
	if (!f->reading || json_is_string(f->attrs))
		return 1;
	/* Of a list, those the object's class has (tandemtop asks for 36
	 * names, of which a queue has 7); worked out once per class. */
	if (o->cls == f->counted_cls)
		return f->counted;
	size_t n = 0;
	if (json_is_array(f->attrs)) {
		size_t i;
		json_t *a;
		json_array_foreach(f->attrs, i, a)
			n += json_is_string(a) && model_attr(o->cls, json_string_value(a));
	} else {
		for (const struct mattr *a = o->cls->attrs; a->name; a++)
			n++;
	}
	f->counted_cls = o->cls;
	f->counted = n ? n : 1;
	return f->counted;
}

static bool wanted(const struct mobj *o, json_t *where);

static bool collect(const struct mobj *o, void *ctx)
{
	struct found *f = ctx;
	if (f->where && !wanted(o, f->where))
		return true;
	f->matched++;
	if (f->skip) {
		f->skip--;
		return true;
	}
	if (f->out) {
		json_t *vals = read_values(o, f->attrs);
		if (json_object_size(vals))
			json_object_set_new(f->out, o->name, vals);
		else
			json_decref(vals);
		f->n++;
	} else {
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 64;
			struct mobj *a = realloc(f->o, cap * sizeof *a);
			if (!a) {
				f->failed = true;
				return false;
			}
			f->o = a;
			f->cap = cap;
		}
		f->o[f->n++] = *o;
	}
	f->values += values_of(f, o);
	/* a sort takes every match: its page is cut afterwards */
	if (f->limit == (size_t)-1)
		return true;
	return f->n < f->limit && f->values < VALUES_BUDGET && now_us() < f->deadline_us;
}

/* The patterns of one pattern string, or each of an array; the caller
 * frees them (free_patterns). -1 with err when one is no object name. */
static int parse_patterns(json_t *mbean, struct objname **out, size_t *n, char *err,
			  size_t errlen)
{
	size_t count = json_is_array(mbean) ? json_array_size(mbean) : 1;
	struct objname *p = calloc(count ? count : 1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *one = json_is_array(mbean) ? json_array_get(mbean, i) : mbean;
		const char *s = json_string_value(one);
		if (!s || objname_parse(s, &p[i]) < 0) {
			snprintf(err, errlen, "Invalid object name: %s", s ? s : "(not a string)");
			for (size_t k = 0; k < i; k++)
				objname_free(&p[k]);
			free(p);
			return -1;
		}
	}
	*out = p;
	*n = count;
	return 0;
}

static void free_patterns(struct objname *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		objname_free(&p[i]);
	free(p);
}

/* A count from the config: absent leaves *out; -1 with err when it is
 * not a number >= 0. */
static int config_count(json_t *config, const char *key, size_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(config, key);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "config \"%s\" is a number of objects (0 or more)", key);
		return -1;
	}
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* What a search, list or pattern read found, and where a next page
 * would start. */
struct walked {
	struct found f;
	struct jolokia_page page;
};

/* Walks the objects matching mbean from the config's "after" on, taking
 * a page of them; -1 with err when the request is bad. With a "sort",
 * every match is taken (at most SORT_MAX objects visited) and the page
 * is cut later (select_items). */
/* A next page's "after": the model's cursor, led by "N~" when N matches
 * of an "offset" are still to pass over (an offset larger than one
 * request's walk goes on in the next). The cursor starts with a digit
 * and then ':' or '#', so the '~' after the first digits is the skip's. */
static void next_text(const struct mcursor *at, size_t skip, char *out, size_t outlen)
{
	char cursor[MOBJ_NAME_MAX + 32];
	mcursor_text(at, cursor, sizeof cursor);
	if (skip)
		snprintf(out, outlen, "%zu~%s", skip, cursor);
	else
		snprintf(out, outlen, "%s", cursor);
}

/* The cursor and the offset left of an "after"; the config's own
 * "offset" counted from the start and is spent then. -1 when no cursor. */
static int parse_after(const char *after, struct mcursor *at, size_t *skip)
{
	size_t digits = strspn(after, "0123456789");
	*skip = 0;
	if (digits && after[digits] == '~') {
		*skip = (size_t)strtoull(after, NULL, 10);
		after += digits + 1;
	}
	return mcursor_parse(after, at);
}

/* What a walk is for: names (search), values (read), descriptions (list). */
enum walk_for { FOR_NAMES, FOR_VALUES, FOR_DESCRIPTIONS };

static int walk(json_t *mbean, json_t *config, json_t *attrs, enum walk_for what,
		struct walked *wd, char *err, size_t errlen)
{
	bool reading = what != FOR_NAMES;
	memset(wd, 0, sizeof *wd);
	wd->page.total = -1;
	wd->f.attrs = attrs;
	wd->f.reading = reading;
	struct objname *pats = NULL;
	size_t npats = 0;
	if (mbean && parse_patterns(mbean, &pats, &npats, err, errlen) < 0)
		return -1;
	struct found *f = &wd->f;
	json_t *where = json_object_get(config, "where");
	f->where = json_is_object(where) ? where : NULL;
	f->limit = PAGE_DEFAULT;
	bool sorted = json_is_string(json_object_get(config, "sort"));
	const char *after = json_string_value(json_object_get(config, "after"));
	struct mwalk w = { .patterns = pats, .npatterns = npats, .budget = WALK_BUDGET,
			   .fn = collect, .ctx = f };
	int rc = -1;
	if (config_count(config, "maxObjects", &f->limit, err, errlen) < 0 ||
	    config_count(config, "limit", &f->limit, err, errlen) < 0 ||
	    config_count(config, "offset", &f->skip, err, errlen) < 0)
		goto out;
	if (after && parse_after(after, &w.at, &f->skip) < 0) {
		snprintf(err, errlen, "config \"after\" is the \"next\" of an earlier answer, "
			 "not \"%s\"", after);
		goto out;
	}
	if (sorted && after) {
		snprintf(err, errlen, "A sorted read is paged by \"offset\", not \"after\"");
		goto out;
	}
	if (sorted) {
		/* a sort's offset counts in the sorted order (select_items):
		 * skipping it in walk order too cut 900 of 1,000 twice */
		f->skip = 0;
		f->limit = (size_t)-1;
		f->reading = false;	/* the page is cut after the sort */
		w.budget = SORT_MAX;
	} else if (what == FOR_VALUES) {
		f->out = json_object();
	}
	f->deadline_us = now_us() + TIME_BUDGET_US;
	if (bulk_deadline_us && bulk_deadline_us < f->deadline_us)
		f->deadline_us = bulk_deadline_us;	/* later pages of a bulk: one object */
	if (!f->limit) {
		rc = 0;		/* an empty page: nothing to walk */
		goto out;
	}
	bool finished = model_walk(&w);
	if (f->failed) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (sorted && !finished) {
		snprintf(err, errlen, "A sort looks at no more than %d objects and this pattern "
			 "has more: narrow it, or read it in pages without \"sort\"", SORT_MAX);
		goto out;
	}
	if (finished && !after)
		wd->page.total = (long long)f->matched;
	if (!finished)
		next_text(&w.at, f->skip, wd->page.next, sizeof wd->page.next);
	rc = 0;
out:
	free_patterns(pats, npats);
	if (rc < 0) {
		free(f->o);
		json_decref(f->out);
	}
	return rc;
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

/* Orders what was found (by name when by_name, as a search answers; by
 * the config's "sort", whose page is cut here); returns the objects to
 * show (an array to free) and their count in *n. */
static struct sort_item *select_items(struct walked *wd, json_t *config, bool by_name, size_t *n)
{
	struct found *f = &wd->f;
	struct sort_item *items = calloc(f->n ? f->n : 1, sizeof *items);
	if (!items)
		return NULL;
	const char *sort = json_string_value(json_object_get(config, "sort"));
	for (size_t i = 0; i < f->n; i++) {
		items[i].o = &f->o[i];
		if (sort) {
			const struct mattr *a = model_attr(f->o[i].cls, sort + (*sort == '-'));
			items[i].key = a ? a->get(&f->o[i]) : NULL;
		}
	}
	size_t k = f->n;
	sort_desc = sort && *sort == '-';
	if (sort || by_name)
		qsort(items, k, sizeof *items, sort ? cmp_items : cmp_names);
	size_t from = 0, count = k;
	if (sort) {
		/* the walk took every match: the page is cut now */
		size_t offset = 0, limit = PAGE_DEFAULT;
		config_count(config, "offset", &offset, NULL, 0);
		config_count(config, "maxObjects", &limit, NULL, 0);
		config_count(config, "limit", &limit, NULL, 0);
		from = offset < k ? offset : k;
		count = k - from < limit ? k - from : limit;
		/* as bounded as a page in name order; "total" and "offset" lead on */
		size_t values = 0, i = 0;
		wd->f.reading = !by_name;
		while (i < count && values < VALUES_BUDGET)
			values += values_of(f, items[from + i++].o);
		count = i;
		wd->page.total = (long long)k;
	}
	for (size_t i = 0; i < k; i++)
		json_decref(items[i].key);
	memmove(items, items + from, count * sizeof *items);
	*n = count;
	return items;
}

/* "total" and "next" of a page into the response r. */
static json_t *paged(json_t *r, const struct jolokia_page *page)
{
	if (page->total >= 0)
		json_object_set_new(r, "total", json_integer((json_int_t)page->total));
	if (page->next[0])
		json_object_set_new(r, "next", json_string(page->next));
	return r;
}

/* ---- the requests ---- */

json_t *jolokia_pattern_read(json_t *mbean, json_t *attrs, json_t *config,
			     struct jolokia_page *page, char *err, size_t errlen)
{
	model_epoch_next();
	struct walked wd;
	if (walk(mbean, config, attrs, FOR_VALUES, &wd, err, errlen) < 0)
		return NULL;
	json_t *out = wd.f.out;
	if (!out) {
		/* sorted: the page's objects are read now */
		size_t n;
		struct sort_item *items = select_items(&wd, config, false, &n);
		out = json_object();
		for (size_t i = 0; items && i < n; i++) {
			json_t *vals = read_values(items[i].o, attrs);
			if (json_object_size(vals))
				json_object_set_new(out, items[i].o->name, vals);
			else
				json_decref(vals);
		}
		free(items);
	}
	free(wd.f.o);
	if (page)
		*page = wd.page;
	return out;
}

static json_t *do_search(json_t *req)
{
	char err[512];
	struct walked wd;
	json_t *config = json_object_get(req, "config");
	if (walk(json_object_get(req, "mbean"), config, NULL, FOR_NAMES, &wd, err, sizeof err) < 0)
		return jolokia_error(req, 400, ERR_BAD, "%s", err);
	size_t n;
	struct sort_item *items = select_items(&wd, config, true, &n);
	json_t *names = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(names, json_string(items[i].o->name));
	free(items);
	free(wd.f.o);
	return paged(jolokia_ok(req, names), &wd.page);
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
	if (json_is_array(json_object_get(req, "mbean")) || (name && objname_is_pattern(name))) {
		struct jolokia_page page;
		json_t *v = jolokia_pattern_read(json_object_get(req, "mbean"), attrs,
						 json_object_get(req, "config"), &page, err, sizeof err);
		if (!v)
			return jolokia_error(req, 400, ERR_BAD, "%s", err);
		return paged(jolokia_ok(req, v), &page);
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

struct may_send {
	const struct authz_who *who;
	char *err;
	size_t errlen;
};

/* perm.targets' `may`: write where the operation sends. */
static bool may_send_to(void *ctx, enum dest_type type, const char *name)
{
	struct may_send *m = ctx;
	return authz_who_allows(m->who, AUTHZ_WRITE, type, name, m->err, m->errlen);
}

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
	if (to && !authz_who_allows(who, AUTHZ_WRITE, DEST_QUEUE, to, err, errlen))
		return false;
	struct may_send ms = { who, err, errlen };
	return !p->targets || p->targets(o, may_send_to, &ms);
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

static json_t *do_list(json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	json_t *mbean = json_object_get(req, "mbean");
	json_t *pattern = NULL;
	if (path) {
		/* "domain/props": one object, answered without the wrapping */
		const char *slash = strchr(path, '/');
		char p[MOBJ_NAME_MAX];
		snprintf(p, sizeof p, "%.*s:%s", slash ? (int)(slash - path) : (int)strlen(path),
			 path, slash ? slash + 1 : "*");
		mbean = pattern = json_string(p);
	}
	if (mbean && !json_is_string(mbean)) {
		return jolokia_error(req, 400, ERR_BAD, "Invalid object name: (not a string)");
	}
	char err[512];
	struct walked wd;
	/* a description costs about what a read of every attribute does */
	int rc = walk(mbean, json_object_get(req, "config"), NULL, FOR_DESCRIPTIONS, &wd, err,
		      sizeof err);
	json_decref(pattern);
	if (rc < 0)
		return jolokia_error(req, 400, ERR_BAD, "%s", err);
	json_t *domain = json_object();
	for (size_t i = 0; i < wd.f.n; i++)
		json_object_set_new(domain, strchr(wd.f.o[i].name, ':') + 1,
				    model_describe(&wd.f.o[i]));
	free(wd.f.o);
	if (path && strchr(path, '/') && !objname_is_pattern(path)) {
		json_t *one = json_incref(json_object_get(domain, strchr(path, '/') + 1));
		json_decref(domain);
		if (!one)
			return jolokia_error(req, 404, ERR_NOT_FOUND, "No MBean at path %s", path);
		return jolokia_ok(req, one);
	}
	return paged(jolokia_ok(req, json_pack("{s:o}", MODEL_DOMAIN, domain)), &wd.page);
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
	model_epoch_next();
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
