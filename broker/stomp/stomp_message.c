/*
 * stomp_message.c - a core message as a MESSAGE frame (stomp_message.h).
 *
 * The frame is "MESSAGE", the headers that differ per subscriber
 * (subscription, ack, redelivered), then the shared part: message-id,
 * destination, persistent, priority, expires, timestamp, the
 * application's headers, content-length and the body. The shared part
 * depends on the message, the connection's STOMP version (escaping) and
 * how the connection names the destination and reply-to (a temporary
 * destination reads differently to its owner): the encoding is kept on
 * the message with those as its key, until its last subscriber has it,
 * for messages that go to more than one subscriber.
 */
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "message.h"
#include "message_jms.h"
#include "stomp_dest.h"
#include "stomp_frame.h"
#include "stomp_message.h"

#define NAME_MAX_LEN 1024
/* What the kept encodings may hold in all: past it, messages are encoded
 * for each subscriber (a slow subscriber's backlog must not double in
 * memory), and bodies bigger than CACHE_BODY_MAX never are kept. */
#define CACHE_BYTES_MAX (8u << 20)
#define CACHE_BODY_MAX (64u << 10)

/* The shared part of one message's frame, as a message_cache. */
struct shared {
	struct message_cache h;
	int version;
	char *dest;		/* as the connection that encoded it reads them */
	char *reply_to;		/* "" none */
	uint32_t uses_left;	/* subscribers still to get it */
	struct buf block;
};

static const char owner[] = "stomp";
static size_t cached_bytes;

static void shared_release(struct message_cache *c)
{
	struct shared *sh = (struct shared *)c;
	cached_bytes -= buf_len(&sh->block);
	buf_free(&sh->block);
	free(sh->dest);
	free(sh->reply_to);
	free(sh);
}

static int put_num(struct buf *out, const char *name, int64_t v)
{
	int rc = buf_puts(out, name);
	rc |= buf_append(out, ":", 1);
	rc |= buf_put_i64(out, v);
	rc |= buf_append(out, "\n", 1);
	return rc ? -1 : 0;
}

static int encode_shared(struct buf *b, int v, const struct message *m, const char *dest,
			 const char *reply_to)
{
	int rc = stomp_put_header(b, v, "message-id", m->id);
	rc |= stomp_put_header(b, v, "destination", dest);
	if (m->persistent)
		rc |= stomp_put_header(b, v, "persistent", "true");
	rc |= put_num(b, "priority", m->priority);
	rc |= put_num(b, "expires", m->expires);
	int64_t ts = m->timestamp;
	message_jms_timestamp(m, &ts);	/* a JMS producer's JMSTimestamp, as ActiveMQ */
	rc |= put_num(b, "timestamp", ts);
	for (size_t i = 0; i < m->nheaders; i++) {
		const char *value = m->headers[i].value;
		if (message_header_hidden(m->headers[i].name))
			continue;
		if (!strcmp(m->headers[i].name, "reply-to"))
			value = reply_to;
		rc |= stomp_put_header(b, v, m->headers[i].name, value);
	}
	/* Where a dead letter came from, also in the header ActiveMQ's STOMP
	 * gives it, for DLQ readers written against ActiveMQ. */
	const char *orig = header_get(m->headers, m->nheaders, "originalDestination");
	if (orig && !header_get(m->headers, m->nheaders, "original-destination"))
		rc |= stomp_put_header(b, v, "original-destination", orig);
	rc |= stomp_put_body(b, m->body, m->body_len, 1);
	return rc ? -1 : 0;
}

static bool same_key(const struct shared *sh, int v, const char *dest, const char *reply_to)
{
	return sh->version == v && !strcmp(sh->dest, dest) && !strcmp(sh->reply_to, reply_to);
}

/* Keeps the encoding in b for the message's other subscribers: b is
 * taken when it is kept. */
static void keep(struct message *m, int v, const char *dest, const char *reply_to,
		 struct buf *b)
{
	if (m->cache || m->routes < 2 || m->body_len > CACHE_BODY_MAX ||
	    cached_bytes + buf_len(b) > CACHE_BYTES_MAX)
		return;
	struct shared *sh = calloc(1, sizeof *sh);
	if (!sh || !(sh->dest = strdup(dest)) || !(sh->reply_to = strdup(reply_to))) {
		if (sh)
			free(sh->dest);
		free(sh);
		return;
	}
	sh->h.owner = owner;
	sh->h.release = shared_release;
	sh->version = v;
	sh->uses_left = m->routes - 1;
	sh->block = *b;
	*b = (struct buf)BUF_INIT;
	cached_bytes += buf_len(&sh->block);
	m->cache = &sh->h;
}

int stomp_put_message(struct buf *out, const struct conn *c, int version, const char *sub_id,
		      const struct qentry *e)
{
	struct message *m = e->msg;
	char dest[NAME_MAX_LEN], reply[NAME_MAX_LEN];
	stomp_dest_format(c, m->dest_type, m->dest, dest, sizeof dest);
	const char *r = message_header(m, "reply-to");
	r = r ? stomp_dest_reply_to(c, r, reply, sizeof reply) : "";

	size_t mark = buf_len(out);
	int rc = stomp_put_command(out, "MESSAGE");
	rc |= stomp_put_header(out, version, "subscription", sub_id);
	if (version >= STOMP_V12)
		rc |= put_num(out, "ack", (int64_t)e->delivery_id);
	if (e->redeliveries)
		rc |= stomp_put_header(out, version, "redelivered", "true");
	struct shared *sh = m->cache && m->cache->owner == owner ? (struct shared *)m->cache
								 : NULL;
	if (sh && same_key(sh, version, dest, r)) {
		rc |= buf_append(out, buf_data(&sh->block), buf_len(&sh->block));
		if (rc == 0 && --sh->uses_left == 0)
			message_drop_cache(m);	/* the last subscriber has it */
	} else {
		struct buf b = BUF_INIT;
		rc |= encode_shared(&b, version, m, dest, r);
		rc |= buf_append(out, buf_data(&b), buf_len(&b));
		if (rc == 0)
			keep(m, version, dest, r, &b);
		buf_free(&b);
	}
	if (rc) {
		buf_truncate(out, mark);
		return -1;
	}
	return 0;
}
