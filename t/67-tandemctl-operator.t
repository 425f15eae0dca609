#!/bin/sh
# tandemctl as an operator meets it (issue 21): a slave named as such with
# the master of its pair, a node down kept in bstat, exit codes and option
# errors that say what was wrong, durations in one format, and ActiveMQ's
# habits: browse/purge --msgsel, purge with wildcards, query's --objname,
# -xQ and --xobjname.
. "$(dirname "$0")/test-lib.sh"

# a and b share a store: a is the master, b its slave.
MGMT_PORT=auto STORE_DIR=$TRASH/pair/kahadb broker_config a && start_broker a || exit 1
MGMT_PORT=auto STORE_DIR=$TRASH/pair/kahadb broker_config b && start_slave b || exit 1

MA=127.0.0.1:$(broker_mgmt_port a)
MB=127.0.0.1:$(broker_mgmt_port b)
DOWN=127.0.0.1:$(free_port)	# nothing listens there

test_expect_success 'every command against a slave says so, names the master and its address, exit 4' '
	for cmd in "dstat" "list" "browse q" "purge q" "send q --body x" \
		   "consume q --timeout 1" "producer --count 1" "consumer --count 1 --timeout 1"; do
		ctl --node $MB $cmd >out 2>err
		rc=$?
		[ $rc = 4 ] || { echo "$cmd: exit $rc"; cat err; exit 1; }
		grep -q "^tandemctl: $MB: b is a slave; the master of its pair is a at $MA" err ||
			{ echo "$cmd:"; cat err; exit 1; }
		[ ! -s out ] || { echo "$cmd printed:"; cat out; exit 1; }
	done &&
	process_alive "$(cat "$TRASH/b/pid")"
'

test_expect_success 'query against a slave says so (exit 4) and still shows its own objects' '
	ctl --node $MB --json query -QBroker=* --view Slave >out.json 2>err
	test $? = 4 &&
	grep -q "^tandemctl: $MB: b is a slave; the master of its pair is a at $MA" err &&
	json_true "[r[\"attributes\"] for r in rows] == [{\"Slave\": True}]" out.json
'

test_expect_success 'the master of a pair is asked as before; both nodes given: the master answers, exit 4' '
	ctl --node $MA send q --body one >out &&
	ctl --node $MA --node $MB --json dstat queues >out.json 2>err
	test $? = 4 &&
	json_true "[(r[\"node\"], r[\"Name\"], r[\"QueueSize\"]) for r in rows] == [(\"$MA\", \"q\", 1)]" out.json &&
	grep -q "b is a slave" err
'

test_expect_success 'bstat shows the slave as a slave (exit 0) and a node down as down (exit 3)' '
	ctl --node $MA --node $MB bstat >out &&
	grep -q "^$MB *b *slave " out &&
	ctl --node $MA --node $DOWN --node $MB bstat >out 2>err
	test $? = 3 &&
	cat out &&
	grep -q "^$DOWN *- *down " out &&
	grep -q "^$MA *a *master " out &&
	grep -q "^$MB *b *slave " out &&
	ctl --node $DOWN --json bstat >out.json
	test $? = 3 &&
	json_true "rows == [{\"node\": \"$DOWN\", \"role\": \"down\"}]" out.json
'

test_expect_success 'durations are compact: bstat UPTIME as ha WAITING (12.3s, 3m12s)' '
	ctl --node $MA --node $MB bstat >out &&
	awk "NR > 1 { print \$4 }" out >up &&
	cat up &&
	test "$(grep -c -E "^([0-9]+\.[0-9]s|[0-9]+m[0-9][0-9]s|[0-9]+h[0-9][0-9]m|[0-9]+d[0-9][0-9]h)$" up)" = 2 &&
	ctl --node $MB ha | grep -q -E " slave .* ([0-9]+\.[0-9]s|[0-9]+m[0-9][0-9]s)$"
'

