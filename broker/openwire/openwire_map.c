/*
 * openwire_map.c - marshalled primitive maps and lists (see
 * openwire_map.h). Reading goes through openwire_wire.c's loose cursor,
 * so every length is checked the same way as in a command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_map.h"

const struct ow_map_limits ow_map_wireformat_limits = { 64, 512, 0 };

static void value_clear(struct ow_value *v)
{
	switch (v->type) {
	case OWP_STRING:
	case OWP_BIG_STRING:
	case OWP_BYTES: ow_bytes_clear(&v->v.bytes); break;
	case OWP_MAP:
	case OWP_LIST: ow_map_free(v->v.map); break;
	default: break;
	}
	v->type = OWP_NULL;
}

void ow_map_free(struct ow_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		if (m->names)
			ow_str_clear(&m->names[i]);
		value_clear(&m->values[i]);
	}
	free(m->names);
	free(m->values);
	free(m);
}

static int read_map(struct ow_in *in, const struct ow_map_limits *lim, int depth, bool list,
		    struct ow_map **out);

static int read_blob(struct ow_in *in, const struct ow_map_limits *lim, int32_t n,
		     struct ow_bytes *b)
{
	if (in->failed)
		return -1;
	if (n < 0 || (size_t)n > in->len - in->off)
		return ow_fail(in, "value of %d bytes, %zu left", (int)n, in->len - in->off);
	if (n > lim->max_buffer)
		return ow_fail(in, "value of %d bytes, more than the %d allowed", (int)n,
			       (int)lim->max_buffer);
	b->data = malloc((size_t)n + 1);
	if (!b->data)
		return ow_fail(in, "out of memory");
	ow_get_fixed(in, b->data, (size_t)n);
	b->data[n] = 0;
	b->len = (uint32_t)n;
	return 0;
}

static int read_value(struct ow_in *in, const struct ow_map_limits *lim, int depth,
		      struct ow_value *v)
{
	uint8_t type = ow_get_u8(in);
	if (in->failed)
		return -1;
	v->type = type;
	switch (type) {
	case OWP_NULL: return 0;
	case OWP_BOOL: v->v.b = ow_get_u8(in) != 0; break;
	case OWP_BYTE: v->v.i8 = (int8_t)ow_get_u8(in); break;
	case OWP_CHAR: v->v.c = (uint16_t)ow_get_i16(in); break;
	case OWP_SHORT: v->v.i16 = ow_get_i16(in); break;
	case OWP_INT: v->v.i32 = ow_get_i32(in); break;
	case OWP_LONG: v->v.i64 = ow_get_i64(in); break;
	case OWP_FLOAT: {
		uint32_t u = (uint32_t)ow_get_i32(in);
		memcpy(&v->v.f, &u, sizeof u);
		break;
	}
	case OWP_DOUBLE: {
		uint64_t u = (uint64_t)ow_get_i64(in);
		memcpy(&v->v.d, &u, sizeof u);
		break;
	}
	case OWP_STRING: return read_blob(in, lim, (uint16_t)ow_get_i16(in), &v->v.bytes);
	case OWP_BIG_STRING:
	case OWP_BYTES: return read_blob(in, lim, ow_get_i32(in), &v->v.bytes);
	case OWP_MAP:
	case OWP_LIST:
		if (depth >= lim->max_depth)
			return ow_fail(in, "maps and lists nested deeper than %d", lim->max_depth);
		return read_map(in, lim, depth + 1, type == OWP_LIST, &v->v.map);
	default:
		v->type = OWP_NULL;
		return ow_fail(in, "unknown primitive type %u", type);
	}
	return in->failed ? -1 : 0;
}

/* A negative count is a null map (Java) and an empty list. */
static int read_map(struct ow_in *in, const struct ow_map_limits *lim, int depth, bool list,
		    struct ow_map **out)
{
	*out = NULL;
	int32_t n = ow_get_i32(in);
	if (in->failed)
		return -1;
	if (n < 0 && !list)
		return 0;
	if (n < 0)
		n = 0;
	if (!list && n > lim->max_entries)
		return ow_fail(in, "map of %d entries, more than the %d allowed", (int)n,
			       (int)lim->max_entries);
	/* Each entry takes at least its type byte. */
	if ((size_t)n > in->len - in->off)
		return ow_fail(in, "%d entries in %zu bytes", (int)n, in->len - in->off);
	struct ow_map *m = calloc(1, sizeof *m);
	if (!m)
		return ow_fail(in, "out of memory");
	*out = m;
	m->values = calloc((size_t)n ? (size_t)n : 1, sizeof *m->values);
	m->names = list ? NULL : calloc((size_t)n ? (size_t)n : 1, sizeof *m->names);
	if (!m->values || (!list && !m->names))
		return ow_fail(in, "out of memory");
	for (int32_t i = 0; i < n; i++) {
		m->n = (size_t)i + 1;
		if (!list) {
			uint16_t len = (uint16_t)ow_get_i16(in);
			struct ow_bytes name = { 0 };
			if (read_blob(in, lim, len, &name) < 0)
				return -1;
			m->names[i].s = (char *)name.data;
			m->names[i].len = name.len;
		}
		if (read_value(in, lim, depth, &m->values[i]) < 0)
			return -1;
	}
	return 0;
}

