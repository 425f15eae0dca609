/*
 * framing.h - requests that two HTTP parsers could read differently are
 * refused (issue 16, point 13: request smuggling).
 *
 * Behind a proxy, a request whose end the proxy and this server find in
 * different places lets a client slip a second request past the proxy's
 * rules. Debian 12's libmicrohttpd (0.9.75) takes Transfer-Encoding over
 * Content-Length when both are sent, takes the first of several
 * Content-Length headers, reads a body of unknown Transfer-Encoding until
 * the connection closes, keeps "Content-Length : 4" as some other header
 * (so the body is read as the next request), and cuts the path at a NUL
 * (raw or %00: "/health%00x" was served as /health). These checks run
 * once the headers are in, before the route, the login or the body.
 */
#ifndef TANDEM_WEB_FRAMING_H
#define TANDEM_WEB_FRAMING_H

#include <stddef.h>

struct MHD_Connection;

/* The request target as libmicrohttpd first shows it (its URI log
 * callback), before it cuts the query off and decodes the path in place. */
struct web_target {
	const char *raw;	/* where it starts; compared later, never read */
	size_t len;		/* bytes up to the first NUL */
	const char *bad;	/* why it is refused already, or NULL */
};

/* Notes the raw target; uri may be NULL (a request line without one). */
void web_target_seen(struct web_target *t, const char *uri);

/* NULL when the request is framed without ambiguity, else why not (a
 * static string). url and version are what the request handler is given. */
const char *web_framing_error(struct MHD_Connection *mc, const struct web_target *t,
			     const char *url, const char *version);

#endif
