/*
 * stomp_frame.c - the STOMP frame parser and encoder (contract in
 * stomp_frame.h).
 *
 * The parser keeps one frame under construction and a state: reading the
 * command line, reading header lines, reading a body of known length,
 * expecting the NUL after it, or scanning a body for its NUL. Lines are
 * gathered in `line` until their EOL, so a frame may be split at any byte.
 * Every byte of command, headers and body counts against max_frame_size
 * before it is stored, which is what keeps a hostile client from making the
 * broker allocate more than the limit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stomp_frame.h"

enum parse_state {
	PS_COMMAND,	/* skipping EOLs, then the command line */
	PS_HEADERS,	/* header lines until an empty one */
	PS_BODY_LENGTH,	/* content-length bytes */
	PS_BODY_NUL,	/* the NUL that must follow them */
	PS_BODY_SCAN,	/* no content-length: everything up to a NUL */
	PS_FAILED,
};

struct stomp_parser {
	size_t max;
	int version;
	enum parse_state state;
	struct buf line;	/* the command or header line being gathered */
	struct stomp_frame *f;	/* the frame being built */
	size_t hcap;		/* allocated headers */
	size_t used;		/* bytes of this frame so far */
	size_t want;		/* body bytes expected (PS_BODY_LENGTH) */
	size_t body_cap;
	bool raw_headers;	/* CONNECT, STOMP, CONNECTED: no unescaping */
};

static const char too_large[] = "frame too large: it exceeds the maximum frame size "
				"(wireFormat.maxFrameSize)";

const char *stomp_frame_header(const struct stomp_frame *f, const char *name)
{
	return header_get(f->headers, f->nheaders, name);
}

void stomp_frame_free(struct stomp_frame *f)
{
	if (!f)
		return;
	free(f->command);
	if (f->headers)
		headers_free(f->headers, f->nheaders);
	free(f->body);
	free(f);
}

struct stomp_parser *stomp_parser_new(size_t max_frame_size)
{
	struct stomp_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max = max_frame_size;
	p->version = STOMP_V10;
	return p;
}

void stomp_parser_free(struct stomp_parser *p)
{
	if (!p)
		return;
	buf_free(&p->line);
	stomp_frame_free(p->f);
	free(p);
}

void stomp_parser_set_version(struct stomp_parser *p, int version)
{
	p->version = version;
}

static ssize_t fail(struct stomp_parser *p, const char **err, const char *why)
{
	p->state = PS_FAILED;
	*err = why;
	return -1;
}

/* Gathers bytes up to and including an EOL into p->line. Returns how many
 * bytes of data it used and sets *done when the line is complete (the EOL,
 * and a \r before it, removed). -1 when the frame grows past the limit. */
static ssize_t gather_line(struct stomp_parser *p, const char *data, size_t len,
			   bool *done)
{
	const char *nl = memchr(data, '\n', len);
	size_t n = nl ? (size_t)(nl - data) + 1 : len;
	*done = nl != NULL;
	if (n > p->max - p->used)
		return -1;
	p->used += n;
	if (buf_append(&p->line, data, nl ? n - 1 : n) < 0)
		return -1;
	if (nl && buf_len(&p->line) > 0 && buf_data(&p->line)[buf_len(&p->line) - 1] == '\r')
		p->line.len--;
	return (ssize_t)n;
}

static bool is_raw_command(const char *cmd)
{
	return !strcmp(cmd, "CONNECT") || !strcmp(cmd, "STOMP") || !strcmp(cmd, "CONNECTED");
}

static int start_frame(struct stomp_parser *p, const char *err_oom, const char **err)
{
	p->f = calloc(1, sizeof *p->f);
	if (!p->f) {
		*err = err_oom;
		return -1;
	}
	p->f->command = strndup(buf_data(&p->line), buf_len(&p->line));
	if (!p->f->command) {
		*err = err_oom;
		return -1;
	}
	p->raw_headers = is_raw_command(p->f->command);
	p->hcap = 0;
	return 0;
}

