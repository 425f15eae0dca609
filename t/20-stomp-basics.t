#!/bin/sh
# STOMP 1.0, 1.1 and 1.2 with a real client (python3-stomp): the frames a
# user sends and what comes back, on both kinds of connector.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

for v in 1.0 1.1 1.2; do
test_expect_success "STOMP $v: a message sent to a queue reaches its consumer" "
	stomp_py $v <<-\EOF
	import sys
	from tstomp import *
	v = sys.argv[1]
	c = client(version=v)
	if v == '1.0':
	    c.conn.subscribe('/queue/basic.$v', ack='auto')
	else:
	    c.conn.subscribe('/queue/basic.$v', id='s1', ack='auto')
	c.sync()
	send_on(c, '/queue/basic.$v', 'hello ' + v)
	m = c.wait(1)[0]
	check(m.body == 'hello ' + v, 'body: %r' % m.body)
	check(m.headers['destination'] == '/queue/basic.$v', 'destination: %r' % m.headers)
	check(m.headers.get('message-id'), 'a message-id')
	if v != '1.0':
	    check(m.headers.get('subscription') == 's1', 'subscription header: %r' % m.headers)
	c.close()
	EOF
"
done

test_expect_success 'CONNECTED names the version, a session and the server' '
	stomp_py <<-\EOF
	from tstomp import *
	import socket
	out = raw(port(), b"CONNECT\naccept-version:1.0,1.1,1.2\nhost:localhost\n\n\0"
	          b"DISCONNECT\nreceipt:bye\n\n\0")
	text = out.decode()
	check(text.startswith("CONNECTED\n"), text)
	check("version:1.2\n" in text, text)
	check("session:" in text and "server:Tandem/" in text, text)
	check("RECEIPT\nreceipt-id:bye\n" in text, "receipt for DISCONNECT: " + text)
	EOF
'

test_expect_success 'a 1.0 client without accept-version is served STOMP 1.0' '
	stomp_py <<-\EOF
	from tstomp import *
	out = raw(port(), b"CONNECT\n\n\0DISCONNECT\n\n\0").decode()
	check(out.startswith("CONNECTED\n"), out)
	check("version:1.0" in out or "version:" not in out, out)
	EOF
'

test_expect_success 'a client offering only unknown versions gets an ERROR' '
	stomp_py <<-\EOF
	from tstomp import *
	out = raw(port(), b"CONNECT\naccept-version:2.0\nhost:x\n\n\0").decode()
	check(out.startswith("ERROR\n"), out)
	check("version:1.0,1.1,1.2" in out, out)
	EOF
'

test_expect_success 'the stomp:// connector serves STOMP too' '
	PORT=$(broker_stomp_port node1) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/on.stomp", id="1")
	c.sync()
	send(port(), "/queue/on.stomp", "via stomp://")
	check(c.wait_bodies(1) == ["via stomp://"], "body")
	EOF
'

test_expect_success 'a body with NUL bytes arrives whole (content-length)' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client(auto_decode=False)
	c.conn.subscribe("/queue/binary", id="1")
	c.sync()
	body = b"a\0b\0\0c" + bytes(range(256))
	send(port(), "/queue/binary", body)
	got = c.wait(1)[0].body
	check(got == body, "body %r" % got)
	EOF
'

test_expect_success 'headers with colons, newlines and backslashes survive (1.1 and 1.2 escaping)' '
	stomp_py <<-\EOF
	from tstomp import *
	for v in ("1.1", "1.2"):
	    c = client(version=v)
	    c.conn.subscribe("/queue/escape" + v, id="1")
	    c.sync()
	    value = "a:b\nc\\d"
	    send(port(), "/queue/escape" + v, "x", headers={"odd": value}, version=v)
	    m = c.wait(1)[0]
	    check(m.headers.get("odd") == value, "%s: %r" % (v, m.headers))
	    c.close()
	EOF
'

test_expect_success 'a topic message reaches every subscriber' '
	stomp_py <<-\EOF
	from tstomp import *
	subs = [client() for i in range(3)]
	for s in subs:
	    s.conn.subscribe("/topic/news", id="1")
	    s.sync()
	send(port(), "/topic/news", "extra")
	for s in subs:
	    check(s.wait_bodies(1) == ["extra"], "every subscriber")
	EOF
'

test_expect_success 'wildcard subscriptions: * one element, > the rest' '
	stomp_py <<-\EOF
	from tstomp import *
	star, rest = client(), client()
	star.conn.subscribe("/topic/price.*", id="1")
	rest.conn.subscribe("/topic/price.>", id="1")
	star.sync(); rest.sync()
	send(port(), "/topic/price.stock", "one")
	send(port(), "/topic/price.stock.nasdaq", "two")
	send(port(), "/topic/other", "none")
	send(port(), "/topic/price.end", "end")
	check(star.wait_bodies(2) == ["one", "end"], "star")
	check(rest.wait_bodies(3) == ["one", "two", "end"], "rest")
	EOF
'

