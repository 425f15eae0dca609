/*
 * send.c - a message from the web into the broker core (see send.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "publish.h"
#include "send.h"

struct message *web_message_new(enum dest_type type, const char *name, struct header *h,
				size_t nheaders, const char *body, size_t body_len)
{
	char *copy = malloc(body_len + 1);
	char *id = broker_new_message_id();
	char *dest = strdup(name);
	if (!copy || !id || !dest) {
		headers_free(h, nheaders);
		free(copy);
		free(id);
		free(dest);
		return NULL;
	}
	if (body_len)
		memcpy(copy, body, body_len);
	copy[body_len] = '\0';
	return message_new_take(id, type, dest, h, nheaders, copy, body_len);
}

int web_message_send(struct message *m, const struct authz_who *who, char *err, size_t errlen)
{
	struct producer p = { .who = who };
	int rc = broker_publish(&p, m, err, errlen);
	message_unref(m);
	return rc;
}
