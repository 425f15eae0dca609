/*
 * openwire_wireformat.c - WireFormatInfo read, written and negotiated (see
 * openwire_wireformat.h). The options are rows: a name, a type and where
 * the value goes, used both to read a peer's map and to write ours.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_map.h"
#include "openwire_wireformat.h"
#include "version.h"

static const uint8_t magic[8] = { 'A', 'c', 't', 'i', 'v', 'e', 'M', 'Q' };

enum opt_kind { OPT_BOOL, OPT_INT, OPT_LONG, OPT_STRING };

static const struct opt {
	const char *name;	/* ActiveMQ's key */
	enum opt_kind kind;
	size_t off;
} opts[] = {
	{ "TightEncodingEnabled", OPT_BOOL, offsetof(struct ow_wire_options, tight) },
	{ "CacheEnabled", OPT_BOOL, offsetof(struct ow_wire_options, cache) },
	{ "StackTraceEnabled", OPT_BOOL, offsetof(struct ow_wire_options, stack_trace) },
	{ "TcpNoDelayEnabled", OPT_BOOL, offsetof(struct ow_wire_options, tcp_no_delay) },
	{ "SizePrefixDisabled", OPT_BOOL, offsetof(struct ow_wire_options, size_prefix_disabled) },
	{ "MaxFrameSizeEnabled", OPT_BOOL, offsetof(struct ow_wire_options, max_frame_size_enabled) },
	{ "MaxInactivityDuration", OPT_LONG, offsetof(struct ow_wire_options, max_inactivity) },
	{ "MaxInactivityDurationInitalDelay", OPT_LONG,
	  offsetof(struct ow_wire_options, max_inactivity_initial_delay) },
	{ "MaxFrameSize", OPT_LONG, offsetof(struct ow_wire_options, max_frame_size) },
	{ "CacheSize", OPT_INT, offsetof(struct ow_wire_options, cache_size) },
	{ "Host", OPT_STRING, offsetof(struct ow_wire_options, host) },
	{ "ProviderName", OPT_STRING, offsetof(struct ow_wire_options, provider_name) },
	{ "ProviderVersion", OPT_STRING, offsetof(struct ow_wire_options, provider_version) },
	{ "PlatformDetails", OPT_STRING, offsetof(struct ow_wire_options, platform_details) },
};

#define NOPTS (sizeof opts / sizeof opts[0])
#define AT(o, opt, type) ((type *)(void *)((char *)(o) + (opt)->off))

void ow_wire_options_release(struct ow_wire_options *o)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].kind == OPT_STRING)
			ow_str_clear(AT(o, &opts[i], struct ow_str));
}

/* Java reads a boolean option as `Boolean.TRUE == value`: any other type
 * is false. A number of another type is a ClassCastException there, and a
 * refusal here. */
static int read_opt(const struct opt *opt, const struct ow_value *v, struct ow_wire_options *o,
		    char err[OW_ERR_MAX])
{
	switch (opt->kind) {
	case OPT_BOOL:
		*AT(o, opt, bool) = v->type == OWP_BOOL && v->v.b;
		return 0;
	case OPT_INT:
		if (v->type != OWP_INT)
			break;
		*AT(o, opt, int32_t) = v->v.i32;
		return 0;
	case OPT_LONG:
		if (v->type != OWP_LONG)
			break;
		*AT(o, opt, int64_t) = v->v.i64;
		return 0;
	case OPT_STRING:
		if (v->type != OWP_STRING && v->type != OWP_BIG_STRING)
			return 0;	/* toString() of anything: only shown */
		return ow_str_set(AT(o, opt, struct ow_str), (const char *)v->v.bytes.data,
				  v->v.bytes.len);
	}
	snprintf(err, OW_ERR_MAX, "WireFormatInfo option %s has primitive type %u", opt->name,
		 v->type);
	return -1;
}

