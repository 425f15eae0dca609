/* log.c - ActiveMQ-shaped log lines: the level, the escaping (see log.h);
 * log_out.c writes them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum log_level min_level = LOG_INFO;
static int level_from_env = 0;
static log_sink_fn sink_fn;
static void *sink_ctx;

void log_set_level(enum log_level level)
{
	min_level = level;
	level_from_env = 1;
}

void log_set_sink(log_sink_fn sink, void *ctx)
{
	sink_fn = sink;
	sink_ctx = ctx;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0:
 * overlong forms, surrogates, code points past U+10FFFF and the C1
 * controls U+0080..U+009F (terminals act on some) are not. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	unsigned lo = 0x80, hi = 0xbf;	/* the second byte's range */
	if (s[0] == 0xc2)
		lo = 0xa0;
	else if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	return s[1] >= lo && s[1] <= hi ? len : 0;
}

/* Writes the bytes at s that make one character of a log line into esc
 * (at least 5 bytes): \n, \r, \t, or \xNN for any other control
 * character and for a byte that is not part of well-formed UTF-8; a
 * well-formed character is copied. Returns how many bytes of s it took. */
static size_t escape_one(const unsigned char *s, size_t n, char *esc)
{
	static const char named[][2] = { { '\n', 'n' }, { '\r', 'r' }, { '\t', 't' } };
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (s[0] == (unsigned char)named[i][0]) {
			snprintf(esc, 5, "\\%c", named[i][1]);
			return 1;
		}
	size_t len = s[0] < 0x80 ? 1 : utf8_len(s, n);
	if (s[0] < 0x20 || s[0] == 0x7f || !len) {
		snprintf(esc, 5, "\\x%02x", s[0]);
		return 1;
	}
	memcpy(esc, s, len);
	esc[len] = '\0';
	return len;
}

/* Copies msg into out (outlen bytes) escaped by escape_one. Log lines
 * carry names and text that clients chose: without this a login name with
 * a newline wrote a second, forged log line, and a terminal's escape
 * sequence reached the operator's terminal. A message cut short ends at a
 * whole character or escape. */
static void escape(const char *msg, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)msg;
	size_t o = 0, n = strlen(msg);
	for (size_t i = 0; i < n;) {
		char one[5];
		i += escape_one(s + i, n - i, one);
		size_t w = strlen(one);
		if (o + w >= outlen)
			break;
		memcpy(out + o, one, w);
		o += w;
	}
	out[o] = '\0';
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	if (!level_from_env) {
		const char *d = getenv("TANDEM_DEBUG");
		if (d && *d && *d != '0')
			min_level = LOG_DEBUG;
		level_from_env = 1;
	}
	if (level < min_level && !sink_fn)
		return;

	char raw[2048], msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	escape(raw, msg, sizeof msg);

	if (sink_fn) {
		sink_fn(sink_ctx, level, component, msg);
		return;
	}
	log_out(level, component, msg);
}
