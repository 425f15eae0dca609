/*
 * openwire_codec.c - the walker over openwire_types.c's rows (see
 * openwire_codec.h). One function reads a field of any kind and one writes
 * it; the encoding is the cursor's or writer's business
 * (openwire_wire.c), so each kind is written once for loose and tight.
 *
 * Where to start: ow_decode() and read_fields(); ow_encode() and
 * write_fields() mirror them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"

void ow_format_init(struct ow_format *f)
{
	memset(f, 0, sizeof *f);
	f->version = OW_VERSION_MAX;
}

/* ---- objects ---- */

struct ow_obj *ow_obj_new(uint8_t type)
{
	const struct ow_type *t = ow_type_find(type);
	struct ow_obj *o = t ? calloc(1, t->size) : NULL;
	if (o) {
		o->type = type;
		o->refs = 1;
	}
	return o;
}

struct ow_obj *ow_obj_ref(struct ow_obj *o)
{
	if (o)
		o->refs++;
	return o;
}

/* Pointer fields are read and written through memcpy: the struct declares
 * them with their own types (struct ow_destination *), the rows see them
 * as struct ow_obj *. */
static struct ow_obj *get_ptr(const void *base, uint16_t off)
{
	struct ow_obj *p;
	memcpy(&p, (const char *)base + off, sizeof p);
	return p;
}

static void set_ptr(void *base, uint16_t off, struct ow_obj *p)
{
	memcpy((char *)base + off, &p, sizeof p);
}

#define AT(base, f, type) ((type *)(void *)((char *)(base) + (f)->off))

