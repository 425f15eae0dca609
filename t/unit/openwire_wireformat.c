/* WireFormatInfo (broker/openwire/openwire_wireformat.c, openwire_map.c):
 * the options are read and written as ActiveMQ marshals them; the
 * negotiation takes the lower version and what both want; the broker
 * declines the marshal cache; bad magic, versions and option maps are
 * refused with a reason. */
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"
#include "openwire_map.h"
#include "openwire_wireformat.h"
#include "tap.h"

static struct ow_wireformat_info *info_with(const char magic[8], int32_t version,
					     const struct ow_map *m)
{
	struct ow_wireformat_info *w = (void *)ow_obj_new(OW_WIREFORMAT_INFO);
	struct buf b = BUF_INIT;
	memcpy(w->magic, magic, 8);
	w->version = version;
	if (m) {
		ow_map_encode(m, &b);
		size_t len;
		w->marshalled_properties.data = (uint8_t *)buf_steal(&b, &len);
		w->marshalled_properties.len = (uint32_t)len;
	}
	return w;
}

static struct ow_value boolean(bool b)
{
	return (struct ow_value){ .type = OWP_BOOL, .v.b = b };
}

static struct ow_value i64(int64_t l)
{
	return (struct ow_value){ .type = OWP_LONG, .v.i64 = l };
}

/* What a Java client with default settings offers. */
static struct ow_map *client_defaults(bool tight)
{
	struct ow_map *m = calloc(1, sizeof *m);
	ow_map_add(m, "TightEncodingEnabled", boolean(tight));
	ow_map_add(m, "CacheEnabled", boolean(true));
	ow_map_add(m, "CacheSize", (struct ow_value){ .type = OWP_INT, .v.i32 = 1024 });
	ow_map_add(m, "StackTraceEnabled", boolean(true));
	ow_map_add(m, "TcpNoDelayEnabled", boolean(true));
	ow_map_add(m, "SizePrefixDisabled", boolean(false));
	ow_map_add(m, "MaxInactivityDuration", i64(30000));
	ow_map_add(m, "MaxInactivityDurationInitalDelay", i64(10000));
	ow_map_add(m, "MaxFrameSize", i64(INT64_MAX));
	return m;
}

static void negotiation(void)
{
	struct ow_map *m = client_defaults(true);
	struct ow_wireformat_info *w = info_with("ActiveMQ", 12, m);
	struct ow_wire_options theirs, ours, agreed;
	char err[OW_ERR_MAX] = "";
	ok(ow_wireformat_read(w, &theirs, err) == 0 && theirs.tight && theirs.cache &&
	   theirs.cache_size == 1024 && theirs.max_inactivity == 30000 &&
	   theirs.max_frame_size == INT64_MAX, "a Java client's options are read");
	ow_wireformat_broker(&ours, 104857600, 60000);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	ok(agreed.version == 12 && agreed.tight && agreed.cache && agreed.cache_size == 1024 &&
	   !agreed.stack_trace && !agreed.size_prefix_disabled && agreed.tcp_no_delay,
	   "agreed: version 12, tight, the marshal cache of 1024, no stack traces, size prefix");
	is(agreed.max_frame_size, 104857600, "agreed: the broker's maxFrameSize, the smaller");
	is(agreed.max_inactivity, 30000, "agreed: the smaller maxInactivityDuration");
	struct ow_format f;
	ow_format_init(&f);
	ok(ow_wireformat_apply(&f, &agreed) == 0 && f.tight && f.cache_size == 1024 &&
	   f.cache_size == 1024 && f.version == 12, "the connection's format follows");
	ow_format_release(&f);
	ow_wire_options_release(&theirs);
	ow_obj_free(&w->h);
	ow_map_free(m);

	m = client_defaults(false);
	w = info_with("ActiveMQ", 6, m);
	ow_wireformat_read(w, &theirs, err);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	ok(agreed.version == 6 && !agreed.tight, "an older loose client: version 6, loose");
	ow_wire_options_release(&theirs);
	ow_obj_free(&w->h);
	w = info_with("ActiveMQ", 13, m);
	ow_wireformat_read(w, &theirs, err);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	is(agreed.version, 12, "a newer client: version 12");
	ow_wire_options_release(&theirs);
	ow_obj_free(&w->h);
	ow_map_free(m);

	/* Both want the cache: it is used, with the smaller size (none said
	 * by the broker here: the peer's). */
	ours.cache_size = 0;
	m = client_defaults(true);
	w = info_with("ActiveMQ", 12, m);
	ow_wireformat_read(w, &theirs, err);
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	ok(agreed.cache && ow_wireformat_apply(&f, &agreed) == 0 && f.cache_size == 1024,
	   "a cache both sides want is used with the peer's size");
	ow_format_release(&f);
	ow_wire_options_release(&theirs);
	ow_obj_free(&w->h);
	ow_map_free(m);
}

