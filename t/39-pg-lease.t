#!/bin/sh
# The lease-database-locker over libpq (broker/store/pg_lease.c, issue 24)
# against a real PostgreSQL: t/unit/pg_lease.c, run with its connection.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

test_expect_success 'the lease: taken, renewed, released, one per tablePrefix; expired by the database clock, then lost; cut off, it runs out' '
	PG_STOP="runuser -u postgres -- $PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop >/dev/null" &&
	[ "$(id -u)" = 0 ] || PG_STOP="$PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop >/dev/null"
	export PG_STOP
	PG_CONNINFO="host=$PG_HOST port=$PG_PORT dbname=$PG_DB user=$PG_USER password=$PG_PASSWORD" \
		"$TEST_BUILD/t/unit/pg_lease.t" >lease.out 2>&1; rc=$?
	cat lease.out
	[ "$rc" = 0 ] && ! grep "^not ok" lease.out && grep -c "^ok" lease.out
'

test_expect_success 'PostgreSQL restarted: the lock table is still there, with its holder' '
	pg_start &&
	psql_tandem -At -c "select id, holder from \"T1_TANDEM_LOCK\"" >rows &&
	grep -x "1|pair" rows
'

test_done
