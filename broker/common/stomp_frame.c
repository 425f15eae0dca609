/*
 * stomp_frame.c - the STOMP frame parser and encoder (contract in
 * stomp_frame.h).
 *
 * The parser (struct stomp_parser) keeps one frame under construction in
 * `f` and a state:
 *
 *   PS_COMMAND      EOLs between frames (heart-beats) and stray NULs are
 *                   skipped, then the command line is gathered and trimmed
 *   PS_HEADERS      "name:value" lines until an empty one (a line without
 *                   ':' is a name with an empty value)
 *   PS_BODY_LENGTH  exactly content-length bytes, NULs included
 *   PS_BODY_NUL     the NUL that must follow them
 *   PS_BODY_SCAN    no content-length: everything up to the first NUL
 *   PS_FAILED       a protocol error happened; nothing more is parsed
 *
 * A command or header line is gathered in `line` until its LF, so a frame
 * may be split at any byte and the result does not depend on the chunking.
 * Every byte of command, headers and body counts against max_frame_size in
 * `used` before it is stored, lines are also held to ActiveMQ's per-line
 * limits, and the number of headers to ActiveMQ's 1000: a hostile client
 * cannot make the broker allocate more than a small multiple of the limit.
 * A known content-length is checked against the limit before the body
 * buffer is allocated, and then that buffer is allocated once.
 *
 * What ActiveMQ tolerates in input is tolerated here too; the rules are
 * listed in stomp_lenient.h.
 *
 * Start reading at stomp_parser_feed(); the encoder is at the bottom.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stomp_frame.h"
#include "stomp_lenient.h"

/* ActiveMQ's StompWireFormat limits (MAX_COMMAND_LENGTH, MAX_HEADER_LENGTH,
 * MAX_HEADERS): raw bytes of a line without its LF, and headers per frame. */
#define MAX_COMMAND_LINE 1024
#define MAX_HEADER_LINE (10 * 1024)
#define MAX_HEADERS 1000

/* Line buffers larger than this are freed after their frame. */
#define LINE_KEEP 1024

/* The first body allocation when the length is not known. */
#define BODY_SCAN_START 256

enum parse_state {
	PS_COMMAND,
	PS_HEADERS,
	PS_BODY_LENGTH,
	PS_BODY_NUL,
	PS_BODY_SCAN,
	PS_FAILED,
};

struct stomp_parser {
	size_t max;		/* max_frame_size */
	int version;		/* STOMP_V10 until stomp_parser_set_version() */
	enum parse_state state;
	struct buf line;	/* the command or header line being gathered */
	struct stomp_frame *f;	/* the frame being built; NULL in PS_COMMAND */
	size_t hcap;		/* entries allocated in f->headers */
	bool raw_headers;	/* CONNECT, STOMP, CONNECTED: never unescaped */
	size_t used;		/* raw bytes of this frame so far */
	size_t body_want;	/* PS_BODY_LENGTH: the content-length */
	size_t body_max;	/* most body bytes the limit still allows */
	size_t body_cap;	/* bytes allocated in f->body */
};

const char stomp_err_too_large[] =
	"frame too large: it exceeds the maximum frame size (wireFormat.maxFrameSize)";
#define err_too_large stomp_err_too_large
static const char err_command_line[] = "The maximum command length was exceeded";
static const char err_header_line[] = "The maximum header length was exceeded";
static const char err_headers[] = "The maximum number of headers was exceeded";
static const char err_nul_line[] = "malformed frame: NUL octet in the command or a header line";
static const char err_length[] =
	"bad content-length: it must be a whole number of bytes (digits only)";
static const char err_no_nul[] =
	"frame body not terminated by NUL after content-length bytes";
static const char err_escape[] =
	"undefined escape sequence in header (only \\\\, \\n, \\c and, "
	"since STOMP 1.2, \\r are defined)";
static const char err_failed[] = "the parser already failed on a protocol error";
static const char err_oom[] = "out of memory";

/* ---- frames ---- */

