"""thttp - HTTP written and read byte for byte, for what curl and browsers
never send: requests whose end two parsers could find in different places
(request smuggling), NUL bytes in a path.

    from thttp import *
    answers, closed = exchange(web_port(), b"GET /health HTTP/1.1\\r\\n...")
    check(statuses(answers) == [400] and closed, ...)
"""
import os
import socket

from tstomp import WAIT, check, fail  # noqa: F401 (for the tests' star import)

ADMIN = b"Authorization: Basic YWRtaW46YWRtaW4=\r\n"	# admin:admin


def web_port(name="node1"):
    with open(os.path.join(os.environ["TRASH"], name, "web_port")) as f:
        return int(f.read())


def _parse(data):
    """The answers in data: [(status, {header: value}, body)]."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            fail("a cut answer: %r" % data[:200])
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        n = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


def exchange(port, data):
    """Sends data on one connection and reads until the server closes it
    (True) or stays silent for a second (False): (answers, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(data)
    got, closed = b"", False
    s.settimeout(1)
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not d:
            closed = True
            break
        got += d
    s.close()
    return _parse(got), closed


def statuses(answers):
    return [a[0] for a in answers]
