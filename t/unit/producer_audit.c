/* The producer audit (broker/core/producer_audit.h): a resend of a
 * message id is known within the window of each producer, whatever the
 * order, and forgotten past it; a bridge's ids are its login's alone, and
 * so are they when read back from the store. Steps run in order on one
 * audit. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "producer_audit.h"
#include "tap.h"

static const struct {
	const char *op;		/* "add", "seen", "forget" or "load" (from the store) */
	const char *id;
	bool seen;		/* for "seen" */
	const char *who;	/* whose audit: a bridge's login; NULL: a client's own;
				 * for "load", the tag the store kept */
} steps[] = {
	{ "seen", "ID:p-1:1:1:1", false, NULL },
	{ "add", "ID:p-1:1:1:1", 0, NULL },
	{ "seen", "ID:p-1:1:1:1", true, NULL },
	{ "seen", "ID:p-1:1:1:2", false, NULL },
	/* another producer, and another session of the same connection */
	{ "seen", "ID:p-2:1:1:1", false, NULL },
	{ "seen", "ID:p-1:2:1:1", false, NULL },
	/* out of order within the window; the gap stays unknown */
	{ "add", "ID:p-1:1:1:10", 0, NULL },
	{ "add", "ID:p-1:1:1:5", 0, NULL },
	{ "seen", "ID:p-1:1:1:5", true, NULL },
	{ "seen", "ID:p-1:1:1:4", false, NULL },
	{ "seen", "ID:p-1:1:1:10", true, NULL },
	{ "seen", "ID:p-1:1:1:11", false, NULL },
	/* the window moves past 1 and 5 but keeps 10 */
	{ "add", "ID:p-1:1:1:2057", 0, NULL },
	{ "seen", "ID:p-1:1:1:1", false, NULL },
	{ "seen", "ID:p-1:1:1:10", true, NULL },
	{ "seen", "ID:p-1:1:1:2057", true, NULL },
	/* the ring's slot of an old sequence is not taken for a new one */
	{ "seen", "ID:p-1:1:1:2058", false, NULL },
	{ "add", "ID:p-1:1:1:100000", 0, NULL },
	{ "seen", "ID:p-1:1:1:2057", false, NULL },
	{ "seen", "ID:p-1:1:1:100000", true, NULL },
	/* a message whose commit failed is forgotten: its resend is taken */
	{ "forget", "ID:p-1:1:1:100000", 0, NULL },
	{ "seen", "ID:p-1:1:1:100000", false, NULL },
	{ "forget", "ID:never-heard:1:1:1", 0, NULL },
	{ "seen", "ID:never-heard:1:1:1", false, NULL },
	/* no sequence: never audited */
	{ "add", "no-colon", 0, NULL },
	{ "seen", "no-colon", false, NULL },
	{ "add", "ID:x:", 0, NULL },
	{ "seen", "ID:x:", false, NULL },
	{ "add", "ID:x:12a", 0, NULL },
	{ "seen", "ID:x:12a", false, NULL },
	{ "add", ":7", 0, NULL },
	{ "seen", ":7", false, NULL },
	/* Tandem's own ids are PREFIX:SEQUENCE too */
	{ "add", "ID:host-1-2-1:1:42", 0, NULL },
	{ "seen", "ID:host-1-2-1:1:42", true, NULL },
	/* a bridge's ids are its login's: no client's, no other login's */
	{ "add", "ID:b-1:1:1:1", 0, "net" },
	{ "seen", "ID:b-1:1:1:1", true, "net" },
	{ "seen", "ID:b-1:1:1:1", false, "eve" },
	{ "seen", "ID:b-1:1:1:1", false, "" },
	{ "seen", "ID:b-1:1:1:1", false, NULL },
	{ "add", "ID:c-1:1:1:1", 0, NULL },
	{ "seen", "ID:c-1:1:1:1", false, "net" },
	/* a login cannot make another login's key */
	{ "add", "b|ID:k-1:1:1:1", 0, "a" },
	{ "seen", "ID:k-1:1:1:1", false, "a|b" },
	/* what the store had is everyone's */
	{ "add", "ID:s-1:1:1:1", 0, STORED_IDS },
	{ "seen", "ID:s-1:1:1:1", true, NULL },
	{ "seen", "ID:s-1:1:1:1", true, "net" },
	/* a failed commit's id is forgotten in every audit */
	{ "add", "ID:f-1:1:1:5", 0, "net" },
	{ "add", "ID:f-1:1:1:5", 0, NULL },
	{ "add", "ID:f-1:1:1:5", 0, STORED_IDS },
	{ "forget", "ID:f-1:1:1:5", 0, NULL },
	{ "seen", "ID:f-1:1:1:5", false, "net" },
	{ "seen", "ID:f-1:1:1:5", false, NULL },
	/* read back from the store, each id goes into the audit it was in */
	{ "load", "ID:t-1:1:1:1", 0, "c" },
	{ "seen", "ID:t-1:1:1:1", true, NULL },
	{ "seen", "ID:t-1:1:1:1", false, "net" },
	{ "load", "ID:t-2:1:1:1", 0, "b:net" },
	{ "seen", "ID:t-2:1:1:1", true, "net" },
	{ "seen", "ID:t-2:1:1:1", false, "eve" },
	{ "seen", "ID:t-2:1:1:1", false, NULL },
	{ "load", "ID:t-3:1:1:1", 0, "b:" },
	{ "seen", "ID:t-3:1:1:1", true, "" },
	{ "seen", "ID:t-3:1:1:1", false, NULL },
	/* one that was in none (another's id sent first) is in none */
	{ "load", "ID:t-4:1:1:1", 0, NULL },
	{ "seen", "ID:t-4:1:1:1", false, NULL },
	{ "seen", "ID:t-4:1:1:1", false, "net" },
	/* a row that does not say whose (an older store's, a KahaDB
	 * import's), or says what this tandemd does not know: anyone's */
	{ "load", "ID:t-5:1:1:1", 0, PRODUCER_AUDIT_ANY },
	{ "seen", "ID:t-5:1:1:1", true, NULL },
	{ "seen", "ID:t-5:1:1:1", true, "net" },
	{ "load", "ID:t-6:1:1:1", 0, "x:future" },
	{ "seen", "ID:t-6:1:1:1", true, NULL },
};

