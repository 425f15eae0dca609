/*
 * message.c - immutable reference-counted messages (see message.h).
 */
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* Loop thread only, as every reference count. */
static long long unqueued_bytes;

/* The memory limits count this on every enqueue and every ack: summed
 * once when the message is made, as the headers never change. Until an
 * entry holds it, it is counted as unqueued (message_unqueued_bytes). */
static void set_cost(struct message *m)
{
	m->cost = sizeof *m + m->body_len + 64;
	for (size_t i = 0; i < m->nheaders; i++)
		m->cost += strlen(m->headers[i].name) + strlen(m->headers[i].value) + 2 +
			   sizeof(struct header);
	unqueued_bytes += (long long)m->cost;
}

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
	set_cost(m);
	return m;
}

/* Copies n bytes and a NUL to *at; where they went. */
static char *pack(char **at, const char *s, size_t n)
{
	char *p = *at;
	memcpy(p, s, n);
	p[n] = '\0';
	*at = p + n + 1;
	return p;
}

struct message *message_new_packed(const char *id, enum dest_type type, const char *dest,
				   const struct header *headers, size_t nheaders,
				   const char *body, size_t body_len)
{
	size_t id_len = strlen(id), dest_len = strlen(dest);
	size_t size = sizeof(struct message) + nheaders * sizeof(struct header) + id_len +
		      dest_len + body_len + 3;
	for (size_t i = 0; i < nheaders; i++)
		size += strlen(headers[i].name) + strlen(headers[i].value) + 2;
	struct message *m = malloc(size);
	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	struct header *h = (struct header *)(m + 1);
	char *at = (char *)(h + nheaders);
	m->refs = 1;
	m->packed = true;
	m->id = pack(&at, id, id_len);
	m->dest_type = type;
	m->dest = pack(&at, dest, dest_len);
	for (size_t i = 0; i < nheaders; i++) {
		h[i].name = pack(&at, headers[i].name, strlen(headers[i].name));
		h[i].value = pack(&at, headers[i].value, strlen(headers[i].value));
	}
	m->headers = nheaders ? h : NULL;
	m->nheaders = nheaders;
	m->body = pack(&at, body, body_len);
	m->body_len = body_len;
	m->priority = MSG_PRIORITY_DEFAULT;
	set_cost(m);
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
	if (!m->packed) {
		free(m->id);
		free(m->dest);
		headers_free(m->headers, m->nheaders);
		free(m->body);
	}
	free(m->audit);
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
