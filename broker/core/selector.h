/*
 * selector.h - JMS message selectors (the subset ActiveMQ's STOMP users
 * write): comparisons = <> < <= > >=, AND, OR, NOT, parentheses,
 * [NOT] IN ('a', 'b'), [NOT] LIKE 'pat%_' [ESCAPE 'c'], [NOT] BETWEEN x AND y,
 * IS [NOT] NULL, arithmetic + - * / on numbers, string literals in single
 * quotes ('' for a quote), numeric literals, TRUE/FALSE. Keywords are case
 * insensitive; identifiers are case sensitive.
 *
 * Values come from headers, which are strings (or typed, when the lookup
 * says so: selector_lookup_fn): a comparison is numeric when
 * both sides read as numbers, otherwise string equality/inequality (< > on
 * strings is false, as in JMS). A missing header is NULL, and SQL's
 * three-valued logic applies (NULL = 'x' is unknown, NOT unknown is unknown,
 * and a message matches only when the whole selector is true).
 */
#ifndef TANDEM_SELECTOR_H
#define TANDEM_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

struct selector;

/* Compiles `text`. On a syntax error returns NULL and writes a message
 * naming the position and what was expected into err. */
struct selector *selector_compile(const char *text, char *err, size_t errlen);
void selector_free(struct selector *s);

/* What a looked-up value is. SELECTOR_TEXT, the default: a header's
 * text, a number when it reads as one and a boolean when it says true or
 * false (STOMP's headers). The others say exactly, as a JMS property's
 * type does: a String property "5" is no number, an int property 5 is no
 * string.  */
enum selector_type { SELECTOR_TEXT, SELECTOR_STRING, SELECTOR_NUMBER, SELECTOR_BOOLEAN };

/* The value of identifier `name` for the message at hand, or NULL when it
 * has none; *type is SELECTOR_TEXT unless the lookup says otherwise. The
 * string must stay valid during selector_match(). */
typedef const char *(*selector_lookup_fn)(void *ctx, const char *name,
					  enum selector_type *type);

bool selector_match(const struct selector *s, selector_lookup_fn lookup,
		    void *ctx);

#endif
