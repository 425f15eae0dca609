/*
 * html.h - building the console's pages: escaping (every text that comes
 * from a message, a header, a client or a name goes through html_text or
 * url_text, never straight into the page), the frame every page shares,
 * and POST forms that carry the session's CSRF token.
 */
#ifndef TANDEM_WEB_HTML_H
#define TANDEM_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"

struct web_req;

/* Text escaped for HTML content and quoted attribute values; a NUL in
 * it shows as U+FFFD. */
void html_textn(struct buf *b, const char *s, size_t n);
void html_text(struct buf *b, const char *s);	/* NULL: nothing */
/* A JSON value as text: strings as they are, numbers, true/false; escaped. */
void html_value(struct buf *b, json_t *v);
/* <td>value</td>, escaped. */
void html_cell(struct buf *b, json_t *v);
/* Attributes that hold ms since the epoch, and their cell: UTC, "-"
 * for 0 (never). */
bool html_is_time(const char *attr);
void html_time_cell(struct buf *b, json_t *v);
/* ms since the epoch as "2026-12-07 14:01:07.123Z". */
void html_time_text(struct buf *b, long long ms);
/* A table of objects (query_rows), one column per attribute. */
struct html_col {
	const char *attr, *heading;
};
void html_rows(struct buf *b, const char *id, json_t *rows, const struct html_col *cols,
	       size_t ncols, const char *none);
/* Text escaped for a URL's query value (percent-encoding). */
void url_text(struct buf *b, const char *s);

/* The page's head, navigation and banners (role, default password, and
 * ?done= / ?error= of the action that led here). */
void html_begin(struct web_req *r, struct buf *b, const char *title);
/* Closes the page and answers 200 with it. */
int html_end(struct web_req *r, struct buf *b);
/* <form method="post" action="ACTION"> and the CSRF token; close it with
 * "</form>". */
void html_form(struct web_req *r, struct buf *b, const char *action);
/* A one-button POST form with one hidden field per name/value pair
 * (NULL-terminated), e.g. purge. */
void html_button(struct web_req *r, struct buf *b, const char *action, const char *label,
		 const char *confirm, ...) __attribute__((sentinel));

/* After an action: back to `to` saying what was done or what failed. */
int html_done(struct web_req *r, const char *to, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int html_failed(struct web_req *r, const char *to, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
