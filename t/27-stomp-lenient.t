#!/bin/sh
# What STOMP clients written against ActiveMQ send and rely on (issue 18,
# points 7, 9, 10 and 13), on the auto-detecting tcp:// connector and on
# stomp:// alike: 1.0 header values are trimmed, 1.0 UNSUBSCRIBE by
# destination, a stray NUL before a command, a command with a trailing
# space, a header line without ':', heart-beats on 1.0 connections; and
# what ActiveMQ refuses: a 1.2 ACK without its id. Raw bytes where no
# client library sends the case (t/lib/tframes.py).
. "$(dirname "$0")/test-lib.sh"

broker_config node1 && start_broker node1 || exit 1
TP=$(broker_port node1)
SP=$(broker_stomp_port node1)

py() {
	PORT=$TP STOMP_PORT=$SP TRASH=$TRASH "$PYTHON" - "$@"
}

test_expect_success 'STOMP 1.0: "persistent: true", "destination: /queue/x" and "receipt: r" are trimmed as ActiveMQ does' '
	py <<-\EOF
	from tframes import *
	for p in ports():
	    s = Raw(p, b"CONNECT\nlogin: \n\n\0")
	    check(s.connected.headers.get("version") == "1.0", s.connected)
	    # receipt-id without the space
	    s.receipted(b"SEND\ndestination:/queue/lenient.p%d\npersistent: true\n"
	                b"receipt: r%d\n\nfirst\0" % (p, p), "r%d" % p)
	    s.receipted(b"SEND\ndestination: /queue/lenient.p%d\npersistent:true \n"
	                b"receipt:\ts%d \n\nsecond\0" % (p, p), "s%d" % p)
	    s.close()
	EOF
'

test_expect_success 'STOMP 1.2: "persistent: true " is persistent too (no message lost for a blank)' '
	py <<-\EOF
	from tstomp import *
	from tframes import ports
	for p in ports():
	    send(p, "/queue/lenient.p12.%d" % p, "third", headers={"persistent": " true "})
	EOF
'

test_expect_success 'those messages were stored as persistent: they are there after a restart' '
	stop_broker node1 && start_broker node1 &&
	py <<-\EOF
	from tframes import *
	from tstomp import client
	for p in ports():
	    s = Raw(p, b"CONNECT\n\n\0")
	    s.send(b"SUBSCRIBE\ndestination:/queue/lenient.p%d\nid:s1\nack:client\n\n\0" % p)
	    for body in (b"first", b"second"):
	        m = s.expect("MESSAGE")
	        check(m.body == body and m.headers.get("persistent") == "true", m)
	    # ack:client acks both; the message-id is trimmed too
	    s.receipted(b"ACK\nmessage-id: %s \nreceipt:a\n\n\0" % m.headers["message-id"].encode(), "a")
	    s.close()
	    c = client(p)
	    c.conn.subscribe("/queue/lenient.p12.%d" % p, id="1")
	    m = c.wait(1)[0]
	    check(m.body == "third" and m.headers.get("persistent") == "true", "%r" % m.headers)
	    c.close()
	EOF
'

test_expect_success 'STOMP 1.1 and 1.2 header values keep their spaces (no trimming there)' '
	py <<-\EOF
	from tstomp import *
	from tframes import ports
	for p in ports():
	    for v in ("1.1", "1.2"):
	        q = "/queue/lenient.spaces%d.%s" % (p, v)
	        c = client(p, version=v)
	        c.conn.subscribe(q, id="1")
	        c.sync()
	        send(p, q, "x", headers={"note": " padded "}, version=v)
	        m = c.wait(1)[0]
	        check(m.headers.get("note") == " padded ", "%s: %r" % (v, m.headers))
	        c.close()
	EOF
'

test_expect_success 'STOMP 1.0: UNSUBSCRIBE by destination ends a subscription made with an id' '
	py <<-\EOF
	from tframes import *
	from tstomp import client
	for p in ports():
	    q = b"/queue/lenient.unsub%d" % p
	    s = Raw(p, b"CONNECT\n\n\0")
	    s.receipted(b"SUBSCRIBE\ndestination: %s\nid: sub-1\nreceipt:s\n\n\0" % q, "s")
	    s.receipted(b"UNSUBSCRIBE\ndestination:%s \nreceipt:u\n\n\0" % q, "u")
	    # Were it still subscribed, the message would come before the receipt.
	    s.receipted(b"SEND\ndestination:%s\nreceipt:m\n\nafter\0" % q, "m")
	    s.close()
	    c = client(p)
	    c.conn.subscribe(q.decode(), id="1")
	    check(c.wait_bodies(1) == ["after"], "the message stayed on the queue")
	    c.close()
	EOF
