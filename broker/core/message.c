/*
 * message.c - immutable reference-counted messages (see message.h).
 */
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* Loop thread only, as every reference count. */
static long long unqueued_bytes;

struct message *message_new_take(char *id, enum dest_type type, char *dest,
				 struct header *headers, size_t nheaders,
				 char *body, size_t body_len)
{
	struct message *m = calloc(1, sizeof *m);
	if (!m || !id || !dest || !body) {
		free(m);
		free(id);
		free(dest);
		headers_free(headers, nheaders);
		free(body);
		return NULL;
	}
	m->refs = 1;
	m->id = id;
	m->dest_type = type;
	m->dest = dest;
	m->headers = headers;
	m->nheaders = nheaders;
	m->body = body;
	m->body_len = body_len;
	m->priority = MSG_PRIORITY_DEFAULT;
	/* The memory limits count this on every enqueue and every ack:
	 * summed once here, as the headers never change. */
	m->cost = sizeof *m + body_len + 64;
	for (size_t i = 0; i < nheaders; i++)
		m->cost += strlen(headers[i].name) + strlen(headers[i].value) + 2 +
			   sizeof(struct header);
	unqueued_bytes += (long long)m->cost;
	return m;
}

struct message *message_ref(struct message *m)
{
	m->refs++;
	return m;
}

void message_unref(struct message *m)
{
	if (!m || --m->refs > 0)
		return;
	message_drop_cache(m);
	if (!m->entries)
		unqueued_bytes -= (long long)m->cost;
	free(m->id);
	free(m->dest);
	headers_free(m->headers, m->nheaders);
	free(m->body);
	free(m);
}

void message_entry_added(struct message *m)
{
	if (m->entries++ == 0)
		unqueued_bytes -= (long long)m->cost;
}

void message_entry_removed(struct message *m)
{
	if (--m->entries == 0)
		unqueued_bytes += (long long)m->cost;
}

long long message_unqueued_bytes(void)
{
	return unqueued_bytes;
}

void message_drop_cache(struct message *m)
{
	struct message_cache *c = m->cache;
	m->cache = NULL;
	if (c)
		c->release(c);
}

const char *message_header(const struct message *m, const char *name)
{
	return header_get(m->headers, m->nheaders, name);
}

struct message *message_copy_to(const struct message *m, enum dest_type type,
				const char *dest, const struct header *extra,
				size_t nextra)
{
	size_t n = m->nheaders + nextra;
	struct header *h = calloc(n ? n : 1, sizeof *h);
	char *body = malloc(m->body_len + 1);
	if (!h || !body) {
		free(h);
		free(body);
		return NULL;
	}
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		const struct header *src = i < m->nheaders ? &m->headers[i]
							   : &extra[i - m->nheaders];
		h[i].name = strdup(src->name);
		h[i].value = strdup(src->value);
		failed |= !h[i].name || !h[i].value;
	}
	memcpy(body, m->body, m->body_len + 1);
	if (failed) {
		headers_free(h, n);
		free(body);
		return NULL;
	}
	struct message *c = message_new_take(strdup(m->id), type, strdup(dest),
					     h, n, body, m->body_len);
	if (!c)
		return NULL;
	c->persistent = m->persistent;
	c->priority = m->priority;
	c->expires = m->expires;
	c->timestamp = m->timestamp;
	return c;
}

bool message_expired(const struct message *m, int64_t now_ms)
{
	return m->expires > 0 && m->expires <= now_ms;
}

const char *dest_type_name(enum dest_type type)
{
	return type == DEST_TOPIC ? "topic" : "queue";
}
