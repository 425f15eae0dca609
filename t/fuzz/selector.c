/*
 * selector.c - fuzz harness: JMS selectors (broker/core/selector.c), compiled
 * from the input as text and, when they compile, matched against messages
 * whose headers hold numbers, strings, empty and missing values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"

/* Three messages: every header a name below can have, then the same with
 * other values, then none at all. */
static const char *const messages[][2][12] = {
	{ { "a", "b", "s", "e", "big", "neg", "pct", "JMSPriority", "JMSType", "f", "t", NULL },
	  { "1", "2.5", "abc", "", "1e308", "-7", "a%b_c", "4", "red", "1.5e-3", "true", NULL } },
	{ { "a", "b", "s", "e", "big", "neg", "pct", "JMSPriority", "JMSType", "f", "t", NULL },
	  { "9223372036854775807", "-0", "'", "x", "-1e308", "NaN", "%", "9", "", "0x10", "FALSE",
	    NULL } },
	{ { NULL }, { NULL } },
};

static const char *lookup(void *ctx, const char *name, enum selector_type *type)
{
	(void)type;
	const char *const (*m)[12] = ctx;
	for (size_t i = 0; m[0][i]; i++)
		if (!strcmp(m[0][i], name))
			return m[1][i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char err[256];
	memset(err, 'x', sizeof err);
	struct selector *s = selector_compile(text, err, sizeof err);
	if (!s && !memchr(err, '\0', sizeof err)) {
		fprintf(stderr, "selector harness: an error message without its end\n");
		abort();
	}
	for (size_t i = 0; s && i < sizeof messages / sizeof messages[0]; i++)
		selector_match(s, lookup, (void *)messages[i]);
	selector_free(s);
	free(text);
	return 0;
}