test_expect_success 'among a thousand subscriptions a topic reaches its own and the wildcards over it, no other' '
	stomp_py <<-\EOF
	from tstomp import *
	many, wild = client(), client()
	for i in range(1000):
	    many.conn.subscribe("/topic/dev.%d.cmd" % i, id=str(i))
	for sid, dest in (("star", "dev.*.cmd"), ("rest", "dev.>"), ("head", "*.500.cmd"),
	                  ("all", ">"), ("other", "fleet.>")):
	    wild.conn.subscribe("/topic/" + dest, id=sid)
	many.sync(); wild.sync()
	def got(c, n):
	    seen = sorted((m.headers["subscription"], m.body) for m in c.wait(n))
	    c.sync()
	    check(not c.messages, "nothing more: %r" % [m.body for m in c.messages])
	    return seen
	send(port(), "/topic/dev.500.cmd", "a")
	send(port(), "/topic/dev.7.cmd", "b")
	send(port(), "/topic/dev", "c")
	check(got(many, 2) == [("500", "a"), ("7", "b")], "each topic its own subscription")
	check(got(wild, 9) == sorted([("star", "a"), ("rest", "a"), ("head", "a"), ("all", "a"),
	                              ("star", "b"), ("rest", "b"), ("all", "b"),
	                              ("rest", "c"), ("all", "c")]), "and the wildcards over it")
	many.conn.unsubscribe(id="500")
	wild.conn.unsubscribe(id="head")
	many.sync(); wild.sync()
	send(port(), "/topic/dev.500.cmd", "d")
	send(port(), "/topic/dev.501.cmd", "e")
	check(got(many, 1) == [("501", "e")], "an unsubscribed one no longer")
	check(got(wild, 6) == sorted([("star", "d"), ("rest", "d"), ("all", "d"),
	                              ("star", "e"), ("rest", "e"), ("all", "e")]),
	      "nor an unsubscribed wildcard")
	many.close()
	send(port(), "/topic/dev.501.cmd", "f")
	check(got(wild, 3) == [("all", "f"), ("rest", "f"), ("star", "f")],
	      "a closed connection takes its thousand with it")
	EOF
'

test_expect_success 'queue messages wait for a consumer that comes later' '
	stomp_py <<-\EOF
	from tstomp import *
	for i in range(5):
	    send(port(), "/queue/later", "m%d" % i)
	c = client()
	c.conn.subscribe("/queue/later", id="1")
	check(c.wait_bodies(5) == ["m%d" % i for i in range(5)], "in order")
	EOF
'

test_expect_success 'competing consumers share a queue, each message once' '
	stomp_py <<-\EOF
	from tstomp import *
	a, b = client(), client()
	for c in (a, b):
	    c.conn.subscribe("/queue/shared", id="1", headers={"activemq.prefetchSize": "1"}, ack="client-individual")
	    c.sync()
	p = client()
	for i in range(20):
	    send_on(p, "/queue/shared", "m%d" % i)
	got = []
	import time
	deadline = time.monotonic() + 15
	while len(got) < 20 and time.monotonic() < deadline:
	    for c in (a, b):
	        with c.cond:
	            ms, c.messages = c.messages, []
	        for m in ms:
	            got.append((c, m.body))
	            c.conn.ack(m.headers["ack"])
	    time.sleep(0.01)
	bodies = sorted(b for _, b in got)
	check(bodies == sorted("m%d" % i for i in range(20)), "each once: %r" % bodies)
	check(any(c is a for c, _ in got) and any(c is b for c, _ in got), "both consumers served")
	EOF
'

test_expect_success 'heart-beats are negotiated and sent' '
	stomp_py <<-\EOF
	from tstomp import *
	import socket, time
	s = socket.create_connection(("127.0.0.1", port()), timeout=10)
	s.sendall(b"CONNECT\naccept-version:1.2\nhost:x\nheart-beat:0,200\n\n\0")
	data = b""
	while b"\0" not in data:
	    data += s.recv(4096)
	check(b"heart-beat:" in data, data)
	hb = data.split(b"heart-beat:")[1].split(b"\n")[0]
	check(hb.split(b",")[0] != b"0", "the broker offers to send heart-beats: %r" % hb)
	rest = data.split(b"\0", 1)[1]
	while b"\n" not in rest:
	    rest += s.recv(4096)
	check(b"\n" in rest, "an EOL heart-beat arrived")
	s.close()
	EOF
'

test_expect_success 'a client that stops sending heart-beats is disconnected' '
	stomp_py <<-\EOF &&
	from tstomp import *
	import socket
	s = socket.create_connection(("127.0.0.1", port()), timeout=20)
	s.sendall(b"CONNECT\naccept-version:1.2\nhost:x\nheart-beat:200,0\n\n\0")
	data = b""
	while True:
	    chunk = s.recv(4096)
	    if not chunk:
	        break
	    data += chunk
	check(data.startswith(b"CONNECTED"), data)
	EOF
	log_contains node1 "heart-beat\|inactiv"
'

test_expect_success 'RECEIPT answers any frame that asks for one' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/r", id="7", receipt="sub-r")
	c.wait_receipt("sub-r")
	c.conn.unsubscribe(id="7", receipt="unsub-r")
	c.wait_receipt("unsub-r")
	c.conn.begin(transaction="t1", receipt="begin-r")
	c.wait_receipt("begin-r")
	EOF
'

test_expect_success 'a backlog larger than a connection'"'"'s output buffer is delivered whole' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	body = "b" * 4096
	for i in range(1500):   # 6 MB: several times the 1 MB output mark
	    p.conn.send("/queue/big.backlog", "%d %s" % (i, body))
	p.sync()
	c = client()
	c.conn.subscribe("/queue/big.backlog", id="1")
	got = [m.body.split()[0] for m in c.wait(1500, timeout=60)]
	check(got == [str(i) for i in range(1500)], "all, in order")
	EOF
'

test_done
