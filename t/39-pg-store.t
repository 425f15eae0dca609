#!/bin/sh
# The PostgreSQL store (broker/store/store_pg.c, issue 24) against a real
# PostgreSQL: t/unit/store_pg.c, run with its connection: messages,
# entries, paging, counts, durables, prepared transactions, session ids;
# two table prefixes in one database; fencing by the lease row; a session
# killed mid-commit.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

test_expect_success 'the store on PostgreSQL: what SQLite keeps, two pairs apart, fenced, a killed session fails its commit' '
	PG_CONNINFO="host=$PG_HOST port=$PG_PORT dbname=$PG_DB user=$PG_USER password=$PG_PASSWORD" \
		"$TEST_BUILD/t/unit/store_pg.t" >store.out 2>&1; rc=$?
	cat store.out
	[ "$rc" = 0 ] && ! grep "^not ok" store.out && grep -c "^ok" store.out
'

test_done
