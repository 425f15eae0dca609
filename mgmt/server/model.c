/*
 * model.c - walking, finding and describing the management model's
 * objects (see model.h). The classes themselves are in model_*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "model.h"

static const struct mclass *const classes[] = {
	&mclass_broker, &mclass_connector, &mclass_connection, &mclass_store,
	&mclass_health, &mclass_locker, &mclass_network_connector, &mclass_bridge,
	&mclass_inbound_bridge, &mclass_jolokia_neighbour, &mclass_network_flow, &mclass_queue, &mclass_topic,
	&mclass_durable, &mclass_consumer,
	&mclass_mqtt_session, &mclass_history,
};
#define NCLASSES (sizeof classes / sizeof *classes)

void mobj_set(struct mobj *o, const struct mclass *cls, void *ptr, const char *fmt, ...)
{
	o->cls = cls;
	o->ptr = ptr;
	o->key = NULL;
	o->keybuf[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->name, sizeof o->name, fmt, ap);
	va_end(ap);
}

static unsigned long epoch;

void model_epoch_next(void)
{
	epoch++;
}

unsigned long model_epoch(void)
{
	return epoch;
}

const char *model_broker_name(void)
{
	static char quoted[256];
	objname_quote(broker.cfg->broker_name, quoted, sizeof quoted);
	return quoted;
}

json_t *json_count(unsigned long long n)
{
	return json_integer((json_int_t)n);
}

void model_uptime_text(long long ms, char *out, size_t outlen)
{
	long long s = ms / 1000;
	if (s < 60) {
		snprintf(out, outlen, "%.1f seconds", (double)ms / 1000);
		return;
	}
	static const struct { const char *unit; long long secs; } units[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 },
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < 3 && len < outlen; i++) {
		long long n = s / units[i].secs;
		s %= units[i].secs;
		if (n)
			len += (size_t)snprintf(out + len, outlen - len, "%s%lld %s%s",
						len ? " " : "", n, units[i].unit, n == 1 ? "" : "s");
	}
}

struct each_ctx {
	const struct objname *pattern;
	mobj_fn fn;
	void *ctx;
};

static bool match_one(const struct mobj *o, void *arg)
{
	struct each_ctx *ec = arg;
	if (ec->pattern) {
		char buf[MOBJ_NAME_MAX];
		struct objname n;
		if (objname_parse_in(o->name, buf, sizeof buf, &n) < 0 ||
		    !objname_match(ec->pattern, &n))
			return true;
	}
	return ec->fn(o, ec->ctx);
}

void model_each(const struct objname *pattern, mobj_fn fn, void *ctx)
{
	struct each_ctx ec = { pattern, fn, ctx };
	for (size_t i = 0; i < NCLASSES; i++)
		if (!classes[i]->each(match_one, &ec))
			return;
}

static bool take_first(const struct mobj *o, void *ctx)
{
	*(struct mobj *)ctx = *o;
	return false;
}

/* Classes that find by key answer for themselves (the walk would take
 * a long time over 100,000 queues); the others are walked, and so is a
 * class that cannot tell from a quoted name. A bit per class in *walk. */
static int find_fast(const struct objname *n, struct mobj *out, unsigned *walk)
{
	*walk = 0;
	for (size_t i = 0; i < NCLASSES; i++) {
		int r = classes[i]->find ? classes[i]->find(n, out) : MOBJ_FIND_WALK;
		if (r == MOBJ_FIND_WALK)
			*walk |= 1u << i;
		if (r != 0)
			continue;
		char buf[MOBJ_NAME_MAX];
		struct objname found;
		if (objname_parse_in(out->name, buf, sizeof buf, &found) == 0 &&
		    objname_match(n, &found))
			return 0;
	}
	return -1;
}

int model_find(const char *name, struct mobj *out)
{
	struct objname n;
	if (objname_parse(name, &n) < 0 || objname_is_pattern(name)) {
		objname_free(&n);
		return -1;
	}
	out->cls = NULL;
	unsigned walk;
	if (find_fast(&n, out, &walk) < 0) {
		out->cls = NULL;
		struct each_ctx ec = { &n, take_first, out };
		for (size_t i = 0; i < NCLASSES && !out->cls; i++)
			if (walk & (1u << i))
				classes[i]->each(match_one, &ec);
	}
	objname_free(&n);
	return out->cls ? 0 : -1;
}

