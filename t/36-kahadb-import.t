#!/bin/sh
# Taking over an ActiveMQ KahaDB store (issue 22): Debian's activemq 5.17
# writes it (persistent messages from STOMP, thousands in order, and of every JMS type from
# its JMS client, a committed and an open transaction, a durable
# subscription part-way through, an XA transaction prepared) while a
# Tandem slave waits on the same
# directory, and is killed with SIGKILL; Tandem takes over and imports
# what was pending before it serves,
# each message once, moves the KahaDB files aside, and never imports
# twice. A journal it cannot read completely is refused, untouched.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
jms_compile KahaFill.java JmsFailover.java

STORE_DIR=$TRASH/amq/data/kahadb
export STORE_DIR

# md5 of every KahaDB file in $1 (what "untouched" means).
kahadb_sums() {
	(cd "$1" && md5sum db-*.log db.data)
}

# ActiveMQ fills the store: t/lib/kaha_stomp.py over STOMP, then
# t/lib/KahaFill.java over OpenWire, left running in its open transaction
# until ActiveMQ is killed.
fill() {
	PORT=$APORT "$PYTHON" "$TEST_ROOT/t/lib/kaha_stomp.py" >stomp.out &&
	{ java -cp "$TRASH/jms:$JAVA_CP" KahaFill "tcp://127.0.0.1:$((APORT + 1))" >fill.out 2>&1 &
	  echo $! >fill.pid; } &&
	for i in $(seq 300); do grep -q filled fill.out && break; sleep 0.1; done &&
	grep -q filled fill.out &&
	grep -q "took s 0 s 1 s 2 s 3 s 4" stomp.out &&
	grep -q "took news 0" fill.out &&
	grep -q "took xa acked" fill.out
}

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}

# A failed step leaves neither ActiveMQ nor the JMS filler running.
trap 'amq --kill "$TRASH/amq"; [ -f "$TRASH/fill.pid" ] && kill "$(cat "$TRASH/fill.pid")" 2>/dev/null; test_cleanup' EXIT

test_expect_success 'a Tandem slave waits on the directory of an ActiveMQ master (ActiveMQ'"'"'s lock file is its lock)' '
	APORT=$(free_port 2) &&
	amq --start "$TRASH/amq" "$APORT" &&
	test -f "$STORE_DIR/lock" &&
	broker_config t &&
	launch_broker t &&
	for i in $(seq 200); do grep -q "is locked by another server" t/log && break; sleep 0.1; done &&
	log_contains t "Database $STORE_DIR/lock is locked by another server" &&
	fill
'

test_expect_success 'ActiveMQ killed with SIGKILL: the slave takes over, imports the store before serving, logs it and moves the files aside' '
	amq --kill "$TRASH/amq" &&
	kill "$(cat fill.pid)" &&
	for i in $(seq 300); do grep -q "Tandem broker .* started" t/log && break; sleep 0.1; done &&
	log_contains t "Imported the ActiveMQ KahaDB store in $STORE_DIR: 2025 message(s) on 5 queue(s) and 1 durable subscription(s), 1 prepared transaction(s) (" &&
	log_contains t "Imported prepared transaction XID:\[4660,globalId=6b61686166696c6c,branchId=6231\]: 1 message(s) sent, 1 acknowledged" &&
	log_contains t "1 prepared transaction(s) recovered, waiting for a commit or a rollback" &&
	log_contains t "Imported queue://stomp: 15 message(s)" &&
	log_contains t "Imported durable://kf:sub: 2 message(s)" &&
	log_contains t "Store $STORE_DIR opened: 2025 message(s) recovered, 1 durable subscription(s)" &&
	! ls "$STORE_DIR"/db-*.log "$STORE_DIR"/db.data 2>/dev/null &&
	ls -d "$STORE_DIR"/kahadb-imported-* >aside &&
	test "$(wc -l <aside)" = 1 &&
	ls "$(cat aside)"/db-1.log "$(cat aside)"/db.data
'

