/*
 * openwire_map.h - ActiveMQ's marshalled primitive maps: the options of a
 * WireFormatInfo and the properties of a message
 * (MarshallingSupport.marshalPrimitiveMap).
 *
 * A map is a 32-bit count (negative: null), then per entry a writeUTF
 * name, a type byte and the value; lists are the same without names. Both
 * encodings of OpenWire carry a map as an opaque byte sequence, so it is
 * read and written the same way in loose and tight.
 *
 * Reading is bounded like ActiveMQ's: at most `max_entries` entries in a
 * map, no string or byte array longer than `max_buffer`, nesting at most
 * `max_depth` maps or lists deep, and no count or length larger than the
 * bytes left. Strings keep their bytes: modified UTF-8 for STRING (as
 * Java's writeUTF wrote them), the writer's UTF-8 for BIG_STRING.
 */
#ifndef TANDEM_OPENWIRE_MAP_H
#define TANDEM_OPENWIRE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "openwire_wire.h"

/* MarshallingSupport's type bytes. */
enum ow_ptype {
	OWP_NULL = 0, OWP_BOOL = 1, OWP_BYTE = 2, OWP_CHAR = 3, OWP_SHORT = 4,
	OWP_INT = 5, OWP_LONG = 6, OWP_DOUBLE = 7, OWP_FLOAT = 8, OWP_STRING = 9,
	OWP_BYTES = 10, OWP_MAP = 11, OWP_LIST = 12, OWP_BIG_STRING = 13,
};

struct ow_map;

struct ow_value {
	uint8_t type;		/* enum ow_ptype */
	union {
		bool b;
		int8_t i8;
		uint16_t c;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		float f;
		double d;
		struct ow_bytes bytes;	/* STRING, BIG_STRING (NUL-terminated), BYTES */
		struct ow_map *map;	/* MAP, LIST (names NULL) */
	} v;
};

struct ow_map {
	size_t n;
	struct ow_str *names;	/* NULL for a list */
	struct ow_value *values;
};

struct ow_map_limits {
	int32_t max_entries;
	int32_t max_buffer;
	int max_depth;		/* 0: no map or list inside */
};

/* What ActiveMQ allows in a WireFormatInfo: 64 entries, 512-byte buffers,
 * nothing nested. */
extern const struct ow_map_limits ow_map_wireformat_limits;

/* Reads a map from p[0, len) (all of it). 0 with *out (NULL for a null
 * map), or -1 with a reason in err. */
int ow_map_decode(const uint8_t *p, size_t len, const struct ow_map_limits *lim,
		  struct ow_map **out, char err[OW_ERR_MAX]);
/* Appends the map (NULL: a null map). 0, or -1 (out left as it was). */
int ow_map_encode(const struct ow_map *m, struct buf *out);
void ow_map_free(struct ow_map *m);

/* The value named `name`, or NULL. */
const struct ow_value *ow_map_get(const struct ow_map *m, const char *name);
/* Appends an entry to a map being built; the value's bytes or map are
 * taken. 0, or -1 when memory runs out (the value is freed). */
int ow_map_add(struct ow_map *m, const char *name, struct ow_value v);

#endif
