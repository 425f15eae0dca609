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
	check(h == "Good", "a slave of a known master is healthy: " + h)
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
	# A producer that follows the master keeps sending through it all.
	{ ctl producer --stomp "failover:(tcp://127.0.0.1:$(broker_stomp_port $m))?maxReconnectDelay=100" \
		--destination fence --count 2000 --rate 400 --persistent --receipt-every 1 --timeout 60 \
		--receipted fence.rec >fence.out 2>fence.err & } &&
	prod=$! &&
	wait_lines fence.rec 100 &&
	# The thief holds the lock until the checks below are done (GO): its
	# default 5 s ran out before them on a loaded machine, and the master
	# took the lock back while they expected it to wait.
	{ "$PYTHON" "$TEST_ROOT/t/lib/tthief.py" "$STORE_DIR" "$TRASH/thief.ready" "$TRASH/thief.go" 120 & } &&
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
	MPORT=$(broker_mgmt_port $m) stomp_py $m <<-\EOF &&
	import os, sys
	from tmgmt import *
	m = Mgmt()
	h = broker_name(sys.argv[1]) + ",service=Health"
	check(m.read(h, "CurrentStatus") == "Good", m.read(h))
	# The lock file names nobody now: the slave cannot tell who holds it.
	open(os.environ["STORE_DIR"] + "/lock", "r+").truncate(0)
	st = m.read(h, "CurrentStatus")
	check(st.startswith("Slave: waiting") and "holder is unknown" in st, st)
	EOF
	sum1=$(cat "$STORE_DIR"/store.db* | md5sum) &&
	sleep 1 &&
	sum2=$(cat "$STORE_DIR"/store.db* | md5sum) &&
	test "$sum1" = "$sum2" &&
	touch "$TRASH/thief.go" &&
	wait $thief &&
	wait_master $m &&
	wait $prod &&
	cat fence.err &&
	grep -q "receipted 2000, resent [0-9]*, reconnects [1-9]" fence.err &&
	ctl consumer --stomp 127.0.0.1:$(broker_stomp_port $m) --destination fence --count 0 --timeout 1 \
		--received fence.got >/dev/null 2>&1 &&
	cut -d" " -f1 fence.got | sort -n | uniq >fence.distinct &&
	sort -n fence.rec | cmp - fence.distinct
'

test_expect_success 'fencing: a removed lock file demotes the master, which takes a new one' '
	m=$(cat "$TRASH/master") &&
	rm "$STORE_DIR/lock" &&
	log_waits_for $m "Lost the lock on $STORE_DIR/lock: the lock file was removed" &&
	wait_master $m &&
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

