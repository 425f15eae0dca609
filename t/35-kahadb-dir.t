#!/bin/sh
# A store directory that still holds an ActiveMQ KahaDB store (its journal
# db-N.log, its index db.data), as after ActiveMQ dies in a rolling
# replacement: Tandem cannot import those messages yet, so a node that
# takes the lock refuses to serve beside them, says what to do and exits,
# without touching the files. An empty KahaDB is no store.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR

# wait_exit NAME: until NAME's process has exited (20 s at most).
wait_exit() {
	for i in $(seq 200); do
		[ -f "$TRASH/$1/exit" ] && rm -f "$TRASH/$1/pid" && return 0
		sleep 0.1
	done
	echo "$1 still runs"
	return 1
}

test_expect_success 'a directory with a KahaDB journal: the node refuses to serve, says what to do and exits 65; the files are untouched' '
	mkdir -p "$STORE_DIR" &&
	head -c 3355443 /dev/urandom >"$STORE_DIR/db-1.log" &&
	head -c 16384 /dev/urandom >"$STORE_DIR/db.data" &&
	: >"$STORE_DIR/db-2.log" &&
	(cd "$STORE_DIR" && ls -l --time-style=+%s.%N db-1.log db.data db-2.log && md5sum db-1.log db.data) >before &&
	broker_config k &&
	launch_broker k &&
	wait_exit k &&
	test "$(cat k/exit)" = 65 &&
	log_contains k "Refusing to serve: the store directory $STORE_DIR holds an ActiveMQ KahaDB store (" &&
	log_contains k "db-1.log, 3.2 MB" &&
	log_contains k "db.data, 16.0 KB" &&
	log_contains k "Tandem cannot import its messages yet; drain them with ActiveMQ first, or move those files aside to start empty" &&
	! grep -q "db-2.log" k/log &&
	! grep -q "message(s) recovered" k/log &&
	test "$(grep -c "Refusing to serve" k/log)" = 1 &&
	(cd "$STORE_DIR" && ls -l --time-style=+%s.%N db-1.log db.data db-2.log && md5sum db-1.log db.data) >after &&
	cmp before after &&
	! ls "$STORE_DIR"/store.db* 2>/dev/null
'

test_expect_success 'a pair on such a directory: the slave takes the lock, refuses too and exits (no retry loop)' '
	STORE_DIR=$TRASH/shared/kahadb broker_config k2 &&
	launch_broker k && launch_broker k2 &&
	wait_exit k && wait_exit k2 &&
	test "$(cat k/exit)" = 65 && test "$(cat k2/exit)" = 65 &&
	test "$(grep -c "Refusing to serve" k2/log)" = 1
'

test_expect_success 'an index db.data alone is refused too' '
	mkdir aside &&
	mv "$STORE_DIR/db-1.log" aside/ &&
	launch_broker k &&
	wait_exit k &&
	test "$(cat k/exit)" = 65 &&
	log_contains k "KahaDB store (db.data, 16.0 KB)"
'

test_expect_success 'an empty KahaDB (an empty journal beside the lock file) starts as an empty broker' '
	mv "$STORE_DIR/db.data" aside/ &&
	test -e "$STORE_DIR/db-2.log" &&
	start_broker k &&
	log_contains k "Store $STORE_DIR opened: 0 message(s) recovered" &&
	PORT=$(broker_port k) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	send_on(p, "/queue/after", "hello", headers={"persistent": "true"})
	EOF
	stop_broker k
'

test_done
