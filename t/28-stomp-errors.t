#!/bin/sh
# Which STOMP ERRORs close the connection (issue 18 point 11): those that
# close ActiveMQ 5.17's (a failed CONNECT, an unknown command, a frame it
# cannot parse, a header it cannot read as a number), and no others: after
# an unknown ack id, transaction or subscription, a SEND without
# destination or a refusal by the broker the client carries on, as
# ActiveMQ's clients expect. tandemd(8) has the table; each row here is
# tried on the auto-detecting tcp:// connector and on stomp://.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

cat >errors.py <<-\EOF
import os
import socket
import time
from tstomp import *

PORTS = [int(p) for p in os.environ["PORTS"].split()]
CONNECT_HEADERS = b""

def outcome(p, frames, version="1.2"):
    """CONNECT, frames (the bad one asks for receipt "bad"), then a SEND
    asking for receipt "after": "open" when that receipt comes, "closed"
    when the broker closes first; with the ERROR frame's text."""
    return talk(p, b"CONNECT\naccept-version:%s\nhost:x\n%s\n\0" % (version.encode(), CONNECT_HEADERS) +
                frames + b"SEND\ndestination:/queue/errors.after\nreceipt:after\n\nx\0",
                b"RECEIPT\nreceipt-id:after\n")

def expect(what, frames, closes, version="1.2"):
    for p in PORTS:
        got, out = outcome(p, frames, version)
        check(b"ERROR\n" in out, "port %d, %s: no ERROR: %r" % (p, what, out[:400]))
        check(got == ("closed" if closes else "open"),
              "port %d, %s: the connection is %s, it must be %s: %r"
              % (p, what, got, "closed" if closes else "open", out[:400]))
EOF

errors_py() {
	PORTS="$(broker_port node1) $(broker_stomp_port node1)" PYTHONPATH=$PYTHONPATH:. stomp_py
}

test_expect_success 'an unknown ack id, transaction or subscription: ERROR, the connection stays open' '
	errors_py <<-\EOF
	from errors import *
	expect("ACK of an unknown id", b"ACK\nid:no-such-id\nreceipt:bad\n\n\0", False)
	expect("NACK of an unknown id", b"NACK\nid:no-such-id\nreceipt:bad\n\n\0", False)
	expect("SEND in an unknown transaction",
	       b"SEND\ndestination:/queue/errors.tx\ntransaction:nope\nreceipt:bad\n\nx\0", False)
	expect("ACK in an unknown transaction",
	       b"ACK\nid:1\ntransaction:nope\nreceipt:bad\n\n\0", False)
	expect("COMMIT of an unknown transaction", b"COMMIT\ntransaction:nope\nreceipt:bad\n\n\0", False)
	expect("ABORT of an unknown transaction", b"ABORT\ntransaction:nope\nreceipt:bad\n\n\0", False)
	expect("BEGIN without a transaction", b"BEGIN\nreceipt:bad\n\n\0", False)
	expect("BEGIN of an open transaction",
	       b"BEGIN\ntransaction:t\n\n\0BEGIN\ntransaction:t\nreceipt:bad\n\n\0", False)
	expect("UNSUBSCRIBE of an unknown subscription", b"UNSUBSCRIBE\nid:nope\nreceipt:bad\n\n\0", False)
	expect("ACK without an id", b"ACK\nreceipt:bad\n\n\0", False)
	EOF
'