# seed_node N NAME: the seed's activemq-nodeN.xml (seed_config) as NAME
# of one pair, without its networkConnector: multicast discovery would go
# out on the host's network (t/82-multicast.t tests it inside namespaces
# of its own).
seed_node() {
	seed_config "$1" "$2" "$TRASH/seedpair/kahadb" \
		-e "/<networkConnectors>/,/<\/networkConnectors>/d"
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

# A fresh pair for clients that follow the master.
STORE_DIR=$TRASH/pair2/kahadb broker_config f1 &&
STORE_DIR=$TRASH/pair2/kahadb broker_config f2 || exit 1
FO="failover:(tcp://127.0.0.1:$(broker_stomp_port f1),tcp://127.0.0.1:$(broker_stomp_port f2))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100"

test_expect_success 'kill -9 of the master under load: every receipted message is delivered, duplicates only where a receipt was lost' '
	start_broker f1 && start_slave f2 &&
	{ ctl consumer --stomp "$FO" --destination ha.load --count 0 --timeout 5 --ack client \
		--received got.txt >cons.out 2>cons.err & } &&
	c=$! &&
	{ ctl producer --stomp "$FO" --destination ha.load --count 5000 --persistent \
		--receipt-every 1 --timeout 20 --receipted rec.txt >prod.out 2>prod.err & } &&
	p=$! &&
	wait_lines rec.txt 1500 &&
	kill_broker f1 &&
	wait $p && wait $c &&
	cat prod.err cons.err &&
	grep -q "reconnects 1$" prod.err &&
	log_contains f2 "acquired after waiting" &&
	"$PYTHON" - rec.txt got.txt "$(sed -n "s/.*, resent \([0-9]*\),.*/\1/p" prod.err)" <<-\EOF
	import collections, sys
	from tstomp import check
	rec = [int(l) for l in open(sys.argv[1])]
	got = [l.split() for l in open(sys.argv[2])]
	resent = int(sys.argv[3])
	seqs = collections.Counter(int(g[0]) for g in got)
	lost = sorted(set(rec) - set(seqs))
	# A number received twice under two message ids was sent twice (its
	# receipt was lost); under one id it was delivered again because its
	# ack had not reached the dead master (at-least-once).
	ids = collections.defaultdict(set)
	for g in got:
	    ids[int(g[0])].add(g[1] if len(g) > 1 else "")
	sent_twice = sum(len(v) - 1 for v in ids.values())
	redelivered = sum(seqs.values()) - len(seqs) - sent_twice
	print("# receipted %d, received %d (%d distinct): lost %d, duplicates %d "
	      "(%d sent again by the producer after a lost receipt, %d delivered again unacked)"
	      % (len(rec), len(got), len(seqs), len(lost), sent_twice + redelivered,
	         sent_twice, redelivered))
	check(sorted(rec) == list(range(1, 5001)), "all 5000 receipted")
	check(not lost, "lost: %s" % lost[:20])
	check(sent_twice <= resent, "%d sent twice, but the producer resent only %d" % (sent_twice, resent))
	EOF
'

test_expect_success 'tandemctl stop of the master: it exits 0 and the slave takes over' '
	start_slave f1 &&
	ctl --node 127.0.0.1:$(broker_mgmt_port f2) stop >/dev/null &&
	for i in $(seq 100); do [ -f f2/exit ] && break; sleep 0.1; done &&
	test "$(cat f2/exit)" = 0 &&
	rm f2/pid &&
	log_contains f2 "Lock on $TRASH/pair2/kahadb/lock released" &&
	wait_master f1
'

test_expect_success 'lockAcquireSleepInterval sets how often a slave says it waits; failIfLocked makes it exit' '
	STORE_DIR=$TRASH/pair2/kahadb broker_config f3 &&
	sed -i "s|<kahaDB directory=\"\([^\"]*\)\"/>|<kahaDB directory=\"\1\" lockKeepAlivePeriod=\"200\"><locker><shared-file-locker lockAcquireSleepInterval=\"300\"/></locker></kahaDB>|" f3/broker.xml &&
	grep -q "lockAcquireSleepInterval=\"300\"" f3/broker.xml &&
	start_slave f3 &&
	sleep 1 &&
	n=$(grep -c "is locked... waiting 0.3 seconds for the database to be unlocked" f3/log) &&
	test "$n" -ge 3 &&
	stop_broker f3 &&
	test "$(cat f3/exit)" = 0 &&
	sed -i "s|<shared-file-locker |<shared-file-locker failIfLocked=\"true\" |" f3/broker.xml &&
	launch_broker f3 &&
	for i in $(seq 100); do [ -f f3/exit ] && break; sleep 0.1; done &&
	test "$(cat f3/exit)" = 1 &&
	rm f3/pid &&
	log_contains f3 "is locked by f1 on .* and failIfLocked=\"true\": not waiting"
'

# The demo's ports: OpenWire/STOMP, MQTT, management, web console of its
# two pairs (conf/activemq-node1.xml to node4.xml).
DEMO_PORTS="61616 61617 1883 1884 1100 1101 8161 8162 61626 61627 1893 1894 1102 1103 8163 8164"
demo_ports_free() {
	for p in $DEMO_PORTS; do
		"$PYTHON" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' $p 2>/dev/null || return 1
	done
}

# own_procs SID: "pid command line" of each live process in session SID.
# The demo runs in a session of its own, so that only its brokers and
# clients are counted, never those of another demo or test on this host.
own_procs() {
	"$PYTHON" - "$1" <<-\EOF
	import os, sys
	for p in os.listdir("/proc"):
	    if not p.isdigit():
	        continue
	    try:
	        stat = open("/proc/%s/stat" % p).read()
	        cmd = open("/proc/%s/cmdline" % p, "rb").read()
	    except OSError:
	        continue
	    f = stat[stat.rindex(")") + 2:].split()
	    if f[3] == sys.argv[1] and f[0] != "Z":
	        print(p, cmd.replace(b"\0", b" ").decode(errors="replace").strip())
	EOF
}

if demo_ports_free; then
test_expect_success 'make demo runs two pairs, bridged, with traffic, shown by tandemtop; all stopped after' '
	{ DEMO_DATA=$TRASH/demo DEMO_SECONDS=3 TANDEM_BUILD=$TEST_BUILD \
		setsid "$TEST_ROOT/conf/demo" >demo.out 2>&1 & } &&
	demo=$! &&
	for i in $(seq 300); do
		own_procs $demo >demo.procs
		grep -q "producer .*queue://demo.orders" demo.procs && break
		process_alive $demo || break
		sleep 0.1
	done
	wait $demo
	status=$? &&
	cat demo.out demo.procs &&
	test $status = 0 &&
	grep -q "^$demo " demo.procs &&
	test "$(grep -cF "activemq.data=$TRASH/demo" demo.procs)" = 4 &&
	grep -q "tandemctl consumer .*queue://demo.orders" demo.procs &&
	grep -q "tandemctl producer .*queue://demo.orders" demo.procs &&
	[ $(grep -c "^tandemtop .*, 4 nodes" demo.out) = 3 ] &&
	grep -q "^pair data/kahadb: 2 nodes, 1 master, 1 slave" demo.out &&
	grep -q "^pair pair2/kahadb: 2 nodes, 1 master, 1 slave" demo.out &&
	grep -q "^broker1 *MASTER *127.0.0.1:1100 " demo.out &&
	grep -q "^broker2 *SLAVE *127.0.0.1:1101 *broker1 " demo.out &&
	grep -q "^broker3 *MASTER *127.0.0.1:1102 " demo.out &&
	grep -q "^broker4 *SLAVE *127.0.0.1:1103 *broker3 " demo.out &&
	grep -q "^broker1 *broker3 *active " demo.out &&
	grep -q "^broker3 *broker1 *active " demo.out &&
	grep -q "^Q demo.orders " demo.out &&
	grep -q "four brokers, the producer and the consumer stopped" demo.out &&
	for n in 1 2 3 4; do
		grep -q "Tandem broker broker$n stopped" "$TRASH/demo/node$n.log" || exit 1
	done &&
	own_procs $demo >demo.left &&
	{ test ! -s demo.left || { echo "left running:"; cat demo.left; false; }; }
'

# sent_received FILE: "SENT RECEIVED" from the demo's last words in FILE.
sent_received() {
	sed -n "s/^demo: messages sent \([0-9]*\) (each receipted by pair 1), received \([0-9]*\) on pair 2 .*/\1 \2/p" "$1"
}

# The README's failover (`kill -9 $(cat demo-data/node1.pid)`) is run here,
# on the second run, with DEMO_DATA for demo-data, once tandemtop has
# shown broker1 as master.
test_expect_success 'a second make demo reads its own logs, not the first run'"'"'s; the README'"'"'s kill -9 of broker1 hands over to broker2; it ends with the messages sent and received' '
	{ DEMO_DATA=$TRASH/demo DEMO_SECONDS=6 TANDEM_BUILD=$TEST_BUILD \
		setsid "$TEST_ROOT/conf/demo" >demo2.out 2>&1 & } &&
	demo=$! &&
	for i in $(seq 300); do
		grep -q "^broker1 *MASTER " demo2.out && break
		process_alive $demo || break
		sleep 0.1
	done &&
	kill -9 $(cat "$TRASH/demo/node1.pid") &&
	wait $demo &&
	cat demo2.out &&
	for n in 1 2 3 4; do
		test "$(grep -c "Tandem broker broker$n is starting" "$TRASH/demo/node$n.log")" = 1 &&
		grep -q "Tandem broker broker$n is starting" "$TRASH/demo/node$n.log.1" || exit 1
	done &&
	grep -q "broker2 FAILOVER: broker2 is now MASTER (was SLAVE)" demo2.out &&
	grep -q "^broker2 *MASTER *127.0.0.1:1101 " demo2.out &&
	set -- $(sent_received demo2.out) &&
	test "$1" -gt 0 && test "$2" -gt 0 &&
	set -- $(sent_received demo.out) &&
	test "$1" -gt 0 && test "$2" -gt 0
'
else
	test_skip "make demo runs two pairs" "the ports of the demo ($DEMO_PORTS) are in use here"
fi

test_done