/* ---- bounded walks ---- */

static bool matches(const struct mwalk *w, const struct mobj *o)
{
	if (!w->npatterns)
		return true;
	char buf[MOBJ_NAME_MAX];
	struct objname n;
	if (objname_parse_in(o->name, buf, sizeof buf, &n) < 0)
		return false;
	for (size_t i = 0; i < w->npatterns; i++)
		if (objname_match(&w->patterns[i], &n))
			return true;
	return false;
}

struct step {
	struct mwalk *w;
	size_t skip;		/* a class walked whole: objects already visited */
	bool stopped;		/* by fn, or the budget */
	char prefix[MOBJ_NAME_MAX];	/* a keyed class: every match's key starts so */
};

/* What one pattern says of a class keyed by destinationName (queues,
 * topics): false when it names another destinationType or a key their
 * names lack; else the literal start of its destinationName in prefix
 * ("" for none), so that a walk of "orders.*" among 100,000 queues seeks
 * to "orders." and ends after the last of them. */
static bool keyed_scope(const struct mwalk *w, const struct mclass *cls, char *prefix,
			size_t len)
{
	prefix[0] = '\0';
	if (w->npatterns != 1 || (cls != &mclass_queue && cls != &mclass_topic))
		return true;
	const struct objname *p = &w->patterns[0];
	/* a key these names never have (endpoint=Consumer): none matches */
	static const char *const own[] = { "type", "brokerName", "destinationType",
					   "destinationName" };
	for (size_t i = 0; i < p->nkeys; i++) {
		size_t k = 0;
		while (k < sizeof own / sizeof *own && strcmp(p->key[i], own[k]))
			k++;
		if (k == sizeof own / sizeof *own)
			return false;
	}
	const char *type = objname_get(p, "destinationType");
	if (type && !objname_is_pattern(type) && strcmp(type, cls->kind))
		return false;
	const char *name = objname_get(p, "destinationName");
	if (!name)
		return true;
	/* '_' may stand for any of the characters quoting replaces */
	size_t n = strcspn(name, "*?_");
	snprintf(prefix, len, "%.*s", (int)n, name);
	return true;
}

static bool visit(const struct mobj *o, void *arg)
{
	struct step *st = arg;
	struct mwalk *w = st->w;
	if (st->skip) {
		st->skip--;
		return true;
	}
	if (o->key && st->prefix[0]) {
		int c = strncmp(o->key, st->prefix, strlen(st->prefix));
		if (c < 0)
			return true;	/* before the first that may match */
		if (c > 0)
			return false;	/* past the last: the class is done */
	}
	if (!w->budget) {
		st->stopped = true;
		return false;
	}
	w->budget--;
	if (o->key) {
		snprintf(w->at.key, sizeof w->at.key, "%s", o->key);
		w->at.keyed = true;
	}
	w->at.pos++;
	if (matches(w, o) && !w->fn(o, w->ctx)) {
		st->stopped = true;
		return false;
	}
	return true;
}

bool model_walk(struct mwalk *w)
{
	for (; w->at.cls < NCLASSES; w->at.cls++, w->at.pos = 0, w->at.keyed = false) {
		const struct mclass *cls = classes[w->at.cls];
		if (w->only && cls != w->only)
			continue;
		struct step st = { w, 0, false, "" };
		if (cls->each_after) {
			if (!keyed_scope(w, cls, st.prefix, sizeof st.prefix))
				continue;
			/* From the last key visited, or from just before the prefix
			 * (a key that is the prefix minus its last character sorts
			 * before every key that starts with the prefix). */
			char start[MOBJ_NAME_MAX];
			size_t plen = strlen(st.prefix);
			snprintf(start, sizeof start, "%.*s", plen ? (int)plen - 1 : 0, st.prefix);
			const char *after = w->at.keyed ? w->at.key : plen ? start : NULL;
			if (w->at.keyed && plen && strcmp(w->at.key, start) < 0)
				after = start;
			cls->each_after(after, visit, &st);
		} else {
			st.skip = w->at.pos;
			cls->each(visit, &st);
		}
		if (st.stopped)
			return false;
	}
	return true;
}

void mobj_set_serial(struct mobj *o, unsigned long long serial)
{
	snprintf(o->keybuf, sizeof o->keybuf, "%llu", serial);
	o->key = o->keybuf;
}

