#!/bin/sh
# The management socket (man tandem-mgmt(7)) against a live broker, with a
# plain socket: Jolokia's request shapes, the ActiveMQ object names and
# operations, server-side filtering and paging, watch streams, bad input
# and authentication.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <memoryUsage><memoryUsage limit="200 kb"/></memoryUsage>
</systemUsage></systemUsage>' broker_config node1 && start_broker node1 || exit 1

mgmt_py() {
	stomp_py "$@"
}

test_expect_success 'version, search and read of the broker object' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	v = m.ok({"type": "version"})
	check(v["protocol"] == "7.2" and v["agent"].startswith("tandem "), v)
	names = m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,*"})
	check(broker_name("node1") in names, names)
	check(any("service=Health" in n for n in names), names)
	check(any("connectorName=auto" in n for n in names), names)
	b = m.read(broker_name("node1"))
	check(b["BrokerName"] == "node1" and b["Slave"] is False, b)
	check(b["TransportConnectors"]["stomp"].startswith("stomp://127.0.0.1:"), b)
	for a in ("BrokerId", "BrokerVersion", "Uptime", "UptimeMillis", "DataDirectory",
	          "TotalEnqueueCount", "TotalDequeueCount", "TotalConsumerCount",
	          "TotalProducerCount", "TotalMessageCount", "CurrentConnectionsCount",
	          "MemoryLimit", "MemoryPercentUsage", "StoreLimit", "StorePercentUsage",
	          "TempLimit", "TempPercentUsage", "Queues", "Topics", "QueueCount", "TopicCount"):
	    check(a in b, "attribute %s" % a)
	check(b["MemoryLimit"] == 200 * 1024, b["MemoryLimit"])
	one = m.read(broker_name("node1"), "BrokerName")
	check(one == "node1", one)
	EOF
'

test_expect_success 'queues and topics appear with their counts; connections with their client' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	p = client(headers={"client-id": "prod-1"}, login="alice")
	for i in range(5):
	    send_on(p, "/queue/orders.eu", "order %d" % i, headers={"persistent": "true"})
	send_on(p, "/queue/orders.us", "order us")
	send_on(p, "/topic/prices", "42")
	m = Mgmt()
	q = m.read(queue_name("node1", "orders.eu"))
	check(q["QueueSize"] == 5 and q["EnqueueCount"] == 5 and q["ConsumerCount"] == 0, q)
	check(q["ProducerCount"] == 0, "the producer moved on to a topic: %r" % q)
	t = m.read(broker_name("node1") + ",destinationType=Topic,destinationName=prices")
	check(t["EnqueueCount"] == 1 and t["ProducerCount"] == 1, t)
	b = m.read(broker_name("node1"), ["QueueCount", "TopicCount", "TotalMessageCount"])
	check(b == {"QueueCount": 2, "TopicCount": 1, "TotalMessageCount": 6}, b)
	conns = m.read(broker_name("node1") + ",connector=clientConnectors,*")
	mine = [v for k, v in conns.items() if "connectionName=" in k and v["ClientId"] == "prod-1"]
	check(len(mine) == 1 and mine[0]["UserName"] == "alice" and mine[0]["EnqueueCount"] == 7, conns)
	check(mine[0]["Protocol"] == "stomp", mine)
	c = client(headers={"client-id": "cons-1"})
	c.conn.subscribe("/queue/orders.us", id="sub-9", ack="client",
	                 headers={"selector": "color = \x27red\x27", "activemq.prefetchSize": "7"})
	c.sync()
	subs = m.read(broker_name("node1") + ",destinationType=Queue,destinationName=orders.us,endpoint=Consumer,*")
	check(len(subs) == 1, subs)
	sub = list(subs.values())[0]
	check(sub["ClientId"] == "cons-1" and sub["SubscriptionId"] == "sub-9", sub)
	check(sub["Selector"] == "color = \x27red\x27" and sub["PrefetchSize"] == 7, sub)
	check(m.read(queue_name("node1", "orders.us"), "ConsumerCount") == 1, "one consumer")
	c.close()
	EOF
'

test_expect_success 'pattern reads filter, sort and page on the server' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	p = client()
	for i in range(30):
	    for j in range(i % 7):
	        p.conn.send("/queue/many.%02d" % i, "x")
	send_on(p, "/queue/many.done", "x")
	m = Mgmt()
	pat = broker_name("node1") + ",destinationType=Queue,destinationName=many.*"
	r = m.req({"type": "read", "mbean": pat, "attribute": "QueueSize",
	           "config": {"sort": "-QueueSize", "limit": 5}})
	# queues many.00 to many.29 with i % 7 messages (those with none were
	# never created) and many.done: 26
	check(r["status"] == 200 and r["total"] == 26, r)
	sizes = [v["QueueSize"] for v in r["value"].values()]
	check(sorted(sizes, reverse=True) == sizes and sizes[0] == 6 and len(sizes) == 5, sizes)
	r = m.req({"type": "search", "mbean": pat, "config": {"where": {"QueueSize": {">": 5}}}})
	check(r["total"] == 4 and len(r["value"]) == 4, r)
	r = m.req({"type": "search", "mbean": pat, "config": {"offset": 25, "limit": 10}})
	check(r["total"] == 26 and len(r["value"]) == 1, r)
	r = m.req({"type": "search", "mbean": pat, "config": {"where": {"Name": "many.0?"}}})
	check(r["total"] == 8, r)
	EOF
