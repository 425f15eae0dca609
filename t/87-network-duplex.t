#!/bin/sh
# duplex="true": only a is configured, only a dials, and messages flow
# both ways: b's bridge back to a runs over a second connection that a
# opened, with a's options, and both ends show it. Both brokers take only
# authenticated clients; a's bridge logs in to b, b's way back needs no
# password of a's (a dialled it).
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
mkdir -p a b && free_port >a/port && free_port >b/port &&
BROKER_EXTRA="$NETWORK_USERS<networkConnectors><networkConnector name=\"dx\" duplex=\"true\"
  uri=\"static:(tcp://127.0.0.1:$(cat b/port))\" userName=\"bridge\" password=\"over\"
  networkTTL=\"2\"/></networkConnectors>" broker_config a &&
BROKER_EXTRA=$NETWORK_USERS broker_config b || exit 1
start_broker a && start_broker b || exit 1
log_waits_for a "duplex connection to 127.0.0.1:$(broker_port b) open" || exit 1
log_waits_for b "Network connection between b and a" || exit 1

# flow FROM TO DEST N: N persistent messages sent on FROM reach a consumer
# on TO, in order, once each.
flow() {
	PORT=$(broker_port $2) FROM=$1 TO=$2 DEST=$3 N=$4 stomp_py <<-\EOF
	import os
	from tstomp import *
	from tmgmt import until, log_has
	e = os.environ
	n, dest = int(e["N"]), e["DEST"]
	c = client(login="app", passcode="secret")
	c.conn.subscribe(dest, id="1", ack="auto")
	c.sync()
	kind = dest.split("/")[1]
	until("demand for %s reached %s" % (dest, e["FROM"]),
	      lambda: log_has(e["FROM"], "of %s://%s on %s: forwarding" % (kind, dest.split("/")[2], e["TO"])))
	p = client(port(e["FROM"]), login="app", passcode="secret")
	for i in range(n):
	    send_on(p, dest, "m%d" % i, receipt=(i % 100 == 99 or i == n - 1),
	            headers={"persistent": "true"})
	got = [m.body for m in c.wait(n)]
	check(got == ["m%d" % i for i in range(n)], "all %d in order" % n)
	c.sync()
	check(not c.messages, "once each")
	EOF
}

test_expect_success 'a to b over the bridge a configured' '
	flow a b /queue/dx.out 300
'

test_expect_success 'b to a over the same bridge (b has no networkConnector)' '
	flow b a /queue/dx.back 300
'

test_expect_success 'topics too, both ways' '
	flow b a /topic/dx.news 50 &&
	flow a b /topic/dx.weather 50
'

test_expect_success 'both ends show the duplex bridge' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	from tstomp import check
	from tmgmt import Mgmt, mport
	mb = Mgmt(mport("b"))
	mb.ok({"type": "login", "user": "bridge", "password": "over"})
	names = mb.ok({"type": "search", "mbean": "org.apache.activemq:type=Broker,brokerName=b,connector=duplexNetworkConnectors,*"})
	check(len(names) == 1, "b has one duplex bridge: %r" % names)
	v = mb.read(names[0])
	check(v["CreatedByDuplex"] is True and v["State"] == "active", repr(v))
	check(v["RemoteBrokerName"] == "a" and v["NetworkConnectorName"] == "dx", repr(v))
	check(v["NetworkTTL"] == 2, "with a s networkTTL: %r" % v["NetworkTTL"])
	ma = Mgmt(mport("a"))
	ma.ok({"type": "login", "user": "bridge", "password": "over"})
	names = ma.ok({"type": "search", "mbean": "org.apache.activemq:type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=dx,networkBridge=*"})
	check(len(names) == 1, "a has its bridge: %r" % names)
	v = ma.read(names[0])
	check(v["CreatedByDuplex"] is False and v["State"] == "active", repr(v))
	check(ma.read("org.apache.activemq:type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=dx", "Duplex") is True, "the connector says duplex")
	EOF
'

test_expect_success 'tandemctl network lists both ends' '
	ctl --user bridge --password over --node 127.0.0.1:$(broker_mgmt_port a) \
		--node 127.0.0.1:$(broker_mgmt_port b) network >out &&
	cat out &&
	test "$(grep -c active out)" -ge 2
'

test_expect_success 'b restarts: a dials again, and b forwards back again' '
	kill_broker b &&
	log_waits_for a "connection to 127.0.0.1:$(broker_port b) closed" &&
	: >b/log &&
	start_broker b &&
	log_waits_for b "opened a duplex bridge" &&
	flow b a /queue/dx.again 100
'

test_expect_success 'a stops: b lets its duplex bridge go' '
	stop_broker a &&
	log_waits_for b "it ends (the duplex peer reconnects)" &&
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import check
	from tmgmt import Mgmt, mport, until
	mb = Mgmt(mport("b"))
	mb.ok({"type": "login", "user": "bridge", "password": "over"})
	q = {"type": "search", "mbean": "org.apache.activemq:type=Broker,brokerName=b,connector=duplexNetworkConnectors,*"}
	until("no duplex bridge on b", lambda: mb.ok(q) == [])
	EOF
'

test_done
