/* The STOMP frame parser and encoder: any chunking gives the same frames,
 * escapes follow the negotiated version, bad input is refused with a
 * reason before anything oversized is allocated, and what the encoder
 * writes parses back to the same frame. */
#include <stdlib.h>

#include "stomp_frame.h"
#include "tap.h"

/* ---- expected frames ---- */

struct expect {
	const char *command;
	const char *headers[12];	/* name, value, ..., NULL */
	const char *body;
	size_t body_len;
};

struct stream {
	const char *label;
	int version;
	const char *text;
	size_t len;
	const struct expect *frames;
	int nframes;
};

#define TEXT(s) s, sizeof s - 1

/* A 1.2 session: CONNECT (never unescaped), a binary body with
 * content-length, heart-beats, CRLF lines, every 1.2 escape, a body
 * without content-length, repeated headers, trailing heart-beats. */
static const struct expect v12_frames[] = {
	{ "CONNECT", { "accept-version", "1.2", "login", "a\\cb", "passcode", "p:w", NULL },
	  "", 0 },
	{ "SEND", { "destination", "/queue/a", "content-length", "5", NULL }, "ab\0cd", 5 },
	{ "SEND", { "destination", "/queue/b", "name:x", "v\nw\\\r", NULL }, "hello", 5 },
	{ "SUBSCRIBE", { "id", "1", "id", "2", "destination", "/topic/t", NULL }, "", 0 },
	{ "SEND", { "destination", "/queue/c", "content-length", "0", "empty", "", NULL },
	  "", 0 },
};
static const char v12_text[] =
	"CONNECT\naccept-version:1.2\nlogin:a\\cb\npasscode:p:w\n\n\0"
	"\n\n"
	"SEND\ndestination:/queue/a\ncontent-length:5\n\nab\0cd\0"
	"\n\r\n\n"
	"SEND\r\ndestination:/queue/b\r\nname\\cx:v\\nw\\\\\\r\r\n\r\nhello\0"
	"\r\n"
	"SUBSCRIBE\nid:1\nid:2\ndestination:/topic/t\n\n\0"
	"SEND\ndestination:/queue/c\ncontent-length:0\nempty:\n\n\0"
	"\n\n";

/* 1.1: \\ \n \c are escapes, CRLF is still accepted. */
static const struct expect v11_frames[] = {
	{ "SEND", { "destination", "/queue/a", "k\\:", "a\nb", "content-length", "3", NULL },
	  "x\0y", 3 },
	{ "ACK", { "id", "m:1", NULL }, "", 0 },
};
static const char v11_text[] =
	"SEND\ndestination:/queue/a\nk\\\\\\c:a\\nb\ncontent-length:3\n\nx\0y\0"
	"\n"
	"ACK\r\nid:m\\c1\r\n\r\n\0";

/* 1.0: no escapes at all; the value is everything after the first ':'. */
static const struct expect v10_frames[] = {
	{ "SEND", { "destination", "/queue/a", "x", "a\\cb\\n\\t", "y", "1:2", NULL },
	  "body", 4 },
	{ "DISCONNECT", { "receipt", "77", NULL }, "", 0 },
};
static const char v10_text[] =
	"SEND\ndestination:/queue/a\nx:a\\cb\\n\\t\ny:1:2\n\nbody\0"
	"\r\n"
	"DISCONNECT\r\nreceipt:77\r\n\r\n\0";

/* What ActiveMQ tolerates (stomp_lenient.h), in 1.0: stray NULs before a
 * command, blanks around it, a header line without ':' (an empty value),
 * values trimmed, a blank line between frames. */
