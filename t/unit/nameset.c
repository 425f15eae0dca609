/* The ordered set that pages queues and topics: found by name, walked in
 * name order from any name on, present or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nameset.h"
#include "tap.h"

#define N 5000

static char names[N][16];

int main(void)
{
	struct nameset s = NAMESET_INIT;
	/* added in a scrambled order */
	int good = 1;
	for (int i = 0; i < N; i++) {
		int k = (int)(((long)i * 2654435761u) % N);
		snprintf(names[k], sizeof names[k], "q%05d", k);
		good &= nameset_add(&s, names[k], names[k]) == 0;
	}
	ok(good && s.count == N, "5000 names added in scrambled order");
	ok(nameset_add(&s, names[7], names[7]) < 0 && s.count == N, "a name taken is refused");
	ok(nameset_get(&s, "q00042") == names[42] && !nameset_get(&s, "q5"), "found by name");

	/* walked in order from the start */
	const char *prev = NULL;
	int n = 0;
	good = 1;
	for (const char *p = nameset_after(&s, NULL); p; p = nameset_after(&s, p)) {
		good &= !prev || strcmp(prev, p) < 0;
		prev = p;
		n++;
	}
	ok(good && n == N, "a walk by nameset_after sees every name once, in order");
	ok(!strcmp(nameset_after(&s, "q00041"), "q00042"), "after a present name: the next");
	ok(!strcmp(nameset_after(&s, "q00041x"), "q00042"), "after an absent name: the next one");
	ok(!strcmp(nameset_after(&s, ""), "q00000"), "after the empty name: the first");
	ok(!nameset_after(&s, "q04999") && !nameset_after(&s, "z"), "after the last: none");

	/* removing every other one; the walk skips them */
	for (int i = 0; i < N; i += 2)
		nameset_del(&s, names[i]);
	nameset_del(&s, "nothing");
	ok(s.count == N / 2 && !nameset_get(&s, "q00042") && nameset_get(&s, "q00043"),
	    "removed ones are gone, the others stay");
	ok(!strcmp(nameset_after(&s, "q00042"), "q00043") &&
	    !strcmp(nameset_after(&s, "q00041"), "q00043"),
	    "a walk resumes after a name that was removed");
	nameset_clear(&s);
	ok(s.count == 0 && !nameset_after(&s, NULL), "cleared");
	return done_testing();
}
