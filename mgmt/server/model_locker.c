/*
 * model_locker.c - the management model's Locker: who holds the store's
 * lock, who waits for it and since when, and what happened to it lately
 * (see locker.h and man tandem-mgmt(7)).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broker.h"
#include "config.h"
#include "locker.h"
#include "model.h"

static json_t *iso_time(int64_t ms)
{
	if (!ms)
		return json_string("");
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char text[40];
	gmtime_r(&t, &tm);
	size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + n, sizeof text - n, ".%03dZ", (int)(ms % 1000));
	return json_string(text);
}

#define STATE(s) struct locker_state s; locker_state(&s)

static json_t *l_role(const struct mobj *o) { (void)o; STATE(s); return json_string(locker_role_name(s.role)); }
static json_t *l_file(const struct mobj *o) { (void)o; STATE(s); return json_string(s.path); }
/* A lease's pair is its database and table prefix: what its nodes share. */
static json_t *l_dir(const struct mobj *o)
{
	(void)o;
	STATE(s);
	if (strcmp(s.kind, "lease"))
		return json_string(broker.cfg->store_directory);
	return json_sprintf("%s%s%s", s.database, s.table_prefix[0] ? " tablePrefix=" : "",
			    s.table_prefix);
}
static json_t *l_kind(const struct mobj *o) { (void)o; STATE(s); return json_string(s.kind); }
static json_t *l_database(const struct mobj *o) { (void)o; STATE(s); return json_string(s.database); }
static json_t *l_prefix(const struct mobj *o) { (void)o; STATE(s); return json_string(s.table_prefix); }
static json_t *l_expires(const struct mobj *o) { (void)o; STATE(s); return iso_time(s.lease_expires_ms); }
static json_t *l_expires_ms(const struct mobj *o) { (void)o; STATE(s); return json_integer(s.lease_expires_ms); }
static json_t *l_holder(const struct mobj *o) { (void)o; STATE(s); return json_string(s.holder); }
static json_t *l_since(const struct mobj *o) { (void)o; STATE(s); return iso_time(s.waiting_since_ms); }
static json_t *l_since_ms(const struct mobj *o) { (void)o; STATE(s); return json_integer(s.waiting_since_ms); }
static json_t *l_attempts(const struct mobj *o) { (void)o; STATE(s); return json_integer(s.attempts); }
static json_t *l_error(const struct mobj *o) { (void)o; STATE(s); return json_string(s.last_error); }
static json_t *l_role_since(const struct mobj *o) { (void)o; STATE(s); return json_integer(s.since_ms); }
/* A lease's periods are its jdbcPersistenceAdapter's. */
static json_t *l_acquire(const struct mobj *o)
{
	(void)o;
	const struct config *c = broker.cfg;
	return json_integer(c->jdbc ? c->jdbc->lock_acquire_sleep_ms : c->lock_acquire_sleep_ms);
}
static json_t *l_keepalive(const struct mobj *o)
{
	(void)o;
	const struct config *c = broker.cfg;
	return json_integer(c->jdbc ? c->jdbc->lock_keep_alive_ms : c->lock_keep_alive_ms);
}

static json_t *l_ago(const struct mobj *o) { (void)o; STATE(s); return json_integer(s.holder_refreshed_ago_ms); }
static json_t *l_stale(const struct mobj *o) { (void)o; STATE(s); return json_boolean(s.holder_stale); }

static json_t *l_pair(const struct mobj *o) { (void)o; return model_roster_read(broker.cfg); }

static json_t *l_events(const struct mobj *o)
{
	(void)o;
	STATE(s);
	json_t *list = json_array();
	for (int i = 0; i < s.nevents; i++) {
		const struct locker_event *e = locker_event_at(i);
		json_array_append_new(list, json_pack("{s:I, s:o, s:s}", "time", (json_int_t)e->time_ms,
						      "iso", iso_time(e->time_ms), "event", e->text));
	}
	return list;
}

static const struct mattr locker_attrs[] = {
	{ "Role", "java.lang.String", "master, slave (waiting for the lock) or starting", l_role, NULL },
	{ "Kind", "java.lang.String", "file (a lock file in the store directory) or lease (a lease in PostgreSQL)", l_kind, NULL },
	{ "LockFile", "java.lang.String", "The lock file; for a lease, the lock table", l_file, NULL },
	{ "StoreDirectory", "java.lang.String", "What the pair shares: the store directory; for a lease, Database and TablePrefix", l_dir, NULL },
	{ "Holder", "java.lang.String", "Who holds the lock, as the lock file says; for a lease, the holder's leaseHolderId", l_holder, NULL },
	{ "Database", "java.lang.String", "A lease's database, host:port/dbname (never the user or password); empty for a file", l_database, NULL },
	{ "TablePrefix", "java.lang.String", "A lease's tablePrefix", l_prefix, NULL },
	{ "LeaseExpires", "java.lang.String", "When the holder's lease ends by the database's clock (UTC); empty when free or a file", l_expires, NULL },
	{ "LeaseExpiresMillis", "long", "The same in ms since the epoch; 0 when free or a file", l_expires_ms, NULL },
	{ "HolderRefreshedAgo", "long", "Slave: ms since the holder's heartbeat last changed; -1 unknown (a master, no heartbeat)", l_ago, NULL },
	{ "HolderStale", "boolean", "Slave: the holder has not refreshed its heartbeat for 3 of its periods (3 s at least): it may be hung", l_stale, NULL },
	{ "WaitingSince", "java.lang.String", "When this slave began waiting (UTC); empty for a master", l_since, NULL },
	{ "WaitingSinceMillis", "long", "The same in ms since the epoch; 0 for a master", l_since_ms, NULL },
	{ "Attempts", "long", "Tries for the lock in this wait", l_attempts, NULL },
	{ "LastError", "java.lang.String", "The last error met while waiting; empty when none", l_error, NULL },
	{ "RoleSinceMillis", "long", "In this role since (ms since the epoch)", l_role_since, NULL },
	{ "LockAcquireSleepInterval", "long", "How often a waiting slave says so (ms)", l_acquire, NULL },
	{ "LockKeepAlivePeriod", "long", "How often a master checks its lock (ms); 0 = never", l_keepalive, NULL },
	{ "PairNodes", "java.util.Map", "The nodes on this store directory, or a lease's database and prefix: broker name to management address", l_pair, NULL },
	{ "Events", "java.util.List", "The latest lock events: time, iso, event", l_events, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool locker_each(mobj_fn fn, void *ctx)
{
	if (!broker.cfg->persistent)
		return true;	/* no store, no lock */
	struct mobj o;
	mobj_set(&o, &mclass_locker, NULL, MODEL_DOMAIN ":type=Broker,brokerName=%s,service=Locker",
		 model_broker_name());
	return fn(&o, ctx);
}

const struct mclass mclass_locker = { "Locker", locker_attrs, NULL, locker_each, NULL, NULL };
