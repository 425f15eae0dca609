/*
 * wildcard.h - ActiveMQ destination wildcards: names are '.'-separated
 * paths; '*' in a pattern matches exactly one element, '>' as the last
 * element matches zero or more trailing elements (as ActiveMQ 5 does:
 * "a.>" matches "a", "a.b" and "a.b.c"; "a.*.>" needs at least "a.x").
 * A '>' before the end of a pattern, and wildcards in a name, are plain
 * characters.
 */
#ifndef TANDEM_WILDCARD_H
#define TANDEM_WILDCARD_H

#include <stdbool.h>

/* True when some element of `name` is exactly '*' or '>'. */
bool dest_has_wildcard(const char *name);

/* Whether `pattern` stands for destination `name`; a pattern without
 * wildcards matches only the identical name. Allocation free. */
bool dest_match(const char *pattern, const char *name);

/* Two patterns compared as the sets of names they match (a name without
 * wildcards is the set of itself): whether every name `inner` matches is
 * matched by `outer` too, and whether some name is matched by both.
 * Authorization asks them of a wildcard subscription, which reads every
 * destination it matches. Allocation free. */
bool dest_covers(const char *outer, const char *inner);
bool dest_overlap(const char *a, const char *b);

#endif
