/* The producer audit (broker/core/producer_audit.h): a resend of a
 * message id is known within the window of each producer, whatever the
 * order, and forgotten past it. Steps run in order on one audit. */
#include <stdbool.h>
#include <stdio.h>

#include "producer_audit.h"
#include "tap.h"

static const struct {
	const char *op;		/* "add" or "seen" */
	const char *id;
	bool seen;		/* for "seen" */
} steps[] = {
	{ "seen", "ID:p-1:1:1:1", false },
	{ "add", "ID:p-1:1:1:1", 0 },
	{ "seen", "ID:p-1:1:1:1", true },
	{ "seen", "ID:p-1:1:1:2", false },
	/* another producer, and another session of the same connection */
	{ "seen", "ID:p-2:1:1:1", false },
	{ "seen", "ID:p-1:2:1:1", false },
	/* out of order within the window; the gap stays unknown */
	{ "add", "ID:p-1:1:1:10", 0 },
	{ "add", "ID:p-1:1:1:5", 0 },
	{ "seen", "ID:p-1:1:1:5", true },
	{ "seen", "ID:p-1:1:1:4", false },
	{ "seen", "ID:p-1:1:1:10", true },
	{ "seen", "ID:p-1:1:1:11", false },
	/* the window moves past 1 and 5 but keeps 10 */
	{ "add", "ID:p-1:1:1:2057", 0 },
	{ "seen", "ID:p-1:1:1:1", false },
	{ "seen", "ID:p-1:1:1:10", true },
	{ "seen", "ID:p-1:1:1:2057", true },
	/* the ring's slot of an old sequence is not taken for a new one */
	{ "seen", "ID:p-1:1:1:2058", false },
	{ "add", "ID:p-1:1:1:100000", 0 },
	{ "seen", "ID:p-1:1:1:2057", false },
	{ "seen", "ID:p-1:1:1:100000", true },
	/* a message whose commit failed is forgotten: its resend is taken */
	{ "forget", "ID:p-1:1:1:100000", 0 },
	{ "seen", "ID:p-1:1:1:100000", false },
	{ "forget", "ID:never-heard:1:1:1", 0 },
	{ "seen", "ID:never-heard:1:1:1", false },
	/* no sequence: never audited */
	{ "add", "no-colon", 0 },
	{ "seen", "no-colon", false },
	{ "add", "ID:x:", 0 },
	{ "seen", "ID:x:", false },
	{ "add", "ID:x:12a", 0 },
	{ "seen", "ID:x:12a", false },
	{ "add", ":7", 0 },
	{ "seen", ":7", false },
	/* Tandem's own ids are PREFIX:SEQUENCE too */
	{ "add", "ID:host-1-2-1:1:42", 0 },
	{ "seen", "ID:host-1-2-1:1:42", true },
};

int main(void)
{
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char name[128];
		snprintf(name, sizeof name, "%zu: %s %s", i, steps[i].op, steps[i].id);
		if (steps[i].op[0] == 'a' || steps[i].op[0] == 'f') {
			(steps[i].op[0] == 'a' ? producer_audit_add : producer_audit_forget)(steps[i].id);
			continue;
		}
		ok(producer_audit_seen(steps[i].id) == steps[i].seen, name);
	}

	/* Past PRODUCER_AUDIT_PRODUCERS, the least recently heard go. */
	char id[64];
	producer_audit_add("ID:first:1:1:1");
	for (int p = 0; p < PRODUCER_AUDIT_PRODUCERS - 1; p++) {
		snprintf(id, sizeof id, "ID:many-%d:1:1:1", p);
		producer_audit_add(id);
	}
	producer_audit_add("ID:first:1:1:2");	/* heard again: kept */
	producer_audit_add("ID:one-more:1:1:1");
	ok(producer_audit_seen("ID:first:1:1:1"), "a producer heard again is kept");
	ok(!producer_audit_seen("ID:many-0:1:1:1"), "the least recent producer is forgotten");
	ok(producer_audit_seen("ID:many-1:1:1:1"), "the next one is kept");
	producer_audit_free();
	ok(!producer_audit_seen("ID:first:1:1:1"), "freed: nothing is known");
	return done_testing();
}
