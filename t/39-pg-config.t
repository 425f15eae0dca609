#!/bin/sh
# <jdbcPersistenceAdapter> on PostgreSQL (issue 24): the data source as
# ActiveMQ users write it, read into a connection to a real PostgreSQL.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

test_expect_success 'the test PostgreSQL takes the tandem user with its password over TCP' '
	psql_tandem -At -c "select current_user, current_database()" >who &&
	grep -x "tandem|tandem" who
'
test_done
