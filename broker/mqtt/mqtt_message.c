/*
 * mqtt_message.c - a core message as a PUBLISH packet (mqtt_message.h).
 *
 * Every subscriber of a fan-out gets the same packet but for its first
 * byte (QoS, DUP) and, at QoS 1 and 2, its packet id, which sits after
 * the topic: a packet with an id and one without differ in length, so
 * the kept encoding is of one of the two shapes, the first subscriber's,
 * and a subscriber of the other shape gets its own. The copy a subscriber
 * gets is the kept bytes with its own flags and id written over them
 * (mqtt_publish_restamp). Without this, the topic was translated and
 * the packet put together once per subscriber: row M1's shape (4 QoS 0
 * subscribers, callgrind) took 1,761-1,897 broker instructions per
 * delivery, and 1,595-1,602 with it.
 */
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "mqtt_message.h"
#include "mqtt_packet.h"
#include "mqtt_topic.h"

/* What the kept encodings may hold in all: past it, messages are encoded
 * for each subscriber (a slow subscriber's backlog must not double in
 * memory), and bigger packets never are kept. As stomp_message.c. */
#define CACHE_BYTES_MAX (8u << 20)
#define CACHE_PACKET_MAX (64u << 10)

/* One message's packet, as a message_cache. */
struct shared {
	struct message_cache h;
	bool with_id;		/* encoded for QoS 1 or 2 */
	uint32_t uses_left;	/* subscribers still to get it */
	size_t len;
	char bytes[];
};

static const char owner[] = "mqtt";
static size_t cached_bytes;

static void shared_release(struct message_cache *c)
{
	struct shared *sh = (struct shared *)c;
	cached_bytes -= sh->len;
	free(sh);
}

/* Keeps the packet p (len bytes) for the message's other subscribers. */
static void keep(struct message *m, bool with_id, const char *p, size_t len)
{
	if (m->cache || m->routes < 2 || len > CACHE_PACKET_MAX ||
	    cached_bytes + len > CACHE_BYTES_MAX)
		return;
	struct shared *sh = malloc(sizeof *sh + len);
	if (!sh)
		return;
	sh->h.owner = owner;
	sh->h.release = shared_release;
	sh->with_id = with_id;
	sh->uses_left = m->routes - 1;
	sh->len = len;
	memcpy(sh->bytes, p, len);
	cached_bytes += len;
	m->cache = &sh->h;
}

static int encode(struct buf *out, struct message *m, uint8_t qos, bool dup,
		  uint16_t packet_id)
{
	char buf[256], *heap;
	const char *topic = mqtt_topic_from_dest_buf(m->dest, buf, sizeof buf, &heap);
	if (!topic)
		return -1;
	size_t mark = buf_len(out);
	int rc = mqtt_put_publish(out, qos, m->retained, dup, topic, packet_id, m->body,
				  m->body_len);
	free(heap);
	if (rc == 0)
		keep(m, qos > 0, buf_data(out) + mark, buf_len(out) - mark);
	return rc;
}

int mqtt_message_put(struct buf *out, struct message *m, uint8_t qos, bool dup,
		     uint16_t packet_id)
{
	struct shared *sh = m->cache && m->cache->owner == owner ? (struct shared *)m->cache
								 : NULL;
	if (!sh || sh->with_id != (qos > 0))
		return encode(out, m, qos, dup, packet_id);
	size_t mark = buf_len(out);
	if (buf_append(out, sh->bytes, sh->len) < 0)
		return -1;
	mqtt_publish_restamp(buf_data(out) + mark, qos, m->retained, dup, packet_id);
	if (--sh->uses_left == 0)
		message_drop_cache(m);	/* the last subscriber has it */
	return 0;
}
