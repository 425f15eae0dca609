/*
 * screen.h - the screens: each turns the model into a view (a table) and,
 * for Enter, a row into a page of details. screens[] is their order, the
 * keys 1-5 and the bottom bar's.
 */
#ifndef TANDEM_TOP_SCREEN_H
#define TANDEM_TOP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "top_model.h"
#include "view.h"

struct screen {
	const char *name;	/* "Cluster": the bar, --screen (case ignored), batch titles */
	const char *help;
	/* Fills v (empty) from the model. */
	void (*build)(const struct model *m, struct view *v);
	/* The details of the row whose key is `key`, into p (initialised). */
	void (*detail)(const struct model *m, const char *key, struct page *p);
};

extern const struct screen screen_cluster, screen_queues, screen_flows, screen_events,
	screen_connections;
extern const struct screen *const screens[];
#define NSCREENS 5

/* Shared by the screens: a rate as a cell ("-" when unknown), and a
 * sparkline of the last values (screens.c): width characters, block
 * characters when utf8, else ASCII. */
void screen_rate(struct vrow *r, size_t col, double rate);
/* An attribute's value as text; "...Millis" ones as a time of day and
 * how long ago, or as a span: never raw milliseconds. */
void screen_attr_text(const char *name, json_t *val, char *out, size_t outlen);
/* A time (ms since the epoch) as the clock shows it: "14:03:12". */
void screen_time_text(int64_t ms, char *out, size_t outlen);
void spark_text(const long *values, int n, int width, bool utf8, char *out, size_t outlen);
/* Whether block characters can be drawn (the locale is UTF-8). */
extern bool screen_utf8;

#endif
