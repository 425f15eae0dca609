#!/bin/sh
# tandemctl against two live brokers: every command as a table and as
# --json, a node that is down, bad usage, checks that pass and fail, and
# the man page that documents it all.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto broker_config node1 && start_broker node1 || exit 1
MGMT_PORT=auto broker_config node2 && start_broker node2 || exit 1

M1=127.0.0.1:$(broker_mgmt_port node1)
M2=127.0.0.1:$(broker_mgmt_port node2)
DOWN=127.0.0.1:$(free_port)	# nothing listens there
BOTH="--node $M1 --node $M2"

# fill NAME QUEUE N: N persistent messages m0..m(N-1), each receipted,
# sent with python3-stomp to broker NAME.
fill() {
	PORT=$(broker_port "$1") stomp_py "$2" "$3" <<-\EOF
	import sys
	from tstomp import *
	c = client()
	for i in range(int(sys.argv[2])):
	    send_on(c, "/queue/" + sys.argv[1], "m%d" % i, headers={"persistent": "true"})
	c.close()
	EOF
}

test_expect_success '--help lists every command; COMMAND --help shows its options' '
	ctl --help >out &&
	for c in query bstat dstat list check browse purge send consume stop producer consumer; do
		grep -q "^  $c " out || { echo "no $c in --help"; exit 1; }
		ctl $c --help >cmd.out && grep -q "usage: tandemctl .*$c" cmd.out || exit 1
	done &&
	ctl check --help | grep -q -- "--max-size N"
'

test_expect_success 'bstat shows a row per node, both brokers masters' '
	ctl $BOTH bstat >out &&
	cat out &&
	head -1 out | grep -q "^NODE *NAME *ROLE *UPTIME" &&
	grep -q "^$M1 *node1 *master " out &&
	grep -q "^$M2 *node2 *master " out &&
	ctl $BOTH --json bstat >out.json &&
	json_true "[r[\"node\"] for r in rows] == [\"$M1\", \"$M2\"]" out.json &&
	json_true "[r[\"BrokerName\"] for r in rows] == [\"node1\", \"node2\"]" out.json &&
	json_true "all(r[\"role\"] == \"master\" and r[\"Slave\"] is False for r in rows)" out.json
'

test_expect_success 'send then consume round-trips a message, headers and all' '
	ctl --node $M1 send queue://ctl.rt --persistent --priority 6 --header color=blue \
		--body "hello there" >out &&
	grep -q "^$M1 *queue://ctl.rt *ID:" out &&
	ctl --node $M1 --json consume queue://ctl.rt >out.json &&
	json_true "len(rows) == 1 and rows[0][\"body\"] == \"hello there\"" out.json &&
	json_true "rows[0][\"headers\"][\"color\"] == \"blue\"" out.json &&
	json_true "rows[0][\"headers\"][\"persistent\"] == \"true\"" out.json &&
	json_true "rows[0][\"headers\"][\"priority\"] == \"6\"" out.json &&
	json_true "rows[0][\"node\"] == \"$M1\"" out.json
'

test_expect_success 'send --file sends a file; consume prints it as a table' '
	printf "from a file" >body.txt &&
	ctl --node $M1 send ctl.file --file body.txt >/dev/null &&
	ctl --node $M1 consume ctl.file >out &&
	head -1 out | grep -q "^NODE *MESSAGE-ID *BODY" &&
	grep -q "^$M1 .*from a file$" out
'

test_expect_success 'send to every node given: each node gets the message' '
	ctl $BOTH --json send ctl.both --body twice >out.json &&
	json_true "len(rows) == 2 and rows[0][\"id\"] and rows[1][\"id\"]" out.json &&
	ctl --node $M2 consume ctl.both | grep -q "twice$" &&
	ctl --node $M1 consume ctl.both | grep -q "twice$"
'

test_expect_success 'consume with a selector takes only the matching message' '
	ctl --node $M1 send ctl.sel --header kind=a --body first >/dev/null &&
	ctl --node $M1 send ctl.sel --header kind=b --body second >/dev/null &&
	ctl --node $M1 --json consume ctl.sel --selector "kind = '"'b'"'" >out.json &&
	json_true "[r[\"body\"] for r in rows] == [\"second\"]" out.json &&
	ctl --node $M1 --json consume ctl.sel >out.json &&
	json_true "[r[\"body\"] for r in rows] == [\"first\"]" out.json