unsigned long long mobj_serial_after(const char *after)
{
	return after ? strtoull(after, NULL, 10) : ~0ULL;
}

size_t mobj_place_after(const char *after)
{
	return after ? (size_t)strtoull(after, NULL, 10) + 1 : 0;
}

void mcursor_text(const struct mcursor *c, char *out, size_t outlen)
{
	if (c->keyed)
		snprintf(out, outlen, "%zu:%s", c->cls, c->key);
	else
		snprintf(out, outlen, "%zu#%zu", c->cls, c->pos);
}

int mcursor_parse(const char *text, struct mcursor *c)
{
	char *end;
	memset(c, 0, sizeof *c);
	unsigned long cls = strtoul(text, &end, 10);
	if (end == text || cls > NCLASSES || (*end != ':' && *end != '#'))
		return -1;
	c->cls = cls;
	if (*end == ':') {
		if (strlen(end + 1) >= sizeof c->key)
			return -1;
		strcpy(c->key, end + 1);
		c->keyed = true;
		return 0;
	}
	char *stop;
	unsigned long pos = strtoul(end + 1, &stop, 10);
	if (stop == end + 1 || *stop)
		return -1;
	c->pos = pos;
	return 0;
}

const struct mattr *model_attr(const struct mclass *cls, const char *name)
{
	for (const struct mattr *a = cls->attrs; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

const struct mop *model_op(const struct mclass *cls, const char *name, int nargs)
{
	for (const struct mop *op = cls->ops; op && op->name; op++)
		if (!strcmp(op->name, name) && (nargs < 0 || op->nargs == nargs))
			return op;
	return NULL;
}

json_t *model_read(const struct mobj *o, json_t *which, char *err, size_t errlen)
{
	if (json_is_string(which)) {
		const struct mattr *a = model_attr(o->cls, json_string_value(which));
		if (!a) {
			snprintf(err, errlen, "No such attribute: %s", json_string_value(which));
			return NULL;
		}
		return a->get(o);
	}
	json_t *out = json_object();
	if (!which || json_is_null(which)) {
		for (const struct mattr *a = o->cls->attrs; a->name; a++)
			json_object_set_new(out, a->name, a->get(o));
		return out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(which, i, v) {
		const struct mattr *a = json_is_string(v) ? model_attr(o->cls, json_string_value(v))
				       : NULL;
		if (!a) {
			snprintf(err, errlen, "No such attribute: %s",
				 json_is_string(v) ? json_string_value(v) : "(not a string)");
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, a->name, a->get(o));
	}
	return out;
}

json_t *model_describe(const struct mobj *o)
{
	json_t *attrs = json_object(), *ops = json_object();
	for (const struct mattr *a = o->cls->attrs; a->name; a++)
		json_object_set_new(attrs, a->name, json_pack("{s:s, s:b, s:s}", "type", a->type,
							      "rw", a->set != NULL, "desc", a->desc));
	for (const struct mop *op = o->cls->ops; op && op->name; op++) {
		json_t *args = json_array();
		char buf[256];
		snprintf(buf, sizeof buf, "%s", op->args ? op->args : "");
		for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *colon = strchr(tok, ':');
			if (colon)
				*colon++ = '\0';
			json_array_append_new(args, json_pack("{s:s, s:s}", "name", tok, "type",
							      colon ? colon : "java.lang.String"));
		}
		/* What it takes (authz.h), so a client can tell before trying. */
		static const char *const perms[] = {
			[MPERM_BROKER] = "broker admin", [MPERM_READ] = "read",
			[MPERM_WRITE] = "write", [MPERM_ADMIN] = "admin",
		};
		json_t *desc = json_pack("{s:o, s:s, s:s, s:s}", "args", args, "ret", op->ret,
					 "desc", op->desc, "perm", perms[op->perm.need]);
		/* Overloads (sendTextMessage) are listed as an array, as Jolokia does. */
		json_t *prev = json_object_get(ops, op->name);
		if (!prev) {
			json_object_set_new(ops, op->name, desc);
		} else if (json_is_array(prev)) {
			json_array_append_new(prev, desc);
		} else {
			json_t *both = json_pack("[O, o]", prev, desc);
			json_object_set_new(ops, op->name, both);
		}
	}
	return json_pack("{s:o, s:o}", "attr", attrs, "op", ops);
}
