/*
 * log.h - the broker's log lines, in ActiveMQ's shape:
 *
 *   2026-11-25 03:29:56,123 | INFO  | message | component
 *
 * so that operators' grep habits carry over. Lines go to stderr, without
 * the time and with the journal's "<N>" priority prefix when stderr is
 * systemd's journal stream (JOURNAL_STREAM), or to a file (log_to_file).
 * Tests can redirect them with log_set_sink() to check what was said.
 *
 * One call is one line: the formatted message is escaped (\n, \r, \t, and
 * \xNN for other control characters and for bytes that are not well-formed
 * UTF-8), so callers may pass whatever a client sent as it is.
 */
#ifndef TANDEM_LOG_H
#define TANDEM_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(comp, ...) log_msg(LOG_DEBUG, comp, __VA_ARGS__)
#define log_info(comp, ...)  log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...)  log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)

/* Lines below `level` are dropped (default LOG_INFO; TANDEM_DEBUG=1 in the
 * environment lowers it to LOG_DEBUG). */
void log_set_level(enum log_level level);

/* Sends each formatted message (without time stamp) to `sink` instead of
 * stderr; NULL restores stderr. For unit tests. */
typedef void (*log_sink_fn)(void *ctx, enum log_level level,
			    const char *component, const char *message);
void log_set_sink(log_sink_fn sink, void *ctx);

/* log_out.c: writes one formatted line where lines go. */
void log_out(enum log_level level, const char *component, const char *msg);
/* Lines go to the file at `path` from now on (appended, created 0640).
 * 0, or -1 with errno. */
int log_to_file(const char *path);
/* Opens the file of log_to_file() again (it was moved or deleted, as
 * logrotate does); lines went on to the old file until now. 0 (also when
 * there is no file), or -1 with errno: lines then still go to the old one. */
int log_reopen(void);
/* The path given to log_to_file(), or NULL. */
const char *log_file(void);

#endif
