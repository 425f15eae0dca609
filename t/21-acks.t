#!/bin/sh
# Acknowledgement: auto, client (cumulative), client-individual, NACK, and
# what happens to unacked messages when their consumer goes away.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

test_expect_success 'ack=auto: a received message is gone from the queue' '
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/auto", "one")
	c = client()
	c.conn.subscribe("/queue/auto", id="1", ack="auto")
	check(c.wait_bodies(1) == ["one"], "delivered")
	c.close()
	send(port(), "/queue/auto", "two")
	d = client()
	d.conn.subscribe("/queue/auto", id="1")
	check(d.wait_bodies(1) == ["two"], "only the new message: the first was consumed")
	EOF
'

test_expect_success 'ack=client-individual: unacked messages come back redelivered to the next consumer' '
	stomp_py <<-\EOF
	from tstomp import *
	for i in range(3):
	    send(port(), "/queue/indiv", "m%d" % i)
	c = client()
	c.conn.subscribe("/queue/indiv", id="1", ack="client-individual")
	ms = c.wait(3)
	check("redelivered" not in ms[0].headers or ms[0].headers["redelivered"] == "false", "first delivery not marked")
	c.conn.ack(ms[1].headers["ack"], receipt="a1")
	c.wait_receipt("a1")
	c.close()
	d = client()
	d.conn.subscribe("/queue/indiv", id="1", ack="client-individual")
	ms = d.wait(2)
	check([m.body for m in ms] == ["m0", "m2"], "the acked one is gone: %r" % [m.body for m in ms])
	check(all(m.headers.get("redelivered") == "true" for m in ms), "marked redelivered: %r" % [m.headers for m in ms])
	for m in ms:
	    d.conn.ack(m.headers["ack"])
	d.sync()
	EOF
'

test_expect_success 'ack=client is cumulative: acking a message acks those before it' '
	stomp_py <<-\EOF
	from tstomp import *
	for i in range(4):
	    send(port(), "/queue/cumul", "m%d" % i)
	c = client()
	c.conn.subscribe("/queue/cumul", id="1", ack="client")
	ms = c.wait(4)
	c.conn.ack(ms[2].headers["ack"], receipt="a")
	c.wait_receipt("a")
	c.close()
	d = client()
	d.conn.subscribe("/queue/cumul", id="1", ack="client")
	check(d.wait_bodies(1) == ["m3"], "only the last is left")
	EOF
'

test_expect_success 'STOMP 1.1 acks by message-id and subscription' '
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/ack11", "x")
	c = client(version="1.1")
	c.conn.subscribe("/queue/ack11", id="s", ack="client-individual")
	m = c.wait(1)[0]
	c.conn.ack(m.headers["message-id"], "s", receipt="a")
	c.wait_receipt("a")
	check(not c.errors, "no error")
	c.close()
	send(port(), "/queue/ack11", "y")
	d = client()
	d.conn.subscribe("/queue/ack11", id="1")
	check(d.wait_bodies(1) == ["y"], "x was acked")
	EOF
'

test_expect_success 'STOMP 1.0 client ack by message-id' '
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/ack10", "x")
	c = client(version="1.0")
	c.conn.subscribe("/queue/ack10", ack="client")
	m = c.wait(1)[0]
	c.conn.ack(m.headers["message-id"], receipt="a")
	c.wait_receipt("a")
	c.close()
	send(port(), "/queue/ack10", "y")
	d = client()
	d.conn.subscribe("/queue/ack10", id="1")
	check(d.wait_bodies(1) == ["y"], "x was acked")
	EOF
'

test_expect_success 'NACK sends the message to ActiveMQ.DLQ at once, as ActiveMQ does (t/28-stomp-nack.t has the rest)' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/poison", "bad", headers={"persistent": "true"})
	c = client()
	c.conn.subscribe("/queue/poison", id="1", ack="client-individual")
	m = c.wait(1)[0]
	c.conn.nack(m.headers["ack"])
	c.sync()
	check(not c.messages, "not delivered again: %r" % [m.headers for m in c.messages])
	d = client()
	d.conn.subscribe("/queue/ActiveMQ.DLQ", id="1")
	m = d.wait(1)[0]
	check(m.body == "bad", "in the DLQ: %r" % m.body)
	EOF
	log_contains node1 "DLQ"
'

test_expect_success 'an unknown ack id is an ERROR naming it' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.ack("no-such-id")
	e = c.wait_error()
	check("no-such-id" in e.headers.get("message", "") + e.body, "%r %r" % (e.headers, e.body))
	EOF
'

test_expect_success 'prefetch: a consumer gets no more than activemq.prefetchSize unacked messages' '
	stomp_py <<-\EOF
	from tstomp import *
	import time
	for i in range(5):
	    send(port(), "/queue/prefetch", "m%d" % i)
	c = client()
	c.conn.subscribe("/queue/prefetch", id="1", ack="client-individual", headers={"activemq.prefetchSize": "2"})
	ms = c.wait(2)
	c.sync()
	check(not c.messages, "only 2 in flight")
	c.conn.ack(ms[0].headers["ack"])
	check(c.wait_bodies(1) == ["m2"], "the next comes after an ack")
	EOF
'

test_expect_success 'a consumer with a higher activemq.priority is served first' '
	stomp_py <<-\EOF
	from tstomp import *
	low, high = client(), client()
	low.conn.subscribe("/queue/cprio", id="1", headers={"activemq.priority": "1"})
	high.conn.subscribe("/queue/cprio", id="1", headers={"activemq.priority": "9"})
	low.sync(); high.sync()
	for i in range(5):
	    send(port(), "/queue/cprio", "m%d" % i)
	check(high.wait_bodies(5) == ["m%d" % i for i in range(5)], "all to the high-priority consumer")
	low.sync()
	check(not low.messages, "none to the low one")
	EOF
'

test_done