int ow_wireformat_read(const struct ow_wireformat_info *info, struct ow_wire_options *out,
		       char err[OW_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	if (memcmp(info->magic, magic, sizeof magic)) {
		snprintf(err, OW_ERR_MAX, "WireFormatInfo without the magic \"ActiveMQ\"");
		return -1;
	}
	if (info->version < OW_VERSION_MIN) {
		snprintf(err, OW_ERR_MAX, "OpenWire version %d; versions are %d to %d",
			 (int)info->version, OW_VERSION_MIN, OW_VERSION_MAX);
		return -1;
	}
	out->version = info->version;
	struct ow_map *m = NULL;
	const struct ow_bytes *p = &info->marshalled_properties;
	if (p->data && ow_map_decode(p->data, p->len, &ow_map_wireformat_limits, &m, err) < 0)
		return -1;
	for (size_t i = 0; i < NOPTS; i++) {
		const struct ow_value *v = ow_map_get(m, opts[i].name);
		if (v && read_opt(&opts[i], v, out, err) < 0) {
			ow_map_free(m);
			ow_wire_options_release(out);
			return -1;
		}
	}
	ow_map_free(m);
	return 0;
}

void ow_wireformat_broker(struct ow_wire_options *o, int64_t max_frame_size,
			  int64_t max_inactivity)
{
	memset(o, 0, sizeof *o);
	o->version = OW_VERSION_MAX;
	o->tight = true;
	o->cache = true;
	o->cache_size = OW_CACHE_SIZE_BROKER;
	o->tcp_no_delay = true;
	o->max_frame_size_enabled = true;
	o->max_frame_size = max_frame_size;
	o->max_inactivity = max_inactivity;
	o->max_inactivity_initial_delay = 10000;	/* ActiveMQ's default */
	o->provider_name = (struct ow_str){ (char *)"Tandem", 6 };
	o->provider_version = (struct ow_str){ (char *)TANDEM_VERSION, sizeof TANDEM_VERSION - 1 };
}

static int add_opt(struct ow_map *m, const struct opt *opt, const struct ow_wire_options *o)
{
	struct ow_value v = { 0 };
	switch (opt->kind) {
	case OPT_BOOL: v.type = OWP_BOOL, v.v.b = *AT(o, opt, const bool); break;
	case OPT_INT: v.type = OWP_INT, v.v.i32 = *AT(o, opt, const int32_t); break;
	case OPT_LONG: v.type = OWP_LONG, v.v.i64 = *AT(o, opt, const int64_t); break;
	case OPT_STRING: {
		const struct ow_str *s = AT(o, opt, const struct ow_str);
		if (!s->s)
			return 0;
		v.type = OWP_STRING;
		v.v.bytes.data = malloc(s->len + 1);
		if (!v.v.bytes.data)
			return -1;
		memcpy(v.v.bytes.data, s->s, s->len + 1);
		v.v.bytes.len = s->len;
		break;
	}
	}
	return ow_map_add(m, opt->name, v);
}

struct ow_wireformat_info *ow_wireformat_make(const struct ow_wire_options *o)
{
	struct ow_wireformat_info *info = (void *)ow_obj_new(OW_WIREFORMAT_INFO);
	struct ow_map *m = calloc(1, sizeof *m);
	struct buf b = BUF_INIT;
	int rc = info && m ? 0 : -1;
	for (size_t i = 0; i < NOPTS && rc == 0; i++)
		if (strcmp(opts[i].name, "CacheSize") || o->cache)
			rc = add_opt(m, &opts[i], o);
	if (rc == 0)
		rc = ow_map_encode(m, &b);
	ow_map_free(m);
	if (rc < 0) {
		buf_free(&b);
		ow_obj_free(info ? &info->h : NULL);
		return NULL;
	}
	memcpy(info->magic, magic, sizeof magic);
	info->version = o->version;
	size_t len;
	info->marshalled_properties.data = (uint8_t *)buf_steal(&b, &len);
	info->marshalled_properties.len = (uint32_t)len;
	return info;
}

/* ActiveMQ's min for versions and frame sizes: 0 or less is "not said". */
static int64_t min_said(int64_t a, int64_t b)
{
	return (a < b && a > 0) || b <= 0 ? a : b;
}

void ow_wireformat_negotiate(const struct ow_wire_options *ours,
			     const struct ow_wire_options *theirs, struct ow_wire_options *out)
{
	memset(out, 0, sizeof *out);
	out->version = (int32_t)min_said(ours->version, theirs->version);
	out->tight = ours->tight && theirs->tight;
	out->cache = ours->cache && theirs->cache;
	out->stack_trace = ours->stack_trace && theirs->stack_trace;
	out->tcp_no_delay = ours->tcp_no_delay && theirs->tcp_no_delay;
	out->size_prefix_disabled = ours->size_prefix_disabled && theirs->size_prefix_disabled;
	out->max_frame_size_enabled = ours->max_frame_size_enabled;	/* not negotiated */
	out->max_frame_size = min_said(ours->max_frame_size, theirs->max_frame_size);
	out->cache_size = (int32_t)min_said(ours->cache_size, theirs->cache_size);
	out->max_inactivity = ours->max_inactivity < theirs->max_inactivity
		? ours->max_inactivity : theirs->max_inactivity;
	out->max_inactivity_initial_delay =
		ours->max_inactivity_initial_delay < theirs->max_inactivity_initial_delay
		? ours->max_inactivity_initial_delay : theirs->max_inactivity_initial_delay;
}

int ow_wireformat_apply(struct ow_format *f, const struct ow_wire_options *n)
{
	f->version = n->version > OW_VERSION_MAX ? OW_VERSION_MAX : n->version;
	f->tight = n->tight;
	f->stack_trace = n->stack_trace;
	if (!n->cache) {
		ow_format_release(f);
		return 0;
	}
	int32_t size = n->cache_size > 0 && n->cache_size <= 0x7FFF ? n->cache_size
		: OW_CACHE_SIZE_DEFAULT;
	return ow_format_cache(f, (uint16_t)size);
}
