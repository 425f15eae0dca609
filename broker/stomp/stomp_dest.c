/*
 * stomp_dest.c - STOMP destination headers as ActiveMQ reads and writes
 * them (see stomp_dest.h). Where to start: stomp_dest_parse().
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stomp_dest.h"
#include "temp_dest.h"

static const struct {
	const char *prefix;
	enum dest_type type;
	enum stomp_dest_scope scope;
} prefixes[] = {
	{ "/queue/", DEST_QUEUE, STOMP_DEST_NAMED },
	{ "/topic/", DEST_TOPIC, STOMP_DEST_NAMED },
	{ "/temp-queue/", DEST_QUEUE, STOMP_DEST_TEMP },
	{ "/temp-topic/", DEST_TOPIC, STOMP_DEST_TEMP },
	{ "/remote-temp-queue/", DEST_QUEUE, STOMP_DEST_NAMED },
	{ "/remote-temp-topic/", DEST_TOPIC, STOMP_DEST_NAMED },
};

/* Java's String.trim(), which ActiveMQ applies to the header and again to
 * the name: every byte up to the space goes, at both ends. */
static const char *trim(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n && (unsigned char)*s <= ' ') {
		s++;
		n--;
	}
	while (n && (unsigned char)s[n - 1] <= ' ')
		n--;
	*len = n;
	return s;
}

int stomp_dest_parse(const char *header, struct stomp_dest *d, char *buf, size_t buflen,
		     const char **why, char *err, size_t errlen)
{
	size_t len;
	const char *h = trim(header, &len);
	if (!len) {
		*why = "Empty destination";
		snprintf(err, errlen, "Invalid empty destination header");
		return -1;
	}
	/* ActiveMQ's fallback: whatever no prefix claims is a queue. */
	*d = (struct stomp_dest){ DEST_QUEUE, STOMP_DEST_NAMED, NULL };
	const char *name = h;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (len >= n && !strncmp(h, prefixes[i].prefix, n)) {
			d->type = prefixes[i].type;
			d->scope = prefixes[i].scope;
			name = h + n;
			break;
		}
	}
	size_t nlen = len - (size_t)(name - h);
	while (nlen && (unsigned char)*name <= ' ') {
		name++;
		nlen--;
	}
	/* ActiveMQ names a temporary destination by the whole header, so
	 * "/temp-queue/" alone is one; any other prefix needs a name. */
	if (!nlen && d->scope != STOMP_DEST_TEMP) {
		*why = "Illegal destination";
		snprintf(err, errlen, "Illegal destination name: [%.*s] -- a name must follow "
			 "the prefix", (int)len, h);
		return -1;
	}
	if (nlen > STOMP_DEST_NAME_MAX || nlen >= buflen) {
		*why = "Destination name too long";
		snprintf(err, errlen, "Illegal destination name: [%.64s...] -- a name may have "
			 "at most %d characters", h, STOMP_DEST_NAME_MAX);
		return -1;
	}
	memcpy(buf, name, nlen);
	buf[nlen] = '\0';
	d->name = buf;
	return 0;
}

/* prefix and name into out, cut to outlen: snprintf's result without
 * its cost, for a header written on every delivery. */
static void join(char *out, size_t outlen, const char *prefix, const char *name)
{
	size_t p = strlen(prefix), n = strlen(name);
	if (p >= outlen)
		p = outlen - 1;
	if (n > outlen - 1 - p)
		n = outlen - 1 - p;
	memcpy(out, prefix, p);
	memcpy(out + p, name, n);
	out[p + n] = '\0';
}

void stomp_dest_format(const struct conn *c, enum dest_type type, const char *name, char *out,
		       size_t outlen)
{
	bool topic = type == DEST_TOPIC;
	const char *own = temp_dest_is_temp(name) ? temp_dest_local_name(c, name) : NULL;
	if (own)
		join(out, outlen, topic ? "/temp-topic/" : "/temp-queue/", own);
	else if (temp_dest_is_temp(name))
		join(out, outlen, topic ? "/remote-temp-topic/" : "/remote-temp-queue/", name);
	else
		join(out, outlen, topic ? "/topic/" : "/queue/", name);
}

const char *stomp_dest_reply_to(const struct conn *c, const char *value, char *out,
				size_t outlen)
{
	static const char *const remote[] = { "/remote-temp-queue/", "/remote-temp-topic/" };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(remote[i]);
		if (strncmp(value, remote[i], n) || !temp_dest_local_name(c, value + n))
			continue;
		stomp_dest_format(c, i ? DEST_TOPIC : DEST_QUEUE, value + n, out, outlen);
		return out;
	}
	return value;
}
