/*
 * pg_lease.c - the lease-database-locker over libpq (contract and
 * invariants in pg_lease.h). Each operation is one SQL statement whose
 * WHERE clause is the rule: pg_lease_try() performs waiting -> holding,
 * pg_lease_renew() holding -> holding or lost, pg_lease_release()
 * holding -> waiting. Statements are sent with parameters
 * (PQexecParams), never pasted into SQL; the table's name is quoted with
 * PQescapeIdentifier.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pg_lease.h"

struct pg_lease {
	PGconn *conn;
	char *table;		/* quoted: "PAIR1_TANDEM_LOCK" */
	char *holder;		/* leaseHolderId */
	char token[64];		/* this process's, random */
	char lease[24];		/* lease_ms, as a query parameter */
	long lease_ms;
	long long deadline_ms;	/* monotonic: the lease as last taken or renewed */
};

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PostgreSQL's NOTICEs ("relation ... already exists, skipping") are no
 * news to the broker. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* libpq's message, its last newline cut. */
static void db_error(PGconn *conn, const char *what, char *err, size_t len)
{
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";
	int n = (int)strcspn(m, "\n");
	snprintf(err, len, "%s: %.*s", what, n, *m ? m : "no answer from the database");
}

/* Runs sql with params; the result when it is `want`, else NULL with err.
 * A connection that broke is made again first (the same token: the lease
 * outlives a connection). */
static PGresult *run(struct pg_lease *l, const char *sql, int n, const char *const *params,
		     ExecStatusType want, const char *what, char *err, size_t len)
{
	if (PQstatus(l->conn) != CONNECTION_OK) {
		PQreset(l->conn);
		if (PQstatus(l->conn) != CONNECTION_OK) {
			db_error(l->conn, what, err, len);
			return NULL;
		}
	}
	PGresult *r = PQexecParams(l->conn, sql, n, NULL, params, NULL, NULL, 0);
	if (r && PQresultStatus(r) == want)
		return r;
	db_error(l->conn, what, err, len);
	PQclear(r);
	return NULL;
}

/* sql with %s replaced by the quoted table name (at most twice). */
static char *with_table(const struct pg_lease *l, const char *sql)
{
	char *s = NULL;
	if (asprintf(&s, sql, l->table, l->table) < 0)
		return NULL;
	return s;
}

/* Runs a statement on the table; the result (caller clears) or NULL. */
static PGresult *run_on_table(struct pg_lease *l, const char *sql, int n,
			      const char *const *params, ExecStatusType want, const char *what,
			      char *err, size_t len)
{
	char *q = with_table(l, sql);
	if (!q) {
		snprintf(err, len, "%s: out of memory", what);
		return NULL;
	}
	PGresult *r = run(l, q, n, params, want, what, err, len);
	free(q);
	return r;
}

static int create_table(struct pg_lease *l, char *err, size_t len)
{
	PGresult *r = run_on_table(l, "CREATE TABLE IF NOT EXISTS %s (id int PRIMARY KEY, "
				   "holder text, token text, expires timestamptz)", 0, NULL,
				   PGRES_COMMAND_OK, "creating the lock table", err, len);
	PQclear(r);
	if (!r)
		return -1;
	r = run_on_table(l, "INSERT INTO %s (id) VALUES (1) ON CONFLICT (id) DO NOTHING", 0, NULL,
			 PGRES_COMMAND_OK, "creating the lock row", err, len);
	PQclear(r);
	return r ? 0 : -1;
}

static void make_token(struct pg_lease *l)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned seed = (unsigned)(ts.tv_nsec ^ (getpid() << 16));
	snprintf(l->token, sizeof l->token, "%d-%lld-%08x%08x", (int)getpid(),
		 (long long)ts.tv_sec, rand_r(&seed), rand_r(&seed));
}

struct pg_lease *pg_lease_open(const char *conninfo, const char *table_prefix,
			       const char *holder_id, long lease_ms, int create_tables,
			       char *err, size_t len)
{
	struct pg_lease *l = calloc(1, sizeof *l);
	char *name = NULL;
	if (!l || asprintf(&name, "%sTANDEM_LOCK", table_prefix ? table_prefix : "") < 0 ||
	    !(l->holder = strdup(holder_id))) {
		snprintf(err, len, "out of memory");
		free(name);
		pg_lease_close(l);
		return NULL;
	}
	l->lease_ms = lease_ms;
	snprintf(l->lease, sizeof l->lease, "%ld", lease_ms);
	make_token(l);
	l->conn = PQconnectdb(conninfo);
	if (!l->conn || PQstatus(l->conn) != CONNECTION_OK) {
		db_error(l->conn, "connecting to PostgreSQL", err, len);
		free(name);
		pg_lease_close(l);
		return NULL;
	}
	PQsetNoticeProcessor(l->conn, quiet, NULL);
	char *quoted = PQescapeIdentifier(l->conn, name, strlen(name));
	free(name);
	if (!quoted || !(l->table = strdup(quoted)) ||
	    (create_tables && create_table(l, err, len) < 0)) {
		if (!quoted || !l->table)
			snprintf(err, len, "out of memory");
		PQfreemem(quoted);
		pg_lease_close(l);
		return NULL;
	}
	PQfreemem(quoted);
	return l;
}

