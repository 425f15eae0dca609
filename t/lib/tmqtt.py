"""tmqtt - small helpers for the MQTT tests.

The tests drive tandemd with Debian's python3-paho-mqtt (and the
mosquitto_pub/mosquitto_sub programs, from the shell); `Client` only
collects what arrives so that a test can wait for "the next N messages"
and fails loudly with what it saw. `Raw` writes packets byte for byte,
for what no client library sends: malformed packets, and a session cut
in the middle of a QoS 2 exchange.

    from tmqtt import *
    c = Client("sub1")
    c.sub("a/+", 1)
    Client().pub("a/b", "hello", 1)
    m = c.wait(1)[0]
"""
import os
import queue
import socket
import struct
import threading

import paho.mqtt.client as mqtt

from tstomp import check, fail  # noqa: F401 (for the tests' star import)

WAIT = float(os.environ.get("TMQTT_WAIT", "15"))


def port(name=None):
    """The port MQTT clients use: MQTT_PORT, else the tcp:// port (MQTT is
    detected there), of broker NAME when given."""
    if name is not None:
        with open(os.path.join(os.environ.get("TRASH", "."), name, "port")) as f:
            return int(f.read())
    return int(os.environ.get("MQTT_PORT") or os.environ["PORT"])


class Client:
    """A paho client, connected, with a queue of what it received."""

    def __init__(self, client_id="", clean=True, p=None, will=None, user=None,
                 password=None, keepalive=60, expect_rc=0):
        self.c = mqtt.Client(client_id=client_id, clean_session=clean,
                             protocol=mqtt.MQTTv311)
        self.msgs = queue.Queue()
        self.connected = threading.Event()
        self.rc = None
        self.session_present = None
        self.c.on_message = lambda c, u, m: self.msgs.put(m)
        self.c.on_connect = self._on_connect
        if will:
            self.c.will_set(*will)
        if user is not None:
            self.c.username_pw_set(user, password)
        self.c.connect("127.0.0.1", p or port(), keepalive)
        self.c.loop_start()
        check(self.connected.wait(WAIT), "no CONNACK")
        check(self.rc == expect_rc, "CONNACK %s, expected %s" % (self.rc, expect_rc))

    def _on_connect(self, c, u, flags, rc):
        self.rc = rc
        self.session_present = flags.get("session present")
        if rc:
            # Refused: do not let paho try again.
            c.disconnect()
        self.connected.set()

    def sub(self, topic, qos=0):
        """Subscribes and returns the granted QoS (paho's SUBACK codes)."""
        done = threading.Event()
        granted = []

        def on_subscribe(c, u, mid, g):
            granted.extend(g)
            done.set()
        self.c.on_subscribe = on_subscribe
        self.c.subscribe(topic, qos)
        check(done.wait(WAIT), "no SUBACK for %s" % topic)
        return granted

    def unsub(self, topic):
        done = threading.Event()
        self.c.on_unsubscribe = lambda c, u, mid: done.set()
        self.c.unsubscribe(topic)
        check(done.wait(WAIT), "no UNSUBACK for %s" % topic)

    def pub(self, topic, payload, qos=0, retain=False):
        """Publishes; for QoS 1 and 2 returns once the broker acknowledged."""
        info = self.c.publish(topic, payload, qos, retain)
        info.wait_for_publish(WAIT)
        check(info.is_published(), "PUBLISH to %s not acknowledged" % topic)

    def wait(self, n, timeout=WAIT):
        """The next n messages (fails with what came when they do not)."""
        got = []
        while len(got) < n:
            try:
                got.append(self.msgs.get(timeout=timeout))
            except queue.Empty:
                fail("%d of %d messages came: %r" % (len(got), n, [bodies(got)]))
        return got

    def until(self, payload, timeout=WAIT):
        """Every message up to and including the one with `payload` (a
        marker sent last, so that nothing else can still be on its way)."""
        got = []
        while not got or got[-1].payload != payload:
            try:
                got.append(self.msgs.get(timeout=timeout))
            except queue.Empty:
                fail("marker %r never came; got %r" % (payload, bodies(got)))
        return got

    def close(self):
        """DISCONNECT, then close."""
        self.c.disconnect()
        self.c.loop_stop()

    def drop(self):
        """Closes the socket without DISCONNECT: an abnormal end."""
        self.c.loop_stop()
        s = self.c.socket()
        if s:
            s.shutdown(socket.SHUT_RDWR)
            s.close()


def bodies(msgs):
    return [m.payload for m in msgs]


# ---- raw packets ----

def _len(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | 0x80 if n else b])
        if not n:
            return out


