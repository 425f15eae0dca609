/*
 * message_select.c - a selector applied to a message (see
 * message_select.h): the names a selector uses, mapped onto the message.
 */
#include <stdio.h>
#include <string.h>

#include "message.h"
#include "message_jms.h"
#include "message_select.h"
#include "selector.h"

/* Selector identifiers: application headers first, then the JMS header
 * names ActiveMQ users write (JMSPriority, JMSType, ...) and the STOMP
 * names the broker keeps outside the header list. */
struct lookup_ctx {
	const struct message *m;
	/* A JMS producer's message: its properties have types (message_jms.h),
	 * and its JMS headers are typed as JMS says. */
	bool typed;
	/* One buffer per numeric field: a selector may compare two of them,
	 * and each string must stay valid during the whole match. */
	char priority[8], timestamp[24], expires[24];
};

/* The selector type of a property of a JMS producer's message, by the
 * letter its entry has (none: a String). */
static enum selector_type property_type(char letter)
{
	return !letter ? SELECTOR_STRING : letter == 'z' ? SELECTOR_BOOLEAN
	       : letter == 'c' ? SELECTOR_STRING : SELECTOR_NUMBER;
}

static const char *jms_header(struct lookup_ctx *x, const char *name, enum selector_type *type)
{
	const struct message *m = x->m;
	if (!strcmp(name, "JMSPriority") || !strcmp(name, "priority")) {
		snprintf(x->priority, sizeof x->priority, "%u", m->priority);
		*type = x->typed ? SELECTOR_NUMBER : SELECTOR_TEXT;
		return x->priority;
	}
	if (!strcmp(name, "JMSTimestamp") || !strcmp(name, "timestamp")) {
		int64_t ts = m->timestamp;
		message_jms_timestamp(m, &ts);	/* the producer's, when it set one */
		snprintf(x->timestamp, sizeof x->timestamp, "%lld", (long long)ts);
		*type = x->typed ? SELECTOR_NUMBER : SELECTOR_TEXT;
		return x->timestamp;
	}
	if (!strcmp(name, "JMSExpiration") || !strcmp(name, "expires")) {
		snprintf(x->expires, sizeof x->expires, "%lld", (long long)m->expires);
		*type = x->typed ? SELECTOR_NUMBER : SELECTOR_TEXT;
		return x->expires;
	}
	*type = x->typed ? SELECTOR_STRING : SELECTOR_TEXT;
	if (!strcmp(name, "JMSMessageID") || !strcmp(name, "message-id"))
		return m->id;
	if (!strcmp(name, "JMSCorrelationID"))
		return message_header(m, "correlation-id");
	if (!strcmp(name, "JMSType"))
		return message_header(m, "type");
	if (!strcmp(name, "JMSDeliveryMode"))
		return m->persistent ? "PERSISTENT" : "NON_PERSISTENT";
	if (!strcmp(name, "persistent"))
		return m->persistent ? "true" : "false";
	return NULL;
}

static const char *lookup(void *vctx, const char *name, enum selector_type *type)
{
	struct lookup_ctx *x = vctx;
	if (message_header_hidden(name))
		return NULL;
	const char *v = message_header(x->m, name);
	if (v) {
		if (x->typed)
			*type = property_type(message_jms_type_of(x->m, name));
		return v;
	}
	return jms_header(x, name, type);
}

bool selector_accepts(const struct selector *s, const struct message *m)
{
	if (!s)
		return true;
	struct lookup_ctx x = { .m = m, .typed = message_jms_typed(m) };
	return selector_match(s, lookup, &x);
}
