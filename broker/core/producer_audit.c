/*
 * producer_audit.c - the producer audit (producer_audit.h): per producer
 * and per whose audit it is, a ring of PRODUCER_AUDIT_DEPTH bits indexed
 * by sequence modulo the depth, valid for the sequences (high - depth,
 * high]; producers filed in a strmap under "WHOSE|PRODUCER" and kept in
 * the order they were last heard from, the least recent forgotten first.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "producer_audit.h"
#include "strmap.h"

#define WORDS (PRODUCER_AUDIT_DEPTH / 64)

struct audited {
	char *producer;		/* the strmap key: whose audit, '|', the producer */
	uint64_t high;		/* the highest sequence remembered */
	uint64_t bits[WORDS];
	struct audited *newer, *older;
};

const char STORED_IDS[] = "stored";

static struct strmap producers = STRMAP_INIT;
static struct audited *newest, *oldest;

/* A key longer than this is not audited (an id comes from the network;
 * a JMS client's are below 100 bytes). */
#define KEY_MAX 512

/* Whose audit a key is in: anyone's (the store's), or who's, its length
 * first, so that no login can make another's key. */
static int whose_prefix(const char *who, char *key)
{
	if (who == STORED_IDS)
		return snprintf(key, KEY_MAX, "s|");
	return snprintf(key, KEY_MAX, "%zu:%s|", strlen(who), who);
}

/* The key of id in who's audit (KEY_MAX bytes) and its sequence: false
 * when id is no PRODUCER:SEQUENCE or the key is too long. */
static bool split(const char *who, const char *id, char *key, uint64_t *seq)
{
	const char *colon = strrchr(id, ':');
	if (!colon || colon == id || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 18)
		return false;
	int n = whose_prefix(who, key);
	if (n < 0 || n + (colon - id) >= KEY_MAX)
		return false;
	*seq = strtoull(colon + 1, NULL, 10);
	memcpy(key + n, id, (size_t)(colon - id));
	key[n + (colon - id)] = 0;
	return true;
}

static bool bit(const struct audited *a, uint64_t seq)
{
	uint64_t i = seq % PRODUCER_AUDIT_DEPTH;
	return a->bits[i / 64] >> (i % 64) & 1;
}

static void set_bit(struct audited *a, uint64_t seq, bool on)
{
	uint64_t i = seq % PRODUCER_AUDIT_DEPTH, m = UINT64_C(1) << (i % 64);
	a->bits[i / 64] = on ? a->bits[i / 64] | m : a->bits[i / 64] & ~m;
}

static bool in_window(const struct audited *a, uint64_t seq)
{
	return seq <= a->high && a->high - seq < PRODUCER_AUDIT_DEPTH;
}

/* What the store remembers, read when an id is first asked about
 * (producer_audit_defer): only producers that fail over need it, and a
 * takeover need not wait for it. */
static void (*deferred)(void);

void producer_audit_defer(void (*load)(void))
{
	deferred = load;
}

static void load_deferred(void)
{
	void (*load)(void) = deferred;
	deferred = NULL;
	if (load)
		load();
}

void producer_audit_load(void)
{
	load_deferred();
}

static bool seen_in(const char *who, const char *id)
{
	char key[KEY_MAX];
	uint64_t seq;
	if (!split(who, id, key, &seq))
		return false;
	struct audited *a = strmap_get(&producers, key);
	return a && in_window(a, seq) && bit(a, seq);
}

bool producer_audit_seen(const char *who, const char *id)
{
	load_deferred();
	return seen_in(who, id) || seen_in(STORED_IDS, id);
}

static void unlink_audited(struct audited *a)
{
	*(a->newer ? &a->newer->older : &newest) = a->older;
	*(a->older ? &a->older->newer : &oldest) = a->newer;
	a->newer = a->older = NULL;
}

static void link_newest(struct audited *a)
{
	a->older = newest;
	if (newest)
		newest->newer = a;
	newest = a;
	if (!oldest)
		oldest = a;
}

static void forget(struct audited *a)
{
	unlink_audited(a);
	strmap_del(&producers, a->producer);
	free(a->producer);
	free(a);
}

static struct audited *audited_of(const char *key)
{
	struct audited *a = strmap_get(&producers, key);
	if (a) {
		unlink_audited(a);
		link_newest(a);
		return a;
	}
	if (producers.count >= PRODUCER_AUDIT_PRODUCERS)
		forget(oldest);
	a = calloc(1, sizeof *a);
	if (!a || !(a->producer = strdup(key)) || strmap_put(&producers, a->producer, a) < 0) {
		if (a)
			free(a->producer);
		free(a);
		return NULL;
	}
	link_newest(a);
	return a;
}

void producer_audit_add(const char *who, const char *id)
{
	char key[KEY_MAX];
	uint64_t seq;
	if (!split(who, id, key, &seq))
		return;
	struct audited *a = audited_of(key);
	if (!a)
		return;
	if (seq > a->high) {
		/* The sequences the window moves past are not known yet. */
		uint64_t gap = seq - a->high;
		if (gap >= PRODUCER_AUDIT_DEPTH)
			memset(a->bits, 0, sizeof a->bits);
		else
			for (uint64_t s = a->high + 1; s < seq; s++)
				set_bit(a, s, false);
		a->high = seq;
	} else if (!in_window(a, seq)) {
		return;
	}
	set_bit(a, seq, true);
}

void producer_audit_add_stored(const char *who, const char *id)
{
	if (!who)
		return;
	bool known = !strncmp(who, "c:", 2) || !strncmp(who, "b:", 2);
	producer_audit_add(known ? who : STORED_IDS, id);
}

/* Only after a failed commit: walking every audit is fine then. */
void producer_audit_forget(const char *id)
{
	char key[KEY_MAX];
	uint64_t seq;
	if (!split(STORED_IDS, id, key, &seq))
		return;
	const char *producer = key + 2;		/* past "s|" */
	for (struct audited *a = newest; a; a = a->older) {
		const char *bar = a->producer + 1;	/* "s|" */
		if (a->producer[0] != 's') {	/* past who, whose length is given */
			char *end;
			size_t len = strtoul(a->producer, &end, 10);
			bar = end + 1 + len;
		}
		if (!strcmp(bar + 1, producer) && in_window(a, seq))
			set_bit(a, seq, false);
	}
}

void producer_audit_free(void)
{
	deferred = NULL;
	while (oldest)
		forget(oldest);
	strmap_clear(&producers);
}
