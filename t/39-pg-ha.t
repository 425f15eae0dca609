#!/bin/sh
# Master/slave on a PostgreSQL lease (issue 24, broker/store/lease_locker.c):
# two brokers whose jdbcPersistenceAdapter names one database are a pair;
# the one holding the lease is the master, management shows the lease
# (holder, expiry by the database's clock, the database, the prefix and
# never the password), a slave takes over after kill -9 of the master once
# the lease runs out and at once after a clean stop, a master cut off from
# the database fences itself, and two table prefixes are two pairs.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

MGMT_PORT=auto
# Short periods, so that a lease runs out within seconds.
KEEP=1000
ACQUIRE=300

# pg_node NAME PREFIX: a broker of the pair on tablePrefix PREFIX.
pg_node() {
	PERSISTENCE_ADAPTER="<jdbcPersistenceAdapter dataSource=\"#pg\" lockKeepAlivePeriod=\"$KEEP\" tablePrefix=\"$2\"><locker><lease-database-locker lockAcquireSleepInterval=\"$ACQUIRE\"/></locker></jdbcPersistenceAdapter>" \
	BEANS_EXTRA="<bean id=\"pg\" class=\"org.postgresql.ds.PGSimpleDataSource\">
	    <property name=\"serverName\" value=\"$PG_HOST\"/>
	    <property name=\"portNumber\" value=\"$PG_PORT\"/>
	    <property name=\"databaseName\" value=\"$PG_DB\"/>
	    <property name=\"user\" value=\"$PG_USER\"/>
	    <property name=\"password\" value=\"$PG_PASSWORD\"/>
	  </bean>" broker_config "$1" && launch_broker "$1"
}

# locker NAME: NAME's Locker as JSON, from its management socket.
locker() {
	MPORT=$(broker_mgmt_port "$1") stomp_py "$1" <<-\EOF
	import json, sys
	from tmgmt import *
	print(json.dumps(Mgmt().read(broker_name(sys.argv[1]) + ",service=Locker")))
	EOF
}

# role_is NAME ROLE: NAME's Locker says ROLE.
role_is() {
	locker "$1" 2>/dev/null | grep -q "\"Role\": \"$2\""
}

# wait_role NAME ROLE: until NAME's Locker says ROLE (30 s at most).
wait_role() {
	for i in $(seq 300); do
		role_is "$1" "$2" && return 0
		sleep 0.1
	done
	say "$1 is not $2 after 30 s:"
	locker "$1"
	return 1
}

# pg_restart: PostgreSQL again, on its port with its data (pg_start would
# set its cleanup on this test's subshell).
pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start >/dev/null
}

# no_password FILE...: the test's password is in none of them.
no_password() {
	! grep -F -e "$PG_PASSWORD" "$@"
}

test_expect_success 'two brokers on one database: the first takes the lease, the second waits' '
	pg_node a P1_ &&
	wait_role a master &&
	pg_node b P1_ &&
	wait_role b slave &&
	test "$(psql_tandem -At -c "select holder from \"P1_TANDEM_LOCK\"")" = a &&
	role_is a master
'

test_expect_success 'management shows the lease: holder, expiry by the database clock, database, prefix' '
	locker a >a.json && locker b >b.json &&
	cat a.json b.json &&
	MPORT=$(broker_mgmt_port b) stomp_py <<-\EOF
	import json, os
	from tmgmt import *
	db = "%s:%s/%s" % (os.environ["PG_HOST"], os.environ["PG_PORT"], os.environ["PG_DB"])
	for name in ("a", "b"):
	    lk = json.load(open(name + ".json"))
	    check(lk["Kind"] == "lease", lk)
	    check(lk["Holder"] == "a", lk)
	    check(lk["Database"] == db, lk)
	    check(lk["TablePrefix"] == "P1_", lk)
	    check(lk["LockFile"] == "P1_TANDEM_LOCK", lk)
	    check(lk["StoreDirectory"] == db + " tablePrefix=P1_", lk)
	    check(lk["LeaseExpiresMillis"] > 0 and lk["LeaseExpires"].endswith("Z"), lk)
	    check(lk["LockKeepAlivePeriod"] == 1000 and lk["LockAcquireSleepInterval"] == 300, lk)
	b = json.load(open("b.json"))
	check(b["WaitingSinceMillis"] > 0 and b["Attempts"] >= 1 and b["LastError"] == "", b)
	check(Mgmt().read(broker_name("b"), "Slave") is True, "b is Slave")
	EOF
'

test_expect_success 'tandemctl ha shows the pair by its database, the roles and the holder' '
	ctl --node "127.0.0.1:$(broker_mgmt_port a)" --node "127.0.0.1:$(broker_mgmt_port b)" ha >ha.out;
	cat ha.out &&
	grep "$PG_HOST:$PG_PORT/$PG_DB tablePrefix=P1_ .* a .*master .*a" ha.out &&
	grep "$PG_HOST:$PG_PORT/$PG_DB tablePrefix=P1_ .* b .*slave .*a" ha.out
'

test_expect_success 'kill -9 of the master: the slave takes over once the lease runs out' '
	kill_broker a &&
	wait_role b master &&
	log_contains b "Lease on $PG_HOST:$PG_PORT/$PG_DB (P1_TANDEM_LOCK) acquired as b after waiting" &&
	test "$(psql_tandem -At -c "select holder from \"P1_TANDEM_LOCK\"")" = b
'

test_expect_success 'the old master comes back as a slave; a clean stop of the master hands the lease over' '
	pg_node a P1_ &&
	wait_role a slave &&
	stop_broker b &&
	log_contains b "Lease on .* given back" &&
	wait_role a master &&
	pg_node b P1_ &&
	wait_role b slave
'

test_expect_success 'a second pair in the same database (tablePrefix P2_) has a lease of its own' '
	pg_node c P2_ &&
	wait_role c master &&
	role_is a master &&
	test "$(psql_tandem -At -c "select holder from \"P2_TANDEM_LOCK\"")" = c &&
	stop_broker c
'

test_expect_success 'PostgreSQL stops: the master fences itself (no renewal by its deadline) and both wait; back, one is master' '
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null &&
	wait_role a slave &&
	log_contains a "Lost the lease on .*not renewed within its 2000 ms" &&
	role_is b slave &&
	pg_restart &&
	for i in $(seq 300); do
		{ role_is a master || role_is b master; } && break
		sleep 0.1
	done &&
	{ role_is a master || role_is b master; } &&
	! { role_is a master && role_is b master; }
'

test_expect_success 'the password is in no log and no management answer' '
	stop_broker a && stop_broker b &&
	no_password "$TRASH/a/log" "$TRASH/b/log" "$TRASH/c/log" a.json b.json ha.out
'

test_done
