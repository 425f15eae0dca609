#!/bin/sh
# A durable subscription is one client-id's and one name's, whatever
# bytes they hold: in the store it is kept as "CLIENTID:NAME", so client
# "a" with name "b:c" and client "a:b" with name "c" would be one there,
# and another client dropped the first one's messages by unsubscribing
# its own. Such a second one is refused, and so is a client-id and name
# too long to be kept whole there.
. "$(dirname "$0")/test-lib.sh"

broker_config t && start_broker t || exit 1

test_expect_success 'a durable subscription whose stored name another already has is refused, and the first keeps its messages across a restart' '
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	v = client(headers={"client-id": "a"})
	v.conn.subscribe("/topic/news", id="1", ack="client-individual",
	                 headers={"activemq.subscriptionName": "b:c"})
	v.sync()
	v.close()
	for i in range(3):
	    send(port(), "/topic/news", "n%d" % i, headers={"persistent": "true"})
	x = client(headers={"client-id": "a:b"})
	x.conn.subscribe("/topic/news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "c"})
	e = x.wait_error()
	check("Durable subscription c of client a:b would be stored under the same name as "
	      "the durable subscription b:c of client a" in e.body, e.body)
	EOF
	stop_broker t && start_broker t &&
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	x = client(headers={"client-id": "a:b"})
	x.conn.subscribe("/topic/news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "c"})
	x.wait_error()
	v = client(headers={"client-id": "a"})
	v.conn.subscribe("/topic/news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "b:c"})
	check(v.wait_bodies(3) == ["n0", "n1", "n2"], [m.body for m in v.messages])
	EOF
'

test_expect_success 'a client-id and name too long to be stored whole are refused' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	x = client(headers={"client-id": "c" * 600})
	x.conn.subscribe("/topic/news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "n" * 600})
	e = x.wait_error()
	check("client-id and name may be 1012 bytes together at most" in e.body, e.body)
	EOF
'

test_done