/* The one statement that takes the lease: free, expired, or already ours.
 * The monotonic deadline is taken before it is sent, so that it is never
 * later than the database's expiry (invariant 3). */
int pg_lease_try(struct pg_lease *l, char *holder, size_t holder_len, char *err, size_t len)
{
	const char *p[] = { l->holder, l->token, l->lease };
	long long sent = monotonic_ms();
	PGresult *r = run_on_table(l,
		"UPDATE %s SET holder = $1, token = $2, "
		"expires = now() + $3::bigint * interval '1 millisecond' "
		"WHERE id = 1 AND (token IS NULL OR token = $2 OR expires < now())",
		3, p, PGRES_COMMAND_OK, "taking the lease", err, len);
	if (!r)
		return -1;
	int taken = atoi(PQcmdTuples(r)) == 1;
	PQclear(r);
	if (taken) {
		l->deadline_ms = sent + l->lease_ms;
		return 1;
	}
	if (holder && holder_len) {
		r = run_on_table(l, "SELECT coalesce(holder, '') FROM %s WHERE id = 1", 0, NULL,
				 PGRES_TUPLES_OK, "reading the lease's holder", err, len);
		snprintf(holder, holder_len, "%s", r && PQntuples(r) ? PQgetvalue(r, 0, 0) : "?");
		PQclear(r);
	}
	return 0;
}

int pg_lease_renew(struct pg_lease *l, char *err, size_t len)
{
	const char *p[] = { l->token, l->lease };
	long long sent = monotonic_ms();
	PGresult *r = run_on_table(l,
		"UPDATE %s SET expires = now() + $2::bigint * interval '1 millisecond' "
		"WHERE id = 1 AND token = $1 AND expires >= now()",
		2, p, PGRES_COMMAND_OK, "renewing the lease", err, len);
	if (!r)
		return -1;
	int renewed = atoi(PQcmdTuples(r)) == 1;
	PQclear(r);
	if (renewed)
		l->deadline_ms = sent + l->lease_ms;
	else
		l->deadline_ms = 0;
	return renewed;
}

int pg_lease_release(struct pg_lease *l, char *err, size_t len)
{
	const char *p[] = { l->token };
	PGresult *r = run_on_table(l,
		"UPDATE %s SET holder = NULL, token = NULL, expires = NULL "
		"WHERE id = 1 AND token = $1", 1, p, PGRES_COMMAND_OK, "releasing the lease",
		err, len);
	PQclear(r);
	l->deadline_ms = 0;
	return r ? 0 : -1;
}

long pg_lease_expires_in_ms(const struct pg_lease *l)
{
	return l->deadline_ms ? (long)(l->deadline_ms - monotonic_ms()) : -1;
}

int pg_lease_clock_diff_ms(struct pg_lease *l, long *diff, char *err, size_t len)
{
	struct timespec before, after;
	clock_gettime(CLOCK_REALTIME, &before);
	PGresult *r = run(l, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint", 0,
			  NULL, PGRES_TUPLES_OK, "reading the database's clock", err, len);
	clock_gettime(CLOCK_REALTIME, &after);
	if (!r)
		return -1;
	long long db = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	/* the middle of the round trip stands for the moment the database read its clock */
	long long mine = ((long long)before.tv_sec * 1000 + before.tv_nsec / 1000000 +
			  (long long)after.tv_sec * 1000 + after.tv_nsec / 1000000) / 2;
	*diff = (long)(mine - db);
	return 0;
}

int pg_lease_read(struct pg_lease *l, char *holder, size_t holder_len, long long *expires_ms,
		  char *err, size_t len)
{
	PGresult *r = run_on_table(l, "SELECT coalesce(holder, ''), "
				   "coalesce((extract(epoch FROM expires) * 1000)::bigint, 0) "
				   "FROM %s WHERE id = 1", 0, NULL, PGRES_TUPLES_OK,
				   "reading the lease", err, len);
	if (!r)
		return -1;
	bool row = PQntuples(r) == 1;
	snprintf(holder, holder_len, "%s", row ? PQgetvalue(r, 0, 0) : "");
	*expires_ms = row ? atoll(PQgetvalue(r, 0, 1)) : 0;
	PQclear(r);
	return 0;
}

PGconn *pg_lease_conn(struct pg_lease *l)
{
	return l && PQstatus(l->conn) == CONNECTION_OK ? l->conn : NULL;
}

const char *pg_lease_token(const struct pg_lease *l)
{
	return l->token;
}

void pg_lease_close(struct pg_lease *l)
{
	if (!l)
		return;
	if (l->conn)
		PQfinish(l->conn);
	free(l->table);
	free(l->holder);
	free(l);
}
