/*
 * screen_events.c - the Events screen: what changed, newest first:
 * failovers, locks acquired and lost (the nodes' own Locker events),
 * bridges up and down, nodes unreachable and back, nodes found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screen.h"

enum { E_TIME, E_WHO, E_EVENT };

static const struct vcol cols[] = {
	[E_TIME] = { "TIME", 8, 8, false, 0 },
	[E_WHO] = { "WHO", 4, 21, false, 1 },
	[E_EVENT] = { "EVENT", 10, 200, false, 0 },
};

static void build(const struct model *m, struct view *v)
{
	view_cols(v, cols, sizeof cols / sizeof cols[0]);
	/* Newest first; the log keeps them as they came, by our clock or the
	 * node's, so they are put in time order here. */
	size_t n = m->nevents;
	const struct mevent **order = calloc(n ? n : 1, sizeof *order);
	if (!order)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct mevent *e = model_event_at(m, i);
		size_t j = i;
		for (; j > 0 && order[j - 1]->ms > e->ms; j--)
			order[j] = order[j - 1];
		order[j] = e;
	}
	for (size_t i = n; i-- > 0;) {
		const struct mevent *e = order[i];
		char key[400], when[16];
		screen_time_text(e->ms, when, sizeof when);
		snprintf(key, sizeof key, "%s %s: %s", when, e->who, e->text);
		struct vrow *r = view_row(v, 0, key);
		view_cell(r, E_TIME, "%s", when);
		view_cell_num(r, E_TIME, (double)e->ms);
		view_cell(r, E_WHO, "%s", e->who);
		view_cell(r, E_EVENT, "%s", e->text);
		if (r && e->bad)
			r->style = V_BAD;
		else if (r && strstr(e->text, "FAILOVER"))
			r->style = V_ACCENT;
	}
	free(order);
}

static void detail(const struct model *m, const char *key, struct page *p)
{
	(void)m;
	snprintf(p->title, sizeof p->title, "event");
	page_add(p, V_NORMAL, "%s", key);
}

const struct screen screen_events = {
	"Events", "failovers, lock acquired or lost, bridges up or down, nodes unreachable", build, detail,
};
