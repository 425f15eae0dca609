/*
 * mqtt_topic.c - MQTT names as broker destinations (see mqtt_topic.h).
 */
#include <stdlib.h>
#include <string.h>

#include "mqtt_topic.h"

/* Swaps one character of the two alphabets; the rest stay. */
static char *translate(const char *s, const char *from, const char *to)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i <= n; i++) {
		const char *k = s[i] ? strchr(from, s[i]) : NULL;
		out[i] = k ? to[k - from] : s[i];
	}
	return out;
}

/* Three pairs swap, as ActiveMQ's MQTT transport swaps them: the
 * separators, and each MQTT wildcard with the broker's. A literal '*' or
 * '>' in an MQTT name so becomes a '+' or '#', plain characters to the
 * broker, and never widens a match (a filter "lit", '/', "*" got "lit/x"
 * when '*' went through unchanged); one mapping both ways keeps every name the
 * same for retained messages, wills, bridges and STOMP clients. */
static const char mqtt_chars[] = "/.+#*>";
static const char dest_chars[] = "./*>+#";

char *mqtt_topic_to_dest(const char *topic)
{
	return translate(topic, mqtt_chars, dest_chars);
}

char *mqtt_topic_from_dest(const char *dest)
{
	return translate(dest, dest_chars, mqtt_chars);
}

bool mqtt_topic_dollar_excluded(const char *filter, const char *dest)
{
	return (filter[0] == '+' || filter[0] == '#') && dest[0] == '$';
}
