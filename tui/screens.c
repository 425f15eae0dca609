/*
 * screens.c - the list of screens and what they share: rates and
 * sparklines as cells.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "screen.h"

const struct screen *const screens[NSCREENS] = {
	&screen_cluster, &screen_queues, &screen_flows, &screen_events, &screen_connections,
};

bool screen_utf8;

void screen_rate(struct vrow *r, size_t col, double rate)
{
	if (rate < 0) {
		view_cell(r, col, "-");
		return;
	}
	view_cell(r, col, rate >= 10 || rate == 0 ? "%.0f" : "%.1f", rate);
	view_cell_num(r, col, rate);
}

void screen_time_text(int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, outlen, "%H:%M:%S", &tm);
}

/* An attribute as a person reads it: times of day and spans, not
 * milliseconds ("...Millis" is a time when it is an epoch, else a span). */
void screen_attr_text(const char *name, json_t *val, char *out, size_t outlen)
{
	size_t len = strlen(name);
	if (len > 6 && !strcmp(name + len - 6, "Millis") && json_is_integer(val)) {
		int64_t ms = json_integer_value(val);
		char span[32];
		if (ms <= 0) {
			snprintf(out, outlen, "-");
		} else if (ms > 946684800000LL) {	/* after 2000: a time */
			screen_time_text(ms, out, outlen);
			mgmt_duration_text(mgmt_ms_since(ms), span, sizeof span);
			size_t o = strlen(out);
			snprintf(out + o, outlen - o, " (%s ago)", span);
		} else {
			mgmt_duration_text(ms, out, outlen);
		}
		return;
	}
	char *text = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(out, outlen, "%s", text ? text : "?");
	free(text);
}

/* Eight heights: the block elements U+2581..U+2588, or ASCII. */
static const char *const blocks[8] = { "\u2581", "\u2582", "\u2583", "\u2584",
				       "\u2585", "\u2586", "\u2587", "\u2588" };
static const char ascii[8] = { '_', '.', '-', '~', '=', '+', '*', '#' };

void spark_text(const long *values, int n, int width, bool utf8, char *out, size_t outlen)
{
	size_t o = 0;
	long max = 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	/* Each character stands for the newest `per` values it covers, the
	 * newest at the right; the highest of them is drawn. */
	int per = n > width ? (n + width - 1) / width : 1;
	int chars = (n + per - 1) / per;
	for (int c = 0; c < chars && o + 4 < outlen; c++) {
		long v = 0;
		int from = n - (chars - c) * per;
		for (int i = from < 0 ? 0 : from; i < from + per && i < n; i++)
			if (values[i] > v)
				v = values[i];
		int h = max ? (int)((v * 7 + max - 1) / max) : 0;
		if (v == 0)
			h = 0;
		if (utf8) {
			size_t len = strlen(blocks[h]);
			memcpy(out + o, blocks[h], len);
			o += len;
		} else {
			out[o++] = ascii[h];
		}
	}
	out[o] = '\0';
}
