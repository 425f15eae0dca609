/*
 * lease_locker.h - master/slave on a PostgreSQL lease (issue 24): the
 * broker's locker (locker.h) when the store is a jdbcPersistenceAdapter.
 *
 * The same hooks and state as the file locker, so that the broker core
 * and management do not care which kind it is. The lease itself is
 * pg_lease.h's; this file runs it:
 *
 *   - a thread of its own (never the event loop: every libpq call blocks)
 *     tries the lease every lockAcquireSleepInterval while this broker is a
 *     slave and renews it every lockKeepAlivePeriod while it is the master,
 *     reading the lock row (holder, expiry by the database's clock) after
 *     each, and reports through an eventfd;
 *   - a lease lasts LEASE_PERIODS keep-alive periods, so one renewal may be
 *     late or lost without losing it;
 *   - the loop keeps the master's own deadline (pg_lease_expires_in_ms) on
 *     a timer of its own: when no renewal has pushed it back in time (the
 *     database is away, the thread is stuck in a network that drops
 *     packets) the master calls hooks->lost at once, before a slave can
 *     take the lease by the database's clock (fencing), and then waits as
 *     a slave again, retrying the database;
 *   - a renewal the database refuses (the lease expired and may be
 *     another's) is lost too;
 *   - a clean stop releases the lease, so a slave takes over at its next
 *     try rather than after the lease runs out.
 *
 * Invariant: the loop thread is master only between a take reported by
 * the thread and the first of (the deadline passing, a refused renewal, a
 * stop); a renewal reported after the loop fenced itself is ignored and
 * the thread gives the lease back.
 */
#ifndef TANDEM_LEASE_LOCKER_H
#define TANDEM_LEASE_LOCKER_H

#include <stdbool.h>

struct config;
struct loop;
struct locker_hooks;
struct locker_state;

#define LEASE_PERIODS 2

/* One kind of locker: locker.c's public functions call the one the
 * configuration asks for. */
struct locker_kind {
	int (*start)(struct loop *l, const struct config *cfg, const struct locker_hooks *hooks);
	void (*stop)(void);
	void (*state)(struct locker_state *out);
	bool (*is_master)(void);
	void (*lost)(const char *why);	/* locker_lost(), as master */
};

extern const struct locker_kind lease_locker;

/* The lease's token while this broker is the master (the store's writes
 * are conditional on it), else NULL. Loop thread only. */
const char *lease_locker_token(void);

#endif
