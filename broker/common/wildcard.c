/*
 * wildcard.c - ActiveMQ destination wildcards (contract in wildcard.h).
 *
 * Names and patterns are compared element by element ('.'-separated), with
 * no allocation: the broker matches every send against every subscription.
 * The rules follow ActiveMQ 5's DestinationFilter family:
 *   - '*' as a whole element matches exactly one element of the name;
 *   - a run of '>' elements at the end of the pattern matches whatever is
 *     left of the name, nothing included ("A.>" and "A.>.>" match "A");
 *   - a '>' anywhere else, and '*' or '>' inside a longer element, are
 *     plain characters;
 *   - wildcards in the name are plain characters too, so a wildcard send
 *     reaches a wildcard subscription only when the two are spelled alike.
 */
#include <string.h>

#include "wildcard.h"

/* Length of the element starting at s (up to '.' or the end). */
static size_t element_len(const char *s)
{
	const char *dot = strchr(s, '.');
	return dot ? (size_t)(dot - s) : strlen(s);
}

static bool is_element(const char *s, size_t n, char c)
{
	return n == 1 && *s == c;
}

/* Where the trailing run of '>' elements starts, or NULL when the pattern
 * does not end with one. Found once, so a pattern made of many '>' cannot
 * make dest_match() quadratic. */
static const char *descendants(const char *pattern)
{
	const char *run = NULL;
	for (const char *p = pattern;;) {
		size_t n = element_len(p);
		if (!is_element(p, n, '>'))
			run = NULL;
		else if (!run)
			run = p;
		if (!p[n])
			return run;
		p += n + 1;
	}
}

bool dest_has_wildcard(const char *name)
{
	for (const char *s = name;;) {
		size_t n = element_len(s);
		if (is_element(s, n, '*') || is_element(s, n, '>'))
			return true;
		if (!s[n])
			return false;
		s += n + 1;
	}
}

bool dest_match(const char *pattern, const char *name)
{
	const char *rest = descendants(pattern);
	const char *p = pattern;
	const char *s = name;	/* NULL once every element of the name is used */
	for (;;) {
		if (p == rest)
			return true;
		if (!s)
			return false;
		size_t pn = element_len(p), sn = element_len(s);
		if (!is_element(p, pn, '*') && (pn != sn || memcmp(p, s, pn)))
			return false;
		const char *s_next = s[sn] ? s + sn + 1 : NULL;
		if (!p[pn])
			return !s_next;
		p += pn + 1;
		s = s_next;
	}
}

/* A pattern as the names it matches: `fixed` elements, each one name
 * element or '*' (any one), then, when `rest` is set, any number of
 * elements more (the trailing run of '>'). */
struct shape {
	const char *p;
	size_t fixed;
	bool rest;
};

static struct shape shape_of(const char *p)
{
	const char *rest = descendants(p);
	struct shape s = { p, 0, rest != NULL };
	for (const char *e = p; e != rest;) {
		size_t n = element_len(e);
		s.fixed++;
		if (!e[n])
			break;
		e += n + 1;
	}
	return s;
}

/* Walks the fixed elements both shapes have, calling ok(a, an, b, bn) on
 * each pair; false as soon as one says false. */
static bool each_pair(struct shape a, struct shape b,
		      bool (*ok)(const char *a, size_t an, const char *b, size_t bn))
{
	const char *x = a.p, *y = b.p;
	for (size_t i = 0; i < a.fixed && i < b.fixed; i++) {
		size_t xn = element_len(x), yn = element_len(y);
		if (!ok(x, xn, y, yn))
			return false;
		x += xn + (x[xn] != '\0');
		y += yn + (y[yn] != '\0');
	}
	return true;
}

/* Element `in` (of the inner pattern) only stands for names `out` takes. */
static bool element_covers(const char *out, size_t on, const char *in, size_t in_n)
{
	return is_element(out, on, '*') ||
	       (!is_element(in, in_n, '*') && on == in_n && !memcmp(out, in, on));
}

/* Some name element both stand for. */
static bool element_meets(const char *a, size_t an, const char *b, size_t bn)
{
	return is_element(a, an, '*') || is_element(b, bn, '*') ||
	       (an == bn && !memcmp(a, b, an));
}

bool dest_covers(const char *outer, const char *inner)
{
	struct shape o = shape_of(outer), i = shape_of(inner);
	/* Every length inner takes, outer must take. */
	bool lengths = o.rest ? o.fixed <= i.fixed : !i.rest && o.fixed == i.fixed;
	return lengths && each_pair(o, i, element_covers);
}

bool dest_overlap(const char *a, const char *b)
{
	struct shape x = shape_of(a), y = shape_of(b);
	bool lengths = (x.rest && y.rest) || (x.rest && y.fixed >= x.fixed) ||
		       (y.rest && x.fixed >= y.fixed) || x.fixed == y.fixed;
	return lengths && each_pair(x, y, element_meets);
}