int ow_map_decode(const uint8_t *p, size_t len, const struct ow_map_limits *lim,
		  struct ow_map **out, char err[OW_ERR_MAX])
{
	struct ow_in in;
	ow_in_start(&in, p, len, false, false);
	if (read_map(&in, lim, 0, false, out) == 0 && in.off != in.len)
		ow_fail(&in, "%zu bytes left over after the map", in.len - in.off);
	if (in.failed) {
		ow_map_free(*out);
		*out = NULL;
		snprintf(err, OW_ERR_MAX, "%s", in.err);
		return -1;
	}
	return 0;
}

static void write_map(struct ow_out *o, const struct ow_map *m);

static void write_value(struct ow_out *o, const struct ow_value *v)
{
	ow_put_u8(o, v->type);
	switch (v->type) {
	case OWP_BOOL: ow_put_u8(o, v->v.b); break;
	case OWP_BYTE: ow_put_u8(o, (uint8_t)v->v.i8); break;
	case OWP_CHAR: ow_put_i16(o, (int16_t)v->v.c); break;
	case OWP_SHORT: ow_put_i16(o, v->v.i16); break;
	case OWP_INT: ow_put_i32(o, v->v.i32); break;
	case OWP_LONG: ow_put_i64(o, v->v.i64); break;
	case OWP_FLOAT: {
		uint32_t u;
		memcpy(&u, &v->v.f, sizeof u);
		ow_put_i32(o, (int32_t)u);
		break;
	}
	case OWP_DOUBLE: {
		uint64_t u;
		memcpy(&u, &v->v.d, sizeof u);
		ow_put_i64(o, (int64_t)u);
		break;
	}
	case OWP_STRING: ow_put_utf(o, (const char *)v->v.bytes.data, v->v.bytes.len); break;
	case OWP_BIG_STRING:
	case OWP_BYTES:
		ow_put_i32(o, (int32_t)v->v.bytes.len);
		ow_put_fixed(o, v->v.bytes.data, v->v.bytes.len);
		break;
	case OWP_MAP:
	case OWP_LIST: write_map(o, v->v.map); break;
	default: break;
	}
}

static void write_map(struct ow_out *o, const struct ow_map *m)
{
	ow_put_i32(o, m ? (int32_t)m->n : -1);
	for (size_t i = 0; m && i < m->n; i++) {
		if (m->names)
			ow_put_utf(o, m->names[i].s, m->names[i].len);
		write_value(o, &m->values[i]);
	}
}

int ow_map_encode(const struct ow_map *m, struct buf *out)
{
	struct ow_out o;
	size_t mark = buf_len(out);
	ow_out_init(&o, out, false, false);
	write_map(&o, m);
	if (o.failed) {
		buf_truncate(out, mark);
		return -1;
	}
	return 0;
}

const struct ow_value *ow_map_get(const struct ow_map *m, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; m && m->names && i < m->n; i++)
		if (m->names[i].len == len && !memcmp(m->names[i].s, name, len))
			return &m->values[i];
	return NULL;
}

int ow_map_add(struct ow_map *m, const char *name, struct ow_value v)
{
	struct ow_str *names = realloc(m->names, (m->n + 1) * sizeof *names);
	if (names)
		m->names = names;
	struct ow_value *values = names ? realloc(m->values, (m->n + 1) * sizeof *values) : NULL;
	if (values)
		m->values = values;
	if (!values) {
		value_clear(&v);
		return -1;
	}
	m->names[m->n] = (struct ow_str){ 0 };
	if (ow_str_set(&m->names[m->n], name, strlen(name)) < 0) {
		value_clear(&v);
		return -1;
	}
	m->values[m->n++] = v;
	return 0;
}
