#!/bin/sh
# Clients that follow the master: failover URIs in --stomp, a producer
# that sends again what no RECEIPT answered for, consumers that reconnect
# and subscribe again, and `tandemctl ha` over a pair on one store.
. "$(dirname "$0")/test-lib.sh"

# The shell that waits for a broker says "Killed" on its stderr when the
# broker is killed -9, as these are: not worth a line in prove's output.
MGMT_PORT=auto broker_config a && start_broker a 2>/dev/null || exit 1
MGMT_PORT=auto broker_config b && start_broker b 2>/dev/null || exit 1

A=127.0.0.1:$(broker_stomp_port a)
B=127.0.0.1:$(broker_stomp_port b)
MA=127.0.0.1:$(broker_mgmt_port a)
MB=127.0.0.1:$(broker_mgmt_port b)
DOWN=127.0.0.1:$(free_port)	# nothing listens there
FAST="randomize=false&initialReconnectDelay=10&maxReconnectDelay=200"

# summary FILE WORD: the number after WORD in tandemctl's summary line.
summary() {
	sed -n "s/^tandemctl \(producer\|consumer\): .*[ ,]$2 \([0-9]*\).*/\2/p" "$1"
}

# no_loss COUNT RECEIPTED RESENT GOT...: RECEIPTED holds 1..COUNT once
# each; every one of them is in the GOT files; a number is there twice
# only as often as the producer sent a message again.
no_loss() {
	"$PYTHON" - "$@" <<-\EOF
	import sys
	count, rec, resent = int(sys.argv[1]), [int(l) for l in open(sys.argv[2])], int(sys.argv[3])
	got = [int(l.split()[0]) for f in sys.argv[4:] for l in open(f)]
	dups = len(got) - len(set(got))
	print("receipted %d, received %d (%d distinct), duplicates %d, resent %d"
	      % (len(rec), len(got), len(set(got)), dups, resent))
	if sorted(rec) != list(range(1, count + 1)):
	    sys.exit("the receipted numbers are not 1..%d once each" % count)
	lost = sorted(set(rec) - set(got))
	if lost:
	    sys.exit("lost: %s" % lost[:20])
	if dups > resent:
	    sys.exit("more duplicates than messages sent again")
	EOF
}

# restart NAME: the broker again, on its store and ports, after a kill.
restart() {
	start_broker "$1"
}

test_expect_success 'a --stomp URI that does not parse is a usage error (exit 2) saying why' '
	for uri in "failover:(tcp://$A" "failover:(tcp://$A)?bogus=1" "failover:(tcp://$A)?randomize=maybe" \
		"failover:(ssl://$A)" "tcp://nohost" "failover:tcp://$A,tcp://$B?randomize=false" \
		"failover:()" "failover:(tcp://$A)?maxReconnectAttempts=-5"; do
		for cmd in producer consumer "consume q"; do
			ctl $cmd --stomp "$uri" >out 2>err
			code=$?
			[ $code = 2 ] || { echo "$cmd --stomp $uri: exit $code, not 2"; cat out err; exit 1; }
			grep -q -e "--stomp" err || { echo "$cmd --stomp $uri:"; cat err; exit 1; }
		done
	done &&
	ctl producer --stomp "failover:(tcp://$A)?bogus=1" 2>err
	grep -q "unknown option \"bogus\" (tandemctl knows randomize, initialReconnectDelay," err &&
	ctl consumer --stomp "failover:(tcp://$A)?Timeout=1" 2>err
	grep -q "did you mean timeout?" err &&
	ctl consume q --stomp "failover:(tcp://$A" 2>err
	grep -q "no \")\" closes the list" err
'

