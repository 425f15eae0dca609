"""tflood - many connections to a node's web console from several
loopback addresses (127.0.0.2 and up are all loopback on Linux), for the
tests of slow clients and floods (t/92-web-flood.t). The console's port
is in the environment as WEB."""
import http.client
import os
import select
import socket
import time

WEB = int(os.environ.get("WEB", "0"))


def dial(i, addrs, blocking=False):
    """Connection number i, from address 127.0.0.(2 + i % addrs)."""
    s = socket.socket()
    s.bind(("127.0.0.%d" % (2 + i % addrs), 0))
    s.setblocking(blocking)
    try:
        s.connect(("127.0.0.1", WEB))
    except BlockingIOError:
        pass
    return s


def many(n, addrs, blocking=True):
    """n connections spread over addrs addresses."""
    return [dial(i, addrs, blocking) for i in range(n)]


def alive(s):
    """The server has not closed s."""
    try:
        return s.recv(1, socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def closed_by_server(socks, timeout=30):
    """How many of socks the server closes within timeout s (all told)."""
    by_fd = {s.fileno(): s for s in socks}
    p = select.poll()
    for fd in by_fd:
        p.register(fd, select.POLLIN)
    closed = 0
    end = time.time() + timeout
    while by_fd and time.time() < end:
        for fd, _ in p.poll(200):
            p.unregister(fd)
            closed += not alive(by_fd.pop(fd))
    return closed


def get(path, timeout=10):
    """The status of a GET from 127.0.0.1, or what went wrong."""
    c = http.client.HTTPConnection("127.0.0.1", WEB, timeout=timeout)
    try:
        c.request("GET", path)
        return c.getresponse().status
    except OSError as e:
        return repr(e)
    finally:
        c.close()


def close_all(socks):
    for s in socks:
        s.close()
