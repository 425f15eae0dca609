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
