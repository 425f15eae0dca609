/*
 * openwire_frame.c - fuzz harness: OpenWire frames and commands
 * (broker/openwire/), as a broker reads them from a client.
 *
 * Input: a byte for the chunking (0: all at once), a byte for the format
 * before negotiation (bit 0 tight, bit 1 stack traces, bit 2 the marshal
 * cache, bits 4-7 the version, 0 for 12), then the bytes of a connection.
 * Frames are cut out with the frame reader and decoded; a WireFormatInfo
 * is read and negotiated against the broker's offer and switches the
 * format, as a connection would. A message's properties are read as a
 * map; the raw bytes go through the string conversions. What decodes must keep openwire_codec.h's promises, and (without
 * the cache, whose indexes depend on the writer's history) encode to
 * bytes that decode and encode to the same bytes again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"
#include "openwire_frame.h"
#include "openwire_map.h"
#include "openwire_wireformat.h"

#define MAX_FRAME (64u << 10)

static void broken(const char *what)
{
	fprintf(stderr, "openwire_frame harness: %s\n", what);
	abort();
}

static void encode_twice(const struct ow_format *f, const struct ow_obj *o)
{
	struct ow_format w = *f;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct ow_obj *back = NULL;
	char err[OW_ERR_MAX];
	w.cache_size = w.in_cap = w.out_cap = 0;	/* without the caches */
	w.in_cache = NULL;
	w.out_cache = NULL;
	w.out_heads = NULL;
	if (ow_encode(&w, o, &a) < 0) {
		buf_free(&a);
		return;	/* a string too long for the tight form, say */
	}
	if (ow_decode(&w, (uint8_t *)buf_data(&a) + 4, buf_len(&a) - 4, &back, err) < 0) {
		fprintf(stderr, "%s\n", err);
		broken("what the encoder wrote does not decode");
	}
	if (ow_encode(&w, back, &b) < 0 || buf_len(&a) != buf_len(&b) ||
	    memcmp(buf_data(&a), buf_data(&b), buf_len(&a)))
		broken("a command read back encodes differently");
	ow_obj_free(back);
	buf_free(&a);
	buf_free(&b);
}

static void properties(const struct ow_obj *o)
{
	if (o->type < OW_MESSAGE || o->type > OW_TEXT_MESSAGE)
		return;
	const struct ow_message *m = (const void *)o;
	const struct ow_map_limits lim = { 1 << 16, 1 << 20, 8 };
	struct ow_map *map = NULL;
	char err[OW_ERR_MAX];
	if (m->marshalled_properties.data &&
	    ow_map_decode(m->marshalled_properties.data, m->marshalled_properties.len, &lim, &map,
			  err) == 0) {
		struct buf b = BUF_INIT;
		if (ow_map_encode(map, &b) < 0)
			broken("a map read cannot be written");
		buf_free(&b);
	}
	ow_map_free(map);
	if (m->content.data && m->content.data[m->content.len] != 0)
		broken("a body without its NUL");
}

static void negotiate(struct ow_format *f, const struct ow_obj *o)
{
	struct ow_wire_options theirs, ours, agreed;
	char err[OW_ERR_MAX];
	if (ow_wireformat_read((const struct ow_wireformat_info *)o, &theirs, err) < 0)
		return;
	ow_wireformat_broker(&ours, MAX_FRAME, 30000);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	if (agreed.version < OW_VERSION_MIN || agreed.version > OW_VERSION_MAX ||
	    (agreed.cache && (agreed.cache_size < 1 || agreed.cache_size > OW_CACHE_SIZE_BROKER)))
		broken("a negotiation outside what the broker offered");
	ow_wireformat_apply(f, &agreed);
	ow_wire_options_release(&theirs);
}

static void one_frame(struct ow_format *f, const uint8_t *frame, size_t len)
{
	struct ow_obj *o = NULL;
	char err[OW_ERR_MAX] = "";
	if (ow_decode(f, frame, len, &o, err) < 0) {
		if (!err[0] || o)
			broken("a refusal without a reason, or with a command");
		return;
	}
	if (!o || !ow_type_find(o->type))
		broken("a command without a row");
	properties(o);
	if (!f->cache_size)
		encode_twice(f, o);
	if (o->type == OW_WIREFORMAT_INFO)
		negotiate(f, o);
	ow_obj_free(o);
}

/* The raw bytes as strings both ways: from UTF-8 and back must give the
 * same bytes; any bytes convert to UTF-8 without reading past their end. */
static void strings(const uint8_t *data, size_t size)
{
	struct ow_str s = { (char *)data, (uint32_t)size }, m = { 0 };
	struct buf u = BUF_INIT, u2 = BUF_INIT;
	ow_str_to_utf8(&s, &u);
	if (ow_str_from_utf8(&m, (const char *)data, size) == 0) {
		if (ow_str_to_utf8(&m, &u2) < 0 || buf_len(&u2) != size ||
		    memcmp(buf_data(&u2), data, size))
			broken("UTF-8 through modified UTF-8 comes back different");
	}
	ow_str_clear(&m);
	buf_free(&u);
	buf_free(&u2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	strings(data, size);
	size_t chunk = data[0] ? data[0] : size;
	struct ow_format f;
	ow_format_init(&f);
	f.tight = data[1] & 1;
	f.stack_trace = data[1] & 2;
	if (data[1] & 4)
		ow_format_cache(&f, 64);
	f.version = data[1] >> 4 ? data[1] >> 4 > OW_VERSION_MAX ? OW_VERSION_MAX : data[1] >> 4
				 : OW_VERSION_MAX;
	struct ow_frame_reader *r = ow_frame_reader_new(MAX_FRAME);
	const uint8_t *in = data + 2;
	size_t len = size - 2, off = 0;
	while (r && off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		const uint8_t *frame;
		size_t flen;
		char err[OW_ERR_MAX] = "";
		ssize_t used = ow_frame_feed(r, in + off, n, &frame, &flen, err);
		if (used < 0) {
			if (!err[0])
				broken("a bad frame without a reason");
			break;
		}
		if ((size_t)used > n || (!used && !frame))
			broken("the reader neither used bytes nor gave a frame");
		off += (size_t)used;
		if (frame)
			one_frame(&f, frame, flen);
	}
	ow_frame_reader_free(r);
	ow_format_release(&f);
	return 0;
}
