/*
 * top_model.h - the cluster as tandemtop sees it: every node with its latest
 * snapshot and what follows from it (role, pair, rates), every
 * destination across the nodes with the history of its depth, every
 * network bridge, and the events seen so far.
 *
 * model_refresh() takes what the nodes' workers brought (node.h) and
 * rebuilds the derived parts; the screens only read the model. Rates are
 * counter growth between a node's two latest snapshots, by the node's
 * clock. Thread: the screen's.
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
	json_t *snap, *prev;	/* object name -> attributes; owned */
	int64_t snap_ms, prev_ms;
	/* Borrowed from snap; NULL when absent. */
	json_t *broker, *locker;
	const char *name;	/* BrokerName, kept from the last snapshot that had it */
	char *name_kept;
	double enq_rate, deq_rate;	/* < 0: not known yet */
	int64_t last_lock_event;	/* the newest Locker event already logged */
};

struct mdest {
	char type;		/* 'Q' or 'T' */
	char *name;
	/* Per node (index into the model's nodes), this refresh; -1 absent. */
	long *depth, *consumers, *blocked;
	size_t nnodes;
	long total, total_consumers, total_blocked;
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
};

struct mevent {
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
/* The growth of attrs[key] per second between the node's two latest
 * snapshots (object `mbean`); < 0 when unknown (first snapshot, a reset). */
double model_rate(const struct mnode *n, const char *mbean, const char *key);
/* The text after the last '/' of a path, with the one before it when
 * that is short ("pairA/kahadb"): how a store directory names a pair. */
const char *model_short_path(const char *path, char *out, size_t outlen);

#endif
