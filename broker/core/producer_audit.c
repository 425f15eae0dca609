/*
 * producer_audit.c - the producer audit (producer_audit.h): per producer,
 * a ring of PRODUCER_AUDIT_DEPTH bits indexed by sequence modulo the
 * depth, valid for the sequences (high - depth, high]; producers filed in
 * a strmap and kept in the order they were last heard from, the least
 * recent forgotten first.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "producer_audit.h"
#include "strmap.h"

#define WORDS (PRODUCER_AUDIT_DEPTH / 64)

struct audited {
	char *producer;		/* the strmap key */
	uint64_t high;		/* the highest sequence remembered */
	uint64_t bits[WORDS];
	struct audited *newer, *older;
};

static struct strmap producers = STRMAP_INIT;
static struct audited *newest, *oldest;

/* A producer id longer than this is not audited (an id comes from the
 * network; a JMS client's are below 100 bytes). */
#define KEY_MAX 512

/* Splits id at its last ':' into the producer (copied into key, KEY_MAX
 * bytes) and the sequence: false when id is no PRODUCER:SEQUENCE. */
static bool split(const char *id, char *key, uint64_t *seq)
{
	const char *colon = strrchr(id, ':');
	if (!colon || colon == id || colon - id >= KEY_MAX || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 18)
		return false;
	*seq = strtoull(colon + 1, NULL, 10);
	memcpy(key, id, (size_t)(colon - id));
	key[colon - id] = 0;
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

bool producer_audit_seen(const char *id)
{
	load_deferred();
	char key[KEY_MAX];
	uint64_t seq;
	if (!split(id, key, &seq))
		return false;
	struct audited *a = strmap_get(&producers, key);
	return a && in_window(a, seq) && bit(a, seq);
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

void producer_audit_add(const char *id)
{
	char key[KEY_MAX];
	uint64_t seq;
	if (!split(id, key, &seq))
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

void producer_audit_forget(const char *id)
{
	char key[KEY_MAX];
	uint64_t seq;
	struct audited *a = split(id, key, &seq) ? strmap_get(&producers, key) : NULL;
	if (a && in_window(a, seq))
		set_bit(a, seq, false);
}

void producer_audit_free(void)
{
	deferred = NULL;
	while (oldest)
		forget(oldest);
	strmap_clear(&producers);
}
