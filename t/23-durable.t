#!/bin/sh
# Durable topic subscriptions (client-id + activemq.subscriptionName) across
# disconnects and broker restarts, and the pending limit for slow
# non-durable subscribers.
. "$(dirname "$0")/test-lib.sh"

BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry topic="slow.>"><pendingMessageLimitStrategy>
    <constantPendingMessageLimitStrategy limit="10"/>
  </pendingMessageLimitStrategy></policyEntry>
</policyEntries></policyMap></destinationPolicy>'
broker_config node1 && start_broker node1 || exit 1

test_expect_success 'a durable subscriber gets what was published while it was away' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client(headers={"client-id": "app1"})
	c.conn.subscribe("/topic/orders", id="1", ack="client-individual",
	                 headers={"activemq.subscriptionName": "orders-sub"})
	c.sync()
	c.close()
	for i in range(3):
	    send(port(), "/topic/orders", "o%d" % i, headers={"persistent": "true"})
	d = client(headers={"client-id": "app1"})
	d.conn.subscribe("/topic/orders", id="1", ack="client-individual",
	                 headers={"activemq.subscriptionName": "orders-sub"})
	ms = d.wait(3)
	check([m.body for m in ms] == ["o0", "o1", "o2"], "%r" % [m.body for m in ms])
	d.conn.ack(ms[0].headers["ack"], receipt="a")
	d.wait_receipt("a")
	d.close()
	EOF
'

test_expect_success 'durable subscription and its unacked messages survive a broker restart' '
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/topic/orders", "after-restart", headers={"persistent": "true"})
	d = client(headers={"client-id": "app1"})
	d.conn.subscribe("/topic/orders", id="1", ack="client-individual",
	                 headers={"activemq.subscriptionName": "orders-sub"})
	ms = d.wait(3)
	check([m.body for m in ms] == ["o1", "o2", "after-restart"], "%r" % [m.body for m in ms])
	for m in ms:
	    d.conn.ack(m.headers["ack"])
	d.sync()
	EOF
'

test_expect_success 'UNSUBSCRIBE with the subscription name removes the durable subscription' '
	stomp_py <<-\EOF
	from tstomp import *
	d = client(headers={"client-id": "app1"})
	d.conn.subscribe("/topic/orders", id="1", headers={"activemq.subscriptionName": "orders-sub"})
	d.sync()
	d.conn.unsubscribe(id="1", headers={"activemq.subscriptionName": "orders-sub"}, receipt="u")
	d.wait_receipt("u")
	d.close()
	send(port(), "/topic/orders", "nobody", headers={"persistent": "true"})
	e = client(headers={"client-id": "app1"})
	e.conn.subscribe("/topic/orders", id="1", headers={"activemq.subscriptionName": "orders-sub"})
	e.sync()
	send(port(), "/topic/orders", "fresh")
	check(e.wait_bodies(1) == ["fresh"], "a new subscription starts empty")
	EOF
'

test_expect_success 'a non-durable topic subscriber gets nothing published before it subscribed' '
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/topic/live", "before")
	c = client()
	c.conn.subscribe("/topic/live", id="1")
	c.sync()
	send(port(), "/topic/live", "after")
	check(c.wait_bodies(1) == ["after"], "only after")
	EOF
'

test_expect_success 'a slow topic subscriber keeps only the newest pendingMessageLimit messages' '
	stomp_py <<-\EOF
	from tstomp import *
	slow = client()
	slow.conn.subscribe("/topic/slow.feed", id="1", ack="client-individual",
	                    headers={"activemq.prefetchSize": "1"})
	slow.sync()
	p = client()
	for i in range(50):
	    send_on(p, "/topic/slow.feed", "m%d" % i)
	first = slow.wait(1)[0]
	check(first.body == "m0", "the first was in flight: %r" % first.body)
	got = [first.body]
	for i in range(10):
	    slow.conn.ack(got and first.headers["ack"])
	    first = slow.wait(1)[0]
	    got.append(first.body)
	check(got[1:] == ["m%d" % i for i in range(40, 50)], "the newest 10 were kept: %r" % got)
	slow.conn.ack(first.headers["ack"])
	slow.sync()
	check(not slow.messages, "nothing more")
	EOF
'

test_done