'

test_expect_success 'exec: browse, send, copy, move, remove, purge, add and remove a queue' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	q = queue_name("node1", "orders.eu")
	msgs = m.execute(q, "browse()")
	check(len(msgs) == 5 and msgs[0]["Text"] == "order 0", msgs)
	check(msgs[0]["JMSDeliveryMode"] == "PERSISTENT" and msgs[0]["JMSDestination"] == "queue://orders.eu", msgs[0])
	mid = m.execute(q, "sendTextMessage(java.util.Map,java.lang.String)",
	                {"persistent": "true", "color": "<red>"}, "from mgmt")
	check(mid.startswith("ID:"), mid)
	for bad in ("urgent", "10", "-1", "4x"):
	    r = m.req({"type": "exec", "mbean": q, "operation": "sendTextMessage",
	               "arguments": [{"priority": bad}, "never sent"]})
	    check(r["status"] != 200 and "priority" in r.get("error", ""), r)
	check(m.execute(q, "copyMessageTo", msgs[1]["JMSMessageID"], "copies") is True, "copied")
	check(m.execute(q, "moveMessageTo", msgs[2]["JMSMessageID"], "moved") is True, "moved")
	check(m.execute(q, "removeMessage", msgs[3]["JMSMessageID"]) is True, "removed")
	check(m.execute(q, "removeMessage", "ID:nope") is False, "unknown id")
	check(m.read(q, "QueueSize") == 4, m.read(q, "QueueSize"))
	c = client()
	c.conn.subscribe("/queue/copies", id="1")
	c.conn.subscribe("/queue/moved", id="2")
	got = sorted(x.body for x in c.wait(2))
	check(got == ["order 1", "order 2"], got)
	purged = m.execute(q, "purge")
	check(purged == 4 and m.read(q, "QueueSize") == 0, purged)
	c.conn.subscribe("/queue/orders.eu", id="3")
	c.sync()
	check(not c.messages, "nothing left after purge: %r" % [x.body for x in c.messages])
	b = broker_name("node1")
	m.execute(b, "addQueue", "added.q")
	check(queue_name("node1", "added.q") in m.read(b, "Queues"), "added")
	m.execute(b, "removeQueue", "added.q")
	r = m.req({"type": "read", "mbean": queue_name("node1", "added.q")})
	check(r["status"] == 404, r)
	EOF
'

test_expect_success 'a purged persistent queue stays empty after a restart' '
	stop_broker node1 && start_broker node1 &&
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	r = m.req({"type": "read", "mbean": queue_name("node1", "orders.eu"), "attribute": "QueueSize"})
	check(r["status"] == 404 or r["value"] == 0, "still empty: %r" % r)
	c = client()
	c.conn.subscribe("/queue/orders.eu", id="1")
	c.sync()
	check(not c.messages, "no message came back: %r" % [x.body for x in c.messages])
	EOF
'

test_expect_success 'retryMessages sends dead letters back where they came from' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	p = client()
	send_on(p, "/queue/poison", "bad", headers={"persistent": "true"})
	c = client()
	c.conn.subscribe("/queue/poison", id="1", ack="client-individual")
	msg = c.wait(1)[0]
	c.conn.nack(msg.headers["ack"])	# to the DLQ at once
	c.sync()
	c.close()
	m = Mgmt()
	dlq = queue_name("node1", "ActiveMQ.DLQ")
	check(m.read(dlq, "QueueSize") == 1, "dead-lettered")
	check(m.execute(dlq, "retryMessages") == 1, "retried")
	check(m.read(queue_name("node1", "poison"), "QueueSize") == 1, "back home")
	EOF
'

test_expect_success 'write changes a writable attribute and refuses a read-only one' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	q = queue_name("node1", "poison")
	old = m.ok({"type": "write", "mbean": q, "attribute": "MemoryLimit", "value": 65536})
	check(m.read(q, "MemoryLimit") == 65536 and old == 200 * 1024, old)
	r = m.req({"type": "write", "mbean": q, "attribute": "QueueSize", "value": 3})
	check(r["status"] == 403, r)
	EOF
'

