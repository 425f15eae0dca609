/*
 * origin.h - where a browser's request comes from: the HTTP API's defence
 * against cross-site request forgery (see origin.c).
 */
#ifndef TANDEM_WEB_ORIGIN_H
#define TANDEM_WEB_ORIGIN_H

#include <stdbool.h>

struct web_req;

/* url ("scheme://host[:port][/...]", an Origin or a Referer) names the
 * server that a Host header of host names; default ports (80, 443) match
 * their absence. false when either is missing or malformed. */
bool web_origin_same(const char *host, const char *url);

/* NULL when r comes from a page of this console or from no browser at
 * all (no Sec-Fetch-Site, Origin or Referer: curl, tandemctl); else why
 * it is a browser's request on behalf of another site, for the log. The
 * text is valid until the next call. */
const char *web_origin_foreign(struct web_req *r);

#endif