static const struct expect v10_lenient_frames[] = {
	{ "CONNECT", { "login", "guest", "heart-beat", "0,200", NULL }, "", 0 },
	{ "SEND", { "destination", "/queue/a", "persistent", "true", "receipt", "r",
		    "junk", "", "content-length", "2", NULL }, "hi", 2 },
	{ "DISCONNECT", { NULL }, "", 0 },
};
static const char v10_lenient_text[] =
	"\0CONNECT \nlogin: guest \nheart-beat: 0,200\n\n\0"
	"\0\0SEND\t\r\ndestination: /queue/a\npersistent: true\t\nreceipt:\tr\njunk\n"
	"content-length: 2 \n\nhi\0\0\n"
	"  \r\n"
	" DISCONNECT \n\n\0";

/* The same in 1.2, where only CONNECT's values (read before a version is
 * agreed, as 1.0) are trimmed; content-length may still have blanks. */
static const struct expect v12_lenient_frames[] = {
	{ "CONNECT", { "accept-version", "1.2", "login", "a\\c", NULL }, "", 0 },
	{ "SEND", { "destination", "/queue/a", "note", " padded ", "flag", "",
		    "content-length", " 3 ", NULL }, "x\0y", 3 },
};
static const char v12_lenient_text[] =
	"CONNECT\naccept-version: 1.2 \nlogin: a\\c \n\n\0"
	"\0SEND \ndestination:/queue/a\nnote: padded \nflag\ncontent-length: 3 \n\nx\0y\0";

static const struct stream streams[] = {
	{ "1.2", STOMP_V12, TEXT(v12_text), v12_frames, 5 },
	{ "1.1", STOMP_V11, TEXT(v11_text), v11_frames, 2 },
	{ "1.0", STOMP_V10, TEXT(v10_text), v10_frames, 2 },
	{ "1.0 as lenient as ActiveMQ", STOMP_V10, TEXT(v10_lenient_text), v10_lenient_frames, 3 },
	{ "1.2 as lenient as ActiveMQ", STOMP_V12, TEXT(v12_lenient_text), v12_lenient_frames, 2 },
};

static int frame_matches(const struct stomp_frame *f, const struct expect *e)
{
	size_t n = 0;
	if (strcmp(f->command, e->command))
		return 0;
	for (; e->headers[2 * n]; n++)
		if (n >= f->nheaders || strcmp(f->headers[n].name, e->headers[2 * n]) ||
		    strcmp(f->headers[n].value, e->headers[2 * n + 1]))
			return 0;
	return n == f->nheaders && f->body && f->body_len == e->body_len &&
	       !memcmp(f->body, e->body, e->body_len) && f->body[f->body_len] == '\0';
}

/* Delivers a stream the way the network might, chunk sizes from next(),
 * and feeds the parser like stomp.c does: again and again while bytes are
 * left, since it stops after each frame. Returns how many frames matched,
 * or -1 when anything went wrong. */
static int parse_stream(const struct stream *s, size_t (*next)(void))
{
	struct stomp_parser *p = stomp_parser_new(1 << 20);
	stomp_parser_set_version(p, s->version);
	size_t at = 0, avail = 0;
	int frames = 0, good = 0;
	while (at + avail < s->len) {
		size_t c = next();
		avail = c > s->len - at - avail ? s->len - at : avail + c;
		while (avail) {
			struct stomp_frame *f;
			const char *err = NULL;
			ssize_t n = stomp_parser_feed(p, s->text + at, avail, &f, &err);
			if (n < 0 || (size_t)n > avail || (!f && (size_t)n != avail)) {
				diag("%s: feed returned %zd of %zu (%s)", s->label, n, avail,
				     err ? err : "no error");
				stomp_frame_free(f);
				stomp_parser_free(p);
				return -1;
			}
			at += (size_t)n;
			avail -= (size_t)n;
			if (!f)
				break;
			if (frames < s->nframes && frame_matches(f, &s->frames[frames]))
				good++;
			else
				diag("%s: frame %d (%s) differs", s->label, frames, f->command);
			frames++;
			stomp_frame_free(f);
		}
	}
	stomp_parser_free(p);
	return frames == s->nframes ? good : -1;
}