test_expect_success 'list describes attributes and operations, and what each takes' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	d = m.ok({"type": "list", "path": DOMAIN + "/type=Broker,brokerName=node1,destinationType=Queue,destinationName=poison"})
	check(d["attr"]["QueueSize"]["rw"] is False and d["attr"]["MemoryLimit"]["rw"] is True, d["attr"])
	check("purge" in d["op"] and len(d["op"]["sendTextMessage"]) == 2, d["op"].keys())
	check(d["op"]["purge"]["perm"] == "admin", d["op"])
	# browse() and browse(selector): overloaded, so a list, as Jolokia lists them
	check(sorted(len(o["args"]) for o in d["op"]["browse"]) == [0, 1], d["op"]["browse"])
	check(all(o["perm"] == "read" for o in d["op"]["browse"]), d["op"]["browse"])
	check(d["op"]["removeMatchingMessages"]["perm"] == "admin", d["op"])
	all_ = m.ok({"type": "list"})
	check(all_[DOMAIN]["type=Broker,brokerName=node1"]["op"]["stop"]["perm"] == "broker admin", "stop")
	check("type=Broker,brokerName=node1" in all_[DOMAIN], all_.keys())
	EOF
'

test_expect_success 'bulk requests are answered in order; errors are per request' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	r = m.req([{"type": "version"},
	           {"type": "read", "mbean": broker_name("nosuch")},
	           {"type": "read", "mbean": broker_name("node1"), "attribute": "NoSuchAttr"},
	           {"type": "exec", "mbean": broker_name("node1"), "operation": "noSuchOp"},
	           {"type": "frobnicate"},
	           {"type": "read", "mbean": "not an object name"}])
	check([x["status"] for x in r] == [200, 404, 404, 404, 400, 404], [x["status"] for x in r])
	check("InstanceNotFound" in r[1]["error_type"], r[1])
	EOF
'

test_expect_success 'malformed JSON gets a 400 and the connection goes on; an oversize line is refused and closed' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	m.send_line("{not json")
	r = m.line()
	check(r["status"] == 400 and "Not JSON" in r["error"], r)
	check(m.ok({"type": "version"})["protocol"] == "7.2", "still serving")
	m.send_line(b"[" + b"1," * (600 * 1024) + b"1]")
	r = m.line()
	check(r["status"] == 413, r)
	check(m.closed(), "closed after an oversize line")
	check(Mgmt().ok({"type": "version"}), "others are served")
	EOF
'

test_expect_success 'too many management connections: a newcomer takes the place of the longest idle' '
	mgmt_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	held = [Mgmt() for i in range(64)]
	for m in held[1:]:
	    m.ok({"type": "version"})
	extra = Mgmt()
	check(extra.ok({"type": "version"}), "the 65th is served")
	check(held[0].closed(), "the one idle longest, never heard from, is closed")
	check(held[1].ok({"type": "version"}), "the others are still served")
	EOF
	log_contains node1 "64 management connections are open: closed 1 idle ones"
'

test_expect_success 'watch pushes snapshots at the interval until unwatched' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	r = m.req({"type": "watch", "mbean": broker_name("node1") + ",destinationType=Queue,destinationName=watched",
	           "attribute": ["QueueSize"], "interval": 300})
	check(r["status"] == 200 and r["value"] == {}, r)
	wid = r["watch"]
	p = client()
	send_on(p, "/queue/watched", "one")
	times, sizes = [], []
	while len(times) < 4:
	    s = m.line()
	    check(s.get("watch") == wid, s)
	    times.append(s["time_ms"])
	    sizes.append(list(s["value"].values())[0]["QueueSize"] if s["value"] else 0)
	check(sizes[-1] == 1, sizes)
	gaps = [b - a for a, b in zip(times, times[1:])]
	check(min(gaps) >= 240, "snapshots come at the interval, not faster: %r" % gaps)
	r = m.req({"type": "unwatch", "watch": wid})
	while r.get("watch") == wid and "status" not in r:
	    r = m.line()
	check(r["status"] == 200, r)
	m.sock.settimeout(1.0)
	try:
	    extra = m.line()
	except OSError:
	    extra = None
	check(extra is None, "no snapshot after unwatch: %r" % extra)
	EOF
'

test_expect_success 'health says Good, then names the problem' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	h = broker_name("node1") + ",service=Health"
	check(m.read(h, "CurrentStatus") == "Good", m.read(h))
	# Memory fills with what a consumer holds unacknowledged: a queue
	# keeps persistent messages past 70% of memoryUsage on disk.
	c = client()
	c.conn.subscribe("/queue/heavy", id="1", ack="client")
	c.sync()
	p = client()
	sent, text = send_until_refused(p, "/queue/heavy", "%d " + "x" * 1024, 1000,
	                                headers={"persistent": "true"})
	st = m.read(h)
	check("Memory usage is" in st["CurrentStatus"], st)
	check(st["Problems"][0]["Resource"] == "Memory", st)
	c.close()	# its messages go back to the queue, then the purge takes them
	until("the consumer gone", lambda: m.read(queue_name("node1", "heavy"), "ConsumerCount") == 0)
	m.execute(queue_name("node1", "heavy"), "purge")
	until("Good again", lambda: m.read(h, "CurrentStatus") == "Good")
	EOF
