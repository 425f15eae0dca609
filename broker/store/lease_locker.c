/*
 * lease_locker.c - the PostgreSQL lease as the broker's locker (contract
 * in lease_locker.h, the lease's rules in pg_lease.h).
 *
 * Two threads, one state each:
 *   - the loop thread owns the role, the hooks, the master's deadline
 *     timer and what management reads (on_news, become_master, lose,
 *     give_back);
 *   - the lease thread (lease_main) owns the struct pg_lease and every
 *     libpq call: try while not holding, renew while holding, read the
 *     row after each.
 * They meet in `lz.sh` under lz.mu: the thread writes what it saw and
 * wakes the loop through lz.efd; the loop writes what it wants (fence:
 * give the lease back; stop) and wakes the thread through lz.cv.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lease_locker.h"
#include "locker.h"
#include "log.h"
#include "loop.h"
#include "pg_lease.h"
#include "pg_roster.h"

/* After a database error the thread tries again this soon (a renewal
 * must get several tries before the master's deadline). */
#define RETRY_AFTER_ERROR_MS 1000
/* How often a waiting slave says so in the log, at least. */
#define SAY_WAITING_MIN_MS 10000
/* How long a stop waits for the thread to give the lease back. */
#define STOP_WAIT_MS 5000

/* What the thread saw and the loop has not read yet, and what the loop
 * wants of the thread. Under lz.mu. */
struct shared {
	/* thread -> loop */
	bool taken;			/* the lease is ours: become master */
	bool refused;			/* a renewal the database refused: lost */
	int64_t deadline_us;		/* monotonic: the lease as last taken or renewed; 0 none */
	bool deadline_new;
	char holder[256];		/* the row's holder, "" free */
	long long expires_ms;		/* the row's expiry, database time; 0 free */
	char error[256];		/* the last error, "" after a success */
	long attempts;			/* tries in this wait */
	const char *token;		/* the lease's, once opened */
	/* loop -> thread */
	bool fence;			/* give the lease back (if held) */
	long pause_ms;			/* then wait this long before the next try */
	bool stop;
};

static struct {
	struct loop *loop;
	const struct config *cfg;
	struct locker_hooks hooks;
	enum locker_role role;
	int64_t role_since, waiting_since;
	uint64_t deadline_timer, say_timer;
	int64_t deadline_us;		/* the master's, monotonic, as last armed */
	int retry_ms;
	long retries;
	char database[256];		/* host:port/dbname: never the user or password */
	char table[300];		/* <prefix>TANDEM_LOCK */
	char *conninfo;			/* has the password: never logged */
	long lease_ms;
	char said_error[256];		/* the error last logged */
	const char *token;		/* while master */

