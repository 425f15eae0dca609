/*
 * log_out.c - where log lines go (see log.h): standard error by default,
 * which is the journal when systemd started the broker, or the file of
 * `tandemd -l FILE`, opened again on SIGHUP so that logrotate can move it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Lines are written to this descriptor. A reopen moves the new file onto
 * it with dup2(), so a thread writing meanwhile never sees a closed one. */
static int out_fd = STDERR_FILENO;
static char *out_path;
static int to_journal = -1;	/* -1: not looked at yet */

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
/* The journal reads a line's priority from its "<N>" prefix (sd-daemon(3)). */
static const char *const journal_prefix[] = { SD_DEBUG, SD_INFO, SD_WARNING, SD_ERR };

/* systemd says in JOURNAL_STREAM which device and inode its journal
 * stream has; standard error is that stream, not a redirection of it,
 * when they match (systemd.exec(5)). */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int log_to_file(const char *path)
{
	int fd = open_log(path);
	if (fd < 0)
		return -1;
	char *copy = strdup(path);
	if (!copy) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	free(out_path);
	out_path = copy;
	out_fd = fd;
	to_journal = 0;
	return 0;
}

int log_reopen(void)
{
	if (!out_path)
		return 0;
	int fd = open_log(out_path);
	if (fd < 0)
		return -1;
	int ok = dup2(fd, out_fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return ok < 0 ? -1 : 0;
}

const char *log_file(void)
{
	return out_path;
}

/* One write() per line: lines of several threads never interleave. The
 * journal stamps lines itself, so they go there without the time. */
void log_out(enum log_level level, const char *component, const char *msg)
{
	char line[2400];
	int n;
	if (to_journal < 0)
		to_journal = stderr_is_journal();
	if (to_journal) {
		n = snprintf(line, sizeof line, "%s%s | %s | %s\n", journal_prefix[level],
			     level_names[level], msg, component);
	} else {
		struct timeval tv;
		struct tm tm;
		char when[32];
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		n = snprintf(line, sizeof line, "%s,%03d | %s | %s | %s\n", when,
			     (int)(tv.tv_usec / 1000), level_names[level], msg, component);
	}
	if (n >= (int)sizeof line) {
		n = sizeof line;
		line[n - 1] = '\n';
	}
	if (n > 0 && write(out_fd, line, (size_t)n) < 0) {
		/* Nowhere left to say it. */
	}
}
