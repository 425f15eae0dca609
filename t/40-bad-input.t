#!/bin/sh
# Bad input and limits: a clear error to the party at fault, the broker
# keeps serving everyone else.
. "$(dirname "$0")/test-lib.sh"

TCP_OPTIONS='maximumConnections=5&amp;wireFormat.maxFrameSize=65536&amp;wireFormat.bogusOption=1'
broker_config node1 && start_broker node1 || exit 1

# The broker still does its job for a well-behaved client.
still_serving() {
	stomp_py <<-\EOF
	from tstomp import *
	import uuid
	q = "/queue/alive." + uuid.uuid4().hex
	c = client()
	c.conn.subscribe(q, id="1")
	c.sync()
	send(port(), q, "still here")
	check(c.wait_bodies(1) == ["still here"], "served")
	EOF
}

test_expect_success 'an unknown connector option is warned about' '
	log_contains node1 "WARN.*wireFormat.bogusOption"
'

test_expect_success 'garbage bytes: the connection is closed, nothing else happens' '
	stomp_py <<-\EOF &&
	from tstomp import *
	out = raw(port(), b"\x16\x03\x01\x02\x00garbage that is no protocol at all\r\n" * 4)
	check(b"CONNECTED" not in out, "%r" % out)
	EOF
	still_serving
'

test_expect_success 'garbage after CONNECT: an ERROR frame, then the close' '
	stomp_py <<-\EOF &&
	from tstomp import *
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0SEND\ncontent-length:x\n\n\0")
	check(b"CONNECTED" in out and b"ERROR" in out, "%r" % out)
	EOF
	still_serving
'

test_expect_success 'an unknown command gets an ERROR naming it' '
	stomp_py <<-\EOF &&
	from tstomp import *
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0FROBNICATE\n\n\0").decode()
	check("ERROR" in out and "FROBNICATE" in out, out)
	EOF
	still_serving
'

test_expect_success 'a frame over wireFormat.maxFrameSize gets an ERROR and a close' '
	stomp_py <<-\EOF &&
	from tstomp import *
	big = b"x" * 70000
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0SEND\ndestination:/queue/big\ncontent-length:%d\n\n" % len(big) + big + b"\0")
	check(b"ERROR" in out and b"too large" in out.lower(), "%r" % out[:300])
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0SEND\ndestination:/queue/big\n\n" + big + b"\0")
	check(b"ERROR" in out and b"too large" in out.lower(), "without content-length: %r" % out[:300])
	EOF
	still_serving
'

test_expect_success 'a huge content-length is refused before the body is read' '
	stomp_py <<-\EOF &&
	from tstomp import *
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0SEND\ndestination:/queue/big\ncontent-length:99999999999\n\n")
	check(b"ERROR" in out, "%r" % out)
	EOF
	still_serving
'

test_expect_success 'a frame before CONNECT is refused (the connection waits for CONNECT: t/28-stomp-errors.t)' '
	stomp_py <<-\EOF
	from tstomp import *
	import socket
	s = socket.create_connection(("127.0.0.1", port()), timeout=WAIT)
	s.sendall(b"SEND\ndestination:/queue/x\n\nhi\0")
	out = b""
	while b"\0" not in out:
	    chunk = s.recv(65536)
	    check(chunk, "closed after %r" % out)
	    out += chunk
	check(out.startswith(b"ERROR"), "%r" % out)
	s.close()
	EOF
'

test_expect_success 'SEND without a destination is an ERROR' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.send_frame("SEND", {}, "body")
	e = c.wait_error()
	check("destination" in (e.headers.get("message", "") + e.body).lower(), "%r" % e.headers)
	EOF
'

test_expect_success 'connections past maximumConnections are refused, the others keep working' '
	stomp_py <<-\EOF &&
	from tstomp import *
	held = [client() for i in range(5)]
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	check(b"CONNECTED" not in out, "the 6th was refused: %r" % out)
	for c in held:
	    c.sync()
	for c in held:
	    c.close()
	EOF
	log_contains node1 "Reached the maximum number of allowed client connections" &&
	still_serving
'

test_expect_success 'an AMQP client on the tcp:// connector is refused with a clear log line' '
	stomp_py <<-\EOF &&
	from tstomp import *
	out = raw(port(), b"AMQP" + bytes([0, 1, 0, 0]))
	check(out == b"", "closed without an answer: %r" % out)
	EOF
	log_contains node1 "AMQP client from .* refused"
'

test_expect_success 'an OpenWire frame larger than the login limit before ConnectionInfo: the broker WireFormatInfo, a ConnectionError, closed' '
	stomp_py <<-\EOF &&
	from tstomp import *
	# A WireFormatInfo claiming 16384 bytes: more than any before a login.
	pkt = bytes([0, 0, 0x40, 0, 1]) + b"ActiveMQ" + bytes([0, 0, 0, 12])
	out = raw(port(), pkt)
	check(out[4:13] == bytes([1]) + b"ActiveMQ", "the broker WireFormatInfo first: %r" % out)
	check(b"larger than wireFormat.maxFrameSize 8192" in out, "a ConnectionError says why: %r" % out)
	EOF
	log_contains node1 "before its ConnectionInfo was accepted" &&
	still_serving
'

test_expect_success 'a client that disconnects mid-frame does not disturb the broker' '
	stomp_py <<-\EOF &&
	from tstomp import *
	import socket
	for i in range(20):
	    s = socket.create_connection(("127.0.0.1", port()))
	    s.sendall(b"CONNECT\naccept-version:1.2\nhost:x\n\n\0SEND\ndestination:/queue/half\ncontent-length:100\n\nabc")
	    s.close()
	EOF
	still_serving
'

test_expect_success 'a wrong password is refused when users are configured' '
	BROKER_EXTRA="<plugins><simpleAuthenticationPlugin><users>
	  <authenticationUser username=\"admin\" password=\"secret\" groups=\"admins\"/>
	</users></simpleAuthenticationPlugin></plugins>" broker_config auth &&
	start_broker auth &&
	PORT=$(broker_port auth) stomp_py <<-\EOF &&
	from tstomp import *
	import stomp
	try:
	    client(login="admin", passcode="wrong")
	    fail("connected with a wrong password")
	except stomp.exception.ConnectFailedException:
	    pass
	out = raw(port(), b"CONNECT\naccept-version:1.2\nhost:x\nlogin:admin\npasscode:wrong\n\n\0").decode()
	check(out.startswith("ERROR") and "invalid" in out, out)
	c = client(login="admin", passcode="secret")
	c.sync()
	EOF
	log_contains auth "Security error"
'

test_expect_success 'a soft open-files limit below the connection limits is raised at start' '
	ulimit -Sn 256 &&
	start_broker fdlimit &&
	soft=$(sed -n "s/^Max open files *\([0-9]*\).*/\1/p" /proc/$(cat "$TRASH/fdlimit/pid")/limits) &&
	stop_broker fdlimit &&
	say "soft limit $soft" && [ "$soft" -gt 256 ]
'

test_expect_success 'a hard open-files limit below them is said at start, and the broker serves' '
	ulimit -n 300 &&
	start_broker fdlimit &&
	log_contains fdlimit "open files limit is 300, below the" &&
	stop_broker fdlimit
'

test_expect_success 'the broker is still serving after all that' '
	still_serving &&
	test_reap_pids && kill -0 $(cat node1/pid)
'

test_done
