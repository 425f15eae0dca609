/* log.c - ActiveMQ-shaped log lines on stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

static enum log_level min_level = LOG_INFO;
static int level_from_env = 0;
static log_sink_fn sink_fn;
static void *sink_ctx;

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };

void log_set_level(enum log_level level)
{
	min_level = level;
	level_from_env = 1;
}

void log_set_sink(log_sink_fn sink, void *ctx)
{
	sink_fn = sink;
	sink_ctx = ctx;
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	if (!level_from_env) {
		const char *d = getenv("TANDEM_DEBUG");
		if (d && *d && *d != '0')
			min_level = LOG_DEBUG;
		level_from_env = 1;
	}
	if (level < min_level && !sink_fn)
		return;

	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	if (sink_fn) {
		sink_fn(sink_ctx, level, component, msg);
		return;
	}
	struct timeval tv;
	struct tm tm;
	char when[32];
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s,%03d | %s | %s | %s\n", when, (int)(tv.tv_usec / 1000),
		level_names[level], msg, component);
}
