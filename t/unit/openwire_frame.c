/* OpenWire frames (broker/openwire/openwire_frame.c): any chunking gives
 * the same frames; a size that is negative, zero or past
 * wireFormat.maxFrameSize is refused as soon as its four bytes are in,
 * before anything is allocated for the body. */
#include <stdlib.h>
#include <string.h>

#include "openwire_frame.h"
#include "tap.h"

#define BYTES(s) (const uint8_t *)(s), sizeof(s) - 1
#define SBYTES(s) (s), sizeof(s) - 1

/* Feeds data in chunks; collects frames (concatenated, each after a
 * one-byte length) into got. -1 with err on a refusal. */
static int feed(struct ow_frame_reader *r, const uint8_t *data, size_t len, size_t chunk,
		char *got, size_t *ngot, int *frames, char err[OW_ERR_MAX])
{
	*ngot = 0;
	*frames = 0;
	for (size_t off = 0; off < len;) {
		size_t avail = chunk && len - off > chunk ? chunk : len - off;
		for (size_t pos = 0; pos < avail;) {
			const uint8_t *f;
			size_t flen;
			ssize_t used = ow_frame_feed(r, data + off + pos, avail - pos, &f, &flen, err);
			if (used < 0)
				return -1;
			pos += (size_t)used;
			if (f) {
				got[(*ngot)++] = (char)flen;
				memcpy(got + *ngot, f, flen);
				*ngot += flen;
				(*frames)++;
			}
		}
		off += avail;
	}
	return 0;
}

/* Two frames (a KeepAliveInfo, a Response) and the start of a third. */
static const char stream[] =
	"\x00\x00\x00\x06" "\x0a\x00\x00\x00\x01\x00"
	"\x00\x00\x00\x0a" "\x1e\x00\x00\x00\x07\x00\x00\x00\x00\x05"
	"\x00\x00\x00\x10" "\x0a\x00";

static void chunkings(void)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 5, 13 };
	const char want[] = "\x06" "\x0a\x00\x00\x00\x01\x00" "\x0a" "\x1e\x00\x00\x00\x07\x00\x00\x00\x00\x05";
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		struct ow_frame_reader *r = ow_frame_reader_new(16);
		char got[64], err[OW_ERR_MAX], name[120];
		size_t n;
		int frames;
		int rc = feed(r, BYTES(stream), chunks[i], got, &n, &frames, err);
		snprintf(name, sizeof name, "two frames in chunks of %zu, the third held", chunks[i]);
		ok(rc == 0 && frames == 2 && n == sizeof want - 1 && !memcmp(got, want, n) &&
		   ow_frame_reader_held(r) == 16, name);
		ow_frame_reader_free(r);
	}
}

struct bad {
	const char *name;
	const char *bytes;
	size_t len;
	const char *reason;
};

static const struct bad bads[] = {
	{ "a negative size", SBYTES("\xff\xff\xff\xfe"), "frame size -2 is negative" },
	{ "a zero size", SBYTES("\x00\x00\x00\x00\x01"), "empty frame" },
	{ "one byte past maxFrameSize", SBYTES("\x00\x00\x00\x11"),
	  "frame of 17 bytes is larger than wireFormat.maxFrameSize 16" },
	{ "the largest size", SBYTES("\x7f\xff\xff\xff"),
	  "frame of 2147483647 bytes is larger than wireFormat.maxFrameSize 16" },
};

static void refusals(void)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct ow_frame_reader *r = ow_frame_reader_new(16);
		const uint8_t *f;
		size_t flen;
		char err[OW_ERR_MAX] = "", name[120];
		/* fed one byte at a time: the refusal comes with the fourth */
		ssize_t used = 0;
		size_t k;
		for (k = 0; k < bads[i].len && used >= 0; k++)
			used = ow_frame_feed(r, (const uint8_t *)bads[i].bytes + k, 1, &f, &flen, err);
		snprintf(name, sizeof name, "refused at its fourth byte: %s", bads[i].name);
		if (!ok(used < 0 && k == 4 && strstr(err, bads[i].reason), name))
			diag("err '%s'", err);
		ow_frame_reader_free(r);
	}
	struct ow_frame_reader *r = ow_frame_reader_new(16);
	const uint8_t *f;
	size_t flen;
	char err[OW_ERR_MAX];
	ok(ow_frame_feed(r, BYTES("\x00\x00\x00\x10\x0a"), &f, &flen, err) == 5 && !f &&
	   ow_frame_reader_held(r) == 16, "a frame of exactly maxFrameSize is gathered");
	ow_frame_reader_set_max(r, 8);
	ok(ow_frame_feed(r, (const uint8_t *)"123456789abcdef", 15, &f, &flen, err) == 15 && f &&
	   flen == 16, "a lower maximum applies from the next frame on");
	ok(ow_frame_feed(r, BYTES("\x00\x00\x00\x09"), &f, &flen, err) < 0 &&
	   strstr(err, "maxFrameSize 8"), "and then refuses what the old one allowed");
	ow_frame_reader_free(r);
}

int main(void)
{
	chunkings();
	refusals();
	return done_testing();
}