test_expect_success 'a SEND or SUBSCRIBE the broker refuses: ERROR, the connection stays open' '
	errors_py <<-\EOF
	from errors import *
	expect("SEND without a destination", b"SEND\nreceipt:bad\n\nx\0", False)
	expect("SUBSCRIBE without a destination", b"SUBSCRIBE\nid:1\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE to an empty destination",
	       b"SUBSCRIBE\nid:1\ndestination:\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE without an id", b"SUBSCRIBE\ndestination:/queue/e\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE with an id in use",
	       b"SUBSCRIBE\nid:1\ndestination:/queue/e1\n\n\0"
	       b"SUBSCRIBE\nid:1\ndestination:/queue/e2\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE with a bad selector",
	       b"SUBSCRIBE\nid:1\ndestination:/queue/e\nselector:a = = b\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE with an unknown ack mode",
	       b"SUBSCRIBE\nid:1\ndestination:/queue/e\nack:sometimes\nreceipt:bad\n\n\0", False)
	expect("SUBSCRIBE with a bad activemq.prefetchSize",
	       b"SUBSCRIBE\nid:1\ndestination:/queue/e\nactivemq.prefetchSize:lots\nreceipt:bad\n\n\0",
	       False)
	expect("SEND to a destination name over 512 characters",
	       b"SEND\ndestination:/queue/" + b"n" * 600 + b"\nreceipt:bad\n\nx\0", False)
	expect("a SEND priority out of range",
	       b"SEND\ndestination:/queue/e\npriority:15\nreceipt:bad\n\nx\0", False)
	expect("a negative SEND expires",
	       b"SEND\ndestination:/queue/e\nexpires:-5\nreceipt:bad\n\nx\0", False)
	expect("a second CONNECT", b"CONNECT\naccept-version:1.2\nhost:x\nreceipt:bad\n\n\0", False)
	expect("NACK on a STOMP 1.0 connection",
	       b"NACK\nmessage-id:1\nreceipt:bad\n\n\0", False, version="1.0")
	EOF
'