test_expect_success 'option errors name the option and say what is wrong, exit 2' '
	ctl --node $MA dstat --sort >out 2>err
	test $? = 2 && grep -q "option --sort wants a value" err &&
	ctl --node $MA query -vQQueue=q >out 2>err
	test $? = 2 && grep -q "unknown option -v " err &&
	ctl --node $MA browse q --limit >out 2>err
	test $? = 2 && grep -q "option --limit wants a value" err &&
	ctl --bogus=1 --node $MA bstat >out 2>err
	test $? = 2 && grep -q "^tandemctl: unknown option --bogus " err &&
	ctl --node >out 2>err
	test $? = 2 && grep -q "^tandemctl: option --node wants a value" err
'

test_expect_success 'a --node that is no address is a usage error (2), not a node down (3)' '
	ctl --node nonsense bstat >out 2>err
	test $? = 2 && grep -q "^tandemctl: --node nonsense: expected HOST:PORT" err &&
	ctl --node 127.0.0.1:99999 bstat >out 2>err
	test $? = 2 && grep -q "^tandemctl: --node 127.0.0.1:99999: bad port" err
'

test_expect_success 'dstat --sort with an unknown column is a usage error; titles and any case sort' '
	ctl --node $MA dstat --sort Nope >out 2>err
	test $? = 2 && grep -q "sort Nope: no such column" err && [ ! -s out ] &&
	ctl --node $MA send big --body 1 >/dev/null && ctl --node $MA send big --body 2 >/dev/null &&
	ctl --node $MA --json dstat queues --sort -size >out.json &&
	json_true "[r[\"Name\"] for r in rows][:2] == [\"big\", \"q\"]" out.json &&
	ctl --node $MA --json dstat queues --sort queuesize >out.json &&
	json_true "[r[\"Name\"] for r in rows][-1] == \"big\"" out.json
'

# sel KIND...: one message per KIND on queue sel, header kind=KIND, body KIND.
sel() {
	for k in "$@"; do
		ctl --node $MA send sel --header kind=$k --body $k >/dev/null || return 1
	done
}

test_expect_success 'browse --msgsel shows only the messages the selector accepts' '
	sel red blue red &&
	ctl --node $MA --json browse sel --msgsel "kind = '"'red'"'" >out.json &&
	json_true "[r[\"Text\"] for r in rows] == [\"red\", \"red\"]" out.json &&
	ctl --node $MA --json browse sel >out.json &&
	json_true "len(rows) == 3" out.json &&
	ctl --node $MA browse sel --msgsel "kind = " >out 2>err
	test $? = 1 && grep -q "nvalid selector" err
'

test_expect_success 'purge --msgsel removes only the matching messages and says how many' '
	ctl --node $MA purge sel --msgsel "kind = '"'red'"'" >out &&
	grep -q "^$MA *sel *2$" out &&
	ctl --node $MA --json browse sel >out.json &&
	json_true "[r[\"Text\"] for r in rows] == [\"blue\"]" out.json &&
	PORT=$(broker_port a) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/sel", id="1")
	c.sync()
	check([m.body for m in c.messages] == ["blue"], "delivered: %r" % [m.body for m in c.messages])
	c.close()
	EOF
'

test_expect_success '--msgsel takes ActiveMQ'"'"'s form: conditions joined by commas, * and ? in quotes' '
	for k in apple apricot banana; do
		for p in 3 7; do
			ctl --node $MA send fruit --priority $p --header kind=$k --body $k.$p >/dev/null || exit 1
		done
	done &&
	ctl --node $MA --json browse fruit --msgsel "kind='"'ap*'"',JMSPriority>5" >out.json &&
	json_true "sorted(r[\"Text\"] for r in rows) == [\"apple.7\", \"apricot.7\"]" out.json &&
	ctl --node $MA --json browse fruit --msgsel "kind='"'?anana'"'" >out.json &&
	json_true "sorted(r[\"Text\"] for r in rows) == [\"banana.3\", \"banana.7\"]" out.json &&
	ctl --node $MA --json browse fruit --msgsel "kind IN ('"'apple'"', '"'banana'"'),JMSPriority<5" >out.json &&
	json_true "sorted(r[\"Text\"] for r in rows) == [\"apple.3\", \"banana.3\"]" out.json &&
	ctl --node $MA purge fruit --msgsel "kind='"'ap*'"',JMSPriority=3" >out &&
	grep -q "^$MA *fruit *2$" out &&
	ctl --node $MA --json browse fruit >out.json &&
	json_true "sorted(r[\"Text\"] for r in rows) == [\"apple.7\", \"apricot.7\", \"banana.3\", \"banana.7\"]" out.json
