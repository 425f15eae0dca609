#!/bin/sh
# STOMP NACK (issue 18 point 12): as ActiveMQ's STOMP does, a NACKed
# message goes to ActiveMQ.DLQ at once (a non-persistent one is dropped,
# as ActiveMQ's dead-letter strategy drops them); with the connector
# option transport.redeliverOnNack=true it comes back instead, and the
# 7th delivery goes to the DLQ. On tcp:// and stomp://.
. "$(dirname "$0")/test-lib.sh"

broker_config node1 && start_broker node1 &&
TCP_OPTIONS='transport.redeliverOnNack=true' STOMP_OPTIONS='transport.redeliverOnNack=true' \
broker_config again && start_broker again || exit 1

cat >nack.py <<-\EOF
import os
from tstomp import *

PORTS = [int(p) for p in os.environ["PORTS"].split()]

def delivered(p, q, body, persistent=True, ack="client-individual"):
    """Sends body to q, then a new client subscribes: it and the delivery."""
    send(p, q, body, headers={"persistent": "true"} if persistent else None)
    c = client(p)
    c.conn.subscribe(q, id="1", ack=ack)
    return c, c.wait(1)[0]

def no_more(c, p):
    c.sync()
    check(not c.messages, "port %d: delivered again: %r" % (p, [m.headers for m in c.messages]))

def dead_letters(p, n=1):
    """The next n messages of the DLQ, consumed."""
    d = subscriber("/queue/ActiveMQ.DLQ", p)
    got = d.wait(n)
    no_more(d, p)
    d.close()
    return got
EOF

nack_py() {
	PORTS="$(broker_port "$1") $(broker_stomp_port "$1")" PYTHONPATH=$PYTHONPATH:. stomp_py
}

test_expect_success 'by default a NACKed persistent message goes to ActiveMQ.DLQ at once, not back' '
	nack_py node1 <<-\EOF
	from nack import *
	for p in PORTS:
	    q = "/queue/nack.%d" % p
	    c, m = delivered(p, q, "poison")
	    c.conn.nack(m.headers["ack"], receipt="n")
	    c.wait_receipt("n")
	    no_more(c, p)
	    dead = dead_letters(p)[0]
	    check(dead.body == "poison", "port %d: %r" % (p, dead.body))
	    check(dead.headers.get("originalDestination") == q, "port %d: %r" % (p, dead.headers))
	    check(dead.headers.get("original-destination") == q, "port %d: as ActiveMQ: %r" % (p, dead.headers))
	    c.close()
	EOF
'

test_expect_success 'by default a NACKed non-persistent message is dropped, neither redelivered nor dead-lettered' '
	nack_py node1 <<-\EOF
	from nack import *
	for p in PORTS:
	    q = "/queue/nack.np.%d" % p
	    c, m = delivered(p, q, "fleeting", persistent=False, ack="client")
	    c.conn.nack(m.headers["ack"])
	    no_more(c, p)
	    c.close()
	    for name in (q, "/queue/ActiveMQ.DLQ"):
	        d = subscriber(name, p)
	        no_more(d, p)
	        d.close()
	EOF
'

test_expect_success 'a NACK in a transaction sends the message to the DLQ at COMMIT, not at ABORT' '
	nack_py node1 <<-\EOF
	from nack import *
	for p in PORTS:
	    c, m = delivered(p, "/queue/nack.tx.%d" % p, "kept")
	    c.conn.begin(transaction="a")
	    c.conn.nack(m.headers["ack"], transaction="a")
	    c.conn.abort(transaction="a", receipt="a")
	    c.wait_receipt("a")
	    c.conn.begin(transaction="b")
	    c.conn.nack(m.headers["ack"], transaction="b")
	    no_more(c, p)
	    c.conn.commit(transaction="b", receipt="b")
	    c.wait_receipt("b")
	    no_more(c, p)
	    check([x.body for x in dead_letters(p)] == ["kept"], "port %d: in the DLQ" % p)
	    c.close()
	EOF
'

test_expect_success 'NACK on a durable topic subscription dead-letters; on a plain one it drops the message' '
	nack_py node1 <<-\EOF
	from nack import *
	for p in PORTS:
	    t = "/topic/nack.%d" % p
	    c = client(p, headers={"client-id": "nack-%d" % p})
	    c.conn.subscribe(t, id="durable", ack="client-individual",
	                     headers={"activemq.subscriptionName": "keep"})
	    c.conn.subscribe(t, id="plain", ack="client-individual")
	    c.sync()
	    send(p, t, "topical", headers={"persistent": "true"})
	    for m in c.wait(2):
	        c.conn.nack(m.headers["ack"])
	    no_more(c, p)
	    check([x.body for x in dead_letters(p)] == ["topical"], "port %d: one copy in the DLQ" % p)
	    c.close()
	EOF
'

test_expect_success 'transport.redeliverOnNack=true: NACK redelivers, the 7th delivery goes to the DLQ' '
	nack_py again <<-\EOF
	from nack import *
	for p in PORTS:
	    c, m = delivered(p, "/queue/nack.again.%d" % p, "bad")
	    for i in range(7):
	        if i:
	            m = c.wait(1)[0]
	        check(m.body == "bad", "port %d: delivery %d" % (p, i + 1))
	        check((m.headers.get("redelivered") == "true") == (i > 0),
	              "port %d: delivery %d: %r" % (p, i + 1, m.headers))
	        c.conn.nack(m.headers["ack"])
	    no_more(c, p)
	    check([x.body for x in dead_letters(p)] == ["bad"], "port %d: in the DLQ" % p)
	    c.close()
	EOF
'

test_expect_success 'tandemd --check shows the option' '
	"$TEST_BUILD/broker/tandemd" -c "$TRASH/again/broker.xml" --check >check.out 2>&1 &&
	grep -q "transport.redeliverOnNack: true" check.out &&
	"$TEST_BUILD/broker/tandemd" -c "$TRASH/node1/broker.xml" --check >check.out 2>&1 &&
	grep -q "transport.redeliverOnNack: false" check.out
'

test_expect_success 'a transport.redeliverOnNack that is not true or false is an invalid configuration' '
	TCP_OPTIONS="transport.redeliverOnNack=sometimes" broker_config bad &&
	{ "$TEST_BUILD/broker/tandemd" -c "$TRASH/bad/broker.xml" --check >check.out 2>&1; test $? = 78; } &&
	grep -q "transport.redeliverOnNack to be true or false" check.out
'

test_done
