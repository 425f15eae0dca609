/*
 * store_pg.c - the store's PostgreSQL backend over libpq (store.h,
 * store_open_pg; what a backend does: store_backend.h), for a pair of
 * brokers that share nothing but a database (issue 24).
 *
 * Tables, each named <tablePrefix>TANDEM_<NAME> so that one database
 * serves several pairs (ActiveMQ's tablePrefix), the same rows as the
 * SQLite store's (store_sqlite.c): MESSAGES, ENTRIES (+ index
 * ENTRIES_SEQ), DURABLES, SESSION_IDS, PREPARED, PREPARED_ACKS,
 * DISPATCHED, COUNTS (entries per container and priority, kept by the
 * statements that add and remove entries rather than by triggers), and
 * VERSION (one row: the schema's version). They are created on first
 * start when createTablesOnStartup, in one transaction under an advisory
 * lock (two brokers starting together), else their absence is an error.
 *
 * A commit is one transaction sent in pipeline mode: BEGIN, the fence,
 * every operation's statements, COMMIT, then one sync, so that a group
 * commit of a thousand operations costs one round trip (results are read
 * every PIPE_CHUNK statements, so that neither side's buffers fill while
 * the other waits). The fence is the first statement after BEGIN: it
 * locks the lease row (<prefix>TANDEM_LOCK, pg_lease.c) FOR SHARE and
 * fails unless this broker's token holds it unexpired by the database's
 * clock; a slave taking the lease waits for the commit, and a commit
 * after the lease changed hands fails whole with -ESTALE.
 *
 * Two connections: the writer thread's, and the loop thread's for the
 * loads and paging in. Every statement is sent with parameters, never
 * pasted; the table names are quoted identifiers. The conninfo holds the
 * password: it is never logged nor put in an error.
 *
 * A database that stops answering (the network to it cut, packets
 * dropped) must not hold the event loop: every wait outside a commit
 * (connecting, the open's statements, the loads, paging in) polls the
 * socket and gives up after wait_ms (lockKeepAlivePeriod) without a word
 * from the server, shutting the connection down (give_up); the reader
 * then makes no new try before wait_ms more, so that a queue that keeps
 * asking to page in does not hold the loop again at every turn. A master
 * cut off so fences itself in time (lease_locker.c's deadline is a timer
 * of the same loop). On the server's side, each session asks for TCP
 * keepalives that find the client gone within about the lease
 * (session_setup): a master cut off inside a commit leaves a session that
 * holds the lease row FOR SHARE (the fence), which would otherwise keep
 * the slave's take waiting until the server's own keepalives (two hours
 * by default).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_backend.h"

/* 1: the first.
 * 2: MESSAGES.audit (upgrade_2_sql). */
#define PG_SCHEMA_VERSION 2

/* Statements sent before their results are read (see the header). */
#ifndef PIPE_CHUNK
#define PIPE_CHUNK 256
#endif
/* The size of the tables is measured at most this often. */
#define SIZE_EVERY_US 1000000
/* And this often with nothing written: PostgreSQL gives the space of
 * consumed messages back by itself (autovacuum truncates a drained
 * table), and producers held at storeUsage wait for that news. */
#define SIZE_IDLE_EVERY_US 5000000
/* How long a wait outside a commit lasts at most without a word from the
 * database, when the broker gives no lockKeepAlivePeriod. */
#define WAIT_MS_DEFAULT 10000

/* What the store adds in front of the operator's conninfo (whose own
 * settings win, coming later): a name to find its sessions by in
 * pg_stat_activity, and bounds on how long a dead server or network can
 * hold a connect or a commit. */
#define CONN_DEFAULTS "connect_timeout=10 keepalives_idle=10 keepalives_interval=5 " \
		      "keepalives_count=3 tcp_user_timeout=15000 "