/* What the broker writes reads back as what it offered, in a frame a Java
 * peer reads: loose, size-prefixed, magic and version first. */
static void broker_answer(void)
{
	struct ow_wire_options ours, back;
	ow_wireformat_broker(&ours, 104857600, 30000);
	struct ow_wireformat_info *w = ow_wireformat_make(&ours);
	struct ow_format f;
	ow_format_init(&f);
	struct buf b = BUF_INIT;
	ok(w && ow_encode(&f, &w->h, &b) == 0 && buf_len(&b) > 17 &&
	   !memcmp(buf_data(&b) + 4, "\x01" "ActiveMQ" "\x00\x00\x00\x0c" "\x01", 14),
	   "the broker's WireFormatInfo: type 1, the magic, version 12, properties");
	struct ow_obj *o = NULL;
	char err[OW_ERR_MAX] = "";
	ok(ow_decode(&f, (uint8_t *)buf_data(&b) + 4, buf_len(&b) - 4, &o, err) == 0 &&
	   ow_wireformat_read((struct ow_wireformat_info *)o, &back, err) == 0 && back.tight &&
	   back.cache && back.cache_size == 1024 && !back.stack_trace &&
	   back.max_frame_size == 104857600 &&
	   back.max_inactivity == 30000 && back.max_inactivity_initial_delay == 10000 &&
	   back.provider_name.s && !strcmp(back.provider_name.s, "Tandem"),
	   "it reads back as what the broker offered");
	ow_wire_options_release(&back);
	ow_obj_free(o);
	ow_obj_free(w ? &w->h : NULL);
	buf_free(&b);
}

static void refusals(void)
{
	struct ow_wire_options o;
	char err[OW_ERR_MAX] = "";
	struct ow_wireformat_info *w = info_with("ActiveMX", 12, NULL);
	ok(ow_wireformat_read(w, &o, err) < 0 && strstr(err, "magic"), "refused: another magic");
	ow_obj_free(&w->h);
	w = info_with("ActiveMQ", 0, NULL);
	ok(ow_wireformat_read(w, &o, err) < 0 && strstr(err, "version 0; versions are 1 to 12"),
	   "refused: version 0");
	ow_obj_free(&w->h);

	struct ow_map *m = calloc(1, sizeof *m);
	ow_map_add(m, "MaxInactivityDuration", (struct ow_value){ .type = OWP_INT, .v.i32 = 5 });
	w = info_with("ActiveMQ", 12, m);
	ok(ow_wireformat_read(w, &o, err) < 0 && strstr(err, "MaxInactivityDuration has primitive type 5"),
	   "refused: a number of the wrong type");
	ow_obj_free(&w->h);
	ow_map_free(m);

	m = calloc(1, sizeof *m);
	ow_map_add(m, "TightEncodingEnabled", (struct ow_value){ .type = OWP_INT, .v.i32 = 1 });
	w = info_with("ActiveMQ", 12, m);
	ok(ow_wireformat_read(w, &o, err) == 0 && !o.tight,
	   "a boolean option of another type is false, as in ActiveMQ");
	ow_obj_free(&w->h);
	ow_map_free(m);

	m = calloc(1, sizeof *m);
	for (int i = 0; i < 65; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		ow_map_add(m, k, boolean(true));
	}
	w = info_with("ActiveMQ", 12, m);
	ok(ow_wireformat_read(w, &o, err) < 0 && strstr(err, "65 entries, more than the 64 allowed"),
	   "refused: more than 64 options");
	ow_obj_free(&w->h);
	ow_map_free(m);

	m = calloc(1, sizeof *m);
	ow_map_add(m, "Nested", (struct ow_value){ .type = OWP_MAP, .v.map = calloc(1, sizeof *m) });
	w = info_with("ActiveMQ", 12, m);
	ok(ow_wireformat_read(w, &o, err) < 0 && strstr(err, "nested deeper than 0"),
	   "refused: a map inside the options");
	ow_obj_free(&w->h);
	ow_map_free(m);

	static const uint8_t huge_count[] = { 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 'k', 0x0a, 0x7f, 0xff, 0xff, 0xff };
	struct ow_map *out;
	ok(ow_map_decode(huge_count, sizeof huge_count, &ow_map_wireformat_limits, &out, err) < 0 &&
	   strstr(err, "16 entries in 8 bytes"), "refused: a count larger than the bytes left");
	ok(ow_map_decode(huge_count + 0, 4, &ow_map_wireformat_limits, &out, err) < 0,
	   "refused: a map cut short");
	static const uint8_t big_value[] = { 0, 0, 0, 1, 0, 1, 'k', 0x0a, 0x00, 0x00, 0x02, 0x01 };
	ok(ow_map_decode(big_value, sizeof big_value, &ow_map_wireformat_limits, &out, err) < 0 &&
	   strstr(err, "value of 513 bytes"), "refused: a byte array longer than the bytes left");
	static const uint8_t bad_type[] = { 0, 0, 0, 1, 0, 1, 'k', 0x2a };
	ok(ow_map_decode(bad_type, sizeof bad_type, &ow_map_wireformat_limits, &out, err) < 0 &&
	   strstr(err, "unknown primitive type 42"), "refused: an unknown primitive type");
}

