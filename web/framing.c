/*
 * framing.c - refusing requests that two HTTP parsers could read
 * differently (see framing.h). RFC 9112 sections 3.2 (request target),
 * 5.1 (no whitespace before a header's colon) and 6.1-6.3 (a message body's
 * length) say what is refused and why.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "framing.h"

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void web_target_seen(struct web_target *t, const char *uri)
{
	t->raw = uri;
	t->len = uri ? strlen(uri) : 0;
	t->bad = NULL;
	size_t path_len = uri ? strcspn(uri, "?") : 0;
	for (size_t i = 0; i < t->len; i++) {
		if (is_ctl((unsigned char)uri[i]) || uri[i] == ' ') {
			t->bad = "a space or control character in the request target";
			return;
		}
		/* Decoded, the path would carry the byte itself: %00 cut
		 * "/health%00x" to /health, %0a would split a log line or a
		 * header that repeats the path. A query may encode anything. */
		int hi, lo;
		if (uri[i] == '%' && i + 2 < path_len &&
		    (hi = hex(uri[i + 1])) >= 0 && (lo = hex(uri[i + 2])) >= 0 &&
		    is_ctl((unsigned char)(hi << 4 | lo))) {
			t->bad = "an encoded control character in the path";
			return;
		}
	}
}

/* What the headers say about the body's length. */
struct framing {
	unsigned content_lengths, transfer_encodings;
	const char *content_length;	/* the first one */
	size_t content_length_size;
	const char *bad;
};

static enum MHD_Result look_at_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct framing *f = cls;
	for (size_t i = 0; i < key_size; i++)
		if (is_ctl((unsigned char)key[i]) || key[i] == ' ') {
			f->bad = "whitespace or a control character in a header's name";
			return MHD_NO;
		}
	for (size_t i = 0; value && i < value_size; i++)
		if (is_ctl((unsigned char)value[i]) && value[i] != '\t') {
			f->bad = "a control character in a header's value";
			return MHD_NO;
		}
	if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		/* Only "chunked" alone: anything else was read by
		 * libmicrohttpd as a body lasting until the connection ends. */
		if (f->transfer_encodings++ || !value || strcasecmp(value, "chunked"))
			f->bad = "a Transfer-Encoding other than one \"chunked\"";
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		if (f->content_lengths++ &&
		    (value_size != f->content_length_size ||
		     memcmp(value, f->content_length, value_size)))
			f->bad = "Content-Length headers that differ";
		else if (!f->content_length) {
			f->content_length = value;
			f->content_length_size = value_size;
		}
	}
	return f->bad ? MHD_NO : MHD_YES;
}

/* A NUL byte in the target ends the string libmicrohttpd hands on, so it
 * cannot be seen in it. But libmicrohttpd 0.9.75 leaves the request line
 * in place, cut by NULs: the target at url, then the version right after
 * the target's end and one NUL. When the target, as first seen, ends
 * before that, a NUL byte was in it. (Other versions may lay the line out
 * differently: then url is not where the target was, and this cannot
 * tell.) */
static bool nul_in_target(const struct web_target *t, const char *url, const char *version)
{
	return t->raw && url == t->raw && version && *version &&
		version > t->raw && t->raw + t->len + 1 != version;
}

const char *web_framing_error(struct MHD_Connection *mc, const struct web_target *t,
			      const char *url, const char *version)
{
	if (t->bad)
		return t->bad;
	if (nul_in_target(t, url, version))
		return "a NUL byte in the request target";
	struct framing f = { 0 };
	MHD_get_connection_values_n(mc, MHD_HEADER_KIND, look_at_header, &f);
	if (f.bad)
		return f.bad;
	if (f.transfer_encodings && f.content_lengths)
		return "both Content-Length and Transfer-Encoding";
	if (f.transfer_encodings && version && !strcmp(version, MHD_HTTP_VERSION_1_0))
		return "Transfer-Encoding in an HTTP/1.0 request";
	return NULL;
}