static size_t whole(void) { return (size_t)-1; }
static size_t one_byte(void) { return 1; }
static size_t random_size(void) { return (size_t)(rand() % 23) + 1; }

static void test_chunking(void)
{
	char name[128];
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		const struct stream *s = &streams[i];
		snprintf(name, sizeof name, "%s: every frame parsed from one read", s->label);
		is(parse_stream(s, whole), s->nframes, name);
		snprintf(name, sizeof name, "%s: the same frames fed byte by byte", s->label);
		is(parse_stream(s, one_byte), s->nframes, name);
		srand(20240601);
		int same = 0;
		for (int k = 0; k < 1000; k++)
			same += parse_stream(s, random_size) == s->nframes;
		snprintf(name, sizeof name, "%s: the same frames in 1000 random chunkings",
			 s->label);
		is(same, 1000, name);
	}
}

/* ---- errors ---- */

/* Feeds text in chunks of `chunk` bytes; the error, or NULL when the text
 * parsed without one (into at most one frame). */
static const char *parse_error(const char *text, size_t len, int v, size_t max,
			       size_t chunk)
{
	struct stomp_parser *p = stomp_parser_new(max);
	stomp_parser_set_version(p, v);
	const char *err = NULL;
	size_t at = 0;
	while (at < len && !err) {
		struct stomp_frame *f = NULL;
		size_t c = len - at < chunk ? len - at : chunk;
		ssize_t n = stomp_parser_feed(p, text + at, c, &f, &err);
		stomp_frame_free(f);
		if (n < 0 && !err)
			err = "(-1 without a reason)";
		if (n < 0)
			break;
		err = NULL;
		at += (size_t)n;
	}
	stomp_parser_free(p);
	return err;
}

/* The same error whether the bytes came at once or one at a time. */
static void refused(const char *text, size_t len, int v, size_t max, const char *why,
		    const char *name)
{
	const char *whole_err = parse_error(text, len, v, max, len);
	const char *byte_err = parse_error(text, len, v, max, 1);
	if (!ok(whole_err && byte_err && strstr(whole_err, why) && strstr(byte_err, why), name))
		diag("got '%s' / '%s', wanted '%s'", whole_err ? whole_err : "(none)",
		     byte_err ? byte_err : "(none)", why);
}

static void accepted(const char *text, size_t len, int v, size_t max, const char *name)
{
	const char *e1 = parse_error(text, len, v, max, len);
	const char *e2 = parse_error(text, len, v, max, 1);
	if (!ok(!e1 && !e2, name))
		diag("got '%s' / '%s'", e1 ? e1 : "(none)", e2 ? e2 : "(none)");
}

#define REFUSED(s, v, max, why, name) refused(s, sizeof s - 1, v, max, why, name)
#define ACCEPTED(s, v, max, name) accepted(s, sizeof s - 1, v, max, name)

/* Feeds the headers byte by byte: every byte is taken until the blank
 * line, and that one is refused, with no body byte sent yet. */
static int refused_at_blank_line(const char *text, size_t len, size_t max, const char **err)
{
	struct stomp_parser *p = stomp_parser_new(max);
	struct stomp_frame *f = NULL;
	int good = 1;
	for (size_t i = 0; i < len; i++) {
		ssize_t n = stomp_parser_feed(p, text + i, 1, &f, err);
		if (i + 1 < len ? n != 1 || f : n != -1)
			good = 0;
		stomp_frame_free(f);
	}
	stomp_parser_free(p);
	return good;
}

