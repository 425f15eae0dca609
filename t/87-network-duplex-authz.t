#!/bin/sh
# A duplex bridge's way back reads only what its user may read: with an
# authorizationPlugin, a STOMP client that logs in and asks for a duplex
# bridge (the tandem-duplex CONNECT header of a Tandem's duplex
# networkConnector) gets this broker's bridge over its connection, but
# that bridge consumes here only the queues its user may read, so a
# client cannot read a queue through it that it could not consume itself.
. "$(dirname "$0")/test-lib.sh"

BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="peer" password="pw" groups="bridges"/>
  <authenticationUser username="admin" password="pw" groups="admins"/>
</users></simpleAuthenticationPlugin>
<authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="shared.>" read="admins,bridges" write="admins,bridges" admin="admins,bridges"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
</authorizationEntries></authorizationMap></map></authorizationPlugin></plugins>' \
	broker_config t && start_broker t || exit 1

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

test_done
