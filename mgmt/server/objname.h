/*
 * objname.h - JMX-style object names ("domain:key=value,key=value") and
 * patterns over them, as the management model names its objects.
 *
 * A pattern's values may hold * (any run) and ? (one character), its
 * domain likewise, and its key list may end with ",*": then the name may
 * have further keys. Without ",*" a name must have exactly the pattern's
 * keys (in any order), as in JMX.
 */
#ifndef TANDEM_OBJNAME_H
#define TANDEM_OBJNAME_H

#include <stdbool.h>
#include <stddef.h>

#define OBJNAME_MAX_KEYS 12

struct objname {
	char *domain;
	size_t nkeys;
	char *key[OBJNAME_MAX_KEYS];
	char *value[OBJNAME_MAX_KEYS];
	bool wildcard_keys;	/* the pattern ended in ",*" */
	char *buf;		/* owns the strings above */
};

/* Parses s; 0, or -1 when it is not an object name (no ':', an empty or
 * duplicate key, too many keys, a key without '='). */
int objname_parse(const char *s, struct objname *out);
/* The same into a caller's buffer (at least strlen(s) + 1 bytes), with no
 * allocation: out must not be passed to objname_free(). */
int objname_parse_in(const char *s, char *buf, size_t buflen, struct objname *out);
void objname_free(struct objname *n);

/* The value of key in n, or NULL. */
const char *objname_get(const struct objname *n, const char *key);

/* True when pattern p (parsed) matches the name n (parsed). */
bool objname_match(const struct objname *p, const struct objname *n);

/* True when s holds a pattern character (* or ?) anywhere. */
bool objname_is_pattern(const char *s);

/* Glob match of * and ? (no escapes). */
bool objname_glob(const char *pattern, const char *s);

/* ActiveMQ's quoting of a value for an object name: ':' ',' '=' '*' '?'
 * and '"' become '_'. Writes into out (size outlen), always terminated. */
void objname_quote(const char *value, char *out, size_t outlen);

#endif
