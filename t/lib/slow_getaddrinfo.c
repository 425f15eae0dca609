/*
 * slow_getaddrinfo.c - test only: a DNS server that is slow on cue, for
 * any build of tandemd (t/80-network-resolve.t preloads it).
 *
 * getaddrinfo() of the name in TANDEM_TEST_SLOW_NAME waits until the file
 * TANDEM_TEST_SLOW_RELEASE exists (60 s at most), then answers as for
 * 127.0.0.1; every other name, and a numeric-only lookup
 * (AI_NUMERICHOST), goes to the real getaddrinfo. A broker that
 * looked names up on its event loop stops serving for that long.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
		      struct addrinfo **);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	const char *slow = getenv("TANDEM_TEST_SLOW_NAME");
	const char *release = getenv("TANDEM_TEST_SLOW_RELEASE");
	/* AI_NUMERICHOST asks no server: real resolvers answer it at once. */
	bool numeric = hints && (hints->ai_flags & AI_NUMERICHOST);
	if (!slow || !release || !node || strcmp(node, slow) || numeric)
		return real(node, service, hints, res);
	for (int i = 0; i < 6000 && access(release, F_OK) != 0; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000000 }, NULL);
	return real("127.0.0.1", service, hints, res);
}
