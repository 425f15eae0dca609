#!/bin/sh
# Store and forward from an ActiveMQ 5.17 whose networkConnector dials
# Tandem (issue 22): kill -9 of either side while persistent, receipted
# messages flow over the bridge loses none and stores none twice (a
# message the bridge sends again after a restart keeps its MessageId,
# and Tandem's producer audit drops it).
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
command -v java >/dev/null 2>&1 || skip_all "no java (make check installs openjdk-17-jdk-headless)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

APORT=$(free_port 2) || exit 1
export APORT
MGMT_PORT=auto broker_config t
N=2000

# The bridge dials again every 200 ms, not backing off to 30 s.
cat >nc.xml <<EOF
<networkConnectors>
  <networkConnector name="to-tandem"
    uri="static:(tcp://127.0.0.1:$(broker_port t))?initialReconnectDelay=200&amp;maxReconnectDelay=200&amp;useExponentialBackOff=false"/>
</networkConnectors>
EOF

# bridged: until t has one more bridge from ActiveMQ than $1 (a count of
# the log's lines saying so).
bridged() {
	for i in $(seq 600); do
		[ "$(grep -c "Network bridge from broker amq (" t/log)" -gt "$1" ] && return 0
		sleep 0.1
	done
	echo "no bridge from ActiveMQ"; grep -v "^\s*at " amq/log | tail -20
	return 1
}

# enqueued Q: how many messages t took on queue Q so far.
enqueued() {
	ctl --node "127.0.0.1:$(broker_mgmt_port t)" --json dstat queues >dstat.json 2>/dev/null &&
	"$PYTHON" -c "import json, sys
print(sum(r['EnqueueCount'] for r in json.load(open('dstat.json')) if r['Name'] == sys.argv[1]))" "$1"
}

# kill_when Q N WHO: kill -9 of WHO (amq, or t) once t took N messages of Q.
kill_when() {
	for i in $(seq 600); do
		[ "$(enqueued "$1" 2>/dev/null || echo 0)" -ge "$2" ] && break
		sleep 0.05
	done
	say "killing $3 after $(enqueued "$1") of queue $1 reached t"
	case $3 in
	amq) amq --kill "$TRASH/amq" ;;
	t) kill_broker t ;;
	esac
}

# A consumer of Q on t that takes one message and never acks it: the
# bridge's demand, while the messages pile up on t.
hold() {
	# python itself in the background, so that its pid is $!
	PORT=$(broker_port t) Q=$1 TRASH=$TRASH "$PYTHON" - <<-\EOF >hold.out 2>&1 &
	import os, time
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/" + os.environ["Q"], id="1", ack="client",
	                 headers={"activemq.prefetchSize": "1"})
	c.sync()
	print("holding", flush=True)
	time.sleep(300)
	EOF
	echo $! >hold.pid
	for i in $(seq 100); do grep -q holding hold.out && return 0; sleep 0.1; done
	cat hold.out; return 1
}

# drain Q RECEIPTED: every message of Q from t; the first RECEIPTED of
# "m 0".. "m N-1" must all come, none twice, none but those and the one
# sent after them whose receipt never came.
drain() {
	PORT=$(broker_port t) Q=$1 R=$2 stomp_py <<-\EOF
	import os, time
	from tamqnet import *
	q, r = os.environ["Q"], int(os.environ["R"])
	c = client()
	c.conn.subscribe("/queue/" + q, id="1", ack="auto")
	want = set("m %d" % i for i in range(r))
	deadline = time.monotonic() + 120
	while not want <= set(m.body for m in c.messages) and time.monotonic() < deadline:
	    time.sleep(0.1)
	# ActiveMQ keeps nothing of it now
	a = client(amq_stomp())
	a.conn.subscribe("/queue/" + q, id="1", ack="auto")
	a.sync()
	c.sync()
	got = [m.body for m in c.messages]
	check(not a.messages, "left on ActiveMQ: %r" % [m.body for m in a.messages][:10])
	dups = sorted(set(b for b in got if got.count(b) > 1))
	check(not dups, "stored twice: %r" % dups[:20])
	check(want <= set(got), "lost: %r" % sorted(want - set(got))[:20])
	check(set(got) <= want | {"m %d" % r}, "unexpected: %r" % sorted(set(got) - want)[:20])
	print("drained %d" % len(got))
	EOF
}

test_expect_success 'ActiveMQ with a networkConnector to t' '
	start_broker t &&
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" &&
	bridged 0
'

test_expect_success 'kill -9 of ActiveMQ while its bridge forwards: after its restart every receipted message is on t once' '
	hold kill.a &&
	{ PORT=$(broker_port t) N=$N stomp_py <<-\EOF >send.out 2>&1 & echo $! >send.pid; } &&
	import os
	from tamqnet import *
	a = client(amq_stomp())
	for i in range(int(os.environ["N"])):
	    try:
	        send_on(a, "/queue/kill.a", "m %d" % i, headers={"persistent": "true"})
	    except (SystemExit, Exception):	# the kill
	        break
	    print("receipted %d" % (i + 1), flush=True)
	EOF
	kill_when kill.a 200 amq &&
	{ wait "$(cat send.pid)" || :; } &&
	r=$(sed -n "s/^receipted //p" send.out | tail -1) &&
	say "$r receipted before the kill" &&
	test "$r" -gt 0 && test "$r" -lt "$N" &&
	n=$(grep -c "Network bridge from broker amq (" t/log) &&
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" &&
	bridged "$n" &&
	kill "$(cat hold.pid)" &&
	drain kill.a "$r"
'

test_expect_success 'kill -9 of t while the bridge forwards: after its restart every message is on t once' '
	hold kill.t &&
	n=$(grep -c "Network bridge from broker amq (" t/log) &&
	{ PORT=$(broker_port t) N=$N stomp_py <<-\EOF >send.out 2>&1 & echo $! >send.pid; } &&
	import os
	from tamqnet import *
	a = client(amq_stomp())
	for i in range(int(os.environ["N"])):
	    send_on(a, "/queue/kill.t", "m %d" % i, headers={"persistent": "true"})
	print("receipted %d" % int(os.environ["N"]), flush=True)
	EOF
	kill_when kill.t 200 t &&
	kill "$(cat hold.pid)" &&
	wait "$(cat send.pid)" &&
	grep -q "receipted $N" send.out &&
	start_broker t &&
	bridged "$n" &&
	drain kill.t "$N" &&
	log_contains t "Store .* opened: [1-9][0-9]* message(s) recovered"
'

test_done
