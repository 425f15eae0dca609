#!/bin/sh
# STOMP destination names as ActiveMQ reads them (issue 18 point 8): a
# name without a prefix ActiveMQ knows is a queue of that name, for SEND
# and SUBSCRIBE alike, and MESSAGE's destination header says what
# ActiveMQ's would. On the auto-detecting tcp:// connector and on stomp://.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

both_ports() {
	PORTS="$(broker_port node1) $(broker_stomp_port node1)" stomp_py
}

test_expect_success 'SEND and SUBSCRIBE to a bare name use the queue of that name, shown as /queue/NAME' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    q = "orders.%d" % p
	    c = client(p)
	    c.conn.subscribe(q, id="bare", ack="auto")
	    c.sync()
	    send(p, q, "to the bare name")
	    send(p, "/queue/" + q, "to /queue/NAME")
	    got = c.wait(2)
	    check(sorted(m.body for m in got) == ["to /queue/NAME", "to the bare name"],
	          "port %d: %r" % (p, [m.body for m in got]))
	    for m in got:
	        check(m.headers["destination"] == "/queue/" + q,
	              "port %d: destination %r" % (p, m.headers["destination"]))
	    c.close()
	    # and a /queue/ subscriber gets what was sent to the bare name
	    d = subscriber("/queue/" + q, p)
	    send(p, q, "again")
	    check(d.wait_bodies(1) == ["again"], "port %d: the same queue" % p)
	    d.close()
	EOF
'

test_expect_success 'a bare name is a queue, not a topic: a topic subscriber of that name gets nothing' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    t = subscriber("/topic/prices.%d" % p, p)
	    send(p, "prices.%d" % p, "queued")
	    q = subscriber("/queue/prices.%d" % p, p)
	    check(q.wait_bodies(1) == ["queued"], "port %d: in the queue" % p)
	    t.sync()
	    check(not t.messages, "port %d: the topic got %r" % (p, [m.body for m in t.messages]))
	EOF
'

test_expect_success 'prefixes ActiveMQ does not know are part of the queue name, as ActiveMQ keeps them' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    for name in ("/exchange/amq.%d" % p, "queue/x.%d" % p, "/amq/queue/y.%d" % p):
	        c = client(p)
	        c.conn.subscribe(name, id="s", ack="auto")
	        c.sync()
	        send(p, name, "odd name")
	        m = c.wait(1)[0]
	        check(m.headers["destination"] == "/queue/" + name,
	              "port %d, %s: destination %r" % (p, name, m.headers["destination"]))
	        c.close()
	EOF
'

test_expect_success 'STOMP 1.0 UNSUBSCRIBE by /queue/NAME ends a subscription made to the bare NAME' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    q = "unsub.%d" % p
	    c = client(p, version="1.0")
	    c.conn.subscribe(q, ack="auto")
	    c.conn.send_frame("UNSUBSCRIBE", {"destination": "/queue/" + q, "receipt": "u"})
	    c.wait_receipt("u")
	    send(p, q, "nobody")
	    c.sync()
	    check(not c.messages, "port %d: still subscribed" % p)
	    c.close()
	EOF
'

test_expect_success 'spaces around a destination name are trimmed, as ActiveMQ trims names' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    c = subscriber("/queue/trim.%d" % p, p)
	    send(p, " /queue/trim.%d " % p, "padded prefix")
	    send(p, "/queue/ trim.%d" % p, "padded name")
	    send(p, " trim.%d " % p, "padded bare name")
	    got = c.wait(3)
	    check(all(m.headers["destination"] == "/queue/trim.%d" % p for m in got),
	          "port %d: %r" % (p, [m.headers["destination"] for m in got]))
	EOF
'

test_expect_success 'the owner of a temporary queue sees it as /temp-queue/NAME, as it named it' '
	both_ports <<-\EOF
	import os
	from tstomp import *
	for p in map(int, os.environ["PORTS"].split()):
	    c = client(p)
	    c.conn.subscribe("/temp-queue/replies", id="r", ack="auto")
	    c.sync()
	    send_on(c, "/temp-queue/replies", "to myself")
	    m = c.wait(1)[0]
	    check(m.headers["destination"] == "/temp-queue/replies",
	          "port %d: destination %r" % (p, m.headers["destination"]))
	    # and so in the reply-to of a request it receives itself
	    c.conn.subscribe("/queue/self.%d" % p, id="self", ack="auto")
	    c.sync()
	    send_on(c, "/queue/self.%d" % p, "ask myself", headers={"reply-to": "/temp-queue/replies"})
	    m = c.wait(1)[0]
	    check(m.headers.get("reply-to") == "/temp-queue/replies", "port %d: %r" % (p, m.headers))
	    # A temporary queue without a name is one too, as in ActiveMQ.
	    c.conn.subscribe("/temp-queue/", id="unnamed", ack="auto")
	    c.sync()
	    send_on(c, "/temp-queue/", "unnamed")
	    m = c.wait(1)[0]
	    check(m.body == "unnamed" and m.headers["destination"] == "/temp-queue/",
	          "port %d: %r" % (p, m.headers))
	    c.close()
	EOF
'

test_done
