#!/bin/sh
# The store: a receipted persistent message survives kill -9, in order.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

test_expect_success 'persistent messages survive a clean restart, in order' '
	stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	for i in range(100):
	    send_on(c, "/queue/durable.q", "m%d" % i, headers={"persistent": "true"})
	EOF
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/durable.q", id="1", ack="client-individual")
	ms = c.wait(100)
	check([m.body for m in ms] == ["m%d" % i for i in range(100)], "all, in order")
	for m in ms[:50]:
	    c.conn.ack(m.headers["ack"])
	c.sync()
	EOF
'

test_expect_success 'acked messages stay acked after a restart; the rest come back' '
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/durable.q", id="1")
	got = c.wait_bodies(50)
	check(got == ["m%d" % i for i in range(50, 100)], "%r" % got[:5])
	c.sync()
	check(not c.messages, "nothing more")
	EOF
'

test_expect_success 'non-persistent messages do not survive a restart' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/np", "gone", headers={"persistent": "false"})
	EOF
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/np", "marker")
	c = client()
	c.conn.subscribe("/queue/np", id="1")
	check(c.wait_bodies(1) == ["marker"], "only the marker")
	EOF
'

test_expect_success 'kill -9 during a persistent send stream: no receipted message is lost' '
	stomp_py >receipted 2>/dev/null <<-\EOF &
	from tstomp import *
	import sys
	# Several producers at once, so commits are shared; each prints a body
	# once its receipt arrived, and stops when the broker dies.
	import threading
	lock = threading.Lock()
	def produce(n):
	    try:
	        c = client()
	        for i in range(100000):
	            body = "p%d-%d" % (n, i)
	            send_on(c, "/queue/crash", body, headers={"persistent": "true"})
	            with lock:
	                print(body, flush=True)
	    except BaseException:
	        pass
	ts = [threading.Thread(target=produce, args=(n,)) for n in range(4)]
	for t in ts: t.start()
	for t in ts: t.join()
	EOF
	producer=$! &&
	for i in $(seq 600); do
		[ "$(wc -l <receipted)" -ge 2000 ] && break
		sleep 0.05
	done &&
	kill_broker node1 &&
	wait $producer;
	say "$(wc -l <receipted) receipted before kill -9" &&
	start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	receipted = open("receipted").read().split()
	c = client()
	c.conn.subscribe("/queue/crash", id="1")
	import time
	# Wait until every receipted message arrived, or nothing more comes.
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline:
	    n = len(c.messages)
	    c.sync()
	    if n >= len(receipted) and len(c.messages) == n:
	        break
	    time.sleep(0.2)
	got = [m.body for m in c.wait(len(c.messages))]
	missing = set(receipted) - set(got)
	check(not missing, "%d receipted messages lost, e.g. %r" % (len(missing), sorted(missing)[:5]))
	for p in range(4):
	    seq = [int(b.split("-")[1]) for b in got if b.startswith("p%d-" % p)]
	    check(seq == sorted(seq), "producer %d in order" % p)
	    check(len(seq) == len(set(seq)), "producer %d without duplicates" % p)
	EOF
'

# One round: producers and an acking consumer run until kill -9 at a random
# point; then every message receipted and not acked must come back, and no
# message whose ack was receipted may.
crash_round() {
	stomp_py "$1" >round.log 2>/dev/null <<-\EOF &
	from tstomp import *
	import sys, threading
	rnd = sys.argv[1]
	lock = threading.Lock()
	def out(line):
	    with lock:
	        print(line, flush=True)
	def produce(n):
	    try:
	        c = client()
	        for i in range(100000):
	            body = "r%s-p%d-%d" % (rnd, n, i)
	            send_on(c, "/queue/crash2", body, headers={"persistent": "true"})
	            out("sent " + body)
	    except BaseException:
	        pass
	def consume():
	    try:
	        c = client()
	        c.conn.subscribe("/queue/crash2", id="1", ack="client-individual",
	                         headers={"activemq.prefetchSize": "50"})
	        k = 0
	        while True:
	            m = c.wait(1)[0]
	            out("got " + m.body)
	            k += 1
	            c.conn.ack(m.headers["ack"], receipt="a%d" % k)
	            c.wait_receipt("a%d" % k)
	            out("acked " + m.body)
	    except BaseException:
	        pass
	ts = [threading.Thread(target=produce, args=(n,)) for n in range(4)]
	ts.append(threading.Thread(target=consume))
	for t in ts: t.start()
	for t in ts: t.join()
	EOF
	pid=$!
	want=$(( $(od -An -N2 -tu2 /dev/urandom) % 1500 + 300 ))
	for i in $(seq 600); do
		[ "$(grep -c "^sent" round.log)" -ge "$want" ] && break
		sleep 0.05
	done
	kill_broker node1 && wait $pid
	cat round.log >>all-rounds.log
	say "round $1: killed after $(grep -c "^sent" round.log) receipts, $(grep -c "^acked" round.log) acks"
	start_broker node1
}

test_expect_success 'kill -9 at random points under producers and an acking consumer: nothing receipted lost, nothing acked redelivered' '
	: >all-rounds.log &&
	crash_round 1 && crash_round 2 && crash_round 3 &&
	stomp_py <<-\EOF
	from tstomp import *
	import time
	lines = open("all-rounds.log").read().split("\n")
	sent = {l[5:] for l in lines if l.startswith("sent ")}
	acked = {l[6:] for l in lines if l.startswith("acked ")}
	# Received but its ack not confirmed: it may be acked or come back.
	unsure = {l[4:] for l in lines if l.startswith("got ")} - acked
	c = client()
	c.conn.subscribe("/queue/crash2", id="1")
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline:
	    n = len(c.messages)
	    c.sync()
	    if len(c.messages) == n and n >= len(sent - acked):
	        break
	    time.sleep(0.2)
	got = [m.body for m in c.wait(len(c.messages))]
	lost = (sent - acked - unsure) - set(got)
	again = acked & set(got)
	check(not lost, "%d receipted messages lost, e.g. %r" % (len(lost), sorted(lost)[:5]))
	check(not again, "%d acked messages delivered again, e.g. %r" % (len(again), sorted(again)[:5]))
	check(len(got) == len(set(got)), "no duplicates")
	EOF
'

test_done
