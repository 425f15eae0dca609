/* STOMP destination headers as ActiveMQ 5.17's LegacyFrameTranslator reads
 * them, and which ERRORs close the connection as its ProtocolConverter's
 * would (issue 18 points 8 and 11). */
#include <stdbool.h>
#include <string.h>

#include "stomp_dest.h"
#include "stomp_error.h"
#include "tap.h"

#define Q DEST_QUEUE
#define T DEST_TOPIC
#define NAMED STOMP_DEST_NAMED
#define TEMP STOMP_DEST_TEMP

static const struct {
	const char *header;
	const char *why;	/* NULL: read as type, scope, name */
	enum dest_type type;
	enum stomp_dest_scope scope;
	const char *name;
} cases[] = {
	{ "/queue/orders", NULL, Q, NAMED, "orders" },
	{ "/topic/prices.>", NULL, T, NAMED, "prices.>" },
	{ "/temp-queue/replies", NULL, Q, TEMP, "replies" },
	{ "/temp-topic/t", NULL, T, TEMP, "t" },
	{ "/temp-queue/", NULL, Q, TEMP, "" },	/* ActiveMQ takes it: one */
	{ "/remote-temp-queue/ID:b-1:temp-2:r", NULL, Q, NAMED, "ID:b-1:temp-2:r" },
	{ "/remote-temp-topic/ID:x", NULL, T, NAMED, "ID:x" },

	/* no prefix ActiveMQ knows: the queue of that name, as written */
	{ "orders", NULL, Q, NAMED, "orders" },
	{ "a.b.c", NULL, Q, NAMED, "a.b.c" },
	{ "/exchange/amq.direct", NULL, Q, NAMED, "/exchange/amq.direct" },
	{ "queue/orders", NULL, Q, NAMED, "queue/orders" },
	{ "/queues/orders", NULL, Q, NAMED, "/queues/orders" },
	{ "/Queue/orders", NULL, Q, NAMED, "/Queue/orders" },
	{ "/queue", NULL, Q, NAMED, "/queue" },
	{ "topic://x", NULL, Q, NAMED, "topic://x" },
	{ "x", NULL, Q, NAMED, "x" },

	/* spaces around the header and the name go, as Java's trim() */
	{ " /queue/orders ", NULL, Q, NAMED, "orders" },
	{ "/queue/ orders", NULL, Q, NAMED, "orders" },
	{ "\t/topic/t\r", NULL, T, NAMED, "t" },
	{ "  orders  ", NULL, Q, NAMED, "orders" },
	{ "/queue/a b", NULL, Q, NAMED, "a b" },

	/* refused */
	{ "", "Empty destination", Q, NAMED, NULL },
	{ "   ", "Empty destination", Q, NAMED, NULL },
	{ "/queue/", "Illegal destination", Q, NAMED, NULL },
	{ "/topic/  ", "Illegal destination", Q, NAMED, NULL },
	{ "/remote-temp-queue/", "Illegal destination", Q, NAMED, NULL },
};

static const struct {
	const char *message, *command;
	bool closes;
} errors[] = {
	/* ActiveMQ keeps the connection (issue 18's list) */
	{ "Unexpected ACK", "ACK", false },
	{ "Unexpected NACK", "NACK", false },
	{ "Invalid transaction", "COMMIT", false },
	{ "Transaction rolled back", "COMMIT", false },
	{ "Invalid transaction", "SEND", false },
	{ "No such subscription", "UNSUBSCRIBE", false },
	{ "Missing destination", "SEND", false },
	{ "Not authorized", "SEND", false },
	{ "Resource allocation", "SEND", false },
	{ "Not connected", "SEND", false },
	{ "Already connected", "CONNECT", false },
	{ "Empty destination", "SUBSCRIBE", false },
	{ "Invalid priority", "SUBSCRIBE", false },
	{ "Store failure", "SEND", false },
	{ "Priority out of range", "SEND", false },
	/* and closes it */
	{ "Unknown command", "FROB", true },
	{ "Malformed frame", NULL, true },
	{ "Authentication failed", "CONNECT", true },
	{ "Invalid heart-beat", "CONNECT", true },
	{ "Invalid priority", "SEND", true },
	{ "Empty destination", "SEND", true },
	{ "Illegal destination", "SUBSCRIBE", true },
	{ "Store failure", NULL, true },
	/* a message without a row closes: the safe side */
	{ "Something new", "SEND", true },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct stomp_dest d;
		char buf[STOMP_DEST_NAME_MAX + 1], err[700], name[128];
		const char *why = NULL;
		int rc = stomp_dest_parse(cases[i].header, &d, buf, sizeof buf, &why, err, sizeof err);
		snprintf(name, sizeof name, "'%s'", cases[i].header);
		if (cases[i].why) {
			is(rc, -1, name);
			is_str(why, cases[i].why, name);
			continue;
		}
		is(rc, 0, name);
		if (rc < 0)
			continue;
		ok(d.type == cases[i].type && d.scope == cases[i].scope, name);
		is_str(d.name, cases[i].name, name);
	}

	char longer[STOMP_DEST_NAME_MAX + 16] = "/queue/";
	memset(longer + 7, 'n', STOMP_DEST_NAME_MAX + 1);
	longer[STOMP_DEST_NAME_MAX + 8] = '\0';
	struct stomp_dest d;
	char buf[STOMP_DEST_NAME_MAX + 1], err[700];
	const char *why = NULL;
	is(stomp_dest_parse(longer, &d, buf, sizeof buf, &why, err, sizeof err), -1,
	   "a name over STOMP_DEST_NAME_MAX is refused");
	is_str(why, "Destination name too long", "and said so");
	longer[STOMP_DEST_NAME_MAX + 7] = '\0';
	is(stomp_dest_parse(longer, &d, buf, sizeof buf, &why, err, sizeof err), 0,
	   "a name of STOMP_DEST_NAME_MAX is taken");

	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
		char name[128];
		snprintf(name, sizeof name, "%s on %s %s", errors[i].message,
			 errors[i].command ? errors[i].command : "(no frame)",
			 errors[i].closes ? "closes" : "stays open");
		is(stomp_error_closes(errors[i].message, errors[i].command), errors[i].closes, name);
	}
	return done_testing();
}
