#!/bin/sh
# Two master/slave pairs joined into a network (issue 6), as the seed
# means them to run: A1/A2 share one store and B1/B2 another, and every
# node's networkConnector has one static:(failover:(...)) entry naming
# the other pair's two nodes, so that its one bridge follows that pair's
# master. Messages go where the consumers are, each exactly once; local
# consumers come first; a pair's master killed -9 loses no receipted
# message, its slave takes the flow over and the other pair's bridges
# find it; and the seed's own configs form such a cluster.
. "$(dirname "$0")/test-lib.sh"

two_pairs_config || exit 1
pair() { pair_failover "$1"; }

# bridges NODE FILE: NODE's NetworkBridge objects, as tandemctl reads them
# from its management socket, into FILE (a JSON array of their attributes,
# with "mbean" for the object name; not the per-destination flow objects).
bridges() {
	# A slave's query says so with exit status 4 and still shows its objects.
	{ ctl --node 127.0.0.1:$(broker_mgmt_port $1) --json query >"$2.all" 2>/dev/null
	  rc=$?; [ $rc = 0 ] || [ $rc = 4 ]; } &&
	"$PYTHON" - "$2.all" "$2" <<-\EOF
	import json, sys
	rows = [dict(r["attributes"], mbean=r["mbean"]) for r in json.load(open(sys.argv[1]))
	        if ",networkConnectorName=" in r["mbean"] and ",networkBridge=" in r["mbean"]]
	json.dump(rows, open(sys.argv[2], "w"))
	EOF
}

# bridge_to NODE REMOTE: until NODE has one bridge, active, to REMOTE
# (20 s at most); its attributes are left in NODE.bridge.
bridge_to() {
	for i in $(seq 100); do
		bridges $1 "$TRASH/$1.bridge" &&
		json_true "len(rows) == 1 and rows[0][\"State\"] == \"active\" and rows[0][\"RemoteBrokerName\"] == \"$2\"" \
			"$TRASH/$1.bridge" >/dev/null && return 0
		sleep 0.2
	done
	json_true "len(rows) == 1 and rows[0][\"State\"] == \"active\" and rows[0][\"RemoteBrokerName\"] == \"$2\"" \
		"$TRASH/$1.bridge"
}

# exactly_once N RECEIPTED RECEIVED: the producer's RECEIPTED numbers are
# 1..N, and RECEIVED (tandemctl consumer --received: number, message id)
# has each of them once, under N distinct message ids.
exactly_once() {
	"$PYTHON" - "$@" <<-\EOF
	import sys
	from taccount import account
	from tstomp import check
	n = int(sys.argv[1])
	a = account(sys.argv[2], [sys.argv[3]])
	print("# " + a.summary())
	check(sorted(a.receipted) == list(range(1, n + 1)), "receipted 1..%d" % n)
	check(not a.lost, "lost: %s" % a.lost[:20])
	check(len(a.received) == n, "%d delivered more than once" % (len(a.received) - n))
	check(len(a.message_ids) == n, "message ids not distinct")
	EOF
}

test_expect_success 'two pairs start: one master each, the masters bridge to each other, slaves have no bridges' '
	start_broker a1 && start_slave a2 && start_broker b1 && start_slave b2 &&
	log_waits_for a1 "Network connection between a1 and b1" &&
	log_waits_for b1 "Network connection between b1 and a1" &&
	bridge_to a1 b1 && bridge_to b1 a1 &&
	json_true "rows[0][\"NetworkTTL\"] == 3 and rows[0][\"Connects\"] == 1 and rows[0][\"LastError\"] == \"\"" b1.bridge &&
	json_true "rows[0][\"mbean\"].startswith(\"org.apache.activemq:type=Broker,brokerName=b1,connector=networkConnectors,networkConnectorName=pairs,networkBridge=\")" b1.bridge &&
	bridges a2 a2.bridge && json_true "rows == []" a2.bridge &&
	bridges b2 b2.bridge && json_true "rows == []" b2.bridge
'

