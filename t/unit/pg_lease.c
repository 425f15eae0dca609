/* The lease-database-locker against a real PostgreSQL (broker/store/
 * pg_lease.c): t/39-pg-lease.t starts one and runs this with its
 * connection in PG_CONNINFO; without it (make check runs every unit test
 * bare) the whole file is skipped. No timing assertions: a lease left to
 * expire is waited for with a generous deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_lease.h"
#include "tap.h"

/* A lease that outlasts any pause of the test (the held-lease steps), and
 * one that expires soon (the takeover steps). */
#define LONG_LEASE_MS 600000
#define SHORT_LEASE_MS 300
#define DEADLINE_MS 20000

static char err[256];

static struct pg_lease *open_as(const char *conninfo, const char *prefix, const char *holder,
				long lease_ms)
{
	struct pg_lease *l = pg_lease_open(conninfo, prefix, holder, lease_ms, 1, err, sizeof err);
	if (!l)
		diag("pg_lease_open: %s", err);
	return l;
}

/* Tries until taken or the deadline; 1 when taken. */
static int take_within_deadline(struct pg_lease *l)
{
	for (int waited = 0; waited < DEADLINE_MS; waited += 50) {
		int rc = pg_lease_try(l, NULL, 0, err, sizeof err);
		if (rc != 0)
			return rc;
		usleep(50 * 1000);
	}
	return 0;
}

int main(void)
{
	const char *ci = getenv("PG_CONNINFO");
	if (!ci) {
		printf("1..0 # SKIP no PG_CONNINFO: t/39-pg-lease.t runs this against a real PostgreSQL\n");
		return 0;
	}
	char holder[64] = "";
	/* both name themselves "pair": the token, not the id, tells them apart */
	struct pg_lease *a = open_as(ci, "T1_", "pair", LONG_LEASE_MS);
	struct pg_lease *b = open_as(ci, "T1_", "pair", LONG_LEASE_MS);
	struct pg_lease *s1 = open_as(ci, "T3_", "short-1", SHORT_LEASE_MS);
	struct pg_lease *s2 = open_as(ci, "T3_", "short-2", SHORT_LEASE_MS);
	struct pg_lease *c = open_as(ci, "T2_", "other-pair", LONG_LEASE_MS);
	if (!a || !b || !s1 || !s2 || !c)
		return ok(0, "every broker connects and the lock tables are made"), done_testing();
	is(pg_lease_try(a, holder, sizeof holder, err, sizeof err), 1, "the first broker takes the free lease");
	ok(pg_lease_expires_in_ms(a) > 0, "and knows when it ends by its own clock");
	is(pg_lease_try(b, holder, sizeof holder, err, sizeof err), 0,
	   "a second broker with the same leaseHolderId does not get it while it is held");
	is_str(holder, "pair", "and is told who holds it");
	is(pg_lease_renew(a, err, sizeof err), 1, "the holder renews its lease");
	is(pg_lease_renew(b, err, sizeof err), 0, "a broker that does not hold it cannot renew it");
	is(pg_lease_release(a, err, sizeof err), 0, "the holder gives the lease up");
	is(pg_lease_try(b, NULL, 0, err, sizeof err), 1, "and the other takes it at once");
	is(pg_lease_try(a, NULL, 0, err, sizeof err), 0, "the first cannot take it back while it is held");
	ok(c && pg_lease_try(c, NULL, 0, err, sizeof err) == 1,
	   "a second pair in the same database (its own tablePrefix) has a lease of its own");

	is(pg_lease_try(s1, NULL, 0, err, sizeof err), 1, "a holder of a short lease");
	is(take_within_deadline(s2), 1,
	   "stops renewing: the other takes the lease once it expires by the database's clock");
	is(pg_lease_renew(s1, err, sizeof err), 0, "the old holder's renewal then says the lease is lost");
	ok(pg_lease_expires_in_ms(s1) < 0, "and it no longer counts on it");

	long long expires = 0;
	is(pg_lease_read(b, holder, sizeof holder, &expires, err, sizeof err), 0,
	   "the lock row can be read");
	is_str(holder, "pair", "it names the holder");
	ok(expires > 0, "and when its lease ends, by the database's clock");
	ok(strcmp(pg_lease_token(a), pg_lease_token(b)) != 0 && *pg_lease_token(a),
	   "two brokers with one leaseHolderId have two tokens");

	long diff = 0;
	is(pg_lease_clock_diff_ms(a, &diff, err, sizeof err), 0, "the database's clock can be read");
	ok(labs(diff) < 60000, "and this machine's is near it (the same host)");

	char bad[512];
	snprintf(bad, sizeof bad, "%s port=1 connect_timeout=5", ci);
	struct pg_lease *none = pg_lease_open(bad, "T1_", "x", SHORT_LEASE_MS, 1, err, sizeof err);
	ok(!none && strstr(err, "connecting to PostgreSQL"),
	   "a database that cannot be reached is an error that says so");
	ok(!strstr(err, "password"), "without the connection string in it");
	pg_lease_close(none);

	/* Last, since it stops the database: PG_STOP is the command. */
	const char *stop = getenv("PG_STOP");
	struct pg_lease *d = stop ? open_as(ci, "T4_", "cut-off", 2000) : NULL;
	if (d && pg_lease_try(d, NULL, 0, err, sizeof err) == 1 && system(stop) == 0) {
		is(pg_lease_renew(d, err, sizeof err), -1,
		   "a holder cut off from the database cannot renew, and says why");
		diag("%s", err);
		int waited = 0;
		while (pg_lease_expires_in_ms(d) >= 0 && waited < DEADLINE_MS) {
			usleep(50 * 1000);
			waited += 50;
		}
		ok(pg_lease_expires_in_ms(d) < 0,
		   "and by its own clock its lease runs out, so it knows to stop serving");
	} else if (stop) {
		ok(0, "a holder of a lease whose database is then stopped");
	}
	pg_lease_close(d);
	pg_lease_close(a);
	pg_lease_close(b);
	pg_lease_close(c);
	pg_lease_close(s1);
	pg_lease_close(s2);
	return done_testing();
}