test_expect_success 'a frame before CONNECT: ERROR, the connection stays open for the CONNECT' '
	errors_py <<-\EOF
	from errors import *
	for p in PORTS:
	    s = socket.create_connection(("127.0.0.1", p), timeout=WAIT)
	    s.sendall(b"SUBSCRIBE\nid:1\ndestination:/queue/e\nreceipt:bad\n\n\0")
	    out = b""
	    while b"\0" not in out:
	        chunk = s.recv(65536)
	        check(chunk, "port %d: closed after %r" % (p, out))
	        out += chunk
	    check(out.startswith(b"ERROR\n") and b"receipt-id:bad\n" in out, "port %d: %r" % (p, out))
	    s.sendall(b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	    out = b""
	    while b"\0" not in out:
	        chunk = s.recv(65536)
	        check(chunk, "port %d: closed before CONNECTED: %r" % (p, out))
	        out += chunk
	    check(out.startswith(b"CONNECTED\n"), "port %d: %r" % (p, out))
	    s.close()
	EOF
'

test_expect_success 'a reply to a temporary queue whose owner left: ERROR, the connection stays open' '
	errors_py <<-\EOF
	from errors import *
	for p in PORTS:
	    req = client(p)
	    req.conn.subscribe("/temp-queue/r", id="r", ack="auto")
	    srv = subscriber("/queue/errors.req.%d" % p, p)
	    send_on(req, "/queue/errors.req.%d" % p, "q", headers={"reply-to": "/temp-queue/r"})
	    reply_to = srv.wait(1)[0].headers["reply-to"]
	    req.close()
	    # The broker drops the queue once it has closed the connection.
	    for attempt in range(200):
	        got, out = outcome(p, b"SEND\ndestination:%s\nreceipt:bad\n\nx\0" % reply_to.encode())
	        if b"ERROR\n" in out:
	            break
	        time.sleep(0.05)
	    check(b"deleted destination" in out and b"receipt-id:bad\n" in out, "%r" % out)
	    check(got == "open", "port %d: closed after %r" % (p, out))
	    srv.close()
	EOF
'

test_expect_success 'a SEND or SUBSCRIBE the authorizationPlugin refuses: ERROR, the connection stays open' '
	BROKER_EXTRA="<plugins>
	 <simpleAuthenticationPlugin><users>
	  <authenticationUser username=\"app\" password=\"b\" groups=\"users\"/>
	 </users></simpleAuthenticationPlugin>
	 <authorizationPlugin><map><authorizationMap><authorizationEntries>
	  <authorizationEntry queue=\">\" read=\"admins\" write=\"admins\" admin=\"admins\"/>
	  <authorizationEntry queue=\"errors.>\" read=\"users\" write=\"users\" admin=\"users\"/>
	 </authorizationEntries></authorizationMap></map></authorizationPlugin>
	</plugins>" broker_config authz &&
	start_broker authz &&
	PORTS="$(broker_port authz) $(broker_stomp_port authz)" PYTHONPATH=$PYTHONPATH:. stomp_py <<-\EOF
	from errors import *
	import errors
	errors.CONNECT_HEADERS = b"login:app\npasscode:b\n"
	expect("SEND without write permission", b"SEND\ndestination:/queue/secret\nreceipt:bad\n\nx\0", False)
	expect("SUBSCRIBE without read permission",
	       b"SUBSCRIBE\nid:1\ndestination:/queue/secret\nreceipt:bad\n\n\0", False)
	EOF
'

test_expect_success 'what closes ActiveMQ closes: unknown command, unreadable frame or number, bad heart-beat' '
	errors_py <<-\EOF
	from errors import *
	expect("an unknown command", b"FROBNICATE\nreceipt:bad\n\n\0", True)
	expect("a content-length that is no number",
	       b"SEND\ndestination:/queue/e\ncontent-length:many\nreceipt:bad\n\nx\0", True)
	expect("a SEND priority that is no number",
	       b"SEND\ndestination:/queue/e\npriority:high\nreceipt:bad\n\nx\0", True)
	expect("a SEND expires that is no number",
	       b"SEND\ndestination:/queue/e\nexpires:soon\nreceipt:bad\n\nx\0", True)
	expect("a SEND to an empty destination", b"SEND\ndestination:\nreceipt:bad\n\nx\0", True)
	expect("a SEND to /queue/ without a name", b"SEND\ndestination:/queue/\nreceipt:bad\n\nx\0", True)
	expect("a SUBSCRIBE to /topic/ without a name",
	       b"SUBSCRIBE\nid:1\ndestination:/topic/\nreceipt:bad\n\n\0", True)
	for p in PORTS:
	    out = raw(p, b"CONNECT\naccept-version:1.2\nhost:x\nheart-beat:often\n\n\0")
	    check(out.startswith(b"ERROR\n"), "port %d, a bad heart-beat: %r" % (p, out))
	    out = raw(p, b"CONNECT\naccept-version:3.0\nhost:x\n\n\0")
	    check(out.startswith(b"ERROR\n"), "port %d, no version in common: %r" % (p, out))
	EOF
'

test_expect_success 'a client that leaves its ERRORs unread is closed once a megabyte of them waits' '
	errors_py <<-\EOF
	from errors import *
	for p in PORTS:
	    # 50,000 refused ACKs earn some 12 MB of ERRORs, read only after.
	    got, out = outcome(p, b"ACK\nid:x\n\n\0" * 50000)
	    check(got == "closed", "port %d: still open after %d bytes of ERRORs" % (p, len(out)))
	    check(out.count(b"ERROR\n") < 50000, "port %d: every ERROR was kept" % p)
	EOF
'

test_expect_success 'a client that repeats a refused frame gets every ERROR, and the log only its first 20' '
	: >node1/log.before && cp node1/log node1/log.before &&
	errors_py <<-\EOF &&
	from errors import *
	p = PORTS[0]
	got, out = outcome(p, b"ACK\nid:again\n\n\0" * 500)
	check(got == "open", "open: %r" % out[-200:])
	check(out.count(b"ERROR\n") == 500, "%d ERRORs" % out.count(b"ERROR\n"))
	EOF
	diff node1/log.before node1/log | grep "ERROR to .*: Unexpected ACK" >logged &&
	test "$(wc -l <logged)" -eq 20 &&
	diff node1/log.before node1/log | grep -c "20 ERRORs so far; its further ERRORs are not logged" >said &&
	test "$(cat said)" -eq 1
'

test_expect_success 'every ERROR names the frame'"'"'s receipt, and the broker serves on' '
	errors_py <<-\EOF
	from errors import *
	for p in PORTS:
	    got, out = outcome(p, b"ACK\nid:x\nreceipt:bad\n\n\0")
	    check(b"receipt-id:bad\n" in out, "port %d: %r" % (p, out))
	    check(out.count(b"ERROR\n") == 1, "one ERROR only: %r" % out)
	    c = subscriber("/queue/errors.alive.%d" % p, p)
	    send(p, "/queue/errors.alive.%d" % p, "still here")
	    check(c.wait_bodies(1) == ["still here"], "served")
	    c.close()
	EOF
'

test_done