'

test_expect_success 'consume fails (exit 1) when fewer messages than --count come in time' '
	ctl --node $M1 consume ctl.empty --timeout 1 >out 2>err
	test $? = 1 &&
	grep -q "0 of 1 message" err
'

test_expect_success 'list shows the queues and topics of each node' '
	fill node2 ctl.only2 1 &&
	ctl --node $M1 send topic://ctl.news --body news >/dev/null &&
	ctl $BOTH list >out &&
	grep -q "^$M1 *Topic *ctl.news$" out &&
	grep -q "^$M2 *Queue *ctl.only2$" out &&
	! grep -q "^$M1 .*ctl.only2" out &&
	ctl $BOTH --json list >out.json &&
	json_true "{\"node\": \"$M2\", \"type\": \"Queue\", \"name\": \"ctl.only2\"} in rows" out.json
'

test_expect_success 'dstat shows queue sizes; --sort and --limit page on the node' '
	fill node1 ctl.small 2 && fill node1 ctl.big 5 &&
	ctl --node $M1 dstat queues >out &&
	head -1 out | grep -q "^NODE *TYPE *NAME *SIZE *PRODUCERS *CONSUMERS *ENQUEUED *DEQUEUED *MEM%" &&
	grep -q "^$M1 *Queue *ctl.big *5 " out &&
	grep -q "^$M1 *Queue *ctl.small *2 " out &&
	! grep -q Topic out &&
	ctl --node $M1 --json dstat queues --sort -QueueSize --limit 1 >out.json &&
	json_true "[(r[\"Name\"], r[\"QueueSize\"]) for r in rows] == [(\"ctl.big\", 5)]" out.json &&
	ctl --node $M1 --json dstat queues --sort QueueSize --limit 2 >out.json &&
	json_true "[r[\"QueueSize\"] for r in rows] == sorted(r[\"QueueSize\"] for r in rows)" out.json &&
	ctl --node $M1 --json dstat topics >out.json &&
	json_true "rows and all(r[\"type\"] == \"Topic\" for r in rows)" out.json
'

test_expect_success 'query -QQueue= shows attributes; --view gives a column each' '
	ctl --node $M1 query -QQueue=ctl.sm* >out &&
	grep -q "destinationName=ctl.small *QueueSize *2$" out &&
	! grep -q "ctl.big" out &&
	ctl $BOTH query -QQueue=ctl.* --view QueueSize,EnqueueCount >out &&
	head -1 out | grep -q "^NODE *OBJECT *QueueSize *EnqueueCount$" &&
	grep -q "^$M1 .*destinationName=ctl.big *5 *5$" out &&
	grep -q "^$M2 .*destinationName=ctl.only2 *1 *1$" out &&
	ctl --node $M1 --json query -QQueue=ctl.big -QBroker=node* --view QueueSize,BrokerName >out.json &&
	json_true "rows[0][\"mbean\"].endswith(\"destinationName=ctl.big\") and rows[0][\"attributes\"][\"QueueSize\"] == 5" out.json &&
	json_true "rows[1][\"attributes\"][\"BrokerName\"] == \"node1\"" out.json &&
	ctl --node $M1 --json query -QBroker=node1 --view BrokerName >out.json &&
	json_true "rows == [{\"node\": \"$M1\", \"mbean\": \"org.apache.activemq:type=Broker,brokerName=node1\", \"attributes\": {\"BrokerName\": \"node1\"}}]" out.json
'

test_expect_success 'query without -Q shows every object of the broker' '
	ctl --node $M1 --json query >out.json &&
	json_true "any(r[\"mbean\"] == \"org.apache.activemq:type=Broker,brokerName=node1\" for r in rows)" out.json &&
	json_true "any(r[\"mbean\"].endswith(\"service=Health\") for r in rows)" out.json &&
	json_true "all(r[\"node\"] == \"$M1\" for r in rows)" out.json