static void test_errors(void)
{
	const size_t K = 1024, M = 1024 * 1024;

	REFUSED("SE\0ND\n\n\0", STOMP_V12, K, "NUL",
		"a NUL inside a command is refused (only NULs before it are skipped)");
	REFUSED("SEND\nno\\tcolon\n\n\0", STOMP_V12, K, "undefined escape sequence in header",
		"a header line without ':' is unescaped as a name");
	REFUSED("SEND\na:\\t\n\n\0", STOMP_V12, K, "undefined escape sequence in header",
		"an undefined escape in a value is refused in 1.2");
	REFUSED("SEND\na\\x:b\n\n\0", STOMP_V11, K, "undefined escape sequence in header",
		"an undefined escape in a name is refused in 1.1");
	REFUSED("SEND\na:b\\r\n\n\0", STOMP_V11, K, "undefined escape sequence in header",
		"\\r is undefined in 1.1");
	REFUSED("SEND\na:b\\\n\n\0", STOMP_V12, K, "undefined escape sequence in header",
		"a backslash at the end of a value is refused");
	ACCEPTED("SEND\na:\\t\n\n\0", STOMP_V10, K, "1.0 takes any backslash as is");
	ACCEPTED("CONNECT\nlogin:\\t\n\n\0", STOMP_V12, K,
		 "CONNECT headers are not unescaped, so not refused either");
	REFUSED("SEND\na:b\0c\n\n\0", STOMP_V12, K, "NUL", "a NUL inside a header line is refused");

	REFUSED("SEND\ncontent-length:12x\n\n", STOMP_V12, K, "bad content-length",
		"content-length 12x is refused");
	REFUSED("SEND\ncontent-length:-1\n\n", STOMP_V12, K, "bad content-length",
		"a negative content-length is refused");
	REFUSED("SEND\ncontent-length:\n\n", STOMP_V12, K, "bad content-length",
		"an empty content-length is refused");
	ACCEPTED("SEND\ncontent-length: 5\t\n\nhello\0", STOMP_V12, K,
		 "a content-length with blanks around its digits is accepted, as ActiveMQ does");
	REFUSED("SEND\ncontent-length:1 2\n\n", STOMP_V12, K, "bad content-length",
		"a content-length with a blank between its digits is refused");
	REFUSED("SEND\ncontent-length:99999999999999999999999999\n\n", STOMP_V12, M,
		"frame too large", "an overflowing content-length is refused");
	REFUSED("SEND\ncontent-length:2\n\nabc\0", STOMP_V12, K, "not terminated by NUL",
		"content-length bytes not followed by NUL are refused");
	ACCEPTED("SEND\ncontent-length:3\n\nabc\0", STOMP_V12, K,
		 "content-length bytes followed by NUL are accepted");

	/* If the parser allocated what these announce, ASan would abort on the
	 * 4 TiB one and plain malloc would fail it ("out of memory"). */
	static const char ten_gb[] = "SEND\ndestination:/queue/big\ncontent-length:10737418240\n\n";
	const char *err = NULL;
	ok(refused_at_blank_line(ten_gb, sizeof ten_gb - 1, M, &err) && err &&
	   strstr(err, "frame too large"),
	   "a 10 GB content-length with a 1 MB limit is refused right after the headers");
	static const char four_tb[] = "SEND\ncontent-length:4398046511104\n\n";
	err = NULL;
	ok(refused_at_blank_line(four_tb, sizeof four_tb - 1, M, &err) && err &&
	   strstr(err, "frame too large"), "and so is 4 TiB, without trying to allocate it");
	ACCEPTED("SEND\ncontent-length:900000\n\n", STOMP_V12, M,
		 "a content-length within the limit is accepted");

	/* The limit counts command, headers and body. */
	static const char hdr[] = "SEND\ncontent-length:10\n\n";	/* 24 bytes */
	char frame[24 + 10 + 1];
	memcpy(frame, hdr, 24);
	memset(frame + 24, 'z', 10);
	frame[34] = '\0';
	ok(!parse_error(frame, sizeof frame, STOMP_V12, 34, sizeof frame) &&
	   !parse_error(frame, sizeof frame, STOMP_V12, 34, 1),
	   "a frame of exactly the limit is accepted");
	err = parse_error(frame, sizeof frame, STOMP_V12, 33, 1);
	ok(err && strstr(err, "frame too large"), "one byte more is refused");

	char big[3000];
	memset(big, 'x', sizeof big);
	memcpy(big, "SEND\n\n", 6);
	refused(big, sizeof big, STOMP_V12, K, "frame too large",
		"a body without content-length stops at the limit");
	big[K] = '\0';	/* 6 bytes of command and blank line, 1018 of body */
	accepted(big, K + 1, STOMP_V12, K,
		 "a body without content-length that fills the limit exactly is accepted");
	big[K] = 'x';
	big[K + 1] = '\0';
	refused(big, K + 2, STOMP_V12, K, "frame too large", "one byte more is refused");

	memset(big, 'h', sizeof big);
	memcpy(big, "SEND\n", 5);
	refused(big, sizeof big, STOMP_V12, K, "frame too large",
		"an endless header line stops at the frame limit");
	static char long_line[20000];
	memset(long_line, 'h', sizeof long_line);
	memcpy(long_line, "SEND\nh:", 7);
	refused(long_line, sizeof long_line, STOMP_V12, M, "maximum header length",
		"a header line over 10 KB stops at ActiveMQ's limit");
	refused(long_line + 7, 2000, STOMP_V12, M, "maximum command length",
		"a command line over 1 KB stops at ActiveMQ's limit");
	static char many[6000];
	size_t n = 0;
	n += (size_t)sprintf(many + n, "SEND\n");
	for (int i = 0; i < 1001; i++)
		n += (size_t)sprintf(many + n, "h:\n");
	refused(many, n, STOMP_V12, M, "maximum number of headers",
		"more than 1000 headers are refused");
	n -= 3;
	n += (size_t)sprintf(many + n, "\n");
	many[n++] = '\0';
	accepted(many, n, STOMP_V12, M, "1000 headers are accepted");

	/* A parser that failed stays failed. */
	struct stomp_parser *p = stomp_parser_new(K);
	struct stomp_frame *f = NULL;
	err = NULL;
	ok(stomp_parser_feed(p, "X\nb\0d\n", 6, &f, &err) < 0 && err && !f, "a bad line fails");
	err = NULL;
	ok(stomp_parser_feed(p, "SEND\n\n\0", 7, &f, &err) < 0 && err && !f,
	   "and the parser keeps failing on good input");
	err = NULL;
	ok(stomp_parser_feed(p, "", 0, &f, &err) < 0 && err, "even on no input");
	stomp_parser_free(p);

	/* A half frame is simply freed with the parser (ASan checks for leaks). */
	p = stomp_parser_new(K);
	ok(stomp_parser_feed(p, "SEND\na:b\ncontent-length:9\n\nabc", 31, &f, &err) == 31 && !f,
	   "a half frame waits for more");
	stomp_parser_free(p);
}

