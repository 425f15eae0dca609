/*
 * top_model.h - the cluster as tandemtop sees it: every node with its latest
 * snapshot and what follows from it (role, pair, rates), every
 * destination across the nodes with the history of its depth, every
 * network bridge, and the events seen so far.
 *
 * model_refresh() takes what the nodes' workers brought (node.h) and
 * rebuilds the derived parts; the screens only read the model. Rates are
 * counter growth per second over the last few seconds (RATE_SAMPLES
 * snapshots RATE_STEP_MS apart), by the node's clock: a burst shows while
 * it lasts and the rate falls to 0 within those seconds once it stops. A node that went down, whose pair
 * has no master up, still counts what it held when last seen: stale, and
 * said so. Thread: the screen's.
 */
#ifndef TANDEM_TOP_MODEL_H
#define TANDEM_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define HISTORY 60		/* depth samples kept per destination: one a second */
#define EVENTS_MAX 500
/* Rates are counted over the snapshots of the last few seconds: samples
 * at least RATE_STEP_MS apart, RATE_SAMPLES of them. */
#define RATE_STEP_MS 1000
#define RATE_SAMPLES 4

enum role { ROLE_CONNECTING, ROLE_DOWN, ROLE_MASTER, ROLE_SLAVE, ROLE_STARTING };

struct mnode {
	char *addr;
	char *pair;		/* --cluster PAIRNAME, else the store directory once known */
	char *found_via;	/* how discovery found it; NULL when given */
	struct node *conn;
	enum node_state state;
	char error[256];
	enum role role, last_role;
	bool seen;		/* has answered at least once */
	json_t *snap;		/* object name -> attributes; owned; kept while DOWN */
	int64_t snap_ms;
	/* Older snapshots for rates, oldest first; owned. */
	json_t *past[RATE_SAMPLES];
	int64_t past_ms[RATE_SAMPLES];
	int npast;
	bool stale;		/* DOWN, and what it last held still counts (see above) */
	int64_t down_since;	/* when it went DOWN; 0 while up */
	/* Borrowed from snap; NULL when absent. */
	json_t *broker, *locker;
	const char *name;	/* BrokerName, kept from the last snapshot that had it */
	char *name_kept;
	double enq_rate, deq_rate;	/* < 0: not known yet */
	int64_t last_lock_event;	/* the newest Locker event already logged */
	/* Other addresses of this same broker (its BrokerId answered there
	 * too): not watched twice. "addr\n" each; owned. */
	char *aliases;
};

struct mdest {
	char type;		/* 'Q' or 'T' */
	char *name;
	/* Per node (index into the model's nodes), this refresh; -1 absent. */
	long *depth, *consumers, *blocked;
	bool *stale;		/* depth[k] is what node k held when last seen */
	size_t nnodes;
	long total, total_consumers, total_blocked;
	long stale_total;	/* of total, what stale nodes held */
	double enq_rate, deq_rate;	/* summed over the nodes that know a rate */
	bool stuck;		/* waits on a node without consumers while others have some */
	bool present;
	int64_t last_seen_ms;
	long history[HISTORY];
	int nhistory;		/* samples kept, newest last */
};

struct mbridge {
	size_t node;		/* the node it belongs to */
	const char *mbean, *from, *to, *state, *error, *demand;	/* borrowed from the snapshot */
	const char *from_id, *to_id;	/* BrokerIds, "" when unknown: names repeat across pairs */
	int64_t state_since;
	long forwarded, back;	/* back: what the other way forwarded; -1 unknown */
	double rate, back_rate;	/* < 0: not known yet */
	bool active;
	bool activemq;		/* the remote is an ActiveMQ broker (RemoteBrokerType) */
	bool inbound;		/* the remote dialled the node (an InboundNetworkBridge):
				 * from is the remote, to the node */
};

struct mevent {
	uint64_t seq;		/* 1, 2, ...: in the order they were logged */
	int64_t ms;
	char who[64];
	char text[256];
	bool bad;		/* a failure, not news */
};

struct model {
	struct mnode **nodes;
	size_t nnodes;
	struct mdest **dests;
	size_t ndests;
	struct mbridge *bridges;
	size_t nbridges, nbridges_cap;
	struct mevent events[EVENTS_MAX];
	size_t nevents, first_event;	/* a ring */
	uint64_t events_logged;	/* the last seq given */
	json_t *bridge_states;	/* "addr mbean" -> last state, for events */
	struct node_options opt;
	bool discover;
	int64_t last_sample_ms;
};

void model_init(struct model *m, const struct node_options *opt, bool discover);
void model_free(struct model *m);
/* Adds a node (its worker starts); pair, name (its broker's, as another
 * node knows it) and found_via may be NULL. The index, or -1 (ENOMEM).
 * An address already there is not added again. */
int model_add_node(struct model *m, const char *addr, const char *pair, const char *name,
		   const char *found_via);
/* Takes what the workers brought; true when anything changed. */
bool model_refresh(struct model *m);
/* Whether every node has answered or failed once (batch waits for it). */
bool model_settled(const struct model *m);

/* Whether d's messages on node k wait for nobody there while consumers
 * are elsewhere (a stale node's are not: they wait for the node). */
bool model_stuck_on(const struct mdest *d, size_t k);

/* What needs the operator, for the summary line: red for the first four,
 * yellow for blocked producers alone. */
struct trouble {
	int nodes_down, bridges_down, queues_stuck;
	long blocked;		/* producers held by flow control */
	long queued, queued_stale;	/* messages waiting, and of them held by stale nodes */
};
void model_trouble(const struct model *m, struct trouble *tr);
/* The trouble as text ("1 node down, 2 queues stuck"), "" when none. */
void model_trouble_text(const struct trouble *tr, char *out, size_t outlen);

void model_event(struct model *m, int64_t ms, const char *who, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The i-th event, oldest first. */
const struct mevent *model_event_at(const struct model *m, size_t i);

/* From model_discover.c: nodes named by the known nodes' snapshots (pair
 * rosters, bridges' remotes) and not yet known are added. */
void model_discover(struct model *m);

/* Helpers for the screens. */
const char *model_role_name(enum role r);
const char *mstr(json_t *attrs, const char *key);	/* "" when absent */
long mlong(json_t *attrs, const char *key);		/* 0 when absent */
int64_t wall_now_ms(void);
/* The growth of attrs[key] (object `mbean`) per second over the last
 * few seconds (RATE_SAMPLES above); < 0 when unknown (first snapshot, a
 * reset), 0 for a node that is not up. */
double model_rate(const struct mnode *n, const char *mbean, const char *key);
/* The text after the last '/' of a path, with the one before it when
 * that is short ("pairA/kahadb"): how a store directory names a pair. */
const char *model_short_path(const char *path, char *out, size_t outlen);

#endif