def _str(s):
    if isinstance(s, str):
        s = s.encode()
    return struct.pack("!H", len(s)) + s


def packet(first, body):
    return bytes([first]) + _len(len(body)) + body


def connect_packet(client_id, clean=True, keepalive=0, will=None, user=None, password=None,
                   v31=False, flags=0):
    """CONNECT for MQTT 3.1.1, or 3.1 (MQIsdp level 3) with v31; `flags`
    are ORed into the connect flags (reserved bits, for the bad cases)."""
    flags |= 2 if clean else 0
    payload = _str(client_id)
    if will:
        topic, msg, qos = will
        flags |= 4 | qos << 3
        payload += _str(topic) + _str(msg)
    if user is not None:
        flags |= 0x80
        payload += _str(user)
    if password is not None:
        flags |= 0x40
        payload += _str(password)
    name, level = ("MQIsdp", 3) if v31 else ("MQTT", 4)
    return packet(0x10, _str(name) + bytes([level, flags]) + struct.pack("!H", keepalive) + payload)


def publish_packet(topic, payload, qos=0, pid=1, dup=False, retain=False):
    if isinstance(payload, str):
        payload = payload.encode()
    first = 0x30 | (8 if dup else 0) | qos << 1 | (1 if retain else 0)
    return packet(first, _str(topic) + (struct.pack("!H", pid) if qos else b"") + payload)


def ack_packet(kind, pid):
    first = {"PUBACK": 0x40, "PUBREC": 0x50, "PUBREL": 0x62, "PUBCOMP": 0x70}[kind]
    return packet(first, struct.pack("!H", pid))


def subscribe_packet(pid, filters):
    body = struct.pack("!H", pid)
    for f, q in filters:
        body += _str(f) + bytes([q])
    return packet(0x82, body)


def subscribe_many(r, prefix, n, qos=1, step=5000):
    """Subscribes Raw r to PREFIX/0 ... PREFIX/n-1 at qos, step filters a
    SUBSCRIBE, checking that each SUBACK grants them all."""
    for pid, start in enumerate(range(0, n, step), 1):
        count = min(step, n - start)
        r.send(subscribe_packet(pid, [("%s/%d" % (prefix, i), qos)
                                      for i in range(start, start + count)]))
        check(r.expect("SUBACK")[2:] == bytes([qos]) * count,
              "SUBACK %d grants QoS %d to all" % (pid, qos))


NAMES = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC",
         6: "PUBREL", 7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 11: "UNSUBACK",
         13: "PINGRESP"}


class Raw:
    """A plain socket speaking MQTT by hand."""

    def __init__(self, client_id="raw", clean=True, p=None, keepalive=0, will=None,
                 connect=True, user=None, password=None, v31=False):
        self.s = socket.create_connection(("127.0.0.1", p or port()), timeout=WAIT)
        self.buf = b""
        if connect:
            self.send(connect_packet(client_id, clean, keepalive, will, user, password, v31))
            kind, body = self.read()
            check(kind == "CONNACK", "expected CONNACK, got %s" % kind)
            self.ack_flags = body[0]
            self.session_present = body[0] & 1
            self.rc = body[1]

    def send(self, data):
        self.s.sendall(data)

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read(self):
        """The next packet as (NAME, body, flags), (None, None) at the end
        of the stream (body: bytes after the fixed header)."""
        try:
            if not self._fill(2):
                return None, None
            n, shift, i = 0, 0, 1
            while True:
                if not self._fill(i + 1):
                    return None, None
                b = self.buf[i]
                n |= (b & 0x7F) << shift
                shift += 7
                i += 1
                if not b & 0x80:
                    break
            if not self._fill(i + n):
                return None, None
        except ConnectionResetError:
            return None, None
        first = self.buf[0]
        body = self.buf[i:i + n]
        self.buf = self.buf[i + n:]
        self.flags = first & 0x0F
        return NAMES.get(first >> 4, str(first >> 4)), body

    def expect(self, kind):
        got, body = self.read()
        check(got == kind, "expected %s, got %s" % (kind, got))
        return body

    def closed(self):
        """True when the broker closes the connection (before sending
        anything more)."""
        kind, body = self.read()
        return kind is None

    def close(self):
        self.s.close()


def parse_publish(body, flags):
    """(topic, pid or None, payload, qos, dup, retain) of a PUBLISH body."""
    n = struct.unpack("!H", body[:2])[0]
    topic = body[2:2 + n].decode()
    rest = body[2 + n:]
    qos = (flags >> 1) & 3
    pid = None
    if qos:
        pid = struct.unpack("!H", rest[:2])[0]
        rest = rest[2:]
    return topic, pid, rest, qos, bool(flags & 8), bool(flags & 1)