test_expect_success 'tandemd --import-kahadb DIR --dry-run prints what a master would import, per destination' '
	aside=$(cat aside) &&
	kahadb_sums "$aside" >before &&
	"$TANDEMD" --import-kahadb "$aside" --dry-run >dry &&
	cat dry &&
	grep -qx "queue://stomp: 15 message(s)" dry &&
	grep -qx "queue://jms: 6 message(s)" dry &&
	grep -qx "queue://tx: 1 message(s)" dry &&
	grep -qx "queue://many: 2000 message(s)" dry &&
	grep -qx "queue://xaack: 1 message(s)" dry &&
	grep -qx "prepared transaction XID:\[4660,globalId=6b61686166696c6c,branchId=6231\]: 1 message(s) sent, 1 acknowledged" dry &&
	grep -qx "durable://kf:sub: 2 message(s) on topic news" dry &&
	grep -q "^total: 2025 message(s) on 5 queue(s) and 1 durable subscription(s), from [0-9]* journal command(s); transactions: 1 committed, 0 rolled back, 1 dropped unfinished$" dry &&
	kahadb_sums "$aside" >after && cmp before after &&
	{ "$TANDEMD" --dry-run 2>err; test $? = 2; } &&
	grep -q "goes with --import-kahadb DIR" err
'

test_expect_success 'tandemctl import-kahadb DIR --dry-run prints the same, through tandemd' '
	mkdir offline &&
	cp "$(cat aside)"/db-*.log "$(cat aside)"/db.data offline/ &&
	ctl import-kahadb offline --dry-run >ctl-dry &&
	cmp dry ctl-dry
'

test_expect_success 'tandemctl import-kahadb DIR imports offline: a broker started on DIR then serves what was pending' '
	ctl import-kahadb offline 2>import.log &&
	cat import.log &&
	grep -q "Imported the ActiveMQ KahaDB store in offline: 2025 message(s) on 5 queue(s) and 1 durable subscription(s), 1 prepared transaction(s)" import.log &&
	! ls offline/db-*.log 2>/dev/null && ls offline/kahadb-imported-*/db-1.log &&
	STORE_DIR=$TRASH/offline broker_config off &&
	start_broker off &&
	log_contains off "Store $TRASH/offline opened: 2025 message(s) recovered, 1 durable subscription(s)" &&
	! grep -q "Imported" off/log &&
	PORT=$(broker_port off) stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/stomp", id="1", ack="auto")
	got = c.wait(15)
	check(sorted(m.body for m in got) == sorted("s %d" % i for i in range(5, 20)), [m.body for m in got])
	c.close()
	EOF
	stop_broker off &&
	ctl import-kahadb offline >again &&
	grep -qx "No ActiveMQ KahaDB store in offline: nothing to import" again
'

test_expect_success 'tandemctl import-kahadb refuses a directory a broker serves, naming it, the files untouched' '
	cp "$(cat aside)"/db-1.log "$(cat aside)"/db.data "$STORE_DIR"/ &&
	kahadb_sums "$STORE_DIR" >before &&
	{ ctl import-kahadb "$STORE_DIR" 2>err; test $? = 75; } &&
	cat err &&
	grep -q "cannot import the ActiveMQ KahaDB store in $STORE_DIR: $STORE_DIR/lock is locked by a running broker, " err &&
	kahadb_sums "$STORE_DIR" >after && cmp before after &&
	rm "$STORE_DIR"/db-1.log "$STORE_DIR"/db.data
'

test_expect_success 'a journal with a flipped byte is refused by the dry run and by a master, the files untouched' '
	mkdir -p bad &&
	cp "$(cat aside)"/db-1.log "$(cat aside)"/db.data bad/ &&
	off=$(grep -abo "s 7" bad/db-1.log | head -1 | cut -d: -f1) &&
	printf "X" | dd of=bad/db-1.log bs=1 seek="$off" conv=notrunc 2>/dev/null &&
	kahadb_sums bad >before &&
	{ "$TANDEMD" --import-kahadb bad --dry-run 2>err; test $? = 65; } &&
	grep -q "cannot import the ActiveMQ KahaDB store in bad: db-1.log offset [0-9]*: checksum failure" err &&
	STORE_DIR=$TRASH/bad broker_config kb &&
	launch_broker kb &&
	wait_exit kb &&
	test "$(cat kb/exit)" = 65 &&
	log_contains kb "Refusing to serve: cannot import the ActiveMQ KahaDB store in $TRASH/bad: db-1.log offset" &&
	log_contains kb "checksum failure" &&
	kahadb_sums bad >after && cmp before after &&
	! ls bad/store.db 2>/dev/null
'