test_expect_success 'a refused address in the list is skipped; every message goes to the next' '
	ctl producer --stomp "failover:(tcp://$DOWN,tcp://$A)?$FAST" --destination fo.skip \
		--count 50 --persistent --receipt-every 10 --receipted rec.txt >out 2>err &&
	cat err &&
	grep -q "^tandemctl producer: failover:.*: sent 50, receipted 50, resent 0, reconnects 0$" err &&
	seq 50 | cmp - rec.txt &&
	ctl --json consumer --stomp "failover:$DOWN,stomp://$A" --destination fo.skip --count 50 \
		--received got.txt >out.json 2>err &&
	grep -q "^tandemctl consumer: failover:.*: received 50, redelivered 0, reconnects 0$" err &&
	seq 50 >seq50.txt && cut -d" " -f1 got.txt | cmp - seq50.txt &&
	grep -q "^1 ID:" got.txt &&
	grep -q "\"received\": 50" out.json && grep -q "\"reconnects\": 0" out.json
'

test_expect_success 'a plain address that refuses is an error; a failover list that all refuse gives up' '
	ctl producer --stomp $DOWN --count 1 >out 2>err
	test $? = 1 && grep -q "client 1: $DOWN: cannot connect" err &&
	ctl producer --stomp "failover:($DOWN,$DOWN)?maxReconnectAttempts=3&initialReconnectDelay=1" \
		--count 1 >out 2>err
	test $? = 1 && grep -q "gave up after 3 attempt(s)" err &&
	ctl --timeout 1 consume q --stomp "failover:($DOWN)?initialReconnectDelay=100" --timeout 1 >out 2>err
	test $? = 3 && grep -q "gave up after .* attempt(s) in 1\.[0-9]s" err
'

# produce_through_kill URI DEST NAME: 3000 persistent messages through
# URI, 1500 a second, a RECEIPT every 10, with broker NAME killed -9 once
# 500 are receipted: the producer finishes after one reconnection. Its
# receipted numbers are left in rec.txt, its summary in err.
produce_through_kill() {
	rm -f rec.txt &&
	{ ctl producer --stomp "$1" --destination "$2" --count 3000 --rate 1500 --persistent \
		--receipt-every 10 --receipted rec.txt >out 2>err & } &&
	p=$! &&
	wait_lines rec.txt 500 100 &&
	kill_broker "$3" &&
	wait $p &&
	cat err &&
	test "$(summary err reconnects)" = 1 &&
	test "$(summary err receipted)" = 3000
}

test_expect_success 'kill -9 of A mid-run: the producer goes on at B; every receipted message is on A or B' '
	produce_through_kill "failover:(tcp://$A,tcp://$B)?$FAST" fo.kill a &&
	restart a &&
	ctl consumer --stomp $A --destination fo.kill --count 0 --timeout 1 --received gotA.txt >/dev/null 2>&1 &&
	ctl consumer --stomp $B --destination fo.kill --count 0 --timeout 1 --received gotB.txt >/dev/null 2>&1 &&
	test -s gotA.txt && test -s gotB.txt &&
	no_loss 3000 rec.txt "$(summary err resent)" gotA.txt gotB.txt
'

test_expect_success 'consume through a failover URI: the second message comes from B after A died' '
	{ ctl consume fo.one --stomp "failover:(tcp://$A,tcp://$B)?$FAST" --count 2 --timeout 10 >out 2>err & } &&
	c=$! &&
	ctl --node $MA send fo.one --body first >/dev/null &&
	for i in $(seq 100); do
		ctl --node $MA --json query -QQueue=fo.one --view DequeueCount >q.json &&
		grep -q "\"DequeueCount\": 1" q.json && break
		sleep 0.1
	done &&
	kill_broker a &&
	ctl --node $MB send fo.one --body second >/dev/null &&
	wait $c &&
	cat out err &&
	grep -q " first$" out && grep -q " second$" out &&
	restart a
'

