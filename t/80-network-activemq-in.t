#!/bin/sh
# An ActiveMQ 5.17 master's own networkConnector dials a Tandem master
# over OpenWire (issue 22): Debian's activemq forwards what its producers
# send to Tandem's consumers of every protocol, from the consumer
# advisories Tandem publishes, with networkTTL, conduitSubscriptions and
# durable subscriptions as between two ActiveMQs. t bridges on to t2 (a
# Tandem network behind it), so that the broker path counts.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
command -v mosquitto_sub >/dev/null 2>&1 || skip_all "no mosquitto_sub (mosquitto-clients)"
jms_compile JmsNetIn.java

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

APORT=$(free_port 2) || exit 1
export APORT
broker_config t2
MQTT_OPTIONS= MGMT_PORT=auto WEB_PORT=auto static_network t 'networkTTL="2"' t2

# amq_start OPTIONS: ActiveMQ "amq" (its store kept from a run before)
# with one networkConnector to t, with these attributes; returns once t
# took its bridge for one (the first message t logs of it).
amq_start() {
	cat >"$TRASH/nc.xml" <<-EOF
	<networkConnectors>
	  <networkConnector name="to-tandem" uri="static:(tcp://127.0.0.1:$(broker_port t))" $1/>
	</networkConnectors>
	EOF
	before=$(grep -c "Network bridge from broker amq (" "$TRASH/t/log")
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" || return 1
	for i in $(seq 300); do
		[ "$(grep -c "Network bridge from broker amq (" "$TRASH/t/log")" -gt "$before" ] &&
			return 0
		sleep 0.1
	done
	echo "ActiveMQ's bridge did not reach t:"; grep -v "^\s*at " "$TRASH/amq/log" | tail -20
	return 1
}

# prio_test Q WHO: a consumer of Q on ActiveMQ (priority 0) and one on t
# asking for priority 9; ten messages sent to ActiveMQ all go to WHO
# (amq or t), the other gets none.
prio_test() {
	PORT=$(broker_port t) Q=$1 WHO=$2 stomp_py <<-\EOF
	import os
	from tamqnet import *
	q, who = os.environ["Q"], os.environ["WHO"]
	a = client(amq_stomp())
	a.conn.subscribe("/queue/" + q, id="1", ack="auto")
	c = client()
	c.conn.subscribe("/queue/" + q, id="1", ack="auto", headers={"activemq.priority": "9"})
	c.conn.subscribe("/topic/%s.sync" % q, id="2", ack="auto")
	c.sync()
	probe_until(a, "/topic/%s.sync" % q, lambda: c.messages)
	for i in range(10):
	    send_on(a, "/queue/" + q, "m %d" % i, headers={"persistent": "true"})
	winner, loser = (a, c) if who == "amq" else (c, a)
	check(bodies(winner, 10) == ["m %d" % i for i in range(10)], "to " + who)
	loser.sync()
	check(not [m for m in loser.messages if not m.body.startswith("probe")],
	      "the other got %r" % [m.body for m in loser.messages])
	EOF
}

test_expect_success 'ActiveMQ'"'"'s networkConnector reaches Tandem, which takes it for a bridge' '
	start_bridged t:t2 &&
	amq_start "" &&
	log_waits_for t "Network bridge from broker amq (ID:[^)]*) connected from 127.0.0.1:"
'

test_expect_success 'a STOMP consumer on Tandem gets what producers on ActiveMQ send to a queue and a topic, each once and in order' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tamqnet import *
	c = client()
	c.conn.subscribe("/queue/in.sq", id="1", ack="auto")
	c.conn.subscribe("/topic/in.st", id="2", ack="auto")
	c.sync()
	a = client(amq_stomp())
	probe_until(a, "/topic/in.st", lambda: c.messages)
	for i in range(20):
	    send_on(a, "/queue/in.sq", "q %d" % i, headers={"persistent": "true"})
	    send_on(a, "/topic/in.st", "t %d" % i)
	got = bodies(c, 40)
	check([b for b in got if b[0] == "q"] == ["q %d" % i for i in range(20)], got)
	check([b for b in got if b[0] == "t"] == ["t %d" % i for i in range(20)], got)
	send_on(a, "/topic/in.st", "probe last")
	c.wait(1)
	c.sync()
	check(not [m for m in c.messages if not m.body.startswith("probe")], "more: %r" % [m.body for m in c.messages])
	c.close()
	EOF
'

test_expect_success 'management sees ActiveMQ'"'"'s bridge as a network connection: its Connection names the remote broker, what it brought are inbound NetworkFlows from it; so do the web console'"'"'s pages' '
	W=http://127.0.0.1:$(broker_web_port t) && . "$TEST_ROOT/t/lib/tweb.sh" &&
	test "$(login admin admin)" = 303 &&
	test "$(get /connections)" = 200 && grep -q "Network bridge of" page.html &&
	grep -q ">amq<" page.html &&
	test "$(get /network)" = 200 && grep -q ">amq<" page.html && grep -q ">inbound<" page.html &&
	M=127.0.0.1:$(broker_mgmt_port t) &&
	ctl --node $M --json connections >conns.json &&
	json_true "[(r[\"Protocol\"], r[\"RemoteBrokerName\"]) for r in rows if r[\"NetworkConnection\"]] == [(\"openwire\", \"amq\")]" conns.json &&
	json_true "[r[\"RemoteBrokerId\"][:3] for r in rows if r[\"NetworkConnection\"]] == [\"ID:\"]" conns.json &&
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=networkConnectors,networkBridge=amq,*" >flows.json &&
	json_true "[(a[\"Direction\"], a[\"RemoteBrokerName\"], a[\"Count\"]) for a in (r[\"attributes\"] for r in rows) if a[\"DestinationName\"] == \"in.sq\"] == [(\"inbound\", \"amq\", 20)]" flows.json
'

test_expect_success 'a JMS consumer on Tandem gets them, queue and topic' '
	{ java -cp "$TRASH/jms:$JAVA_CP" JmsNetIn "tcp://127.0.0.1:$(broker_port t)" consume 40 \
		queue:in.jq topic:in.jt >jms.out 2>&1 & echo $! >jms.pid; } &&
	for i in $(seq 300); do grep -q ready jms.out && break; sleep 0.1; done &&
	OUT=$TRASH/jms.out PORT=$(broker_port t) stomp_py <<-\EOF &&
	import os
	from tamqnet import *
	a = client(amq_stomp())
	probe_until(a, "/topic/in.jt", lambda: file_has(os.environ["OUT"], "topic:in.jt probe"))
	for i in range(20):
	    send_on(a, "/queue/in.jq", "q %d" % i, headers={"persistent": "true"})
	    send_on(a, "/topic/in.jt", "t %d" % i)
	EOF
	wait "$(cat jms.pid)" &&
	grep "^queue:in.jq" jms.out >q.out && grep "^topic:in.jt [^p]" jms.out >t.out &&
	seq 0 19 | sed "s/^/queue:in.jq q /" | cmp - q.out &&
	seq 0 19 | sed "s/^/topic:in.jt t /" | cmp - t.out
'

test_expect_success 'an MQTT subscriber on Tandem gets what is published on ActiveMQ'"'"'s topic' '
	{ mosquitto_sub -h 127.0.0.1 -p "$(broker_mqtt_port t)" -q 1 -t in/m -v >mqtt.out 2>&1 &
	  echo $! >mqtt.pid; } &&
	OUT=$TRASH/mqtt.out PORT=$(broker_port t) stomp_py <<-\EOF &&
	import os
	from tamqnet import *
	a = client(amq_stomp())
	probe_until(a, "/topic/in.m", lambda: file_has(os.environ["OUT"], "in/m probe"))
	for i in range(20):
	    send_on(a, "/topic/in.m", "m %d" % i)
	EOF
	for i in $(seq 200); do [ "$(grep -c "^in/m m " mqtt.out)" -ge 20 ] && break; sleep 0.1; done &&
	kill "$(cat mqtt.pid)" &&
	grep "^in/m m " mqtt.out >m.out &&
	seq 0 19 | sed "s|^|in/m m |" | cmp - m.out
'

test_expect_success 'consumer advisories carry what a bridge reads: priority, selector, durable subscription; a Tandem bridge'"'"'s consumer is a network subscription with the broker path of its demand' '
	{ java -cp "$TRASH/jms:$JAVA_CP" JmsNetIn "tcp://127.0.0.1:$(broker_port t)" advisories 200 \
		>adv.out 2>&1 & echo $! >adv.pid; } &&
	for i in $(seq 300); do grep -q ready adv.out && break; sleep 0.1; done &&
	OUT=$TRASH/adv.out PORT=$(broker_port t) stomp_py <<-\EOF &&
	import os, time
	from tamqnet import *
	def seen(text):
	    for _ in range(300):
	        if file_has(os.environ["OUT"], text):
	            return
	        time.sleep(0.1)
	    fail("no advisory with %r: %s" % (text, open(os.environ["OUT"]).read()))
	c = client()
	c.conn.subscribe("/queue/adv.s", id="1", ack="auto",
	                 headers={"selector": "color = '"'"'red'"'"'", "activemq.priority": "7"})
	seen("queue://adv.s prio=7 selector=color = '"'"'red'"'"' sub=null client=null network=false path=0:")
	c2 = client(port("t2"))
	c2.conn.subscribe("/queue/adv.n", id="1", ack="auto")
	seen("queue://adv.n prio=")
	c2.close()
	c.close()
	EOF
	{ mosquitto_sub -h 127.0.0.1 -p "$(broker_mqtt_port t)" -q 1 -t adv/m -C 1 -W 20 >/dev/null 2>&1 &
	  echo $! >mqtt.pid; } &&
	for i in $(seq 300); do grep -q "topic://adv.m " adv.out && break; sleep 0.1; done &&
	kill "$(cat mqtt.pid)" &&
	java -Dwait=1 -cp "$TRASH/jms:$JAVA_CP" JmsNetIn "tcp://127.0.0.1:$(broker_port t)" consume 0 \
		durable:adv-client:adv-sub:adv.d >/dev/null &&
	for i in $(seq 300); do grep -q "topic://adv.d " adv.out && break; sleep 0.1; done &&
	kill "$(cat adv.pid)" &&
	cat adv.out &&
	grep -q "^topic://adv.m prio=0 selector=null sub=null client=null network=false path=0:$" adv.out &&
	grep -q "^topic://adv.d prio=0 selector=null sub=adv-sub client=adv-client network=false path=0:$" adv.out &&
	ctl --node "127.0.0.1:$(broker_mgmt_port t)" --json network --interval 0 >net.json &&
	t2id=$("$PYTHON" -c "import json; print(json.load(open(\"net.json\"))[0][\"RemoteBrokerId\"])") &&
	grep -q "^queue://adv.n prio=[-0-9]* selector=null sub=null client=null network=true path=1:$t2id$" adv.out
'

test_expect_success 'networkTTL="1" (ActiveMQ'"'"'s default): a consumer two bridges away, on t2, is not served; its messages stay on ActiveMQ' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	import time
	from tamqnet import *
	far = client(port("t2"))
	far.conn.subscribe("/queue/ttl.q", id="1", ack="auto")
	far.sync()
	# a consumer on t of a topic, subscribed after: once a probe came
	# through, ActiveMQ had read the advisory of ttl.q before it
	c = client()
	c.conn.subscribe("/topic/ttl.sync", id="1", ack="auto")
	c.sync()
	a = client(amq_stomp())
	probe_until(a, "/topic/ttl.sync", lambda: c.messages)
	for i in range(5):
	    send_on(a, "/queue/ttl.q", "q %d" % i, headers={"persistent": "true"})
	time.sleep(1)
	far.sync()
	check(not far.messages, "forwarded: %r" % [m.body for m in far.messages])
	far.close()
	a.conn.subscribe("/queue/ttl.q", id="1", ack="auto")
	check(bodies(a, 5) == ["q %d" % i for i in range(5)], "not kept on ActiveMQ")
	EOF
'

test_expect_success 'decreaseNetworkConsumerPriority="false" (the default): the priority a consumer on Tandem asked for is its bridge consumer'"'"'s on ActiveMQ, which prefers it to its own consumer of priority 0' '
	prio_test prio.a t
'

test_expect_success 'networkTTL="2": the consumer on t2 is served through t, and its messages carry the broker path ActiveMQ, t' '
	amq --stop "$TRASH/amq" &&
	amq_start "networkTTL=\"2\" conduitSubscriptions=\"false\" decreaseNetworkConsumerPriority=\"true\"" &&
	AMQ_ID=$(sed -n "s/.*Network bridge from broker amq (\(ID:[^)]*\)).*/\1/p" t/log | tail -1) &&
	PORT=$(broker_port t) AMQ_ID=$AMQ_ID stomp_py <<-\EOF
	import os
	from tamqnet import *
	far = client(port("t2"))
	far.conn.subscribe("/queue/ttl2.q", id="1", ack="auto")
	far.conn.subscribe("/topic/ttl2.t", id="2", ack="auto")
	far.sync()
	a = client(amq_stomp())
	probe_until(a, "/topic/ttl2.t", lambda: far.messages, timeout=60)
	for i in range(5):
	    send_on(a, "/queue/ttl2.q", "q %d" % i, headers={"persistent": "true"})
	got = messages(far, 5)
	check([m.body for m in got] == ["q %d" % i for i in range(5)], [m.body for m in got])
	path = got[0].headers.get("tandem-broker-path", "")
	check(path.split(",")[0] == os.environ["AMQ_ID"] and len(path.split(",")) == 2, path)
	far.close()
	EOF
'

test_expect_success 'conduitSubscriptions="false": ActiveMQ forwards only what the selector of a consumer on Tandem takes; the rest stays there' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tamqnet import *
	c = client()
	c.conn.subscribe("/queue/sel.q", id="1", ack="auto", headers={"selector": "color = '"'"'red'"'"'"})
	c.conn.subscribe("/topic/sel.sync", id="2", ack="auto")
	c.sync()
	a = client(amq_stomp())
	probe_until(a, "/topic/sel.sync", lambda: c.messages)
	for i in range(6):
	    send_on(a, "/queue/sel.q", "m %d" % i,
	            headers={"persistent": "true", "color": "red" if i % 2 else "blue"})
	check(bodies(c, 3) == ["m 1", "m 3", "m 5"], "red")
	c.close()
	a.conn.subscribe("/queue/sel.q", id="1", ack="auto")
	check(bodies(a, 3) == ["m 0", "m 2", "m 4"], "blue")
	EOF
'

test_expect_success 'decreaseNetworkConsumerPriority="true": ActiveMQ prefers its own consumer to the bridge, whatever priority the consumer on Tandem asked for' '
	prio_test prio.b amq
'

test_expect_success 'a durable subscription on Tandem over the bridge: what ActiveMQ'"'"'s producers send while it is away comes when it is back' '
	{ java -cp "$TRASH/jms:$JAVA_CP" JmsNetIn "tcp://127.0.0.1:$(broker_port t)" consume 1 \
		durable:dur-client:dur-sub:dur.t >dur1.out 2>&1 & echo $! >dur.pid; } &&
	for i in $(seq 300); do grep -q ready dur1.out && break; sleep 0.1; done &&
	OUT=$TRASH/dur1.out PORT=$(broker_port t) stomp_py <<-\EOF &&
	import os
	from tamqnet import *
	a = client(amq_stomp())
	probe_until(a, "/topic/dur.t", lambda: file_has(os.environ["OUT"], "probe"))
	send_on(a, "/topic/dur.t", "first", headers={"persistent": "true"})
	EOF
	wait "$(cat dur.pid)" &&
	grep -q "dur.t first" dur1.out &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	import time
	from tamqnet import *
	a = client(amq_stomp())
	time.sleep(1)	# the subscriber'"'"'s RemoveInfo reached ActiveMQ
	for i in range(5):
	    send_on(a, "/topic/dur.t", "away %d" % i, headers={"persistent": "true"})
	EOF
	java -cp "$TRASH/jms:$JAVA_CP" JmsNetIn "tcp://127.0.0.1:$(broker_port t)" consume 5 \
		durable:dur-client:dur-sub:dur.t >dur2.out 2>&1 &&
	grep " away " dur2.out | sed "s/.* away //" | tr "\n" " " >got &&
	test "$(cat got)" = "0 1 2 3 4 "
'

test_done
