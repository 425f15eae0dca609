#!/bin/sh
# Network of brokers, static discovery: demand forwarding of queue
# messages to the broker that has consumers, store and forward (acked here
# only once stored there), local consumers first, no loops, resends dropped,
# bridges that come back after their remote dies.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
# Two brokers bridged both ways, as the seed's masters are: each one's
# port is chosen first, so that the other's configuration can name it.
# a also never forwards net.private.* and always forwards net.static.
net() {
	echo "<networkConnectors><networkConnector name=\"net\" uri=\"static:(tcp://127.0.0.1:$1)\"
	  prefetchSize=\"1000\" decreaseNetworkConsumerPriority=\"true\">${2:-}
	  </networkConnector></networkConnectors>"
}
mkdir -p a b && free_port >a/port && free_port >b/port &&
BROKER_EXTRA=$(net "$(cat b/port)" "
	  <excludedDestinations><queue physicalName=\"net.private.>\"/></excludedDestinations>
	  <staticallyIncludedDestinations><queue physicalName=\"net.static\"/></staticallyIncludedDestinations>"
	) broker_config a &&
BROKER_EXTRA=$(net "$(cat a/port)") broker_config b || exit 1
start_broker a && start_broker b || exit 1
log_waits_for a "Network connection between a and b" || exit 1
log_waits_for b "Network connection between b and a" || exit 1

test_expect_success 'a producer on a, a consumer on b: every message arrives at b exactly once' '
	PORT=$(broker_port b) stomp_py <<-\EOF &&
	import os
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/net.one", id="1", ack="auto")
	c.sync()
	p = client(int(open(os.environ["TRASH"] + "/a/port").read()))
	import time
	for i in range(100):   # the demand reaches a in a moment
	    if "net.one" in open(os.environ["TRASH"] + "/a/log").read():
	        break
	    time.sleep(0.05)
	for i in range(500):
	    h = {"persistent": "true"}
	    if i == 499:
	        h["receipt"] = "last"
	    p.conn.send("/queue/net.one", "m%d" % i, headers=h)
	p.wait_receipt("last")
	got = [m.body for m in c.wait(500, timeout=30)]
	check(got == ["m%d" % i for i in range(500)], "all 500 in order, once: %d" % len(got))
	c.sync()
	check(not c.messages, "nothing more")
	EOF
	log_contains a "consumer(s) of queue://net.one on b: forwarding"
'

test_expect_success 'consumers on both brokers: local consumers first, each message once' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	local = client()
	local.conn.subscribe("/queue/net.two", id="1", ack="auto")
	far = client(int(open(os.environ["TRASH"] + "/b/port").read()))
	far.conn.subscribe("/queue/net.two", id="1", ack="auto")
	local.sync(); far.sync()
	time.sleep(0.5)
	p = client()
	for i in range(300):
	    p.conn.send("/queue/net.two", "m%d" % i)
	p.sync()
	time.sleep(1)
	local.sync(); far.sync()
	a = [m.body for m in local.messages]
	b = [m.body for m in far.messages]
	print("# local %d, remote %d" % (len(a), len(b)))
	check(sorted(a + b) == sorted("m%d" % i for i in range(300)), "each once: %d + %d" % (len(a), len(b)))
	check(len(a) >= len(b), "local consumers first: %d local, %d remote" % (len(a), len(b)))
	EOF
'

test_expect_success 'no message goes back where it came from (bridges both ways)' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	far = client()
	far.conn.subscribe("/queue/net.loop", id="1", ack="auto")
	far.sync()
	near = client(int(open(os.environ["TRASH"] + "/a/port").read()))
	near.conn.subscribe("/queue/net.loop", id="1", ack="client", headers={"activemq.prefetchSize": "1"})
	near.sync()
	time.sleep(0.5)
	p = client(int(open(os.environ["TRASH"] + "/a/port").read()))
	for i in range(50):
	    p.conn.send("/queue/net.loop", "m%d" % i)
	p.sync()
	time.sleep(1)
	near.conn.disconnect()
	time.sleep(1)
	far.sync()
	got = [m.body for m in far.messages]
	check(len(got) == len(set(got)), "no duplicates: %d of %d" % (len(got), len(set(got))))
	check(sorted(got) == sorted("m%d" % i for i in range(50)),
	      "what the local consumer did not take went to b, once: %d" % len(got))
	EOF
'

