/*
 * openwire_cache.c - the marshal caches of a connection (see
 * openwire_codec.h, struct ow_format): the reader's, where the peer put
 * each structure it sent in full, by index; and the writer's, where each
 * structure written goes, found again by its content.
 *
 * Why the writer looks up: ActiveMQ's OpenWireFormat sends a structure it
 * sent before (equals()) as its index alone, and the Java client reading
 * a MessageDispatch then takes its ConsumerId, destination and ProducerId
 * from its cache instead of decoding three to five strings and making
 * the objects anew for every message. Measured on bench row J3's shape
 * (t/bench/RESULTS.md, 2026-12-07 20:40): the same consumer spent about
 * 50% more CPU per message against Tandem, which declined the cache, than
 * against ActiveMQ.
 *
 * The writer's slots are given in turn, as ActiveMQ's are, but a slot in
 * use is taken over (its old structure forgotten here; the reader
 * replaces it when the new one arrives) rather than ActiveMQ's "-1, not
 * cached" once full: a connection that lives long keeps caching. Java's
 * null is cached like any structure, as ActiveMQ does.
 *
 * A structure in the writer's cache is kept by reference and compared by
 * content, so it must not change once written: every structure here is
 * immutable once built (openwire_types.h).
 */
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"

/* A slot of the writer's cache: what was last written at that index, its
 * hash, and the next slot in its bucket's chain. */
struct ow_cache_slot {
	struct ow_obj *o;
	uint32_t hash;
	int16_t next;		/* -1: end of the chain */
	bool used;
};

void ow_format_release(struct ow_format *f)
{
	for (uint16_t i = 0; i < f->in_cap; i++)
		ow_obj_free(f->in_cache[i]);
	for (uint16_t i = 0; i < f->out_cap; i++)
		ow_obj_free(f->out_cache[i].o);
	free(f->in_cache);
	free(f->out_cache);
	free(f->out_heads);
	f->in_cache = NULL;
	f->out_cache = NULL;
	f->out_heads = NULL;
	f->cache_size = f->in_cap = f->out_cap = f->out_next = f->out_mask = 0;
}

/* The slots are allocated as they are first used, not all at once: a
 * connection names a handful of structures (its ids and destinations)
 * and the negotiated 1,024 slots of both caches would cost 26 KB a
 * connection, idle or not. */
int ow_format_cache(struct ow_format *f, uint16_t size)
{
	ow_format_release(f);
	if (size == 0 || size > 0x7FFF)
		return -1;
	f->cache_size = size;
	return 0;
}

/* Room for `need` slots, in powers of two up to the cache's size. */
static uint16_t grown(uint16_t cap, uint32_t need, uint16_t size)
{
	uint32_t n = cap ? cap : 16;
	while (n < need)
		n <<= 1;
	return (uint16_t)(n < size ? n : size);
}

/* The reader's slots up to `index`. 0 or -1 (out of memory). */
static int in_reserve(struct ow_format *f, uint16_t index)
{
	if (index < f->in_cap)
		return 0;
	uint16_t cap = grown(f->in_cap, (uint32_t)index + 1, f->cache_size);
	struct ow_obj **v = realloc(f->in_cache, cap * sizeof *v);
	if (!v)
		return -1;
	memset(v + f->in_cap, 0, (size_t)(cap - f->in_cap) * sizeof *v);
	f->in_cache = v;
	f->in_cap = cap;
	return 0;
}

struct ow_obj *ow_cache_get(const struct ow_format *f, uint16_t index)
{
	return index < f->in_cap ? f->in_cache[index] : NULL;
}

int ow_cache_put(struct ow_format *f, uint16_t index, struct ow_obj *o)
{
	if (in_reserve(f, index) < 0)
		return -1;
	ow_obj_free(f->in_cache[index]);
	f->in_cache[index] = ow_obj_ref(o);
	return 0;
}

/* ---- content: a hash and an equality over the rows ---- */

#define AT(base, f, type) ((const type *)(const void *)((const char *)(base) + (f)->off))

static struct ow_obj *field_obj(const void *base, const struct ow_field *f)
{
	struct ow_obj *p;
	memcpy(&p, (const char *)base + f->off, sizeof p);
	return p;
}

