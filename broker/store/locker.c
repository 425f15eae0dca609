/*
 * locker.c - the lock on the store directory: who is master, who waits.
 *
 * The loop thread owns the state. While this broker is a slave, one
 * thread (waiter_main) blocks on the lock and hands the locked file over
 * through an eventfd; the loop thread then checks it, writes its own name
 * into it and becomes master. Timers say that a slave still waits (every
 * lockAcquireSleepInterval) and check that a master still owns the file
 * it locked (every lockKeepAlivePeriod), where it also refreshes its
 * heartbeat; another timer lets a slave watch the holder's heartbeat.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lease_locker.h"
#include "locker.h"
#include "log.h"
#include "loop.h"
#include "store.h"

/* After an error other than "held by another", the waiter tries again
 * this often (a lock file on a file system that is away, say). */
#define RETRY_AFTER_ERROR_S 1

static struct {
	struct loop *loop;
	const struct config *cfg;
	struct locker_hooks hooks;
	char *path;
	enum locker_role role;
	int64_t role_since;

	/* Master: the locked file, as it was when locked. */
	int fd;
	dev_t dev;
	ino_t ino;
	char content[256];
	uint64_t keepalive_timer;
	unsigned long beat_count;
	bool beat_failing;	/* said once, until a refresh works again */

	/* Could not serve for now: the next try, and how long it waits. */
	uint64_t retry_timer;
	int retry_ms;
	long retries;

	/* Slave. */
	int64_t waiting_since;
	char holder[256];
	uint64_t wait_log_timer;
	/* The holder's heartbeat as last read, and when it last changed by
	 * this slave's monotonic clock (the holder's clock may differ). */
	char beat[128];
	int64_t beat_seen_us;
	long holder_period;	/* its lockKeepAlivePeriod, 0 when it writes none */
	bool stale_said;
	uint64_t watch_timer;
	int efd;		/* the waiter got the lock */
	pthread_t waiter;
	bool waiter_running;

	atomic_bool stop;	/* the waiter ends */

	/* Shared with the waiter, under mu. */
	pthread_mutex_t mu;
	long attempts;
	char last_error[256];
	int got_fd;		/* the locked file, -1 until then */

	struct locker_event events[LOCKER_EVENTS];
	int nevents, first;	/* a ring: events[first] is the oldest */
} lk = { .fd = -1, .efd = -1, .got_fd = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

static void start_waiting(void);
static void give_back(const char *why);
static void keepalive(struct loop *l, void *ctx);

void locker_event(const char *fmt, ...)
{
	struct locker_event *e;
	if (lk.nevents < LOCKER_EVENTS) {
		e = &lk.events[(lk.first + lk.nevents++) % LOCKER_EVENTS];
	} else {
		e = &lk.events[lk.first];
		lk.first = (lk.first + 1) % LOCKER_EVENTS;
	}
	e->time_ms = wall_ms();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&lk.mu);
	vsnprintf(lk.last_error, sizeof lk.last_error, fmt, ap);
	pthread_mutex_unlock(&lk.mu);
	va_end(ap);
}

static void set_role(enum locker_role role)
{
	lk.role = role;
	lk.role_since = wall_ms();
}

/* An exclusive lock on the whole file: F_OFD_SETLKW waits for it. */
static int lock_fd(int fd, int cmd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	return fcntl(fd, cmd, &fl);
}

/* Whether fd is still the file at the lock's path. */
static bool is_current(int fd, const char **why)
{
	struct stat held, now;
	if (fstat(fd, &held) < 0) {
		*why = strerror(errno);
		return false;
	}
	if (stat(lk.path, &now) < 0) {
		*why = errno == ENOENT ? "the lock file was removed" : strerror(errno);
		return false;
	}
	if (held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
		*why = "the lock file was replaced by another file";
		return false;
	}
	return true;
}

