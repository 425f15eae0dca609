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

char *mqtt_topic_to_dest(const char *topic)
{
	return translate(topic, "/.+#", "./*>");
}

char *mqtt_topic_from_dest(const char *dest)
{
	/* A broker name holding '*' or '>' keeps them: as MQTT topic names
	 * they are plain characters, where '+' and '#' would be illegal. */
	return translate(dest, "./", "/.");
}

bool mqtt_topic_dollar_excluded(const char *filter, const char *dest)
{
	return (filter[0] == '+' || filter[0] == '#') && dest[0] == '$';
}
