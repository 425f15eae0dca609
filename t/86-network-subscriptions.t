#!/bin/sh
# How many consumers a bridge opens for the remote's demand:
# conduitSubscriptions (one per destination, the default; one per remote
# consumer of a queue when false, so that a broker with three consumers
# gets three shares) and suppressDuplicateQueueSubscriptions (in a full
# mesh, no second route to consumers a broker reaches directly).
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
for n in a b c d s1 s2 s3 t1 t2 t3 v; do mkdir -p $n && free_port >$n/port || exit 1; done
static_network a 'conduitSubscriptions="false"' b &&
static_network c '' d &&
broker_config b && broker_config d &&
static_network s1 'networkTTL="2" suppressDuplicateQueueSubscriptions="true"' s2 s3 &&
static_network s2 'networkTTL="2" suppressDuplicateQueueSubscriptions="true"' s1 s3 &&
static_network s3 'networkTTL="2" suppressDuplicateQueueSubscriptions="true"' s1 s2 &&
static_network t1 'networkTTL="2"' t2 t3 &&
static_network t2 'networkTTL="2"' t1 t3 &&
static_network t3 'networkTTL="2"' t1 t2 &&
broker_config v && mkdir -p u &&
BROKER_EXTRA="<networkConnectors><networkConnector name=\"two\" uri=\"static:(tcp://127.0.0.1:$(broker_port v),tcp://127.0.0.1:$(broker_stomp_port v))\"/></networkConnectors>" \
	broker_config u &&
start_bridged a:b c:d s1:s2 s1:s3 s2:s1 s2:s3 s3:s1 s3:s2 t1:t2 t1:t3 t2:t1 t2:t3 t3:t1 t3:t2 ||
	exit 1

test_expect_success 'conduitSubscriptions false: one bridge consumer per remote consumer of a queue' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import Mgmt, mport, queue_attr, until
	subs = [subscriber("/queue/shares") for i in range(3)]
	ma = Mgmt(mport("a"))
	count = lambda: queue_attr(ma, "a", "shares", "ConsumerCount")
	until("three bridge consumers on a", lambda: count() == 3)
	subs[2].close()
	until("two once one of them left", lambda: count() == 2)
	local = subscriber("/queue/shares", port("a"))
	until("and the local one", lambda: count() == 3)
	p = client(port("a"))
	for i in range(300):
	    send_on(p, "/queue/shares", "m%d" % i, receipt=(i % 50 == 49))
	got, left = [], 300
	while left:
	    for s in (local, subs[0], subs[1]):
	        bodies = [m.body for m in s.messages]
	        s.messages.clear()
	        got += bodies
	        left -= len(bodies)
	    if left:
	        import time; time.sleep(0.05)
	    check(len(got) <= 300, "no more than sent")
	check(sorted(got) == sorted("m%d" % i for i in range(300)), "each of 300 once")
	EOF
'

test_expect_success 'conduitSubscriptions true (default): one bridge consumer however many remote ones' '
	PORT=$(broker_port d) stomp_py <<-\EOF
	import time
	from tstomp import *
	from tmgmt import Mgmt, mport, queue_attr, until
	subs = [subscriber("/queue/conduit") for i in range(3)]
	mc = Mgmt(mport("c"))
	count = lambda: queue_attr(mc, "c", "conduit", "ConsumerCount")
	until("a bridge consumer on c", lambda: count() == 1)
	time.sleep(0.5)
	check(count() == 1, "still one: %r" % count())
	EOF
'

# mesh_count MESH: the consumers that s2 (or t2) has for queue mesh.q
# once a consumer on s1 (t1) exists, after both other brokers heard of it.
mesh_count() {
	PORT=$(broker_port ${1}1) M=$1 stomp_py <<-\EOF
	import os, time
	from tstomp import *
	from tmgmt import Mgmt, mport, queue_attr, until, log_has
	m = os.environ["M"]
	s = subscriber("/queue/mesh.q")
	m2 = Mgmt(mport(m + "2"))
	count = lambda: queue_attr(m2, m + "2", "mesh.q", "ConsumerCount")
	until("demand from " + m + "1 on " + m + "2", lambda: count() >= 1)
	until("and on " + m + "3", lambda: log_has(m + "3", "consumer(s) of queue://mesh.q on " + m + "1"))
	time.sleep(1)
	print("count=%d" % count())
	p = client(port(m + "2"))
	for i in range(20):
	    send_on(p, "/queue/mesh.q", "x%d" % i)
	got = s.wait_bodies(20)
	# Two routes need not keep the order: each message once is the point.
	check(sorted(got) == sorted("x%d" % i for i in range(20)), "the 20 reach %s1: %r" % (m, got))
	time.sleep(0.5)
	s.sync()
	check(not s.messages, "once each")
	EOF
}

test_expect_success 'suppressDuplicateQueueSubscriptions: a full mesh forwards by the direct bridge only' '
	mesh_count s >out &&
	cat out &&
	grep -q "^count=1$" out
'

test_expect_success 'without it, the same mesh also forwards through the third broker' '
	mesh_count t >out &&
	cat out &&
	grep -q "^count=2$" out
'

test_expect_success 'two entries that reach one broker: one bridge forwards, the other stands by' '
	start_broker v && start_broker u &&
	log_waits_for u "Network connection between u and v" &&
	log_waits_for u "is reached already by bridge .*: standing by" &&
	ctl --node 127.0.0.1:$(broker_mgmt_port u) check --bridges >out &&
	cat out && grep -q "1 bridge(s) active, 1 standing by" out &&
	PORT=$(broker_port v) stomp_py <<-\EOF
	import time
	from tstomp import *
	from tmgmt import until, log_has
	c = subscriber("/queue/twice.q")
	until("demand reached u", lambda: log_has("u", "of queue://twice.q on v: forwarding"))
	p = client(port("u"))
	for i in range(50):
	    send_on(p, "/queue/twice.q", "m%d" % i, receipt=(i == 49))
	check(c.wait_bodies(50) == ["m%d" % i for i in range(50)], "all 50 in order")
	time.sleep(0.5)
	c.sync()
	check(not c.messages, "once each")
	EOF
'

test_expect_success 'the configuration printout says both options' '
	"$TANDEMD" -c a/broker.xml --check >out 2>&1 &&
	grep "conduitSubscriptions: false" out &&
	"$TANDEMD" -c s1/broker.xml --check >out 2>&1 &&
	grep "suppressDuplicateQueueSubscriptions: true" out
'

test_done