/* The first line of the lock file: who holds (or last held) it. */
static void read_holder(int fd, char *out, size_t outlen)
{
	ssize_t n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* A changed holder or heartbeat line restarts the clock. */
static void note_beat(const char *holder, const char *beat)
{
	if (!strcmp(holder, lk.holder) && !strcmp(beat, lk.beat))
		return;
	snprintf(lk.holder, sizeof lk.holder, "%.*s", (int)sizeof lk.holder - 1, holder);
	snprintf(lk.beat, sizeof lk.beat, "%.*s", (int)sizeof lk.beat - 1, beat);
	lk.beat_seen_us = mono_us();
	const char *every = strstr(beat, " every ");
	lk.holder_period = every ? strtol(every + strlen(" every "), NULL, 10) : 0;
}

/* The holder's line and its heartbeat (the second line). */
static void refresh_holder(void)
{
	char buf[512];
	ssize_t n = -1;
	int fd = open(lk.path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, buf, sizeof buf - 1, 0);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	char *beat = buf + strcspn(buf, "\n");
	if (*beat)
		*beat++ = '\0';
	beat[strcspn(beat, "\n")] = '\0';
	note_beat(buf, beat);
}

/* ms since this slave saw the holder's heartbeat change; -1 unknown. */
static int64_t refreshed_ago_ms(void)
{
	if (lk.role != LOCKER_SLAVE || !lk.holder[0] || lk.holder_period <= 0)
		return -1;
	return (mono_us() - lk.beat_seen_us) / 1000;
}

static bool is_stale(int64_t ago_ms)
{
	int64_t limit = (int64_t)LOCKER_STALE_PERIODS * lk.holder_period;
	return ago_ms >= 0 && ago_ms > (limit > LOCKER_STALE_MIN_MS ? limit : LOCKER_STALE_MIN_MS);
}

/* ---- the waiter thread ---- */

/* SIGUSR2 only interrupts the waiter's F_OFD_SETLKW (see locker_stop). */
static void on_wake(int sig)
{
	(void)sig;
}

static void *waiter_main(void *arg)
{
	(void)arg;
	sigset_t wake;
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
	while (!atomic_load(&lk.stop)) {
		int fd = open(lk.path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			set_error("cannot open %s: %s", lk.path, strerror(errno));
			nanosleep(&(struct timespec){ RETRY_AFTER_ERROR_S, 0 }, NULL);
			continue;
		}
		pthread_mutex_lock(&lk.mu);
		lk.attempts++;
		pthread_mutex_unlock(&lk.mu);
		int rc = lock_fd(fd, F_OFD_SETLKW);
		if (atomic_load(&lk.stop)) {
			close(fd);
			break;
		}
		const char *why;
		if (rc == 0 && is_current(fd, &why)) {
			pthread_mutex_lock(&lk.mu);
			lk.got_fd = fd;
			pthread_mutex_unlock(&lk.mu);
			uint64_t one = 1;
			if (write(lk.efd, &one, sizeof one) < 0)
				set_error("cannot wake the event loop: %s", strerror(errno));
			return NULL;
		}
		int err = errno;
		close(fd);
		if (rc < 0 && err != EINTR) {
			set_error("locking %s: %s", lk.path, strerror(err));
			nanosleep(&(struct timespec){ RETRY_AFTER_ERROR_S, 0 }, NULL);
		}
		/* Locked a file that is no longer the lock file: its holder let
		 * go of a replaced file. Wait on the one there now. */
	}
	return NULL;
}

/* ---- becoming master ---- */

static void format_time(int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The heartbeat: the line after the holder's, rewritten in place with one
 * small pwrite and no fsync, so the loop never waits for the disk. Slaves
 * on this host read the page cache; those on other hosts of a network file
 * system see it once it is written back, which sync_file_range starts
 * without waiting for it (else NFS would hold it for up to 30 s). Only
 * the count grows, so the line never shrinks and leaves no tail; the file
 * is never replaced, which would let its lock go. */
static void write_beat(void)
{
	char line[128], when[40];
	int64_t now = wall_ms();
	format_time(now, when, sizeof when);
	when[strlen(when) - 1] = '\0';	/* the Z, after the milliseconds */
	int n = snprintf(line, sizeof line, "refreshed %s.%03dZ count %lu every %ld ms\n", when,
			 (int)(now % 1000), ++lk.beat_count, lk.cfg->lock_keep_alive_ms);
	bool ok = pwrite(lk.fd, line, (size_t)n, (off_t)strlen(lk.content)) == n;
	if (ok)
		sync_file_range(lk.fd, 0, 0, SYNC_FILE_RANGE_WRITE);	/* a hint: errors do not matter */
	if (ok != lk.beat_failing)
		return;
	lk.beat_failing = !ok;
	if (!ok)
		log_warn("broker", "Cannot refresh the heartbeat in the lock file %s: %s; slaves "
			 "will report this master as hung", lk.path, strerror(errno));
	else
		log_info("broker", "Refreshing the heartbeat in the lock file %s again", lk.path);
}

/* Writes our name into the locked file and serves. */
static int become_master(int fd, bool waited)
{
	char host[64] = "localhost", since[32];
	gethostname(host, sizeof host - 1);
	format_time(wall_ms(), since, sizeof since);
	snprintf(lk.content, sizeof lk.content, "%s on %s pid %ld since %s\n",
		 lk.cfg->broker_name, host, (long)getpid(), since);
	struct stat st;
	size_t len = strlen(lk.content);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, lk.content, len, 0) != (ssize_t)len ||
	    fdatasync(fd) < 0 || fstat(fd, &st) < 0) {
		log_error("broker", "Cannot write the lock file %s: %s", lk.path, strerror(errno));
		close(fd);
		return -1;
	}
	lk.fd = fd;
	lk.dev = st.st_dev;
	lk.ino = st.st_ino;
	lk.beat_count = 0;
	if (lk.cfg->lock_keep_alive_ms > 0)
		write_beat();
	snprintf(lk.holder, sizeof lk.holder, "%.*s", (int)len - 1, lk.content);
	if (waited) {
		int64_t waited_ms = wall_ms() - lk.waiting_since;
		log_info("broker", "Lock on %s acquired after waiting %.3f s: becoming master",
			 lk.path, waited_ms / 1000.0);
		locker_event("became master after waiting %.3f s", waited_ms / 1000.0);
	} else {
		log_info("broker", "Lock on %s acquired: master", lk.path);
		locker_event("became master");
	}
	set_role(LOCKER_MASTER);
	lk.waiting_since = 0;
	pthread_mutex_lock(&lk.mu);
	lk.attempts = 0;
	lk.last_error[0] = '\0';
	pthread_mutex_unlock(&lk.mu);
	if (lk.cfg->lock_keep_alive_ms > 0)
		lk.keepalive_timer = loop_add_timer(lk.loop, lk.cfg->lock_keep_alive_ms,
						    keepalive, NULL);
	char why[200] = "";
	int rc = lk.hooks.acquired(why, sizeof why);
	if (rc == LOCKER_TRY_LATER) {
		give_back(why);
		return 0;
	}
	if (rc < 0) {
		locker_event("could not start serving: released the lock");
		return -1;	/* the broker ends the process; locker_stop releases */
	}
	lk.retry_ms = 0;
	lk.retries = 0;
	return 0;
}

