/*
 * message_select.c - a selector applied to a message (see
 * message_select.h): the names a selector uses, mapped onto the message.
 */
#include <stdio.h>
#include <string.h>

#include "message.h"
#include "message_select.h"
#include "selector.h"

/* Selector identifiers: application headers first, then the JMS header
 * names ActiveMQ users write (JMSPriority, JMSType, ...) and the STOMP
 * names the broker keeps outside the header list. */
struct lookup_ctx {
	const struct message *m;
	/* One buffer per numeric field: a selector may compare two of them,
	 * and each string must stay valid during the whole match. */
	char priority[8], timestamp[24], expires[24];
};

static const char *lookup(void *vctx, const char *name)
{
	struct lookup_ctx *x = vctx;
	const struct message *m = x->m;
	const char *v = message_header(m, name);
	if (v)
		return v;
	if (!strcmp(name, "JMSPriority") || !strcmp(name, "priority")) {
		snprintf(x->priority, sizeof x->priority, "%u", m->priority);
		return x->priority;
	}
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
	if (!strcmp(name, "JMSTimestamp") || !strcmp(name, "timestamp")) {
		snprintf(x->timestamp, sizeof x->timestamp, "%lld", (long long)m->timestamp);
		return x->timestamp;
	}
	if (!strcmp(name, "JMSExpiration") || !strcmp(name, "expires")) {
		snprintf(x->expires, sizeof x->expires, "%lld", (long long)m->expires);
		return x->expires;
	}
	return NULL;
}

bool selector_accepts(const struct selector *s, const struct message *m)
{
	if (!s)
		return true;
	struct lookup_ctx x = { .m = m };
	return selector_match(s, lookup, &x);
}
