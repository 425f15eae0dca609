#!/bin/sh
# Durable subscribers across a network: a broker keeps a network durable
# subscription for another broker's durable subscriptions of a topic, so
# that nothing published for them is lost while they are away, while the
# bridge is down, or across a restart; dynamicOnly="true" keeps it here
# until they come back; unsubscribing removes it.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
for n in a b c d; do mkdir -p $n && free_port >$n/port || exit 1; done
static_network a '' b && static_network b '' a &&
static_network c 'dynamicOnly="true"' d && static_network d 'dynamicOnly="true"' c &&
start_bridged a:b b:a c:d d:c || exit 1

cat >dur.py <<'PYEOF'
import os, sys
from tstomp import *
from tmgmt import until, log_has

def durable(p, client_id, topic):
    """The durable subscriber client_id/sub of topic on port p, subscribed."""
    c = client(p, headers={"client-id": client_id})
    c.conn.subscribe("/topic/" + topic, id="1", ack="auto",
                     headers={"activemq.subscriptionName": "sub"})
    c.sync()
    return c

def publish(p, topic, first, n):
    c = client(p)
    for i in range(first, first + n):
        send_on(c, "/topic/" + topic, "m%d" % i, receipt=(i == first + n - 1),
                headers={"persistent": "true"})
    c.close()

def expect(c, first, n):
    got = c.wait_bodies(n)
    check(got == ["m%d" % i for i in range(first, first + n)], "got %r" % got)
PYEOF

test_expect_success 'a durable subscriber on b gets what a published while it was away' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	s = durable(port(), "s1", "dur.news")
	until("a keeps a network durable subscription", lambda: log_has("a", "durable subscription(s) of topic://dur.news on b: keeping"))
	publish(port("a"), "dur.news", 0, 10)
	expect(s, 0, 10)
	s.leave()
	publish(port("a"), "dur.news", 10, 10)
	s = durable(port(), "s1", "dur.news")
	expect(s, 10, 10)
	s.sync()
	check(not s.messages, "once each")
	s.close()
	EOF
'

test_expect_success 'and what a published while b was down' '
	stop_broker b &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	publish(port("a"), "dur.news", 20, 10)
	EOF
	: >b/log && start_broker b &&
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	s = durable(port(), "s1", "dur.news")
	expect(s, 20, 10)
	s.close()
	EOF
'

test_expect_success 'and across a crash of a while b was down' '
	stop_broker b &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	publish(port("a"), "dur.news", 30, 5)
	EOF
	kill_broker a && start_broker a && start_broker b &&
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	s = durable(port(), "s1", "dur.news")
	expect(s, 30, 5)
	s.close()
	EOF
'

test_expect_success 'dynamicOnly: c keeps the messages until the subscriber on d is back' '
	PORT=$(broker_port d) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	s = durable(port(), "s2", "dyn.news")
	until("c keeps a network durable subscription", lambda: log_has("c", "durable subscription(s) of topic://dyn.news on d: keeping"))
	publish(port("c"), "dyn.news", 0, 5)
	expect(s, 0, 5)
	s.close()
	until("c stops forwarding", lambda: log_has("c", "the durable subscribers of topic://dyn.news on d are away"))
	publish(port("c"), "dyn.news", 5, 5)
	import time
	from tmgmt import Mgmt, mport, broker_name
	topic = broker_name("d") + ",destinationType=Topic,destinationName=dyn.news"
	m = Mgmt(mport("d"))
	time.sleep(0.5)
	check(m.read(topic, "EnqueueCount") == 5, "nothing more reached d meanwhile")
	s = durable(port(), "s2", "dyn.news")
	expect(s, 5, 5)
	s.close()
	EOF
'

test_expect_success 'unsubscribing the durable on b removes the network durable on a' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	c = client(headers={"client-id": "s1"})
	c.conn.unsubscribe(id="1", headers={"activemq.subscriptionName": "sub"}, receipt="u")
	c.wait_receipt("u")
	until("a removed it", lambda: log_has("a", "no durable subscription of topic://dur.news on b any more"))
	EOF
'

test_done