'

test_expect_success 'query with a bad -Q is a usage error' '
	ctl --node $M1 query -QConsumer=x >out 2>err
	test $? = 2 && grep -q "QQueue=" err
'

test_expect_success 'browse shows waiting messages, bodies cut to 60 characters (whole in --json)' '
	long=$(printf "%0100d" 7) &&
	ctl --node $M1 send ctl.browse --persistent --priority 8 --body "$long" >/dev/null &&
	ctl --node $M1 send ctl.browse --body short >/dev/null &&
	ctl --node $M1 browse ctl.browse >out &&
	cat out &&
	head -1 out | grep -q "^NODE *ID *PRI *PERSISTENT *TIMESTAMP *BODY$" &&
	grep -q "^$M1 *ID:.* 8 *true .* $(printf "%057d" 0)\.\.\.$" out &&
	grep -q " false .* short$" out &&
	ctl --node $M1 --json browse ctl.browse >out.json &&
	json_true "[r[\"Text\"] for r in rows] == [\"$long\", \"short\"]" out.json &&
	ctl --node $M1 --json browse ctl.browse --limit 1 >out.json &&
	json_true "len(rows) == 1" out.json &&
	ctl --node $M1 dstat queues | grep -q "ctl.browse *2 "
'

test_expect_success 'purge empties a queue that a STOMP client filled, and says how many' '
	fill node1 ctl.purge 7 &&
	ctl --node $M1 purge ctl.purge >out &&
	head -1 out | grep -q "^NODE *QUEUE *REMOVED$" &&
	grep -q "^$M1 *ctl.purge *7$" out &&
	ctl --node $M1 --json query -QQueue=ctl.purge --view QueueSize >out.json &&
	json_true "rows[0][\"attributes\"][\"QueueSize\"] == 0" out.json &&
	PORT=$(broker_port node1) stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/ctl.purge", id="1")
	c.sync()
	check(not c.messages, "purged messages were delivered: %r" % [m.body for m in c.messages])
	c.close()
	EOF
	ctl --node $M1 --json purge ctl.purge >out.json &&
	json_true "rows == [{\"node\": \"$M1\", \"queue\": \"ctl.purge\", \"removed\": 0}]" out.json
'

test_expect_success 'purge of a queue that does not exist fails with exit 1' '
	ctl --node $M1 purge ctl.nosuch >out 2>err
	test $? = 1 && grep -q "$M1: no queue ctl.nosuch" err
'

test_expect_success 'check passes on healthy nodes (up and Health)' '
	ctl $BOTH check >out &&
	cat out &&
	grep -q "^$M1 *up *OK " out &&
	grep -q "^$M2 *health *OK *Good$" out &&
	ctl $BOTH check --master --bridges >out &&
	grep -q "^$M2 *master *OK" out &&
	grep -q "^$M1 *bridges *OK *no bridges$" out &&
	ctl $BOTH --json check --up >out.json &&
	json_true "[(r[\"node\"], r[\"check\"], r[\"ok\"]) for r in rows] == [(\"$M1\", \"up\", True), (\"$M2\", \"up\", True)]" out.json
'

test_expect_success 'check --queue fails when more than --max-size messages wait' '
	fill node1 ctl.check 3 &&
	ctl --node $M1 check --queue ctl.check --max-size 0 >out
	test $? = 1 &&
	grep -q "^$M1 *queue ctl.check *FAIL *QueueSize 3 > 0$" out &&
	ctl --node $M1 check --queue ctl.check --max-size 3 >out &&
	grep -q "queue ctl.check *OK" out &&
	ctl --node $M1 --json check --queue ctl.nosuch >out.json
	test $? = 1 &&
	json_true "rows[1][\"check\"] == \"queue ctl.nosuch\" and rows[1][\"status\"] == \"FAIL\"" out.json
'

