#!/bin/sh
# Tandem joins a network of ActiveMQ brokers (issue 22): Tandem's own
# networkConnector dials Debian's activemq 5.17 over OpenWire, as
# ActiveMQ's DemandForwardingBridge would, and forwards what producers on
# Tandem send to consumers on ActiveMQ, on the demand ActiveMQ's consumer
# advisories tell.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
command -v javac >/dev/null 2>&1 ||
	skip_all "no java and javac (make check installs openjdk-17-jdk-headless)"

jms_compile JmsNet.java
# jnet ARGS...: t/lib/JmsNet.java.
jnet() {
	java -cp "$TRASH/jms:$JAVA_CP" JmsNet "$@"
}
# wait_for FILE TEXT: until FILE holds TEXT (30 s at most).
wait_for() {
	for i in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "# no \"$2\" in $1:"; sed "s/^/# /" "$1"
	return 1
}

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
. "$TEST_ROOT/t/lib/ttmux.sh"
. "$TEST_ROOT/t/lib/tweb.sh"
trap 'tm kill-server 2>/dev/null; amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: STOMP on $APORT, OpenWire on $APORT + 1.
APORT=$(free_port 2) && amq --start "$TRASH/amq" "$APORT" || exit 1
OWPORT=$((APORT + 1))
export APORT OWPORT

MGMT_PORT=auto WEB_PORT=auto
BROKER_EXTRA="<networkConnectors><networkConnector name=\"toamq\"
	  uri=\"static:(tcp://127.0.0.1:$OWPORT)\" decreaseNetworkConsumerPriority=\"true\"/>
	</networkConnectors>" broker_config t || exit 1
start_broker t || exit 1

test_expect_success 'the bridge finds ActiveMQ answering in OpenWire and speaks OpenWire to it' '
	log_waits_for t "answered in OpenWire: an ActiveMQ broker" &&
	log_waits_for t "Network connection between t and amq (127.0.0.1:$OWPORT, ActiveMQ over OpenWire) has been established"
'

test_expect_success 'a STOMP consumer on ActiveMQ gets what a STOMP producer on Tandem sends to a queue, once each, in order' '
	stomp_py <<-\EOF
	import os, time
	from tstomp import *
	c = client(int(os.environ["APORT"]))
	c.conn.subscribe("/queue/amq.one", id="1", ack="auto")
	c.sync()
	for i in range(100):
	    if "consumer(s) of queue://amq.one on amq: forwarding" in open(os.environ["TRASH"] + "/t/log").read():
	        break
	    time.sleep(0.05)
	p = client(port("t"))
	for i in range(200):
	    p.conn.send("/queue/amq.one", "m%d" % i, headers={"persistent": "true"})
	p.sync()
	got = [m.body for m in c.wait(200, timeout=30)]
	check(got == ["m%d" % i for i in range(200)], "all 200 in order, once: %d" % len(got))
	time.sleep(0.5)
	check(not c.messages, "nothing more: %d" % len(c.messages))
	EOF
'

test_expect_success 'a JMS consumer on ActiveMQ gets a queue'"'"'s messages from JMS and STOMP producers on Tandem, and a topic'"'"'s from STOMP and MQTT' '
	{ jnet "tcp://127.0.0.1:$OWPORT" consume 22 queue:amq.mixed topic:amq.news >got 2>&1 & } &&
	wait_for got ready &&
	log_waits_for t "consumer(s) of queue://amq.mixed on amq: forwarding" &&
	log_waits_for t "consumer(s) of topic://amq.news on amq: forwarding" &&
	jnet "tcp://127.0.0.1:$(broker_port t)" send queue:amq.mixed 10 jms >sent &&
	grep -qx "sent 10" sent &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(10):
	    p.conn.send("/queue/amq.mixed", "stomp%d" % i, headers={"persistent": "true"})
	p.conn.send("/topic/amq.news", "stomp-news")
	p.sync()
	EOF
	mosquitto_pub -p "$(broker_port t)" -q 1 -t amq/news -m "mqtt-news" &&
	wait_for got done &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		grep -qx "queue:amq.mixed jms$i" got && grep -qx "queue:amq.mixed stomp$i" got ||
			{ cat got; return 1; }
	done &&
	grep -qx "topic:amq.news stomp-news" got &&
	grep -qx "topic:amq.news mqtt-news" got &&
	test "$(grep -c "^queue:amq.mixed " got)" = 20
'

test_expect_success 'an MQTT producer on Tandem reaches a JMS consumer of the same name on ActiveMQ (MQTT topics are topics)' '
	{ jnet "tcp://127.0.0.1:$OWPORT" consume 10 topic:amq.mixed.mqtt >got2 2>&1 & } &&
	wait_for got2 ready &&
	log_waits_for t "consumer(s) of topic://amq.mixed.mqtt on amq: forwarding" &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		mosquitto_pub -p "$(broker_port t)" -q 1 -t amq/mixed/mqtt -m "mqtt$i" || return 1
	done &&
	wait_for got2 done &&
	for i in 0 1 2 3 4 5 6 7 8 9; do grep -qx "topic:amq.mixed.mqtt mqtt$i" got2 || return 1; done
'

test_expect_success 'a durable subscriber on ActiveMQ gets what was published on Tandem while it was away' '
	jnet "tcp://127.0.0.1:$OWPORT" consume 1 durable:far:sub:amq.durable >d1 2>&1 &&
	grep -qx ready d1 &&
	log_waits_for t "durable subscription(s) of topic://amq.durable on amq: keeping a network durable subscription" &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(5):
	    p.conn.send("/topic/amq.durable", "away%d" % i, headers={"persistent": "true"})
	p.sync()
	EOF
	jnet "tcp://127.0.0.1:$OWPORT" consume 5 durable:far:sub:amq.durable >d2 2>&1 &&
	for i in 0 1 2 3 4; do grep -qx "durable:far:sub:amq.durable away$i" d2 || { cat d2; return 1; }; done
'

test_expect_success 'tandemctl network, the web console and tandemtop show the ActiveMQ neighbour and its bridge, marked' '
	MT=127.0.0.1:$(broker_mgmt_port t) &&
	{ jnet "tcp://127.0.0.1:$OWPORT" consume 1 queue:amq.shown >shown 2>&1 & } &&
	wait_for shown ready &&
	log_waits_for t "consumer(s) of queue://amq.shown on amq: forwarding" &&
	ctl --node "$MT" network --interval 0 >net.txt &&
	cat net.txt &&
	grep -q "amq (ActiveMQ)" net.txt &&
	grep -q "queue://amq.shown" net.txt &&
	ctl --node "$MT" --json network --interval 0 >net.json &&
	json_true "rows[0][\"RemoteBrokerType\"] == \"ActiveMQ\" and rows[0][\"State\"] == \"active\"" net.json &&
	W=http://127.0.0.1:$(broker_web_port t) &&
	test "$(login admin admin)" = 303 &&
	test "$(get /cluster)" = 200 &&
	grep -q "<td>amq (ActiveMQ)</td>" page.html &&
	tm -f /dev/null new-session -d -s top -x 200 -y 40 \
		"LANG=C.UTF-8 \"$TEST_BUILD/tui/tandemtop\" --node $MT --interval 0.5; sleep 30" &&
	keys 3 &&
	screen_shows "^t +amq \(ActiveMQ\) +active " &&
	tm kill-server &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/amq.shown", "seen")
	EOF
	wait_for shown done &&
	grep -qx "queue:amq.shown seen" shown
'

test_done
