/*
 * pg_roster.c - a pair's roster in <tablePrefix>TANDEM_ROSTER (contract
 * in pg_roster.h). The loop thread's side is ro.mine and ro.rows under
 * ro.mu; the lease thread's is the rest of `ro` (the quoted table name,
 * what it wrote and when), which only it touches. Statements are sent
 * with parameters; the table's name is quoted with PQescapeIdentifier.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "config.h"
#include "log.h"
#include "pg_lease.h"
#include "pg_roster.h"

/* More nodes than a pair has: a roster past it is cut (the oldest
 * names last). */
#define ROSTER_MAX 32

struct entry {
	char name[128];
	char kind[16];
	char value[400];
};

static const char *const kinds[] = { "management", "web" };
#define NKINDS (sizeof kinds / sizeof *kinds)

static struct {
	pthread_mutex_t mu;
	/* under mu: this node's entries (set by the loop) and the pair's as read */
	char name[128];
	char mine[NKINDS][400];
	unsigned gen[NKINDS];		/* bumped by each set */
	struct entry rows[ROSTER_MAX];
	size_t nrows;
	/* the lease thread's */
	char *table;			/* quoted "<prefix>TANDEM_ROSTER" */
	bool made;
	unsigned written_gen[NKINDS];
	long long written_at, read_at;	/* monotonic ms; 0 never */
	char said[256];			/* the error last logged */
} ro = { .mu = PTHREAD_MUTEX_INITIALIZER };

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int kind_index(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i], kind))
			return (int)i;
	return -1;
}

void pg_roster_set(const char *broker_name, const char *kind, const char *value)
{
	int k = kind_index(kind);
	if (k < 0)
		return;
	pthread_mutex_lock(&ro.mu);
	snprintf(ro.name, sizeof ro.name, "%s", broker_name);
	snprintf(ro.mine[k], sizeof ro.mine[k], "%s", value);
	ro.gen[k]++;
	pthread_mutex_unlock(&ro.mu);
}

void pg_roster_each(const char *kind, void (*fn)(void *ctx, const char *name, const char *value),
		    void *ctx)
{
	int k = kind_index(kind);
	if (k < 0)
		return;
	pthread_mutex_lock(&ro.mu);
	for (size_t i = 0; i < ro.nrows; i++)
		if (!strcmp(ro.rows[i].kind, kind) && strcmp(ro.rows[i].name, ro.name))
			fn(ctx, ro.rows[i].name, ro.rows[i].value);
	if (ro.mine[k][0])
		fn(ctx, ro.name, ro.mine[k]);
	pthread_mutex_unlock(&ro.mu);
}

/* ---- the lease thread ---- */

/* Logs a failure once, until it changes or a sync succeeds. */
static void say(PGconn *c, const char *what)
{
	char text[256];
	const char *m = PQerrorMessage(c);
	snprintf(text, sizeof text, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	if (!strcmp(text, ro.said))
		return;
	snprintf(ro.said, sizeof ro.said, "%s", text);
	log_warn("mgmt", "The pair's roster in the database (%s), %s (the pair's other node "
		 "will not list this one)", ro.table, text);
}

static bool ok(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
	bool good = r && PQresultStatus(r) == want;
	if (!good)
		say(c, what);
	PQclear(r);
	return good;
}

/* sql with %s replaced by the quoted table name; the result, or NULL. */
static PGresult *exec_on(PGconn *c, const char *sql, int n, const char *const *params)
{
	char *q = NULL;
	if (asprintf(&q, sql, ro.table) < 0)
		return NULL;
	PGresult *r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
	free(q);
	return r;
}

static bool prepare(PGconn *c, const struct config *cfg)
{
	if (!ro.table) {
		char name[300];
		snprintf(name, sizeof name, "%sTANDEM_ROSTER", cfg->jdbc->table_prefix);
		char *quoted = PQescapeIdentifier(c, name, strlen(name));
		ro.table = quoted ? strdup(quoted) : NULL;
		PQfreemem(quoted);
		if (!ro.table)
			return false;
	}
	if (ro.made || !cfg->jdbc->create_tables)
		return true;
	ro.made = ok(c, exec_on(c, "CREATE TABLE IF NOT EXISTS %s (broker text, kind text, "
				"address text, refreshed timestamptz, PRIMARY KEY (broker, kind))",
				0, NULL), PGRES_COMMAND_OK, "creating the table");
	return ro.made;
}

/* This node's rows when new, changed or due; false after a failure. */
static bool write_mine(PGconn *c)
{
	long long now = now_ms();
	bool due = !ro.written_at || now - ro.written_at >= PG_ROSTER_REFRESH_S * 1000LL;
	for (size_t k = 0; k < NKINDS; k++) {
		char name[128], value[400];
		pthread_mutex_lock(&ro.mu);
		unsigned gen = ro.gen[k];
		snprintf(name, sizeof name, "%s", ro.name);
		snprintf(value, sizeof value, "%s", ro.mine[k]);
		pthread_mutex_unlock(&ro.mu);
		if (!value[0] || (!due && gen == ro.written_gen[k]))
			continue;
		const char *p[] = { name, kinds[k], value };
		if (!ok(c, exec_on(c, "INSERT INTO %s (broker, kind, address, refreshed) "
				   "VALUES ($1, $2, $3, now()) ON CONFLICT (broker, kind) DO UPDATE "
				   "SET address = excluded.address, refreshed = excluded.refreshed",
				   3, p), PGRES_COMMAND_OK, "writing this node's address"))
			return false;
		ro.written_gen[k] = gen;
	}
	if (due)
		ro.written_at = now;
	return true;
}

/* The pair's rows into ro.rows; false after a failure. */
static bool read_rows(PGconn *c)
{
	char stale[24];
	snprintf(stale, sizeof stale, "%d", PG_ROSTER_STALE_S);
	const char *p[] = { stale };
	PGresult *r = exec_on(c, "SELECT broker, kind, address FROM %s WHERE refreshed > "
			      "now() - $1::bigint * interval '1 second' ORDER BY refreshed DESC",
			      1, p);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
		return ok(c, r, PGRES_TUPLES_OK, "reading the pair's addresses");
	int n = PQntuples(r);
	pthread_mutex_lock(&ro.mu);
	ro.nrows = 0;
	for (int i = 0; i < n && ro.nrows < ROSTER_MAX; i++) {
		struct entry *e = &ro.rows[ro.nrows++];
		snprintf(e->name, sizeof e->name, "%s", PQgetvalue(r, i, 0));
		snprintf(e->kind, sizeof e->kind, "%s", PQgetvalue(r, i, 1));
		snprintf(e->value, sizeof e->value, "%s", PQgetvalue(r, i, 2));
	}
	pthread_mutex_unlock(&ro.mu);
	PQclear(r);
	return true;
}

void pg_roster_sync(struct pg_lease *pl, const struct config *cfg)
{
	PGconn *c = pg_lease_conn(pl);
	long long now = now_ms();
	if (!c || !prepare(c, cfg) || !write_mine(c))
		return;
	if (ro.read_at && now - ro.read_at < PG_ROSTER_READ_MS)
		return;
	ro.read_at = now;
	if (read_rows(c))
		ro.said[0] = '\0';
}