static void retry_wait(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	lk.retry_timer = 0;
	if (lk.role == LOCKER_SLAVE && !lk.waiter_running)
		start_waiting();
}

/* The lock is ours but the broker cannot serve for now: holding the lock
 * would keep a slave that may be able to from trying, so let it go and
 * take it again later, less often each time. */
static void give_back(const char *why)
{
	lk.retry_ms = lk.retry_ms ? lk.retry_ms * 2 : LOCKER_RETRY_FIRST_MS;
	if (lk.retry_ms > LOCKER_RETRY_MAX_MS)
		lk.retry_ms = LOCKER_RETRY_MAX_MS;
	lk.retries++;
	log_warn("broker", "Cannot serve: %s. Released the lock on %s; trying again in %g s "
		 "(try %ld)", why, lk.path, lk.retry_ms / 1000.0, lk.retries);
	locker_event("could not serve: %s; released the lock, trying again in %g s", why,
		     lk.retry_ms / 1000.0);
	loop_del_timer(lk.loop, lk.keepalive_timer);
	lk.keepalive_timer = 0;
	/* It does not name us any more: we do not hold it. */
	if (ftruncate(lk.fd, 0) < 0)
		log_warn("broker", "Cannot empty the lock file %s: %s", lk.path, strerror(errno));
	close(lk.fd);
	lk.fd = -1;
	set_role(LOCKER_SLAVE);
	lk.waiting_since = wall_ms();
	lk.holder[0] = '\0';
	set_error("%s (try %ld; the next in %g s)", why, lk.retries, lk.retry_ms / 1000.0);
	lk.retry_timer = loop_add_timer(lk.loop, lk.retry_ms, retry_wait, NULL);
}

