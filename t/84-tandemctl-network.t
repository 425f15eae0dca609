#!/bin/sh
# tandemctl network: two brokers bridged both ways, a consumer on b of
# messages sent on a. One row a bridge (a to b, b to a) with its state,
# what it forwarded, what the other way forwarded, the rate and the
# demand; as --json; with no second reading; a node without bridges; and
# after b is killed -9, a bridge that is not active and a node that is down.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
# Each broker's port is chosen first, so that the other's configuration
# can name it (as in t/80-network.t).
net() {
	echo "<networkConnectors><networkConnector name=\"net\" uri=\"static:(tcp://127.0.0.1:$1)\"
	  prefetchSize=\"1000\" decreaseNetworkConsumerPriority=\"true\"/></networkConnectors>"
}
mkdir -p a b && free_port >a/port && free_port >b/port &&
BROKER_EXTRA=$(net "$(cat b/port)") broker_config a &&
BROKER_EXTRA=$(net "$(cat a/port)") broker_config b &&
broker_config c || exit 1
start_broker a && start_broker b && start_broker c || exit 1
log_waits_for a "Network connection between a and b" || exit 1
log_waits_for b "Network connection between b and a" || exit 1

MA=127.0.0.1:$(broker_mgmt_port a)
MB=127.0.0.1:$(broker_mgmt_port b)
MC=127.0.0.1:$(broker_mgmt_port c)

# A consumer of net.ctl on b for the whole test (the demand a forwards
# for): it says when it is subscribed, writes the bodies of the first 20
# messages to sub.got, and goes when sub.done appears.
{ PORT=$(broker_port b) stomp_py >sub.out 2>&1 <<-\EOF & }
import os, time
from tstomp import *
c = subscriber("/queue/net.ctl")
open("sub.ready", "w").close()
got = c.wait_bodies(20, timeout=60)
open("sub.got.tmp", "w").write("\n".join(got) + "\n")
os.rename("sub.got.tmp", "sub.got")
while not os.path.exists("sub.done"):
    time.sleep(0.1)
c.close()
EOF
test_pids="$test_pids $!"

# forwarded N: waits (5 s at most) until a's bridge has forwarded N
# messages in all, counted when b's receipt comes back.
forwarded() {
	for i in $(seq 50); do
		ctl --node $MA --json network --interval 0 >fwd.json &&
		json_true "rows[0][\"EnqueueCounter\"] == $1" fwd.json >/dev/null && return 0
		sleep 0.1
	done
	json_true "rows[0][\"EnqueueCounter\"] == $1" fwd.json
}

# send_a N: N persistent messages to net.ctl on a, each receipted, DELAY
# seconds apart (default none); with GATE=K, the first K, then none until
# the file go exists.
send_a() {
	PORT=$(broker_port a) stomp_py "$1" "${DELAY:-0}" "${GATE:--1}" <<-\EOF
	import os, sys, time
	from tstomp import *
	p = client()
	for i in range(int(sys.argv[1])):
	    if i == int(sys.argv[3]):
	        open("gated", "w").close()
	        while not os.path.exists("go"):
	            time.sleep(0.01)
	    send_on(p, "/queue/net.ctl", "m%d" % i, headers={"persistent": "true"})
	    time.sleep(float(sys.argv[2]))
	p.close()
	EOF
}

test_expect_success 'messages sent on a reach the consumer on b over the bridge' '
	for i in $(seq 100); do [ -f sub.ready ] && break; sleep 0.1; done &&
	for i in $(seq 100); do
		ctl --node $MA --json network --interval 0 >demand.json &&
		grep -q "queue://net.ctl" demand.json && break
		sleep 0.1
	done &&
	send_a 20 &&
	for i in $(seq 150); do [ -f sub.got ] && break; sleep 0.1; done &&
	{ [ "$(wc -l <sub.got)" = 20 ] || { cat sub.out; exit 1; }; } &&
	forwarded 20
'

test_expect_success 'network prints a row per bridge of every node: from, to, state, forwarded, back, rate, demand' '
	ctl --node $MA --node $MB network --interval 0.3 >out &&
	cat out &&
	[ "$(wc -l <out)" = 3 ] &&
	head -1 out | grep -q "^NODE *FROM *TO *STATE *FORWARDED *BACK *RATE *DEMAND *LAST-ERROR$" &&
	grep -q "^$MA *a *b *active for [0-9.]*s *20 *0 *0 *queue://net.ctl *-$" out &&
	grep -q "^$MB *b *a *active for [0-9.]*s *0 *20 *0 .*-$" out
