/*
 * openwire_codec.h - OpenWire commands read from and written to frames,
 * in the loose or the tight encoding, by walking the rows of
 * openwire_types.c.
 *
 * A connection's `struct ow_format` holds what was negotiated
 * (openwire_wireformat.h): the version, which selects the fields each row
 * has; the encoding; whether throwables carry stack traces; and the
 * marshal caches when the cache was negotiated (openwire_cache.c: the
 * reader's by index, the writer's looked up by content as ActiveMQ's
 * OpenWireFormat does, so a structure sent before goes as its index).
 *
 * What a decoded command promises, whatever the input: its type has a row;
 * every nested field is NULL or of a type its row accepts; strings are
 * NUL-terminated modified UTF-8 (openwire_wire.h); byte sequences are
 * followed by one NUL byte. Anything else is refused with a reason: an
 * unknown or unsupported type code, a type where it does not belong, a
 * length past the frame's end, bytes left over, nesting deeper than
 * OW_MAX_DEPTH.
 */
#ifndef TANDEM_OPENWIRE_CODEC_H
#define TANDEM_OPENWIRE_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "openwire_types.h"

/* ActiveMQ's cache size when the peer names none. */
#define OW_CACHE_SIZE_DEFAULT 16383

struct ow_format {
	int version;		/* OW_VERSION_MIN..OW_VERSION_MAX */
	bool tight;
	bool stack_trace;
	/* The marshal caches: cache_size 0 unless negotiated
	 * (ow_format_cache); their slots allocated as they are first used,
	 * in_cap and out_cap of them so far. */
	uint16_t cache_size;
	struct ow_obj **in_cache;
	uint16_t in_cap;
	struct ow_cache_slot *out_cache;
	int16_t *out_heads;	/* the writer's hash buckets: first slot or -1 */
	uint16_t out_cap, out_next, out_mask;
	uint32_t out_added;	/* slots the writer filled, ever */
};

/* What both sides use before negotiation: the newest version, loose, no
 * cache, no stack traces (a WireFormatInfo reads the same in every
 * version). */
void ow_format_init(struct ow_format *f);
/* Turns the marshal caches on with `size` entries (1..32767). 0 or -1. */
int ow_format_cache(struct ow_format *f, uint16_t size);
void ow_format_release(struct ow_format *f);
/* The reader's cache (enabled): what the peer put at `index` (NULL when
 * nothing), and putting o there (a reference taken). Put: 0 or -1 (out
 * of memory). */
struct ow_obj *ow_cache_get(const struct ow_format *f, uint16_t index);
int ow_cache_put(struct ow_format *f, uint16_t index, struct ow_obj *o);
/* The writer's cache (enabled): the index of a structure with o's content
 * written before (*fresh false), or the slot o now takes (*fresh true: o
 * is to be written in full after it; -1 when no slot could be had, which
 * the peer reads as "not cached"). o may be NULL (Java's null). */
int16_t ow_cache_index(struct ow_format *f, struct ow_obj *o, bool *fresh);
/* Forgets the n slots filled from slot `from` on: a frame that was not
 * sent after all, so the peer never had them. */
void ow_cache_forget(struct ow_format *f, uint16_t from, uint32_t n);

/* A new data structure of a type that has a row, all fields zero or
 * null, one reference. NULL for another type or when memory runs out. */
struct ow_obj *ow_obj_new(uint8_t type);
struct ow_obj *ow_obj_ref(struct ow_obj *o);
/* Drops a reference; the last one frees the structure and what it holds. */
void ow_obj_free(struct ow_obj *o);

/* Reads one command from a frame: its type byte and body, the size prefix
 * already taken off (openwire_frame.h). 0 with *out (the caller frees it),
 * or -1 with a reason in err. The caches change as the peer's did. */
int ow_decode(struct ow_format *f, const uint8_t *frame, size_t len, struct ow_obj **out,
	      char err[OW_ERR_MAX]);
/* The same for a data structure of one of the classes in accept
 * (enum ow_class): a KahaDB store's SubscriptionInfo is OWC_STORED. */
int ow_decode_class(struct ow_format *f, const uint8_t *frame, size_t len, uint16_t accept,
		    struct ow_obj **out, char err[OW_ERR_MAX]);

/* Appends one command as a size-prefixed frame. 0, or -1 when memory runs
 * out or a value cannot be encoded (out is then left as it was). */
int ow_encode(struct ow_format *f, const struct ow_obj *cmd, struct buf *out);

#endif
