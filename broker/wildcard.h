/*
 * wildcard.h - ActiveMQ destination wildcards: names are '.'-separated
 * paths; '*' in a pattern matches exactly one element, '>' matches one or
 * more trailing elements (as ActiveMQ does: "a.>" matches "a.b" and
 * "a.b.c" but not "a").
 */
#ifndef TANDEM_WILDCARD_H
#define TANDEM_WILDCARD_H

#include <stdbool.h>

bool dest_has_wildcard(const char *name);
bool dest_match(const char *pattern, const char *name);

#endif