	int efd;
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct shared sh;
} lz = { .efd = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

static void start_waiting(void);

/* ---- the lease thread ---- */

/* Wakes the loop (under lz.mu: after a stop the eventfd is gone). A
 * failed write leaves the news in sh for the next wake-up. */
static void post(void)
{
	uint64_t one = 1;
	if (!lz.sh.stop && write(lz.efd, &one, sizeof one) < 0)
		return;
}

static void report_error(const char *err)
{
	pthread_mutex_lock(&lz.mu);
	snprintf(lz.sh.error, sizeof lz.sh.error, "%s", err);
	post();
	pthread_mutex_unlock(&lz.mu);
}

/* Sleeps ms, or less when the loop wants something. */
static void nap(long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lz.mu);
	while (!lz.sh.stop && !lz.sh.fence &&
	       pthread_cond_timedwait(&lz.cv, &lz.mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&lz.mu);
}

/* The row as the database has it now, for management; then, as the
 * connection works, the pair's roster (pg_roster.h). */
static void read_row(struct pg_lease *pl)
{
	char holder[256], err[256];
	long long expires;
	if (pg_lease_read(pl, holder, sizeof holder, &expires, err, sizeof err) < 0)
		return;
	pthread_mutex_lock(&lz.mu);
	snprintf(lz.sh.holder, sizeof lz.sh.holder, "%s", holder);
	lz.sh.expires_ms = expires;
	pthread_mutex_unlock(&lz.mu);
	pg_roster_sync(pl, lz.cfg);
}

/* The clock check of maxAllowableDiffFromDBTime: said, never fatal, since
 * every time the lease compares is the database's. */
static void check_clock(struct pg_lease *pl, char *err, size_t len)
{
	long diff;
	long max = lz.cfg->jdbc->max_diff_ms;
	if (max > 0 && pg_lease_clock_diff_ms(pl, &diff, err, len) == 0 && labs(diff) > max)
		snprintf(err, len, "this node's clock is %ld ms %s the database's, more than "
			 "maxAllowableDiffFromDBTime=\"%ld\" (the lease goes by the database's clock)",
			 labs(diff), diff > 0 ? "ahead of" : "behind", max);
}

/* The lease's deadline by this process's monotonic clock, posted. */
static void post_deadline(struct pg_lease *pl, bool taken)
{
	pthread_mutex_lock(&lz.mu);
	lz.sh.deadline_us = (int64_t)pg_lease_expires_in_ms(pl) * 1000 +
			    mono_us();
	lz.sh.deadline_new = true;
	lz.sh.taken |= taken;
	lz.sh.error[0] = '\0';
	post();
	pthread_mutex_unlock(&lz.mu);
}

/* One try while not holding; how long to wait before the next. */
static long try_once(struct pg_lease *pl, bool *holding)
{
	char clock[256] = "", err[256];
	pthread_mutex_lock(&lz.mu);
	lz.sh.attempts++;
	pthread_mutex_unlock(&lz.mu);
	check_clock(pl, clock, sizeof clock);
	int rc = pg_lease_try(pl, NULL, 0, err, sizeof err);
	if (rc == 1) {
		*holding = true;
		post_deadline(pl, true);
		return lz.cfg->jdbc->lock_keep_alive_ms;
	}
	report_error(rc < 0 ? err : clock);
	return rc < 0 && RETRY_AFTER_ERROR_MS < lz.cfg->jdbc->lock_acquire_sleep_ms ?
	       RETRY_AFTER_ERROR_MS : lz.cfg->jdbc->lock_acquire_sleep_ms;
}

/* One renewal while holding; how long to wait before the next. */
static long renew_once(struct pg_lease *pl, bool *holding)
{
	char err[256];
	int rc = pg_lease_renew(pl, err, sizeof err);
	if (rc == 1) {
		post_deadline(pl, false);
		return lz.cfg->jdbc->lock_keep_alive_ms;
	}
	if (rc == 0) {
		*holding = false;
		pthread_mutex_lock(&lz.mu);
		lz.sh.refused = true;
		post();
		pthread_mutex_unlock(&lz.mu);
		return lz.cfg->jdbc->lock_acquire_sleep_ms;
	}
	/* The database is away: again soon, until the loop's deadline says lost. */
	report_error(err);
	return lz.cfg->jdbc->lock_keep_alive_ms < RETRY_AFTER_ERROR_MS ?
	       lz.cfg->jdbc->lock_keep_alive_ms : RETRY_AFTER_ERROR_MS;
}

static struct pg_lease *open_lease(void)
{
	char err[256];
	const struct conf_jdbc *j = lz.cfg->jdbc;
	struct pg_lease *pl = pg_lease_open(lz.conninfo, j->table_prefix, j->lease_holder_id,
					    lz.lease_ms, j->create_tables, err, sizeof err);
	if (!pl) {
		report_error(err);
		return NULL;
	}
	pthread_mutex_lock(&lz.mu);
	lz.sh.token = pg_lease_token(pl);
	pthread_mutex_unlock(&lz.mu);
	return pl;
}

static void *lease_main(void *arg)
{
	(void)arg;
	struct pg_lease *pl = NULL;
	bool holding = false;
	for (;;) {
		pthread_mutex_lock(&lz.mu);
		bool stop = lz.sh.stop, fence = lz.sh.fence;
		long pause = lz.sh.pause_ms;
		lz.sh.fence = false;
		lz.sh.pause_ms = 0;
		pthread_mutex_unlock(&lz.mu);
		if (holding && (stop || fence)) {
			char err[256];
			if (pg_lease_release(pl, err, sizeof err) < 0 && !stop)
				report_error(err);
			holding = false;
		}
		if (stop)
			break;
		if (pause) {
			nap(pause);
			continue;
		}
		long next = lz.cfg->jdbc->lock_acquire_sleep_ms;
		if (pl || (pl = open_lease())) {
			next = holding ? renew_once(pl, &holding) : try_once(pl, &holding);
			read_row(pl);
		}
		nap(next);
	}
	pg_lease_close(pl);
	return NULL;
}

/* ---- the loop thread ---- */

static void set_role(enum locker_role role)
{
	lz.role = role;
	lz.role_since = wall_ms();
}

/* What the thread saw, read out of sh for the loop. */
struct news {
	bool taken, refused, deadline_new;
	int64_t deadline_us;
	char error[256];
};

static void take_news(struct news *n)
{
	pthread_mutex_lock(&lz.mu);
	n->taken = lz.sh.taken;
	n->refused = lz.sh.refused;
	n->deadline_new = lz.sh.deadline_new;
	n->deadline_us = lz.sh.deadline_us;
	snprintf(n->error, sizeof n->error, "%s", lz.sh.error);
	lz.sh.taken = lz.sh.refused = lz.sh.deadline_new = false;
	pthread_mutex_unlock(&lz.mu);
}

/* Asks the thread to give the lease back, then to wait pause_ms. */
static void fence_thread(long pause_ms)
{
	pthread_mutex_lock(&lz.mu);
	lz.sh.fence = true;
	lz.sh.pause_ms = pause_ms;
	lz.sh.taken = lz.sh.refused = lz.sh.deadline_new = false;
	pthread_cond_signal(&lz.cv);
	pthread_mutex_unlock(&lz.mu);
}

/* Fencing: no longer the master, at once; then a slave again. */
static void lose(const char *why)
{
	log_error("broker", "Lost the lease on %s (%s): %s. Stopping the connectors at once and "
		  "waiting as a slave: two masters must never write one store", lz.database,
		  lz.table, why);
	locker_event("lost the lease: %s", why);
	loop_del_timer(lz.loop, lz.deadline_timer);
	lz.deadline_timer = 0;
	lz.token = NULL;
	set_role(LOCKER_SLAVE);
	lz.hooks.lost(why);
	fence_thread(0);
	start_waiting();
}

/* The master's own deadline passed with no renewal to push it back. */
static void deadline_passed(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	lz.deadline_timer = 0;
	if (lz.role != LOCKER_MASTER)
		return;
	/* How late the timer came says whether the loop was held (on the
	 * database, say): it must not be by more than a period. */
	char why[400];
	long long late_ms = (mono_us() - lz.deadline_us) / 1000;
	pthread_mutex_lock(&lz.mu);
	snprintf(why, sizeof why, "not renewed within its %ld ms by this node's clock (fenced %lld "
		 "ms after its end)%s%s", lz.lease_ms, late_ms > 0 ? late_ms : 0,
		 lz.sh.error[0] ? "; last error: " : "", lz.sh.error);
	pthread_mutex_unlock(&lz.mu);
	lose(why);
}

static void arm_deadline(int64_t deadline_us)
{
	loop_del_timer(lz.loop, lz.deadline_timer);
	lz.deadline_us = deadline_us;
	int64_t ms = (deadline_us - mono_us()) / 1000;
	lz.deadline_timer = loop_add_timer(lz.loop, ms > 0 ? ms : 0, deadline_passed, NULL);
}

static void retry_ms_grow(void)
{
	lz.retry_ms = lz.retry_ms ? lz.retry_ms * 2 : LOCKER_RETRY_FIRST_MS;
	if (lz.retry_ms > LOCKER_RETRY_MAX_MS)
		lz.retry_ms = LOCKER_RETRY_MAX_MS;
	lz.retries++;
}

/* The lease is ours but the broker cannot serve for now: a slave that
 * may be able to should get it, so give it back and try again later. */
static void give_back(const char *why)
{
	retry_ms_grow();
	log_warn("broker", "Cannot serve: %s. Gave the lease on %s (%s) back; trying again in "
		 "%g s (try %ld)", why, lz.database, lz.table, lz.retry_ms / 1000.0, lz.retries);
	locker_event("could not serve: %s; gave the lease back, trying again in %g s", why,
		     lz.retry_ms / 1000.0);
	loop_del_timer(lz.loop, lz.deadline_timer);
	lz.deadline_timer = 0;
	lz.token = NULL;
	fence_thread(lz.retry_ms);
	start_waiting();
	pthread_mutex_lock(&lz.mu);
	snprintf(lz.sh.error, sizeof lz.sh.error, "%s (try %ld; the next in %g s)", why,
		 lz.retries, lz.retry_ms / 1000.0);
	pthread_mutex_unlock(&lz.mu);
}

static void become_master(int64_t deadline_us)
{
	loop_del_timer(lz.loop, lz.say_timer);
	lz.say_timer = 0;
	int64_t waited_ms = wall_ms() - lz.waiting_since;
	log_info("broker", "Lease on %s (%s) acquired as %s after waiting %.3f s: becoming master",
		 lz.database, lz.table, lz.cfg->jdbc->lease_holder_id, waited_ms / 1000.0);
	locker_event("became master (took the lease) after waiting %.3f s", waited_ms / 1000.0);
	set_role(LOCKER_MASTER);
	lz.waiting_since = 0;
	pthread_mutex_lock(&lz.mu);
	lz.token = lz.sh.token;
	lz.sh.attempts = 0;
	lz.sh.error[0] = '\0';
	pthread_mutex_unlock(&lz.mu);
	arm_deadline(deadline_us);
	char why[200] = "";
	int rc = lz.hooks.acquired(why, sizeof why);
	if (rc == LOCKER_TRY_LATER) {
		give_back(why);
	} else if (rc < 0) {
		/* The broker ends the process; locker_stop gives the lease back. */
		locker_event("could not start serving: giving the lease back");
	} else {
		lz.retry_ms = 0;
		lz.retries = 0;
	}
}

/* Logs an error of the thread's once, until it changes. */
static void say_error(const char *error)
{
	if (!strcmp(error, lz.said_error))
		return;
	snprintf(lz.said_error, sizeof lz.said_error, "%s", error);
	if (*error) {
		log_warn("broker", "Lease on %s (%s): %s", lz.database, lz.table, error);
		locker_event("%s", error);
	}
}

static void on_news(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)events;
	(void)ctx;
	uint64_t n;
	if (read(fd, &n, sizeof n) < 0)
		return;
	struct news nw;
	take_news(&nw);
	say_error(nw.error);
	if (nw.taken && lz.role != LOCKER_MASTER) {
		become_master(nw.deadline_us);
		return;
	}
	if (lz.role != LOCKER_MASTER)
		return;
	if (nw.refused)
		lose("the database refused its renewal: the lease had expired and may be "
		     "another's");
	else if (nw.deadline_new)
		arm_deadline(nw.deadline_us);
}