static int add_header(struct stomp_parser *p, const char **err)
{
	const char *line = buf_data(&p->line);
	size_t len = buf_len(&p->line);
	const char *colon = memchr(line, ':', len);
	if (!colon) {
		*err = "malformed header line: no ':' between name and value";
		return -1;
	}
	if (memchr(line, '\0', len)) {
		*err = "malformed header line: it contains a NUL octet";
		return -1;
	}
	struct stomp_frame *f = p->f;
	if (f->nheaders == p->hcap) {
		size_t cap = p->hcap ? p->hcap * 2 : 8;
		struct header *h = realloc(f->headers, cap * sizeof *h);
		if (!h) {
			*err = "out of memory";
			return -1;
		}
		f->headers = h;
		p->hcap = cap;
	}
	int v = p->raw_headers ? STOMP_V10 : p->version;
	char *name = stomp_unescape(v, line, (size_t)(colon - line), err);
	if (!name)
		return -1;
	char *value = stomp_unescape(v, colon + 1, len - (size_t)(colon - line) - 1, err);
	if (!value) {
		free(name);
		return -1;
	}
	f->headers[f->nheaders++] = (struct header){ name, value };
	return 0;
}

/* The blank line after the headers: decides how the body is read. */
static int end_headers(struct stomp_parser *p, const char **err)
{
	const char *cl = stomp_frame_header(p->f, "content-length");
	if (cl) {
		size_t n = 0;
		if (!*cl) {
			*err = "content-length must be a whole number of bytes";
			return -1;
		}
		for (const char *s = cl; *s; s++) {
			if (*s < '0' || *s > '9' || n > (SIZE_MAX - 9) / 10) {
				*err = *s < '0' || *s > '9'
					? "content-length must be a whole number of bytes"
					: too_large;
				return -1;
			}
			n = n * 10 + (size_t)(*s - '0');
		}
		/* Refused here, before a byte of it is read or allocated. */
		if (n > p->max - p->used) {
			*err = too_large;
			return -1;
		}
		p->want = n;
		p->body_cap = n + 1;
		p->state = n ? PS_BODY_LENGTH : PS_BODY_NUL;
	} else {
		p->want = 0;
		p->body_cap = 64;
		p->state = PS_BODY_SCAN;
	}
	p->f->body = malloc(p->body_cap);
	if (!p->f->body) {
		*err = "out of memory";
		return -1;
	}
	p->f->body[0] = '\0';
	return 0;
}

static void finish_frame(struct stomp_parser *p, struct stomp_frame **frame)
{
	p->f->body[p->f->body_len] = '\0';
	*frame = p->f;
	p->f = NULL;
	p->used = 0;
	p->state = PS_COMMAND;
}

static int grow_body(struct stomp_parser *p, size_t more)
{
	struct stomp_frame *f = p->f;
	if (f->body_len + more + 1 <= p->body_cap)
		return 0;
	size_t cap = p->body_cap;
	while (cap < f->body_len + more + 1)
		cap *= 2;
	if (cap > p->max + 1)
		cap = p->max + 1;
	char *b = realloc(f->body, cap);
	if (!b)
		return -1;
	f->body = b;
	p->body_cap = cap;
	return 0;
}