/* Every primitive type reads back as written. */
static void primitives(void)
{
	struct ow_map *m = calloc(1, sizeof *m), *back = NULL;
	struct ow_map *list = calloc(1, sizeof *list);
	list->values = calloc(2, sizeof *list->values);
	list->n = 2;
	list->values[0] = (struct ow_value){ .type = OWP_SHORT, .v.i16 = -3 };
	list->values[1] = (struct ow_value){ .type = OWP_NULL };
	ow_map_add(m, "b", boolean(true));
	ow_map_add(m, "y", (struct ow_value){ .type = OWP_BYTE, .v.i8 = -7 });
	ow_map_add(m, "c", (struct ow_value){ .type = OWP_CHAR, .v.c = 0x20ac });
	ow_map_add(m, "i", (struct ow_value){ .type = OWP_INT, .v.i32 = -100000 });
	ow_map_add(m, "l", i64(-5000000000LL));
	ow_map_add(m, "f", (struct ow_value){ .type = OWP_FLOAT, .v.f = 1.5f });
	ow_map_add(m, "d", (struct ow_value){ .type = OWP_DOUBLE, .v.d = -2.25 });
	struct ow_value s = { .type = OWP_STRING };
	s.v.bytes.data = (uint8_t *)strdup("caf\xc3\xa9");
	s.v.bytes.len = 5;
	ow_map_add(m, "s", s);
	ow_map_add(m, "list", (struct ow_value){ .type = OWP_LIST, .v.map = list });
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	char err[OW_ERR_MAX] = "";
	const struct ow_map_limits lim = { 100, 1000, 2 };
	ok(ow_map_encode(m, &b) == 0 &&
	   ow_map_decode((uint8_t *)buf_data(&b), buf_len(&b), &lim, &back, err) == 0 && back &&
	   back->n == 9 && ow_map_get(back, "c")->v.c == 0x20ac &&
	   ow_map_get(back, "l")->v.i64 == -5000000000LL && ow_map_get(back, "f")->v.f == 1.5f &&
	   ow_map_get(back, "d")->v.d == -2.25 &&
	   !strcmp((char *)ow_map_get(back, "s")->v.bytes.data, "caf\xc3\xa9") &&
	   ow_map_get(back, "list")->v.map->n == 2 &&
	   ow_map_get(back, "list")->v.map->values[0].v.i16 == -3,
	   "every primitive type reads back as written");
	ok(back && ow_map_encode(back, &b2) == 0 && buf_len(&b) == buf_len(&b2) &&
	   !memcmp(buf_data(&b), buf_data(&b2), buf_len(&b)), "and writes the same bytes again");
	buf_free(&b);
	buf_free(&b2);
	ow_map_free(m);
	ow_map_free(back);
}

int main(void)
{
	negotiation();
	broker_answer();
	refusals();
	primitives();
	return done_testing();
}
