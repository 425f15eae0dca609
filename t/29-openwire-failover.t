#!/bin/sh
# OpenWire through failover: Debian's ActiveMQ JMS client (libactivemq-java)
# with a failover:(...) URL against the seed pair (master and slave on one
# store, as t/70-ha.t starts them) through kill -9 of the master: every
# message sent is received, none is stored twice (the producer audit,
# also across the takeover); then two pairs bridged: a JMS producer on one
# and a consumer on the other, updateClusterClients leading a client that
# knew one node to the other pair, the connections and subscriptions in
# management and tandemctl, and unacknowledged messages of a client whose
# connection is lost coming again JMSRedelivered.
# t/lib/JmsFailover.java is the application, compiled here.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsFailover.java

# jmsf ARGS...: the JMS application.
jmsf() {
	java -cp "$TRASH/jms:$JAVA_CP" JmsFailover "$@"
}

# pair_url X Y: a failover URL over X's and Y's tcp:// connectors, with
# which the client follows the master quickly.
pair_url() {
	echo "failover:(tcp://127.0.0.1:$(broker_port $1),tcp://127.0.0.1:$(broker_port $2))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100"
}

# killed NAME: NAME was killed by a command of the application; forget it
# once its exit is seen.
killed() {
	for i in $(seq 200); do
		[ -f "$TRASH/$1/exit" ] && rm -f "$TRASH/$1/pid" && return 0
		sleep 0.05
	done
	echo "$1 did not exit"
	return 1
}

# master_of X Y: the one of X and Y that serves clients now (20 s at most).
master_of() {
	for i in $(seq 200); do
		for n in "$@"; do
			[ -f "$TRASH/$n/pid" ] && port_open "$(broker_port $n)" && echo $n && return 0
		done
		sleep 0.1
	done
	return 1
}

# queue_size NODE QUEUE: QueueSize as NODE's management socket says (0
# when the queue does not exist).
queue_size() {
	MPORT=$(broker_mgmt_port "$1") stomp_py "$1" "$2" <<-\EOF
	import sys
	from tmgmt import *
	r = Mgmt().req({"type": "read", "mbean": queue_name(sys.argv[1], sys.argv[2]),
	                "attribute": "QueueSize"})
	print(r.get("value", 0) if r.get("status") == 200 else 0)
	EOF
}

export STORE_DIR=$TRASH/shared/kahadb
export MGMT_PORT=auto

test_expect_success 'the seed pair through kill -9 of the master: every message a JMS producer sent (sync, persistent) reaches the JMS consumer, none is stored twice' '
	start_broker a &&
	start_slave b &&
	jmsf stream "$(pair_url a b)" q.stream 400 150 "kill -9 $(cat "$TRASH/a/pid")" >out ||
		{ cat out; exit 1; }
	cat out &&
	killed a &&
	grep -qx "sent 400" out && grep -qx "distinct 400" out &&
	grep -qx "again unmarked 0" out &&
	test "$(master_of b)" = b &&
	test "$(queue_size b q.stream)" = 0 &&
	test "$(queue_size b ActiveMQ.DLQ)" = 0
'

test_expect_success 'a resend with the same MessageId (as the failover transport resends an unanswered send) is not stored again, also by the master that takes over' '
	start_slave a &&
	jmsf resend "$(pair_url b a)" q.audit ID:resender-1:1:1 1 2 2 3 1 >out &&
	test "$(queue_size b q.audit)" = 3 &&
	kill_broker b &&
	test "$(master_of a)" = a &&
	jmsf resend "$(pair_url a b)" q.audit ID:resender-1:1:1 3 4 >out &&
	test "$(queue_size a q.audit)" = 4 &&
	jmsf drain "$(pair_url a b)" q.audit >got &&
	printf "r%s|null\\n" 1 2 3 4 >want &&
	diff want got
'

