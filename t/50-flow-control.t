#!/bin/sh
# Producer flow control: a producer past a memory limit is held (or told,
# with sendFailIfNoSpace) while everything else keeps flowing.
. "$(dirname "$0")/test-lib.sh"

BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="limited" memoryLimit="64 kb" producerFlowControl="true"/>
</policyEntries></policyMap></destinationPolicy>'
broker_config node1 && start_broker node1 || exit 1

test_expect_success 'a producer past the queue memoryLimit is held while another queue keeps flowing' '
	stomp_py <<-\EOF &&
	from tstomp import *
	import threading
	body = "x" * 1024
	p = client()
	for i in range(200):
	    p.conn.send("/queue/limited", "%d %s" % (i, body), headers={"receipt": "r%d" % i, "persistent": "true"})
	# Meanwhile a producer and a consumer on another queue go on.
	c = client()
	c.conn.subscribe("/queue/other", id="1")
	c.sync()
	for i in range(50):
	    send(port(), "/queue/other", "o%d" % i)
	check(c.wait_bodies(50) == ["o%d" % i for i in range(50)], "the other queue flows")
	with p.cond:
	    held = len(p.receipts)
	check(0 < held < 200, "the limited producer is held: %d of 200 receipts" % held)
	# A consumer drains the limited queue: the producer goes on, nothing lost.
	d = client()
	d.conn.subscribe("/queue/limited", id="1")
	got = [m.body.split()[0] for m in d.wait(200, timeout=60)]
	check(got == [str(i) for i in range(200)], "every message, in order")
	p.wait_receipt("r199")
	EOF
	log_contains node1 "INFO.*Usage Manager Memory Limit reached on queue://limited"
'

test_expect_success 'a held producer is not closed for missing heart-beats' '
	stomp_py <<-\EOF
	from tstomp import *
	import time
	p = client(heartbeats=(500, 0))
	for i in range(100):
	    p.conn.send("/queue/limited", "x" * 2048, headers={"receipt": "h%d" % i})
	time.sleep(2)   # four heart-beat periods held; asserts no timing
	check(not p.disconnected, "still connected")
	d = client()
	d.conn.subscribe("/queue/limited", id="1")
	d.wait(100, timeout=60)
	p.wait_receipt("h99")
	EOF
'

BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="limited" memoryLimit="64 kb"/>
</policyEntries></policyMap></destinationPolicy>
<systemUsage><systemUsage sendFailIfNoSpace="true"/></systemUsage>'
broker_config failing && start_broker failing || exit 1

test_expect_success 'with sendFailIfNoSpace the producer gets an ERROR, and nothing accepted is lost' '
	PORT=$(broker_port failing) stomp_py <<-\EOF
	from tstomp import *
	p = client()
	sent, text = send_until_refused(p, "/queue/limited", "m%d " + "x" * 1024, 200,
	                                  headers={"persistent": "true"})
	check("Usage Manager Memory Limit reached on queue://limited" in text, text)
	check(0 < sent < 200, "refused after %d" % sent)
	d = client()
	d.conn.subscribe("/queue/limited", id="1")
	got = [m.body.split()[0] for m in d.wait(sent)]
	check(got == ["m%d" % i for i in range(sent)], "every receipted message is there")
	d.sync()
	check(not d.messages, "and nothing more")
	EOF
'

test_expect_success 'a bridged message refused for want of room is taken when its bridge sends it again' '
	PORT=$(broker_port failing) stomp_py <<-\EOF
	from tstomp import *
	# A remote broker'"'"'s bridge, as Tandem'"'"'s bridges connect: its resends
	# are known by message id and dropped once one was taken.
	peer = {"tandem-network-bridge": "remote", "tandem-broker-id": "ID:remote-1"}
	def bridged(i):
	    return {"persistent": "true", "tandem-message-id": "ID:remote-1:1:1:%d" % i,
	            "tandem-broker-path": "ID:remote-1"}
	b = client(headers=peer)
	sent = 0
	for i in range(200):
	    try:
	        send_on(b, "/queue/limited", "b%d " % i + "x" * 1024, headers=bridged(i))
	        sent += 1
	    except SystemExit:	# the ERROR for want of room
	        break
	check(0 < sent < 200, "refused after %d" % sent)
	d = client()
	d.conn.subscribe("/queue/limited", id="1")
	got = [m.body.split()[0] for m in d.wait(sent)]
	check(got == ["b%d" % i for i in range(sent)], "every taken message")
	# The bridge reconnects and sends the refused message again: it was
	# never taken, so it is no resend of one that was.
	b2 = client(headers=peer)
	send_on(b2, "/queue/limited", "b%d again" % sent, headers=bridged(sent))
	got = [m.body for m in d.wait(1)]
	check(got == ["b%d again" % sent], got)
	EOF
'

test_done