test_expect_success 'stranding: b holds messages when its consumer leaves; a consumer on a gets them all, once (replayWhenNoConsumers)' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	from tmgmt import *
	size = queue_size
	ma, mb = Mgmt(mport("a")), Mgmt(mport("b"))
	far = subscriber("/queue/net.strand", ack="client", headers={"activemq.prefetchSize": "1"})
	until("demand reached a", lambda: log_has("a", "queue://net.strand on b: forwarding"))
	p = client(port("a"))
	for i in range(50):
	    send_on(p, "/queue/net.strand", "m%d" % i, headers={"persistent": "true"})
	first = far.wait(1)[0]
	until("all 50 moved to b", lambda: size(ma, "a", "net.strand") == 0 and size(mb, "b", "net.strand") == 50)
	far.conn.disconnect()
	near = subscriber("/queue/net.strand", port("a"))
	got = near.wait(50)
	bodies = sorted(m.body for m in got)
	check(bodies == sorted("m%d" % i for i in range(50)), "all 50 back at a, once: %d" % len(bodies))
	check(any(m.headers.get("tandem-replay") for m in got), "b sent them back as replays")
	until("b empty", lambda: size(mb, "b", "net.strand") == 0)
	near.sync()
	check(not near.messages, "nothing more: %d" % len(near.messages))
	EOF
'

test_expect_success 'topics: a subscriber on b gets what is published on a, once; nothing comes back to a' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	from tmgmt import until, log_has
	far = subscriber("/topic/net.news")
	near = subscriber("/topic/net.news", port("a"))
	until("topic demand reached a", lambda: log_has("a", "topic://net.news on b: forwarding"))
	p = client(port("a"))
	for i in range(100):
	    p.conn.send("/topic/net.news", "n%d" % i)
	p.sync()
	check([m.body for m in far.wait(100)] == ["n%d" % i for i in range(100)], "b: all 100 in order")
	check([m.body for m in near.wait(100)] == ["n%d" % i for i in range(100)], "a: all 100 in order")
	time.sleep(0.5)
	far.sync(); near.sync()
	check(not far.messages and not near.messages,
	      "no copies: %d more at b, %d more at a" % (len(far.messages), len(near.messages)))
	EOF
'

test_expect_success 'excludedDestinations stay home; staticallyIncludedDestinations go without demand' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	from tmgmt import *
	far = subscriber("/queue/net.private.x")
	p = client(port("a"))
	send_on(p, "/queue/net.private.x", "secret", headers={"persistent": "true"})
	for i in range(5):
	    send_on(p, "/queue/net.static", "s%d" % i, headers={"persistent": "true"})
	ma, mb = Mgmt(mport("a")), Mgmt(mport("b"))
	until("the 5 static messages reached b, which has no consumer",
	      lambda: queue_size(mb, "b", "net.static") == 5)
	time.sleep(0.5)
	far.sync()
	check(not far.messages, "the excluded queue was not forwarded: %r" % [m.body for m in far.messages])
	check(ma.read(queue_name("a", "net.private.x"), "QueueSize") == 1, "it waits at a")
	EOF
'

test_expect_success 'each bridge is a management object: state, remote, forwarded count, demand' '
	stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt(mport("a"))
	names = m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=net,networkBridge=*"})
	check(len(names) == 1, names)
	nc = m.read(DOMAIN + ":type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=net")
	check(nc["Bridges"] == 1 and nc["NetworkTTL"] == 1 and nc["ConsumerTTL"] == 1 and nc["PrefetchSize"] == 1000, nc)
	br = m.read(names[0])
	check(br["State"] == "active" and br["RemoteBrokerName"] == "b", br)
	check(br["RemoteBrokerId"].startswith("ID:") and br["LocalAddress"].startswith("127.0.0.1:"), br)
	check(br["CreatedByDuplex"] is False, br)
	# A flow names the remote by name and id: two remotes may share a name.
	out = m.read(DOMAIN + ":type=Broker,brokerName=a,connector=networkConnectors,networkBridge=b,"
	             "direction=outbound,destinationType=Queue,destinationName=net.one,"
	             "remoteBrokerId=" + quoted(br["RemoteBrokerId"]))
	check(out["Count"] == 500 and out["RemoteBrokerName"] == "b" and out["Rate"] >= 0, out)
	check(out["RemoteBrokerId"] == br["RemoteBrokerId"], out)
	a_id = m.read(broker_name("a"), "BrokerId")
	inb = Mgmt(mport("b")).read(DOMAIN + ":type=Broker,brokerName=b,connector=networkConnectors,"
	                            "networkBridge=a,direction=inbound,destinationType=Queue,"
	                            "destinationName=net.one,remoteBrokerId=" + quoted(a_id))
	check(inb["Count"] == 500 and inb["Direction"] == "inbound" and inb["RemoteBrokerId"] == a_id, inb)
	check(br["EnqueueCounter"] >= 500 and br["LastError"] == "" and br["DownSinceMillis"] == 0, br)
	check(br["NetworkTTL"] == 1, br)
	check(m.read(broker_name("a") + ",service=Health", "CurrentStatus") == "Good", "healthy")
	EOF
	ctl --node 127.0.0.1:$(broker_mgmt_port a) check --bridges >out &&
	grep -q "bridges *OK *1 bridge(s) active$" out
