/*
 * cluster_poll.h - the whole cluster as the /cluster page shows it,
 * collected by a thread of its own (cluster_poll.c).
 *
 * The other nodes are asked through the tools' client library
 * (mgmt/client, as tandemtop asks them), which blocks within its
 * deadlines: the thread keeps those waits off the broker's loop. The
 * loop only takes the latest view, under a mutex, never waiting on a
 * node. The thread polls every CLUSTER_POLL_MS while pages ask for the
 * view, and rests when nobody has asked for a minute.
 */
#ifndef TANDEM_WEB_CLUSTER_POLL_H
#define TANDEM_WEB_CLUSTER_POLL_H

#include <jansson.h>

struct config;

#define CLUSTER_POLL_MS 2000

/* From the loop: the view is wanted (starts the thread the first time).
 * seed (taken) is what this node knows of its neighbours, from its own
 * model: {"locker": {"PairNodes": ..}, "bridges": {MBEAN: {..}}}; this
 * node itself is never asked, nor listed in the view. 0, or -1 when the
 * thread cannot start (logged). */
int cluster_poll_want(const struct config *cfg, json_t *seed);
/* The latest view (a new reference; NULL before the first round):
 *   {"at": MS, "nodes": [{"addr", "name", "up", "error", "downSince",
 *     "seen", "broker", "locker", "queues", "bridges", "flows"}]}
 * where broker and locker are attribute objects and queues, bridges
 * and flows map object names to theirs. A node down keeps what it said
 * last (seen says when). The view is never changed once given out. */
json_t *cluster_poll_view(void);
/* Stops and joins the thread (web_stop). */
void cluster_poll_stop(void);

#endif
