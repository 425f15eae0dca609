"""tstomp - small helpers around Debian's python3-stomp for the tests.

The tests drive tandemd with stomp.py, a client nobody here wrote; this
module only collects what arrives (messages, receipts, errors) so a test can
wait for "the next N messages" instead of sleeping, and fails loudly with
what it saw when they do not come.

    from tstomp import *
    c = client(port())            # connected, listener attached
    c.conn.subscribe("/queue/a", id="1", ack="client-individual")
    send(port(), "/queue/a", "hello", receipt=True)
    m = c.wait(1)[0]
"""
import os
import socket
import sys
import threading
import time

import stomp

WAIT = float(os.environ.get("TSTOMP_WAIT", "15"))
"""How long to wait for something that must arrive (generous: CI is slow)."""


def port(name=None):
    """The tcp:// port of broker NAME (its directory in the test's trash)."""
    if name is None:
        return int(os.environ["PORT"])
    with open(os.path.join(os.environ.get("TRASH", "."), name, "port")) as f:
        return int(f.read())


def fail(msg):
    print("FAIL: %s" % (msg,), file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class Client(stomp.ConnectionListener):
    """A stomp.py connection and everything that arrived on it."""

    def __init__(self, conn):
        self.conn = conn
        self.messages = []
        self.errors = []
        self.receipts = []
        self.disconnected = False
        self.cond = threading.Condition()
        conn.set_listener("tstomp", self)

    def on_message(self, frame):
        with self.cond:
            self.messages.append(frame)
            self.cond.notify_all()

    def on_error(self, frame):
        with self.cond:
            self.errors.append(frame)
            self.cond.notify_all()

    def on_receipt(self, frame):
        with self.cond:
            self.receipts.append(frame.headers.get("receipt-id"))
            self.cond.notify_all()

    def on_disconnected(self):
        with self.cond:
            self.disconnected = True
            self.cond.notify_all()

    def _wait_until(self, what, pred, timeout):
        deadline = time.monotonic() + (timeout or WAIT)
        with self.cond:
            while not pred():
                if self.disconnected:
                    fail("the connection closed while waiting for %s" % what)
                left = deadline - time.monotonic()
                if left <= 0:
                    fail("timed out waiting for %s; %d message(s) %s, errors=%.300r, "
                         "receipts=%.300r" % (what, len(self.messages),
                                              ("%.300r" % [(m.headers, m.body[:40]) for m in self.messages[-3:]]),
                                              [(e.headers, e.body) for e in self.errors], self.receipts))
                self.cond.wait(left)

    def wait(self, n, timeout=None):
        """Waits until n messages arrived in all; returns and forgets them."""
        self._wait_until("%d message(s)" % n, lambda: len(self.messages) >= n, timeout)
        with self.cond:
            got, self.messages = self.messages[:n], self.messages[n:]
        return got

    def wait_bodies(self, n, timeout=None):
        return [m.body for m in self.wait(n, timeout)]

    def wait_receipt(self, rid, timeout=None):
        """Waits for the RECEIPT of rid; fails at once when an ERROR answers
        it instead (the broker keeps most connections open after one)."""
        refused = lambda: any(e.headers.get("receipt-id") == rid for e in self.errors)
        self._wait_until("receipt %s" % rid, lambda: rid in self.receipts or refused(), timeout)
        if refused():
            fail("an ERROR answered %s: %r" % (rid, [(e.headers, e.body) for e in self.errors]))

    def wait_error(self, timeout=None):
        self._wait_until("an ERROR frame", lambda: self.errors, timeout)
        return self.errors[0]

    def wait_disconnected(self, timeout=None):
        self._wait_until("the connection to close", lambda: self.disconnected, timeout)

    def sync(self):
        """A round trip: everything the broker sent before answering this
        receipt has arrived (frames on one connection keep their order)."""
        rid = "sync-%f" % time.monotonic()
        self.conn.send_frame("SEND", {"destination": "/queue/tstomp.sync",
                                      "persistent": "false", "receipt": rid}, "")
        self.wait_receipt(rid)

    def close(self):
        if self.conn.is_connected():
            self.conn.disconnect()

    def leave(self, timeout=None):
        """DISCONNECT, and wait for its RECEIPT: the broker has read it and
        let go of this connection's subscriptions. close() does not wait,
        so the broker may still send this connection what arrives first;
        with ack="auto" such a message counts as taken, as in ActiveMQ, and
        a durable subscriber that publishes next would miss it."""
        rid = "leave-%f" % time.monotonic()
        self.conn.send_frame("DISCONNECT", {"receipt": rid})
        self._wait_until("receipt %s" % rid, lambda: rid in self.receipts, timeout)


def client(p=None, version="1.2", login=None, passcode=None, headers=None,
           auto_decode=True, heartbeats=(0, 0)):
    """A connected Client to the broker on port p (default PORT)."""
    cls = {"1.0": stomp.Connection10, "1.1": stomp.Connection11,
           "1.2": stomp.Connection12}[version]
    kw = {} if version == "1.0" else {"heartbeats": heartbeats}
    conn = cls([("127.0.0.1", p or port())], auto_decode=auto_decode,
               reconnect_attempts_max=1, **kw)
    c = Client(conn)
    conn.connect(login, passcode, wait=True, headers=headers or {})
    return c


def subscriber(dest, p=None, ack="auto", headers=None):
    """A Client on port p subscribed to dest, the subscription in place."""
    c = client(p)
    c.conn.subscribe(dest, id="1", ack=ack, headers=headers or {})
    c.sync()
    return c


def send(p, dest, body, receipt=True, headers=None, version="1.2"):
    """Sends one message on a fresh connection, waiting for its receipt."""
    c = client(p, version)
    send_on(c, dest, body, receipt, headers)
    c.close()


_receipt_no = [0]


def send_on(c, dest, body, receipt=True, headers=None):
    h = dict(headers or {})
    if receipt:
        _receipt_no[0] += 1
        rid = "r%d" % _receipt_no[0]
        h["receipt"] = rid
    c.conn.send(dest, body, headers=h)
    if receipt:
        c.wait_receipt(rid)


def send_until_refused(c, dest, body, n, headers=None):
    """Sends body % i (i = 0, 1, ...) on c, each waiting for its receipt,
    until the broker answers an ERROR or n are sent. Returns how many were
    receipted and the ERROR's text (message header and body)."""
    sent = 0
    for i in range(n):
        try:
            send_on(c, dest, body % i, headers=headers)
            sent += 1
        except SystemExit:  # an ERROR answered it
            break
    e = c.wait_error()
    return sent, e.headers.get("message", "") + e.body


def fill_then_drain(dest, full, least, body="m%d " + "x" * 1024, headers=None):
    """Sends body % i to dest on a new client, each receipted, until the
    broker refuses one with an ERROR saying `full` (after more than
    `least`); then a new consumer must get every receipted message, in
    order. Returns how many were sent and that consumer."""
    sent, why = send_until_refused(client(), dest, body, 20000, headers=headers)
    check(full in why, why)
    check(least < sent < 20000, "refused after %d" % sent)
    d = client()
    d.conn.subscribe(dest, id="1")
    got = [m.body.split()[0] for m in d.wait(sent, timeout=60)]
    check(got == [(body % i).split()[0] for i in range(sent)], "every receipted message, in order")
    return sent, d


def produce_until_held(broker, dest, n, size=1024):
    """A started thread that sends n persistent messages "I xxx..." (size
    bytes of x) to queue dest ("/queue/NAME") on a new client, each
    hundredth waiting for its receipt, returned once broker's log says the
    store is full for it and the thread is still held."""
    import threading
    from tmgmt import until, log_has
    c = client()

    def produce():
        for i in range(n):
            h = {"persistent": "true"}
            if i % 100 == 99:
                h["receipt"] = "r%d" % i
            c.conn.send(dest, "%d %s" % (i, "x" * size), headers=h)
            if i % 100 == 99:
                c.wait_receipt("r%d" % i, timeout=120)
    t = threading.Thread(target=produce)
    t.start()
    # Held once the store is full, however slowly this machine sends: a
    # fixed 3 s sent too little to fill it in the MQTT twin of t/85.
    full = "Usage Manager Store is Full on queue://" + dest[len("/queue/"):]
    until("the store full", lambda: log_has(broker, full), timeout=120)
    check(t.is_alive(), "the producer is held (%d messages of %d bytes)" % (n, size))
    return t


def received_all(d, n, t, timeout=120):
    """Consumer d gets produce_until_held's n messages, in order, and its
    thread t ends."""
    got = [int(m.body.split()[0]) for m in d.wait(n, timeout=timeout)]
    t.join()
    check(got == list(range(n)), "every message, in order")


def raw(p, data, read_until_close=True, timeout=None):
    """Writes bytes on a plain socket and returns what the broker answered
    before closing it (for malformed input that no client library sends)."""
    s = socket.create_connection(("127.0.0.1", p), timeout=timeout or WAIT)
    out = b""
    try:
        s.sendall(data)
        while read_until_close:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    except ConnectionResetError:
        # A broker that closes without reading what was sent resets the
        # connection: the end, as a close is.
        return out
    finally:
        s.close()


def send_backlog(c, dest, n, high=0):
    """Sends n persistent messages d0.. on c, then `high` at priority 9
    (h0..), then "last", waiting for its receipt: past a queue's window of
    1,000 in memory, the rest wait on disk."""
    for i in range(n):
        c.conn.send(dest, "d%d" % i, headers={"persistent": "true"})
    for i in range(high):
        c.conn.send(dest, "h%d" % i, headers={"persistent": "true", "priority": "9"})
    send_on(c, dest, "last", headers={"persistent": "true"})


def talk(p, data, until):
    """Writes bytes on a plain socket and reads until the bytes `until`
    arrive ("open") or the broker closes ("closed"); returns that and what
    was read."""
    s = socket.create_connection(("127.0.0.1", p), timeout=WAIT)
    out = b""
    try:
        s.sendall(data)
        while until not in out:
            chunk = s.recv(65536)
            if not chunk:
                return "closed", out
            out += chunk
        return "open", out
    except ConnectionResetError:
        return "closed", out
    finally:
        s.close()
