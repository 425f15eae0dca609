/*
 * model.h - the management model: the broker's objects under ActiveMQ's
 * JMX object names, with attributes and operations (man tandem-mgmt(7)).
 *
 * Objects are not registered anywhere: each class walks the broker's own
 * structures when asked (model_each), so the model can never disagree
 * with the broker and costs nothing while nobody looks. A class is a
 * table of attributes and operations plus a walk; the classes live in
 * model_broker.c (broker, connectors, connections, store, health) and
 * model_dest.c (queues, topics, durable subscriptions).
 *
 * Thread: the event loop's, like the broker.
 */
#ifndef TANDEM_MODEL_H
#define TANDEM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "message.h"
#include "objname.h"

#define MODEL_DOMAIN "org.apache.activemq"
#define MOBJ_NAME_MAX 512

struct mclass;

/* One object, as a walk hands it out. */
struct mobj {
	const struct mclass *cls;
	void *ptr;		/* the broker's structure */
	const char *key;	/* its place in a class with each_after (borrowed) */
	char keybuf[24];	/* where a number key is written */
	char name[MOBJ_NAME_MAX];
};

struct mattr {
	const char *name;
	const char *type;	/* Java's, for `list`: "java.lang.String", "long", ... */
	const char *desc;
	json_t *(*get)(const struct mobj *o);	/* a new reference */
	/* NULL when read-only; 0, or -1 with err. */
	int (*set)(const struct mobj *o, json_t *value, char *err, size_t errlen);
};

/* What running an operation takes (jolokia.c checks it, in one place,
 * before the operation runs; authz.h says who has what). */
enum mperm_need {
	MPERM_BROKER,	/* a broker admin: whatever is not about one destination;
			 * the default of a row that says nothing */
	MPERM_READ,	/* read on the destination: its messages */
	MPERM_WRITE,	/* write: sending to it */
	MPERM_ADMIN,	/* admin: purging, removing, creating, moving out of it */
};

struct mperm {
	enum mperm_need need;
	/* The destination `need` is about: the object's own (dest_of), else
	 * the argument number `arg` (from 1), a queue's name or, with
	 * `topic`, a topic's. */
	const char *(*dest_of)(const struct mobj *o, enum dest_type *type);
	int arg;
	bool topic;
	/* The argument number naming a queue the operation sends to, which
	 * takes write there too (0: none). */
	int to_arg;
	/* Where else it sends, as its messages say (retryMessages: each dead
	 * letter's originalDestination, which any sender may set): hands
	 * each to `may` until one is refused; false then. NULL: nowhere. */
	bool (*targets)(const struct mobj *o,
			bool (*may)(void *ctx, enum dest_type type, const char *name), void *ctx);
};

struct mop {
	const char *name;
	int nargs;
	const char *args;	/* "name:type,name:type" for `list` */
	const char *ret;	/* Java's return type */
	const char *desc;
	/* A new reference (json_null() for void), or NULL with err set. */
	json_t *(*run)(const struct mobj *o, json_t *args, char *err, size_t errlen);
	struct mperm perm;
};

typedef bool (*mobj_fn)(const struct mobj *o, void *ctx);	/* false stops */

struct mclass {
	const char *kind;	/* for messages: "Queue", "Connection", ... */
	const struct mattr *attrs;	/* ends with a NULL name */
	const struct mop *ops;		/* ends with a NULL name */
	/* Hands every object of the class to fn until it returns false;
	 * false then. */
	bool (*each)(mobj_fn fn, void *ctx);
	/* Classes that may hold many objects also walk in the order of a
	 * key, from the first key after `after` (NULL: from the start),
	 * setting o->key: a page of them is found without making the names
	 * of the ones before it. Queues and topics by name (a seek); client
	 * connections and consumers by their serial number, newest first (a
	 * cheap skip along their list); durable subscriptions, MQTT sessions
	 * and network flows by their place in their list. NULL for a class
	 * of a few objects, walked whole. */
	bool (*each_after)(const char *after, mobj_fn fn, void *ctx);
	/* The object a name (no pattern) may be, found without a walk: 0,
	 * -1 when not of this class, or MOBJ_FIND_WALK when only a walk can
	 * tell (the name was quoted: objname_quote() turns ':' into '_', so
	 * a temporary queue's "ID:h-1:1" is named "ID_h-1_1"). NULL: found
	 * by walking. */
	int (*find)(const struct objname *name, struct mobj *out);
};

/* A place in the walk over every object (model_walk): the class, and in
 * it the key of the last object visited (each_after) or how many were. */
