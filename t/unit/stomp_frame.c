/* The STOMP frame parser: any chunking gives the same frames; bad input is
 * refused with a reason, before anything oversized is allocated. */
#include <stdlib.h>

#include "stomp_frame.h"
#include "tap.h"

/* A stream of frames as a 1.2 client might send them after CONNECT. */
static const char stream[] =
	"SEND\ndestination:/queue/a\ncontent-length:5\n\nab\0cd\0"
	"\n\r\n"
	"SEND\r\ndestination:/queue/b\r\nname\\cx:v\\nw\\\\\\r\r\n\r\nhello\0"
	"\n"
	"SUBSCRIBE\nid:1\nid:2\ndestination:/topic/t\n\n\0";

struct expect {
	const char *command;
	const char *h1, *v1;
	const char *body;
	size_t body_len;
};

static const struct expect expected[] = {
	{ "SEND", "destination", "/queue/a", "ab\0cd", 5 },
	{ "SEND", "name:x", "v\nw\\\r", "hello", 5 },
	{ "SUBSCRIBE", "id", "1", "", 0 },
};

/* Feeds `len` bytes of stream in chunks from next_chunk(); checks each
 * frame. Returns how many frames matched. */
static int parse_in_chunks(size_t (*next_chunk)(void), const char *label)
{
	struct stomp_parser *p = stomp_parser_new(1 << 20);
	stomp_parser_set_version(p, STOMP_V12);
	size_t len = sizeof stream - 1, at = 0, avail = 0;
	int frames = 0, good = 0;
	while (at < len) {
		size_t c = next_chunk();
		avail = at + avail + c > len ? len - at : avail + c;
		while (avail) {
			struct stomp_frame *f;
			const char *err = NULL;
			ssize_t n = stomp_parser_feed(p, stream + at, avail, &f, &err);
			if (n < 0) {
				diag("%s: error %s", label, err);
				stomp_parser_free(p);
				return -1;
			}
			at += (size_t)n;
			avail -= (size_t)n;
			if (!f)
				break;
			const struct expect *e = &expected[frames++];
			if (!strcmp(f->command, e->command) && f->body_len == e->body_len &&
			    !memcmp(f->body, e->body, e->body_len) && f->body[f->body_len] == '\0' &&
			    stomp_frame_header(f, e->h1) && !strcmp(stomp_frame_header(f, e->h1), e->v1))
				good++;
			else
				diag("%s: frame %d differs (%s)", label, frames, f->command);
			if (frames == 3 && strcmp(stomp_frame_header(f, "id"), "1"))
				good--;	/* the first of a repeated header wins */
			stomp_frame_free(f);
		}
	}
	stomp_parser_free(p);
	return good;
}

static size_t all_at_once(void) { return sizeof stream; }
static size_t one_byte(void) { return 1; }
static size_t random_size(void) { return (size_t)(rand() % 17) + 1; }

/* Parses one frame from text (version v), returning the error or NULL. */
static const char *parse_error(const char *text, size_t len, int v, size_t max)
{
	struct stomp_parser *p = stomp_parser_new(max);
	stomp_parser_set_version(p, v);
	struct stomp_frame *f = NULL;
	const char *err = NULL;
	ssize_t n = stomp_parser_feed(p, text, len, &f, &err);
	stomp_frame_free(f);
	stomp_parser_free(p);
	return n < 0 ? err : NULL;
}

#define ERR(s, v, max) parse_error(s, sizeof s - 1, v, max)

