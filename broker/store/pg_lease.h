/*
 * pg_lease.h - the lease-database-locker on PostgreSQL (issue 24): which
 * broker of a pair that shares a database is the master.
 *
 * One lock row per tablePrefix, in <prefix>TANDEM_LOCK (created when
 * missing): who holds the lease (leaseHolderId, for people), the holder's
 * token (random per pg_lease_open, so that two brokers given the same
 * leaseHolderId are still two holders), and when the lease expires. Every
 * time is the database's: now() in SQL, never the nodes' clocks, so a node
 * whose clock is wrong can neither steal a lease early nor keep one late.
 *
 * Invariants:
 *  1. At most one token holds an unexpired lease on a row: taking it is one
 *     UPDATE whose WHERE says "free, expired, or already mine".
 *  2. A renewal succeeds only while the holder's lease is unexpired: once
 *     expired it may already be someone else's, so the holder has lost it
 *     (pg_lease_renew returns 0) even when nobody took it.
 *  3. A holder that cannot reach the database cannot renew: it must count
 *     the lease lost once its last expiry has passed by its own monotonic
 *     clock (pg_lease_expires_in_ms), fencing itself before a slave, which
 *     waits for the database's clock to pass that expiry, takes over.
 *
 * States of a broker's lease, and the call that moves between them:
 *     waiting --pg_lease_try()==1--> holding --pg_lease_renew()==0--> lost
 *     holding --pg_lease_release()--> waiting
 *
 * Every call blocks on the database (libpq, synchronous): call them from a
 * thread, not the event loop: lease_locker.c's thread, which makes this the
 * broker's locker when the store is PostgreSQL.
 */
#ifndef TANDEM_PG_LEASE_H
#define TANDEM_PG_LEASE_H

#include <stddef.h>

struct pg_lease;

/* Connects with libpq's conninfo (config_jdbc_conninfo), creates the lock
 * table and row when create_tables, and returns the locker; NULL with why
 * in err (never the conninfo: it holds the password). lease_ms is how long
 * a lease lasts from each take or renewal. */
struct pg_lease *pg_lease_open(const char *conninfo, const char *table_prefix,
			       const char *holder_id, long lease_ms, int create_tables,
			       char *err, size_t len);

/* Each call below first connects again when the connection broke, keeping
 * the token: a holder whose database came back renews its own lease. */

/* One attempt to take the lease: 1 taken (or already ours, renewed), 0 held
 * by another (its holder id in holder, when given), -1 a database error in
 * err. */
int pg_lease_try(struct pg_lease *l, char *holder, size_t holder_len, char *err, size_t len);

/* Renews a held lease: 1 renewed, 0 lost (expired or taken), -1 a database
 * error in err (see invariant 3). */
int pg_lease_renew(struct pg_lease *l, char *err, size_t len);

/* Gives the lease up at once, if held: 0, or -1 with err. */
int pg_lease_release(struct pg_lease *l, char *err, size_t len);

/* Milliseconds left of the lease as last taken or renewed, by this
 * process's monotonic clock (negative once past); for a holder that cannot
 * reach the database. */
long pg_lease_expires_in_ms(const struct pg_lease *l);

/* This node's clock minus the database's, in ms (maxAllowableDiffFromDBTime
 * is checked against it); sets *diff and returns 0, or -1 with err. */
int pg_lease_clock_diff_ms(struct pg_lease *l, long *diff, char *err, size_t len);

/* The lock row as the database has it now: its holder's id ("" when free)
 * into holder, and when its lease ends, by the database's clock, in ms
 * since the epoch (0 when free) into *expires_ms. 0, or -1 with err. */
int pg_lease_read(struct pg_lease *l, char *holder, size_t holder_len, long long *expires_ms,
		  char *err, size_t len);

/* The lease's connection while it works, for other statements of the
 * lease's thread (pg_roster.c); NULL when it broke: the lease's own next
 * call makes it again, so that nothing else waits on a database away. */
struct pg_conn *pg_lease_conn(struct pg_lease *l);

/* This process's token: what the store's writes are made conditional on
 * (a write commits only while the lock row holds this token unexpired). */
const char *pg_lease_token(const struct pg_lease *l);

void pg_lease_close(struct pg_lease *l);

#endif
