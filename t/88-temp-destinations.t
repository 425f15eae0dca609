#!/bin/sh
# Temporary destinations: request and reply over /temp-queue/, on one
# broker and across a network (bridgeTempDestinations, on by default).
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
for n in a b c d; do mkdir -p $n && free_port >$n/port || exit 1; done
static_network a '' b && static_network b '' a &&
static_network c 'bridgeTempDestinations="false"' d &&
static_network d 'bridgeTempDestinations="false"' c &&
start_bridged a:b b:a c:d d:c || exit 1

# What the requesters and responders below share.
cat >rr.py <<'PYEOF'
import time
from tstomp import *
from tmgmt import Mgmt, mport, queue_name, queue_attr, until, log_has

def requester(p=None):
    """A client with a temporary queue of its own for replies."""
    c = client(p)
    c.conn.subscribe("/temp-queue/replies", id="r", ack="auto")
    c.sync()
    return c

def answer(r, n):
    """Answers n requests that r gets, each to its reply-to; the last reply-to."""
    for m in r.wait(n):
        reply_to = m.headers["reply-to"]
        check(reply_to.startswith("/remote-temp-queue/ID:"),
              "reply-to names the real queue: %r" % reply_to)
        send_on(r, reply_to, "re:" + m.body)
    return reply_to

def ask(req, queue, n):
    for i in range(n):
        send_on(req, "/queue/" + queue, "q%d" % i, headers={"reply-to": "/temp-queue/replies"})

def gone(m, broker, queue):
    return lambda: m.ok({"type": "search", "mbean": queue_name(broker, queue)}) == []
PYEOF

test_expect_success 'request and reply through a temporary queue on one broker' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from rr import *
	req = requester()
	r = subscriber("/queue/svc.one")
	ask(req, "svc.one", 3)
	real = answer(r, 3)[len("/remote-temp-queue/"):]
	check(sorted(req.wait_bodies(3)) == ["re:q0", "re:q1", "re:q2"], "three replies")
	m = Mgmt(mport("a"))
	check(not gone(m, "a", real)(), "the queue exists while its connection does")
	thief = client()
	thief.conn.subscribe("/remote-temp-queue/" + real, id="t", ack="auto")
	e = thief.wait_error()
	check("another connection" in e.headers.get("message", "") + e.body,
	      "only its connection may consume it: %r" % e.headers)
	send_on(req, "/temp-queue/replies", "to myself", headers={"persistent": "true"})
	check(req.wait_bodies(1) == ["to myself"], "it can send to itself")
	req.close()
	until("the queue goes with its connection", gone(m, "a", real))
	late = client()
	late.conn.send("/remote-temp-queue/" + real, "too late")
	e = late.wait_error()
	check("deleted destination" in e.headers.get("message", "") + e.body,
	      "a send to it is refused: %r" % e.headers)
	EOF
'

test_expect_success 'across the network: the reply finds the requester on the other broker' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from rr import *
	r = subscriber("/queue/svc.two", port("a"))
	until("demand for the service reached b", lambda: log_has("b", "of queue://svc.two on a: forwarding"))
	req = requester()
	ask(req, "svc.two", 5)
	real = answer(r, 5)[len("/remote-temp-queue/"):]
	check(sorted(req.wait_bodies(5)) == ["re:q%d" % i for i in range(5)], "five replies came back to b")
	ma = Mgmt(mport("a"))
	req.close()
	until("a lets its copy of the reply queue go", gone(ma, "a", real))
	EOF
'

test_expect_success 'bridgeTempDestinations false: replies stay where they were sent' '
	PORT=$(broker_port d) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from rr import *
	r = subscriber("/queue/svc.three", port("c"))
	until("demand for the service reached d", lambda: log_has("d", "of queue://svc.three on c: forwarding"))
	req = requester()
	ask(req, "svc.three", 1)
	real = answer(r, 1)[len("/remote-temp-queue/"):]
	mc = Mgmt(mport("c"))
	until("the reply waits on c", lambda: queue_attr(mc, "c", real, "QueueSize") == 1)
	time.sleep(0.5)
	req.sync()
	check(not req.messages, "nothing reached d")
	EOF
'

test_done