static void say_waiting(struct loop *l, void *ctx)
{
	(void)ctx;
	char holder[256], error[256];
	long long expires;
	pthread_mutex_lock(&lz.mu);
	snprintf(holder, sizeof holder, "%s", lz.sh.holder);
	snprintf(error, sizeof error, "%s", lz.sh.error);
	expires = lz.sh.expires_ms;
	pthread_mutex_unlock(&lz.mu);
	long every = lz.cfg->jdbc->lock_acquire_sleep_ms;
	if (every < SAY_WAITING_MIN_MS)
		every = SAY_WAITING_MIN_MS;
	char until[40] = "";
	if (expires) {
		time_t t = (time_t)(expires / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(until, sizeof until, " until %Y-%m-%dT%H:%M:%SZ", &tm);
	}
	log_info("broker", "Lease on %s (%s) is held by another broker... trying every %g "
		 "seconds. Held by: %s%s%s%s", lz.database, lz.table,
		 lz.cfg->jdbc->lock_acquire_sleep_ms / 1000.0, holder[0] ? holder : "(nobody)",
		 until, error[0] ? ". Last error: " : "", error);
	lz.say_timer = loop_add_timer(l, every, say_waiting, NULL);
}

static void start_waiting(void)
{
	set_role(LOCKER_SLAVE);
	lz.waiting_since = wall_ms();
	pthread_mutex_lock(&lz.mu);
	lz.sh.attempts = 0;
	pthread_mutex_unlock(&lz.mu);
	locker_event("waiting for the lease");
	loop_del_timer(lz.loop, lz.say_timer);
	lz.say_timer = loop_add_timer(lz.loop, SAY_WAITING_MIN_MS, say_waiting, NULL);
}

/* "host:port/dbname" (each host of a list), without the user or password. */
static void describe_database(const struct conf_jdbc *j, char *out, size_t len)
{
	const char *h = j->host ? j->host : "localhost", *p = j->port ? j->port : "5432";
	const char *db = j->dbname ? j->dbname : j->user ? j->user : "";
	size_t n = 0;
	out[0] = '\0';
	while (*h && n < len) {
		size_t hl = strcspn(h, ","), pl = strcspn(p, ",");
		n += (size_t)snprintf(out + n, len - n, "%s%.*s:%.*s", n ? "," : "", (int)hl, h,
				      (int)pl, p);
		h += hl + (h[hl] == ',');
		p += pl + (p[pl] == ',');
	}
	if (n < len)
		snprintf(out + n, len - n, "/%s", db);
}

static int lease_start(struct loop *l, const struct config *cfg, const struct locker_hooks *hooks)
{
	const struct conf_jdbc *j = cfg->jdbc;
	lz.loop = l;
	lz.cfg = cfg;
	lz.hooks = *hooks;
	lz.lease_ms = LEASE_PERIODS * j->lock_keep_alive_ms;
	describe_database(j, lz.database, sizeof lz.database);
	snprintf(lz.table, sizeof lz.table, "%sTANDEM_LOCK", j->table_prefix);
	set_role(LOCKER_STARTING);
	if (j->lock_keep_alive_ms <= 0) {
		log_error("config", "%s:%d: <jdbcPersistenceAdapter> lockKeepAlivePeriod=\"%ld\": "
			  "the lease locker needs a period to renew its lease in", cfg->file,
			  j->line, j->lock_keep_alive_ms);
		return -1;
	}
	/* libpq's defaults wait minutes for a database that drops packets: a
	 * call must end before the master's deadline, so that it retries. */
	char *ci = config_jdbc_conninfo(j, true);
	long keep_s = j->lock_keep_alive_ms / 1000;
	if (!ci || asprintf(&lz.conninfo, "%s connect_timeout='%ld' tcp_user_timeout='%ld' "
			    "keepalives_idle='%ld' keepalives_interval='1' keepalives_count='3'",
			    ci, keep_s > 2 ? keep_s : 2, j->lock_keep_alive_ms,
			    keep_s > 1 ? keep_s : 1) < 0) {
		free(ci);
		lz.conninfo = NULL;
		log_error("broker", "Cannot start the lease locker: out of memory");
		return -1;
	}
	free(ci);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lz.cv, &ca);
	pthread_condattr_destroy(&ca);
	lz.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lz.efd < 0 || loop_add_fd(l, lz.efd, LOOP_READ, on_news, NULL) < 0) {
		log_error("broker", "Cannot make the lease thread's wake-up: %s", strerror(errno));
		return -1;
	}
	log_info("broker", "Lease locker on %s, table %s, as %s: a lease of %ld ms renewed every "
		 "%ld ms, tried every %ld ms while a slave", lz.database, lz.table,
		 j->lease_holder_id, lz.lease_ms, j->lock_keep_alive_ms, j->lock_acquire_sleep_ms);
	start_waiting();
	if (pthread_create(&lz.thread, NULL, lease_main, NULL) != 0) {
		log_error("broker", "Cannot start the lease thread: %s", strerror(errno));
		return -1;
	}
	lz.thread_running = true;
	return 0;
}

