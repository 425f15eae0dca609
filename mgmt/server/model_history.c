/*
 * model_history.c - the management model's History objects: the last
 * hour of the broker's totals (...,service=History) and of each tracked
 * queue (...,service=History,queue=Q),
 * as history.h keeps them, oldest sample first (man tandem-mgmt(7)).
 *
 * Reading a queue's History by its name takes the queue on when it has
 * no ring yet (and there is room): its console page does so, and its
 * chart fills from then on.
 */
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "history.h"
#include "model.h"

#define HIST(o) ((const struct history *)(o)->ptr)

enum series { DEPTH, IN, OUT };

static json_t *series(const struct mobj *o, enum series which)
{
	const struct history *h = HIST(o);
	json_t *a = json_array();
	for (size_t i = 0; i < history_len(h); i++) {
		struct history_sample s = history_get(h, i);
		json_array_append_new(a, json_integer(which == DEPTH ? s.depth : which == IN ? s.in
							       : s.out));
	}
	return a;
}

static json_t *h_depth(const struct mobj *o) { return series(o, DEPTH); }
static json_t *h_in(const struct mobj *o) { return series(o, IN); }
static json_t *h_out(const struct mobj *o) { return series(o, OUT); }
static json_t *h_dest(const struct mobj *o) { return json_string(history_name(HIST(o)) ?: ""); }
static json_t *h_interval(const struct mobj *o) { (void)o; return json_integer(HISTORY_INTERVAL_MS); }
static json_t *h_len(const struct mobj *o) { return json_integer((json_int_t)history_len(HIST(o))); }
static json_t *h_last(const struct mobj *o) { return json_integer(history_last_ms(HIST(o))); }
static json_t *h_tracked(const struct mobj *o) { (void)o; return json_integer((json_int_t)history_count()); }
static json_t *h_max(const struct mobj *o) { (void)o; return json_integer(HISTORY_QUEUES_MAX); }
static json_t *h_untracked(const struct mobj *o)
{
	(void)o;
	return json_integer((json_int_t)history_untracked());
}

static const struct mattr history_attrs[] = {
	{ "DestinationName", "java.lang.String", "The queue (empty: the broker's totals)", h_dest,
	  NULL },
	{ "SampleMillis", "long", "Time between samples", h_interval, NULL },
	{ "SampleCount", "int", "Samples held, at most an hour's", h_len, NULL },
	{ "LastSampleTime", "long", "When the newest sample was taken, ms since the epoch",
	  h_last, NULL },
	{ "QueueSize", "long[]", "Messages held at each sample, oldest first", h_depth, NULL },
	{ "Enqueues", "long[]", "Messages that arrived in each interval", h_in, NULL },
	{ "Dequeues", "long[]", "Messages that left in each interval", h_out, NULL },
	{ "TrackedQueues", "int", "Queues with a history now", h_tracked, NULL },
	{ "TrackedQueuesMax", "int", "At most this many queues have one", h_max, NULL },
	{ "UntrackedQueues", "int", "Queues in use that found every history taken (last sweep)",
	  h_untracked, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

#define BROKER_FMT MODEL_DOMAIN ":type=Broker,brokerName=%s"

void model_history_name(char *out, size_t n, const char *queue)
{
	if (!queue) {
		snprintf(out, n, BROKER_FMT ",service=History", model_broker_name());
		return;
	}
	char quoted[MOBJ_NAME_MAX / 2];
	objname_quote(queue, quoted, sizeof quoted);
	/* not destinationType=Queue: a search for a broker's queues must not
	 * find their histories */
	snprintf(out, n, BROKER_FMT ",service=History,queue=%s", model_broker_name(), quoted);
}

static void history_mobj(const struct history *h, struct mobj *o)
{
	char name[MOBJ_NAME_MAX];
	model_history_name(name, sizeof name, history_name(h));
	mobj_set(o, &mclass_history, (void *)h, "%s", name);
}

static bool history_each(mobj_fn fn, void *ctx)
{
	struct mobj o;
	if (!history_broker())
		return true;	/* not started (a harness without the timer) */
	history_mobj(history_broker(), &o);
	if (!fn(&o, ctx))
		return false;
	for (size_t i = 0; i < history_count(); i++) {
		const struct history *h = history_at(i);
		/* A removed queue's ring goes at the next sample; it is not
		 * listed meanwhile (the queue's name would seem to live on). */
		if (!broker_queue(history_name(h), false))
			continue;
		history_mobj(h, &o);
		if (!fn(&o, ctx))
			return false;
	}
	return true;
}

static int history_find(const struct objname *n, struct mobj *out)
{
	const char *service = objname_get(n, "service");
	if (!service || strcmp(service, "History") || !history_broker())
		return -1;
	const char *dest = objname_get(n, "queue");
	if (!dest) {
		history_mobj(history_broker(), out);
		return 0;
	}
	const struct history *h = history_queue_track(dest);
	if (!h)
		return strchr(dest, '_') ? MOBJ_FIND_WALK : -1;
	history_mobj(h, out);
	return 0;
}

const struct mclass mclass_history = { "History", history_attrs, NULL, history_each, NULL,
				       history_find };
