#!/usr/bin/python3
"""t/bench/mqttidle.py - many idle MQTT clients, for row M3 of `make bench`.

    mqttidle.py PORT COUNT READY_FILE [PUBLISH]

Opens COUNT connections to 127.0.0.1:PORT, each a clean MQTT 3.1.1
session subscribed at QoS 1 to its own topic idle/N, creates READY_FILE
once every SUBACK came, then reads nothing more: idle clients, or slow
ones when PUBLISH is given, a count of 100-byte QoS 1 messages it
publishes to each client's topic (over one more connection) once
READY_FILE.GO exists, then creates READY_FILE.DONE. It stays until killed. The broker's RSS before
and after, over COUNT, is what a client costs it.
"""
import os
import socket
import struct
import sys
import time


def remaining(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def packet(first, body):
    return bytes([first]) + remaining(len(body)) + body


def connect(port, client_id):
    s = socket.create_connection(("127.0.0.1", port))
    body = string("MQTT") + bytes([4, 2]) + struct.pack(">H", 600) + string(client_id)
    s.sendall(packet(0x10, body))
    return s


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            sys.exit("mqttidle: the broker closed a connection")
        data += chunk
    return data


def main():
    port, count, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    publish = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    tag = "%d-%d" % (os.getpid(), int(time.time()))
    socks = []
    for i in range(count):
        socks.append(connect(port, "idle-%s-%d" % (tag, i)))
    for s in socks:
        if read_exact(s, 4)[3] != 0:
            sys.exit("mqttidle: CONNACK refused")
    for i, s in enumerate(socks):
        s.sendall(packet(0x82, struct.pack(">H", 1) + string("idle/%s/%d" % (tag, i)) + b"\x01"))
    for s in socks:
        read_exact(s, 5)
    open(ready, "w").close()
    if publish:
        while not os.path.exists(ready + ".GO"):
            time.sleep(0.1)
        p = connect(port, "idle-%s-pub" % tag)
        read_exact(p, 4)
        pid = 0
        for k in range(publish):
            for i in range(count):
                pid = pid % 65535 + 1
                p.sendall(packet(0x32, string("idle/%s/%d" % (tag, i)) + struct.pack(">H", pid) + b"x" * 100))
                read_exact(p, 4)
        open(ready + ".DONE", "w").close()
    while True:
        time.sleep(3600)


main()
