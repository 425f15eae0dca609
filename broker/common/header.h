/*
 * header.h - one name/value pair of a message or frame header.
 *
 * STOMP 1.2 forbids NUL in header names and values (after unescaping), so
 * plain C strings are enough here; bodies are the length-carrying part.
 */
#ifndef TANDEM_HEADER_H
#define TANDEM_HEADER_H

#include <stddef.h>

struct header {
	char *name;	/* owned by whatever owns the array */
	char *value;
};

/* First header called `name`, or NULL. STOMP says the first occurrence of a
 * repeated header wins, so this is the lookup every protocol wants. */
const char *header_get(const struct header *h, size_t n, const char *name);

/* Frees every name and value and the array itself. */
void headers_free(struct header *h, size_t n);

#endif
