/*
 * model.c - walking, finding and describing the management model's
 * objects (see model.h). The classes themselves are in model_*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "model.h"

static const struct mclass *const classes[] = {
	&mclass_broker, &mclass_connector, &mclass_connection, &mclass_store,
	&mclass_health, &mclass_locker, &mclass_network_connector, &mclass_bridge,
	&mclass_network_flow, &mclass_queue, &mclass_topic, &mclass_durable, &mclass_consumer,
	&mclass_mqtt_session,
};
#define NCLASSES (sizeof classes / sizeof *classes)

void mobj_set(struct mobj *o, const struct mclass *cls, void *ptr, const char *fmt, ...)
{
	o->cls = cls;
	o->ptr = ptr;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->name, sizeof o->name, fmt, ap);
	va_end(ap);
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

int model_find(const char *name, struct mobj *out)
{
	struct objname n;
	if (objname_parse(name, &n) < 0 || objname_is_pattern(name)) {
		objname_free(&n);
		return -1;
	}
	out->cls = NULL;
	model_each(&n, take_first, out);
	objname_free(&n);
	return out->cls ? 0 : -1;
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
