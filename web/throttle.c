/*
 * throttle.c - failed logins per user name and address, and the wait
 * before the next attempt (see throttle.h).
 *
 * It replaces a lockout per address (10 failures in a minute refused
 * every login from there for the rest of the minute), which locked out
 * every user behind a proxy when one of them mistyped, and let anyone
 * lock out everyone else. Now a pair's first FREE failures cost nothing,
 * then each doubles the wait from BASE_MS up to MAX_MS: after 12 failures
 * a guesser gets two tries a minute per user name, and whoever knows the
 * password is let in once the wait is over.
 *
 * A small table, searched linearly (logins are rare); a pair is forgotten
 * FORGET_MS after its last failure, and when the table is full the pair
 * whose last failure is oldest gives its place.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "throttle.h"

#define PAIRS 1024
#define FREE 3
#define BASE_MS 250
#define MAX_MS 30000
#define FORGET_MS (15 * 60 * 1000)

static struct pair {
	bool used;
	char user[128];
	char ip[64];
	int failures;
	int64_t last_ms;	/* of the last failure */
	int64_t next_ms;	/* no check before */
} pairs[PAIRS];

/* "1.2.3.4:5" or "[::1]:5": the address without its port. */
static void ip_of(const char *addr, char ip[64])
{
	const char *colon = strrchr(addr, ':');
	snprintf(ip, 64, "%.*s", (int)(colon ? colon - addr : (long)strlen(addr)), addr);
}

static bool is(const struct pair *p, const char *user, const char *ip)
{
	return p->used && !strcmp(p->ip, ip) && !strncmp(p->user, user, sizeof p->user - 1);
}

static struct pair *find(const char *user, const char *addr, int64_t now_ms, bool add)
{
	char ip[64];
	ip_of(addr, ip);
	struct pair *free_one = NULL;
	for (size_t i = 0; i < PAIRS; i++) {
		struct pair *p = &pairs[i];
		if (p->used && now_ms - p->last_ms > FORGET_MS)
			p->used = false;
		if (is(p, user, ip))
			return p;
		if (!free_one || !p->used || (free_one->used && p->last_ms < free_one->last_ms))
			free_one = p;
	}
	if (!add)
		return NULL;
	*free_one = (struct pair){ .used = true, .last_ms = now_ms, .next_ms = now_ms };
	snprintf(free_one->user, sizeof free_one->user, "%s", user);
	snprintf(free_one->ip, sizeof free_one->ip, "%s", ip);
	return free_one;
}

static int64_t delay_ms(int failures)
{
	if (failures < FREE)
		return 0;
	int shift = failures - FREE;
	return shift >= 8 || ((int64_t)BASE_MS << shift) > MAX_MS ? MAX_MS
								  : (int64_t)BASE_MS << shift;
}

int64_t web_throttle_wait(const char *user, const char *addr, int64_t now_ms)
{
	struct pair *p = find(user ? user : "", addr, now_ms, false);
	return p && p->next_ms > now_ms ? p->next_ms - now_ms : 0;
}

void web_throttle_failed(const char *user, const char *addr, int64_t now_ms)
{
	struct pair *p = find(user ? user : "", addr, now_ms, true);
	p->failures++;
	p->last_ms = now_ms;
	p->next_ms = now_ms + delay_ms(p->failures);
	if (p->failures == FREE)
		log_warn("web", "%d failed logins of user [%s] from %s: each further attempt of "
			 "theirs waits longer, up to %d s", FREE, p->user, p->ip, MAX_MS / 1000);
}

void web_throttle_passed(const char *user, const char *addr, int64_t now_ms)
{
	struct pair *p = find(user ? user : "", addr, now_ms, false);
	if (p)
		p->used = false;
}

void web_throttle_clear(void)
{
	memset(pairs, 0, sizeof pairs);
}
