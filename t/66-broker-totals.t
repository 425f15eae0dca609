#!/bin/sh
# The broker's TotalMessageCount is kept as queues change, not added up
# at each read (with 100,000 queues the sum took 5-9 ms of the loop): it
# must still equal the sum of every queue's QueueSize and every durable
# subscription's PendingQueueSize through sends, deliveries, acks,
# redeliveries, paging past the window, expiry to the DLQ, purges,
# removals and a restart. Health names the queues whose messages nobody
# has taken for a while (a minute; TANDEM_TEST_HEALTH_IDLE_MS shortens
# it here), oldest first, from a list kept the same way.
. "$(dirname "$0")/test-lib.sh"

TANDEM_TEST_HEALTH_IDLE_MS=1500
export TANDEM_TEST_HEALTH_IDLE_MS
MGMT_PORT=auto broker_config node1 && start_broker node1 || exit 1

cat >"$TRASH/totals.py" <<-\EOF
import os, sys
from tmgmt import *

def sizes(m):
    """TotalMessageCount, and the sum it must equal."""
    b = m.read(broker_name("node1"), "TotalMessageCount")
    names = m.ok({"type": "search", "mbean": broker_name("node1") + ",destinationType=*,*"})
    total = 0
    for n in names:
        if "endpoint=" not in n and "destinationType=Queue" in n:
            total += m.read(n, "QueueSize")
        elif "consumerId=Durable(" in n:
            total += m.read(n, "PendingQueueSize")
    if os.environ.get("TOTALS_DEBUG"):
        print([(n, m.read(n)) for n in names if "endpoint" not in n or "Durable" in n], file=sys.stderr)
    return b, total

def same(m, what):
    """Checks that they agree; the total, less the round trips of
    tstomp's sync()."""
    b, total = sizes(m)
    check(b == total, "%s: TotalMessageCount %d, the queues hold %d" % (what, b, total))
    return b - queue_size(m, "node1", "tstomp.sync")
EOF

test_expect_success 'the total follows sends, deliveries, acks and redeliveries' '
	stomp_py <<-\EOF
	import sys, os; sys.path.insert(0, os.environ["TRASH"])
	from tstomp import *
	from totals import *
	m = Mgmt()
	check(same(m, "at start") == 0, "empty at start")
	p = client()
	for i in range(30):
	    send_on(p, "/queue/t.a", "a%d" % i, headers={"persistent": "true"})
	for i in range(10):
	    send_on(p, "/queue/t.b", "b%d" % i)
	check(same(m, "after 40 sends") == 40, "40")
	c = client()
	c.conn.subscribe("/queue/t.a", id="1", ack="client-individual",
	                 headers={"activemq.prefetchSize": "5"})
	got = c.wait(5)
	check(same(m, "5 in flight") == 40, "in flight still counts")
	for f in got[:3]:
	    c.conn.ack(f.headers["ack"])
	c.sync()
	n = same(m, "3 acked"); check(n == 37, "37 after 3 acks, not %d" % n)
	c.conn.disconnect()
	until("unacked ones back", lambda: queue_attr(m, "node1", "t.a", "InFlightCount") == 0)
	n = same(m, "redelivered"); check(n == 37, "37 after the consumer left, not %d" % n)
	EOF
'

test_expect_success 'paging past the window, a durable subscription, purge, expiry and removal' '
	stomp_py <<-\EOF
	import sys, os, time; sys.path.insert(0, os.environ["TRASH"])
	from tstomp import *
	from totals import *
	m = Mgmt()
	before = same(m, "before")
	p = client()
	for i in range(1500):
	    send_on(p, "/queue/t.paged", "p%d" % i, receipt=(i % 100 == 99),
	            headers={"persistent": "true"})
	until("1500 on t.paged", lambda: queue_size(m, "node1", "t.paged") == 1500)
	check(same(m, "paged") == before + 1500, "paged ones count")
	d = client(headers={"client-id": "tot"})
	d.conn.subscribe("/topic/t.news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "s"})
	d.sync()
	d.conn.disconnect()
	sub = [n for n in m.ok({"type": "search", "mbean": broker_name("node1") + ",endpoint=Consumer,*"})
	       if "Durable(tot_s)" in n][0]
	until("the durable subscriber gone", lambda: m.read(sub, "Active") is False)
	for i in range(4):
	    send_on(p, "/topic/t.news", "n%d" % i, headers={"persistent": "true"})
	n = same(m, "durable"); check(n == before + 1504, "durable pending counts: %d, not %d" % (n, before + 1504))
	c = client()
	c.conn.subscribe("/queue/t.paged", id="2", ack="auto")
	c.wait(1500)
	c.close()
	until("t.paged drained", lambda: queue_size(m, "node1", "t.paged") == 0)
	check(same(m, "drained") == before + 4, "drained")
	m.execute(queue_name("node1", "t.b"), "purge")
	check(same(m, "purged") == before - 10 + 4, "purge")
	send_on(p, "/queue/t.exp", "gone", headers={"expires": str(int(time.time() * 1000) + 300),
	                                            "persistent": "true"})
	time.sleep(0.6)   # lets it expire; what follows asserts no timing
	e = subscriber("/queue/t.exp")
	e.close()
	until("expired", lambda: queue_attr(m, "node1", "t.exp", "ExpiredCount") == 1)
	check(same(m, "expired to the DLQ") == before - 10 + 4 + 1, "the DLQ holds it")
	m.execute(broker_name("node1"), "removeQueue", "t.a")
	check(same(m, "removed") == before - 10 + 4 + 1 - 27, "removal")
	EOF
'

test_expect_success 'after a restart the total is the stored messages' '
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	import sys, os; sys.path.insert(0, os.environ["TRASH"])
	from totals import *
	m = Mgmt()
	check(same(m, "restarted") > 0, "stored ones come back")
	EOF
'

test_expect_success 'Health names queues whose messages nobody took for a while, oldest first, and counts the rest' '
	stomp_py <<-\EOF
	import time
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	for q in m.ok({"type": "search", "mbean": broker_name("node1") + ",destinationType=Queue,*"}):
	    m.execute(q, "purge")
	p = client()
	for i in range(130):
	    send_on(p, "/queue/idle.%03d" % i, "x", receipt=(i % 10 == 9))
	H = broker_name("node1") + ",service=Health"
	def idle():
	    return [x for x in m.read(H, "Problems") if x["Resource"].startswith("idle.")
	            or x["Resource"] == "Queues"]
	check(idle() == [], "not idle at once: %r" % idle())
	time.sleep(2)
	c = client()
	c.conn.subscribe("/queue/idle.000", id="1", ack="client")
	c.wait(1)
	send_on(p, "/queue/idle.young", "y")
	probs = idle()
	named = [x["Resource"] for x in probs if x["Resource"] != "Queues"]
	check(named == ["idle.%03d" % i for i in range(1, 101)], "the 100 oldest: %r" % named)
	rest = [x["Message"] for x in probs if x["Resource"] == "Queues"]
	check(rest == ["29 more queues have messages and no consumer"], rest)
	check("no consumer for" in probs[0]["Message"], probs[0])
	m.execute(queue_name("node1", "idle.001"), "purge")
	c.close()
	more = lambda: [x["Message"] for x in idle() if x["Resource"] == "Queues"]
	until("idle.young and idle.000 (its consumer gone) idle too",
	      lambda: more() == ["30 more queues have messages and no consumer"], 10)
	named = [x["Resource"] for x in idle() if x["Resource"] != "Queues"]
	check(named == ["idle.%03d" % i for i in range(2, 102)], named)
	EOF
'

test_done
