/*
 * mgmt_guard.c - password guessing on the management socket (see
 * mgmt_server.h, mgmt_guard_*).
 *
 * Without it, one local client tried 6,900 passwords a second. Each
 * address (an IP; a uid for the unix socket) has a slot: the time its
 * next login may be checked. The first GUARD_FREE tries are checked at
 * once (typos); after that every failure pushes the slot further, by
 * loginFailureDelay doubling with each failure up to GUARD_DELAY_MAX_MS.
 * (With the default 500 ms: three tries at once, then waits of 0.5, 1,
 * 2, 4 s... up to 30 s: a few hundred guesses an hour, not 6,900 a
 * second.)
 * A login waits for its slot, whatever its password, so more connections
 * buy no more guesses; one that would wait past GUARD_QUEUE_MS is refused
 * at once. An address without a failure for GUARD_FORGET_MS starts over.
 *
 * The log gets the first failure of an address, then once a minute (and
 * at stop) how many more there were, instead of a line per guess.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "mgmt_server.h"

#define GUESSERS 64
#define GUARD_FREE 3
#define GUARD_DELAY_MAX_MS 30000
#define GUARD_QUEUE_MS 60000
#define GUARD_FORGET_MS 600000
#define SUMMARY_MS 60000

static struct guesser {
	char key[64];
	int failures;		/* since it started over */
	int unreported;		/* failures not in the log yet */
	long refused;		/* logins refused unchecked, not in the log yet */
	char last_user[64];	/* the latest user name tried, for the log */
	int64_t last_fail_ms;
	int64_t next_ms;	/* its next login is checked no sooner */
} guessers[GUESSERS];

static struct {
	struct loop *loop;
	int64_t delay_ms;
	uint64_t summary_timer;
	int64_t summary_since;
} guard;

/* "1.2.3.4:5" or "[::1]:5" is the address without its port; a unix
 * socket's peer ("uid 0 (unix socket)") is its uid. */
static void key_of(const char *peer, char *key, size_t n)
{
	const char *colon = strrchr(peer, ':');
	snprintf(key, n, "%.*s", colon ? (int)(colon - peer) : (int)strlen(peer), peer);
}

static struct guesser *find(const char *peer, int64_t now, bool add)
{
	char key[64];
	key_of(peer, key, sizeof key);
	struct guesser *oldest = &guessers[0];
	for (size_t i = 0; i < GUESSERS; i++) {
		struct guesser *g = &guessers[i];
		if (g->key[0] && !g->unreported && !g->refused &&
		    now - g->last_fail_ms > GUARD_FORGET_MS)
			g->key[0] = '\0';
		if (g->key[0] && !strcmp(g->key, key))
			return g;
		if (!g->key[0] || g->last_fail_ms < oldest->last_fail_ms)
			oldest = g;
	}
	if (!add)
		return NULL;
	if (oldest->key[0] && oldest->unreported)
		log_warn("mgmt", "%d more failed management logins from %s (the latest for user "
			 "[%s])", oldest->unreported, oldest->key, oldest->last_user);
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->key, sizeof oldest->key, "%s", key);
	return oldest;
}

/* The wait after failure number n: none for the first GUARD_FREE - 1,
 * then loginFailureDelay, doubling. */
static int64_t penalty(int n)
{
	if (n < GUARD_FREE)
		return 0;
	int64_t d = guard.delay_ms;
	for (int i = GUARD_FREE; i < n && d < GUARD_DELAY_MAX_MS; i++)
		d *= 2;
	return d < GUARD_DELAY_MAX_MS ? d : GUARD_DELAY_MAX_MS;
}

static void summarize(const char *span)
{
	for (size_t i = 0; i < GUESSERS; i++) {
		struct guesser *g = &guessers[i];
		if (!g->key[0] || (!g->unreported && !g->refused))
			continue;
		log_warn("mgmt", "%d failed management logins from %s in the last %s (the latest "
			 "for user [%s]), and %ld refused unchecked; its logins are slowed down",
			 g->unreported, g->key, span, g->last_user, g->refused);
		g->unreported = 0;
		g->refused = 0;
	}
}

static void summary_fire(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	guard.summary_timer = 0;
	summarize("minute");
}

static void arm_summary(int64_t now)
{
	if (guard.summary_timer)
		return;
	guard.summary_since = now;
	guard.summary_timer = loop_add_timer(guard.loop, SUMMARY_MS, summary_fire, NULL);
}

void mgmt_guard_start(struct loop *l, int64_t delay_ms)
{
	guard.loop = l;
	guard.delay_ms = delay_ms > 0 ? delay_ms : 1;
	memset(guessers, 0, sizeof guessers);
}

void mgmt_guard_stop(void)
{
	if (!guard.loop)
		return;
	char span[32];
	snprintf(span, sizeof span, "%lld s",
		 (long long)((loop_now(guard.loop) - guard.summary_since + 999) / 1000));
	summarize(span);
	if (guard.summary_timer)
		loop_del_timer(guard.loop, guard.summary_timer);
	guard.summary_timer = 0;
}

int64_t mgmt_guard_slot(const char *peer, int64_t now)
{
	struct guesser *g = find(peer, now, false);
	if (!g)
		return now;
	int64_t at = g->next_ms > now ? g->next_ms : now;
	if (at == now)
		return now;
	if (at - now > GUARD_QUEUE_MS) {
		g->refused++;
		arm_summary(now);
		return -1;
	}
	/* This login takes the slot, and counts as a failure now: logins
	 * sent at once on many connections wait longer and longer. */
	g->failures++;
	g->next_ms = at + penalty(g->failures);
	return at;
}

void mgmt_guard_failed(const char *peer, const char *user, bool waited, int64_t now)
{
	struct guesser *g = find(peer, now, true);
	if (!waited)
		g->failures++;
	g->last_fail_ms = now;
	snprintf(g->last_user, sizeof g->last_user, "%s", user);
	int64_t next = now + penalty(g->failures);
	if (next > g->next_ms)
		g->next_ms = next;
	if (g->failures == 1) {
		log_warn("mgmt", "Management login failed for user [%s] from %s (more failures from "
			 "there are counted, and said once a minute)", user, g->key);
		return;
	}
	g->unreported++;
	arm_summary(now);
}
