/*
 * broker.h - the broker: its destinations, subscriptions, store and
 * connectors, and the routing of messages between them.
 *
 * There is one broker per process, `broker`, owned by the event loop
 * thread (like redis's `server`). Protocol handlers call broker_publish()
 * (publish.h) and consumer_open() (consumer.h); nothing here knows any
 * protocol.
 *
 * Where to start reading: broker_start() (config -> store -> connectors),
 * broker_publish() (the policy) and broker_send() (routing), then queue.c
 * (dispatch) and consumer.c (acks).
 */
#ifndef TANDEM_BROKER_H
#define TANDEM_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "message.h"
#include "nameset.h"
#include "store.h"
#include "strmap.h"
#include "topic_index.h"

struct config;
struct conn;
struct connector;
struct consumer;
struct loop;
struct queue;
struct selector;

/* A durable topic subscription: it outlives its subscriber's connection
 * and the broker process (its definition and persistent messages are in
 * the store). */
struct durable {
	char *client_id;
	char *name;
	char *topic;		/* may hold wildcards */
	char *selector_text;	/* NULL for none */
	struct selector *selector;
	int no_local;		/* JMS noLocal: 1, 0, -1 when not known (stored before it was kept) */
	struct queue *queue;
	struct consumer *active;	/* the subscriber, when connected */
	bool network;		/* a bridge's, for another broker's durables (bridge.h) */
	char *key;		/* in broker.durable_index: see durable_key() */
	struct durable *next, *prev;
};

struct broker {
	struct loop *loop;
	const struct config *cfg;
	struct store *store;		/* NULL when persistent="false" */
	struct connector *connectors;
	size_t nconnectors;

	struct queue *queues;		/* every named queue */
	struct nameset queue_index;	/* the same by name, for finding and paging */
	struct consumer *wildcard_queue_consumers;
	struct consumer *topic_consumers;
	struct topic_index topic_subs;	/* topic_consumers by their patterns */
	long advisory_listeners;	/* of them, on ActiveMQ.Advisory.* */
	struct durable *durables;
	struct topic_index durable_subs;	/* durables by their topics */
	struct strmap durable_index;	/* durables by client id and name */

	uint64_t next_order;		/* entry arrival order */
	uint64_t next_delivery;		/* delivery ids */
	uint64_t next_message;		/* message-id counter */
	char id_prefix[96];		/* "ID:host-pid-start-" */
	/* HOST:PORT of this node's management socket, told to the other
	 * brokers' bridges ("" when none): set by whoever started it. */
	char management_address[300];
	int64_t started_wall;		/* ms since the epoch */
	int64_t now_wall;		/* wall clock, cached per iteration */

	uint64_t total_enqueues, total_dequeues;
	bool stopping;
	int exit_status;		/* for main(): 1 when the broker could not serve */
	uint64_t kick_timer;		/* a 0 ms timer for work left by a flush */
};

extern struct broker broker;

/* Opens the store, loads what it holds, starts the connectors. Returns 0,
 * or -1 with the reason logged. */
int broker_start(struct loop *l, const struct config *cfg);
/* Whether this broker serves clients: it is master of its store (or has
 * no store). A slave has no destinations and takes no changes. */
bool broker_serving(void);

/* fn is called whenever the broker stops serving (shutdown, a lost
 * lock), before its clients are dropped: for observers (the web console)
 * that must let go of what they show. 0, or -1 when too many observe. */
int broker_observe_stop_serving(void (*fn)(void));

/* Stops accepting, closes connections (unacked messages return to their
 * queues), commits and closes the store. */
void broker_stop(void);	/* nothing when broker_start() never ran */

/* Routes m (the caller keeps its reference) to the queue or to every
 * matching topic subscription. Persistent messages get store writes that
 * the next commit makes durable. Returns 0, or -1 with a client-facing
 * reason in err. Only the routing step: producers go through
 * broker_publish() (publish.h), which meets the policy first. */
