#!/bin/sh
# A network bridge is known by its login, not by its word: a client that
# says it is another broker's bridge (STOMP's tandem-network-bridge
# header, OpenWire's BrokerInfo with networkConnection) gets no right its
# user does not have, as in ActiveMQ, whose AuthorizationBroker asks the
# same ACLs of a network connection as of any other. A duplex bridge made
# over such a connection forwards only what that user may read (ActiveMQ's
# duplex responder logs in locally with the remote's credentials).
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
BROKER_EXTRA='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="a" groups="admins"/>
  <authenticationUser username="guest" password="c" groups="guests"/>
  <authenticationUser username="bridge" password="d" groups="bridges"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="open.>" read="guests,admins" write="guests,admins,bridges" admin="guests,admins"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="admins" write="admins" admin="admins"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>'
broker_config t && start_broker t || exit 1

cat >claim.py <<'PYEOF'
import socket
from tstomp import *

def frames(sock, buf=b""):
    """STOMP frames read from sock, as (command, headers, body), forever."""
    while True:
        while b"\0" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buf += chunk
        raw, buf = buf.split(b"\0", 1)
        raw = raw.lstrip(b"\r\n")
        head, _, body = raw.partition(b"\n\n")
        lines = head.decode().split("\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k, v)
        yield lines[0], headers, body

def put(sock, command, headers, body=b""):
    head = "".join("%s:%s\n" % kv for kv in headers.items())
    sock.sendall(("%s\n%s\n" % (command, head)).encode() + body + b"\0")
PYEOF

test_expect_success 'STOMP: a client saying it is a bridge (tandem-network-bridge) may not read the advisories its user may not' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from tstomp import *
	c = client(login="guest", passcode="c",
	           headers={"tandem-network-bridge": "evil", "tandem-broker-id": "ID:evil"})
	c.conn.subscribe("/topic/ActiveMQ.Advisory.Consumer.>", id="1", ack="auto")
	e = c.wait_error()
	text = e.headers.get("message", "") + " " + e.body
	check("User guest is not authorized to read from: topic://ActiveMQ.Advisory.Consumer.>" in text, text)
	EOF
'

test_expect_success 'OpenWire: a client whose BrokerInfo says networkConnection may not read the advisories its user may not' '
	jms_compile JmsNetClaim.java &&
	java -cp "$TRASH/jms:$JAVA_CP" JmsNetClaim \
		"tcp://127.0.0.1:$(broker_port t)?jms.watchTopicAdvisories=false" guest c \
		"ActiveMQ.Advisory.Consumer.>" >claim.out 2>&1 </dev/null &&
	cat claim.out &&
	grep -q "refused: User guest is not authorized to read from: topic://ActiveMQ.Advisory.Consumer.>" claim.out
'

test_expect_success 'STOMP: a client saying it is a bridge may not take a client-id another connection holds' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	v = client(login="admin", passcode="a", headers={"client-id": "victim"})
	got = raw(port(), b"CONNECT\nlogin:guest\npasscode:c\nclient-id:victim\n"
	                  b"tandem-network-bridge:evil\n\n\0").decode()
	check(got.startswith("ERROR\n") and "javax.jms.InvalidClientIDException" in got, got)
	v.sync()
	EOF
'

test_expect_success 'STOMP: a message id sent first by a client of another login does not get a bridge'"'"'s message dropped as a resend' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	admin = client(login="admin", passcode="a")
	admin.conn.subscribe("/queue/open.ids", id="1", ack="auto")
	admin.sync()
	bridge = {"tandem-network-bridge": "real", "tandem-broker-id": "ID:real"}
	forger = client(login="guest", passcode="c", headers=bridge)
	send_on(forger, "/queue/open.ids", "forged", headers={"tandem-message-id": "ID:real-1"})
	real = client(login="bridge", passcode="d", headers=bridge)
	send_on(real, "/queue/open.ids", "real", headers={"tandem-message-id": "ID:real-1"})
	send_on(real, "/queue/open.ids", "real, resent", headers={"tandem-message-id": "ID:real-1"})
	send_on(real, "/queue/open.ids", "next", headers={"tandem-message-id": "ID:real-2"})
	check(admin.wait_bodies(3) == ["forged", "real", "next"], [m.body for m in admin.messages])
	EOF
'

# OpenWire's bridges are audited by MessageId (producer_audit.h) per
# login, as STOMP's are (above): a client of another login that says it is
# a bridge cannot get a real bridge's next message dropped, and the real
# bridge's resend is still dropped.
test_expect_success 'OpenWire: a MessageId sent first by a client of another login claiming to be a bridge does not get a bridge'"'"'s message dropped' '
	jms_compile JmsNetPeer.java JmsForge.java &&
	JAVA_CP=$JAVA_CP PORT=$(broker_port t) stomp_py <<-\EOF
	import os, subprocess
	from tstomp import *
	c = client(login="admin", passcode="a")
	c.conn.subscribe("/queue/open.forge", id="1", ack="auto")  # creates it
	c.sync()
	out = subprocess.run(["java", "-cp", os.environ["TRASH"] + "/jms:" + os.environ["JAVA_CP"],
	                      "JmsForge", "tcp://127.0.0.1:%d?jms.watchTopicAdvisories=false" % port(),
	                      "open.forge", "bridge:bridge:d", "bridge:guest:c"],
	                     stdin=subprocess.DEVNULL, capture_output=True, text=True).stdout
	check(out.strip() == "sent", out)
	got = sorted(m.body for m in c.wait(3))
	check(got == ["forged", "v1", "v2"], got)
	c.sync()
	check(not c.messages, "the resend was taken: %r" % [m.body for m in c.messages])
	EOF
'

test_expect_success 'a duplex bridge asked for by a client forwards only what its user may read' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from claim import *
	from tmgmt import until, log_has
	admin = client(login="admin", passcode="a")
	send_on(admin, "/queue/secret.q", "secret", headers={"persistent": "true"})
	send_on(admin, "/queue/open.q", "open", headers={"persistent": "true"})
	s = socket.create_connection(("127.0.0.1", port()), timeout=WAIT)
	put(s, "CONNECT", {"accept-version": "1.2", "login": "guest", "passcode": "c",
	                   "tandem-network-bridge": "evil", "tandem-duplex": "dx"})
	got = {}
	refusal = "User guest is not authorized to read from: queue://secret.q"
	for command, h, body in frames(s):
	    if command == "CONNECT":  # the duplex bridge made for "evil"
	        put(s, "CONNECTED", {"version": "1.2", "tandem-broker": "evil",
	                             "tandem-broker-id": "ID:evil", "heart-beat": "0,0"})
	    elif command == "SUBSCRIBE":  # its advisory consumer: demand for both
	        for q in ("secret.q", "open.q"):
	            put(s, "MESSAGE", {"destination": "/topic/ActiveMQ.Advisory.Consumer.Queue." + q,
	                               "subscription": h["id"], "message-id": "adv-" + q,
	                               "consumerCount": "1"})
	    elif command == "SEND":
	        got[h["destination"]] = body
	        if "receipt" in h:
	            put(s, "RECEIPT", {"receipt-id": h["receipt"]})
	        if "/queue/secret.q" in got or ("/queue/open.q" in got and log_has("t", refusal)):
	            break
	check("/queue/secret.q" not in got, "secret.q was forwarded to the client: %r" % got)
	check(got.get("/queue/open.q") == b"open", "open.q forwarded: %r" % got)
	s.close()
	admin.conn.subscribe("/queue/secret.q", id="1", ack="auto")
	check(admin.wait_bodies(1) == ["secret"], "secret.q still holds its message")
	EOF
'

test_done