/* What the store keeps of whose audit, and that it reads back there. */
static void test_tags(void)
{
	static const struct {
		const char *who, *tag;
	} tags[] = { { OWN_IDS, "c" }, { "net", "b:net" }, { "", "b:" }, { "a|b", "b:a|b" } };
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		char *tag = producer_audit_tag(tags[i].who);
		char id[64], name[128];
		snprintf(id, sizeof id, "ID:tag-%zu:1:1:1", i);
		snprintf(name, sizeof name, "the tag of %s is %s, and an id read back with it "
			 "is in that audit", tags[i].who ? tags[i].who : "a client's own",
			 tags[i].tag);
		producer_audit_add_stored(tag, id);
		ok(tag && !strcmp(tag, tags[i].tag) && producer_audit_seen(tags[i].who, id), name);
		free(tag);
	}
}

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
	test_tags();

	/* Past PRODUCER_AUDIT_PRODUCERS, the least recently heard go. */
	char id[64];
	producer_audit_add(OWN_IDS, "ID:first:1:1:1");
	for (int p = 0; p < PRODUCER_AUDIT_PRODUCERS - 1; p++) {
		snprintf(id, sizeof id, "ID:many-%d:1:1:1", p);
		producer_audit_add(OWN_IDS, id);
	}
	producer_audit_add(OWN_IDS, "ID:first:1:1:2");	/* heard again: kept */
	producer_audit_add(OWN_IDS, "ID:one-more:1:1:1");
	ok(producer_audit_seen(OWN_IDS, "ID:first:1:1:1"), "a producer heard again is kept");
	ok(!producer_audit_seen(OWN_IDS, "ID:many-0:1:1:1"), "the least recent producer is forgotten");
	ok(producer_audit_seen(OWN_IDS, "ID:many-1:1:1:1"), "the next one is kept");
	producer_audit_free();
	ok(!producer_audit_seen(OWN_IDS, "ID:first:1:1:1"), "freed: nothing is known");
	return done_testing();
}