'

test_expect_success 'network --json carries every attribute of each bridge, and what the table shows' '
	ctl --node $MA --node $MB --json network --interval 0.3 >out.json &&
	json_true "[(r[\"node\"], r[\"from\"], r[\"to\"]) for r in rows] == [(\"$MA\", \"a\", \"b\"), (\"$MB\", \"b\", \"a\")]" out.json &&
	json_true "[(r[\"EnqueueCounter\"], r[\"back\"]) for r in rows] == [(20, 0), (0, 20)]" out.json &&
	json_true "all(r[\"State\"] == \"active\" and r[\"state\"].startswith(\"active for \") and r[\"state_ms\"] >= 0 for r in rows)" out.json &&
	json_true "all(r[\"rate\"] == 0 and r[\"RemoteBrokerName\"] == r[\"to\"] and r[\"NetworkConnectorName\"] == \"net\" for r in rows)" out.json &&
	json_true "rows[0][\"Demand\"] == rows[0][\"demand\"] == \"queue://net.ctl\"" out.json &&
	json_true "rows[0][\"RemoteAddress\"] == \"127.0.0.1:$(broker_port b)\" and rows[0][\"Connects\"] == 1" out.json &&
	json_true "\"LocalAddress\" in rows[0] and \"StateSinceMillis\" in rows[0] and \"LastError\" in rows[0]" out.json &&
	json_true "all(\"mbean\" in r and \"networkBridge=\" in r[\"mbean\"] and \"error\" not in r for r in rows)" out.json
'

# No rate is asserted, only that one is measured: the sender is held
# until the reading starts and then sends for longer than its interval.
test_expect_success 'RATE is the messages a second forwarded between two readings' '
	{ GATE=20 DELAY=0.02 send_a 100 >send.out 2>&1 & } && spid=$! &&
	for i in $(seq 300); do [ -f gated ] && break; sleep 0.1; done &&
	{ ctl --node $MA --json network --interval 1 >rate.json & } && cpid=$! &&
	touch go &&
	wait $cpid && wait $spid &&
	json_true "rows[0][\"rate\"] > 0" rate.json
'

test_expect_success '--interval 0 reads once: RATE is "-"' '
	forwarded 120 &&
	ctl --node $MA --node $MB network --interval 0 >out &&
	cat out &&
	grep -q "^$MA *a *b *active for [0-9.]*s *120 *0 *- *queue://net.ctl *-$" out &&
	grep -q "^$MB *b *a *active for [0-9.]*s *0 *120 *- " out &&
	ctl --node $MA --json network --interval 0 >out.json &&
	json_true "\"rate\" not in rows[0]" out.json &&
	! ctl network --interval -1 2>err && grep -q -- "--interval wants seconds" err
'

test_expect_success 'a node without bridges gives no rows, and that is no error' '
	ctl --node $MC network --interval 0 >out && [ ! -s out ] &&
	ctl --node $MC --json network >out.json && json_true "rows == []" out.json &&
	ctl --node $MC --node $MA network --interval 0 >out && [ "$(wc -l <out)" = 2 ]
'

test_expect_success 'after b is killed -9: the bridge from a is not active, with its error; b is down (exit 3)' '
	kill_broker b &&
	for i in $(seq 100); do
		ctl --node $MA --json network --interval 0 >down.json &&
		json_true "rows[0][\"State\"] != \"active\"" down.json 2>/dev/null && break
		sleep 0.1
	done &&
	{ ctl --node $MA --node $MB network --interval 0 >out 2>err; rc=$?; } &&
	cat out err &&
	[ $rc = 3 ] &&
	grep -q "$MB" err &&
	[ "$(wc -l <out)" = 2 ] &&
	grep -q "^$MA *a *\(b\|127.0.0.1:$(broker_port b)\) *\(backing off\|connecting\) for [0-9.]*s .*\(closed\|cannot connect\)" out &&
	ctl --node $MA --json network --interval 0 >out.json &&
	json_true "rows[0][\"error\"] == rows[0][\"LastError\"] != \"\" and \"back\" not in rows[0]" out.json
'

touch sub.done
test_done