/* {NAME} in the SQL below stands for the quoted "<prefix>TANDEM_NAME". */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS {MESSAGES} ("
	"  seq bigint PRIMARY KEY, id text NOT NULL, dest_type int NOT NULL,"
	"  dest text NOT NULL, headers bytea, body bytea, priority int NOT NULL,"
	"  expires bigint NOT NULL, timestamp bigint NOT NULL,"
	"  redeliveries bigint NOT NULL DEFAULT 0, audit text DEFAULT '*');"
	"CREATE TABLE IF NOT EXISTS {ENTRIES} ("
	"  container text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (container, seq));"
	"CREATE INDEX IF NOT EXISTS {ENTRIES_SEQ} ON {ENTRIES}(seq);"
	"CREATE TABLE IF NOT EXISTS {DURABLES} ("
	"  client_id text NOT NULL, sub_name text NOT NULL, topic text NOT NULL,"
	"  selector text, no_local int, PRIMARY KEY (client_id, sub_name));"
	"CREATE TABLE IF NOT EXISTS {SESSION_IDS} ("
	"  owner text NOT NULL, kind int NOT NULL, id int NOT NULL,"
	"  PRIMARY KEY (owner, kind, id));"
	"CREATE TABLE IF NOT EXISTS {PREPARED} (txid text PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS {PREPARED_ACKS} ("
	"  txid text NOT NULL, container text NOT NULL, seq bigint NOT NULL,"
	"  PRIMARY KEY (txid, container, seq));"
	"CREATE TABLE IF NOT EXISTS {DISPATCHED} ("
	"  container text NOT NULL, priority int NOT NULL, seq bigint NOT NULL,"
	"  PRIMARY KEY (container, priority));"
	"CREATE TABLE IF NOT EXISTS {COUNTS} ("
	"  container text NOT NULL, priority int NOT NULL, n bigint NOT NULL,"
	"  PRIMARY KEY (container, priority));"
	"CREATE TABLE IF NOT EXISTS {VERSION} (version int NOT NULL);";

/* Version 1's tables to version 2, in one transaction (one query
 * string): audit, whose producer audit the message's id went into when it
 * was taken (message.h), NULL for none; the rows of version 1 read as
 * '*', anyone's (core/producer_audit.h says why), as the SQLite store's
 * (store_sqlite.c upgrade_4). */
static const char upgrade_2_sql[] =
	"ALTER TABLE {MESSAGES} ADD COLUMN IF NOT EXISTS audit text DEFAULT '*';"
	"UPDATE {VERSION} SET version = 2 WHERE version < 2;";

/* The statements of a commit, prepared once a connection. */
enum pg_stmt {
	PS_ADD_MESSAGE,
	PS_ADD_ENTRY,
	PS_REMOVE_ENTRY,
	PS_DROP_ORPHAN,
	PS_DROP_CONTAINER_ORPHANS,
	PS_REMOVE_CONTAINER,
	PS_UNCOUNT_CONTAINER,
	PS_ADD_DURABLE,
	PS_REMOVE_DURABLE,
	PS_RENAME_DURABLE,
	PS_RENAME_CONTAINER,
	PS_RENAME_COUNTS,
	PS_UNCOUNT_RENAMED,
	PS_ADD_SESSION_ID,
	PS_REMOVE_SESSION_ID,
	PS_REMOVE_SESSION_IDS,
	PS_ADD_PREPARED,
	PS_ADD_PREPARED_ACK,
	PS_REMOVE_PREPARED,
	PS_REMOVE_PREPARED_ACKS,
	PS_MARK_DISPATCHED,
	PS_REMOVE_MARKS,
	PS_RENAME_MARKS,
	PS_FENCE,
	PS_COUNT
};

static const char *const stmt_sql[PS_COUNT] = {
	[PS_ADD_MESSAGE] = "INSERT INTO {MESSAGES} (seq, id, dest_type, dest, headers, body, "
			   "priority, expires, timestamp, redeliveries, audit) "
			   "VALUES ($1::bigint, $2::text, $3::int, $4::text, $5::bytea, $6::bytea, "
			   "$7::int, $8::bigint, $9::bigint, $10::bigint, $11::text) "
			   "ON CONFLICT (seq) DO UPDATE SET id = excluded.id, "
			   "dest_type = excluded.dest_type, dest = excluded.dest, "
			   "headers = excluded.headers, body = excluded.body, "
			   "priority = excluded.priority, expires = excluded.expires, "
			   "timestamp = excluded.timestamp, redeliveries = excluded.redeliveries, "
			   "audit = excluded.audit",
	/* the count follows the entry only when the entry was new */
	[PS_ADD_ENTRY] = "WITH ins AS (INSERT INTO {ENTRIES} (container, seq) "
			 "VALUES ($1::text, $2::bigint) ON CONFLICT DO NOTHING RETURNING seq) "
			 "INSERT INTO {COUNTS} AS c (container, priority, n) "
			 "SELECT $1::text, m.priority, 1 FROM ins JOIN {MESSAGES} m ON m.seq = ins.seq "
			 "ON CONFLICT (container, priority) DO UPDATE SET n = c.n + 1",
	[PS_REMOVE_ENTRY] = "WITH del AS (DELETE FROM {ENTRIES} WHERE container = $1::text "
			    "AND seq = $2::bigint RETURNING seq) "
			    "UPDATE {COUNTS} c SET n = c.n - 1 FROM del JOIN {MESSAGES} m "
			    "ON m.seq = del.seq WHERE c.container = $1::text AND c.priority = m.priority",
	[PS_DROP_ORPHAN] = "DELETE FROM {MESSAGES} WHERE seq = $1::bigint AND NOT EXISTS "
			   "(SELECT 1 FROM {ENTRIES} WHERE seq = $1::bigint)",
	[PS_DROP_CONTAINER_ORPHANS] =
		"DELETE FROM {MESSAGES} m WHERE m.seq IN (SELECT seq FROM {ENTRIES} "
		"WHERE container = $1::text) AND NOT EXISTS (SELECT 1 FROM {ENTRIES} e "
		"WHERE e.seq = m.seq AND e.container <> $1::text)",
	[PS_REMOVE_CONTAINER] = "DELETE FROM {ENTRIES} WHERE container = $1::text",
	[PS_UNCOUNT_CONTAINER] = "DELETE FROM {COUNTS} WHERE container = $1::text",
	[PS_ADD_DURABLE] = "INSERT INTO {DURABLES} (client_id, sub_name, topic, selector, no_local) "
			   "VALUES ($1::text, $2::text, $3::text, $4::text, $5::int) "
			   "ON CONFLICT (client_id, sub_name) DO UPDATE SET topic = excluded.topic, "
			   "selector = excluded.selector, no_local = excluded.no_local",
	[PS_REMOVE_DURABLE] = "DELETE FROM {DURABLES} WHERE client_id = $1::text AND "
			      "sub_name = $2::text",
	[PS_RENAME_DURABLE] = "UPDATE {DURABLES} SET sub_name = $3::text WHERE client_id = $1::text "
			      "AND sub_name = $2::text",
	[PS_RENAME_CONTAINER] = "UPDATE {ENTRIES} SET container = $2::text WHERE container = $1::text",
	[PS_RENAME_COUNTS] = "INSERT INTO {COUNTS} AS c (container, priority, n) "
			     "SELECT $2::text, priority, n FROM {COUNTS} WHERE container = $1::text "
			     "AND $1::text <> $2::text "
			     "ON CONFLICT (container, priority) DO UPDATE SET n = c.n + excluded.n",
	[PS_UNCOUNT_RENAMED] = "DELETE FROM {COUNTS} WHERE container = $1::text AND "
			       "$1::text <> $2::text",
	[PS_ADD_SESSION_ID] = "INSERT INTO {SESSION_IDS} (owner, kind, id) "
			      "VALUES ($1::text, $2::int, $3::int) ON CONFLICT DO NOTHING",
	[PS_REMOVE_SESSION_ID] = "DELETE FROM {SESSION_IDS} WHERE owner = $1::text AND "
				 "kind = $2::int AND id = $3::int",
	[PS_REMOVE_SESSION_IDS] = "DELETE FROM {SESSION_IDS} WHERE owner = $1::text",
	[PS_ADD_PREPARED] = "INSERT INTO {PREPARED} (txid) VALUES ($1::text) ON CONFLICT DO NOTHING",
	[PS_ADD_PREPARED_ACK] = "INSERT INTO {PREPARED_ACKS} (txid, container, seq) "
				"VALUES ($1::text, $2::text, $3::bigint) ON CONFLICT DO NOTHING",
	[PS_REMOVE_PREPARED] = "DELETE FROM {PREPARED} WHERE txid = $1::text",
	[PS_REMOVE_PREPARED_ACKS] = "DELETE FROM {PREPARED_ACKS} WHERE txid = $1::text",
	[PS_MARK_DISPATCHED] = "INSERT INTO {DISPATCHED} AS d (container, priority, seq) "
			       "VALUES ($1::text, $2::int, $3::bigint) "
			       "ON CONFLICT (container, priority) DO UPDATE "
			       "SET seq = greatest(d.seq, excluded.seq)",
	[PS_REMOVE_MARKS] = "DELETE FROM {DISPATCHED} WHERE container = $1::text",
	[PS_RENAME_MARKS] = "UPDATE {DISPATCHED} SET container = $2::text WHERE container = $1::text",
	/* No row (the lease is another's, or expired by the database's
	 * clock) divides by zero: the error aborts the transaction, and the
	 * statements already sent behind it with it. FOR SHARE: a slave's
	 * UPDATE of the row waits for this commit, and this one for its. */
	[PS_FENCE] = "SELECT 1 / count(*)::int FROM (SELECT 1 FROM {LOCK} WHERE id = 1 "
		     "AND token = $1::text AND expires > now() FOR SHARE) held",
};

struct pgs {
	PGconn *w;		/* the writer thread's */
	PGconn *r;		/* the loop thread's: loads, paging in */
	char *conninfo;		/* with the password: never logged */
	char *prefix;
	char *token;		/* the lease's, NULL for no fence */
	char *sql[PS_COUNT];	/* stmt_sql with the table names */
	bool prepared;		/* on w, since it last connected */
	long wait_ms;		/* a wait outside a commit, at most (the header) */
	int64_t r_retry_at;	/* loop thread: no new try of r before (monotonic us) */

	/* Writer thread: the commit being sent. */
	int sent;		/* statements whose results are not read yet */
	int fence;		/* index of the fence among those sent, -1 none */
	int index;		/* statements sent in this commit */
	int err;		/* the first failure, negative errno */
	bool synced;		/* its sync is sent (end_pipeline) */
	char why[512];
	int64_t size_at;	/* when the size was last measured */
	bool size_stale;	/* written since */
	int64_t idle_at;	/* when pg_idle last ran */
};

/* ---- SQL text ---- */

/* sql with each {NAME} replaced by the quoted "<prefix>TANDEM_NAME";
 * malloc'ed, NULL out of memory. */
static char *expand(const char *prefix, const char *sql)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (const char *s = sql; *s; s++) {
		const char *end = *s == '{' ? strchr(s, '}') : NULL;
		if (!end) {
			fputc(*s, f);
			continue;
		}
		fputc('"', f);
		for (const char *p = prefix; *p; p++)
			fputs(*p == '"' ? "\"\"" : (char[2]){ *p, 0 }, f);
		fprintf(f, "TANDEM_%.*s\"", (int)(end - s - 1), s + 1);
		s = end;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* libpq's message, its first line. */
static void conn_error(PGconn *c, const char *what, char *err, size_t len)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	snprintf(err, len, "%s: %.*s", what, (int)strcspn(m, "\n"),
		 *m ? m : "no answer from the database");
}

/* ---- waiting on the database, bounded (see the header) ---- */

/* Until c's socket is readable (writable when `out`) or the monotonic
 * deadline (us): 1 ready, 0 timed out, -1 failed. */
static int wait_socket(PGconn *c, bool out, int64_t deadline)
{
	struct pollfd pfd = { PQsocket(c), out ? POLLOUT : POLLIN, 0 };
	if (pfd.fd < 0)
		return -1;
	for (;;) {
		int64_t left = deadline - store_now_us();
		if (left <= 0)
			return 0;
		int n = poll(&pfd, 1, (int)((left + 999) / 1000));
		if (n >= 0)
			return n > 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Gives up on a connection that did not answer in time: its socket shut,
 * libpq reads the end of what it waited for at once (a failure) and the
 * next use connects again. */
static void give_up(PGconn *c)
{
	int fd = PQsocket(c);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	PGresult *r;
	while ((r = PQgetResult(c)))
		PQclear(r);
}

/* PQgetResult(c), waiting no longer than wait_ms without a word from the
 * database; then NULL, c given up on, and *late set. */
static PGresult *get_result(PGconn *c, long wait_ms, bool *late)
{
	while (PQisBusy(c)) {
		int ready = wait_socket(c, false, store_now_us() + (int64_t)wait_ms * 1000);
		if (ready == 0) {
			*late = true;
			give_up(c);
			return NULL;
		}
		if (ready < 0 || !PQconsumeInput(c))
			break;	/* PQgetResult says what failed, without waiting */
	}
	return PQgetResult(c);
}

/* Ends a connection being made (PQconnectStart, PQresetStart): true when
 * made within wait_ms, else false with err. */
static bool connect_poll(PGconn *c, long wait_ms, bool reset, char *err, size_t len)
{
	int64_t deadline = store_now_us() + (int64_t)wait_ms * 1000;
	PostgresPollingStatusType s = PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED
								     : PGRES_POLLING_WRITING;
	while (s == PGRES_POLLING_READING || s == PGRES_POLLING_WRITING) {
		int ready = wait_socket(c, s == PGRES_POLLING_WRITING, deadline);
		if (ready == 0) {
			snprintf(err, len, "the database is unreachable: no answer within %ld ms",
				 wait_ms);
			return false;
		}
		s = reset ? PQresetPoll(c) : PQconnectPoll(c);
	}
	if (s == PGRES_POLLING_OK)
		return true;
	const char *m = PQerrorMessage(c);
	snprintf(err, len, "the database is unreachable: %.*s", (int)strcspn(m, "\n"),
		 *m ? m : "no answer from the database");
	return false;
}

/* Runs one statement (or several, without parameters); the result when
 * it has status want (the first that has not, else the last), else NULL
 * with err. Waits wait_ms at most without a word from the database. */
static PGresult *run(struct pgs *p, PGconn *c, const char *sql, int n,
		     const char *const *params, ExecStatusType want, const char *what, char *err,
		     size_t len)
{
	/* no parameters: the schema is several statements */
	int sent = n ? PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0)
		     : PQsendQuery(c, sql);
	PGresult *r = NULL, *next;
	bool late = false;
	while (sent && (next = get_result(c, p->wait_ms, &late))) {
		if (r && PQresultStatus(r) != want) {
			PQclear(next);
			continue;
		}
		PQclear(r);
		r = next;
	}
	if (r && PQresultStatus(r) == want)
		return r;
	const char *m = r ? PQresultErrorMessage(r) : "";
	if (late)
		snprintf(err, len, "%s: no answer from the database within %ld ms", what, p->wait_ms);
	else if (*m)
		snprintf(err, len, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	else
		conn_error(c, what, err, len);
	PQclear(r);
	return NULL;
}

/* SQL with {NAME}s and no parameters (several statements, maybe); 0
 * or -1 with err. */
static int run_tables(struct pgs *p, PGconn *c, const char *sql, const char *what, char *err,
		      size_t len)
{
	char *q = expand(p->prefix, sql);
	if (!q) {
		snprintf(err, len, "%s: out of memory", what);
		return -1;
	}
	PGresult *r = run(p, c, q, 0, NULL, PGRES_COMMAND_OK, what, err, len);
	free(q);
	PQclear(r);
	return r ? 0 : -1;
}

/* PostgreSQL's NOTICEs ("relation ... already exists, skipping") are no
 * news to the broker. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* What each session asks of the server, after each connect: that it
 * find a client gone within about the lease (two lockKeepAlivePeriods)
 * by TCP keepalives while it waits for the client: a commit cut off
 * halfway holds the lease row FOR SHARE (the fence), and the slave's take
 * waits for that session to end; the server's own default is two hours.
 * (Ignored by the server over a unix socket, which cannot be cut.) */
static int session_setup(struct pgs *p, PGconn *c, char *err, size_t len)
{
	PQsetNoticeProcessor(c, quiet, NULL);
	long s = (p->wait_ms + 999) / 1000;
	char sql[256];
	snprintf(sql, sizeof sql, "SET tcp_keepalives_idle = %ld; SET tcp_keepalives_interval = 1; "
		 "SET tcp_keepalives_count = %ld", s, s);
	PGresult *r = run(p, c, sql, 0, NULL, PGRES_COMMAND_OK, "setting up the session", err,
			  len);
	PQclear(r);
	return r ? 0 : -1;
}

/* A connection named for pg_stat_activity, made within wait_ms; NULL
 * with err. */
static PGconn *connect_as(struct pgs *p, const char *name, char *err, size_t len)
{
	char *ci = NULL;
	if (asprintf(&ci, CONN_DEFAULTS "application_name='%s' %s", name, p->conninfo) < 0) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	PGconn *c = PQconnectStart(ci);
	free(ci);
	if (!c) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (!connect_poll(c, p->wait_ms, false, err, len) || session_setup(p, c, err, len) < 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* A connection that broke (or was given up on) made again, within
 * wait_ms; 0, or -1 with err. */
static int reconnect_within(struct pgs *p, PGconn *c, char *err, size_t len)
{
	if (!PQresetStart(c)) {
		conn_error(c, "the database is unreachable", err, len);
		return -1;
	}
	if (!connect_poll(c, p->wait_ms, true, err, len))
		return -1;
	return session_setup(p, c, err, len);
}

/* ---- opening ---- */

/* The number a query of the writer's connection with {NAME}s answers;
 * 0, or -1 with err. */
static int number(struct pgs *p, const char *tables_sql, const char *what, long long *out,
		  char *err, size_t len)
{
	char *q = expand(p->prefix, tables_sql);
	if (!q) {
		snprintf(err, len, "%s: out of memory", what);
		return -1;
	}
	PGresult *r = run(p, p->w, q, 0, NULL, PGRES_TUPLES_OK, what, err, len);
	free(q);
	if (!r)
		return -1;
	*out = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

/* Reads the schema's version into *version (0: no tables); 0 or -1. */
static int read_version(struct pgs *p, int *version, char *err, size_t len)
{
	char *name = expand(p->prefix, "{VERSION}");
	if (!name) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	const char *params[] = { name };
	PGresult *r = run(p, p->w, "SELECT to_regclass($1::text) IS NOT NULL", 1, params,
			  PGRES_TUPLES_OK, "reading the store's tables", err, len);
	free(name);
	if (!r)
		return -1;
	bool exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	*version = 0;
	if (!exists)
		return 0;
	long long v;
	if (number(p, "SELECT coalesce(max(version), 0) FROM {VERSION}",
		   "reading the store's version", &v, err, len) < 0)
		return -1;
	*version = (int)v;
	return 0;
}

/* Creates the tables, in one transaction under an advisory lock of the
 * prefix (two brokers of a pair starting together would otherwise race
 * in CREATE TABLE IF NOT EXISTS). */
static int create_schema(struct pgs *p, char *err, size_t len)
{
	const char *params[] = { p->prefix };
	PGresult *r = run(p, p->w, "BEGIN", 0, NULL, PGRES_COMMAND_OK, "creating the store's tables",
			  err, len);
	PQclear(r);
	if (!r)
		return -1;
	char version[128];
	snprintf(version, sizeof version, "INSERT INTO {VERSION} (version) SELECT %d "
		 "WHERE NOT EXISTS (SELECT 1 FROM {VERSION})", PG_SCHEMA_VERSION);
	r = run(p, p->w, "SELECT pg_advisory_xact_lock(hashtext('tandem store ' || $1::text))", 1,
		params, PGRES_TUPLES_OK, "creating the store's tables", err, len);
	PQclear(r);
	if (!r || run_tables(p, p->w, schema_sql, "creating the store's tables", err, len) < 0 ||
	    run_tables(p, p->w, version, "creating the store's tables", err, len) < 0 ||
	    !(r = run(p, p->w, "COMMIT", 0, NULL, PGRES_COMMAND_OK, "creating the store's tables",
		      err, len))) {
		PQclear(PQexec(p->w, "ROLLBACK"));
		return -1;
	}
	PQclear(r);
	return 0;
}

/* The tables at this tandemd's version; 0, or -1 with err and errno. */
static int open_schema(struct pgs *p, bool create, char *err, size_t len)
{
	int version;
	if (read_version(p, &version, err, len) < 0) {
		errno = EIO;
		return -1;
	}
	if (!version && create && (create_schema(p, err, len) < 0 ||
				   read_version(p, &version, err, len) < 0)) {
		errno = EIO;
		return -1;
	}
	if (!version) {
		snprintf(err, len, "the store's tables (%sTANDEM_*) are not in the database and "
			 "createTablesOnStartup is false: create them, or start once with "
			 "createTablesOnStartup=\"true\"", p->prefix);
		errno = ENOENT;
		return -1;
	}
	if (version > PG_SCHEMA_VERSION) {
		snprintf(err, len, "the store's tables (%sTANDEM_*) have schema version %d; this "
			 "tandemd knows version %d at most", p->prefix, version, PG_SCHEMA_VERSION);
		errno = EPROTO;
		return -1;
	}
	if (version < 2 && run_tables(p, p->w, upgrade_2_sql, "upgrading the store's tables",
				      err, len) < 0) {
		errno = EIO;
		return -1;
	}
	/* drained containers' counts, as the SQLite store does at open */
	if (run_tables(p, p->w, "DELETE FROM {COUNTS} WHERE n <= 0", "tidying the counts", err,
		       len) < 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* The first seq to hand out: above every message and every mark
 * (store_sqlite.c first_seq says why). */
static int first_seq(struct pgs *p, uint64_t *next, char *err, size_t len)
{
	long long last;
	if (number(p, "SELECT greatest(coalesce((SELECT max(seq) FROM {MESSAGES}), 0), "
		   "coalesce((SELECT max(seq) FROM {DISPATCHED}), 0))", "reading the last seq",
		   &last, err, len) < 0)
		return -1;
	*next = (uint64_t)last + 1;
	return 0;
}

/* Prepares the commit's statements on w (after each connect). */
static int prepare_all(struct pgs *p, char *err, size_t len)
{
	for (int i = 0; i < PS_COUNT; i++) {
		if (i == PS_FENCE && !p->token)
			continue;
		char name[16];
		snprintf(name, sizeof name, "s%d", i);
		PGresult *r = NULL, *next;
		bool late = false;
		int sent = PQsendPrepare(p->w, name, p->sql[i], 0, NULL);
		while (sent && (next = get_result(p->w, p->wait_ms, &late))) {
			PQclear(r);
			r = next;
		}
		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(p->w);
			if (late)
				snprintf(err, len, "preparing the store's statements: no answer from "
					 "the database within %ld ms", p->wait_ms);
			else
				snprintf(err, len, "preparing the store's statements: %.*s",
					 (int)strcspn(m, "\n"), m);
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	p->prepared = true;
	return 0;
}

/* The tables' size into *size; false, *size untouched, when the database
 * did not answer: a failed measure must not say the store is empty, or
 * producers at storeUsage would go on past it. */
static bool measure(struct pgs *p, PGconn *c, struct store_size *size)
{
	const char *params[] = { p->prefix };
	char err[256];
	PGresult *r = run(p, c, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
			  "WHERE c.relkind = 'r' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
			  "AND starts_with(c.relname, $1::text || 'TANDEM_')", 1, params,
			  PGRES_TUPLES_OK, "measuring", err, sizeof err);
	if (!r)
		return false;
	size->file_bytes = atoll(PQgetvalue(r, 0, 0));
	size->free_bytes = 0;
	PQclear(r);
	return true;
}

static void pg_close(void *b)
{
	struct pgs *p = b;
	if (!p)
		return;
	PQfinish(p->w);
	PQfinish(p->r);
	for (int i = 0; i < PS_COUNT; i++)
		free(p->sql[i]);
	free(p->conninfo);
	free(p->prefix);
	free(p->token);
	free(p);
}

static const struct store_backend pg_backend;

struct store *store_open_pg(const struct store_pg_params *params, char *err, size_t errlen)
{
	struct pgs *p = calloc(1, sizeof *p);
	bool ok = p && (p->conninfo = strdup(params->conninfo)) &&
		  (p->prefix = strdup(params->table_prefix ? params->table_prefix : "")) &&
		  (!params->lease_token || (p->token = strdup(params->lease_token)));
	for (int i = 0; ok && i < PS_COUNT; i++)
		ok = (p->sql[i] = expand(p->prefix, stmt_sql[i])) != NULL;
	if (!ok) {
		snprintf(err, errlen, "out of memory");
		pg_close(p);
		errno = ENOMEM;
		return NULL;
	}
	p->wait_ms = params->wait_ms > 0 ? params->wait_ms : WAIT_MS_DEFAULT;
	uint64_t next_seq = 1;
	if (!(p->w = connect_as(p, "tandemd store writer", err, errlen)) ||
	    !(p->r = connect_as(p, "tandemd store reader", err, errlen))) {
		pg_close(p);
		errno = EIO;
		return NULL;
	}
	if (open_schema(p, params->create_tables, err, errlen) < 0) {
		int why = errno;
		pg_close(p);
		errno = why;
		return NULL;
	}
	if (first_seq(p, &next_seq, err, errlen) < 0 || prepare_all(p, err, errlen) < 0) {
		pg_close(p);
		errno = EIO;
		return NULL;
	}
	struct store_size size = { 0 };
	measure(p, p->w, &size);	/* measured again after the first commit when it failed */
	char name[160];
	snprintf(name, sizeof name, "the PostgreSQL store %sTANDEM_* (database %s)", p->prefix,
		 PQdb(p->w));
	struct store *st = store_start(&pg_backend, p, name, next_seq, &size, err, errlen);
	if (!st)
		errno = EIO;
	return st;
}

/* ---- one transaction (writer thread) ---- */

/* Notes the first failure of a commit: -EIO with why, or -ESTALE when
 * it was the fence. */
static void fail(struct pgs *p, int err, const char *what, const char *msg)
{
	if (p->err)
		return;
	p->err = err;
	snprintf(p->why, sizeof p->why, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg);
}

static void fail_conn(struct pgs *p, const char *what)
{
	fail(p, -EIO, PQstatus(p->w) == CONNECTION_OK ? what : "the database is unreachable",
	     *PQerrorMessage(p->w) ? PQerrorMessage(p->w) : "connection lost");
}

/* The server ends the session (SQLSTATE class 57: shut down, or the
 * session killed; class 08: the connection failed) before libpq has seen
 * the socket close. */
static bool lost(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return state && (!strncmp(state, "57", 2) || !strncmp(state, "08", 2));
}

/* The server said it ends the session (SQLSTATE class 57). */
static bool ended(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return state && !strncmp(state, "57", 2);
}

/* Reads the results of the statements sent so far (one result and its
 * NULL each), noting the first failure. */
static void read_results(struct pgs *p)
{
	for (int i = 0; i < p->sent; i++) {
		int at = p->index - p->sent + i;
		PGresult *r = PQgetResult(p->w);
		if (!r) {
			fail_conn(p, "reading the commit's results");
			break;
		}
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_FATAL_ERROR) {
			if (at == 0 && ended(r))
				/* the answer to its BEGIN: the session had
				 * ended before this commit came, and nothing of
				 * it ran (store_backend.h). Not so for a
				 * connection that closed without a word: the
				 * server may have committed before it could
				 * answer. */
				fail(p, -EAGAIN, "the database ended the session",
				     PQresultErrorMessage(r));
			else if (PQstatus(p->w) != CONNECTION_OK || lost(r))
				fail(p, -EIO, "the database is unreachable",
				     PQresultErrorMessage(r));
			else if (at == p->fence)
				fail(p, -ESTALE, "the lease is no longer this broker's (taken by "
				     "another, or expired by the database's clock): nothing written",
				     PQresultErrorMessage(r));
			else
				fail(p, -EIO, "the database refused the commit",
				     PQresultErrorMessage(r));
		}
		PQclear(r);
		while ((r = PQgetResult(p->w)))	/* the NULL that ends each */
			PQclear(r);
	}
	p->sent = 0;
}

/* Sends one statement of the commit; results are read every PIPE_CHUNK. */
static int send_stmt(struct pgs *p, enum pg_stmt id, int n, const char *const *values,
		     const int *lengths, const int *formats)
{
	if (p->err)
		return p->err;
	char name[16];
	snprintf(name, sizeof name, "s%d", id);
	if (!PQsendQueryPrepared(p->w, name, n, values, lengths, formats, 0)) {
		fail_conn(p, "sending the commit");
		return p->err;
	}
	p->index++;
	if (++p->sent >= PIPE_CHUNK) {
		if (!PQsendFlushRequest(p->w) || PQflush(p->w) < 0)
			fail_conn(p, "sending the commit");
		else
			read_results(p);
	}
	return p->err;
}

/* A statement of text parameters. */
static int send_text(struct pgs *p, enum pg_stmt id, int n, const char *a, const char *b,
		     const char *c)
{
	const char *v[3] = { a, b, c };
	return send_stmt(p, id, n, v, NULL, NULL);
}

static int send_raw(struct pgs *p, const char *sql)
{
	if (p->err)
		return p->err;
	if (!PQsendQueryParams(p->w, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		fail_conn(p, "sending the commit");
		return p->err;
	}
	p->index++;
	p->sent++;
	return 0;
}

/* A connection lost since the last commit is made again here. libpq
 * learns that a server went away (restarted, or killed the session) only
 * when it reads: reading what is pending first (PQconsumeInput, which
 * does not wait) finds it, so that the first commit after a restart does
 * not fail for the old connection. */
static int reconnect(struct pgs *p)
{
	/* a server's last words and its end of file can take two reads */
	for (int i = 0; i < 3 && PQstatus(p->w) == CONNECTION_OK; i++)
		if (!PQconsumeInput(p->w))
			break;
	if (PQstatus(p->w) == CONNECTION_OK)
		return 0;
	p->prepared = false;
	char err[256];
	if (reconnect_within(p, p->w, err, sizeof err) < 0) {
		fail(p, -EIO, "reconnecting", err);
		return p->err;
	}
	if (prepare_all(p, err, sizeof err) < 0) {
		fail(p, -EIO, "reconnecting", err);
		return p->err;
	}
	log_info("store", "Connected to the PostgreSQL store's database again");
	return 0;
}

static int pg_begin(void *b)
{
	struct pgs *p = b;
	p->err = 0;
	p->why[0] = '\0';
	p->sent = p->index = 0;
	p->fence = -1;
	p->synced = false;
	if (reconnect(p) < 0)
		return p->err;
	if (!PQenterPipelineMode(p->w)) {
		fail_conn(p, "entering pipeline mode");
		return p->err;
	}
	send_raw(p, "BEGIN");
	if (p->token) {
		p->fence = p->index;
		send_text(p, PS_FENCE, 1, p->token, NULL, NULL);
	}
	/* Sent at once: the server begins (and takes the lease row) while
	 * the operations are composed, and a session that ended before this
	 * commit answers its BEGIN, which says nothing ran (-EAGAIN). */
	if (!p->err && PQflush(p->w) < 0)
		fail_conn(p, "sending the commit");
	return p->err;
}

/* n as decimal text in buf. */
static const char *num(char *buf, long long n)
{
	snprintf(buf, 24, "%lld", n);
	return buf;
}

static int send_message(struct pgs *p, const struct message *m)
{
	char *blob;
	size_t len;
	if (store_encode_headers(m, &blob, &len) < 0) {
		fail(p, -ENOMEM, "writing a message", "out of memory");
		return p->err;
	}
	char seq[24], type[24], prio[24], expires[24], ts[24], redeliveries[24];
	const char *v[11] = {
		num(seq, (long long)m->seq), m->id, num(type, m->dest_type), m->dest, blob,
		m->body_len ? m->body : "", num(prio, m->priority), num(expires, m->expires),
		num(ts, m->timestamp), num(redeliveries, m->redeliveries), m->audit,
	};
	int lengths[11] = { [4] = (int)len, [5] = (int)m->body_len };
	int formats[11] = { [4] = 1, [5] = 1 };
	int rc = send_stmt(p, PS_ADD_MESSAGE, 11, v, lengths, formats);
	free(blob);
	return rc;
}

static int send_remove_container(struct pgs *p, const char *container)
{
	send_text(p, PS_DROP_CONTAINER_ORPHANS, 1, container, NULL, NULL);
	send_text(p, PS_REMOVE_CONTAINER, 1, container, NULL, NULL);
	send_text(p, PS_REMOVE_MARKS, 1, container, NULL, NULL);
	return send_text(p, PS_UNCOUNT_CONTAINER, 1, container, NULL, NULL);
}

static int send_rename(struct pgs *p, const struct op *o)
{
	char *from = store_durable_container(o->a, o->b), *to = store_durable_container(o->a, o->c);
	if (!from || !to)
		fail(p, -ENOMEM, "renaming a durable subscription", "out of memory");
	send_text(p, PS_RENAME_DURABLE, 3, o->a, o->b, o->c);
	send_text(p, PS_RENAME_CONTAINER, 2, from, to, NULL);
	send_text(p, PS_RENAME_COUNTS, 2, from, to, NULL);
	send_text(p, PS_UNCOUNT_RENAMED, 2, from, to, NULL);
	send_text(p, PS_RENAME_MARKS, 2, from, to, NULL);
	free(from);
	free(to);
	return p->err;
}

static int pg_apply(void *b, const struct op *o)
{
	struct pgs *p = b;
	char n1[24], n2[24];
	switch (o->kind) {
	case OP_ADD_MESSAGE:
		return send_message(p, o->msg);
	case OP_ADD_ENTRY:
		return send_text(p, PS_ADD_ENTRY, 2, o->a, num(n1, (long long)o->seq), NULL);
	case OP_REMOVE_ENTRY:
		send_text(p, PS_REMOVE_ENTRY, 2, o->a, num(n1, (long long)o->seq), NULL);
		return send_text(p, PS_DROP_ORPHAN, 1, n1, NULL, NULL);
	case OP_REMOVE_DURABLE:
		send_text(p, PS_REMOVE_DURABLE, 2, o->a, o->b, NULL);
		return send_remove_container(p, o->c);
	case OP_REMOVE_CONTAINER:
		return send_remove_container(p, o->a);
	case OP_RENAME_DURABLE:
		return send_rename(p, o);
	case OP_ADD_DURABLE: {
		const char *v[5] = { o->a, o->b, o->c, o->d, o->seq ? "1" : "0" };
		return send_stmt(p, PS_ADD_DURABLE, 5, v, NULL, NULL);
	}
	case OP_ADD_SESSION_ID:
	case OP_REMOVE_SESSION_ID:
		return send_text(p, o->kind == OP_ADD_SESSION_ID ? PS_ADD_SESSION_ID
				 : PS_REMOVE_SESSION_ID, 3, o->a, num(n1, (long long)(o->seq >> 16)),
				 num(n2, (long long)(o->seq & 0xffff)));
	case OP_REMOVE_SESSION_IDS:
		return send_text(p, PS_REMOVE_SESSION_IDS, 1, o->a, NULL, NULL);
	case OP_ADD_PREPARED:
		return send_text(p, PS_ADD_PREPARED, 1, o->a, NULL, NULL);
	case OP_ADD_PREPARED_ACK:
		return send_text(p, PS_ADD_PREPARED_ACK, 3, o->a, o->b, num(n1, (long long)o->seq));
	case OP_REMOVE_PREPARED:
		send_text(p, PS_REMOVE_PREPARED, 1, o->a, NULL, NULL);
		return send_text(p, PS_REMOVE_PREPARED_ACKS, 1, o->a, NULL, NULL);
	case OP_MARK_DISPATCHED:
		return send_text(p, PS_MARK_DISPATCHED, 3, o->a, num(n1, o->prio),
				 num(n2, (long long)o->seq));
	case OP_NONE:
		break;
	}
	return p->err;
}

/* Ends pipeline mode, reading what is left. After an error the server
 * skips everything up to the next sync: a commit that failed before it
 * sent its own (in an early chunk) sends one now, or the next commit's
 * statements would be skipped too, and it would wait for their results
 * for ever. */
static void end_pipeline(struct pgs *p)
{
	if (PQpipelineStatus(p->w) == PQ_PIPELINE_OFF)
		return;
	if (!p->synced && PQstatus(p->w) == CONNECTION_OK && PQpipelineSync(p->w))
		p->synced = true;
	for (int guard = 0; guard < 1000000 && PQstatus(p->w) == CONNECTION_OK; guard++) {
		PGresult *r = PQgetResult(p->w);
		if (!r) {
			if (PQexitPipelineMode(p->w))
				return;
			continue;
		}
		PQclear(r);
	}
	PQexitPipelineMode(p->w);
}

static int pg_commit(void *b)
{
	struct pgs *p = b;
	send_raw(p, "COMMIT");
	if (!p->err && !(p->synced = PQpipelineSync(p->w)))
		fail_conn(p, "sending the commit");
	if (!p->err)
		read_results(p);
	if (!p->err) {
		/* the sync's own result */
		PGresult *r = PQgetResult(p->w);
		if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			fail_conn(p, "ending the commit");
		PQclear(r);
	}
	end_pipeline(p);
	/* A COMMIT of a transaction that failed is answered ROLLBACK, with
	 * no error: the error came before it. */
	if (!p->err && PQtransactionStatus(p->w) != PQTRANS_IDLE)
		fail(p, -EIO, "the database refused the commit", "transaction not idle");
	p->size_stale = true;
	return p->err;
}

static void pg_rollback(void *b)
{
	struct pgs *p = b;
	end_pipeline(p);
	if (PQstatus(p->w) == CONNECTION_OK && PQtransactionStatus(p->w) != PQTRANS_IDLE)
		PQclear(PQexec(p->w, "ROLLBACK"));
}

static const char *pg_why(void *b)
{
	return ((struct pgs *)b)->why;
}

static bool pg_after_commit(void *b, int64_t now, struct store_size *size)
{
	struct pgs *p = b;
	if (now - p->size_at < SIZE_EVERY_US || PQstatus(p->w) != CONNECTION_OK)
		return false;
	p->size_at = now;
	p->size_stale = false;
	return measure(p, p->w, size);
}

static int64_t pg_idle_due(void *b)
{
	struct pgs *p = b;
	return p->size_stale ? p->size_at + SIZE_EVERY_US : p->idle_at + SIZE_IDLE_EVERY_US;
}

static bool pg_idle(void *b, struct store_size *size)
{
	struct pgs *p = b;
	p->size_stale = false;
	p->idle_at = store_now_us();
	return pg_after_commit(b, p->idle_at, size);
}

static void pg_interrupt(void *b)
{
	struct pgs *p = b;
	int fd = PQsocket(p->w);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

/* ---- loading (loop thread) ---- */

/* The reader connection, made again when lost; NULL with it logged,
 * or at once, unsaid, within wait_ms of the last failure (the header). */
static PGconn *reader(struct pgs *p)
{
	if (PQstatus(p->r) == CONNECTION_OK)
		return p->r;
	if (store_now_us() < p->r_retry_at)
		return NULL;
	char err[256];
	if (reconnect_within(p, p->r, err, sizeof err) < 0) {
		p->r_retry_at = store_now_us() + (int64_t)p->wait_ms * 1000;
		log_error("store", "Reading the PostgreSQL store: %s; no new try for %ld ms", err,
			  p->wait_ms);
		return NULL;
	}
	return p->r;
}

/* Runs a query on the reader, one row at a time (a backlog's rows need
 * not all be in memory), with results in binary when `binary`. Calls
 * each(row result, fn, ctx) per row; the number of rows, or -1 logged
 * with `what`. A database silent for wait_ms ends it (the header). */
static int each_row(struct pgs *p, const char *tables_sql, int n, const char *const *values,
		    bool binary, const char *what,
		    void (*each)(const PGresult *r, void *fn, void *ctx), void *fn, void *ctx)
{
	PGconn *c = reader(p);
	char *sql = expand(p->prefix, tables_sql);
	if (!c || !sql) {
		free(sql);
		if (c)
			log_error("store", "Reading %s: out of memory", what);
		return -1;
	}
	int ok = PQsendQueryParams(c, sql, n, NULL, values, NULL, NULL, binary);
	free(sql);
	if (!ok || !PQsetSingleRowMode(c)) {
		char err[256];
		conn_error(c, what, err, sizeof err);
		log_error("store", "Reading %s", err);
		while (ok) {
			PGresult *r = PQgetResult(c);
			if (!r)
				break;
			PQclear(r);
		}
		return -1;
	}
	int rows = 0, rc = 0;
	bool late = false;
	PGresult *r;
	while ((r = get_result(c, p->wait_ms, &late))) {
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_SINGLE_TUPLE) {
			each(r, fn, ctx);
			rows++;
		} else if (s != PGRES_TUPLES_OK && !rc) {
			const char *m = PQresultErrorMessage(r);
			log_error("store", "Reading %s: %.*s", what, (int)strcspn(m, "\n"), m);
			rc = -1;
		}
		PQclear(r);
	}
	if (late) {
		p->r_retry_at = store_now_us() + (int64_t)p->wait_ms * 1000;
		log_error("store", "Reading %s: no answer from the database within %ld ms; no new "
			  "try for %ld ms", what, p->wait_ms, p->wait_ms);
		return -1;
	}
	return rc < 0 ? -1 : rows;
}

static const char *text(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

static int64_t int_of(const PGresult *r, int col)
{
	return strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

static void durable_row(const PGresult *r, void *fn, void *ctx)
{
	((store_durable_fn)fn)(ctx, text(r, 0), text(r, 1), text(r, 2), text(r, 3),
			       (int)int_of(r, 4));
}

static int pg_load_durables(void *b, store_durable_fn fn, void *ctx)
{
	return each_row(b, "SELECT client_id, sub_name, topic, selector, coalesce(no_local, -1) "
			"FROM {DURABLES} ORDER BY client_id, sub_name", 0, NULL, false,
			"durable subscriptions", durable_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

static void session_id_row(const PGresult *r, void *fn, void *ctx)
{
	((store_session_id_fn)fn)(ctx, text(r, 0), (int)int_of(r, 1), (unsigned)int_of(r, 2));
}

static int pg_load_session_ids(void *b, store_session_id_fn fn, void *ctx)
{
	return each_row(b, "SELECT owner, kind, id FROM {SESSION_IDS}", 0, NULL, false,
			"session ids", session_id_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

/* (container, int, int64) rows: marks and counts. */
static void mark_row(const PGresult *r, void *fn, void *ctx)
{
	((store_mark_fn)fn)(ctx, text(r, 0), (int)int_of(r, 1), (uint64_t)int_of(r, 2));
}

static int pg_load_marks(void *b, store_mark_fn fn, void *ctx)
{
	struct pgs *p = b;
	/* The marks of containers that hold nothing any more mark nothing
	 * (as in store_sqlite.c). */
	char err[256];
	PGconn *c = reader(p);
	if (c && run_tables(p, c, "DELETE FROM {DISPATCHED} d WHERE NOT EXISTS "
			    "(SELECT 1 FROM {ENTRIES} e WHERE e.container = d.container)",
			    "dropping the dispatch marks of empty containers", err, sizeof err) < 0)
		log_warn("store", "%s", err);
	return each_row(p, "SELECT container, priority, seq FROM {DISPATCHED}", 0, NULL, false,
			"dispatch marks", mark_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

static int pg_load_counts(void *b, store_count_fn fn, void *ctx)
{
	/* store_count_fn and store_mark_fn take the same arguments */
	return each_row(b, "SELECT container, priority, n FROM {COUNTS} WHERE n > 0 "
			"ORDER BY container COLLATE \"C\", priority", 0, NULL, false,
			"the counts of messages", mark_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

static void id_row(const PGresult *r, void *fn, void *ctx)
{
	if (text(r, 0))
		((store_id_fn)fn)(ctx, text(r, 0), text(r, 1));
}

static int pg_load_recent_ids(void *b, size_t max, store_id_fn fn, void *ctx)
{
	char limit[24];
	const char *v[] = { num(limit, (long long)(max > INT64_MAX ? INT64_MAX : max)) };
	return each_row(b, "SELECT id, audit FROM (SELECT seq, id, audit FROM {MESSAGES} "
			"ORDER BY seq DESC LIMIT $1::bigint) recent ORDER BY seq", 1, v, false,
			"message ids", id_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

static void prepared_row(const PGresult *r, void *fn, void *ctx)
{
	((store_prepared_fn)fn)(ctx, text(r, 0));
}

static void prepared_ack_row(const PGresult *r, void *fn, void *ctx)
{
	((store_prepared_ack_fn)fn)(ctx, text(r, 0), text(r, 1), (uint64_t)int_of(r, 2));
}

static int pg_load_prepared(void *b, store_prepared_fn fn, store_prepared_ack_fn ack_fn,
			    void *ctx)
{
	if (each_row(b, "SELECT txid FROM {PREPARED} ORDER BY txid COLLATE \"C\"", 0, NULL, false,
		     "prepared transactions", prepared_row, (void *)fn, ctx) < 0)
		return -1;
	return each_row(b, "SELECT txid, container, seq FROM {PREPARED_ACKS} "
			"ORDER BY txid COLLATE \"C\", container COLLATE \"C\", seq", 0, NULL, false,
			"prepared transactions", prepared_ack_row, (void *)ack_fn, ctx) < 0 ? -1 : 0;
}

/* Binary results: integers in network order. */
static int64_t be64(const PGresult *r, int col)
{
	uint64_t v = 0;
	const unsigned char *s = (const unsigned char *)PQgetvalue(r, 0, col);
	if (PQgetlength(r, 0, col) != 8)
		return 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | s[i];
	return (int64_t)v;
}

static int32_t be32(const PGresult *r, int col)
{
	uint32_t v;
	if (PQgetlength(r, 0, col) != 4)
		return 0;
	memcpy(&v, PQgetvalue(r, 0, col), 4);
	return (int32_t)ntohl(v);
}

/* The columns of a message row (binary), as store_sqlite.c's ROW_COLUMNS. */
#define ROW_COLUMNS "e.container, m.seq, m.id, m.dest_type, m.dest, m.headers, m.body, " \
		    "m.priority, m.expires, m.timestamp, m.redeliveries"

static void message_row(const PGresult *r, void *fn, void *ctx)
{
	struct store_row row = {
		.container = text(r, 0),
		.seq = (uint64_t)be64(r, 1),
		.id = text(r, 2),
		.dest_type = be32(r, 3),
		.dest = text(r, 4),
		.headers = PQgetvalue(r, 0, 5),
		.headers_len = (size_t)PQgetlength(r, 0, 5),
		.body = PQgetvalue(r, 0, 6),
		.body_len = (size_t)PQgetlength(r, 0, 6),
		.priority = be32(r, 7),
		.expires = be64(r, 8),
		.timestamp = be64(r, 9),
		.redeliveries = (uint32_t)be64(r, 10),
		.holders = PQnfields(r) > 11 ? (long)be64(r, 11) : 1,
	};
	((store_row_fn)fn)(ctx, &row);
}

static int pg_load_rows(void *b, const char *prefix, store_row_fn fn, void *ctx)
{
	/* COLLATE "C": the byte order SQLite and the loaders expect */
	const char *v[] = { prefix };
	return each_row(b, "SELECT " ROW_COLUMNS ", (SELECT count(*) FROM {ENTRIES} h "
			"WHERE h.seq = e.seq) FROM {ENTRIES} e JOIN {MESSAGES} m ON m.seq = e.seq "
			"WHERE starts_with(e.container, $1::text) "
			"ORDER BY e.container COLLATE \"C\", e.seq", 1, v, true, "messages",
			message_row, (void *)fn, ctx) < 0 ? -1 : 0;
}

static int pg_page_rows(void *b, const char *container, int priority, uint64_t after_seq,
			size_t max, store_row_fn fn, void *ctx)
{
	char prio[24], after[24], limit[24];
	const char *v[] = { container, num(prio, priority), num(after, (long long)after_seq),
			    num(limit, (long long)(max > INT64_MAX ? INT64_MAX : max)) };
	return each_row(b, "SELECT " ROW_COLUMNS " FROM {ENTRIES} e JOIN {MESSAGES} m "
			"ON m.seq = e.seq WHERE e.container = $1::text AND m.priority = $2::int "
			"AND e.seq > $3::bigint ORDER BY e.seq LIMIT $4::bigint", 4, v, true,
			"messages to page in", message_row, (void *)fn, ctx);
}

static const struct store_backend pg_backend = {
	.begin = pg_begin,
	.apply = pg_apply,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.why = pg_why,
	.after_commit = pg_after_commit,
	.idle_due = pg_idle_due,
	.idle = pg_idle,
	.interrupt = pg_interrupt,
	.load_durables = pg_load_durables,
	.load_session_ids = pg_load_session_ids,
	.load_marks = pg_load_marks,
	.load_counts = pg_load_counts,
	.load_recent_ids = pg_load_recent_ids,
	.load_prepared = pg_load_prepared,
	.load_rows = pg_load_rows,
	.page_rows = pg_page_rows,
	.close = pg_close,
};
