/*
 * stomp_error.c - which STOMP ERROR frames close the connection (see
 * stomp_error.h). Each row says what ActiveMQ 5.17's ProtocolConverter
 * does for the same fault; keep tandemd(8)'s table in step.
 */
#include <stddef.h>
#include <string.h>

#include "stomp_error.h"

static const struct {
	const char *message;	/* the ERROR's message header */
	const char *command;	/* only for this frame; NULL: any */
	bool closes;
} errors[] = {
	/* Fatal in ActiveMQ: the connection cannot go on sensibly. */
	{ "Malformed frame", NULL, true },
	{ "Frame too large", NULL, true },
	{ "Unknown command", NULL, true },
	{ "Authentication failed", NULL, true },
	{ "Invalid heart-beat", NULL, true },
	/* ActiveMQ parses these with Java's number and destination
	 * constructors and drops the connection on the exception. */
	{ "Invalid priority", "SEND", true },
	{ "Invalid expires", NULL, true },
	{ "Illegal destination", NULL, true },
	{ "Empty destination", "SUBSCRIBE", false },	/* checked before parsing */
	{ "Empty destination", NULL, true },
	/* A store that failed under persistent sends nobody asked a
	 * receipt for: the producer cannot know which were lost (ActiveMQ
	 * closes on the IOException). With a receipt, the ERROR says which. */
	{ "Store failure", "SEND", false },
	{ "Store failure", NULL, true },
	/* A CONNECT whose client-id another connection holds has ActiveMQ's
	 * words as its message ("Broker: B - Client: ID already connected
	 * from tcp://..."), which no row names: it closes, as ActiveMQ's
	 * failed CONNECT does. */
	/* Tandem's own: state it cannot vouch for any more. */
	{ "Out of memory", NULL, true },
	{ "Commit failed", NULL, true },

	/* Refusals of one frame: the client carries on. */
	{ "Priority out of range", NULL, false },	/* ActiveMQ takes it */
	{ "Expires out of range", NULL, false },
	{ "Not connected", NULL, false },
	{ "Already connected", NULL, false },
	{ "Missing destination", NULL, false },
	{ "Destination name too long", NULL, false },
	{ "Not authorized", NULL, false },
	{ "Send failed", NULL, false },
	{ "Resource allocation", NULL, false },
	{ "Invalid transaction", NULL, false },
	{ "Transaction rolled back", NULL, false },	/* a SEND in it was refused */
	{ "Missing transaction", NULL, false },
	{ "Transaction exists", NULL, false },
	{ "Missing id", NULL, false },
	{ "Unexpected ACK", NULL, false },
	{ "Unexpected NACK", NULL, false },
	{ "Unsupported command", NULL, false },
	{ "Duplicate subscription", NULL, false },
	{ "Subscription refused", NULL, false },
	{ "Invalid ack mode", NULL, false },
	{ "Invalid prefetch", NULL, false },
	{ "Invalid priority", NULL, false },	/* SUBSCRIBE's activemq.priority */
	{ "No such subscription", NULL, false },
	{ "Cannot remove durable subscription", NULL, false },
};

bool stomp_error_closes(const char *message, const char *command)
{
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
		if (strcmp(errors[i].message, message))
			continue;
		if (!errors[i].command || (command && !strcmp(errors[i].command, command)))
			return errors[i].closes;
	}
	return true;
}