'

test_expect_success 'a stray NUL before a command and blanks after it are skipped, on the first frame too' '
	py <<-\EOF
	from tframes import *
	cases = [  # CONNECT, a SEND, a DISCONNECT, each asking for a receipt
	    (b"\0CONNECT\naccept-version:1.2\n\n\0", b"\0\0SEND", b"\0\nDISCONNECT"),
	    (b"CONNECT \naccept-version:1.2\n\n\0", b"SEND \t\r", b" DISCONNECT\t"),
	]
	for p in ports():
	    for connect, send, disconnect in cases:
	        s = Raw(p, connect)
	        s.receipted(send + b"\ndestination:/queue/lenient.cmd\nreceipt:a\n\nx\0\0", "a")
	        s.receipted(disconnect + b"\nreceipt:d\n\n\0", "d")
	        s.close()
	EOF
'

test_expect_success 'a header line without a colon is a header with an empty value' '
	py <<-\EOF
	from tframes import *
	from tstomp import client
	for p in ports():
	    q = "/queue/lenient.nocolon%d" % p
	    s = Raw(p, b"CONNECT\naccept-version:1.2\n\n\0")
	    s.receipted(b"SEND\ndestination:%s\njunk\nreceipt:a\n\nbody\0" % q.encode(), "a")
	    s.close()
	    c = client(p)
	    c.conn.subscribe(q, id="1")
	    m = c.wait(1)[0]
	    check(m.body == "body" and m.headers.get("junk") == "", "%r" % m.headers)
	    c.close()
	EOF
'

test_expect_success 'a NACK on an auto-ack subscription is refused as an unexpected NACK' '
	py <<-\EOF
	from tstomp import *
	from tframes import ports
	for p in ports():
	    q = "/queue/lenient.nack%d" % p
	    c = client(p, version="1.1")
	    c.conn.subscribe(q, id="1", ack="auto")
	    c.sync()
	    send(p, q, "x")
	    m = c.wait(1)[0]
	    c.conn.nack(m.headers["message-id"], "1")
	    e = c.wait_error()
	    check(e.headers.get("message") == "Unexpected NACK", "%r %r" % (e.headers, e.body))
	    check("NACK" in e.body and "ACK received" not in e.body.replace("NACK", ""), e.body)
	    c.close()
	EOF
'

test_expect_success 'STOMP 1.0: heart-beats are negotiated and sent, as ActiveMQ does' '
	py <<-\EOF
	from tframes import *
	for p in ports():
	    s = Raw(p, b"CONNECT\nheart-beat: 0,200\n\n\0")
	    h = s.connected.headers
	    check(h.get("version") == "1.0", h)
	    check(h.get("heart-beat", "0,0").split(",")[0] not in ("", "0"),
	          "the broker offers to send heart-beats: %r" % h)
	    check(s.heartbeats(2), "EOL heart-beats arrived")
	    s.close()
	EOF
'

test_expect_success 'STOMP 1.0: a client silent past its heart-beat is disconnected' '
	py <<-\EOF
	from tframes import *
	for p in ports():
	    s = Raw(p, b"CONNECT\nheart-beat:200,0\n\n\0")
	    check(s.closed_by_broker(), "closed for silence")
	EOF
'

test_expect_success 'STOMP 1.2: an ACK that names message-id instead of id is refused and acks nothing' '
	py <<-\EOF
	from tstomp import *
	from tframes import ports
	for p in ports():
	    q = "/queue/lenient.ack12.%d" % p
	    c = client(p)
	    c.conn.subscribe(q, id="1", ack="client-individual")
	    c.sync()
	    send(p, q, "x")
	    m = c.wait(1)[0]
	    c.conn.send_frame("ACK", {"message-id": m.headers["message-id"], "subscription": "1"})
	    e = c.wait_error()
	    check("id" in e.headers.get("message", "") + e.body, "%r %r" % (e.headers, e.body))
	    try:
	        c.conn.disconnect()
	    except OSError:
	        pass    # the ERROR closed it already
	    d = client(p)
	    d.conn.subscribe(q, id="1")
	    m = d.wait(1)[0]
	    check(m.body == "x" and m.headers.get("redelivered") == "true", "%r" % m.headers)
	    d.close()
	EOF
'

test_done