test_expect_success 'a node that is down: exit 3, an error on stderr, the other rows printed' '
	ctl --node $M1 --node $DOWN --node $M2 bstat >out 2>err
	test $? = 3 &&
	grep -q "^$M1 *node1" out && grep -q "^$M2 *node2" out &&
	grep -q "tandemctl: $DOWN: cannot connect" err &&
	ctl --node $DOWN --node $M1 --json dstat >out.json 2>err
	test $? = 3 &&
	json_true "rows and all(r[\"node\"] == \"$M1\" for r in rows)" out.json &&
	ctl --node $DOWN --node $M1 check >out 2>err
	test $? = 3 &&
	grep -q "^$DOWN *up *FAIL" out && grep -q "^$M1 *health *OK" out
'

test_expect_success 'a node that accepts but never answers is given up after --timeout: exit 3' '
	"$PYTHON" - >silent.port <<-\EOF &
	import socket, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
	print(s.getsockname()[1]); sys.stdout.flush()
	time.sleep(30)
	EOF
	pid=$!
	for i in $(seq 100); do [ -s silent.port ] && break; sleep 0.1; done
	ctl --timeout 0.5 --node 127.0.0.1:$(cat silent.port) --node $M1 list >out 2>err
	code=$?
	kill $pid
	test $code = 3 && grep -q "no answer" err && grep -q "^$M1 " out
'

test_expect_success 'a cluster file gives the nodes and their pair names; # comments' '
	cat >cluster.txt <<-EOF &&
	# the two test brokers
	$M1 pairA

	$M2   pairB   # the second
	EOF
	ctl --cluster cluster.txt --json bstat >out.json &&
	json_true "[(r[\"node\"], r[\"pair\"]) for r in rows] == [(\"$M1\", \"pairA\"), (\"$M2\", \"pairB\")]" out.json &&
	printf "%s\n" "$M1 a b" >bad.txt &&
	ctl --cluster bad.txt bstat 2>err
	test $? = 2 && grep -q "bad.txt:1" err
'

test_expect_success 'bad usage exits 2' '
	for args in "nosuchcommand" "--nosuchoption bstat" "bstat --nosuchoption" \
		"dstat nonsense" "send ctl.x" "send ctl.x --body a --file b" "send" \
		"send ctl.x --priority 10 --body a" "browse" "purge" "--timeout x list" \
		"dstat --limit" "consumer --ack sometimes" "producer --size 3" "" \
		"consumer --total 5 --count 5" "consumer --prefetch 0" \
		"check --max-size 3" "--password p bstat"; do
		ctl --node $M1 $args >out 2>err
		code=$?
		[ $code = 2 ] || { echo "tandemctl $args: exit $code, not 2"; cat out err; exit 1; }
		[ -s err ] || { echo "tandemctl $args: nothing on stderr"; exit 1; }
	done
'

test_expect_success 'producer and consumer run a load and print msgs/s' '
	ctl --node $M1 producer --destination queue://ctl.load --count 100 --parallel 2 \
		--persistent --receipt-every 10 --size 64 >out &&
	cat out &&
	head -1 out | grep -q "^NODE *CLIENTS *MESSAGES *SECONDS *MSGS/S *P50_MS *P99_MS$" &&
	grep -q "^$M1 *2 *200 " out &&
	ctl --node $M1 --json consumer --destination queue://ctl.load --count 100 --parallel 2 \
		--ack client >out.json &&
	json_true "rows[0][\"messages\"] == 200 and rows[0][\"msgs_per_s\"] > 0" out.json &&
	json_true "0 <= rows[0][\"p50_ms\"] <= rows[0][\"p99_ms\"]" out.json &&
	ctl --node $M1 dstat queues | grep -q "ctl.load *0 "
'

test_expect_success 'consumer --total, --ready and --prefetch: competing consumers end together, a topic loses nothing' '
	rm -f ready &&
	{ ctl --node $M1 --json consumer --destination topic://ctl.bench --total 300 --ready ready \
		--timeout 20 >topic.json 2>topic.err & } && tpid=$! &&
	for i in $(seq 100); do [ -s ready ] && break; sleep 0.1; done &&
	grep -qx "$M1" ready &&
	ctl --node $M1 producer --destination topic://ctl.bench --count 300 >/dev/null &&
	wait $tpid &&
	json_true "rows[0][\"received\"] == 300" topic.json &&
	{ ctl --node $M1 --json consumer --destination queue://ctl.total --total 300 --parallel 3 \
		--prefetch 1 --timeout 20 >queue.json & } && qpid=$! &&
	ctl --node $M1 producer --destination queue://ctl.total --count 300 >/dev/null &&
	wait $qpid &&
	json_true "rows[0][\"received\"] == 300 and rows[0][\"clients\"] == 3" queue.json &&
	ctl --node $M1 consumer --destination queue://ctl.total --total 5 --timeout 1 >out 2>err
	test $? = 1 && grep -q "0 of 5 message(s) came in all" err
