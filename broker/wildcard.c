/*
 * wildcard.c - ActiveMQ destination wildcards (contract in wildcard.h).
 *
 * Names and patterns are compared element by element ('.'-separated), with
 * no allocation: the broker matches every send against every subscription.
 */
#include <string.h>

#include "wildcard.h"

/* Length of the element starting at s (up to '.' or the end). */
static size_t element_len(const char *s)
{
	const char *dot = strchr(s, '.');
	return dot ? (size_t)(dot - s) : strlen(s);
}

bool dest_has_wildcard(const char *name)
{
	for (const char *s = name;;) {
		size_t n = element_len(s);
		if (n == 1 && (*s == '*' || *s == '>'))
			return true;
		if (!s[n])
			return false;
		s += n + 1;
	}
}

bool dest_match(const char *pattern, const char *name)
{
	const char *p = pattern, *s = name;
	for (;;) {
		size_t pn = element_len(p), sn = element_len(s);
		if (pn == 1 && *p == '>')
			return true;	/* the rest, one element or more */
		if (!(pn == 1 && *p == '*') && (pn != sn || memcmp(p, s, pn)))
			return false;
		bool p_end = !p[pn], s_end = !s[sn];
		if (p_end || s_end) {
			/* "a.>" also needs at least one element where '>' stands. */
			return p_end && s_end;
		}
		p += pn + 1;
		s += sn + 1;
	}
}
