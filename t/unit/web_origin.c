/* Does an Origin or Referer name the console a Host header names? (the
 * HTTP API's defence against cross-site requests, web/origin.c) */
#include <stdbool.h>
#include <stdio.h>

#include "origin.h"
#include "tap.h"

static const struct {
	const char *host, *url;
	bool same;
} cases[] = {
	/* the same host and port, whatever the path, case or scheme */
	{ "127.0.0.1:8161", "http://127.0.0.1:8161", true },
	{ "127.0.0.1:8161", "http://127.0.0.1:8161/queues?x=1", true },
	{ "Console.Example:8161", "http://console.example:8161", true },
	{ "console.example", "https://console.example", true },
	{ "[::1]:8161", "http://[::1]:8161/", true },
	/* a default port is the same as none */
	{ "console.example:80", "http://console.example", true },
	{ "console.example", "http://console.example:80", true },
	{ "console.example:443", "https://console.example", true },
	{ "console.example", "https://console.example:443/", true },

	/* another port, host or look-alike */
	{ "127.0.0.1:8161", "http://127.0.0.1:8162", false },
	{ "127.0.0.1:8161", "http://127.0.0.1", false },
	{ "127.0.0.1", "http://127.0.0.1:8161", false },
	{ "console.example:80", "http://console.example:8080", false },
	{ "console.example:8080", "http://console.example", false },
	{ "console.example", "http://console.example.evil.example", false },
	{ "console.example", "http://evil.example/console.example", false },
	{ "console.example", "http://console.example@evil.example", false },
	{ "console.example", "http://evil.example?console.example", false },
	{ "evil.example", "http://evil", false },

	/* what is no URL of a server */
	{ "console.example", "null", false },
	{ "console.example", "", false },
	{ "console.example", "http://", false },
	{ "console.example", "file:///etc/passwd", false },
	{ "console.example", "console.example", false },
	{ NULL, "http://console.example", false },
	{ "console.example", NULL, false },
	{ "", "http://x", false },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[300];
		snprintf(name, sizeof name, "Host %s, %s: %s", cases[i].host ? cases[i].host : "(none)",
			 cases[i].url ? cases[i].url : "(none)", cases[i].same ? "same" : "another");
		ok(web_origin_same(cases[i].host, cases[i].url) == cases[i].same, name);
	}
	return done_testing();
}