# ActiveMQ rebuilds its producer audit from every message of its store,
# whoever sent it: Tandem files the imported ids as anyone's
# (broker/core/producer_audit.h), so that a client failing over from
# ActiveMQ to Tandem does not get a send ActiveMQ took stored twice (the
# next test counts what the queue holds).
test_expect_success 'a JMS client'"'"'s resend of a message ActiveMQ took (the same MessageId, on its ConnectionId) is not stored again after the import' '
	"$PYTHON" - "$STORE_DIR/store.db" >newest <<-\EOF &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	rows = db.execute("SELECT id, audit FROM messages WHERE dest = ? ORDER BY seq", ("jms",)).fetchall()
	assert len(rows) == 6 and all(a == "*" for _, a in rows), rows
	print(rows[-1][0])
	EOF
	id=$(cat newest) &&
	java -cp "$TRASH/jms:$JAVA_CP" JmsFailover resend "tcp://127.0.0.1:$(broker_port t)" jms \
		"${id%:*}" "${id##*:}" >resend.out &&
	grep -qx "sent ${id##*:}" resend.out
'

test_expect_success 'every pending message is delivered once, with its id, priority and expiry; a prepared transaction'"'"'s are not' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	c = client(headers={"client-id": "kf"})
	c.conn.subscribe("/queue/stomp", id="1", ack="auto")
	got = c.wait(15)
	check(sorted(m.body for m in got) == sorted("s %d" % i for i in range(5, 20)), [m.body for m in got])
	check(len(set(m.headers["message-id"] for m in got)) == 15, "ids not unique")
	check(all(m.headers["message-id"].startswith("ID:") for m in got), got[0].headers)
	c.conn.subscribe("/queue/jms", id="2", ack="auto")
	jms = c.wait(6)
	check(sorted(m.headers.get("kind") for m in jms) == ["jms-%d" % i for i in range(6)], [m.headers for m in jms])
	for m in jms:
	    check(m.headers.get("priority") == m.headers["kind"][4:], m.headers)
	text = [m for m in jms if m.headers["kind"] == "jms-1"][0]
	check(text.body == "text body" and int(text.headers["expires"]) > 0, text.headers)
	c.conn.subscribe("/queue/many", id="5", ack="auto")
	many = c.wait_bodies(2000)
	check(many == ["m %d" % i for i in range(2000)], "out of order: %r" % many[:10])
	c.conn.subscribe("/queue/tx", id="3", ack="auto")
	check(c.wait_bodies(1) == ["committed"], "tx")
	c.conn.subscribe("/topic/news", id="4", ack="auto", headers={"activemq.subscriptionName": "sub"})
	check(c.wait_bodies(2) == ["news 1", "news 2"], "news")
	c.conn.subscribe("/queue/xa", id="6", ack="auto")
	c.conn.subscribe("/queue/xaack", id="7", ack="auto")
	c.sync()
	check(not c.messages, "more than once: %r" % [m.body for m in c.messages])
	c.close()
	EOF
'

test_expect_success 'the prepared XA transaction is kept prepared: a JMS client'"'"'s XA recovery finds it and commits it' '
	java -cp "$TRASH/jms:$JAVA_CP" KahaFill "tcp://127.0.0.1:$(broker_port t)" commit >commit.out 2>&1 &&
	grep -qx "recovered 1" commit.out &&
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/xa", id="1", ack="auto")
	check(c.wait_bodies(1) == ["xa sent"], "xa")
	c.conn.subscribe("/queue/xaack", id="2", ack="auto")
	c.sync()
	check(not c.messages, "the acked message came back: %r" % [m.body for m in c.messages])
	c.close()
	EOF
'

test_expect_success 'a second start imports nothing again' '
	stop_broker t &&
	STORE_DIR=$STORE_DIR broker_config t &&
	start_broker t &&
	test "$(grep -c "Imported the ActiveMQ KahaDB store" t/log)" = 1 &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/stomp", id="1", ack="auto")
	c.sync()
	check(not c.messages, "imported twice: %r" % [m.body for m in c.messages])
	c.close()
	EOF
	stop_broker t
'

test_expect_success 'the same journal back in the directory (a crash between the import and the move, or moved back by hand) is moved aside again, not imported twice' '
	aside=$(cat aside) &&
	mv "$aside"/* "$STORE_DIR"/ && rmdir "$aside" &&
	start_broker t &&
	log_contains t "The ActiveMQ KahaDB store in $STORE_DIR was imported before (journal " &&
	log_contains t "not imported again; its files are now in $STORE_DIR/kahadb-imported-" &&
	test "$(grep -c "Imported the ActiveMQ KahaDB store" t/log)" = 1 &&
	log_contains t "Store $STORE_DIR opened: 0 message(s) recovered" &&
	! grep -q "unknown container" t/log &&
	! ls "$STORE_DIR"/db-*.log 2>/dev/null &&
	stop_broker t
'

test_done
