/*
 * actions.c - what tandemtop does to the cluster, on the selected queue:
 * purge it (on every node that has it, after a y), browse its first
 * messages (on the node that holds the most). Requests go to the nodes'
 * workers (node_job_start) and their answers come back on later frames
 * (actions_poll), so a slow node delays only its own answer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "top.h"

void top_status(struct top *t, bool bad, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_bad = bad;
}

/* The selected queue on the Queues screen ("Q:NAME"), or NULL after
 * saying why there is none. */
static const char *selected_queue(struct top *t)
{
	const struct screen_state *st = &t->st[1];
	if (t->screen != 1 || !st->key[0]) {
		top_status(t, true, "select a queue on the Queues screen (2) first");
		return NULL;
	}
	if (st->key[0] != 'Q') {
		top_status(t, true, "%s is a topic: only queues are purged and browsed", st->key + 2);
		return NULL;
	}
	return st->key;
}

/* The object name of queue `name` in node n's snapshot, or NULL. */
static const char *queue_mbean(const struct mnode *n, const char *name)
{
	const char *mbean;
	json_t *attrs;
	json_object_foreach(n->state == NODE_UP ? n->snap : NULL, mbean, attrs)
		if (strstr(mbean, ",destinationType=Queue,") && !strstr(mbean, ",endpoint=") &&
		    !strcmp(mstr(attrs, "Name"), name))
			return mbean;
	return NULL;
}

static void start_job(struct top *t, size_t node, bool browse, const char *name, const char *op)
{
	const struct mnode *n = t->model.nodes[node];
	const char *mbean = queue_mbean(n, name);
	if (!mbean || t->njobs == JOBS_MAX)
		return;
	json_t *req = json_pack("{s:s, s:s, s:s, s:[]}", "type", "exec", "mbean", mbean,
				"operation", op, "arguments");
	if (!req || node_job_start(n->conn, req) < 0) {
		top_status(t, true, "%s is still busy with the last request", n->name ? n->name : n->addr);
		return;
	}
	struct job *j = &t->jobs[t->njobs++];
	j->node = n;
	j->browse = browse;
	snprintf(j->dest, sizeof j->dest, "%s", name);
}

void actions_purge_ask(struct top *t)
{
	const char *key = selected_queue(t);
	if (!key)
		return;
	snprintf(t->confirm, sizeof t->confirm, "%s", key);
	t->mode = MODE_CONFIRM;
}

void actions_purge(struct top *t)
{
	const char *name = t->confirm + 2;
	size_t before = t->njobs;
	for (size_t i = 0; i < t->model.nnodes; i++)
		start_job(t, i, false, name, "purge");
	if (t->njobs == before)
		top_status(t, true, "no node that is up has queue %s", name);
	else
		top_status(t, false, "purging %s on %zu node%s...", name, t->njobs - before,
			   t->njobs - before == 1 ? "" : "s");
}

void actions_browse(struct top *t)
{
	const char *key = selected_queue(t);
	if (!key)
		return;
	/* The node that holds the most of it: where its messages are. */
	long best = -1;
	size_t node = 0;
	for (size_t i = 0; i < t->model.ndests; i++) {
		const struct mdest *d = t->model.dests[i];
		if (d->type != 'Q' || strcmp(d->name, key + 2))
			continue;
		for (size_t k = 0; k < d->nnodes; k++)
			if (d->depth[k] > best) {
				best = d->depth[k];
				node = k;
			}
	}
	if (best < 0) {
		top_status(t, true, "no node that is up has queue %s", key + 2);
		return;
	}
	size_t before = t->njobs;
	start_job(t, node, true, key + 2, "browse");
	if (t->njobs > before)
		top_status(t, false, "browsing %s on %s...", key + 2,
			   t->model.nodes[node]->name ? t->model.nodes[node]->name : t->model.nodes[node]->addr);
}

void actions_poll(struct top *t)
{
	size_t kept = 0;
	for (size_t i = 0; i < t->njobs; i++) {
		struct job *j = &t->jobs[i];
		const struct mnode *n = NULL;
		for (size_t k = 0; k < t->model.nnodes && !n; k++)
			if (t->model.nodes[k] == j->node)
				n = j->node;
		if (!n)
			continue;	/* merged into another: its worker is stopped */
		json_t *value = NULL;
		char err[256];
		int r = node_job_poll(n->conn, &value, err, sizeof err);
		if (r == 0) {
			t->jobs[kept++] = *j;
			continue;
		}
		const char *who = n->name ? n->name : n->addr;
		if (r < 0)
			top_status(t, true, "%s %s on %s failed: %s", j->browse ? "browse of" : "purge of",
				   j->dest, who, err);
		else if (j->browse)
			browse_show(t, j->dest, who, value);
		else
			top_status(t, false, "purged queue %s on %s", j->dest, who);
		if (r > 0 && j->browse)
			top_status(t, false, "browsed %s on %s", j->dest, who);
		json_decref(value);
	}
	t->njobs = kept;
}