static void on_waiter(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)events;
	(void)ctx;
	uint64_t n;
	if (read(fd, &n, sizeof n) < 0)
		return;
	pthread_mutex_lock(&lk.mu);
	int got = lk.got_fd;
	lk.got_fd = -1;
	pthread_mutex_unlock(&lk.mu);
	if (got < 0)
		return;
	pthread_join(lk.waiter, NULL);
	lk.waiter_running = false;
	loop_del_timer(lk.loop, lk.wait_log_timer);
	lk.wait_log_timer = 0;
	if (become_master(got, true) < 0 && lk.fd < 0) {
		/* The lock file could not be written: let go, try again. */
		set_error("cannot write the lock file %s", lk.path);
		lk.retry_timer = loop_add_timer(lk.loop, RETRY_AFTER_ERROR_S * 1000, retry_wait,
						NULL);
	}
}

/* ---- master: fencing ---- */

static void lose(const char *why)
{
	log_error("broker", "Lost the lock on %s: %s. Stopping the connectors at once and "
		  "waiting as a slave: two masters must never write one store", lk.path, why);
	locker_event("lost the lock: %s", why);
	loop_del_timer(lk.loop, lk.keepalive_timer);
	lk.keepalive_timer = 0;
	lk.hooks.lost(why);
	close(lk.fd);	/* after the store is let go of */
	lk.fd = -1;
	start_waiting();
}

static void keepalive(struct loop *l, void *ctx)
{
	(void)ctx;
	lk.keepalive_timer = 0;
	const char *why = NULL;
	char content[sizeof lk.content];
	if (is_current(lk.fd, &why)) {
		read_holder(lk.fd, content, sizeof content);
		if (strncmp(content, lk.content, strcspn(lk.content, "\n")) != 0)
			why = "the lock file names another holder";
		else if (lock_fd(lk.fd, F_OFD_SETLK) < 0)
			why = strerror(errno);	/* a network file system lost it */
	}
	if (why) {
		char reason[256];
		snprintf(reason, sizeof reason, "%s", why);
		lose(reason);
		return;
	}
	write_beat();
	lk.keepalive_timer = loop_add_timer(l, lk.cfg->lock_keep_alive_ms, keepalive, NULL);
}

/* ---- slave: waiting ---- */

/* Often enough to see a heartbeat of any period change in time. */
static long watch_period_ms(void)
{
	long p = lk.cfg->lock_keep_alive_ms;
	return p > 0 && p < 1000 ? p : 1000;
}

/* Says once per change whether the holder's heartbeat went stale. */
static void watch(struct loop *l, void *ctx)
{
	(void)ctx;
	lk.watch_timer = loop_add_timer(l, watch_period_ms(), watch, NULL);
	if (lk.role != LOCKER_SLAVE) {
		lk.stale_said = false;
		return;
	}
	refresh_holder();
	int64_t ago = refreshed_ago_ms();
	bool stale = is_stale(ago);
	if (stale == lk.stale_said)
		return;
	lk.stale_said = stale;
	if (stale) {
		log_warn("broker", "The holder of %s, %s, has not refreshed its lock for %lld s "
			 "(its period: %ld ms): it may be hung, its clients wait, and this slave "
			 "cannot take over while it holds the lock", lk.path, lk.holder,
			 (long long)ago / 1000, lk.holder_period);
		locker_event("holder %s has not refreshed its lock for %lld s", lk.holder,
			     (long long)ago / 1000);
	} else {
		log_info("broker", "The holder of %s, %s, refreshes its lock again", lk.path,
			 lk.holder[0] ? lk.holder : "(nobody)");
		locker_event("holder %s refreshes its lock again",
			     lk.holder[0] ? lk.holder : "(nobody)");
	}
}

