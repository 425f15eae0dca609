"""tsock - plain sockets that say a little (or nothing) and wait, for tests
of what the broker does with clients that never finish logging in.

    from tsock import *
    s = idle(port, b"CONN")[0]
    check(closed_by_broker(s) == b"", "closed without a word")
"""
import os
import socket

from tstomp import WAIT, check  # noqa: F401 (for the tests' star import)


def _port(name):
    v = os.environ.get(name)
    return int(v) if v else None


# The broker's tcp://, stomp:// and mqtt:// ports, when the test gives them.
TP, SP, MP = (_port(k) for k in ("PORT", "STOMP_PORT", "MQTT_PORT"))


def idle(port, data=b"", n=1):
    """n sockets connected to port that each send data (maybe nothing)."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        if data:
            s.sendall(data)
        socks.append(s)
    return socks


def closed_by_broker(s):
    """Reads until the broker ends the stream and returns what it said
    first; None when it kept the connection open for WAIT seconds."""
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got
            got += chunk
    except ConnectionResetError:
        return got
    except socket.timeout:
        return None