test_expect_success 'kill -9 of the master while a client-acknowledge consumer holds messages unacked: the new master delivers them again JMSRedelivered, JMSXDeliveryCount 2 (the dispatch marks of the store)' '
	start_slave b &&
	url=$(pair_url a b) &&
	for i in 1 2 3; do jmsf send "$url" q.held "h$i" "c$i" || exit 1; done &&
	jmsf hold "$url" q.held 3 "kill -9 $(cat "$TRASH/a/pid")" >out || { cat out; exit 1; }
	killed a &&
	test "$(master_of b)" = b &&
	printf "h%s redelivered=true count=2\\n" 1 2 3 >want &&
	diff want out &&
	test "$(queue_size b q.held)" = 0
'

# The two pairs of the seed, bridged (two_pairs_config); a1's and a2's
# tcp:// connectors tell failover clients of the cluster, and b1 has one
# more, "rebalance" (its port in b1/rb_port), that spreads them.
cluster_config() {
	two_pairs_config &&
	for n in a1 a2; do
		sed -i "s|<transportConnector name=\"auto\"|& updateClusterClients=\"true\" updateClusterClientsOnRemove=\"true\"|" \
			"$TRASH/$n/broker.xml" || return 1
	done &&
	free_port >"$TRASH/b1/rb_port" &&
	sed -i "s|<transportConnectors>|&<transportConnector name=\"rebalance\" rebalanceClusterClients=\"true\" uri=\"tcp://127.0.0.1:$(cat "$TRASH/b1/rb_port")\"/>|" \
		"$TRASH/b1/broker.xml"
}

test_expect_success 'a JMS producer on one pair, a JMS consumer on the other: the network of brokers carries the text and the JMSCorrelationID' '
	cluster_config &&
	start_bridged a1:b1 b1:a1 &&
	start_slave a2 && start_slave b2 &&
	jmsf send "$(pair_url a1 a2)" q.cross "across the network" corr-7 &&
	jmsf drain "$(pair_url b1 b2)" q.cross 1 >got &&
	echo "across the network|corr-7" >want &&
	diff want got
'

test_expect_success 'rebalanceClusterClients: of two clients of one node, the first stays, the second is sent to the other pair' '
	url="failover:(tcp://127.0.0.1:$(cat "$TRASH/b1/rb_port"))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100" &&
	jmsf moved "$url" 2000 >first &&
	jmsf moved "$url" 20000 >second &&
	echo "broker b1" >want1 && echo "broker a1" >want2 &&
	diff want1 first &&
	# It may have moved before its first BrokerInfo was read.
	tail -n 1 second | diff want2 -
'

test_expect_success 'updateClusterClients: a client that knew only one node reaches the other pair when that node dies' '
	url="failover:(tcp://127.0.0.1:$(broker_port a1))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100&maxReconnectAttempts=100" &&
	{ timeout 120 java -cp "$TRASH/jms:$JAVA_CP" JmsFailover broker "$url" \
		"kill -9 $(cat "$TRASH/a1/pid"); kill -9 $(cat "$TRASH/a2/pid")" >out || true; } &&
	killed a1 && killed a2 &&
	cat out &&
	printf "broker a1\\nbroker b1\\n" >want &&
	diff want out
'

