#!/bin/sh
# Master/slave on a shared store directory: one master, the others wait
# and say so, a slave takes over when the master goes (kill -9 or a clean
# stop) with every committed message, and a master whose lock file is
# removed or replaced stops writing at once (fencing).
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
MGMT_PORT=auto
export STORE_DIR

# role NAME [BROKER]: the Locker's Role as NAME's management socket says.
role() {
	PORT=0 MPORT=$(broker_mgmt_port "$1") stomp_py "${2:-$1}" <<-\EOF
	import sys
	from tmgmt import *
	m = Mgmt()
	print(m.read(broker_name(sys.argv[1]) + ",service=Locker", "Role"))
	EOF
}

# wait_master NAME: until NAME serves clients (20 s at most).
wait_master() {
	for i in $(seq 200); do
		port_open "$(broker_stomp_port "$1")" && return 0
		sleep 0.1
	done
	say "$1 did not become master"
	return 1
}

test_expect_success 'two nodes on one directory: one master, the slave reports the holder and its wait' '
	start_broker a &&
	start_slave b &&
	! port_open "$(broker_stomp_port b)" &&
	test "$(role a)" = master &&
	test "$(role b)" = slave &&
	log_contains b "Database $STORE_DIR/lock is locked... waiting 10 seconds for the database to be unlocked" &&
	grep -q "^a on .* pid $(cat "$TRASH/a/pid") since " "$STORE_DIR/lock" &&
	MPORT=$(broker_mgmt_port b) stomp_py <<-\EOF
	import os
	from tmgmt import *
	m = Mgmt()
	lk = m.read(broker_name("b") + ",service=Locker")
	pid = open(os.environ["TRASH"] + "/a/pid").read().strip()
	check(lk["Holder"].startswith("a on ") and (" pid %s " % pid) in lk["Holder"], lk["Holder"])
	check(lk["LockFile"] == os.environ["STORE_DIR"] + "/lock", lk["LockFile"])
	check(lk["StoreDirectory"] == os.environ["STORE_DIR"], lk["StoreDirectory"])
	check(lk["WaitingSinceMillis"] > 0 and lk["WaitingSince"].endswith("Z"), lk)
	check(lk["Attempts"] >= 1 and lk["LastError"] == "", lk)
	check(m.read(broker_name("b"), "Slave") is True, "b is Slave")
	check(any("waiting for the lock held by a on" in e["event"] for e in lk["Events"]), lk["Events"])
	h = m.read(broker_name("b") + ",service=Health", "CurrentStatus")
	check(h.startswith("Slave: waiting"), h)
	r = m.req({"type": "exec", "mbean": broker_name("b"), "operation": "addQueue",
	           "arguments": ["made.on.slave"]})
	check(r["status"] == 503 and "is a slave" in r["error"], r)
	check(m.read(broker_name("b"), "Queues") == [], "the slave has no queues")
	EOF
'

test_expect_success 'a third node waits too; the store is the master'"'"'s alone' '
	start_slave c &&
	test "$(role c)" = slave &&
	test "$(role a)" = master &&
	MPORT=$(broker_mgmt_port a) stomp_py <<-\EOF
	from tmgmt import *
	m = Mgmt()
	check(m.read(broker_name("a"), "Slave") is False, "a is not Slave")
	EOF
'

test_expect_success 'kill -9 of the master: a slave takes over with every receipted message' '
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(200):
	    send_on(p, "/queue/ha", "m%d" % i, headers={"persistent": "true"})
	EOF
	kill_broker a &&
	for i in $(seq 200); do
		{ port_open "$(broker_stomp_port b)" || port_open "$(broker_stomp_port c)"; } && break
		sleep 0.1
	done &&
	if port_open "$(broker_stomp_port b)"; then new=b other=c; else new=c other=b; fi &&
	echo $new >"$TRASH/master" &&
	log_waits_for $new "acquired after waiting" &&
	test "$(role $other)" = slave &&
	PORT=$(broker_stomp_port $new) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/ha", id="1")
	got = [m.body for m in c.wait(200)]
	check(got == ["m%d" % i for i in range(200)], "all 200, in order")
	EOF
'

test_expect_success 'SIGTERM of the master: it exits 0 and the last slave takes over' '
	new=$(cat "$TRASH/master") &&
	if [ $new = b ]; then other=c; else other=b; fi &&
	stop_broker $new &&
	{ test "$(cat "$TRASH/$new/exit")" = 0 || { echo "exit status $(cat "$TRASH/$new/exit")"; false; }; } &&
	log_contains $new "Lock on $STORE_DIR/lock released" &&
	wait_master $other &&
	echo $other >"$TRASH/master"
'

