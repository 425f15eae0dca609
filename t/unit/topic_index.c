/* The topic index finds exactly the subscriptions dest_match() would
 * find by reading them all: checked on chosen cases, then on many random
 * patterns and topics against that reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "topic_index.h"
#include "wildcard.h"

#define MAX_SUBS 600

static const char *patterns[MAX_SUBS];
static char pattern_text[MAX_SUBS][64];
static size_t npatterns;
static int seen[MAX_SUBS];	/* times each subscription was found */

static int mark(void *sub, void *ctx)
{
	(void)ctx;
	seen[(const char **)sub - patterns]++;
	return 0;
}

/* Files patterns[i] as subscription &patterns[i]. */
static int file(struct topic_index *ix, const char *pattern)
{
	snprintf(pattern_text[npatterns], sizeof pattern_text[0], "%s", pattern);
	patterns[npatterns] = pattern_text[npatterns];
	int rc = topic_index_add(ix, patterns[npatterns], &patterns[npatterns]);
	npatterns++;
	return rc;
}

/* Whether the index finds for name what reading every filed pattern finds
 * (each once); removed ones are NULL. */
static bool agrees(const struct topic_index *ix, const char *name)
{
	memset(seen, 0, sizeof seen);
	topic_index_match(ix, name, mark, NULL);
	for (size_t i = 0; i < npatterns; i++) {
		int want = patterns[i] && dest_match(patterns[i], name);
		if (seen[i] != want) {
			diag("topic %s, pattern %s: found %d times, wanted %d", name,
			     pattern_text[i], seen[i], want);
			return false;
		}
	}
	return true;
}

static int stop_at_second(void *sub, void *ctx)
{
	(void)sub;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

/* A random pattern or topic of 1-4 elements from a small alphabet, so that
 * they often meet (a topic's wildcards are plain characters). */
static void random_dest(char *out)
{
	static const char *elements[] = { "a", "b", "ab", "", "*", ">", "a*" };
	size_t n = 1 + rand() % 4, len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *e = elements[rand() % 7];
		len += (size_t)sprintf(out + len, "%s%s", i ? "." : "", e);
	}
}

int main(void)
{
	struct topic_index ix = { 0 };
	static const char *chosen[] = {
		"dev.7.cmd", "dev.7.cmd", "dev.8.cmd", "dev.*.cmd", "dev.7.>", "dev.>",
		"*.7.cmd", ">", "dev.>.cmd", "dev", "dev.7.*", "news", "*", "dev.7.cmd.>",
	};
	for (size_t i = 0; i < sizeof chosen / sizeof *chosen; i++)
		file(&ix, chosen[i]);
	is((int)ix.count, 14, "every subscription is filed");
	ok(agrees(&ix, "dev.7.cmd"), "a topic finds its own, the wildcards over it, and a twin");
	ok(seen[0] == 1 && seen[1] == 1 && seen[3] == 1 && seen[4] == 1 && seen[5] == 1 &&
	   seen[6] == 1 && seen[7] == 1 && seen[10] == 1 && seen[13] == 1 && !seen[2] &&
	   !seen[8] && !seen[9] && !seen[11] && !seen[12], "and nothing else");
	ok(agrees(&ix, "dev") && seen[5] == 1 && seen[9] == 1 && seen[7] == 1,
	   "a trailing '>' matches nothing left too (\"dev.>\" takes \"dev\")");
	ok(agrees(&ix, "dev.>.cmd") && seen[8] == 1, "a '>' inside a pattern is a plain element");
	ok(agrees(&ix, "dev.*.cmd") && seen[3] == 1 && !seen[0],
	   "wildcards in a topic are plain characters");
	ok(agrees(&ix, "") && agrees(&ix, "dev.") && agrees(&ix, ".dev"),
	   "empty topics and elements");

	int calls = 0;
	is(topic_index_match(&ix, "dev.7.cmd", stop_at_second, &calls), 7,
	   "a callback's non-zero stops the walk and is returned");
	is(calls, 2, "after the second subscription");

	memset(seen, 0, sizeof seen);
	topic_index_same(&ix, "dev.7.cmd", mark, NULL);
	ok(seen[0] == 1 && seen[1] == 1 && !seen[13] && !seen[4],
	   "topic_index_same finds the patterns spelled alike only");
	memset(seen, 0, sizeof seen);
	topic_index_same(&ix, "dev.7.>", mark, NULL);
	ok(seen[4] == 1 && !seen[5] && !seen[13] && !seen[0], "a wildcard pattern too");

	topic_index_remove(&ix, "dev.7.cmd", &patterns[0]);
	patterns[0] = NULL;
	topic_index_remove(&ix, "dev.>", &patterns[5]);
	patterns[5] = NULL;
	topic_index_remove(&ix, "dev.>", &patterns[4]);	/* filed under another */
	is((int)ix.count, 12, "removing takes out what is filed there, only that");
	ok(agrees(&ix, "dev.7.cmd") && seen[1] == 1 && seen[4] == 1,
	   "the twin and the others stay");
	topic_index_clear(&ix);
	is((int)ix.count, 0, "clearing empties it");

	/* Random: patterns filed, some removed, each topic agreeing. */
	srand(1);
	bool all = true;
	for (int round = 0; round < 20 && all; round++) {
		npatterns = 0;
		for (int i = 0; i < 300; i++) {
			char p[64];
			random_dest(p);
			if (file(&ix, p) < 0)
				all = false;
		}
		for (size_t i = 0; i < npatterns; i += 3) {
			topic_index_remove(&ix, patterns[i], &patterns[i]);
			patterns[i] = NULL;
		}
		for (int t = 0; t < 300 && all; t++) {
			char name[64];
			random_dest(name);
			all = agrees(&ix, name);
		}
		topic_index_clear(&ix);
	}
	ok(all, "20 rounds of 300 random patterns, a third removed: 6,000 random topics "
	   "find what dest_match finds");
	return done_testing();
}
