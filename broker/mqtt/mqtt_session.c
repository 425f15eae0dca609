/*
 * mqtt_session.c - MQTT session state (see mqtt_session.h).
 *
 * Outflight records sit in a list in send order: acks mostly come in that
 * order, so the search for one starts at the head and is short. Packet
 * ids in use are a set of bits (mqtt_idset.h), so finding a free one never
 * walks the list.
 */
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "log.h"
#include "loop.h"
#include "mqtt_session.h"
#include "store.h"

static struct mqtt_session *registry;

struct mqtt_session *mqtt_session_new(const char *client_id, bool persistent)
{
	struct mqtt_session *s = calloc(1, sizeof *s);
	if (!s || !(s->client_id = strdup(client_id))) {
		free(s);
		return NULL;
	}
	s->persistent = persistent;
	s->since_ms = wall_ms();
	return s;
}

void mqtt_session_free(struct mqtt_session *s)
{
	if (!s)
		return;
	while (s->head) {
		struct mqtt_outflight *o = s->head;
		s->head = o->next;
		free(o->message_id);
		free(o);
	}
	mqtt_idset_clear(&s->ids_out);
	mqtt_idset_clear(&s->ids_in);
	free(s->ids_sent);
	free(s->client_id);
	free(s);
}

struct mqtt_session *mqtt_session_find(const char *client_id)
{
	for (struct mqtt_session *s = registry; s; s = s->next)
		if (!strcmp(s->client_id, client_id))
			return s;
	return NULL;
}

void mqtt_session_register(struct mqtt_session *s)
{
	s->next = registry;
	registry = s;
}

/* A persistent session's id into the store, or out of it (committed with
 * what it belongs to: the message, its ack). */
static void keep_id(const struct mqtt_session *s, int kind, uint16_t id, bool keep)
{
	if (!s->persistent || !broker.store)
		return;
	int rc = keep ? store_add_session_id(broker.store, s->client_id, kind, id)
		      : store_remove_session_id(broker.store, s->client_id, kind, id);
	if (rc < 0)
		log_warn("mqtt", "Client %s: packet id %u not %s the store: out of memory",
			 s->client_id, id, keep ? "kept in" : "removed from");
}

void mqtt_session_drop(struct mqtt_session *s)
{
	/* The session ends: nothing of it is needed after a restart. */
	if (s->persistent && broker.store && store_remove_session_ids(broker.store, s->client_id) < 0)
		log_warn("mqtt", "Client %s: its packet ids stay in the store: out of memory",
			 s->client_id);
	struct mqtt_session **pp = &registry;
	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
	mqtt_session_free(s);
}

struct mqtt_session *mqtt_session_first(void)
{
	return registry;
}

void mqtt_session_free_all(void)
{
	while (registry) {
		struct mqtt_session *s = registry;
		registry = s->next;
		mqtt_session_free(s);
	}
}

static void unlink_out(struct mqtt_session *s, struct mqtt_outflight *o)
{
	if (o->prev)
		o->prev->next = o->next;
	else
		s->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		s->tail = o->prev;
	s->nout--;
	if (!o->sub && o->state != MQTT_OUT_PUBCOMP)
		s->ndetached--;
}

static void append_out(struct mqtt_session *s, struct mqtt_outflight *o)
{
	o->next = NULL;
	o->prev = s->tail;
	if (s->tail)
		s->tail->next = o;
	else
		s->head = o;
	s->tail = o;
	s->nout++;
}

void mqtt_session_out_remove(struct mqtt_session *s, struct mqtt_outflight *o)
{
	if (o->state == MQTT_OUT_PUBCOMP)
		keep_id(s, MQTT_ID_OUT, o->packet_id, false);
	if (o->marked)
		keep_id(s, MQTT_ID_SENT, o->packet_id, false);
	unlink_out(s, o);
	mqtt_idset_del(&s->ids_out, o->packet_id);
	free(o->message_id);
	free(o);
}

static struct mqtt_outflight *find_detached(struct mqtt_session *s, const char *message_id)
{
	for (struct mqtt_outflight *o = s->head; o; o = o->next)
		if (!o->sub && o->message_id && !strcmp(o->message_id, message_id))
			return o;
	return NULL;
}

/* A free id; 0 when all 65535 are in flight. Detached records give
 * theirs up, oldest first, when nothing else is left. */
static uint16_t free_id(struct mqtt_session *s)
{
	for (int tries = 0; tries < 65535; tries++) {
		uint16_t id = ++s->next_id;
		if (!id)
			id = s->next_id = 1;
		if (!mqtt_idset_has(&s->ids_out, id))
			return id;
	}
	for (struct mqtt_outflight *o = s->head; o; o = o->next) {
		if (!o->sub && o->state != MQTT_OUT_PUBCOMP) {
			uint16_t id = o->packet_id;
			mqtt_session_out_remove(s, o);
			return id;
		}
	}
	return 0;
}

/* Takes id off the list of those sent before the restart; whether it
 * was there. A walk: a session has up to MQTT_INFLIGHT (1,000) per
 * subscription, and the list empties as they come again. */
static bool take_sent(struct mqtt_session *s, uint16_t id)
{
	for (size_t i = 0; i < s->nsent; i++) {
		if (s->ids_sent[i] != id)
			continue;
		s->ids_sent[i] = s->ids_sent[--s->nsent];
		if (!s->nsent) {
			free(s->ids_sent);
			s->ids_sent = NULL;
		}
		return true;
	}
	return false;
}

/* o takes the id its message's seq gives. Sent before a restart when the
 * store says so: DUP, and the store's row is o's now. Else the sending
 * is kept from now on. */