ssize_t stomp_parser_feed(struct stomp_parser *p, const char *data, size_t len,
			  struct stomp_frame **frame, const char **err)
{
	size_t i = 0;
	*frame = NULL;
	while (i < len) {
		switch (p->state) {
		case PS_COMMAND:
		case PS_HEADERS: {
			if (p->state == PS_COMMAND && buf_len(&p->line) == 0 &&
			    (data[i] == '\n' || data[i] == '\r')) {
				i++;	/* an EOL between frames: a heart-beat */
				continue;
			}
			bool done;
			ssize_t n = gather_line(p, data + i, len - i, &done);
			if (n < 0)
				return fail(p, err, too_large);
			i += (size_t)n;
			if (!done)
				break;
			int rc = 0;
			if (p->state == PS_COMMAND) {
				rc = start_frame(p, "out of memory", err);
				p->state = PS_HEADERS;
			} else if (buf_len(&p->line) == 0) {
				rc = end_headers(p, err);
			} else {
				rc = add_header(p, err);
			}
			buf_reset(&p->line);
			if (rc < 0)
				return fail(p, err, *err);
			break;
		}
		case PS_BODY_LENGTH: {
			struct stomp_frame *f = p->f;
			size_t n = len - i < p->want - f->body_len ? len - i : p->want - f->body_len;
			memcpy(f->body + f->body_len, data + i, n);
			f->body_len += n;
			p->used += n;
			i += n;
			if (f->body_len == p->want)
				p->state = PS_BODY_NUL;
			break;
		}
		case PS_BODY_NUL:
			if (data[i] != '\0')
				return fail(p, err, "frame body not terminated by a NUL octet "
					    "after content-length bytes");
			finish_frame(p, frame);
			return (ssize_t)(i + 1);
		case PS_BODY_SCAN: {
			const char *nul = memchr(data + i, '\0', len - i);
			size_t n = nul ? (size_t)(nul - (data + i)) : len - i;
			if (n > p->max - p->used)
				return fail(p, err, too_large);
			if (grow_body(p, n) < 0)
				return fail(p, err, "out of memory");
			memcpy(p->f->body + p->f->body_len, data + i, n);
			p->f->body_len += n;
			p->used += n;
			i += n;
			if (nul) {
				finish_frame(p, frame);
				return (ssize_t)(i + 1);
			}
			break;
		}
		case PS_FAILED:
			*err = "the connection already had a protocol error";
			return -1;
		}
	}
	if (p->state == PS_FAILED) {
		*err = "the connection already had a protocol error";
		return -1;
	}
	return (ssize_t)i;
}

/* ---- encoding ---- */

int stomp_put_command(struct buf *out, const char *command)
{
	return buf_puts(out, command) | buf_append(out, "\n", 1);
}

int stomp_escape(struct buf *out, int version, const char *s)
{
	if (version < STOMP_V11)
		return buf_puts(out, s);
	int rc = 0;
	const char *start = s;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case ':': rep = "\\c"; break;
		case '\r': rep = version >= STOMP_V12 ? "\\r" : NULL; break;
		}
		if (!rep)
			continue;
		rc |= buf_append(out, start, (size_t)(s - start));
		rc |= buf_append(out, rep, 2);
		start = s + 1;
	}
	rc |= buf_append(out, start, (size_t)(s - start));
	return rc ? -1 : 0;
}

int stomp_put_header(struct buf *out, int version, const char *name, const char *value)
{
	int rc = stomp_escape(out, version, name);
	rc |= buf_append(out, ":", 1);
	rc |= stomp_escape(out, version, value);
	rc |= buf_append(out, "\n", 1);
	return rc ? -1 : 0;
}

int stomp_put_body(struct buf *out, const char *body, size_t body_len, int always_length)
{
	int rc = 0;
	if (body_len > 0 || always_length)
		rc |= buf_printf(out, "content-length:%zu\n", body_len);
	rc |= buf_append(out, "\n", 1);
	if (body_len)
		rc |= buf_append(out, body, body_len);
	rc |= buf_append(out, "", 1);
	return rc ? -1 : 0;
}

char *stomp_unescape(int version, const char *in, size_t len, const char **err)
{
	char *out = malloc(len + 1);
	if (!out) {
		*err = "out of memory";
		return NULL;
	}
	if (version < STOMP_V11) {
		memcpy(out, in, len);
		out[len] = '\0';
		return out;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\\') {
			out[o++] = in[i];
			continue;
		}
		char c = i + 1 < len ? in[++i] : '\0';
		switch (c) {
		case '\\': out[o++] = '\\'; break;
		case 'n': out[o++] = '\n'; break;
		case 'c': out[o++] = ':'; break;
		case 'r':
			if (version >= STOMP_V12) {
				out[o++] = '\r';
				break;
			}
			__attribute__((fallthrough));	/* \r is not defined before 1.2 */
		default:
			free(out);
			*err = "undefined escape sequence in a header (STOMP 1.1 and 1.2 "
			       "define only \\\\, \\n, \\c and, in 1.2, \\r)";
			return NULL;
		}
	}
	out[o] = '\0';
	return out;
}