/* ---- what stomp.c does to frames ---- */

static void test_moved_out(void)
{
	struct stomp_parser *p = stomp_parser_new(1024);
	stomp_parser_set_version(p, STOMP_V12);
	static const char text[] = "SEND\na:1\nb:2\na:3\n\nbody\0";
	struct stomp_frame *f = NULL;
	const char *err = NULL;
	stomp_parser_feed(p, text, sizeof text - 1, &f, &err);
	ok(f && f->nheaders == 3, "repeated headers are all kept");
	is_str(f ? stomp_frame_header(f, "a") : NULL, "1", "the first of them wins");
	ok(f && !stomp_frame_header(f, "c"), "a missing header is NULL");
	if (f) {
		free(f->headers[0].name);
		f->headers[0].name = NULL;
		free(f->headers[1].value);
		f->headers[1].value = NULL;
		free(f->body);
		f->body = NULL;
		f->body_len = 0;
		is_str(stomp_frame_header(f, "a"), "3", "a moved-out name is skipped");
		ok(!stomp_frame_header(f, "b"), "a moved-out value reads as missing");
		stomp_frame_free(f);
		ok(1, "a frame with NULL names, values and body is freed");
	}
	f = NULL;
	stomp_parser_feed(p, text, sizeof text - 1, &f, &err);
	if (f) {
		headers_free(f->headers, f->nheaders);
		f->headers = NULL;
		f->nheaders = 0;
		ok(!stomp_frame_header(f, "a"), "a frame without a header array has no headers");
		stomp_frame_free(f);
	}
	stomp_frame_free(NULL);
	stomp_parser_free(p);
	stomp_parser_free(NULL);
}

