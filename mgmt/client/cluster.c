/*
 * cluster.c - the cluster file and the times of nodes (see cluster.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cluster.h"

int mgmt_cluster_read(const char *file, int (*add)(void *ctx, const char *addr, const char *pair),
		      void *ctx, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0, nodes = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#'), *save = NULL;
		if (hash)
			*hash = '\0';
		char *addr = strtok_r(line, " \t\r\n", &save);
		char *pair = addr ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		if (!addr)
			continue;
		if (!strchr(addr, ':') || (pair && strtok_r(NULL, " \t\r\n", &save))) {
			snprintf(err, errlen, "%s:%d: expected HOST:PORT [PAIRNAME]", file, lineno);
			rc = -1;
		} else if (add(ctx, addr, pair) < 0) {
			snprintf(err, errlen, "%s:%d: out of memory", file, lineno);
			rc = -1;
		}
		nodes++;
	}
	fclose(f);
	if (rc == 0 && !nodes) {
		snprintf(err, errlen, "%s: no nodes", file);
		rc = -1;
	}
	return rc;
}

int64_t mgmt_ms_since(int64_t since)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - since;
	return ms > 0 ? ms : 0;
}

void mgmt_duration_text(int64_t ms, char *out, size_t outlen)
{
	int64_t s = ms / 1000;
	if (ms < 60000)
		snprintf(out, outlen, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		snprintf(out, outlen, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	else if (s < 86400)
		snprintf(out, outlen, "%dh%02dm", (int)(s / 3600), (int)(s / 60 % 60));
	else
		snprintf(out, outlen, "%dd%02dh", (int)(s / 86400), (int)(s / 3600 % 24));
}
