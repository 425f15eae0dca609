/*
 * objname.c - object names and patterns (see objname.h).
 */
#include <stdlib.h>
#include <string.h>

#include "objname.h"

/* Splits buf (a copy of the name) in place. */
static int split(char *buf, struct objname *out)
{
	char *p = strchr(buf, ':');
	if (!p || p == buf)
		return -1;
	*p++ = '\0';
	out->domain = buf;
	while (*p) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!strcmp(p, "*") && !comma) {
			out->wildcard_keys = true;
			break;
		}
		char *eq = strchr(p, '=');
		if (!eq || eq == p || out->nkeys == OBJNAME_MAX_KEYS)
			goto bad;
		*eq = '\0';
		for (size_t i = 0; i < out->nkeys; i++)
			if (!strcmp(out->key[i], p))
				goto bad;
		out->key[out->nkeys] = p;
		out->value[out->nkeys] = eq + 1;
		out->nkeys++;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			goto bad;	/* a trailing comma */
	}
	if (!out->nkeys && !out->wildcard_keys)
		goto bad;
	return 0;
bad:
	return -1;
}

int objname_parse(const char *s, struct objname *out)
{
	memset(out, 0, sizeof *out);
	char *buf = strdup(s);
	if (!buf)
		return -1;
	if (split(buf, out) < 0) {
		free(buf);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->buf = buf;
	return 0;
}

int objname_parse_in(const char *s, char *buf, size_t buflen, struct objname *out)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(s);
	if (len >= buflen)
		return -1;
	memcpy(buf, s, len + 1);
	return split(buf, out);
}

void objname_free(struct objname *n)
{
	free(n->buf);
	memset(n, 0, sizeof *n);
}

const char *objname_get(const struct objname *n, const char *key)
{
	for (size_t i = 0; i < n->nkeys; i++)
		if (!strcmp(n->key[i], key))
			return n->value[i];
	return NULL;
}

bool objname_glob(const char *p, const char *s)
{
	/* Iterative, with one backtrack point: linear enough for names. */
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

bool objname_is_pattern(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

bool objname_match(const struct objname *p, const struct objname *n)
{
	if (!objname_glob(p->domain, n->domain))
		return false;
	if (!p->wildcard_keys && p->nkeys != n->nkeys)
		return false;
	for (size_t i = 0; i < p->nkeys; i++) {
		const char *v = objname_get(n, p->key[i]);
		if (!v || !objname_glob(p->value[i], v))
			return false;
	}
	return true;
}

void objname_quote(const char *value, char *out, size_t outlen)
{
	size_t i = 0;
	for (; value[i] && i + 1 < outlen; i++)
		out[i] = strchr(":,=*?\"", value[i]) ? '_' : value[i];
	out[i] = '\0';
}