static void say_waiting(struct loop *l, void *ctx)
{
	(void)ctx;
	refresh_holder();
	char last[256];
	pthread_mutex_lock(&lk.mu);
	snprintf(last, sizeof last, "%s", lk.last_error);
	pthread_mutex_unlock(&lk.mu);
	/* The seed's SharedFileLocker line, so that habits carry over. */
	log_info("broker", "Database %s is locked... waiting %g seconds for the database to "
		 "be unlocked. Held by: %s%s%s", lk.path, lk.cfg->lock_acquire_sleep_ms / 1000.0,
		 lk.holder[0] ? lk.holder : "(unknown)", last[0] ? ". Last error: " : "", last);
	lk.wait_log_timer = loop_add_timer(l, lk.cfg->lock_acquire_sleep_ms, say_waiting, NULL);
}

static void start_waiting(void)
{
	set_role(LOCKER_SLAVE);
	lk.waiting_since = wall_ms();
	refresh_holder();
	locker_event("waiting for the lock held by %s", lk.holder[0] ? lk.holder : "(unknown)");
	pthread_mutex_lock(&lk.mu);
	lk.attempts = 0;
	pthread_mutex_unlock(&lk.mu);
	if (pthread_create(&lk.waiter, NULL, waiter_main, NULL) != 0) {
		/* Without the thread nothing would ever take over: say so loudly. */
		log_error("broker", "Cannot start waiting for %s: %s", lk.path, strerror(errno));
		set_error("cannot start the waiting thread");
	} else {
		lk.waiter_running = true;
	}
	say_waiting(lk.loop, NULL);
}

static int file_start(struct loop *l, const struct config *cfg,
		      const struct locker_hooks *hooks)
{
	lk.loop = l;
	lk.cfg = cfg;
	lk.hooks = *hooks;
	/* Blocked everywhere but in the waiter (threads inherit the mask). */
	struct sigaction sa = { .sa_handler = on_wake };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t wake;
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &wake, NULL);
	set_role(LOCKER_STARTING);
	if (asprintf(&lk.path, "%s/lock", cfg->store_directory) < 0) {
		lk.path = NULL;
		return -1;
	}
	if (store_mkdir(cfg->store_directory) < 0) {
		log_error("broker", "Cannot create the store directory %s: %s",
			  cfg->store_directory, strerror(errno));
		return -1;
	}
	/* Made whatever the role: a master that loses its lock waits again
	 * as a slave, and its waiter wakes the loop through this. */
	lk.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lk.efd < 0 || loop_add_fd(l, lk.efd, LOOP_READ, on_waiter, NULL) < 0) {
		log_error("broker", "Cannot make the lock waiter's wake-up: %s", strerror(errno));
		return -1;
	}
	lk.watch_timer = loop_add_timer(l, watch_period_ms(), watch, NULL);
	int fd = open(lk.path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("broker", "Cannot open the lock file %s: %s", lk.path, strerror(errno));
		return -1;
	}
	if (!cfg->lock_keep_alive_ms)
		log_warn("broker", "lockKeepAlivePeriod=\"0\": as master this broker will not "
			 "check that it still holds %s", lk.path);
	if (lock_fd(fd, F_OFD_SETLK) == 0)
		return become_master(fd, false);
	int err = errno;
	read_holder(fd, lk.holder, sizeof lk.holder);
	close(fd);
	if (err != EAGAIN && err != EACCES) {
		log_error("broker", "Cannot lock %s: %s", lk.path, strerror(err));
		return -1;
	}
	if (cfg->fail_if_locked) {
		log_error("broker", "Database %s is locked by %s and failIfLocked=\"true\": not "
			  "waiting", lk.path, lk.holder[0] ? lk.holder : "another broker");
		return -1;
	}
	log_info("broker", "Database %s is locked by another server. This broker is now in "
		 "slave mode waiting a lock to be acquired", lk.path);
	start_waiting();
	return 0;
}