/* ---- escaping and encoding ---- */

static void escaped_as(int v, const char *in, const char *want, const char *name)
{
	struct buf out = BUF_INIT;
	stomp_escape(&out, v, in);
	is_str(out.data ? buf_data(&out) : "", want, name);
	buf_free(&out);
}

static void test_escapes(void)
{
	const char *err = NULL;
	char *s = stomp_unescape(STOMP_V10, "a\\cb", 4, &err);
	is_str(s, "a\\cb", "1.0 does not unescape");
	free(s);
	s = stomp_unescape(STOMP_V11, "a\\cb\\n\\\\", 8, &err);
	is_str(s, "a:b\n\\", "1.1 unescapes \\c \\n \\\\");
	free(s);
	err = NULL;
	ok(!stomp_unescape(STOMP_V11, "a\\rb", 4, &err) && err, "1.1 has no \\r");
	s = stomp_unescape(STOMP_V12, "a\\rb", 4, &err);
	is_str(s, "a\rb", "1.2 unescapes \\r");
	free(s);
	err = NULL;
	ok(!stomp_unescape(STOMP_V12, "a\\tb", 4, &err) && err &&
	   strstr(err, "undefined escape sequence in header"), "an undefined escape is an error");
	s = stomp_unescape(STOMP_V12, "", 0, &err);
	is_str(s, "", "an empty string stays empty");
	free(s);

	escaped_as(STOMP_V10, "a:b\\c\rd", "a:b\\c\rd", "1.0 writes headers as they are");
	escaped_as(STOMP_V10, "a\nb", "a\\nb", "except a LF, which would forge a header line");
	escaped_as(STOMP_V11, "a:b\\c\nd\re", "a\\cb\\\\c\\nd\re", "1.1 escapes : \\ LF");
	escaped_as(STOMP_V12, "a:b\\c\nd\re", "a\\cb\\\\c\\nd\\re", "1.2 escapes CR as well");

	struct buf out = BUF_INIT;
	stomp_put_command(&out, "CONNECTED");
	stomp_put_header(&out, STOMP_V10, "server", "Tandem/1.0:beta");
	stomp_put_body(&out, NULL, 0, 0);
	static const char connected[] = "CONNECTED\nserver:Tandem/1.0:beta\n\n";
	ok(buf_len(&out) == sizeof connected && !memcmp(buf_data(&out), connected, sizeof connected),
	   "CONNECTED written with 1.0 rules is not escaped, and an empty body has no "
	   "content-length");
	buf_reset(&out);
	stomp_put_command(&out, "ERROR");
	stomp_put_body(&out, "", 0, 1);
	static const char error[] = "ERROR\ncontent-length:0\n\n";
	ok(buf_len(&out) == sizeof error && !memcmp(buf_data(&out), error, sizeof error),
	   "always_length writes content-length:0");
	buf_free(&out);
}

