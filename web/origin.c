/*
 * origin.c - is a request a browser's, made by a page of another site?
 * (see origin.h)
 *
 * A browser that holds the console's Basic credentials sends them with
 * any request a page of any site makes: a form posting text/plain to
 * /api/message sent a message, and one posting JSON-looking text to
 * /api/jolokia purged a queue. What a page cannot do is choose the
 * headers the browser adds to say where the request comes from, so:
 *
 *  - Sec-Fetch-Site (every current browser) is trusted when present:
 *    "same-origin" and "none" (typed in, a bookmark) pass; "same-site"
 *    (another port or subdomain of this host) and "cross-site" do not.
 *  - Else Origin (every browser on a cross-origin POST since 2020) must
 *    name this console: its host and port as the Host header says.
 *    "null" (a sandboxed frame, a file) never does.
 *  - Else Referer, when there is one, must name this console.
 *  - A request with none of the three is not a browser's: curl, scripts
 *    and tandemctl send none, so `curl -u admin:admin -d hello URL` works.
 *
 * A proxy in front must pass Host unchanged (HAProxy does; nginx with
 * proxy_set_header Host $http_host), or browsers that send no
 * Sec-Fetch-Site are refused.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "origin.h"

/* The host[:port] of "scheme://host[:port][/...]", with its default
 * port dropped; 0 when there is none. */
static size_t authority(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	bool https = !strncasecmp(url, "https://", 8);
	p += 3;
	size_t n = strcspn(p, "/?#");
	if (!n || n >= outlen)
		return 0;
	snprintf(out, outlen, "%.*s", (int)n, p);
	const char *dflt = https ? ":443" : ":80";
	size_t dl = strlen(dflt);
	if (n > dl && !strcmp(out + n - dl, dflt))
		out[n -= dl] = '\0';
	return n;
}

bool web_origin_same(const char *host, const char *url)
{
	char a[256];
	size_t n = host && url ? authority(url, a, sizeof a) : 0;
	if (!n)
		return false;
	size_t hl = strlen(host);
	/* "Host: h:80" is the same as "http://h" */
	return (hl == n && !strncasecmp(host, a, n)) ||
	       (hl > n && !strncasecmp(host, a, n) && (!strcmp(host + n, ":80") ||
							!strcmp(host + n, ":443")));
}

const char *web_origin_foreign(struct web_req *r)
{
	static char why[300];
	const char *site = web_header(r, "Sec-Fetch-Site");
	if (site) {
		if (!strcasecmp(site, "same-origin") || !strcasecmp(site, "none"))
			return NULL;
		snprintf(why, sizeof why, "its browser says it comes from a %.64s page", site);
		return why;
	}
	const char *origin = web_header(r, "Origin");
	if (origin) {
		if (web_origin_same(web_header(r, "Host"), origin))
			return NULL;
		snprintf(why, sizeof why, "its Origin %.200s is not this console", origin);
		return why;
	}
	const char *referer = web_header(r, "Referer");
	if (referer && !web_origin_same(web_header(r, "Host"), referer)) {
		snprintf(why, sizeof why, "its Referer %.200s is not this console", referer);
		return why;
	}
	return NULL;
}