test_expect_success 'a producer on pair A, consumers on pair B: every message delivered exactly once' '
	{ ctl consumer --stomp "$(pair b)" --destination pairs.once --parallel 2 --total 2000 \
		--timeout 10 --received once.got --ready once.ready >once.cout 2>once.cerr & } &&
	c=$! &&
	wait_lines once.ready 1 &&
	log_waits_for a1 "consumer(s) of queue://pairs.once on b1: forwarding" &&
	ctl producer --stomp "$(pair a)" --destination pairs.once --count 2000 --persistent \
		--receipt-every 20 --receipted once.rec >once.pout 2>once.perr &&
	wait $c &&
	cat once.perr once.cerr &&
	exactly_once 2000 once.rec once.got &&
	# Nothing is left on either pair, and nothing arrived at B twice.
	MPORT=$(broker_mgmt_port b1) stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt()
	q = m.read(queue_name("b1", "pairs.once"))
	check(q["EnqueueCount"] == 2000 and q["QueueSize"] == 0, q)
	EOF
	MPORT=$(broker_mgmt_port a1) stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt()
	q = m.read(queue_name("a1", "pairs.once"))
	check(q["EnqueueCount"] == 2000 and q["DequeueCount"] == 2000 and q["QueueSize"] == 0, q)
	EOF
	bridges a1 a1.bridge &&
	json_true "rows[0][\"EnqueueCounter\"] >= 2000 and \"pairs.once\" not in rows[0][\"Demand\"]" a1.bridge
'

test_expect_success 'consumers on both pairs: local consumers take their own pair'"'"'s messages' '
	PORT=$(broker_port a1) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	T = os.environ["TRASH"]
	on = {"a": client(port("a1")), "b": client(port("b1"))}
	for c in on.values():
	    c.conn.subscribe("/queue/pairs.local", id="1", ack="auto")
	    c.sync()
	# Each pair knows of the other pair consumer: its bridge consumes too.
	for me, other in (("a1", "b1"), ("b1", "a1")):
	    for i in range(100):
	        if ("queue://pairs.local on %s: forwarding" % other) in open(T + "/" + me + "/log").read():
	            break
	        time.sleep(0.1)
	    else:
	        fail("%s never heard of the consumer on %s" % (me, other))
	for side, node in (("a", "a1"), ("b", "b1")):
	    p = client(port(node))
	    for i in range(300):
	        p.conn.send("/queue/pairs.local", "%s%d" % (side, i), headers={"persistent": "true"})
	    p.sync()
	n = lambda: sum(len(c.messages) for c in on.values())
	for i in range(100):
	    if n() >= 600:
	        break
	    time.sleep(0.05)
	time.sleep(0.5)
	for c in on.values():
	    c.sync()
	got = {s: [m.body for m in c.messages] for s, c in on.items()}
	print("# consumer on A: %d, on B: %d" % (len(got["a"]), len(got["b"])))
	check(got["a"] == ["a%d" % i for i in range(300)], "A: its own 300 in order, nothing else: %s" % got["a"][:5])
	check(got["b"] == ["b%d" % i for i in range(300)], "B: its own 300 in order, nothing else: %s" % got["b"][:5])
	EOF
'

test_expect_success 'a slow consumer on A, a fast one on B: the load spreads over both, each message once' '
	PORT=$(broker_port a1) stomp_py <<-\EOF
	import os, threading, time
	from tstomp import *
	T = os.environ["TRASH"]
	fast = client(port("b1"))
	fast.conn.subscribe("/queue/pairs.spread", id="1", ack="auto")
	fast.sync()
	# A local consumer that takes one message at a time and 20 ms for each:
	# with prefetchSize 1 the bridge gets what it has no room for.
	slow = client(port("a1"))
	slow.conn.subscribe("/queue/pairs.spread", id="1", ack="client-individual",
	                    headers={"activemq.prefetchSize": "1"})
	slow.sync()
	for i in range(100):
	    if "queue://pairs.spread on b1: forwarding" in open(T + "/a1/log").read():
	        break
	    time.sleep(0.1)
	else:
	    fail("a1 never heard of the consumer on b1")
	took = []
	def work():
	    while len(took) + len(fast.messages) < 400 and not slow.disconnected:
	        with slow.cond:
	            if not slow.messages:
	                slow.cond.wait(0.1)
	                continue
	            m = slow.messages.pop(0)
	        time.sleep(0.02)
	        took.append(m.body)
	        slow.conn.ack(m.headers["ack"])
	t = threading.Thread(target=work)
	t.start()
	p = client(port("a1"))
	for i in range(400):
	    p.conn.send("/queue/pairs.spread", "m%d" % i, headers={"persistent": "true"})
	p.sync()
	t.join(30)
	check(not t.is_alive(), "not all 400 came in 30 s: %d on A, %d on B" % (len(took), len(fast.messages)))
	time.sleep(0.5)
	fast.sync()
	b = [m.body for m in fast.messages]
	print("# slow consumer on A: %d, fast consumer on B: %d" % (len(took), len(b)))
	check(sorted(took + b) == sorted("m%d" % i for i in range(400)), "each once: %d + %d" % (len(took), len(b)))
	check(len(took) > 0, "the local consumer got none")
	check(len(b) > len(took), "the fast far consumer took less than the slow local one: %d, %d" % (len(b), len(took)))
	EOF