static void test_round_trip(void)
{
	static const struct {
		int v;
		const char *name, *value;
	} cases[] = {
		{ STOMP_V10, "plain", "a:b c\\d" },
		{ STOMP_V11, "we:ird\\", "a:b\nc\\d\re" },
		{ STOMP_V12, "we:ird\n\r", "a:b\nc\\d\re\r" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf out = BUF_INIT;
		stomp_put_command(&out, "MESSAGE");
		stomp_put_header(&out, cases[i].v, "destination", "/queue/x");
		stomp_put_header(&out, cases[i].v, cases[i].name, cases[i].value);
		stomp_put_body(&out, "b\0dy", 4, 0);
		stomp_put_command(&out, "RECEIPT");
		stomp_put_header(&out, cases[i].v, "receipt-id", "r:1");
		stomp_put_body(&out, NULL, 0, 0);

		struct stomp_parser *p = stomp_parser_new(1024);
		stomp_parser_set_version(p, cases[i].v);
		struct stomp_frame *f = NULL, *g = NULL;
		const char *err = NULL;
		ssize_t n = stomp_parser_feed(p, buf_data(&out), buf_len(&out), &f, &err);
		ssize_t m = n < 0 ? -1 : stomp_parser_feed(p, buf_data(&out) + n,
							   buf_len(&out) - (size_t)n, &g, &err);
		char name[96];
		snprintf(name, sizeof name, "version %d: a MESSAGE parses back as written",
			 cases[i].v);
		ok(n > 0 && f && !strcmp(f->command, "MESSAGE") && f->nheaders == 3 &&
		   !strcmp(stomp_frame_header(f, cases[i].name), cases[i].value) &&
		   !strcmp(stomp_frame_header(f, "content-length"), "4") &&
		   f->body_len == 4 && !memcmp(f->body, "b\0dy", 4), name);
		snprintf(name, sizeof name, "version %d: and the RECEIPT after it", cases[i].v);
		ok(m >= 0 && (size_t)n + (size_t)m == buf_len(&out) && g &&
		   !strcmp(stomp_frame_header(g, "receipt-id"), "r:1") && g->body_len == 0, name);
		stomp_frame_free(f);
		stomp_frame_free(g);
		stomp_parser_free(p);
		buf_free(&out);
	}
}

/* A connection's limit grows at login (conn.h): the same parser refuses a
 * frame over the first limit and takes it after set_max; held() is what a
 * partial frame pins, and nothing much once the frame is out. */
static void test_limit_and_held(void)
{
	struct stomp_parser *p = stomp_parser_new(8192);
	struct stomp_frame *f = NULL;
	const char *err = NULL;
	static const char connect[] = "CONNECT\naccept-version:1.2\n\n";
	ok(stomp_parser_feed(p, connect, sizeof connect, &f, &err) == sizeof connect && f,
	   "a small CONNECT under the 8 KiB limit");
	stomp_frame_free(f);
	stomp_parser_set_max(p, 1 << 20);
	char head[] = "SEND\ndestination:/queue/a\ncontent-length:100000\n\n";
	ssize_t n = stomp_parser_feed(p, head, sizeof head - 1, &f, &err);
	ok(n == (ssize_t)sizeof head - 1 && !f, "after set_max, a 100 KB body is announced");
	ok(stomp_parser_held(p) >= 100000, "held counts the announced body");
	static char body[100001];
	memset(body, 'b', 100000);
	n = stomp_parser_feed(p, body, sizeof body, &f, &err);
	ok(n == (ssize_t)sizeof body && f && f->body_len == 100000, "the 100 KB frame parses");
	stomp_frame_free(f);
	ok(stomp_parser_held(p) <= 1024, "nothing much held between frames");
	stomp_parser_free(p);

	p = stomp_parser_new(8192);
	char big[9000];
	memset(big, 'h', sizeof big);
	memcpy(big, "CONNECT\nh:", 10);
	n = stomp_parser_feed(p, big, sizeof big, &f, &err);
	ok(n == -1 && err == stomp_err_too_large, "a CONNECT over 8 KiB: stomp_err_too_large");
	stomp_parser_free(p);
}

int main(void)
{
	test_chunking();
	test_errors();
	test_moved_out();
	test_escapes();
	test_round_trip();
	test_limit_and_held();
	return done_testing();
}
