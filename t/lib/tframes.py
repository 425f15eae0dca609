"""tframes - a STOMP conversation in raw bytes, for the frames no client
library sends (a space after a header's colon in 1.0, a stray NUL, a
command with a trailing space) and to see exactly what the broker wrote.

    from tframes import *
    s = Raw(port, b"CONNECT\\nheart-beat:0,200\\n\\n\\0")   # reads CONNECTED
    s.send(b"SEND\\ndestination: /queue/x\\nreceipt: r\\n\\nhi\\0")
    f = s.expect("RECEIPT")
    check(f.headers["receipt-id"] == "r", f)

Frames are read as STOMP 1.0 writes them (no unescaping), EOLs between
frames are heart-beats and only counted.
"""
import os
import socket

from tstomp import WAIT, check, fail  # noqa: F401 (for the tests' star import)


def ports():
    """The broker's tcp:// (auto-detecting) and stomp:// ports: a test
    runs its case on both."""
    return int(os.environ["PORT"]), int(os.environ["STOMP_PORT"])


class Frame:
    def __init__(self, command, headers, body):
        self.command, self.headers, self.body = command, headers, body

    def __repr__(self):
        return "Frame(%r, %r, %r)" % (self.command, self.headers, self.body[:200])


class Raw:
    """A socket that speaks STOMP in bytes given by the test."""

    def __init__(self, port, connect=None, timeout=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout or WAIT)
        self.data = b""
        self.beats = 0
        self.closed = False
        if connect is not None:
            self.send(connect)
            self.connected = self.expect("CONNECTED")

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False    # silent, not closed
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
        self.data += chunk
        return bool(chunk)

    def frame(self):
        """The next frame, or None when the broker closed (or went silent
        for WAIT seconds) before a whole one came."""
        while True:
            while self.data[:1] in (b"\n", b"\r"):
                self.beats += self.data[:1] == b"\n"
                self.data = self.data[1:]
            end = self.data.find(b"\n\n")
            if end >= 0 and b"\0" in self.data[end:]:
                head, rest = self.data[:end], self.data[end + 2:]
                lines = head.decode().split("\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers.setdefault(name, value)
                n = headers.get("content-length")
                size = int(n) if n is not None else rest.index(b"\0")
                if len(rest) > size:
                    self.data = rest[size + 1:]
                    return Frame(lines[0], headers, rest[:size])
            if not self._fill():
                return None

    def expect(self, command):
        """The next frame, which must be `command`."""
        f = self.frame()
        check(f is not None and f.command == command,
              "expected %s, got %r (then %r)" % (command, f, self.data[:200]))
        return f

    def receipted(self, data, rid):
        """Sends data, frames whose last asks for receipt rid, and checks
        that the broker answers with that RECEIPT next."""
        self.send(data)
        f = self.frame()
        check(f is not None and f.command == "RECEIPT" and f.headers.get("receipt-id") == rid,
              "expected RECEIPT %s for %r, got %r" % (rid, data[:200], f))

    def heartbeats(self, n):
        """Waits until n EOLs came between frames; False when the
        connection ended first."""
        while self.beats < n:
            while self.data[:1] in (b"\n", b"\r"):
                self.beats += self.data[:1] == b"\n"
                self.data = self.data[1:]
            if self.beats >= n:
                break
            if self.data or not self._fill():
                return False
        return True

    def closed_by_broker(self):
        """Reads to the end: True when the broker closed the connection."""
        while not self.closed:
            if not self._fill():
                break
        return self.closed

    def close(self):
        self.sock.close()