'

test_expect_success 'kill -9 of pair A'"'"'s master mid-flow: no receipted message lost, the flow resumes through A2, B'"'"'s bridge follows it' '
	{ ctl consumer --stomp "$(pair b)" --destination pairs.ha --count 0 --timeout 4 --ack client \
		--received ha.got --ready ha.ready >ha.cout 2>ha.cerr & } &&
	c=$! &&
	wait_lines ha.ready 1 &&
	log_waits_for a1 "consumer(s) of queue://pairs.ha on b1: forwarding" &&
	{ ctl producer --stomp "$(pair a)" --destination pairs.ha --count 3000 --rate 1500 --persistent \
		--receipt-every 1 --timeout 20 --receipted ha.rec >ha.pout 2>ha.perr & } &&
	p=$! &&
	wait_lines ha.rec 1000 &&
	wait_lines ha.got 200 &&
	kill_broker a1 &&
	before=$(wc -l <ha.rec) &&
	wait $p && wait $c &&
	cat ha.perr ha.cerr &&
	grep -q "receipted 3000, resent [0-9]*, reconnects 1$" ha.perr &&
	log_contains a2 "acquired after waiting" &&
	log_contains a2 "Network connection between a2 and b1" &&
	bridge_to b1 a2 &&
	json_true "rows[0][\"Connects\"] >= 2 and rows[0][\"Failures\"] >= 1" b1.bridge &&
	bridge_to a2 b1 &&
	# What A2 receipted (at least what A1 had not) went to B over its bridge.
	json_true "rows[0][\"EnqueueCounter\"] >= 3000 - $before" a2.bridge &&
	"$PYTHON" - ha.rec ha.got "$(sed -n "s/.*, resent \([0-9]*\),.*/\1/p" ha.perr)" <<-\EOF
	import sys
	from taccount import account
	from tstomp import check
	a = account(sys.argv[1], [sys.argv[2]], int(sys.argv[3]))
	print("# " + a.summary())
	check(sorted(a.receipted) == list(range(1, 3001)), "all 3000 receipted")
	check(not a.lost, "lost: %s" % a.lost[:20])
	check(a.sent_twice <= a.resent, "%d sent twice, but the producer resent only %d" % (a.sent_twice, a.resent))
	# B never failed, and drops what a bridge sends again by message id
	# (a resend of A2 of what A1 forwarded but had not acknowledged in the
	# store when it died): nothing may come twice under one id.
	check(not a.same_id, "delivered twice under one message id: %s" % a.same_id[:20])
	EOF
'

# seed_node N PAIR NAME OTHER1 OTHER2: the seed's activemq-nodeN.xml
# (seed_config) as node NAME of pair PAIR, with static discovery: its
# networkConnector's multicast://default becomes the other pair's two
# nodes.
seed_node() {
	seed_config "$1" "$3" "$TRASH/$2/kahadb" \
	    -e "s|<networkConnector uri=\"multicast://default\"|<networkConnector uri=\"static:(failover:(tcp://127.0.0.1:$(cat "$TRASH/$4/port"),tcp://127.0.0.1:$(cat "$TRASH/$5/port")))\"|" &&
	test "$(diff "$TEST_ROOT/t/data/seed/activemq-node$1.xml" "$TRASH/$3/broker.xml" | grep -c "^>")" = 7 &&
	grep -q "static:(failover:" "$TRASH/$3/broker.xml" && ! grep -q multicast "$TRASH/$3/broker.xml"
}

test_expect_success 'the seed'"'"'s configs, rewritten for ports, directories and static discovery, form a two-pair cluster' '
	for n in s11 s12 s21 s22; do mkdir -p $n && free_port >$n/port || exit 1; done &&
	seed_node 1 seedpair1 s11 s21 s22 && seed_node 2 seedpair1 s12 s21 s22 &&
	seed_node 1 seedpair2 s21 s11 s12 && seed_node 2 seedpair2 s22 s11 s12 &&
	start_broker s11 && start_slave s12 && start_broker s21 && start_slave s22 &&
	PORT=$(broker_port s21) stomp_py <<-\EOF ||
	import os, time
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/seed.pairs", id="1", ack="auto")
	c.sync()
	p = client(port("s11"))
	send_on(p, "/queue/seed.pairs", "sent to pair 1", headers={"persistent": "true"})
	got = c.wait(1, timeout=15)
	check(got[0].body == "sent to pair 1", got[0].body)
	EOF
	{ grep -h "network" s11/log s21/log | head -n 20; false; }
'

test_done
