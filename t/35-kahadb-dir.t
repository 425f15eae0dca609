#!/bin/sh
# A store directory that holds an ActiveMQ KahaDB store (its journal
# db-N.log, its index db.data), as after ActiveMQ dies in a rolling
# replacement: a journal Tandem cannot read completely (here random
# bytes) stops the node that takes the lock: it refuses to serve beside
# those messages, says why and what to do and exits, without touching
# the files. An empty KahaDB is no store. t/36-kahadb-import.t imports one
# that ActiveMQ wrote.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR

test_expect_success 'a directory with a KahaDB journal it cannot read: the node refuses to serve, says why and what to do and exits 65; the files are untouched' '
	mkdir -p "$STORE_DIR" &&
	{ printf "\001\002\003\004\005"; head -c 3355443 /dev/urandom; } >"$STORE_DIR/db-1.log" &&
	head -c 16384 /dev/urandom >"$STORE_DIR/db.data" &&
	: >"$STORE_DIR/db-2.log" &&
	(cd "$STORE_DIR" && ls -l --time-style=+%s.%N db-1.log db.data db-2.log && md5sum db-1.log db.data) >before &&
	broker_config k &&
	launch_broker k &&
	wait_exit k &&
	test "$(cat k/exit)" = 65 &&
	log_contains k "Refusing to serve: cannot import the ActiveMQ KahaDB store in $STORE_DIR: db-1.log offset 0: unknown record type 5 where a batch should start. Its files are untouched; drain them with ActiveMQ, or move them aside to start without them" &&
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

test_expect_success 'an index db.data without a journal holds nothing to import: it is moved aside' '
	mkdir aside &&
	mv "$STORE_DIR/db-1.log" aside/ &&
	start_broker k &&
	log_contains k "Imported the ActiveMQ KahaDB store in $STORE_DIR: 0 message(s) on 0 queue(s)" &&
	! test -e "$STORE_DIR/db.data" &&
	test -e "$STORE_DIR"/kahadb-imported-*/db.data &&
	stop_broker k
'

test_expect_success 'an empty KahaDB (an empty journal beside the lock file) starts as an empty broker' '
	rm -f k/log &&
	: >"$STORE_DIR/db-2.log" &&
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