test_expect_success 'consumer reconnects and subscribes again when its broker dies, with client acks' '
	rm -f got.txt &&
	{ ctl consumer --stomp "failover:(tcp://$A,tcp://$B)?$FAST" --destination fo.sub --count 0 \
		--timeout 3 --ack client --received got.txt >out 2>err & } &&
	c=$! &&
	ctl producer --stomp $A --destination fo.sub --count 100 --persistent 2>/dev/null >/dev/null &&
	wait_lines got.txt 100 100 &&
	kill_broker a &&
	ctl producer --stomp $B --destination fo.sub --count 100 --persistent 2>/dev/null >/dev/null &&
	wait $c &&
	cat err &&
	test "$(summary err reconnects)" = 1 &&
	"$PYTHON" - got.txt <<-\EOF &&
	import collections, sys
	n = collections.Counter(int(l.split()[0]) for l in open(sys.argv[1]))
	# 1..100 from A, then 1..100 again from B
	bad = [i for i in range(1, 101) if n[i] < 2]
	sys.exit("not twice: %s" % bad[:20] if bad else 0)
	EOF
	restart a
'

STORE=$TRASH/pair/kahadb
STORE_DIR=$STORE MGMT_PORT=auto broker_config p1 &&
STORE_DIR=$STORE MGMT_PORT=auto broker_config p2 || exit 1
P1=127.0.0.1:$(broker_mgmt_port p1)
P2=127.0.0.1:$(broker_mgmt_port p2)
S1=127.0.0.1:$(broker_stomp_port p1)
S2=127.0.0.1:$(broker_stomp_port p2)

test_expect_success 'ha: the master, the waiting slave, who holds the lock and how long the slave waits' '
	start_broker p1 && start_slave p2 &&
	sleep 0.2 &&
	ctl --node $P1 --node $P2 ha >out &&
	cat out &&
	head -1 out | grep -q "^PAIR *NODE *BROKER *ROLE *HOLDER *WAITING$" &&
	grep -q "^$STORE *$P1 *p1 *master *p1 on .* pid $(cat p1/pid) since .* *-$" out &&
	grep -q "^$STORE *$P2 *p2 *slave *p1 on .* pid $(cat p1/pid) since .* [0-9]*\.[0-9]s$" out &&
	printf "%s pairA\n%s pairA\n" $P1 $P2 >cluster.txt &&
	ctl --cluster cluster.txt --json ha >out.json &&
	json_true "[(r[\"node\"], r[\"pair\"], r[\"role\"]) for r in rows] == [(\"$P1\", \"pairA\", \"master\"), (\"$P2\", \"pairA\", \"slave\")]" out.json &&
	json_true "rows[0][\"LockFile\"] == \"$STORE/lock\" and rows[0][\"Slave\"] is False and \"waiting\" not in rows[0]" out.json &&
	json_true "rows[1][\"Slave\"] is True and rows[1][\"waiting_ms\"] >= 200 and rows[1][\"WaitingSince\"].endswith(\"Z\")" out.json &&
	json_true "rows[1][\"Attempts\"] >= 1 and any(\"waiting\" in e[\"event\"] for e in rows[1][\"Events\"])" out.json
'

test_expect_success 'ha after kill -9 of the master: the slave took over, the old master is down (exit 3)' '
	kill_broker p1 &&
	broker_waits_until p2 "become master" broker_listens &&
	ctl --node $P1 --node $P2 ha >out 2>err
	test $? = 3 &&
	cat out err &&
	grep -q "^- *$P1 *- *down *- *-$" out &&
	grep -q "^$STORE *$P2 *p2 *master *p2 on .* pid $(cat p2/pid) since " out &&
	grep -q "tandemctl: $P1: cannot connect" err &&
	ctl --node $P2 --json ha >out.json &&
	json_true "rows[0][\"role\"] == \"master\" and rows[0][\"WaitingSinceMillis\"] == 0" out.json
'

test_expect_success 'a producer through failover:(slave,master) follows the pair over a takeover, losing nothing' '
	start_slave p1 &&
	produce_through_kill "failover:(tcp://$S1,tcp://$S2)?$FAST" fo.pair p2 &&
	broker_waits_until p1 "become master" broker_listens &&
	ctl --node $P1 ha | grep -q " p1 *master " &&
	rm -f got.txt &&
	ctl consumer --stomp "failover:(tcp://$S2,tcp://$S1)" --destination fo.pair --count 0 \
		--timeout 1 --received got.txt >/dev/null 2>&1 &&
	no_loss 3000 rec.txt "$(summary err resent)" got.txt
'

test_done
