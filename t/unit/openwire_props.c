/* JMS properties as core headers and back (broker/openwire/openwire_props.c)
 * and the reserved header that keeps their types (broker/core/message_jms.c):
 * Java's string forms of floating point values, exactly as Java 17 prints
 * them; a marshalled property map through headers and back, byte for
 * byte; entries of the reserved header, and malformed ones. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "message_jms.h"
#include "openwire_map.h"
#include "openwire_props.h"
#include "tap.h"

/* What Java 17's Double.toString and Float.toString print (by bits). */
static const struct {
	uint64_t bits;
	bool is_float;
	const char *java;
} doubles[] = {
	{ 4591870180066957722u, false, "0.1" },
	{ 4532020583610935537u, false, "1.0E-5" },
	{ 4712889646492470477u, false, "1.23456789E7" },
	{ 4711630319722168320u, false, "1.0E7" },
	{ 4711630319185297408u, false, "9999999.0" },
	{ 4562254508917369340u, false, "0.001" },
	{ 4547007122018943789u, false, "1.0E-4" },
	{ 4636737291354636288u, false, "100.0" },
	{ 4921056587992461136u, false, "1.0E21" },
	{ (uint64_t)-4610560118520545280, false, "-2.5" },
	{ 9218868437227405311u, false, "1.7976931348623157E308" },
	{ 4599676419421066581u, false, "0.3333333333333333" },
	{ 4862596447618666293u, false, "1.2345678901234568E17" },
	{ 0, false, "0.0" },
	{ 0x8000000000000000u, false, "-0.0" },
	{ 9221120237041090560u, false, "NaN" },
	{ 9218868437227405312u, false, "Infinity" },
	{ (uint64_t)-4503599627370496, false, "-Infinity" },
	{ 4566758108544739836u, false, "0.002" },
	{ 4698053236609777664u, false, "1234567.0" },
	{ 1036831949, true, "0.1" },
	{ 1050253722, true, "0.3" },
	{ 2139095039, true, "3.4028235E38" },
	{ 1259902592, true, "1.0E7" },
	{ 1266679808, true, "1.6777216E7" },
	{ 1058642330, true, "0.6" },
	{ 1069547520, true, "1.5" },
	{ 953267991, true, "1.0E-4" },
};

static void check_java_forms(void)
{
	for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
		double d;
		if (doubles[i].is_float) {
			uint32_t b = (uint32_t)doubles[i].bits;
			float f;
			memcpy(&f, &b, sizeof f);
			d = f;
		} else {
			memcpy(&d, &doubles[i].bits, sizeof d);
		}
		char out[32], name[80];
		ow_java_double(d, doubles[i].is_float, out, sizeof out);
		snprintf(name, sizeof name, "%s %s as Java prints it", doubles[i].is_float ? "float"
			 : "double", doubles[i].java);
		is_str(out, doubles[i].java, name);
	}
}

/* A map of every kept type, marshalled as the Java client does. */
static struct ow_map *every_type(void)
{
	struct ow_map *m = calloc(1, sizeof *m);
	struct ow_value v;
	v = (struct ow_value){ .type = OWP_BOOL, .v.b = true };
	ow_map_add(m, "z", v);
	v = (struct ow_value){ .type = OWP_BYTE, .v.i8 = -128 };
	ow_map_add(m, "b", v);
	v = (struct ow_value){ .type = OWP_CHAR, .v.c = 0xe9 };
	ow_map_add(m, "c", v);
	v = (struct ow_value){ .type = OWP_SHORT, .v.i16 = -300 };
	ow_map_add(m, "s", v);
	v = (struct ow_value){ .type = OWP_INT, .v.i32 = 2147483647 };
	ow_map_add(m, "i", v);
	v = (struct ow_value){ .type = OWP_LONG, .v.i64 = INT64_MIN };
	ow_map_add(m, "l", v);
	v = (struct ow_value){ .type = OWP_FLOAT, .v.f = 0.1f };
	ow_map_add(m, "f", v);
	v = (struct ow_value){ .type = OWP_DOUBLE, .v.d = 1e-5 };
	ow_map_add(m, "d", v);
	v = (struct ow_value){ .type = OWP_STRING, .v.bytes = { (uint8_t *)strdup("5"), 1 } };
	ow_map_add(m, "str", v);
	return m;
}

static void check_round_trip(void)
{
	struct ow_map *m = every_type();
	struct buf wire = BUF_INIT, jms = BUF_INIT;
	ok(ow_map_encode(m, &wire) == 0, "a map of every kept type marshals");
	struct ow_bytes in = { (uint8_t *)buf_data(&wire), (uint32_t)buf_len(&wire) };
	struct ow_headers h = { 0 };
	bool oom = false;
	char err[200] = "";
	buf_append(&jms, "T", 1);
	ok(ow_props_to_headers(&in, &h, &jms, &oom, err, sizeof err) == 0, "it reads as headers");
	static const char *const want[][2] = {
		{ "z", "true" }, { "b", "-128" }, { "c", "\xc3\xa9" }, { "s", "-300" },
		{ "i", "2147483647" }, { "l", "-9223372036854775808" }, { "f", "0.1" },
		{ "d", "1.0E-5" }, { "str", "5" },
	};
	bool same = h.n == 9;
	for (size_t i = 0; same && i < 9; i++)
		same = !strcmp(h.v[i].name, want[i][0]) && !strcmp(h.v[i].value, want[i][1]);
	ok(same, "... each in Java's string form, in order");
	buf_append(&jms, "", 0);
	is_str(buf_data(&jms), "Tz1:zb1:bc1:cs1:si1:il1:lf1:fd1:d",
	       "... each typed one an entry of the reserved header, the String none");
	ow_headers_add(&h, MESSAGE_JMS_HEADER, buf_data(&jms));
	struct message *msg = message_new_take(strdup("ID:x:1:1:1"), DEST_QUEUE, strdup("q"),
					       h.v, h.n, strdup(""), 0);
	is(message_jms_type_of(msg, "i"), 'i', "the type of an int property");
	is(message_jms_type_of(msg, "str"), 0, "a String property has no entry");
	ok(message_jms_typed(msg), "a JMS producer's message is typed");
	struct ow_bytes back = { 0 };
	ok(ow_props_from_message(msg, &back) == 0 && back.len == in.len &&
	   !memcmp(back.data, in.data, in.len), "the headers marshal back to the same bytes");
	ow_bytes_clear(&back);
	message_unref(msg);
	ow_map_free(m);
	buf_free(&wire);
	buf_free(&jms);
}

static const struct {
	const char *value;
	int entries;	/* -1: malformed */
} reserved[] = {
	{ "T", 0 },
	{ "Ti5:count", 1 },
	{ "Bt13:1796653066771n0:", 2 },
	{ "Ti5:a\nb:cd1:x", 2 },	/* a name may hold anything but NUL */
	{ "Ti9:count", -1 },	/* longer than what is left */
	{ "Tix:count", -1 },
	{ "Ti5count", -1 },
	{ "Ti", -1 },
	{ "", 0 },
};

static void check_reserved(void)
{
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		size_t pos = 0, len;
		const char *bytes;
		char code, name[80];
		int n = 0, r;
		while ((r = message_jms_next(reserved[i].value, &pos, &code, &bytes, &len)) == 1)
			n++;
		snprintf(name, sizeof name, "reserved header %zu: %d entries", i, reserved[i].entries);
		is(r < 0 ? -1 : n, reserved[i].entries, name);
	}
}

int main(void)
{
	check_java_forms();
	check_round_trip();
	check_reserved();
	return done_testing();
}
