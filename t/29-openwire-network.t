#!/bin/sh
# Another broker's network bridge as an OpenWire client (issue 22), played
# by a JMS program that sends what ActiveMQ's DemandForwardingBridge
# sends (t/lib/JmsNetPeer.java): its BrokerInfo with networkConnection
# makes the connection that broker's bridge, and the brokerPath of the
# messages it brings is kept; a topic message that went through here
# before is stopped, a queue message coming back is taken.
# t/80-network-activemq-in.t does the same with a real ActiveMQ.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsNetPeer.java JmsForge.java
MGMT_PORT=auto broker_config t && start_broker t || exit 1

test_expect_success 'a BrokerInfo with networkConnection makes the connection a network bridge: logged, and its Connection names the broker' '
	{ PORT=$(broker_port t) stomp_py >topic.out 2>&1 <<-\EOF &
	import os, time
	from tstomp import *
	c = client()
	c.conn.subscribe("/topic/net.q.t", id="1", ack="auto")
	c.sync()
	open("topic.ready", "w").close()
	while not os.path.exists("topic.stop"):
	    time.sleep(0.05)
	c.sync()
	print("topic got %r" % [m.body for m in c.messages])
	EOF
	} &&
	for i in $(seq 300); do [ -f topic.ready ] && break; sleep 0.1; done &&
	java -cp "$TRASH/jms:$JAVA_CP" JmsNetPeer "tcp://127.0.0.1:$(broker_port t)" fake net.q >peer.out 2>&1 &&
	cat peer.out &&
	log_contains t "Network bridge from broker fake (ID:fake) connected from 127.0.0.1:" &&
	log_waits_for t "Network bridge from broker fake disconnected (127.0.0.1:"
'

# A queue message that comes back to a broker in its path left it with
# the bridge that took it: its only copy is the one coming back, so it is
# taken (as ActiveMQ's replayWhenNoConsumers sends back on purpose), and
# neither the path nor the producer audit may drop it and answer it as
# taken. A topic message coming back would reach this broker's
# subscribers twice: it is dropped.
test_expect_success 'a queue message whose brokerPath names this broker is taken (it came back); a topic one is dropped (no loop); paths kept' '
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/net.q", id="1", ack="auto")
	got = c.wait(5)
	check([m.body for m in got] == ["one hop", "looped", "two hops", "back on the bridge", "came back"],
	      [m.body for m in got])
	check([got[i].headers.get("tandem-broker-path") for i in (0, 2)] == ["ID:fake", "ID:elsewhere,ID:fake"],
	      [m.headers for m in got])
	c.sync()
	check(not c.messages, "more came: %r" % [m.body for m in c.messages])
	EOF
	touch topic.stop &&
	for i in $(seq 300); do grep -q "topic got" topic.out && break; sleep 0.1; done &&
	cat topic.out &&
	grep -x "topic got \[.topic one hop.\]" topic.out
'

test_expect_success 'what the bridge brought is an inbound NetworkFlow of its broker' '
	ctl --node "127.0.0.1:$(broker_mgmt_port t)" --json query \
		--objname "type=Broker,brokerName=t,connector=networkConnectors,networkBridge=fake,*" >flows.json &&
	json_true "sorted((r[\"attributes\"][\"Direction\"], r[\"attributes\"][\"RemoteBrokerId\"], r[\"attributes\"][\"DestinationName\"], r[\"attributes\"][\"Count\"]) for r in rows) == [(\"inbound\", \"ID:fake\", \"net.q\", 4), (\"inbound\", \"ID:fake\", \"net.q.t\", 1)]" flows.json
'

# forged QUEUE FORGER: JmsForge's victim (a plain client) sends v1, v2
# and v2 again; FORGER (client or bridge) sends the victim's next
# MessageId first. Every message comes but the resend.
forged() {
	java -cp "$TRASH/jms:$JAVA_CP" JmsForge "tcp://127.0.0.1:$(broker_port t)" "$1" client "$2" \
		>"$1.out" 2>&1 &&
	cat "$1.out" && grep -x sent "$1.out" &&
	PORT=$(broker_port t) Q=$1 stomp_py <<-\EOF
	import os
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/" + os.environ["Q"], id="1", ack="auto")
	got = sorted(m.body for m in c.wait(3))
	check(got == ["forged", "v1", "v2"], got)
	c.sync()
	check(not c.messages, "the resend was taken: %r" % [m.body for m in c.messages])
	EOF
}

# The producer audit drops a client's failover resend by its MessageId;
# only ids of the sender's own connection are looked up, so that one
# client cannot get another's next message dropped by sending its id first.
test_expect_success 'a client sending another client'"'"'s next MessageId does not get that message dropped' '
	forged forge.q client
'

# A connection that says it is a bridge (a BrokerInfo with
# networkConnection) has the MessageIds it forwards audited, all of them,
# but apart from a client's own: the forged id reaches no client's audit.
test_expect_success 'a connection claiming to be a bridge sending a client'"'"'s next MessageId does not get that message dropped' '
	forged forge2.q bridge
'

test_done
