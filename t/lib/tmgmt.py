"""Helpers for tests of the management socket (man tandem-mgmt(7)): a
plain socket speaking JSON lines, so the tests see exactly what any
client would."""
import json
import os
import socket

from tstomp import WAIT, check

DOMAIN = "org.apache.activemq"


def mport(name=None):
    return int(os.environ.get("MPORT") or open(
        "%s/%s/mgmt_port" % (os.environ["TRASH"], name or "node1")).read())


def broker_name(name):
    return "%s:type=Broker,brokerName=%s" % (DOMAIN, name)


def quoted(value):
    """A value as the broker writes it in object names (objname_quote)."""
    import re
    return re.sub(r'[:,=*?"]', "_", value)


def queue_name(broker, queue):
    return "%s,destinationType=Queue,destinationName=%s" % (broker_name(broker), quoted(queue))


def history_name(broker, queue=None):
    """A queue's History object, or the broker's without a queue."""
    name = broker_name(broker) + ",service=History"
    return name + ",queue=" + quoted(queue) if queue is not None else name


class Mgmt:
    def __init__(self, port=None, timeout=None):
        self.sock = socket.create_connection(("127.0.0.1", port or mport()),
                                             timeout=timeout or WAIT)
        self.f = self.sock.makefile("rwb")

    def send_line(self, data):
        self.f.write(data if isinstance(data, bytes) else data.encode())
        self.f.write(b"\n")
        self.f.flush()

    def line(self):
        """The next line as JSON, or None when the broker closed."""
        raw = self.f.readline()
        return json.loads(raw) if raw else None

    def req(self, r):
        self.send_line(json.dumps(r))
        return self.line()

    def ok(self, r):
        """A request that must succeed: its value."""
        resp = self.req(r)
        check(resp is not None and resp.get("status") == 200, "%r -> %r" % (r, resp))
        return resp["value"]

    def read(self, mbean, attribute=None, **config):
        r = {"type": "read", "mbean": mbean}
        if attribute is not None:
            r["attribute"] = attribute
        if config:
            r["config"] = config
        return self.ok(r)

    def execute(self, mbean, operation, *args):
        return self.ok({"type": "exec", "mbean": mbean, "operation": operation,
                        "arguments": list(args)})

    def closed(self):
        """True when the broker has closed the connection."""
        try:
            return self.f.readline() == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.f.close()
        self.sock.close()


def until(what, pred, timeout=None):
    """Polls pred until it is true; fails with `what` after WAIT seconds."""
    import time
    end = time.time() + (timeout or WAIT)
    while not pred():
        check(time.time() < end, "waited for: %s" % what)
        time.sleep(0.05)


def queue_attr(m, broker, queue, attribute):
    """An attribute of a queue on broker through Mgmt m; 0 while it does not exist."""
    r = m.req({"type": "read", "mbean": queue_name(broker, queue), "attribute": attribute})
    return r["value"] if r and r.get("status") == 200 else 0


def queue_size(m, broker, queue):
    return queue_attr(m, broker, queue, "QueueSize")


def log_has(broker, text):
    """Whether broker's log (in the test's trash) holds text."""
    with open(os.path.join(os.environ["TRASH"], broker, "log")) as f:
        return text in f.read()


def queue_history(m, mbean):
    """A History object's attributes, {} while it does not exist."""
    r = m.req({"type": "read", "mbean": mbean})
    return r["value"] if r and r.get("status") == 200 else {}