int broker_send(struct message *m, char *err, size_t errlen);

/* One queue that counted m (a send of broker_send) gave it back unsent:
 * the commit that was to make it durable failed, and its producer is
 * told. When no queue keeps it, the send is taken back from the broker's
 * TotalEnqueueCount and its topic's EnqueueCount too, as from the queues'. */
void broker_route_taken_back(struct message *m, uint32_t n);

/* A network path (NETWORK_PATH_HEADER: broker ids, comma-separated):
 * whether it names broker id `id`, and how many brokers it names. */
bool broker_path_has(const char *path, const char *id);
int broker_path_length(const char *path);
/* Whether m's network path names this broker: it was here before and
 * went out over a bridge. */
bool broker_in_path(const struct message *m);

/* The queue or durable subscription whose store container this is, or
 * NULL. It walks the durables: for failures, not the message path. */
struct queue *broker_container_queue(const char *container);

/* Whether a client may log in with this user name and password (either
 * may be NULL): always when the broker has no users (simpleAuthentication
 * Plugin), else only a configured user with its password. Every protocol
 * asks here. */
bool broker_login_ok(const char *user, const char *password);

/* A fresh message id. The caller frees it. */
char *broker_new_message_id(void);
/* The same written into out, NUL-terminated, for a producer that copies
 * it into its message (message_new_packed); its length. */
#define BROKER_MESSAGE_ID_MAX (sizeof broker.id_prefix + BUF_I64_MAX)
size_t broker_message_id_into(char out[BROKER_MESSAGE_ID_MAX]);

/* The queue called name, created when `create` (and bound to matching
 * wildcard consumers). NULL when absent or out of memory. */
struct queue *broker_queue(const char *name, bool create);

/* Runs fn(ctx, err) once everything queued for the store so far is
 * durable, or at the end of this iteration when nothing is queued. */
void broker_after_commit(store_done_fn fn, void *ctx);

/* After the commit that covers what is queued for the store now, calls
 * failed(c, err) if that commit failed and c is still open: how a
 * producer that asked for no receipt learns that its persistent messages
 * were not stored. One watch per connection and commit is enough. */
void broker_watch_commit(struct conn *c, void (*failed)(struct conn *c, int err));

/* A connection sent m (counted for management: its messages, and the
 * destination's producers). */
void broker_note_send(struct conn *c, const struct message *m);
/* A connection's protocol let it go: it is no destination's producer. */
void broker_conn_gone(struct conn *c);

/* Removes a queue and its messages. -1 with err when it has consumers or
 * does not exist. */
int broker_queue_remove(const char *name, char *err, size_t errlen);

/* A store commit finished or its size was measured again: queues with
 * paged-out messages are scheduled to read them. */
void broker_store_progress(void);

/* Durable subscriptions. */
struct durable *broker_durable_find(const char *client_id, const char *name);
/* Creates (and stores) or returns the durable subscription; a changed
 * topic, selector or noLocal replaces it, as ActiveMQ does (its KahaDB
 * keeps noLocal). NULL with err set on failure. */
struct durable *broker_durable_get(const char *client_id, const char *name,
				   const char *topic, const char *selector, bool no_local,
				   char *err, size_t errlen);
/* Renames it, with its messages (an MQTT subscription granted another
 * QoS); -1 with err when it is in use, unknown, or the name is taken. */
int broker_durable_rename(const char *client_id, const char *name, const char *new_name,
			  char *err, size_t errlen);
/* Removes it and its messages; -1 with err when it is in use or unknown. */
int broker_durable_remove(const char *client_id, const char *name,
			  char *err, size_t errlen);

/* Sends an entry's message to the DLQ (persistent) or drops it
 * (non-persistent), as ActiveMQ's SharedDeadLetterStrategy does. The
 * entry itself is left to the caller. */
void broker_dead_letter(struct queue *from, struct message *m, const char *cause);

#endif