static void file_stop(void)
{
	if (lk.waiter_running) {
		/* A signal that comes just before the waiter blocks is missed:
		 * signal until it is gone. */
		atomic_store(&lk.stop, true);
		int rc;
		do {
			pthread_kill(lk.waiter, SIGUSR2);
			struct timespec soon;
			clock_gettime(CLOCK_REALTIME, &soon);
			soon.tv_nsec += 10 * 1000000;
			if (soon.tv_nsec >= 1000000000) {
				soon.tv_sec++;
				soon.tv_nsec -= 1000000000;
			}
			rc = pthread_timedjoin_np(lk.waiter, NULL, &soon);
		} while (rc == ETIMEDOUT);
		lk.waiter_running = false;
	}
	if (lk.got_fd >= 0) {
		close(lk.got_fd);
		lk.got_fd = -1;
	}
	if (lk.loop) {
		loop_del_timer(lk.loop, lk.wait_log_timer);
		loop_del_timer(lk.loop, lk.keepalive_timer);
		loop_del_timer(lk.loop, lk.retry_timer);
		loop_del_timer(lk.loop, lk.watch_timer);
	}
	lk.wait_log_timer = lk.keepalive_timer = lk.retry_timer = lk.watch_timer = 0;
	if (lk.efd >= 0) {
		loop_del_fd(lk.loop, lk.efd);
		close(lk.efd);
		lk.efd = -1;
	}
	if (lk.fd >= 0) {
		/* Closing the last descriptor of the file lets the lock go. */
		close(lk.fd);
		lk.fd = -1;
		log_info("broker", "Lock on %s released", lk.path);
	}
	free(lk.path);
	lk.path = NULL;
}

static bool file_is_master(void)
{
	return lk.role == LOCKER_MASTER;
}

static void file_state(struct locker_state *out)
{
	if (lk.role == LOCKER_SLAVE)
		refresh_holder();
	*out = (struct locker_state){
		.role = lk.role,
		.kind = "file",
		.path = lk.path ? lk.path : "",
		.waiting_since_ms = lk.waiting_since,
		.since_ms = lk.role_since,
		.nevents = lk.nevents,
		.holder_refreshed_ago_ms = refreshed_ago_ms(),
		.holder_period_ms = lk.role == LOCKER_SLAVE ? lk.holder_period : 0,
	};
	out->holder_stale = is_stale(out->holder_refreshed_ago_ms);
	snprintf(out->holder, sizeof out->holder, "%s", lk.holder);
	pthread_mutex_lock(&lk.mu);
	out->attempts = lk.attempts;
	snprintf(out->last_error, sizeof out->last_error, "%s", lk.last_error);
	pthread_mutex_unlock(&lk.mu);
}

/* ---- which locker ---- */

static const struct locker_kind file_locker = {
	file_start, file_stop, file_state, file_is_master, lose,
};
static const struct locker_kind *kind = &file_locker;

int locker_start(struct loop *l, const struct config *cfg, const struct locker_hooks *hooks)
{
	kind = cfg->jdbc ? &lease_locker : &file_locker;
	return kind->start(l, cfg, hooks);
}

void locker_stop(void)
{
	kind->stop();
}

void locker_state(struct locker_state *out)
{
	kind->state(out);
	out->nevents = lk.nevents;
}

bool locker_is_master(void)
{
	return kind->is_master();
}

void locker_lost(const char *why)
{
	if (kind->is_master())
		kind->lost(why);
}

const struct locker_event *locker_event_at(int i)
{
	return i >= 0 && i < lk.nevents ? &lk.events[(lk.first + i) % LOCKER_EVENTS] : NULL;
}

const char *locker_role_name(enum locker_role role)
{
	return role == LOCKER_MASTER ? "master" : role == LOCKER_SLAVE ? "slave" : "starting";
}