static void lease_stop(void)
{
	if (lz.thread_running) {
		pthread_mutex_lock(&lz.mu);
		lz.sh.stop = true;
		pthread_cond_signal(&lz.cv);
		pthread_mutex_unlock(&lz.mu);
		/* A thread stuck in a database that drops packets is left to the
		 * process's end: the lease then runs out by itself. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += STOP_WAIT_MS / 1000;
		if (pthread_timedjoin_np(lz.thread, NULL, &until) != 0) {
			log_warn("broker", "The lease thread did not end within %d s: the lease on "
				 "%s (%s) runs out by itself", STOP_WAIT_MS / 1000, lz.database,
				 lz.table);
			pthread_detach(lz.thread);
		} else if (lz.role == LOCKER_MASTER) {
			log_info("broker", "Lease on %s (%s) given back", lz.database, lz.table);
		}
		lz.thread_running = false;
	}
	if (lz.loop) {
		loop_del_timer(lz.loop, lz.deadline_timer);
		loop_del_timer(lz.loop, lz.say_timer);
	}
	lz.deadline_timer = lz.say_timer = 0;
	pthread_mutex_lock(&lz.mu);
	if (lz.efd >= 0) {
		loop_del_fd(lz.loop, lz.efd);
		close(lz.efd);
		lz.efd = -1;
	}
	pthread_mutex_unlock(&lz.mu);
	lz.token = NULL;
	set_role(LOCKER_STARTING);
}

static void lease_state(struct locker_state *out)
{
	*out = (struct locker_state){
		.role = lz.role,
		.path = lz.table,
		.kind = "lease",
		.waiting_since_ms = lz.waiting_since,
		.since_ms = lz.role_since,
		.holder_refreshed_ago_ms = -1,
	};
	snprintf(out->database, sizeof out->database, "%s", lz.database);
	snprintf(out->table_prefix, sizeof out->table_prefix, "%s",
		 lz.cfg ? lz.cfg->jdbc->table_prefix : "");
	pthread_mutex_lock(&lz.mu);
	snprintf(out->holder, sizeof out->holder, "%s", lz.sh.holder);
	out->lease_expires_ms = lz.sh.expires_ms;
	out->attempts = lz.sh.attempts;
	snprintf(out->last_error, sizeof out->last_error, "%s", lz.sh.error);
	pthread_mutex_unlock(&lz.mu);
}

static bool lease_is_master(void)
{
	return lz.role == LOCKER_MASTER;
}

const char *lease_locker_token(void)
{
	return lz.token;
}

const struct locker_kind lease_locker = {
	lease_start, lease_stop, lease_state, lease_is_master, lose,
};