'

test_expect_success 'the Store object counts messages acknowledged before their commit, so never written' '
	mgmt_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	store = broker_name("node1") + ",service=PersistenceAdapter,instanceName=Store"
	before = m.read(store, "MessagesNotWritten")
	# An auto-ack consumer waits: each message is acknowledged as it is
	# sent to it, before its commit begins.
	c = client()
	c.conn.subscribe("/queue/unwritten.auto", id="1", ack="auto")
	c.sync()
	p = client()
	for i in range(20):
	    send_on(p, "/queue/unwritten.auto", "a%d" % i, headers={"persistent": "true"})
	check(len(c.wait(20)) == 20, "20 came")
	after_auto = m.read(store, "MessagesNotWritten")
	check(after_auto - before == 20, "20 not written: %d" % (after_auto - before))
	# Without a consumer each message is written.
	for i in range(20):
	    send_on(p, "/queue/unwritten.later", "l%d" % i, headers={"persistent": "true"})
	s = m.read(store)
	check(s["MessagesNotWritten"] == after_auto, "the later 20 were written: %r" % s)
	check(s["UnwrittenOperations"] == 0, "nothing waits for the writer once receipted: %r" % s)
	EOF
'

test_expect_success 'the stop operation stops the broker cleanly' '
	mgmt_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	Mgmt().execute(broker_name("node1"), "stop")
	EOF
	for i in $(seq 100); do process_alive "$(cat node1/pid)" || break; sleep 0.1; done &&
	! process_alive "$(cat node1/pid)" &&
	log_contains node1 "Stop requested over the management socket" &&
	log_contains node1 "Tandem broker node1 stopped" &&
	rm -f node1/pid
'

MGMT_PORT=auto BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="s3cret" groups="admins"/>
</users></simpleAuthenticationPlugin></plugins>' broker_config secured && start_broker secured || exit 1

test_expect_success 'with users configured: login first; a wrong password is refused, logged and closed' '
	MPORT=$(broker_mgmt_port secured) mgmt_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	r = m.req({"type": "version"})
	check(r["status"] == 401 and m.closed(), "no request before login: %r" % r)
	m = Mgmt()
	r = m.req({"type": "login", "user": "admin", "password": "wrong"})
	check(r["status"] == 401 and m.closed(), r)
	m = Mgmt()
	check(m.ok({"type": "login", "user": "admin", "password": "s3cret"}) == "admin", "login")
	check(m.read(broker_name("secured"), "BrokerName") == "secured", "then served")
	EOF
	log_contains secured "WARN.*Management login failed for user \[admin\] from 127.0.0.1"
'

# open_mgmt NAME: NAME/broker.xml with its management socket on 0.0.0.0, run
# in a network namespace of its own (only its loopback there) until it has
# said how it listens; its log is left in NAME/log.
open_mgmt() {
	sed -i "s|connectorHost=\"127.0.0.1\"|connectorHost=\"0.0.0.0\"|" "$1/broker.xml" &&
	grep -q "connectorHost=\"0.0.0.0\"" "$1/broker.xml" &&
	unshare -n sh -c "ip link set lo up && exec \"$TANDEMD\" -c \"$1/broker.xml\"" >"$1/log" 2>&1 &
	p=$!
	for i in $(seq 100); do grep -q "Management socket listening" "$1/log" 2>/dev/null && break; sleep 0.1; done
	kill $p && wait $p
	grep -q "Management socket listening at 0.0.0.0" "$1/log"
}

if unshare -n true 2>/dev/null; then
test_expect_success 'a management socket open to the network without users logs a loud warning; with users, none' '
	MGMT_PORT=auto broker_config open && open_mgmt open &&
	grep -q "WARN.*THE MANAGEMENT SOCKET HAS NO USERS.* on 0.0.0.0:.*AND ANYONE ON THE NETWORK" open/log &&
	MGMT_PORT=auto BROKER_EXTRA="<plugins><simpleAuthenticationPlugin><users>
	  <authenticationUser username=\"admin\" password=\"s3cret\" groups=\"admins\"/>
	</users></simpleAuthenticationPlugin></plugins>" broker_config openauth && open_mgmt openauth &&
	! grep -q "HAS NO USERS" openauth/log &&
	grep -q "login required" openauth/log
'
else
	test_skip "a management socket open to the network logs a warning" "cannot create a network namespace here (unshare -n)"
fi

test_done
