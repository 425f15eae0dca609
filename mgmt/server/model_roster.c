/*
 * model_roster.c - the nodes of a pair, as their shared store directory
 * knows them: each node writes its management address into
 * <store dir>/management/<broker name> when its socket starts, and the
 * Locker's PairNodes attribute lists that folder. So one node's address
 * is enough for tandemtop(1) to find the other node of its pair: only the
 * store directory is common to both, and a master has no other way of
 * knowing who waits behind it.
 *
 * The web console keeps its URLs the same way, in <store dir>/web, so a
 * console links to its pair's other one.
 *
 * An entry outlives its node (nothing removes it at exit: a node killed
 * with -9 could not); a reader shows such a node as down. A running node
 * writes its entry again every ROSTER_REFRESH_S, and entries older than
 * ROSTER_STALE_S are not listed: a node gone for good (renamed, moved,
 * retired) drops out of its pair's roster after an hour, instead of
 * showing as down for ever.
 *
 * A pair on PostgreSQL (a jdbcPersistenceAdapter) shares no directory:
 * its roster is a table next to the lease, kept by the lease's thread
 * with the same rules (broker/store/pg_roster.h); here it is only set and
 * read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "model.h"
#include "pg_roster.h"
#include "store.h"

#define ROSTER_DIR "management"
#define ROSTER_REFRESH_S 300
#define ROSTER_STALE_S 3600

/* What this node keeps recording: its management address and its
 * console's URL. Static: they last as long as the process. */
static struct kept {
	const struct config *cfg;
	char folder[32];
	char value[400];
	bool timer;
} kept[2];
#define NKEPT (sizeof kept / sizeof *kept)

/* A broker name as a file name: no '/', no leading '.'. */
static void file_name(const char *broker_name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", broker_name);
	for (char *p = out; *p; p++)
		if (*p == '/' || (p == out && *p == '.'))
			*p = '_';
}

int model_roster_register(const struct config *cfg, const char *addr)
{
	return model_roster_register_in(cfg, ROSTER_DIR, addr);
}

static int write_entry(const struct config *cfg, const char *folder, const char *addr);

static void refresh(struct loop *l, void *ctx)
{
	struct kept *k = ctx;
	write_entry(k->cfg, k->folder, k->value);
	loop_add_timer(l, ROSTER_REFRESH_S * 1000, refresh, k);
}

json_t *model_roster_read(const struct config *cfg)
{
	return model_roster_read_from(cfg, ROSTER_DIR);
}

int model_roster_register_in(const struct config *cfg, const char *folder, const char *addr)
{
	if (!cfg->persistent || !cfg->store_directory)
		return 0;
	if (cfg->jdbc) {
		pg_roster_set(cfg->broker_name, folder, addr);
		return 0;
	}
	struct kept *k = kept;
	while (k < kept + NKEPT && k->cfg && strcmp(k->folder, folder))
		k++;
	if (k < kept + NKEPT) {
		k->cfg = cfg;
		snprintf(k->folder, sizeof k->folder, "%s", folder);
		snprintf(k->value, sizeof k->value, "%s", addr);
		if (!k->timer && broker.loop)
			k->timer = loop_add_timer(broker.loop, ROSTER_REFRESH_S * 1000, refresh, k) != 0;
	}
	return write_entry(cfg, folder, addr);
}

/* Writes this node's entry in folder; 0, or -1 (logged). */
static int write_entry(const struct config *cfg, const char *folder, const char *addr)
{
	char dir[4096], name[256], path[4400], tmp[4500];
	snprintf(dir, sizeof dir, "%s/%s", cfg->store_directory, folder);
	file_name(cfg->broker_name, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	/* Written aside and renamed, so a reader never sees half an address. */
	int rc = store_mkdir(dir);
	FILE *f = rc < 0 ? NULL : fopen(tmp, "w");
	if (f) {
		bool written = fprintf(f, "%s\n", addr) > 0;
		rc = fclose(f) == 0 && written ? rename(tmp, path) : -1;
		if (rc < 0) {
			int saved = errno;
			unlink(tmp);
			errno = saved;
		}
	} else {
		rc = -1;
	}
	if (rc < 0)
		log_warn("mgmt", "Cannot record this node's address in %s: %s (its pair's other "
			 "node will not list it)", path, strerror(errno));
	return rc;
}

static void add_node(void *ctx, const char *name, const char *value)
{
	json_object_set_new(ctx, name, json_string(value));
}

json_t *model_roster_read_from(const struct config *cfg, const char *folder)
{
	char dir[4096];
	json_t *nodes = json_object();
	if (cfg->jdbc) {
		if (nodes)
			pg_roster_each(folder, add_node, nodes);
		return nodes;
	}
	snprintf(dir, sizeof dir, "%s/%s", cfg->store_directory, folder);
	DIR *d = opendir(dir);
	if (!d || !nodes) {
		if (d)
			closedir(d);
		return nodes;
	}
	struct dirent *e;
	time_t now = time(NULL);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")))
			continue;
		char path[4400], line[300];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		struct stat sb;
		if (fstat(fileno(f), &sb) == 0 && now - sb.st_mtime > ROSTER_STALE_S) {
			fclose(f);
			continue;	/* not written for an hour: gone */
		}
		if (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (*line)
				json_object_set_new(nodes, e->d_name, json_string(line));
		}
		fclose(f);
	}
	closedir(d);
	return nodes;
}
