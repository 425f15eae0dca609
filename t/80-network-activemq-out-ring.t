#!/bin/sh
# Tandem and Debian's activemq 5.17 bridged both ways (issue 22): Tandem's
# networkConnector to ActiveMQ (protocol=openwire on its entry, one bridge
# consumer per remote consumer, below local consumers) and ActiveMQ's own
# networkConnector back to Tandem. What Tandem forwards carries it in its
# brokerPath, so ActiveMQ never sends it back; a remote's consumers are
# served one bridge consumer each; local consumers come first.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

# Tandem's port first: ActiveMQ's networkConnector names it.
mkdir -p t && free_port >t/port || exit 1
APORT=$(free_port 2) && OWPORT=$((APORT + 1)) && export APORT OWPORT &&
AMQ_EXTRA="<networkConnectors><networkConnector name=\"tot\"
	uri=\"static:(tcp://127.0.0.1:$(cat t/port))\"/></networkConnectors>" \
	amq --start "$TRASH/amq" "$APORT" || exit 1

MGMT_PORT=auto
BROKER_EXTRA="<networkConnectors><networkConnector name=\"toamq\"
	  uri=\"static:(tcp://127.0.0.1:$OWPORT?protocol=openwire)\" conduitSubscriptions=\"false\"
	  decreaseNetworkConsumerPriority=\"true\"/></networkConnectors>" broker_config t || exit 1
start_broker t || exit 1

test_expect_success 'an entry with protocol=openwire speaks OpenWire from the first dial' '
	log_waits_for t "Network connection between t and amq (127.0.0.1:$OWPORT, ActiveMQ over OpenWire) has been established" &&
	! grep -q "answered in OpenWire" t/log
'

test_expect_success 'a topic published on either broker reaches subscribers on both, once each: neither sends it back (brokerPath)' '
	stomp_py <<-\EOF
	import os, time
	from tstomp import *
	here = client(port("t"))
	here.conn.subscribe("/topic/ring", id="1", ack="auto")
	here.sync()
	far = client(int(os.environ["APORT"]))
	far.conn.subscribe("/topic/ring", id="1", ack="auto")
	far.sync()
	log = os.environ["TRASH"] + "/t/log"
	for i in range(200):
	    if "consumer(s) of topic://ring on amq: forwarding" in open(log).read():
	        break
	    time.sleep(0.05)
	# ActiveMQ'"'"'s bridge back has Tandem'"'"'s subscriber as demand once a
	# message published on ActiveMQ reaches it.
	p = client(int(os.environ["APORT"]))
	for i in range(300):
	    p.conn.send("/topic/ring", "probe")
	    p.sync()
	    if here.messages:
	        break
	    time.sleep(0.1)
	check(here.messages, "ActiveMQ'"'"'s bridge to Tandem never came up")
	time.sleep(1)
	here.messages.clear()
	far.messages.clear()
	t = client(port("t"))
	for i in range(20):
	    t.conn.send("/topic/ring", "t%d" % i)
	t.sync()
	want = ["t%d" % i for i in range(20)]
	check([m.body for m in here.wait(20)] == want, "here")
	check([m.body for m in far.wait(20)] == want, "far")
	time.sleep(2)
	here.sync(); far.sync()
	left = [m.body for m in here.messages + far.messages if m.body != "probe"]
	check(not left, "twice: %s" % left)
	# The other way: what ActiveMQ'"'"'s bridge brings in carries its
	# brokerPath, and Tandem'"'"'s bridge does not send it back.
	here.messages.clear()
	far.messages.clear()
	for i in range(20):
	    p.conn.send("/topic/ring", "a%d" % i)
	p.sync()
	want = ["a%d" % i for i in range(20)]
	check([m.body for m in here.wait(20)] == want, "here, from ActiveMQ")
	check([m.body for m in far.wait(20)] == want, "far, from ActiveMQ")
	time.sleep(2)
	here.sync(); far.sync()
	left = [m.body for m in here.messages + far.messages]
	check(not left, "twice, from ActiveMQ: %s" % left)
	EOF
'

test_expect_success 'conduitSubscriptions="false": two consumers on ActiveMQ are two bridge consumers on Tandem' '
	TEST_BUILD=$TEST_BUILD stomp_py <<-\EOF
	import os, time, subprocess
	from tstomp import *
	a = client(int(os.environ["APORT"]))
	a.conn.subscribe("/queue/amq.conduit", id="1", ack="auto")
	a.conn.subscribe("/queue/amq.conduit", id="2", ack="auto")
	a.sync()
	mt = "127.0.0.1:" + open(os.environ["TRASH"] + "/t/mgmt_port").read().strip()
	ctl = os.environ["TEST_BUILD"] + "/mgmt/tandemctl"
	for i in range(100):
	    out = subprocess.run([ctl, "--node", mt, "query", "-QQueue=amq.conduit", "--view", "ConsumerCount"],
	                         capture_output=True, text=True).stdout
	    if out.split() and out.split()[-1] == "2":
	        break
	    time.sleep(0.1)
	print("# " + out.replace("\n", "\n# "))
	check(out.split()[-1] == "2", "two bridge consumers")
	EOF
'

test_expect_success 'decreaseNetworkConsumerPriority: a consumer on Tandem comes before one on ActiveMQ; each message once' '
	stomp_py <<-\EOF
	import os, time
	from tstomp import *
	far = client(int(os.environ["APORT"]))
	far.conn.subscribe("/queue/amq.prio", id="1", ack="auto")
	far.sync()
	log = os.environ["TRASH"] + "/t/log"
	for i in range(200):
	    if "consumer(s) of queue://amq.prio on amq: forwarding" in open(log).read():
	        break
	    time.sleep(0.05)
	here = client(port("t"))
	here.conn.subscribe("/queue/amq.prio", id="1", ack="auto")
	here.sync()
	p = client(port("t"))
	for i in range(200):
	    p.conn.send("/queue/amq.prio", "m%d" % i)
	p.sync()
	for i in range(100):
	    here.sync(); far.sync()
	    if len(here.messages) + len(far.messages) >= 200:
	        break
	    time.sleep(0.1)
	time.sleep(1)
	here.sync(); far.sync()
	a = [m.body for m in here.messages]
	b = [m.body for m in far.messages]
	print("# on Tandem %d, on ActiveMQ %d" % (len(a), len(b)))
	check(sorted(a + b) == sorted("m%d" % i for i in range(200)), "each once: %d + %d" % (len(a), len(b)))
	check(len(a) > len(b), "local first: %d here, %d there" % (len(a), len(b)))
	EOF
'

test_done
