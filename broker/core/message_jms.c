/*
 * message_jms.c - the reserved header that keeps a message's JMS types
 * (message_jms.h says what it holds and why).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "message.h"
#include "message_jms.h"

bool message_header_hidden(const char *name)
{
	return !strcmp(name, MESSAGE_JMS_HEADER);
}

const char *message_jms(const struct message *m)
{
	return message_header(m, MESSAGE_JMS_HEADER);
}

char message_jms_kind(const struct message *m)
{
	const char *v = message_jms(m);
	return v && isalpha((unsigned char)v[0]) ? v[0] : 0;
}

bool message_jms_typed(const struct message *m)
{
	return isupper((unsigned char)message_jms_kind(m));
}

int message_jms_next(const char *v, size_t *pos, char *code, const char **bytes,
		     size_t *len)
{
	if (!v[0] || !v[1 + *pos])
		return 0;
	const char *p = v + 1 + *pos;
	char *end;
	if (!isdigit((unsigned char)p[1]))
		return -1;
	unsigned long n = strtoul(p + 1, &end, 10);
	if (*end != ':' || strnlen(end + 1, n) < n)
		return -1;
	*code = p[0];
	*bytes = end + 1;
	*len = n;
	*pos = (size_t)(end + 1 + n - (v + 1));
	return 1;
}

/* The entry with `code` in `codes` whose bytes are `what` (NULL: any):
 * its code, or 0. */
static char find_entry(const struct message *m, const char *codes, const char *what,
		       const char **bytes, size_t *len)
{
	const char *v = message_jms(m);
	size_t pos = 0, wlen = what ? strlen(what) : 0;
	char code;
	while (v && message_jms_next(v, &pos, &code, bytes, len) == 1)
		if (strchr(codes, code) && (!what || (*len == wlen && !memcmp(*bytes, what, wlen))))
			return code;
	return 0;
}

char message_jms_type_of(const struct message *m, const char *name)
{
	const char *b;
	size_t n;
	return find_entry(m, "zbcsilfd", name, &b, &n);
}

bool message_jms_timestamp(const struct message *m, int64_t *ms)
{
	const char *b;
	size_t n;
	char digits[24];
	if (!find_entry(m, "t", NULL, &b, &n) || !n || n >= sizeof digits)
		return false;
	memcpy(digits, b, n);
	digits[n] = 0;
	char *end;
	long long v = strtoll(digits, &end, 10);
	if (*end)
		return false;
	*ms = v;
	return true;
}

int message_jms_put(struct buf *b, char code, const char *bytes, size_t len)
{
	return buf_printf(b, "%c%zu:", code, len) < 0 || buf_append(b, bytes, len) < 0 ? -1 : 0;
}
