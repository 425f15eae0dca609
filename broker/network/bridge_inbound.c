/*
 * bridge_inbound.c - a remote's bridge as a client (see bridge_inbound.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bridge_inbound.h"
#include "broker.h"
#include "config.h"
#include "dedupe.h"
#include "log.h"

bool bridge_inbound_wants_duplex(const struct stomp_frame *connect)
{
	return stomp_frame_header(connect, "tandem-network-bridge") &&
	       stomp_frame_header(connect, "tandem-duplex");
}

int bridge_inbound_peer(const struct stomp_frame *connect, const char *from,
			struct bridge_peer *p)
{
	const char *name = stomp_frame_header(connect, "tandem-network-bridge");
	const char *id = name ? stomp_frame_header(connect, "tandem-broker-id") : NULL;
	if ((name && !(p->name = strdup(name))) || (id && !(p->id = strdup(id))))
		return -1;
	if (name)
		log_info("stomp", "Network bridge from broker %s connected from %s", name, from);
	return 0;
}

void bridge_inbound_peer_free(struct bridge_peer *p)
{
	free(p->name);
	free(p->id);
	p->name = p->id = NULL;
}

void bridge_inbound_connected_headers(struct buf *out, bool to_bridge)
{
	stomp_put_header(out, STOMP_V10, "tandem-broker", broker.cfg->broker_name);
	stomp_put_header(out, STOMP_V10, "tandem-broker-id", broker.id_prefix);
	if (to_bridge && broker.management_address[0])
		stomp_put_header(out, STOMP_V10, "tandem-management", broker.management_address);
}

/* What a resend of m is known by. A resend after a failover of the
 * sending pair comes from the new master, by another path of the same
 * length; a replay always comes by a longer one. The user the bridge
 * logged in as is part of it: message ids are easy to guess (a prefix
 * any message shows and a count), and a client of another login that
 * says it is a bridge must not get a bridge's next messages dropped as
 * resends by sending their ids first. */
static void resend_key(const struct message *m, const char *user, char *key, size_t size)
{
	const char *path = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	bool replay = header_get(m->headers, m->nheaders, NETWORK_REPLAY_HEADER) != NULL;
	snprintf(key, size, "%s|%d|%s", m->id,
		 replay && m->dest_type == DEST_QUEUE ? broker_path_length(path) : 0, user ? user : "");
}

void bridge_inbound_refused(const struct message *m, const char *user)
{
	char key[1024];
	resend_key(m, user, key, sizeof key);
	dedupe_forget(key);
}

/* Paths name brokers by id: two pairs' brokers may share names. A resend
 * is known by id, and for a replayed queue message by id and the length
 * of its path (a replay of a message that was here before is no resend). */
bool bridge_inbound_accepts(const struct message *m, const char *user)
{
	const char *path = header_get(m->headers, m->nheaders, NETWORK_PATH_HEADER);
	bool replay = header_get(m->headers, m->nheaders, NETWORK_REPLAY_HEADER) != NULL;
	if (!replay && broker_in_path(m)) {
		log_debug("stomp", "Dropped %s: it went through this broker before (%s)", m->id,
			  path);
		return false;
	}
	char key[1024];
	resend_key(m, user, key, sizeof key);
	if (dedupe_seen(key)) {
		log_debug("stomp", "Dropped %s: a bridge sent it again", m->id);
		return false;
	}
	return true;
}