static void mark_sent(struct mqtt_session *s, struct mqtt_outflight *o, bool redelivered,
		      bool *dup)
{
	bool before = take_sent(s, o->packet_id);
	*dup = redelivered || before;
	if (!before)
		keep_id(s, MQTT_ID_SENT, o->packet_id, true);
	o->marked = s->persistent;
}

struct mqtt_outflight *mqtt_session_out_add(struct mqtt_session *s, uint8_t qos,
					    const char *message_id, uint64_t seq,
					    struct mqtt_sub *sub, uint64_t delivery_id,
					    bool redelivered, bool *dup)
{
	*dup = false;
	struct mqtt_outflight *o = redelivered && s->ndetached ? find_detached(s, message_id)
							       : NULL;
	if (o) {
		/* The same message again, after a reconnect: same id, DUP. */
		unlink_out(s, o);
		*dup = true;
	} else {
		o = calloc(1, sizeof *o);
		if (!o || !(o->message_id = strdup(message_id))) {
			free(o);
			return NULL;
		}
		/* A stored message gets the same id every time, also from the
		 * broker that takes over after a restart or a failover. */
		uint16_t by_seq = seq ? (uint16_t)(seq % 65535 + 1) : 0;
		o->packet_id = by_seq && !mqtt_idset_has(&s->ids_out, by_seq) ? by_seq : free_id(s);
		if (!o->packet_id || mqtt_idset_add(&s->ids_out, o->packet_id) < 0) {
			free(o->message_id);
			free(o);
			return NULL;
		}
		if (o->packet_id == by_seq)
			mark_sent(s, o, redelivered, dup);
	}
	o->qos = qos;
	o->state = qos == 1 ? MQTT_OUT_PUBACK : MQTT_OUT_PUBREC;
	o->sub = sub;
	o->delivery_id = delivery_id;
	append_out(s, o);
	return o;
}

struct mqtt_outflight *mqtt_session_out_find(struct mqtt_session *s, uint16_t packet_id)
{
	if (!mqtt_idset_has(&s->ids_out, packet_id))
		return NULL;
	for (struct mqtt_outflight *o = s->head; o; o = o->next)
		if (o->packet_id == packet_id)
			return o;
	return NULL;
}

void mqtt_session_out_released(struct mqtt_session *s, struct mqtt_outflight *o)
{
	keep_id(s, MQTT_ID_OUT, o->packet_id, true);	/* the PUBREL is owed now */
	if (o->marked)
		keep_id(s, MQTT_ID_SENT, o->packet_id, false);
	o->marked = false;
	if (!o->sub && o->state != MQTT_OUT_PUBCOMP)
		s->ndetached--;
	o->state = MQTT_OUT_PUBCOMP;
	o->sub = NULL;
	free(o->message_id);
	o->message_id = NULL;
}

void mqtt_session_out_detach(struct mqtt_session *s, struct mqtt_sub *sub, bool keep)
{
	struct mqtt_outflight *o = s->head, *next;
	for (; o; o = next) {
		next = o->next;
		if (o->sub != sub)
			continue;
		if (!keep) {
			mqtt_session_out_remove(s, o);
			continue;
		}
		o->sub = NULL;
		s->ndetached++;
	}
}

void mqtt_session_trim(struct mqtt_session *s)
{
	if (!s->nout)
		mqtt_idset_clear(&s->ids_out);
	if (!s->nin)
		mqtt_idset_clear(&s->ids_in);
}

bool mqtt_session_in_pending(const struct mqtt_session *s, uint16_t packet_id)
{
	return mqtt_idset_has(&s->ids_in, packet_id);
}

int mqtt_session_in_mark(struct mqtt_session *s, uint16_t packet_id)
{
	if (mqtt_idset_has(&s->ids_in, packet_id))
		return 0;
	if (mqtt_idset_add(&s->ids_in, packet_id) < 0)
		return -1;
	s->nin++;
	keep_id(s, MQTT_ID_IN, packet_id, true);
	return 0;
}

void mqtt_session_in_clear(struct mqtt_session *s, uint16_t packet_id)
{
	if (!mqtt_idset_has(&s->ids_in, packet_id))
		return;
	mqtt_idset_del(&s->ids_in, packet_id);
	s->nin--;
	keep_id(s, MQTT_ID_IN, packet_id, false);
}

void mqtt_session_restore(void *ctx, const char *client_id, int kind, unsigned id)
{
	(void)ctx;
	struct mqtt_session *s = mqtt_session_find(client_id);
	if (!s && (s = mqtt_session_new(client_id, true)))
		mqtt_session_register(s);
	uint16_t pid = (uint16_t)id;
	if (s && kind == MQTT_ID_IN && !mqtt_idset_has(&s->ids_in, pid) && mqtt_idset_add(&s->ids_in, pid) == 0) {
		s->nin++;
		return;
	}
	if (s && kind == MQTT_ID_SENT) {
		uint16_t *a = realloc(s->ids_sent, (s->nsent + 1) * sizeof *a);
		if (a) {
			s->ids_sent = a;
			a[s->nsent++] = pid;
		}	/* else it comes without DUP: the least of losses */
		return;
	}
	if (!s || kind != MQTT_ID_OUT || mqtt_idset_has(&s->ids_out, pid)) {
		if (!s)
			log_error("mqtt", "Client %s: packet id %u lost: out of memory", client_id, id);
		return;
	}
	/* A PUBREL owed: sent when the client is back (mqtt_sub_resume). */
	struct mqtt_outflight *o = calloc(1, sizeof *o);
	if (!o || mqtt_idset_add(&s->ids_out, pid) < 0) {
		free(o);
		log_error("mqtt", "Client %s: packet id %u lost: out of memory", client_id, id);
		return;
	}
	*o = (struct mqtt_outflight){ .packet_id = pid, .qos = 2, .state = MQTT_OUT_PUBCOMP };
	append_out(s, o);
}
