#!/bin/sh
# A duplex bridge's way back has the rights of a login: with an
# authorizationPlugin, a STOMP client that logs in and asks for a duplex
# bridge (the tandem-duplex CONNECT header of a Tandem's duplex
# networkConnector) gets this broker's bridge over its connection, but
# that bridge consumes here only the queues its user may read, so a
# client cannot read a queue through it that it could not consume itself.
# The other way, what the remote sends back over a duplex connection this
# broker dialled has the rights of the networkConnector's own userName,
# as ActiveMQ's duplex bridge logs in locally with it, whatever login the
# remote claims.
. "$(dirname "$0")/test-lib.sh"

PLUGINS='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="peer" password="pw" groups="bridges"/>
  <authenticationUser username="admin" password="pw" groups="admins"/>
</users></simpleAuthenticationPlugin>
<authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="shared.>" read="admins,bridges" write="admins,bridges" admin="admins,bridges"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
</authorizationEntries></authorizationMap></map></authorizationPlugin></plugins>'
BROKER_EXTRA=$PLUGINS broker_config t && start_broker t || exit 1

test_expect_success 'a client that says it is a duplex peer gets a bridge back that forwards only the queues its user may read' '
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	import time
	from tstomp import *
	from tframes import Raw
	a = client(login="admin", passcode="pw")
	for q in ("secret.q", "shared.q"):
	    for i in range(3):
	        send_on(a, "/queue/" + q, "%s %d" % (q, i), headers={"persistent": "true"})
	s = Raw(port())
	s.send(b"CONNECT\naccept-version:1.2\nlogin:peer\npasscode:pw\n"
	       b"tandem-network-bridge:fake\ntandem-duplex:dup\n\n\0")
	s.expect("CONNECT")    # this broker'"'"'s bridge back, as a client
	s.send(b"CONNECTED\nversion:1.2\ntandem-broker:fake\ntandem-broker-id:ID:fake-1\n\n\0")
	s.expect("SUBSCRIBE")  # the advisories: the fake peer'"'"'s demand
	for q in ("secret.q", "shared.q"):
	    s.send(("MESSAGE\ndestination:/topic/ActiveMQ.Advisory.Consumer.Queue.%s\n"
	            "consumerCount:1\nsubscription:advisories\nmessage-id:adv-%s\n\n\0"
	            % (q, q)).encode())
	got, deadline = [], time.monotonic() + 5
	s.sock.settimeout(1)
	while time.monotonic() < deadline:
	    f = s.frame()
	    if f is None:
	        continue
	    if f.command == "SEND":
	        got.append((f.headers["destination"], f.body.decode()))
	        if "receipt" in f.headers:
	            s.send(("RECEIPT\nreceipt-id:%s\n\n\0" % f.headers["receipt"]).encode())
	check(sorted(got) == [("/queue/shared.q", "shared.q %d" % i) for i in range(3)], got)
	EOF
	log_contains t "not forwarding queue://secret.q to fake: User peer is not authorized to read"
'

# The remote of a's duplex networkConnector, played by a script: it
# answers a's bridge, then, on the duplex connection a dials, connects
# back as its bridge claiming the admin login, and sends to a queue the
# connector's user (peer) may write and to one it may not.
test_expect_success 'what the remote sends back over a duplex connection this broker dialled has the connector'"'"'s userName'"'"'s rights only' '
	mkdir -p a && free_port >fake.port &&
	{ FAKE_PORT=$(cat fake.port) stomp_py >fake.out 2>&1 <<-\EOF &
	import os, socket
	from tstomp import *
	from tframes import Raw
	srv = socket.socket()
	srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	srv.bind(("127.0.0.1", int(os.environ["FAKE_PORT"])))
	srv.listen(4)
	srv.settimeout(WAIT)
	open("fake.ready", "w").close()
	def accept():
	    r = Raw.__new__(Raw)
	    r.sock, r.data, r.beats, r.closed = srv.accept()[0], b"", 0, False
	    r.sock.settimeout(WAIT)
	    return r
	connected = (b"CONNECTED\nversion:1.2\ntandem-broker:fake\n"
	             b"tandem-broker-id:ID:fake-remote\nheart-beat:0,0\n\n\0")
	bridge = accept()
	bridge.expect("CONNECT")
	bridge.send(connected)
	duplex = accept()
	check("tandem-duplex" in duplex.expect("CONNECT").headers, "the duplex CONNECT")
	duplex.send(b"CONNECT\naccept-version:1.2\nlogin:admin\npasscode:wrong\n"
	            b"tandem-network-bridge:fake\ntandem-broker-id:ID:fake-remote\n\n\0")
	duplex.expect("CONNECTED")
	duplex.receipted(b"SEND\ndestination:/queue/shared.back\ntandem-message-id:ID:fake-remote-1:1\n"
	                 b"receipt:r1\n\nallowed\0", "r1")
	duplex.send(b"SEND\ndestination:/queue/secret.back\ntandem-message-id:ID:fake-remote-1:2\n"
	            b"receipt:r2\n\nrefused\0")
	f = duplex.frame()
	print("secret.back: %s %s" % (f.command if f else "closed",
	                              f.headers.get("message", "") if f else ""))
	EOF
	} &&
	for i in $(seq 300); do [ -f fake.ready ] && break; sleep 0.1; done &&
	BROKER_EXTRA="$PLUGINS<networkConnectors><networkConnector name=\"dx\" duplex=\"true\"
	  uri=\"static:(tcp://127.0.0.1:$(cat fake.port))\" userName=\"peer\" password=\"pw\"/>
	  </networkConnectors>" broker_config a &&
	start_broker a &&
	for i in $(seq 300); do grep -q "secret.back" fake.out && break; sleep 0.1; done &&
	cat fake.out &&
	grep -x "secret.back: ERROR Not authorized" fake.out &&
	log_contains a "User peer is not authorized to write to: queue://secret.back" &&
	PORT=$(broker_port a) stomp_py <<-\EOF
	from tstomp import *
	c = client(login="admin", passcode="pw")
	c.conn.subscribe("/queue/shared.back", id="1", ack="auto")
	check(c.wait_bodies(1) == ["allowed"], "shared.back got its message")
	EOF
'

test_done
