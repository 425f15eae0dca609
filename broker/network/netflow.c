/*
 * netflow.c - per neighbour, direction and destination counts (see
 * netflow.h). A list: a broker has a few neighbours and forwards a few
 * hundred destinations at most; the lookup is a walk like the bridges'.
 */
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "log.h"
#include "loop.h"
#include "netflow.h"

static struct netflow *flows;

static bool same_peer(const struct netflow *f, const char *peer, const char *peer_id)
{
	if (f->peer_id || peer_id)
		return f->peer_id && peer_id && !strcmp(f->peer_id, peer_id);
	return !strcmp(f->peer, peer);
}

static struct netflow *find(const char *peer, const char *peer_id, enum netflow_dir dir,
			    enum dest_type type, const char *dest)
{
	for (struct netflow *f = flows; f; f = f->next)
		if (f->dir == dir && f->type == type && !strcmp(f->dest, dest) &&
		    same_peer(f, peer, peer_id))
			return f;
	struct netflow *f = calloc(1, sizeof *f);
	if (!f || !(f->peer = strdup(peer)) || !(f->dest = strdup(dest)) ||
	    (peer_id && !(f->peer_id = strdup(peer_id)))) {
		if (f) {
			free(f->peer);
			free(f->dest);
		}
		free(f);
		return NULL;	/* the count is lost, not the message */
	}
	f->dir = dir;
	f->type = type;
	f->window_start_ms = wall_ms();
	f->next = flows;
	flows = f;
	return f;
}

void netflow_count(const char *peer, const char *peer_id, enum netflow_dir dir,
		   enum dest_type type, const char *dest)
{
	struct netflow *f = peer && dest ? find(peer, peer_id, dir, type, dest) : NULL;
	if (!f)
		return;
	int64_t now = wall_ms();
	if (now - f->window_start_ms >= 1000) {
		f->rate = (double)f->window_count * 1000 / (double)(now - f->window_start_ms);
		f->window_start_ms = now;
		f->window_count = 0;
	}
	f->window_count++;
	f->count++;
	f->last_ms = now;
}

double netflow_rate(const struct netflow *f, int64_t now_ms)
{
	int64_t open_ms = now_ms - f->window_start_ms;
	if (open_ms < 1000)
		return f->rate;
	/* No message rolled the window over: the flow slowed or stopped, and
	 * what the window holds, spread over its time, says by how much. */
	return (double)f->window_count * 1000 / (double)open_ms;
}

const char *netflow_dir_name(enum netflow_dir dir)
{
	return dir == NETFLOW_INBOUND ? "inbound" : "outbound";
}

struct netflow *netflow_first(void)
{
	return flows;
}

void netflow_free_all(void)
{
	while (flows) {
		struct netflow *f = flows;
		flows = f->next;
		free(f->peer);
		free(f->peer_id);
		free(f->dest);
		free(f);
	}
}
