/*
 * respond.c - reading a request (query, headers, form) and answering it
 * (see http.h). Every answer carries the headers that keep a browser from
 * framing, sniffing, caching or running what it did not come for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http.h"

const char *web_arg(struct web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->mc, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(struct web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, name);
}

void web_add_header(struct web_req *r, const char *name, const char *value)
{
	if (!value || strpbrk(value, "\r\n"))
		return;
	struct web_header *h = realloc(r->headers, (r->nheaders + 1) * sizeof *h);
	if (!h)
		return;
	r->headers = h;
	h[r->nheaders].name = strdup(name);
	h[r->nheaders].value = strdup(value);
	if (h[r->nheaders].name && h[r->nheaders].value) {
		r->nheaders++;
	} else {
		free(h[r->nheaders].name);
		free(h[r->nheaders].value);
	}
}

/* No page may be framed, sniffed into another type, cached or run code
 * from anywhere but this server. */
static void security_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (type && !strncmp(type, "text/html", 9))
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; script-src 'self'; style-src 'self'; "
					"img-src 'self'; connect-src 'self'; form-action 'self'; "
					"frame-ancestors 'none'; base-uri 'none'");
	else	/* a message body opened in a browser must not run either */
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; sandbox; frame-ancestors 'none'");
}

static int queue(struct web_req *r, int status, const char *type, struct MHD_Response *resp)
{
	if (!resp)
		return MHD_NO;
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	security_headers(resp, type);
	for (size_t i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	int rc = MHD_queue_response(r->mc, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	return rc;
}

int web_respond(struct web_req *r, int status, const char *type, const void *data, size_t len)
{
	return queue(r, status, type, MHD_create_response_from_buffer(len, (void *)data,
								      MHD_RESPMEM_MUST_COPY));
}

int web_respond_buf(struct web_req *r, int status, const char *type, struct buf *b)
{
	size_t len = 0;
	char *data = buf_steal(b, &len);
	if (!data)
		return web_respond(r, status, type, "", 0);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(data);
	return queue(r, status, type, resp);
}

/* A streamed answer's producer, between libmicrohttpd and http.h's
 * types (http.h does not include libmicrohttpd's header): the slice
 * made, and how much of it the connection took. */
struct stream {
	web_slice_fn fn;
	void *ctx;
	void (*release)(void *ctx);
	struct buf out;
	size_t off;
	bool ended;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct stream *st = cls;
	while (st->off == buf_len(&st->out)) {
		if (st->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_consume(&st->out, buf_len(&st->out));
		st->off = 0;
		st->ended = !st->fn(st->ctx, &st->out);
	}
	size_t n = buf_len(&st->out) - st->off;
	if (n > max)
		n = max;
	memcpy(out, buf_data(&st->out) + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	st->release(st->ctx);
	buf_free(&st->out);
	free(st);
}

int web_respond_stream(struct web_req *r, int status, const char *type, web_slice_fn fn,
		       void *ctx, void (*release)(void *ctx))
{
	struct stream *st = malloc(sizeof *st);
	if (!st) {
		release(ctx);
		return MHD_NO;
	}
	*st = (struct stream){ fn, ctx, release, BUF_INIT, 0, false };
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
								       stream_read, st, stream_free);
	if (!resp) {
		stream_free(st);
		return MHD_NO;
	}
	return queue(r, status, type, resp);
}

int web_text(struct web_req *r, int status, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_puts(&b, line) < 0 || buf_puts(&b, "\n") < 0) {
		free(line);
		buf_free(&b);
		return MHD_NO;
	}
	free(line);
	return web_respond_buf(r, status, "text/plain; charset=utf-8", &b);
}

int web_redirect(struct web_req *r, const char *location)
{
	web_add_header(r, "Location", location);
	return web_text(r, 303, "See %s", location);
}

int web_json(struct web_req *r, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	if (!text)
		return web_text(r, 500, "out of memory");
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(text);
	return queue(r, status, "application/json; charset=utf-8", resp);
}

/* ---- forms ---- */

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *filename, const char *type,
				  const char *encoding, const char *data, uint64_t off, size_t size)
{
	(void)kind;
	(void)filename;
	(void)type;
	(void)encoding;
	json_t *form = cls;
	/* A long value comes in pieces, at increasing offsets. */
	const char *had = off ? json_string_value(json_object_get(form, key)) : NULL;
	size_t hadlen = had ? json_string_length(json_object_get(form, key)) : 0;
	char *v = malloc(hadlen + size + 1);
	if (!v)
		return MHD_NO;
	if (had)
		memcpy(v, had, hadlen);
	memcpy(v + hadlen, data, size);
	json_object_set_new(form, key, json_stringn_nocheck(v, hadlen + size));
	free(v);
	return MHD_YES;
}

json_t *web_form(struct web_req *r)
{
	if (r->form)
		return r->form;
	r->form = json_object();
	struct MHD_PostProcessor *pp = MHD_create_post_processor(r->mc, 64 * 1024, form_field,
								 r->form);
	if (pp) {
		if (buf_len(&r->body))
			MHD_post_process(pp, buf_data(&r->body), buf_len(&r->body));
		MHD_destroy_post_processor(pp);
	}
	return r->form;
}

const char *web_field(struct web_req *r, const char *name)
{
	return json_string_value(json_object_get(web_form(r), name));
}