'

test_expect_success 'purge takes wildcards: queue://orders.> empties orders and below, nothing else' '
	for d in orders orders.eu orders.eu.fr ordersx other; do
		ctl --node $MA send $d --body m >/dev/null || exit 1
	done &&
	ctl --node $MA --json purge "queue://orders.>" >out.json &&
	json_true "sorted((r[\"queue\"], r[\"removed\"]) for r in rows) == [(\"orders\", 1), (\"orders.eu\", 1), (\"orders.eu.fr\", 1)]" out.json &&
	ctl --node $MA --json dstat queues >out.json &&
	json_true "{r[\"Name\"]: r[\"QueueSize\"] for r in rows if r[\"Name\"].startswith(\"o\")} == {\"orders\": 0, \"orders.eu\": 0, \"orders.eu.fr\": 0, \"ordersx\": 1, \"other\": 1}" out.json &&
	ctl --node $MA purge "orders.*.*" >out &&
	grep -q "orders.eu.fr *0$" out &&
	ctl --node $MA purge "nothing.>" >out 2>err
	test $? = 1 && grep -q "no queue matches nothing.>" err
'

test_expect_success 'query takes ActiveMQ'"'"'s --objname, -xQ and --xobjname' '
	ctl --node $MA --json query --objname "type=Broker,brokerName=a,destinationType=Queue,destinationName=orders*" --view QueueSize >out.json &&
	json_true "sorted(r[\"mbean\"].split(\"=\")[-1] for r in rows) == [\"orders\", \"orders.eu\", \"orders.eu.fr\", \"ordersx\"]" out.json &&
	ctl --node $MA --json query -QQueue=orders* -xQQueue=orders.* --view QueueSize >out.json &&
	json_true "sorted(r[\"mbean\"].split(\"=\")[-1] for r in rows) == [\"orders\", \"ordersx\"]" out.json &&
	ctl --node $MA --json query -QQueue=orders* --xobjname "org.apache.activemq:type=Broker,brokerName=*,destinationType=Queue,destinationName=ordersx" --view QueueSize >out.json &&
	json_true "sorted(r[\"mbean\"].split(\"=\")[-1] for r in rows) == [\"orders\", \"orders.eu\", \"orders.eu.fr\"]" out.json &&
	ctl --node $MA query -xTopic=x >out 2>err
	test $? = 2 && grep -q "xQQueue=" err
'

test_expect_success 'stop stops a slave too: it is no refusal (exit 0)' '
	ctl --node $MB stop >out &&
	grep -q "^$MB *b *stopping$" out &&
	for i in $(seq 100); do [ -f "$TRASH/b/exit" ] && break; sleep 0.1; done &&
	test "$(cat "$TRASH/b/exit")" = 0 &&
	rm "$TRASH/b/pid" &&
	log_contains b "Tandem broker [^ ]* stopped"
'

test_expect_success 'tandemctl(1) documents exit status 4 and the new options' '
	page="$TEST_ROOT/man/tandemctl.1" &&
	sed -n "/^\.SH \"EXIT STATUS\"/,/^\.SH EXAMPLES/p" "$page" >exit.txt &&
	grep -q "^\.B 4$" exit.txt && grep -q "slave" exit.txt &&
	for o in msgsel objname xobjname; do grep -q "$o" "$page" || { echo "no $o"; exit 1; }; done
'

test_done