int main(void)
{
	is(parse_in_chunks(all_at_once, "at once"), 3, "three frames from one read");
	is(parse_in_chunks(one_byte, "byte by byte"), 3, "three frames fed byte by byte");
	srand(42);
	int good = 0;
	for (int i = 0; i < 500; i++)
		good += parse_in_chunks(random_size, "random chunks") == 3;
	is(good, 500, "the same frames in 500 random chunkings");

	/* Escapes by version. */
	const char *err = NULL;
	char *s = stomp_unescape(STOMP_V10, "a\\cb", 4, &err);
	is_str(s, "a\\cb", "1.0 does not unescape");
	free(s);
	s = stomp_unescape(STOMP_V11, "a\\cb\\n\\\\", 8, &err);
	is_str(s, "a:b\n\\", "1.1 unescapes \\c \\n \\\\");
	free(s);
	ok(!stomp_unescape(STOMP_V11, "a\\rb", 4, &err), "1.1 has no \\r");
	s = stomp_unescape(STOMP_V12, "a\\rb", 4, &err);
	is_str(s, "a\rb", "1.2 unescapes \\r");
	free(s);
	ok(!stomp_unescape(STOMP_V12, "a\\tb", 4, &err) && strstr(err, "undefined escape"),
	   "an undefined escape is an error");
	ok(!stomp_unescape(STOMP_V12, "a\\", 2, &err), "a trailing backslash is an error");

	/* CONNECT headers are never unescaped. */
	struct stomp_parser *p = stomp_parser_new(1024);
	stomp_parser_set_version(p, STOMP_V12);
	struct stomp_frame *f;
	static const char conn[] = "CONNECT\nlogin:a\\b\n\n\0";
	stomp_parser_feed(p, conn, sizeof conn - 1, &f, &err);
	ok(f && !strcmp(stomp_frame_header(f, "login"), "a\\b"), "CONNECT headers are taken as is");
	stomp_frame_free(f);
	stomp_parser_free(p);

	/* Errors. */
	ok(ERR("SEND\nno colon\n\n\0", STOMP_V12, 1024) != NULL, "a header line without ':' is refused");
	ok(ERR("SEND\na:\\x\n\n\0", STOMP_V12, 1024) != NULL, "a bad escape is refused");
	ok(!ERR("SEND\na:\\x\n\n\0", STOMP_V10, 1024), "but not in 1.0");
	err = ERR("SEND\ncontent-length:10737418240\n\n", STOMP_V12, 1 << 20);
	ok(err && strstr(err, "too large"), "a 10 GB content-length is refused right after the headers");
	err = ERR("SEND\ncontent-length:99999999999999999999999999\n\n", STOMP_V12, 1 << 20);
	ok(err && strstr(err, "too large"), "an overflowing content-length is refused");
	ok(ERR("SEND\ncontent-length:12x\n\n", STOMP_V12, 1024) != NULL, "content-length 12x is refused");
	ok(ERR("SEND\ncontent-length:-1\n\n", STOMP_V12, 1024) != NULL, "a negative content-length is refused");
	ok(ERR("SEND\ncontent-length:2\n\nabc\0", STOMP_V12, 1024) != NULL,
	   "a body not followed by NUL is refused");
	char big[3000];
	memset(big, 'x', sizeof big);
	memcpy(big, "SEND\n\n", 6);
	err = parse_error(big, sizeof big, STOMP_V12, 1024);
	ok(err && strstr(err, "too large"), "a body without content-length stops at the limit");
	memset(big, 'h', sizeof big);
	memcpy(big, "SEND\n", 5);
	err = parse_error(big, sizeof big, STOMP_V12, 1024);
	ok(err && strstr(err, "too large"), "an endless header line stops at the limit");
	ok(!ERR("SEND\ncontent-length:900\n\n", STOMP_V12, 1024), "a body within the limit is accepted");

	/* A parser that failed stays failed. */
	p = stomp_parser_new(1024);
	ok(stomp_parser_feed(p, "X\nbad\n", 6, &f, &err) < 0, "fails");
	ok(stomp_parser_feed(p, "\n", 1, &f, &err) < 0, "and keeps failing");
	stomp_parser_free(p);

	/* Encoding and back, in each version. */
	int versions[] = { STOMP_V10, STOMP_V11, STOMP_V12 };
	for (int i = 0; i < 3; i++) {
		struct buf out = BUF_INIT;
		const char *value = versions[i] == STOMP_V10 ? "plain" : "a:b\nc\\d\re";
		stomp_put_command(&out, "MESSAGE");
		stomp_put_header(&out, versions[i], "x", value);
		stomp_put_body(&out, "b\0dy", 4, 0);
		p = stomp_parser_new(1024);
		stomp_parser_set_version(p, versions[i]);
		ssize_t n = stomp_parser_feed(p, buf_data(&out), buf_len(&out), &f, &err);
		char name[64];
		snprintf(name, sizeof name, "round trip in version %d", versions[i]);
		ok(n == (ssize_t)buf_len(&out) && f && !strcmp(stomp_frame_header(f, "x"), value) &&
		   f->body_len == 4 && !memcmp(f->body, "b\0dy", 4), name);
		stomp_frame_free(f);
		stomp_parser_free(p);
		buf_free(&out);
	}
	struct buf out = BUF_INIT;
	stomp_put_command(&out, "RECEIPT");
	stomp_put_body(&out, NULL, 0, 0);
	ok(buf_len(&out) == 10 && !memcmp(buf_data(&out), "RECEIPT\n\n", 10), "an empty body has no content-length");
	buf_free(&out);
	return done_testing();
}
