/*
 * page_health.c - the overview's health table: each check a row (OK,
 * WARN or CRIT, since when, what is wrong), the worst first, from the
 * Health object's Problems (mgmt/server/model_broker.c). Every check is
 * listed, OK too, so that "nothing wrong" is a statement, not a blank.
 */
#include <string.h>

#include "cluster.h"
#include "handlers.h"
#include "html.h"
#include "model.h"
#include "page_health.h"
#include "query.h"

/* The checks of model_broker.c's find_problems, in the order shown among
 * equals. */
static const char *const checks[] = {
	"Lock", "Network bridges", "Blocked producers", "Destination memory", "Memory",
	"Store", "Temp store", "Queues without consumers",
};
#define NCHECKS (sizeof checks / sizeof *checks)

enum { OK, WARN, CRIT };
static const char *const sev_names[] = { "OK", "WARN", "CRIT" };

struct check {
	int sev;
	long long since;	/* the oldest problem's; 0: not known */
	json_t *problems;	/* borrowed from the read */
};

static int sev_of(const char *name)
{
	return !strcmp(name, "CRIT") ? CRIT : WARN;
}

static void row(struct buf *b, const char *name, const struct check *c)
{
	buf_printf(b, "<tr class=\"sev-%s\"><td>", sev_names[c->sev]);
	html_text(b, name);
	buf_printf(b, "</td><td><span class=\"sev %s\">%s</span></td>", sev_names[c->sev],
		   sev_names[c->sev]);
	if (c->since > 0) {
		char ago[32];
		mgmt_duration_text(mgmt_ms_since(c->since), ago, sizeof ago);
		buf_printf(b, "<td title=\"%lld\">", c->since);
		html_time_text(b, c->since);
		buf_printf(b, " (%s ago)</td>", ago);
	} else {
		buf_puts(b, "<td></td>");
	}
	buf_puts(b, "<td>");
	size_t i;
	json_t *p;
	json_array_foreach(c->problems, i, p) {
		buf_puts(b, i ? "<br>" : "");
		html_value(b, json_object_get(p, "Message"));
	}
	buf_puts(b, "</td></tr>\n");
}

void health_table(struct buf *b)
{
	json_t *read = query_read("Problems", NULL, MODEL_DOMAIN ":type=Broker,brokerName=%s,"
				  "service=Health", model_broker_name());
	json_t *list = json_object_get(query_first(read), "Problems");
	struct check c[NCHECKS + 1] = { { 0 } };
	for (size_t k = 0; k <= NCHECKS; k++)
		c[k].problems = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		const char *name = json_string_value(json_object_get(p, "Check"));
		size_t k = 0;
		while (k < NCHECKS && (!name || strcmp(checks[k], name)))
			k++;
		int sev = sev_of(json_string_value(json_object_get(p, "Severity")) ?: "");
		long long since = json_integer_value(json_object_get(p, "SinceMillis"));
		if (sev > c[k].sev)
			c[k].sev = sev;
		if (since > 0 && (!c[k].since || since < c[k].since))
			c[k].since = since;
		json_array_append(c[k].problems, p);
	}
	buf_puts(b, "<table id=\"health\"><tr><th>Check</th><th>Status</th><th>Since (UTC)</th>"
		 "<th>Detail</th></tr>\n");
	for (int sev = CRIT; sev >= OK; sev--)
		for (size_t k = 0; k <= NCHECKS; k++)
			if (c[k].sev == sev && (k < NCHECKS || json_array_size(c[k].problems)))
				row(b, k < NCHECKS ? checks[k] : "Other", &c[k]);
	buf_puts(b, "</table>\n");
	for (size_t k = 0; k <= NCHECKS; k++)
		json_decref(c[k].problems);
	json_decref(read);
}