/* Tolerates what stomp.c leaves behind after moving strings out: a NULL
 * array, and NULL names or values. */
const char *stomp_frame_header(const struct stomp_frame *f, const char *name)
{
	if (!f->headers)
		return NULL;
	for (size_t i = 0; i < f->nheaders; i++)
		if (f->headers[i].name && !strcmp(f->headers[i].name, name))
			return f->headers[i].value;
	return NULL;
}

void stomp_frame_free(struct stomp_frame *f)
{
	if (!f)
		return;
	free(f->command);
	if (f->headers)
		headers_free(f->headers, f->nheaders);	/* free(NULL) is fine */
	free(f->body);
	free(f);
}

/* ---- parser ---- */

struct stomp_parser *stomp_parser_new(size_t max_frame_size)
{
	struct stomp_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max = max_frame_size;
	p->version = STOMP_V10;
	p->state = PS_COMMAND;
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

void stomp_parser_set_max(struct stomp_parser *p, size_t max_frame_size)
{
	p->max = max_frame_size;
}

size_t stomp_parser_held(const struct stomp_parser *p)
{
	size_t n = p->used + p->line.cap;
	bool body = p->state == PS_BODY_LENGTH || p->state == PS_BODY_NUL ||
		    p->state == PS_BODY_SCAN;
	if (body && p->f)
		n += p->body_cap - p->f->body_len;
	return n;
}

static ssize_t fail(struct stomp_parser *p, const char **err, const char *why)
{
	p->state = PS_FAILED;
	*err = why;
	return -1;
}

/* Gathers data up to and including an LF into p->line, counting it against
 * the frame and the line limit first. Returns the bytes used and sets
 * *done when the line is complete (its LF, and a CR before it, removed);
 * NULL, or the reason when a limit is hit. */
static const char *gather_line(struct stomp_parser *p, const char *data, size_t len,
			       size_t line_max, const char *line_err, size_t *used,
			       bool *done)
{
	const char *lf = memchr(data, '\n', len);
	size_t n = lf ? (size_t)(lf - data) + 1 : len;
	size_t content = lf ? n - 1 : n;
	if (n > p->max - p->used)
		return err_too_large;
	if (content > line_max - buf_len(&p->line))
		return line_err;
	if (memchr(data, '\0', content))
		return err_nul_line;
	if (buf_append(&p->line, data, content) < 0)
		return err_oom;
	p->used += n;
	*used = n;
	*done = lf != NULL;
	if (*done && p->line.len > p->line.off && p->line.data[p->line.len - 1] == '\r')
		p->line.data[--p->line.len] = '\0';
	return NULL;
}

static bool is_raw_command(const char *cmd)
{
	return !strcmp(cmd, "CONNECT") || !strcmp(cmd, "STOMP") ||
	       !strcmp(cmd, "CONNECTED");
}

static const char *start_frame(struct stomp_parser *p, const char *command, size_t len)
{
	p->f = calloc(1, sizeof *p->f);
	if (!p->f)
		return err_oom;
	p->f->command = strndup(command, len);
	if (!p->f->command)
		return err_oom;
	p->raw_headers = is_raw_command(p->f->command);
	p->hcap = 0;
	return NULL;
}

static const char *add_header(struct stomp_parser *p)
{
	const char *line = buf_data(&p->line);
	size_t len = buf_len(&p->line);
	const char *colon = memchr(line, ':', len);
	struct stomp_frame *f = p->f;
	if (f->nheaders == MAX_HEADERS)
		return err_headers;
	if (f->nheaders == p->hcap) {
		size_t cap = p->hcap ? p->hcap * 2 : 8;
		if (cap > MAX_HEADERS)
			cap = MAX_HEADERS;
		struct header *h = realloc(f->headers, cap * sizeof *h);
		if (!h)
			return err_oom;
		f->headers = h;
		p->hcap = cap;
	}
	/* CONNECT and STOMP frames come before a version is agreed: ActiveMQ
	 * reads them as 1.0, which trims their values too. A line without
	 * ':' is a name with an empty value, as ActiveMQ reads it. */
	int v = p->raw_headers ? STOMP_V10 : p->version;
	size_t name_len = colon ? (size_t)(colon - line) : len;
	const char *val = colon ? colon + 1 : line + len;
	size_t val_len = colon ? len - name_len - 1 : 0;
	if (v < STOMP_V11)
		stomp_lenient_trim(&val, &val_len);
	const char *err = NULL;
	char *name = stomp_unescape(v, line, name_len, &err);
	if (!name)
		return err;
	char *value = stomp_unescape(v, val, val_len, &err);
	if (!value) {
		free(name);
		return err;
	}
	f->headers[f->nheaders++] = (struct header){ name, value };
	return NULL;
}

/* The blank line after the headers: decides how the body is read and
 * allocates it, after checking a known length against the limit. */
static const char *end_headers(struct stomp_parser *p)
{
	p->body_max = p->max - p->used;
	const char *cl = stomp_frame_header(p->f, "content-length");
	if (cl) {
		size_t n = 0, cl_len = strlen(cl);
		stomp_lenient_trim(&cl, &cl_len);
		if (!cl_len)
			return err_length;
		for (size_t i = 0; i < cl_len; i++)
			if (cl[i] < '0' || cl[i] > '9')
				return err_length;
		for (size_t i = 0; i < cl_len; i++) {
			size_t d = (size_t)(cl[i] - '0');
			if (n > (SIZE_MAX - d) / 10)
				return err_too_large;	/* larger than any limit */
			n = n * 10 + d;
		}
		if (n > p->body_max)
			return err_too_large;
		p->body_want = n;
		p->body_cap = n + 1;
		p->state = n ? PS_BODY_LENGTH : PS_BODY_NUL;
	} else {
		p->body_want = 0;
		p->body_cap = p->body_max < BODY_SCAN_START ? p->body_max + 1
							    : BODY_SCAN_START;
		p->state = PS_BODY_SCAN;
	}
	p->f->body = malloc(p->body_cap);
	if (!p->f->body)
		return err_oom;
	p->f->body[0] = '\0';
	return NULL;
}

/* Makes room for `more` body bytes plus the NUL; the caller has checked
 * that body_len + more <= body_max, so the capacity never passes it. */
static int grow_body(struct stomp_parser *p, size_t more)
{
	struct stomp_frame *f = p->f;
	size_t need = f->body_len + more + 1;
	if (need <= p->body_cap)
		return 0;
	size_t cap = p->body_cap;
	while (cap < need)
		cap = cap > p->body_max / 2 ? p->body_max + 1 : cap * 2;
	char *b = realloc(f->body, cap);
	if (!b)
		return -1;
	f->body = b;
	p->body_cap = cap;
	return 0;
}

static void finish_frame(struct stomp_parser *p, struct stomp_frame **frame)
{
	struct stomp_frame *f = p->f;
	f->body[f->body_len] = '\0';
	if (p->body_cap > f->body_len + 1) {	/* a scanned body: give back the slack */
		char *b = realloc(f->body, f->body_len + 1);
		if (b)
			f->body = b;
	}
	*frame = f;
	p->f = NULL;
	p->used = 0;
	p->state = PS_COMMAND;
	/* A long header line grew it: an idle connection keeps no such. */
	if (p->line.cap > LINE_KEEP)
		buf_free(&p->line);
}

ssize_t stomp_parser_feed(struct stomp_parser *p, const char *data, size_t len,
			  struct stomp_frame **frame, const char **err)
{
	const char *dummy;
	if (!err)
		err = &dummy;
	*frame = NULL;
	if (p->state == PS_FAILED)
		return fail(p, err, err_failed);
	size_t i = 0;
	while (i < len) {
		const char *why = NULL;
		switch (p->state) {
		case PS_COMMAND: {
			if (buf_len(&p->line) == 0 && stomp_lenient_skipped(data[i])) {
				i++;	/* a heart-beat, or a stray NUL */
				continue;
			}
			size_t n;
			bool done;
			why = gather_line(p, data + i, len - i, MAX_COMMAND_LINE,
					  err_command_line, &n, &done);
			if (why)
				break;
			i += n;
			if (!done)
				continue;
			const char *cmd = buf_data(&p->line);
			size_t cmd_len = buf_len(&p->line);
			stomp_lenient_trim(&cmd, &cmd_len);
			if (cmd_len == 0) {
				p->used = 0;	/* "\r\n" or blanks: a heart-beat too */
				buf_reset(&p->line);
				continue;
			}
			why = start_frame(p, cmd, cmd_len);
			buf_reset(&p->line);
			p->state = PS_HEADERS;
			break;
		}
		case PS_HEADERS: {
			size_t n;
			bool done;
			why = gather_line(p, data + i, len - i, MAX_HEADER_LINE,
					  err_header_line, &n, &done);
			if (why)
				break;
			i += n;
			if (!done)
				continue;
			why = buf_len(&p->line) ? add_header(p) : end_headers(p);
			buf_reset(&p->line);
			break;
		}
		case PS_BODY_LENGTH: {
			struct stomp_frame *f = p->f;
			size_t n = p->body_want - f->body_len;
			if (n > len - i)
				n = len - i;
			memcpy(f->body + f->body_len, data + i, n);
			f->body_len += n;
			p->used += n;
			i += n;
			if (f->body_len == p->body_want)
				p->state = PS_BODY_NUL;
			continue;
		}
		case PS_BODY_NUL:
			if (data[i] != '\0')
				return fail(p, err, err_no_nul);
			finish_frame(p, frame);
			return (ssize_t)(i + 1);
		case PS_BODY_SCAN: {
			struct stomp_frame *f = p->f;
			const char *nul = memchr(data + i, '\0', len - i);
			size_t n = nul ? (size_t)(nul - (data + i)) : len - i;
			if (n > p->body_max - f->body_len)
				return fail(p, err, err_too_large);
			if (grow_body(p, n) < 0)
				return fail(p, err, err_oom);
			memcpy(f->body + f->body_len, data + i, n);
			f->body_len += n;
			p->used += n;
			i += n;
			if (nul) {
				finish_frame(p, frame);
				return (ssize_t)(i + 1);
			}
			continue;
		}
		case PS_FAILED:
			return fail(p, err, err_failed);
		}
		if (why)
			return fail(p, err, why);
	}
	return (ssize_t)i;
}

/* ---- encoding ---- */

int stomp_put_command(struct buf *out, const char *command)
{
	return buf_puts(out, command) | buf_append(out, "\n", 1);
}

/* 1.0 has no escaping, but a raw LF would end the header line and let a
 * value from a 1.1/1.2 producer forge headers or whole frames for a 1.0
 * consumer, so LF alone is written as the 1.1 sequence there too. */
int stomp_escape(struct buf *out, int version, const char *s)
{
	if (!s)
		return 0;
	/* The characters each version escapes; most values have none, and
	 * go in one append. */
	const char *special = version >= STOMP_V12 ? "\n\\:\r"
			      : version >= STOMP_V11 ? "\n\\:" : "\n";
	int rc = 0;
	for (;;) {
		size_t n = strcspn(s, special);
		rc |= buf_append(out, s, n);
		if (!s[n])
			break;
		const char *rep = s[n] == '\n' ? "\\n" : s[n] == '\\' ? "\\\\"
				  : s[n] == ':' ? "\\c" : "\\r";
		rc |= buf_append(out, rep, 2);
		s += n + 1;
	}
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
	if (body_len > 0 || always_length) {
		rc |= buf_puts(out, "content-length:");
		rc |= buf_put_i64(out, (int64_t)body_len);
		rc |= buf_append(out, "\n", 1);
	}
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
		*err = err_oom;
		return NULL;
	}
	if (version < STOMP_V11) {
		if (len)
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
		char c = i + 1 < len ? in[++i] : '\0';	/* a trailing \ is undefined */
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
			*err = err_escape;
			return NULL;
		}
	}
	out[o] = '\0';
	return out;
}
