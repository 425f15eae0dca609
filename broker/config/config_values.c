/*
 * config_values.c - the value syntaxes of ActiveMQ's configuration: sizes
 * ("100 gb"), booleans, percentages, ports and connector URIs. Shared by
 * the loader and by anything else that reads such values (URI options).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

int config_parse_size(const char *s, long long *out)
{
	/* ActiveMQ's MemoryPropertyEditor: a number, optional blanks, and an
	 * optional unit b, kb, mb, gb (1024-based), any case. */
	static const struct {
		const char *unit;
		int shift;
	} units[] = { { "", 0 }, { "b", 0 }, { "kb", 10 }, { "k", 10 }, { "mb", 20 }, { "m", 20 },
		      { "gb", 30 }, { "g", 30 }, { "tb", 40 }, { "t", 40 } };
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	size_t ulen = strlen(end);
	while (ulen && isspace((unsigned char)end[ulen - 1]))
		ulen--;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strlen(units[i].unit) != ulen || strncasecmp(end, units[i].unit, ulen))
			continue;
		if (n > (unsigned long long)LLONG_MAX >> units[i].shift)
			return -1;
		*out = (long long)(n << units[i].shift);
		return 0;
	}
	return -1;
}

int config_parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "true"))
		*out = true;
	else if (!strcasecmp(s, "false"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	long n = strtol(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

int config_parse_percent(const char *s, int *out)
{
	long n;
	if (parse_long(s, 0, 100, &n) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

int config_parse_port(const char *s, int *out)
{
	long n;
	if (parse_long(s, 0, 65535, &n) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

static int add_option(struct conf_connector *c, const char *name, size_t nlen,
		      const char *value, size_t vlen)
{
	struct conf_option *o = realloc(c->options, (c->noptions + 1) * sizeof *o);
	if (!o)
		return -1;
	c->options = o;
	o[c->noptions].name = strndup(name, nlen);
	o[c->noptions].value = strndup(value, vlen);
	if (!o[c->noptions].name || !o[c->noptions].value) {
		free(o[c->noptions].name);
		free(o[c->noptions].value);
		return -1;
	}
	c->noptions++;
	return 0;
}

int config_parse_connector_uri(const char *uri, struct conf_connector *c,
			       char *why, size_t whylen)
{
	const char *sep = strstr(uri, "://");
	if (!sep || sep == uri) {
		snprintf(why, whylen, "a URI like tcp://0.0.0.0:61616");
		return -1;
	}
	for (const char *s = uri; s < sep; s++) {
		if (!isalnum((unsigned char)*s) && *s != '+') {
			snprintf(why, whylen, "a URI scheme of letters and '+', like tcp or auto+nio");
			return -1;
		}
	}
	const char *host = sep + 3, *hend, *port;
	if (*host == '[') {	/* [::1]:61616 */
		hend = strchr(host, ']');
		if (!hend || hend[1] != ':') {
			snprintf(why, whylen, "an IPv6 address as [addr]:port");
			return -1;
		}
		port = hend + 2;
		host++;
	} else {
		hend = host + strcspn(host, ":/?");
		if (*hend != ':') {
			snprintf(why, whylen, "a URI with host and port, like tcp://0.0.0.0:61616");
			return -1;
		}
		port = hend + 1;
	}
	if (hend == host) {
		snprintf(why, whylen, "a host name or address before the port");
		return -1;
	}
	size_t plen = strcspn(port, "/?");
	char portbuf[16];
	if (plen == 0 || plen >= sizeof portbuf) {
		snprintf(why, whylen, "a port number from 0 to 65535");
		return -1;
	}
	memcpy(portbuf, port, plen);
	portbuf[plen] = '\0';
	if (config_parse_port(portbuf, &c->port) < 0) {
		snprintf(why, whylen, "a port number from 0 to 65535, not '%s'", portbuf);
		return -1;
	}
	c->scheme = strndup(uri, (size_t)(sep - uri));
	c->host = strndup(host, (size_t)(hend - host));
	if (!c->scheme || !c->host) {
		snprintf(why, whylen, "memory");
		return -1;
	}
	const char *q = strchr(port, '?');
	while (q && *++q) {
		const char *amp = q + strcspn(q, "&");
		const char *eq = memchr(q, '=', (size_t)(amp - q));
		if (!eq || eq == q) {
			snprintf(why, whylen, "options as name=value&name=value");
			return -1;
		}
		if (add_option(c, q, (size_t)(eq - q), eq + 1, (size_t)(amp - eq - 1)) < 0) {
			snprintf(why, whylen, "memory");
			return -1;
		}
		q = *amp ? amp : NULL;
	}
	return 0;
}
