"""tamqnet - helpers for tests where an ActiveMQ's networkConnector dials
Tandem (t/80-network-activemq-in*.t).

A bridge learns of a consumer from an advisory, a moment after the
consumer subscribed: a topic message sent before then is not forwarded.
So a test first sends probes until one arrives, then what it checks.

    from tamqnet import *
    a = client(amq_stomp())              # ActiveMQ's STOMP connector
    probe_until(a, "/topic/x", lambda: c.messages)
"""
import os
import time

import stomp

from tstomp import *  # noqa: F401,F403 (for the tests' star import)


def amq_stomp():
    """ActiveMQ's STOMP port: APORT (its OpenWire one) + 1."""
    return int(os.environ["APORT"]) + 1


def client_at(host, p):
    """A connected Client to HOST:P (an ActiveMQ in another namespace)."""
    conn = stomp.Connection12([(host, p)], reconnect_attempts_max=1, heartbeats=(0, 0))
    c = Client(conn)
    conn.connect(None, None, wait=True)
    return c


def file_has(path, text):
    try:
        with open(path) as f:
            return any(text in line for line in f)
    except OSError:
        return False


def probe_until(a, dest, seen, timeout=WAIT * 2):
    """Sends "probe N" to dest on a (receipted) until seen() is true."""
    deadline = time.monotonic() + timeout
    n = 0
    while not seen():
        if time.monotonic() > deadline:
            fail("no probe sent to %s came through in %d s" % (dest, timeout))
        send_on(a, dest, "probe %d" % n)
        n += 1
        for _ in range(5):
            if seen():
                return
            time.sleep(0.1)


def messages(c, n):
    """The next n messages of c that are no probe."""
    got = []
    while len(got) < n:
        m = c.wait(1)[0]
        if not m.body.startswith("probe"):
            got.append(m)
    return got


def bodies(c, n):
    return [m.body for m in messages(c, n)]



def queues_both_ways(to_amq, to_t, n):
    """Over a bridge both ways between Tandem (PORT) and ActiveMQ: a
    consumer of to_amq on ActiveMQ and one of to_t on Tandem each get the
    n persistent messages the other side sends, once each and in order."""
    t, a = client(), client(amq_stomp())
    ca = client(amq_stomp())
    ca.conn.subscribe("/queue/" + to_amq, id="1", ack="auto")
    ca.sync()
    ct = client()
    ct.conn.subscribe("/queue/" + to_t, id="1", ack="auto")
    ct.sync()
    # The demand travels as advisories: probe until each side forwards.
    probe_until(t, "/queue/" + to_amq, lambda: ca.messages)
    probe_until(a, "/queue/" + to_t, lambda: ct.messages)
    for i in range(n):
        send_on(t, "/queue/" + to_amq, "t %d" % i, headers={"persistent": "true"})
        send_on(a, "/queue/" + to_t, "a %d" % i, headers={"persistent": "true"})
    check(bodies(ca, n) == ["t %d" % i for i in range(n)], "to amq")
    check(bodies(ct, n) == ["a %d" % i for i in range(n)], "to t")
    time.sleep(1)
    ca.sync()
    ct.sync()
    left = [m.body for m in ca.messages + ct.messages if not m.body.startswith("probe")]
    check(not left, "more: %r" % left)


def topic_both_ways(topic, n):
    """Subscribers of topic on Tandem (PORT) and on ActiveMQ each get
    what is published on either, once: neither broker sends back what
    came from the other (brokerPath)."""
    t, a = client(), client(amq_stomp())
    sa = client(amq_stomp())
    sa.conn.subscribe("/topic/" + topic, id="1", ack="auto")
    sa.sync()
    st = client()
    st.conn.subscribe("/topic/" + topic, id="1", ack="auto")
    st.sync()
    probe_until(t, "/topic/" + topic, lambda: sa.messages)
    seen_on_both = lambda: [m for m in st.messages if m.body in [x.body for x in sa.messages]]
    probe_until(a, "/topic/" + topic, seen_on_both)
    time.sleep(1)
    sa.messages.clear()
    st.messages.clear()
    for i in range(n):
        send_on(t, "/topic/" + topic, "t %d" % i)
        send_on(a, "/topic/" + topic, "a %d" % i)
    want = sorted(["t %d" % i for i in range(n)] + ["a %d" % i for i in range(n)])
    ga = [m.body for m in messages(sa, 2 * n)]
    gt = [m.body for m in messages(st, 2 * n)]
    check(sorted(ga) == want, "on amq: %r" % ga)
    check(sorted(gt) == want, "on t: %r" % gt)
    time.sleep(2)
    sa.sync()
    st.sync()
    left = [m.body for m in sa.messages + st.messages if not m.body.startswith("probe")]
    check(not left, "twice: %r" % left)
