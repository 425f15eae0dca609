/*
 * ctl_msgsel.c - `--msgsel` as ActiveMQ's browse and purge commands read
 * it, made into the one JMS selector the node's browse(selector) and
 * removeMatchingMessages(selector) take.
 *
 * ActiveMQ's form is a list of conditions separated by commas, all of
 * which must hold ("JMSPriority>4,kind='red'"), and a condition
 * NAME='TEXT' whose TEXT holds * or ? is a pattern (* any run, ? one
 * character): "JMSMessageID='*:10'" is JMSMessageID LIKE '%:10'. A comma
 * inside quotes or parentheses (IN ('a', 'b')) separates nothing, so a
 * plain JMS selector goes through unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"

/* The length of the condition at s: up to a comma outside quotes and
 * parentheses, or the end. */
static size_t condition_len(const char *s)
{
	size_t i = 0;
	int depth = 0;
	bool quoted = false;
	for (; s[i]; i++) {
		if (s[i] == '\'')
			quoted = !quoted;	/* '' (a quote inside) toggles twice */
		else if (!quoted && s[i] == '(')
			depth++;
		else if (!quoted && s[i] == ')' && depth > 0)
			depth--;
		else if (!quoted && !depth && s[i] == ',')
			break;
	}
	return i;
}

/* NAME='TEXT' with * or ? in TEXT: where '=' is, else NULL. */
static const char *pattern_eq(const char *c, size_t len)
{
	const char *eq = memchr(c, '=', len);
	if (!eq || eq == c || eq[-1] == '<' || eq[-1] == '>' || eq[-1] == '!')
		return NULL;
	const char *v = eq + 1;
	while (v < c + len && *v == ' ')
		v++;
	size_t vlen = (size_t)(c + len - v);
	while (vlen && v[vlen - 1] == ' ')
		vlen--;
	if (vlen < 2 || v[0] != '\'' || v[vlen - 1] != '\'' || memchr(v + 1, '\'', vlen - 2))
		return NULL;
	return memchr(v, '*', vlen) || memchr(v, '?', vlen) ? eq : NULL;
}

/* 0, or -1 when memory ran out. */
static int append_condition(struct buf *out, const char *c, size_t len)
{
	const char *eq = pattern_eq(c, len);
	int rc = buf_puts(out, "(");
	if (!eq) {
		rc |= buf_append(out, c, len);
	} else {
		rc |= buf_append(out, c, (size_t)(eq - c));
		rc |= buf_puts(out, " LIKE ");
		for (const char *p = eq + 1; p < c + len; p++)
			rc |= buf_append(out, *p == '*' ? "%" : *p == '?' ? "_" : p, 1);
	}
	return rc | buf_puts(out, ")");
}

char *ctl_msgsel_selector(const char *msgsel)
{
	struct buf out = BUF_INIT;
	const char *s = msgsel;
	int rc = 0;
	size_t first = condition_len(msgsel);
	if (!msgsel[first] && !pattern_eq(msgsel, first))
		return strdup(msgsel);	/* a plain JMS selector, as written */
	for (;;) {
		size_t len = condition_len(s);
		if (s != msgsel)
			rc |= buf_puts(&out, " AND ");
		rc |= append_condition(&out, s, len);
		if (!s[len])
			break;
		s += len + 1;
	}
	if (rc) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out, &(size_t){ 0 });
}
