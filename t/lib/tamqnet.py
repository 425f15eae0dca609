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
