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

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: STOMP on $APORT, OpenWire on $APORT + 1.
APORT=$(free_port) && amq --start "$TRASH/amq" "$APORT" || exit 1
OWPORT=$((APORT + 1))
export APORT OWPORT

MGMT_PORT=auto
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

test_done