test_expect_success 'fencing: a master whose lock file is replaced stops serving and waits' '
	m=$(cat "$TRASH/master") &&
	cat >"$TRASH/thief.py" <<-\EOF &&
	import fcntl, os, sys, time
	d, ready = sys.argv[1], sys.argv[2]
	f = open(d + "/lock.new", "w")
	fcntl.lockf(f, fcntl.LOCK_EX)
	f.write("thief on nowhere pid 1 since 1970-01-01T00:00:00Z\n")
	f.flush()
	os.rename(d + "/lock.new", d + "/lock")
	open(ready, "w").close()
	time.sleep(5)
	EOF
	{ "$PYTHON" "$TRASH/thief.py" "$STORE_DIR" "$TRASH/thief.ready" & } &&
	thief=$! &&
	for i in $(seq 100); do [ -e "$TRASH/thief.ready" ] && break; sleep 0.1; done &&
	log_waits_for $m "Lost the lock on $STORE_DIR/lock: the lock file was replaced by another file" &&
	! port_open "$(broker_stomp_port $m)" &&
	test "$(role $m)" = slave &&
	MPORT=$(broker_mgmt_port $m) stomp_py $m <<-\EOF &&
	import sys
	from tmgmt import *
	lk = Mgmt().read(broker_name(sys.argv[1]) + ",service=Locker")
	check(lk["Holder"].startswith("thief on nowhere"), lk["Holder"])
	check(any(e["event"].startswith("lost the lock") for e in lk["Events"]), lk["Events"])
	EOF
	sum1=$(cat "$STORE_DIR"/store.db* | md5sum) &&
	sleep 1 &&
	sum2=$(cat "$STORE_DIR"/store.db* | md5sum) &&
	test "$sum1" = "$sum2" &&
	wait $thief &&
	wait_master $m
'

test_expect_success 'fencing: a removed lock file demotes the master, which takes a new one' '
	m=$(cat "$TRASH/master") &&
	rm "$STORE_DIR/lock" &&
	log_waits_for $m "Lost the lock on $STORE_DIR/lock: the lock file was removed" &&
	wait_master $m
	test "$(role $m)" = master &&
	test -e "$STORE_DIR/lock" &&
	PORT=$(broker_stomp_port $m) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/ha", id="1")
	c.sync()
	check(not c.messages, "the queue was drained before: %d" % len(c.messages))
	EOF
'

# seed_node N NAME: the seed's activemq-nodeN.xml in NAME/broker.xml,
# rewritten only for ports and directories (and 127.0.0.1 for 0.0.0.0).
seed_node() {
	mkdir -p "$TRASH/$2" &&
	free_port >"$TRASH/$2/port" && cp "$TRASH/$2/port" "$TRASH/$2/stomp_port" &&
	free_port >"$TRASH/$2/mgmt_port" &&
	cp "$TEST_ROOT/conf/jetty.xml" "$TEST_ROOT/conf/credentials.properties" "$TRASH/$2/" &&
	sed -e "s|tcp://0.0.0.0:6161[67]|tcp://127.0.0.1:$(cat "$TRASH/$2/port")|" \
	    -e "s|mqtt://0.0.0.0:188[34]|mqtt://127.0.0.1:$(free_port)|" \
	    -e "s|connectorPort=\"110[01]\"|connectorPort=\"$(cat "$TRASH/$2/mgmt_port")\"|" \
	    -e "s|/data/data|$TRASH/seedpair/kahadb|" \
	    -e "s|\${activemq.conf}|$TRASH/$2|" -e "s|\${activemq.data}|$TRASH/$2|" \
	    "$TEST_ROOT/t/data/seed/activemq-node$1.xml" >"$TRASH/$2/broker.xml"
}

test_expect_success 'the seed'"'"'s two configs form a working pair' '
	seed_node 1 seed1 && seed_node 2 seed2 &&
	start_broker seed1 &&
	start_slave seed2 &&
	log_contains seed2 "Database $TRASH/seedpair/kahadb/lock is locked... waiting 10 seconds" &&
	PORT=$(broker_port seed1) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	send_on(p, "/queue/seed", "kept", headers={"persistent": "true"})
	EOF
	kill_broker seed1 &&
	wait_master seed2 &&
	test "$(role seed2 broker2)" = master &&
	PORT=$(broker_port seed2) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/seed", id="1")
	check(c.wait(1)[0].body == "kept", "the message came through the takeover")
	EOF
'

demo_ports_free() {
	for p in 61616 61617 1883 1884 1100 1101; do
		"$PYTHON" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' $p 2>/dev/null || return 1
	done
}

if demo_ports_free; then
test_expect_success 'make demo runs the seed'"'"'s pair: one master, one waiting slave, both stopped after' '
	DEMO_DATA=$TRASH/demo DEMO_SECONDS=2 TANDEM_BUILD=$TEST_BUILD "$TEST_ROOT/conf/demo" >demo.out 2>&1 &&
	cat demo.out &&
	grep -q "127.0.0.1:1100  *broker1  *master  *broker1 on" demo.out &&
	grep -q "127.0.0.1:1101  *broker2  *slave  *broker1 on" demo.out &&
	grep -q "both brokers stopped" demo.out &&
	grep -q "Tandem broker broker1 stopped" "$TRASH/demo/node1.log" &&
	grep -q "Tandem broker broker2 stopped" "$TRASH/demo/node2.log"
'
else
	test_skip "make demo runs the seed's pair" "the seed's ports (61616, 61617, 1883, 1884, 1100, 1101) are in use here"
fi

test_done
