/*
 * openwire_nested.c - Map, List and byte[] properties kept whole
 * (openwire_nested.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_jms.h"
#include "openwire_nested.h"
#include "openwire_props.h"

/* As the client's map reader allows them: nested a few deep. */
static const struct ow_map_limits nested_limits = { INT32_MAX, INT32_MAX, 8 };

bool ow_nested_type(uint8_t ptype)
{
	return ptype == OWP_MAP || ptype == OWP_LIST || ptype == OWP_BYTES;
}

static int hex(struct buf *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *d = buf_space(out, 2 * n);
	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++) {
		d[2 * i] = digits[p[i] >> 4];
		d[2 * i + 1] = digits[p[i] & 15];
	}
	buf_commit(out, 2 * n);
	return 0;
}

static int unhex(const char *s, size_t n, struct buf *out)
{
	char *d = n % 2 ? NULL : buf_space(out, n / 2);
	if (!d)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char pair[3] = { s[2 * i], s[2 * i + 1], 0 }, *end;
		d[i] = (char)strtoul(pair, &end, 16);
		if (*end)
			return -1;
	}
	buf_commit(out, n / 2);
	return 0;
}

int ow_nested_text(const struct ow_value *v, struct buf *out)
{
	if (v->type == OWP_BYTES)
		return hex(out, v->v.bytes.data, v->v.bytes.len);
	if (v->type == OWP_STRING || v->type == OWP_BIG_STRING) {
		struct ow_str s = { (char *)v->v.bytes.data, v->v.bytes.len };
		return ow_str_to_utf8(&s, out);
	}
	if (v->type != OWP_MAP && v->type != OWP_LIST) {
		char num[48];
		const struct ow_bytes *text;
		return buf_puts(out, ow_props_value_text(v, num, sizeof num, &text) < 0 ? "null"
				     : num);
	}
	const struct ow_map *m = v->v.map;
	bool map = v->type == OWP_MAP;
	int rc = buf_puts(out, map ? "{" : "[");
	for (size_t i = 0; m && i < m->n && rc == 0; i++) {
		if (i)
			rc |= buf_puts(out, ", ");
		if (map && m->names)
			rc |= ow_str_to_utf8(&m->names[i], out) | buf_puts(out, "=");
		rc |= ow_nested_text(&m->values[i], out);
	}
	return rc | buf_puts(out, map ? "}" : "]");
}

/* A copy of v (the map's values are taken by ow_map_add). */
static int copy_value(const struct ow_value *v, struct ow_value *c)
{
	struct buf b = BUF_INIT;
	struct ow_str name = { (char *)"v", 1 };
	struct ow_map one = { 1, &name, (struct ow_value *)v }, *back;
	char err[OW_ERR_MAX];
	int rc = ow_map_encode(&one, &b) < 0 ||
		 ow_map_decode((const uint8_t *)buf_data(&b), buf_len(&b), &nested_limits, &back,
			       err) < 0 || !back || back->n != 1 ? -1 : 0;
	buf_free(&b);
	if (rc == 0) {
		*c = back->values[0];
		back->values[0].type = OWP_NULL;
		ow_map_free(back);
	}
	return rc;
}

int ow_nested_put(struct buf *jms, const char *name, const struct ow_value *v)
{
	struct ow_map *one = calloc(1, sizeof *one);
	struct ow_value c;
	struct buf wire = BUF_INIT, x = BUF_INIT;
	int rc = !one || copy_value(v, &c) < 0 || ow_map_add(one, name, c) < 0 ||
		 ow_map_encode(one, &wire) < 0 ||
		 hex(&x, (const uint8_t *)buf_data(&wire), buf_len(&wire)) < 0 ||
		 message_jms_put(jms, OW_NESTED_ENTRY, buf_data(&x), buf_len(&x)) < 0 ? -1 : 0;
	ow_map_free(one);
	buf_free(&wire);
	buf_free(&x);
	return rc;
}

/* Moves entry `one`'s only value into `all`. */
static void take_one(struct ow_map *all, struct ow_map *one)
{
	if (!one || one->n != 1 || !one->names)
		return;
	struct ow_value v = one->values[0];
	one->values[0].type = OWP_NULL;	/* ow_map_add takes it, whatever happens */
	ow_map_add(all, one->names[0].s, v);
}

struct ow_map *ow_nested_of(const struct message *m)
{
	const char *v = message_jms(m), *bytes;
	size_t pos = 0, len;
	char code, err[OW_ERR_MAX];
	struct ow_map *all = NULL;
	while (v && message_jms_next(v, &pos, &code, &bytes, &len) == 1) {
		if (code != OW_NESTED_ENTRY)
			continue;
		struct buf wire = BUF_INIT;
		struct ow_map *one = NULL;
		if (!all)
			all = calloc(1, sizeof *all);
		if (all && unhex(bytes, len, &wire) == 0 &&
		    ow_map_decode((const uint8_t *)buf_data(&wire), buf_len(&wire), &nested_limits,
				  &one, err) == 0)
			take_one(all, one);
		ow_map_free(one);
		buf_free(&wire);
	}
	return all;
}
