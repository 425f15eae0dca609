/*
 * mqtt_topic.c - MQTT names as broker destinations (see mqtt_topic.h).
 */
#include <stdlib.h>
#include <string.h>

#include "mqtt_topic.h"

/* Swaps one character of the two alphabets; the rest stay. */
/* Three pairs swap, as ActiveMQ's MQTT transport swaps them: the
 * separators, and each MQTT wildcard with the broker's. A literal '*' or
 * '>' in an MQTT name so becomes a '+' or '#', plain characters to the
 * broker, and never widens a match (a filter "lit", '/', "*" got "lit/x"
 * when '*' went through unchanged); one mapping both ways keeps every name the
 * same for retained messages, wills, bridges and STOMP clients. */
static const char mqtt_chars[] = "/.+#*>";
static const char dest_chars[] = "./*>+#";

/* The swap as two tables of 256 bytes, made on first use: a name is
 * translated on every publish and every delivery. */
static unsigned char to_dest[256], from_dest[256];
static bool tables_made;

static void make_tables(void)
{
	for (int i = 0; i < 256; i++)
		to_dest[i] = from_dest[i] = (unsigned char)i;
	for (size_t i = 0; mqtt_chars[i]; i++) {
		to_dest[(unsigned char)mqtt_chars[i]] = (unsigned char)dest_chars[i];
		from_dest[(unsigned char)dest_chars[i]] = (unsigned char)mqtt_chars[i];
	}
	tables_made = true;
}

static void translate_into(const char *s, size_t n, const unsigned char *table, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)table[(unsigned char)s[i]];
	out[n] = 0;
}

static char *translate(const char *s, const unsigned char *table)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (out)
		translate_into(s, n, table, out);
	return out;
}

char *mqtt_topic_to_dest(const char *topic)
{
	if (!tables_made)
		make_tables();
	return translate(topic, to_dest);
}

char *mqtt_topic_from_dest(const char *dest)
{
	if (!tables_made)
		make_tables();
	return translate(dest, from_dest);
}

static const char *translate_buf(const char *s, const unsigned char *table, char *buf,
				 size_t buflen, char **heap)
{
	size_t n = strlen(s);
	*heap = NULL;
	if (n >= buflen)
		return *heap = translate(s, table);
	translate_into(s, n, table, buf);
	return buf;
}

const char *mqtt_topic_from_dest_buf(const char *dest, char *buf, size_t buflen, char **heap)
{
	if (!tables_made)
		make_tables();
	return translate_buf(dest, from_dest, buf, buflen, heap);
}

const char *mqtt_topic_to_dest_buf(const char *topic, char *buf, size_t buflen, char **heap)
{
	if (!tables_made)
		make_tables();
	return translate_buf(topic, to_dest, buf, buflen, heap);
}

bool mqtt_topic_dollar_excluded(const char *filter, const char *dest)
{
	return (filter[0] == '+' || filter[0] == '#') && dest[0] == '$';
}