'

test_expect_success 'producer --stomp and --rate: 200 messages straight to a STOMP port' '
	ctl --json producer --stomp 127.0.0.1:$(broker_stomp_port node2) --destination ctl.rate \
		--count 200 --rate 2000 >out.json &&
	json_true "rows[0][\"messages\"] == 200 and rows[0][\"node\"].endswith(\":$(broker_stomp_port node2)\")" out.json &&
	ctl consumer --stomp 127.0.0.1:$(broker_port node2) --destination ctl.rate --count 200 >out &&
	grep -q " 200 " out
'

test_expect_success 'stop stops the broker; then the node counts as down (exit 3)' '
	ctl --node $M2 stop >out &&
	grep -q "^$M2 *node2 *stopping$" out &&
	pid=$(cat "$TRASH/node2/pid") &&
	for i in $(seq 200); do process_alive $pid || break; sleep 0.1; done &&
	! process_alive $pid &&
	rm -f "$TRASH/node2/pid" &&
	log_contains node2 "Tandem broker node2 stopped" &&
	ctl $BOTH list >out 2>err
	test $? = 3 && grep -q "^$M1 " out && grep -q "$M2" err
'

BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="secret" groups="admins"/>
</users></simpleAuthenticationPlugin></plugins>' MGMT_PORT=auto broker_config secure &&
start_broker secure || exit 1
MS=127.0.0.1:$(broker_mgmt_port secure)

test_expect_success 'a broker with users: refused without --user or with a wrong password (exit 1)' '
	ctl --node $MS bstat >out 2>err
	test $? = 1 && grep -q "$MS: .*status 401" err &&
	ctl --node $MS --user admin --password wrong bstat >out 2>err
	test $? = 1 && grep -q "status 401" err &&
	log_contains secure "Management login failed for user \[admin\]"
'

test_expect_success 'a broker with users: --user and --password log in, for STOMP too' '
	ctl --node $MS --user admin --password secret bstat >out &&
	grep -q "^$MS *secure *master" out &&
	ctl --node $MS --user admin --password secret send ctl.auth --body "let in" >/dev/null &&
	ctl --node $MS --user admin --password secret consume ctl.auth >out &&
	grep -q "let in$" out
'

test_expect_success 'tandemctl(1) documents every command and every option' '
	page="$TEST_ROOT/man/tandemctl.1" &&
	sed "s/\\\\-/-/g" "$page" >page.txt &&
	for c in $(ctl --help | sed -n "/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p"); do
		grep -q "^\.SS \"$c\b" page.txt || { echo "no section for $c"; exit 1; }
		for o in $(ctl $c --help | sed -n "s/^  \(--[A-Za-z-]*\|-[A-Za-z]\).*/\1/p"); do
			grep -q -e "$o" page.txt || { echo "$c $o is not in the man page"; exit 1; }
		done
	done &&
	for o in $(ctl --help | sed -n "s/^  \(--[a-z-]*\).*/\1/p"); do
		grep -q -e "$o" page.txt || { echo "$o is not in the man page"; exit 1; }
	done &&
	grep -q "^\.SH \"EXIT STATUS\"" page.txt && grep -q "^\.SH \"CLUSTER FILE\"" page.txt
'

test_expect_success 'the man page renders without warnings' '
	groff -ww -z -man "$TEST_ROOT/man/tandemctl.1" 2>err && [ ! -s err ] &&
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$TEST_ROOT/man/tandemctl.1" >/dev/null 2>err &&
	[ ! -s err ] || { cat err; exit 1; }
'

test_done