static void array_clear(struct ow_array *a)
{
	for (uint16_t i = 0; a->v && i < a->n; i++)
		ow_obj_free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void ow_obj_free(struct ow_obj *o)
{
	if (!o || --o->refs > 0)
		return;
	const struct ow_type *t = ow_type_find(o->type);
	for (const struct ow_field *f = t ? t->fields : NULL; f && f->name; f++) {
		switch (f->kind) {
		case OWF_STRING: ow_str_clear(AT(o, f, struct ow_str)); break;
		case OWF_BYTES: ow_bytes_clear(AT(o, f, struct ow_bytes)); break;
		case OWF_NESTED:
		case OWF_CACHED: ow_obj_free(get_ptr(o, f->off)); break;
		case OWF_ARRAY: array_clear(AT(o, f, struct ow_array)); break;
		case OWF_THROWABLE: ow_throwable_free(*AT(o, f, struct ow_throwable *)); break;
		default: break;
		}
	}
	free(o);
}

/* ---- reading ---- */

static int read_fields(struct ow_format *fmt, struct ow_in *in, const struct ow_type *t,
		       struct ow_obj *o);

/* A type code in a place that accepts `accept`, in this version: its row,
 * or NULL (failed). */
static const struct ow_type *accepted(struct ow_in *in, int version, uint8_t code,
				      uint16_t accept)
{
	const struct ow_type *t = ow_type_find(code);
	if (!t && ow_code_name(code))
		ow_fail(in, "data type %u (%s) is not supported", code, ow_code_name(code));
	else if (!t)
		ow_fail(in, "unknown data type %u", code);
	else if (t->since > version)
		ow_fail(in, "data type %u (%s) is not in OpenWire version %d", code, t->name, version);
	else if (!(t->klass & accept))
		ow_fail(in, "data type %u (%s) does not belong here", code, t->name);
	return in->failed ? NULL : t;
}

/* A nested data structure: presence, type, (tight, MarshallAware: a flag
 * for a cached marshalled form, which no Java peer writes), fields. */
static int read_nested(struct ow_format *fmt, struct ow_in *in, uint16_t accept,
		       struct ow_obj **out)
{
	*out = NULL;
	if (!ow_get_bool(in))
		return in->failed ? -1 : 0;
	uint8_t code = ow_get_u8(in);
	const struct ow_type *t = in->failed ? NULL : accepted(in, fmt->version, code, accept);
	if (!t)
		return -1;
	if (in->tight && t->marshal_aware && ow_get_bool(in))
		return ow_fail(in, "a cached marshalled form of %s is not supported", t->name);
	if (in->depth >= OW_MAX_DEPTH)
		return ow_fail(in, "data structures nested deeper than %d", OW_MAX_DEPTH);
	struct ow_obj *o = ow_obj_new(code);
	if (!o)
		return ow_fail(in, "out of memory");
	*out = o;
	in->depth++;
	int rc = read_fields(fmt, in, t, o);
	in->depth--;
	return rc;
}

/* With the cache: a flag (new or not), an index, and for a new one the
 * structure, which the index then names until replaced. */
static int read_cached(struct ow_format *fmt, struct ow_in *in, uint16_t accept,
		       struct ow_obj **out)
{
	if (!fmt->cache_size)
		return read_nested(fmt, in, accept, out);
	*out = NULL;
	bool fresh = ow_get_bool(in);
	int16_t index = ow_get_i16(in);
	if (in->failed)
		return -1;
	if (fresh && index == -1)	/* the writer's cache was full */
		return read_nested(fmt, in, accept, out);
	if (index < 0 || index >= fmt->cache_size)
		return ow_fail(in, "marshal cache index %d outside 0..%u", index, fmt->cache_size - 1);
	if (fresh) {
		if (read_nested(fmt, in, accept, out) < 0)
			return -1;
		if (ow_cache_put(fmt, (uint16_t)index, *out) < 0)
			return ow_fail(in, "no memory for marshal cache slot %d", index);
		return 0;
	}
	struct ow_obj *o = ow_cache_get(fmt, (uint16_t)index);
	if (o && !accepted(in, fmt->version, o->type, accept))
		return -1;
	*out = ow_obj_ref(o);
	return 0;
}

static int read_array(struct ow_format *fmt, struct ow_in *in, uint16_t accept,
		      struct ow_array *a)
{
	int32_t n = ow_get_array_count(in);
	if (n < 0)
		return in->failed ? -1 : 0;
	/* Each element takes at least a presence byte (loose) or bit (tight). */
	size_t room = in->tight ? in->nbits - in->bit : in->len - in->off;
	if ((size_t)n > room)
		return ow_fail(in, "array of %d elements, room for %zu", (int)n, room);
	a->v = calloc((size_t)n ? (size_t)n : 1, sizeof *a->v);
	if (!a->v)
		return ow_fail(in, "out of memory");
	for (int32_t i = 0; i < n; i++) {
		a->n = (uint16_t)(i + 1);
		if (read_nested(fmt, in, accept, &a->v[i]) < 0)
			return -1;
	}
	a->n = (uint16_t)n;
	return 0;
}

static int read_field(struct ow_format *fmt, struct ow_in *in, const struct ow_field *f,
		      struct ow_obj *o)
{
	struct ow_obj *p = NULL;
	int rc = 0;
	switch (f->kind) {
	case OWF_BOOL: *AT(o, f, bool) = ow_get_bool(in); break;
	case OWF_BYTE: *AT(o, f, int8_t) = (int8_t)ow_get_u8(in); break;
	case OWF_INT: *AT(o, f, int32_t) = ow_get_i32(in); break;
	case OWF_LONG: *AT(o, f, int64_t) = ow_get_long(in); break;
	case OWF_STRING: rc = ow_get_str(in, AT(o, f, struct ow_str)); break;
	case OWF_BYTES: rc = ow_get_bytes(in, AT(o, f, struct ow_bytes)); break;
	case OWF_MAGIC: rc = ow_get_fixed(in, AT(o, f, uint8_t), 8); break;
	case OWF_NESTED:
	case OWF_CACHED:
		rc = (f->kind == OWF_CACHED ? read_cached : read_nested)(fmt, in, f->accept, &p);
		set_ptr(o, f->off, p);
		break;
	case OWF_ARRAY: rc = read_array(fmt, in, f->accept, AT(o, f, struct ow_array)); break;
	case OWF_THROWABLE: rc = ow_get_throwable(in, AT(o, f, struct ow_throwable *)); break;
	}
	return rc < 0 || in->failed ? -1 : 0;
}

/* On the first failure the innermost field names itself before the
 * reason ("ConsumerInfo.destination: unknown data type 99"); the levels
 * above leave it as it is. */
static int read_fields(struct ow_format *fmt, struct ow_in *in, const struct ow_type *t,
		       struct ow_obj *o)
{
	for (const struct ow_field *f = t->fields; f->name; f++) {
		if (f->since > fmt->version)
			continue;
		if (read_field(fmt, in, f, o) < 0) {
			if (!in->named) {
				char why[OW_ERR_MAX];
				memcpy(why, in->err, sizeof why);
				snprintf(in->err, sizeof in->err, "%s.%s: %.120s", t->name, f->name, why);
				in->named = true;
			}
			return -1;
		}
	}
	return 0;
}

int ow_decode(struct ow_format *f, const uint8_t *frame, size_t len, struct ow_obj **out,
	      char err[OW_ERR_MAX])
{
	return ow_decode_class(f, frame, len, OWC_COMMAND, out, err);
}

int ow_decode_class(struct ow_format *f, const uint8_t *frame, size_t len, uint16_t accept,
		    struct ow_obj **out, char err[OW_ERR_MAX])
{
	struct ow_in in;
	*out = NULL;
	if (len < 1) {
		snprintf(err, OW_ERR_MAX, "empty frame");
		return -1;
	}
	uint8_t code = frame[0];
	if (ow_in_start(&in, frame + 1, len - 1, f->tight, f->stack_trace) < 0) {
		snprintf(err, OW_ERR_MAX, "%s", in.err);
		return -1;
	}
	const struct ow_type *t = accepted(&in, f->version, code, accept);
	struct ow_obj *o = t ? ow_obj_new(code) : NULL;
	if (t && !o)
		ow_fail(&in, "out of memory");
	if (o && read_fields(f, &in, t, o) == 0 && in.off != in.len)
		ow_fail(&in, "%s: %zu bytes left over at the end of the frame", t->name,
			in.len - in.off);
	if (in.failed) {
		ow_obj_free(o);
		snprintf(err, OW_ERR_MAX, "%s", in.err);
		return -1;
	}
	*out = o;
	return 0;
}

/* ---- writing ---- */

static void write_fields(struct ow_format *fmt, struct ow_out *out, const struct ow_type *t,
			 const struct ow_obj *o);

static void write_nested(struct ow_format *fmt, struct ow_out *out, const struct ow_obj *o)
{
	ow_put_bool(out, o != NULL);
	if (!o)
		return;
	const struct ow_type *t = ow_type_find(o->type);
	if (!t || t->since > fmt->version) {
		out->failed = true;
		return;
	}
	ow_put_u8(out, o->type);
	if (out->tight && t->marshal_aware)
		ow_put_bool(out, false);
	write_fields(fmt, out, t, o);
}

/* With the cache: a flag (new or not) and an index, and for a new one the
 * structure (openwire_cache.c says which). */
static void write_cached(struct ow_format *fmt, struct ow_out *out, struct ow_obj *o)
{
	if (!fmt->cache_size) {
		write_nested(fmt, out, o);
		return;
	}
	bool fresh;
	int16_t index = ow_cache_index(fmt, o, &fresh);
	ow_put_bool(out, fresh);
	ow_put_i16(out, index);
	if (fresh)
		write_nested(fmt, out, o);
}

static void write_array(struct ow_format *fmt, struct ow_out *out, const struct ow_array *a)
{
	ow_put_bool(out, a->v != NULL);
	if (!a->v)
		return;
	ow_put_i16(out, (int16_t)a->n);
	for (uint16_t i = 0; i < a->n; i++)
		write_nested(fmt, out, a->v[i]);
}

static void write_field(struct ow_format *fmt, struct ow_out *out, const struct ow_field *f,
			const struct ow_obj *o)
{
	const void *b = o;
	switch (f->kind) {
	case OWF_BOOL: ow_put_bool(out, *AT(b, f, const bool)); break;
	case OWF_BYTE: ow_put_u8(out, (uint8_t)*AT(b, f, const int8_t)); break;
	case OWF_INT: ow_put_i32(out, *AT(b, f, const int32_t)); break;
	case OWF_LONG: ow_put_long(out, *AT(b, f, const int64_t)); break;
	case OWF_STRING: ow_put_str(out, AT(b, f, const struct ow_str)); break;
	case OWF_BYTES: ow_put_bytes(out, AT(b, f, const struct ow_bytes)); break;
	case OWF_MAGIC: ow_put_fixed(out, AT(b, f, const uint8_t), 8); break;
	case OWF_NESTED: write_nested(fmt, out, get_ptr(o, f->off)); break;
	case OWF_CACHED: write_cached(fmt, out, get_ptr(o, f->off)); break;
	case OWF_ARRAY: write_array(fmt, out, AT(b, f, const struct ow_array)); break;
	case OWF_THROWABLE: ow_put_throwable(out, *AT(b, f, struct ow_throwable *const)); break;
	}
}

static void write_fields(struct ow_format *fmt, struct ow_out *out, const struct ow_type *t,
			 const struct ow_obj *o)
{
	for (const struct ow_field *f = t->fields; f->name && !out->failed; f++)
		if (f->since <= fmt->version)
			write_field(fmt, out, f, o);
}

/* Tight puts the BooleanStream before the fields, so the fields are
 * written aside first; loose writes in place. Either way the size prefix
 * is filled in once the frame is whole. */
int ow_encode(struct ow_format *f, const struct ow_obj *cmd, struct buf *out)
{
	const struct ow_type *t = ow_type_find(cmd->type);
	if (!t || !(t->klass & OWC_COMMAND) || t->since > f->version)
		return -1;
	size_t mark = buf_len(out);
	uint16_t slot = f->out_next;
	uint32_t added = f->out_added;
	struct buf body = BUF_INIT;
	struct ow_out w;
	ow_out_init(&w, f->tight ? &body : out, f->tight, f->stack_trace);
	uint8_t head[5] = { 0, 0, 0, 0, cmd->type };
	int rc = buf_append(out, head, sizeof head);
	if (rc == 0)
		write_fields(f, &w, t, cmd);
	if (rc == 0 && !w.failed && f->tight)
		rc = ow_out_put_bits(&w, out) < 0 || buf_append(out, buf_data(&body), buf_len(&body)) < 0
			? -1 : 0;
	size_t size = buf_len(out) - mark - 4;
	if (rc < 0 || w.failed || size > INT32_MAX) {
		buf_truncate(out, mark);
		if (f->cache_size)	/* the peer never sees what this frame cached */
			ow_cache_forget(f, slot, f->out_added - added);
		rc = -1;
	} else {
		uint8_t *p = (uint8_t *)buf_data(out) + mark;
		p[0] = (uint8_t)(size >> 24), p[1] = (uint8_t)(size >> 16);
		p[2] = (uint8_t)(size >> 8), p[3] = (uint8_t)size;
	}
	ow_out_release(&w);
	buf_free(&body);
	return rc;
}