'

test_expect_success 'the remote is killed -9 and comes back: the bridge reconnects; no receipted message lost' '
	kill_broker b &&
	log_waits_for a "Bridge tcp://127.0.0.1:$(broker_port b): the connection to" &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(200):
	    send_on(p, "/queue/net.back", "m%d" % i, headers={"persistent": "true"})
	EOF
	MPORT=$(broker_mgmt_port a) stomp_py <<-\EOF &&
	import time
	from tmgmt import *
	m = Mgmt()
	name = m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=net,networkBridge=*"})[0]
	br = m.read(name)
	check(br["State"] in ("backing off", "connecting") and "refused" in br["LastError"], br)
	time.sleep(max(0, 5.2 - (time.time() * 1000 - br["DownSinceMillis"]) / 1000))
	st = m.read(broker_name("a") + ",service=Health", "CurrentStatus")
	check("Bridge tcp://127.0.0.1:" in st and "not active for" in st, st)
	EOF
	ctl --node 127.0.0.1:$(broker_mgmt_port a) check --bridges >out
	test $? = 1 && grep -q "bridges *FAIL *bridge to 127.0.0.1:$(broker_port b) " out &&
	start_broker b &&
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/net.back", id="1", ack="auto")
	got = [m.body for m in c.wait(200, timeout=30)]
	check(got == ["m%d" % i for i in range(200)], "all 200 via the new bridge: %d" % len(got))
	EOF
'

# The seed gives the brokers of every pair the same names: a hub bridged
# to two brokers both called twin1 keeps a flow for each.
test_expect_success 'two remotes of the same name: a NetworkFlow each, told apart by the remote id' '
	broker_config twin1 && broker_config twin2 &&
	sed -i "s/brokerName=\"twin2\"/brokerName=\"twin1\"/" "$TRASH/twin2/broker.xml" &&
	static_network hub "" twin1 twin2 &&
	start_broker twin1 && start_broker twin2 && start_broker hub &&
	for i in $(seq 100); do
		test "$(grep -c "Network connection between hub and twin1" "$TRASH/hub/log")" = 2 && break
		sleep 0.1
	done &&
	test "$(grep -c "Network connection between hub and twin1" "$TRASH/hub/log")" = 2 &&
	MPORT=$(broker_mgmt_port hub) T1=$(broker_port twin1) T2=$(broker_port twin2) \
	H=$(broker_port hub) stomp_py <<-\EOF
	import os
	from tstomp import *
	from tmgmt import *
	subs = []
	for port in (os.environ["T1"], os.environ["T2"]):
	    c = client(int(port))
	    c.conn.subscribe("/topic/fan.news", id="1", ack="auto")
	    c.sync()
	    subs.append(c)
	m = Mgmt()
	topic = broker_name("hub") + ",destinationType=Topic,destinationName=fan.news"
	def subscribed():
	    r = m.req({"type": "read", "mbean": topic, "attribute": "ConsumerCount"})
	    return r.get("status") == 200 and r["value"] == 2
	until("both bridges subscribed at the hub", subscribed)
	p = client(int(os.environ["H"]))
	for i in range(10):
	    send_on(p, "/topic/fan.news", "n%d" % i)
	for c in subs:
	    check([x.body for x in c.wait(10)] == ["n%d" % i for i in range(10)], "10 at each twin")
	pattern = (DOMAIN + ":type=Broker,brokerName=hub,connector=networkConnectors,networkBridge=twin1,"
	           "direction=outbound,destinationType=Topic,destinationName=fan.news,*")
	def flows():
	    return [m.read(n) for n in m.ok({"type": "search", "mbean": pattern})]
	until("a flow of 10 to each twin", lambda: sorted(f["Count"] for f in flows()) == [10, 10])
	ids = set(f["RemoteBrokerId"] for f in flows())
	check(len(ids) == 2 and all(i.startswith("ID:") for i in ids), "two remote ids: %r" % ids)
	EOF
'

test_done