test_expect_success 'management: a JMS connection and its subscription show protocol openwire, the client id, the user and their counts, also in tandemctl connections and tandemtop'"'"'s Connections screen; the connector says it serves OpenWire' '
	log_contains b1 "Listening for connections at: tcp://127.0.0.1:$(broker_port b1) (.*OpenWire detected" &&
	url=$(pair_url b1 b2) &&
	jmsf send "$url" q.mgmt one c1 && jmsf send "$url" q.mgmt two c2 &&
	{ java -Duser=app -Dpassword=secret -DclientId=jms-watched -Dquiet=60000 -cp "$TRASH/jms:$JAVA_CP" \
		JmsFailover drain "$url" q.mgmt 3 >drained & } &&
	MPORT=$(broker_mgmt_port b1) stomp_py <<-\EOF &&
	import time
	from tmgmt import *
	m = Mgmt()
	subs = {}
	for i in range(300):
	    subs = m.read(queue_name("b1", "q.mgmt") + ",endpoint=Consumer,*")
	    if isinstance(subs, dict) and subs and list(subs.values())[0]["DequeueCounter"] == 2:
	        break
	    time.sleep(0.1)
	check(len(subs) == 1, subs)
	sub = list(subs.values())[0]
	check(sub["Protocol"] == "openwire" and sub["ClientId"] == "jms-watched", sub)
	check(sub["UserName"] == "app" and sub["DispatchedCounter"] == 2, sub)
	conns = m.read(broker_name("b1") + ",connector=clientConnectors,*")
	mine = [v for k, v in conns.items() if "connectionName=" in k and v["ClientId"] == "jms-watched"]
	check(len(mine) == 1, conns)
	check(mine[0]["Protocol"] == "openwire" and mine[0]["UserName"] == "app", mine)
	# Consumers counts the advisory ones of watchTopicAdvisories too.
	check(mine[0]["DispatchCount"] == 2 and mine[0]["Consumers"] >= 1, mine)
	EOF
	ctl --node "127.0.0.1:$(broker_mgmt_port b1)" connections >conns &&
	grep -q "openwire *jms-watched *app " conns &&
	ctl --node "127.0.0.1:$(broker_mgmt_port b1)" --json connections >conns.json &&
	json_true "[r[\"DispatchCount\"] for r in rows if r[\"ClientId\"] == \"jms-watched\"] == [2]" conns.json &&
	"$TEST_BUILD/tui/tandemtop" --node "127.0.0.1:$(broker_mgmt_port b1)" --no-discover --batch \
		--iterations 1 --width 200 --screen connections >top.out &&
	grep -q "^b1 *openwire *jms-watched *app " top.out &&
	jmsf send "$url" q.mgmt three c3 &&
	wait_lines drained 3 &&
	printf "one|c1\\ntwo|c2\\nthree|c3\\n" >want &&
	diff want drained
'

test_expect_success 'a failover client whose connection is lost gets its unacknowledged messages again, JMSRedelivered' '
	url=$(pair_url b1 b2) &&
	for i in 1 2 3; do jmsf send "$url" q.redeliver "r$i" "c$i" || exit 1; done &&
	cat >cut.py <<-EOF &&
	from tmgmt import *
	m = Mgmt(port=$(broker_mgmt_port b1))
	conns = m.read(broker_name("b1") + ",connector=clientConnectors,*")
	ids = [k for k, v in conns.items() if "connectionName=" in k and v["ClientId"] == "jms-held"]
	check(len(ids) == 1, conns)
	r = m.req({"type": "exec", "mbean": ids[0], "operation": "stop", "arguments": []})
	check(r["status"] == 200, r)
	EOF
	java -DclientId=jms-held -cp "$TRASH/jms:$JAVA_CP" JmsFailover hold "$url" q.redeliver 3 \
		"$PYTHON $TRASH/cut.py" >out || { cat out; exit 1; }
	printf "r%s redelivered=true count=2\\n" 1 2 3 >want &&
	diff want out
'

test_expect_success 'updateClusterClientsOnRemove: a failover client of a1 is told the cluster without pair B once pair B goes away' '
	start_broker a1 &&
	url="failover:(tcp://127.0.0.1:$(broker_port a1))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100" &&
	jmsf cluster "$url" 2 "kill -9 $(cat "$TRASH/b2/pid"); kill -9 $(cat "$TRASH/b1/pid")" >out ||
		{ cat out; exit 1; }
	killed b1 && killed b2 &&
	cat out &&
	a1="tcp://127.0.0.1:$(broker_port a1)" &&
	grep -qx "brokers $a1,tcp://127.0.0.1:$(broker_port b1)" out &&
	tail -n 1 out | grep -qx "brokers $a1"
'

test_done
