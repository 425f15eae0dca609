/*
 * dispatch_mark.c - the highest stored seq each queue has dispatched, per
 * priority, written with the store's group commits (dispatch_mark.h says
 * why and what it costs). A queue gets its marks at its first dispatch of
 * a stored message, or when the store has some for it at start-up.
 */
#include <stdlib.h>

#include "broker.h"
#include "dispatch_mark.h"
#include "queue.h"
#include "store.h"

struct dispatch_marks {
	uint64_t sent[MSG_PRIORITY_MAX + 1];	/* handed out, written or queued */
	uint64_t loaded[MSG_PRIORITY_MAX + 1];	/* the store's at start-up */
	unsigned dirty;				/* priorities to write */
};

static struct dispatch_marks *marks_of(struct queue *q)
{
	if (!q->marks)
		q->marks = calloc(1, sizeof *q->marks);
	return q->marks;
}

void dispatch_mark_sent(struct queue *q, const struct message *m)
{
	struct dispatch_marks *dm = q->container ? marks_of(q) : NULL;
	int p = m->priority;
	if (!dm || m->seq <= dm->sent[p])
		return;	/* out of memory: that message goes unmarked */
	dm->sent[p] = m->seq;
	dm->dirty |= 1u << p;
}

void dispatch_mark_write(struct queue *q)
{
	struct dispatch_marks *dm = q->marks;
	if (!dm || !dm->dirty || !broker.store)
		return;
	for (int p = 0; p <= MSG_PRIORITY_MAX; p++)
		if (dm->dirty & 1u << p)
			store_mark_dispatched(broker.store, q->container, p, dm->sent[p]);
	dm->dirty = 0;
}

int dispatch_mark_loaded(struct queue *q, int priority, uint64_t seq)
{
	if (priority < 0 || priority > MSG_PRIORITY_MAX)
		return 0;
	struct dispatch_marks *dm = marks_of(q);
	if (!dm)
		return -1;
	dm->loaded[priority] = seq;
	if (seq > dm->sent[priority])
		dm->sent[priority] = seq;
	return 0;
}

bool dispatch_mark_covers(const struct queue *q, const struct message *m)
{
	return q->marks && m->seq <= q->marks->loaded[m->priority];
}

void dispatch_mark_free(struct queue *q)
{
	free(q->marks);
	q->marks = NULL;
}
