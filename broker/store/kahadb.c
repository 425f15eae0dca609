/*
 * kahadb.c - finds an ActiveMQ KahaDB store in a store directory (see
 * kahadb.h).
 *
 * KahaDB keeps its journal in db-1.log, db-2.log, ... and its index in
 * db.data (with db.redo beside it). A file of size 0 holds nothing; any
 * other size counts, even a preallocated journal whose records cannot be
 * told from its zeros without parsing it: moving it aside is cheap, losing
 * messages is not.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kahadb.h"

/* The names of KahaDB's files that hold messages or their index. */
static const char *const kahadb_patterns[] = { "db-[0-9]*.log", "db.data", "db.redo" };

static int is_kahadb_name(const char *name)
{
	for (size_t i = 0; i < sizeof kahadb_patterns / sizeof *kahadb_patterns; i++)
		if (fnmatch(kahadb_patterns[i], name, 0) == 0)
			return 1;
	return 0;
}

/* "3.2 MB": sizes as an operator reads them. */
static void format_size(char *out, size_t len, long long bytes)
{
	static const char *const units[] = { "bytes", "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof *units) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%lld bytes", bytes);
	else
		snprintf(out, len, "%.1f %s", v, units[u]);
}

/* Appends ", NAME (SIZE)" to list, which holds `used` bytes of `len`. */
static size_t list_file(char *list, size_t len, size_t used, const char *name,
			long long bytes)
{
	char size[32];
	format_size(size, sizeof size, bytes);
	int n = snprintf(list + used, len - used, "%s%s, %s", used ? "; " : "", name, size);
	if (n < 0 || (size_t)n >= len - used)
		return len - 1;	/* cut: the first files say enough */
	return used + (size_t)n;
}

int kahadb_find(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;	/* created empty later */
		snprintf(err, errlen, "cannot read the store directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	char list[256] = "";
	size_t used = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!is_kahadb_name(e->d_name) || fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_size == 0)
			continue;
		used = list_file(list, sizeof list, used, e->d_name, (long long)st.st_size);
	}
	closedir(d);
	if (!used)
		return 0;
	snprintf(err, errlen, "the store directory %s holds an ActiveMQ KahaDB store (%s)",
		 dir, list);
	return 1;
}
