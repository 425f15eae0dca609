#!/bin/sh
# Another broker's network bridge as an OpenWire client (issue 22), played
# by a JMS program that sends what ActiveMQ's DemandForwardingBridge
# sends (t/lib/JmsNetPeer.java): its BrokerInfo with networkConnection
# makes the connection that broker's bridge, and the brokerPath of the
# messages it brings is kept, or stops one that went through here before.
# t/80-network-activemq-in.t does the same with a real ActiveMQ.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsNetPeer.java
MGMT_PORT=auto broker_config t && start_broker t || exit 1

test_expect_success 'a BrokerInfo with networkConnection makes the connection a network bridge: logged, and its Connection names the broker' '
	java -cp "$TRASH/jms:$JAVA_CP" JmsNetPeer "tcp://127.0.0.1:$(broker_port t)" fake net.q >peer.out 2>&1 &&
	cat peer.out &&
	log_contains t "Network bridge from broker fake (ID:fake) connected from 127.0.0.1:" &&
	log_waits_for t "Network bridge from broker fake disconnected (127.0.0.1:"
'

test_expect_success 'a message whose brokerPath names this broker is dropped (no loop); the others are taken, their path kept' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/net.q", id="1", ack="auto")
	got = c.wait(2)
	check([m.body for m in got] == ["one hop", "two hops"], [m.body for m in got])
	check([m.headers.get("tandem-broker-path") for m in got] == ["ID:fake", "ID:elsewhere,ID:fake"],
	      [m.headers for m in got])
	c.sync()
	check(not c.messages, "the looped one came: %r" % [m.body for m in c.messages])
	EOF
'

test_expect_success 'what the bridge brought is an inbound NetworkFlow of its broker' '
	ctl --node "127.0.0.1:$(broker_mgmt_port t)" --json query \
		--objname "type=Broker,brokerName=t,connector=networkConnectors,networkBridge=fake,*" >flows.json &&
	json_true "[(r[\"attributes\"][\"Direction\"], r[\"attributes\"][\"RemoteBrokerId\"], r[\"attributes\"][\"Count\"]) for r in rows] == [(\"inbound\", \"ID:fake\", 2)]" flows.json
'

test_done
