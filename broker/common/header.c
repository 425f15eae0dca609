/* header.c - lookup and release of header arrays (see header.h). */
#include <stdlib.h>
#include <string.h>

#include "header.h"

const char *header_get(const struct header *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}

void headers_free(struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}