/* FNV-1a */
static uint32_t mix(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t hash_obj(uint32_t h, const struct ow_obj *o);

static uint32_t hash_field(uint32_t h, const void *o, const struct ow_field *f)
{
	switch (f->kind) {
	case OWF_BOOL: return mix(h, AT(o, f, bool), 1);
	case OWF_BYTE: return mix(h, AT(o, f, int8_t), 1);
	case OWF_INT: return mix(h, AT(o, f, int32_t), 4);
	case OWF_LONG: return mix(h, AT(o, f, int64_t), 8);
	case OWF_MAGIC: return mix(h, AT(o, f, uint8_t), 8);
	case OWF_STRING: {
		const struct ow_str *s = AT(o, f, struct ow_str);
		return s->s ? mix(mix(h, &s->len, 4), s->s, s->len) : mix(h, "", 1);
	}
	case OWF_BYTES: {
		const struct ow_bytes *b = AT(o, f, struct ow_bytes);
		return b->data ? mix(mix(h, &b->len, 4), b->data, b->len) : mix(h, "", 1);
	}
	case OWF_NESTED:
	case OWF_CACHED: return hash_obj(h, field_obj(o, f));
	case OWF_ARRAY: {
		const struct ow_array *a = AT(o, f, struct ow_array);
		h = mix(h, &a->n, sizeof a->n);
		for (uint16_t i = 0; a->v && i < a->n; i++)
			h = hash_obj(h, a->v[i]);
		return h;
	}
	case OWF_THROWABLE: return h;	/* compared by identity below */
	}
	return h;
}

static uint32_t hash_obj(uint32_t h, const struct ow_obj *o)
{
	if (!o)
		return mix(h, "\0", 2);
	const struct ow_type *t = ow_type_find(o->type);
	h = mix(h, &o->type, 1);
	for (const struct ow_field *f = t ? t->fields : NULL; f && f->name; f++)
		h = hash_field(h, o, f);
	return h;
}

static bool same_obj(const struct ow_obj *a, const struct ow_obj *b);

static bool same_field(const void *a, const void *b, const struct ow_field *f)
{
	switch (f->kind) {
	case OWF_BOOL: return *AT(a, f, bool) == *AT(b, f, bool);
	case OWF_BYTE: return *AT(a, f, int8_t) == *AT(b, f, int8_t);
	case OWF_INT: return *AT(a, f, int32_t) == *AT(b, f, int32_t);
	case OWF_LONG: return *AT(a, f, int64_t) == *AT(b, f, int64_t);
	case OWF_MAGIC: return !memcmp(AT(a, f, uint8_t), AT(b, f, uint8_t), 8);
	case OWF_STRING: {
		const struct ow_str *x = AT(a, f, struct ow_str), *y = AT(b, f, struct ow_str);
		return !x->s == !y->s && x->len == y->len && (!x->s || !memcmp(x->s, y->s, x->len));
	}
	case OWF_BYTES: {
		const struct ow_bytes *x = AT(a, f, struct ow_bytes), *y = AT(b, f, struct ow_bytes);
		return !x->data == !y->data && x->len == y->len &&
		       (!x->data || !memcmp(x->data, y->data, x->len));
	}
	case OWF_NESTED:
	case OWF_CACHED: return same_obj(field_obj(a, f), field_obj(b, f));
	case OWF_ARRAY: {
		const struct ow_array *x = AT(a, f, struct ow_array), *y = AT(b, f, struct ow_array);
		if (!x->v != !y->v || x->n != y->n)
			return false;
		for (uint16_t i = 0; x->v && i < x->n; i++)
			if (!same_obj(x->v[i], y->v[i]))
				return false;
		return true;
	}
	case OWF_THROWABLE:
		return *AT(a, f, struct ow_throwable *) == *AT(b, f, struct ow_throwable *);
	}
	return false;
}

static bool same_obj(const struct ow_obj *a, const struct ow_obj *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->type != b->type)
		return false;
	const struct ow_type *t = ow_type_find(a->type);
	for (const struct ow_field *f = t ? t->fields : NULL; f && f->name; f++)
		if (!same_field(a, b, f))
			return false;
	return true;
}

/* ---- the writer's slots ---- */

static void unlink_slot(struct ow_format *f, int16_t i)
{
	int16_t *p = &f->out_heads[f->out_cache[i].hash & f->out_mask];
	while (*p != -1 && *p != i)
		p = &f->out_cache[*p].next;
	if (*p == i)
		*p = f->out_cache[i].next;
	ow_obj_free(f->out_cache[i].o);
	f->out_cache[i] = (struct ow_cache_slot){ .next = -1 };
}

/* The writer's slots up to `index`, with as many hash buckets (a power
 * of two) as slots, every used slot chained again. 0 or -1. */
static int out_reserve(struct ow_format *f, uint16_t index)
{
	if (index < f->out_cap)
		return 0;
	uint16_t cap = grown(f->out_cap, (uint32_t)index + 1, f->cache_size), buckets = 1;
	while (buckets < cap)
		buckets = (uint16_t)(buckets << 1);
	struct ow_cache_slot *v = realloc(f->out_cache, cap * sizeof *v);
	if (!v)
		return -1;
	f->out_cache = v;
	int16_t *heads = realloc(f->out_heads, buckets * sizeof *heads);
	if (!heads)
		return -1;	/* out_cache is kept, larger than out_cap says */
	for (uint16_t i = f->out_cap; i < cap; i++)
		v[i] = (struct ow_cache_slot){ .next = -1 };
	memset(heads, 0xFF, buckets * sizeof *heads);	/* all -1 */
	f->out_heads = heads;
	f->out_mask = (uint16_t)(buckets - 1);
	f->out_cap = cap;
	for (uint16_t i = 0; i < cap; i++)
		if (v[i].used) {
			v[i].next = heads[v[i].hash & f->out_mask];
			heads[v[i].hash & f->out_mask] = (int16_t)i;
		}
	return 0;
}

int16_t ow_cache_index(struct ow_format *f, struct ow_obj *o, bool *fresh)
{
	uint32_t h = hash_obj(2166136261u, o);
	for (int16_t i = f->out_cap ? f->out_heads[h & f->out_mask] : -1; i != -1;
	     i = f->out_cache[i].next)
		if (f->out_cache[i].hash == h && same_obj(f->out_cache[i].o, o)) {
			*fresh = false;
			return i;
		}
	*fresh = true;
	if (out_reserve(f, f->out_next) < 0)
		return -1;	/* "not cached", as ActiveMQ's full cache says */
	int16_t i = (int16_t)f->out_next;
	f->out_next = (uint16_t)((f->out_next + 1) % f->cache_size);
	if (f->out_cache[i].used)
		unlink_slot(f, i);
	int16_t *head = &f->out_heads[h & f->out_mask];
	f->out_cache[i] = (struct ow_cache_slot){ ow_obj_ref(o), h, *head, true };
	*head = i;
	f->out_added++;
	return i;
}

void ow_cache_forget(struct ow_format *f, uint16_t from, uint32_t n)
{
	for (uint32_t k = 0; k < n && k < f->cache_size; k++) {
		int16_t i = (int16_t)((from + k) % f->cache_size);
		if (i < f->out_cap && f->out_cache[i].used)
			unlink_slot(f, i);
	}
}
