/*
 * pg_roster.h - the nodes of a pair that shares only a PostgreSQL
 * database (issue 24), as the database knows them: what the folders
 * <store dir>/management and <store dir>/web are to a pair on a shared
 * directory (mgmt/server/model_roster.c), kept in the table
 * <tablePrefix>TANDEM_ROSTER next to the lease:
 *
 *   broker text, kind text, address text, refreshed timestamptz,
 *   PRIMARY KEY (broker, kind)
 *
 * one row per node and kind ("management": HOST:PORT of its management
 * socket; "web": its console's URL), never a password or a user: only
 * what a node tells others to reach it by.
 *
 * The lease's thread (lease_locker.c) does every database call, on the
 * lease's connection and only while it works (pg_lease_conn): after each
 * successful look at the lock row, pg_roster_sync() writes this node's
 * rows when they are new or changed and again every PG_ROSTER_REFRESH_S
 * (refreshed by the database's clock), and reads the pair's rows, at
 * most every PG_ROSTER_READ_MS, keeping those refreshed within
 * PG_ROSTER_STALE_S. A row outlives its node, as a roster file does (a
 * node killed with -9 cannot remove it): readers show such a node as
 * down, and a node gone for good drops out after PG_ROSTER_STALE_S.
 *
 * The loop thread sets this node's entries (pg_roster_set) and reads the
 * pair's (pg_roster_each) from a copy under a mutex of this file's, so
 * management never waits on the database.
 */
#ifndef TANDEM_PG_ROSTER_H
#define TANDEM_PG_ROSTER_H

struct config;
struct pg_lease;

#define PG_ROSTER_REFRESH_S 300
#define PG_ROSTER_STALE_S 3600
#define PG_ROSTER_READ_MS 1000

/* Loop thread: this node's entry of kind is value (written by the lease
 * thread at its next sync). */
void pg_roster_set(const char *broker_name, const char *kind, const char *value);

/* Loop thread: fn(ctx, broker name, address) for each entry of kind as
 * last read from the database, this node's own as set (even before the
 * database has it). */
void pg_roster_each(const char *kind, void (*fn)(void *ctx, const char *name, const char *value),
		    void *ctx);

/* The lease's thread: writes what is due, reads the pair's rows, on the
 * lease's connection if it works; errors are logged once each. The
 * table is made first when cfg's createTablesOnStartup says so. */
void pg_roster_sync(struct pg_lease *pl, const struct config *cfg);

#endif
