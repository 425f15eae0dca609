#!/bin/sh
# Takeover of a store with a large backlog on many queues (issue 23): the
# new master reads counts, not messages, before it serves; management
# shows every queue's depth at once, before any consumer comes; each
# message then arrives once, in order within its priority, from queues,
# a durable subscription and a queue browsed first.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
MGMT_PORT=auto
export STORE_DIR

QUEUES=20
PER=2500	# two and a half windows (QUEUE_PAGE_WINDOW) each

test_expect_success 'a master fills the store: 50,000 messages on 20 queues, a priority queue, a durable subscription' '
	start_broker a &&
	start_slave b &&
	STOMP=127.0.0.1:$(broker_stomp_port a) &&
	for q in $(seq $QUEUES); do
		ctl producer --stomp $STOMP --destination queue://backlog.$q --count $PER \
			--receipt-every 500 --persistent --size 64 >/dev/null 2>>fill.err || return 1
	done &&
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF
	from tstomp import *
	c = client(headers={"client-id": "keeper"})
	c.conn.subscribe("/topic/backlog.t", id="1", headers={"activemq.subscriptionName": "k"})
	c.sync()
	c.conn.disconnect()
	p = client()
	send_backlog(p, "/queue/backlog.prio", 2500, high=20)
	send_backlog(p, "/topic/backlog.t", 1500)
	send_backlog(p, "/queue/backlog.browsed", 1200)
	EOF
'

test_expect_success 'kill -9 of the master: the slave serves with every depth right, its messages still on disk' '
	kill_broker a &&
	log_waits_for b "acquired after waiting" &&
	log_waits_for b "Tandem broker b started" &&
	log_contains b "$((QUEUES * PER + 2521 + 1501 + 1201)) message(s) recovered" &&
	MPORT=$(broker_mgmt_port b) stomp_py $QUEUES $PER <<-\EOF
	import sys
	from tmgmt import *
	m = Mgmt()
	queues, per = int(sys.argv[1]), int(sys.argv[2])
	for q in range(1, queues + 1):
	    size = queue_size(m, "b", "backlog.%d" % q)
	    check(size == per, "backlog.%d: QueueSize %r, not %d" % (q, size, per))
	    mem = queue_attr(m, "b", "backlog.%d" % q, "MemoryUsageByteCount")
	    check(mem == 0, "backlog.%d: nothing read before a consumer comes: %r bytes" % (q, mem))
	check(queue_size(m, "b", "backlog.prio") == 2521, queue_size(m, "b", "backlog.prio"))
	durable = m.read(broker_name("b") + ",destinationType=Topic,destinationName=backlog.t,"
	                 "endpoint=Consumer,clientId=keeper,consumerId=Durable(keeper_k)",
	                 "PendingQueueSize")
	check(durable == 1501, "the durable subscription keeps %r" % durable)
	total = m.read(broker_name("b"), "TotalMessageCount")
	want = queues * per + 2521 + 1501 + 1201
	check(total == want, "TotalMessageCount %r, not %d" % (total, want))
	EOF
'

test_expect_success 'a browse of a queue not yet read shows its first messages; its consumer gets all' '
	PORT=$(broker_stomp_port b) MPORT=$(broker_mgmt_port b) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	bodies = [x["Text"] for x in m.execute(queue_name("b", "backlog.browsed"), "browse")]
	check(bodies[:3] == ["d0", "d1", "d2"], bodies[:3])
	c = client()
	c.conn.subscribe("/queue/backlog.browsed", id="1", ack="client",
	                 headers={"activemq.prefetchSize": "200"})
	got = []
	while len(got) < 1201:
	    ms = c.wait(min(200, 1201 - len(got)), timeout=60)
	    got += [x.body for x in ms]
	    c.conn.ack(ms[-1].headers["ack"])
	check(got == ["d%d" % i for i in range(1200)] + ["last"], "all 1201, once, in order")
	EOF
'

test_expect_success 'every queue drains once and in order; priorities first; the durable subscriber gets its backlog' '
	STOMP=127.0.0.1:$(broker_stomp_port b) &&
	for q in $(seq $QUEUES); do
		rm -f got.$q &&
		ctl consumer --stomp $STOMP --destination queue://backlog.$q --count $PER \
			--timeout 30 --received got.$q >/dev/null 2>>drain.err || return 1
		seq $PER >want && cut -d" " -f1 got.$q >seqs.$q && cmp -s want seqs.$q &&
		test "$(cut -d" " -f2 got.$q | sort -u | wc -l)" = $PER ||
			{ say "backlog.$q: not each of 1..$PER once, in order"; return 1; }
	done &&
	PORT=$(broker_stomp_port b) stomp_py <<-\EOF
	from tstomp import *
	def drain(c, n):
	    got = []
	    while len(got) < n:
	        ms = c.wait(min(100, n - len(got)), timeout=60)
	        got += [x.body for x in ms]
	        c.conn.ack(ms[-1].headers["ack"])
	    return got
	c = client()
	c.conn.subscribe("/queue/backlog.prio", id="1", ack="client",
	                 headers={"activemq.prefetchSize": "100"})
	got = drain(c, 2521)
	check(got[:20] == ["h%d" % i for i in range(20)], "the priority 9 messages first: %r" % got[:22])
	check(got[20:] == ["d%d" % i for i in range(2500)] + ["last"], "then the rest, in order")
	d = client(headers={"client-id": "keeper"})
	d.conn.subscribe("/topic/backlog.t", id="1", ack="client",
	                 headers={"activemq.subscriptionName": "k", "activemq.prefetchSize": "100"})
	got = drain(d, 1501)
	check(got == ["d%d" % i for i in range(1500)] + ["last"], "the durable: all, once, in order")
	c.sync()
	d.sync()
	check(not c.messages and not d.messages, "nothing twice")
	EOF
'

test_done