struct mcursor {
	size_t cls;
	size_t pos;
	bool keyed;		/* key holds the last key visited */
	char key[MOBJ_NAME_MAX];
};

/* One bounded step of a walk: visits at most `budget` objects (matching
 * or not) from `at` on, handing those that match any of the patterns
 * (none: all) to fn until it returns false. `at` is left after the last
 * object visited, so the next step, in this request or the next page's,
 * goes on from there. */
struct mwalk {
	const struct objname *patterns;
	size_t npatterns;
	struct mcursor at;
	size_t budget;		/* visits left; spent by model_walk */
	mobj_fn fn;
	void *ctx;
	const struct mclass *only;	/* walks this class alone (NULL: all) */
};

/* True when the walk reached the end of the objects; false when the
 * budget ran out or fn stopped it (at: where to go on). */
bool model_walk(struct mwalk *w);
/* The cursor as text for a client ("next"), and back: 0, or -1 when the
 * text is no cursor. */
void mcursor_text(const struct mcursor *c, char *out, size_t outlen);
int mcursor_parse(const char *text, struct mcursor *c);

/* Every object whose name matches the pattern (NULL: all), in the
 * classes' order. */
void model_each(const struct objname *pattern, mobj_fn fn, void *ctx);

/* The object with this name (keys in any order); 0, or -1. */
#define MOBJ_FIND_WALK 1
int model_find(const char *name, struct mobj *out);

const struct mattr *model_attr(const struct mclass *cls, const char *name);
/* The operation called name with nargs arguments (or, when nargs < 0,
 * the first called name). */
const struct mop *model_op(const struct mclass *cls, const char *name, int nargs);

/* {attr: value} for the names in `which` (NULL: every attribute), or one
 * value when `which` is a string. NULL with err when an attribute is
 * unknown. */
json_t *model_read(const struct mobj *o, json_t *which, char *err, size_t errlen);

/* Jolokia's `list` description of one object: {"attr": {...}, "op": {...}}. */
json_t *model_describe(const struct mobj *o);

/* Helpers for the classes. */
void mobj_set(struct mobj *o, const struct mclass *cls, void *ptr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* For classes keyed by a serial number, newest (highest) first: sets
 * o's key, and reads a key back (NULL: above every serial), so that
 * each_after skips the serials not below it. */
void mobj_set_serial(struct mobj *o, unsigned long long serial);
unsigned long long mobj_serial_after(const char *after);
/* For classes keyed by their place in a list (durable subscriptions,
 * MQTT sessions, network flows): how many to pass over after `after`
 * (NULL: none); set the key with mobj_set_serial(o, place). The skip is
 * a walk along the list, without making the names it passes. */
size_t mobj_place_after(const char *after);
/* A new request begins (jolokia.c): what a getter worked out for the
 * last one (a walk over every queue that two attributes share) is not
 * to be trusted any more; model_epoch() says which request this is. */
void model_epoch_next(void);
unsigned long model_epoch(void);
/* The broker name as it goes into object names. */
const char *model_broker_name(void);
/* The History object's name of queue, or of the broker's totals when
 * queue is NULL (tandem-mgmt(7)). */
void model_history_name(char *out, size_t n, const char *queue);
/* A JSON integer from an unsigned counter. */
json_t *json_count(unsigned long long n);
/* ActiveMQ's uptime text: "1 hour 5 minutes", "3.2 seconds". */
void model_uptime_text(long long ms, char *out, size_t outlen);

/* The pair's roster (model_roster.c): records this node's management
 * address (HOST:PORT) in its store directory (a jdbc pair's: its
 * database), for the other node of its pair to list; 0, or -1 (logged).
 * model_roster_read: the nodes recorded there, an object of broker name
 * to address (new reference). */
struct config;
int model_roster_register(const struct config *cfg, const char *addr);
json_t *model_roster_read(const struct config *cfg);
/* The same for another folder of addresses ("web": the consoles' URLs). */
int model_roster_register_in(const struct config *cfg, const char *folder, const char *addr);
json_t *model_roster_read_from(const struct config *cfg, const char *folder);

/* The classes, in walk order. */
extern const struct mclass mclass_broker, mclass_connector, mclass_connection,
	mclass_store, mclass_health, mclass_queue, mclass_topic, mclass_durable,
	mclass_consumer, mclass_locker, mclass_bridge, mclass_network_connector, mclass_network_flow,
	mclass_mqtt_session, mclass_history, mclass_inbound_bridge,
	mclass_jolokia_neighbour;

#endif
