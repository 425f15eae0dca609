/*
 * stomp_lenient.c - the STOMP input ActiveMQ tolerates (contract and the
 * list of rules in stomp_lenient.h). stomp_frame.c's parser and
 * stomp.c's protocol detection call these.
 */
#include <string.h>

#include "stomp_lenient.h"

/* Java's String.trim() removes every char <= ' '. */
static bool trimmed(char c)
{
	return (unsigned char)c <= ' ';
}

bool stomp_lenient_skipped(char c)
{
	return c == '\n' || c == '\0';
}

void stomp_lenient_trim(const char **s, size_t *len)
{
	while (*len && trimmed((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len && trimmed((*s)[*len - 1]))
		(*len)--;
}

bool stomp_lenient_true(const char *value)
{
	size_t len = value ? strlen(value) : 0;
	stomp_lenient_trim(&value, &len);
	return len == 4 && !memcmp(value, "true", 4);
}

int stomp_lenient_command_end(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n')
			return 1;
		if (!trimmed(data[i]) || data[i] == '\0')
			return 0;
	}
	return -1;
}
