/* The producer audit (broker/core/producer_audit.h): a resend of a
 * message id is known within the window of each producer, whatever the
 * order, and forgotten past it; a bridge's ids are its login's alone, and
 * so are they when read back from the store. Steps run in order on one
 * audit. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "producer_audit.h"
#include "tap.h"

static const struct {
	const char *op;		/* "add", "seen", "forget" or "load" (from the store) */
	const char *id;
	bool seen;		/* for "seen" */
	const char *who;	/* whose audit: "c:LOGIN" a client's own, "b:LOGIN" a
				 * bridge's; for "load", what the store kept */
} steps[] = {
	{ "seen", "ID:p-1:1:1:1", false, "c:" },
	{ "add", "ID:p-1:1:1:1", 0, "c:" },
	{ "seen", "ID:p-1:1:1:1", true, "c:" },
	{ "seen", "ID:p-1:1:1:2", false, "c:" },
	/* another producer, and another session of the same connection */
	{ "seen", "ID:p-2:1:1:1", false, "c:" },
	{ "seen", "ID:p-1:2:1:1", false, "c:" },
	/* out of order within the window; the gap stays unknown */
	{ "add", "ID:p-1:1:1:10", 0, "c:" },
	{ "add", "ID:p-1:1:1:5", 0, "c:" },
	{ "seen", "ID:p-1:1:1:5", true, "c:" },
	{ "seen", "ID:p-1:1:1:4", false, "c:" },
	{ "seen", "ID:p-1:1:1:10", true, "c:" },
	{ "seen", "ID:p-1:1:1:11", false, "c:" },
	/* the window moves past 1 and 5 but keeps 10 */
	{ "add", "ID:p-1:1:1:2057", 0, "c:" },
	{ "seen", "ID:p-1:1:1:1", false, "c:" },
	{ "seen", "ID:p-1:1:1:10", true, "c:" },
	{ "seen", "ID:p-1:1:1:2057", true, "c:" },
	/* the ring's slot of an old sequence is not taken for a new one */
	{ "seen", "ID:p-1:1:1:2058", false, "c:" },
	{ "add", "ID:p-1:1:1:100000", 0, "c:" },
	{ "seen", "ID:p-1:1:1:2057", false, "c:" },
	{ "seen", "ID:p-1:1:1:100000", true, "c:" },
	/* a message whose commit failed is forgotten: its resend is taken */
	{ "forget", "ID:p-1:1:1:100000", 0, "c:" },
	{ "seen", "ID:p-1:1:1:100000", false, "c:" },
	{ "forget", "ID:never-heard:1:1:1", 0, "c:" },
	{ "seen", "ID:never-heard:1:1:1", false, "c:" },
	/* no sequence: never audited */
	{ "add", "no-colon", 0, "c:" },
	{ "seen", "no-colon", false, "c:" },
	{ "add", "ID:x:", 0, "c:" },
	{ "seen", "ID:x:", false, "c:" },
	{ "add", "ID:x:12a", 0, "c:" },
	{ "seen", "ID:x:12a", false, "c:" },
	{ "add", ":7", 0, "c:" },
	{ "seen", ":7", false, "c:" },
	/* Tandem's own ids are PREFIX:SEQUENCE too */
	{ "add", "ID:host-1-2-1:1:42", 0, "c:" },
	{ "seen", "ID:host-1-2-1:1:42", true, "c:" },
	/* a bridge's ids are its login's: no client's, no other login's */
	{ "add", "ID:b-1:1:1:1", 0, "b:net" },
	{ "seen", "ID:b-1:1:1:1", true, "b:net" },
	{ "seen", "ID:b-1:1:1:1", false, "b:eve" },
	{ "seen", "ID:b-1:1:1:1", false, "b:" },
	{ "seen", "ID:b-1:1:1:1", false, "c:" },
	{ "add", "ID:c-1:1:1:1", 0, "c:" },
	{ "seen", "ID:c-1:1:1:1", false, "b:net" },
	/* a login cannot make another login's key */
	{ "add", "b|ID:k-1:1:1:1", 0, "b:a" },
	{ "seen", "ID:k-1:1:1:1", false, "b:a|b" },
	/* what the store had is everyone's */
	{ "add", "ID:s-1:1:1:1", 0, STORED_IDS },
	{ "seen", "ID:s-1:1:1:1", true, "c:" },
	{ "seen", "ID:s-1:1:1:1", true, "b:net" },
	/* a failed commit's id is forgotten in every audit */
	{ "add", "ID:f-1:1:1:5", 0, "b:net" },
	{ "add", "ID:f-1:1:1:5", 0, "c:" },
	{ "add", "ID:f-1:1:1:5", 0, STORED_IDS },
	{ "forget", "ID:f-1:1:1:5", 0, "c:" },
	{ "seen", "ID:f-1:1:1:5", false, "b:net" },
	{ "seen", "ID:f-1:1:1:5", false, "c:" },
	/* read back from the store, each id goes into the audit it was in */
	{ "load", "ID:t-1:1:1:1", 0, "c:" },
	{ "seen", "ID:t-1:1:1:1", true, "c:" },
	{ "seen", "ID:t-1:1:1:1", false, "b:net" },
	{ "load", "ID:t-2:1:1:1", 0, "b:net" },
	{ "seen", "ID:t-2:1:1:1", true, "b:net" },
	{ "seen", "ID:t-2:1:1:1", false, "b:eve" },
	{ "seen", "ID:t-2:1:1:1", false, "c:" },
	{ "load", "ID:t-3:1:1:1", 0, "b:" },
	{ "seen", "ID:t-3:1:1:1", true, "b:" },
	{ "seen", "ID:t-3:1:1:1", false, "c:" },
	/* one that was in none (another's id sent first) is in none */
	{ "load", "ID:t-4:1:1:1", 0, NULL },
	{ "seen", "ID:t-4:1:1:1", false, "c:" },
	{ "seen", "ID:t-4:1:1:1", false, "b:net" },
	/* a row that does not say whose (an older store's, a KahaDB
	 * import's), or says what this tandemd does not know: anyone's */
	{ "load", "ID:t-5:1:1:1", 0, PRODUCER_AUDIT_ANY },
	{ "seen", "ID:t-5:1:1:1", true, "c:" },
	{ "seen", "ID:t-5:1:1:1", true, "b:net" },
	{ "load", "ID:t-6:1:1:1", 0, "x:future" },
	{ "seen", "ID:t-6:1:1:1", true, "c:" },
	{ "load", "ID:t-7:1:1:1", 0, "c" },
	{ "seen", "ID:t-7:1:1:1", true, "b:net" },
	/* a client's own ids are its login's: another login on a connection
	 * with the same ConnectionId (no secret) reaches none of them */
	{ "add", "ID:o-1:1:1:1", 0, "c:app" },
	{ "seen", "ID:o-1:1:1:1", true, "c:app" },
	{ "seen", "ID:o-1:1:1:1", false, "c:eve" },
	{ "seen", "ID:o-1:1:1:1", false, "c:" },
	{ "seen", "ID:o-1:1:1:1", false, "b:app" },
	{ "load", "ID:o-2:1:1:1", 0, "c:app" },
	{ "seen", "ID:o-2:1:1:1", true, "c:app" },
	{ "seen", "ID:o-2:1:1:1", false, "c:eve" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char name[128];
		snprintf(name, sizeof name, "%zu: %s %s", i, steps[i].op, steps[i].id);
		if (!strcmp(steps[i].op, "add"))
			producer_audit_add(steps[i].who, steps[i].id);
		else if (!strcmp(steps[i].op, "forget"))
			producer_audit_forget(steps[i].id);
		else if (!strcmp(steps[i].op, "load"))
			producer_audit_add_stored(steps[i].who, steps[i].id);
		else
			ok(producer_audit_seen(steps[i].who, steps[i].id) == steps[i].seen, name);
	}

	/* Past PRODUCER_AUDIT_PRODUCERS, the least recently heard go. */
	char id[64];
	producer_audit_add("c:", "ID:first:1:1:1");
	for (int p = 0; p < PRODUCER_AUDIT_PRODUCERS - 1; p++) {
		snprintf(id, sizeof id, "ID:many-%d:1:1:1", p);
		producer_audit_add("c:", id);
	}
	producer_audit_add("c:", "ID:first:1:1:2");	/* heard again: kept */
	producer_audit_add("c:", "ID:one-more:1:1:1");
	ok(producer_audit_seen("c:", "ID:first:1:1:1"), "a producer heard again is kept");
	ok(!producer_audit_seen("c:", "ID:many-0:1:1:1"), "the least recent producer is forgotten");
	ok(producer_audit_seen("c:", "ID:many-1:1:1:1"), "the next one is kept");
	producer_audit_free();
	ok(!producer_audit_seen("c:", "ID:first:1:1:1"), "freed: nothing is known");
	return done_testing();
}
