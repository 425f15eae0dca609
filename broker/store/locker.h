/*
 * locker.h - master/slave on a shared store directory, or on a PostgreSQL
 * lease when the store is a jdbcPersistenceAdapter (lease_locker.h: the
 * same hooks and state; locker_start picks the kind from the config).
 *
 * `<store directory>/lock` carries an exclusive lock (an open file
 * description lock, so other opens of the file in this process do not
 * drop it) and names its holder. The broker that holds it is the master;
 * any other broker on the directory is a slave: a thread of its own
 * blocks on the lock, so the slave takes over the moment the master's
 * process ends, without polling.
 *
 * The master checks every lockKeepAlivePeriod that the file at the path
 * is still the one it locked and still names it (fencing): a removed or
 * replaced lock file means another broker may take the store, so the
 * master must stop writing at once.
 *
 * The same timer rewrites, in place, the file's second line ("refreshed
 * TIME count N every P ms"): a heartbeat. A hung master (stopped, swapping)
 * keeps its lock, so its slaves cannot take over; they read the line every
 * period and report a holder that has not refreshed it for
 * LOCKER_STALE_PERIODS of its periods (and LOCKER_STALE_MIN_MS at least).
 * They only report it: taking the store from a holder that may wake up
 * would make two masters of one store.
 */
#ifndef TANDEM_LOCKER_H
#define TANDEM_LOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct loop;

enum locker_role { LOCKER_STARTING, LOCKER_SLAVE, LOCKER_MASTER };

#define LOCKER_EVENTS 32

struct locker_event {
	int64_t time_ms;	/* wall clock */
	char text[200];
};

/* What management shows. */
struct locker_state {
	enum locker_role role;
	const char *path;		/* the lock file (owned by the locker) */
	char holder[256];		/* who holds it, as its file says; "" unknown */
	int64_t waiting_since_ms;	/* wall clock; 0 when master */
	long attempts;			/* tries since this wait began */
	char last_error[256];		/* "" when none */
	int64_t since_ms;		/* in this role since */
	int nevents;			/* locker_event_at(0 .. nevents - 1) */
	/* A slave's view of the holder's heartbeat: ms since this slave saw
	 * it change, -1 when the holder writes none (lockKeepAlivePeriod 0,
	 * an older Tandem) or this broker is not a slave. */
	int64_t holder_refreshed_ago_ms;
	long holder_period_ms;		/* the holder's lockKeepAlivePeriod; 0 unknown */
	bool holder_stale;		/* refreshed_ago beyond the limit below */
	/* Which locker: "file" (path is the lock file) or "lease" (a
	 * PostgreSQL lease, lease_locker.h: path is the lock table, holder
	 * its leaseHolderId). The rest is the lease's alone. */
	const char *kind;
	char database[256];		/* host:port/dbname, never the user or password */
	char table_prefix[64];		/* tablePrefix */
	int64_t lease_expires_ms;	/* when the holder's lease ends, by the database's
					 * clock (ms since the epoch); 0 free or unknown */
};

#define LOCKER_STALE_PERIODS 3
#define LOCKER_STALE_MIN_MS 3000

/* acquired's answer when the broker cannot serve for now (the store is
 * locked by another process, the disk is full): the locker lets go of the
 * lock, says why (log, events, LastError and so Health) and takes it again
 * after a back-off of LOCKER_RETRY_FIRST_MS, doubling to LOCKER_RETRY_MAX_MS. */
#define LOCKER_TRY_LATER 1
#define LOCKER_RETRY_FIRST_MS 500
#define LOCKER_RETRY_MAX_MS 30000

/* Called on the loop thread: the lock is ours (become master: 0 when
 * serving; LOCKER_TRY_LATER with the reason in why; -1 when the broker can
 * never serve, which releases the lock and ends the process), or it is
 * lost (stop serving now; the locker then waits again). */
struct locker_hooks {
	int (*acquired)(char *why, size_t whylen);
	void (*lost)(const char *why);
};

/* Takes the lock if it is free (hooks->acquired runs before this
 * returns), else starts waiting as a slave. -1 with the reason logged when
 * the lock file cannot be used or failIfLocked says not to wait. */
int locker_start(struct loop *l, const struct config *cfg, const struct locker_hooks *hooks);
/* Stops waiting, releases the lock. */
void locker_stop(void);

void locker_state(struct locker_state *out);
/* The i-th event kept, oldest first. */
const struct locker_event *locker_event_at(int i);
const char *locker_role_name(enum locker_role role);
bool locker_is_master(void);
/* The store found the lock another broker's (a PostgreSQL commit fenced
 * out by the lease): as master, lose it now (hooks->lost, then wait as a
 * slave), as when the locker finds it lost itself. */
void locker_lost(const char *why);
/* Records an event for the ring (and nothing else: log it yourself). */
void locker_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
