#!/bin/sh
# A bridge this broker dials reads here only what its networkConnector's
# userName may read, as ActiveMQ's DemandForwardingBridge logs in at its
# own broker with that userName and password and its AuthorizationBroker
# refuses the bridge's consumers of what that user may not read. Without
# this, a client of the remote broker (or the remote itself) read any
# queue here by consuming it there: the bridge followed the remote's
# advisories with every right. The refusal is said once per destination
# and shown in the bridge's management object (DemandRefused). A bridge
# whose own login is not valid here does not start, as ActiveMQ's does
# not. The OpenWire bridge to ActiveMQ: t/80-network-activemq-out-authz.t.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
SECURITY='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="app" password="b" groups="users"/>
  <authenticationUser username="bridge" password="d" groups="bridges"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="users" write="users" admin="users"/>
  <authorizationEntry queue="shared.>" read="users,bridges" write="users" admin="users,bridges"/>
  <authorizationEntry queue="made.>" read="users,bridges" write="users" admin="users"/>
  <authorizationEntry queue="tstomp.>" read="*" write="*" admin="*"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>'
# bridge_to NAME PORT [ATTRS]: a networkConnector NAME to 127.0.0.1:PORT.
bridge_to() {
	echo "<networkConnector name=\"$1\" uri=\"static:(tcp://127.0.0.1:$2)\" $3/>"
}
# a has the authorizationPlugin and dials b, which has none: the bridge
# user may read shared.>, not secret.
mkdir -p a b && free_port >a/port && free_port >b/port &&
BROKER_EXTRA="$SECURITY<networkConnectors>$(bridge_to net "$(cat b/port)" \
	'userName="bridge" password="d"')</networkConnectors>" broker_config a &&
broker_config b && start_broker b && start_broker a || exit 1
log_waits_for a "Network connection between a and b" || exit 1

test_expect_success 'a consumer on b of a queue the bridge user may not read on a does not get its messages; one it may read does' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import *
	from tbridgereads import secret_stays_here
	secret_stays_here(port(), "a", "b")
	EOF
'

test_expect_success 'the refusal is said once per destination, however often the remote asks again, and naming the user' '
	log_contains a "Bridge tcp://127.0.0.1:$(broker_port b): not forwarding queue://secret to b: User bridge is not authorized to read from: queue://secret" &&
	PORT=$(broker_port b) stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import until, log_has
	for i in range(3):
	    far = client()
	    far.conn.subscribe("/queue/secret", id="1", ack="auto")
	    far.sync()
	    far.close()
	# Advisories reach a in order: once shared.again is forwarded, the
	# demand for secret before it has been seen.
	far = client()
	far.conn.subscribe("/queue/secret", id="1", ack="auto")
	far.conn.subscribe("/queue/shared.again", id="2", ack="auto")
	until("demand for shared.again reached a",
	      lambda: log_has("a", "consumer(s) of queue://shared.again on b: forwarding"))
	EOF
	test "$(grep -c "not forwarding queue://secret" a/log)" = 1 &&
	test "$(grep -c "not authorized to read from: queue://secret" a/log)" = 1
'

test_expect_success 'management: the bridge shows what it may not forward (DemandRefused) beside what it forwards (Demand)' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	far = client()
	far.conn.subscribe("/queue/secret", id="1", ack="auto")
	far.conn.subscribe("/queue/shared.q", id="2", ack="auto")
	far.sync()
	m = Mgmt(mport("a"))
	m.ok({"type": "login", "user": "app", "password": "b"})
	names = m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,brokerName=a,connector=networkConnectors,networkConnectorName=net,networkBridge=*"})
	check(len(names) == 1, names)
	until("the bridge shows secret refused and shared.q forwarded",
	      lambda: m.read(names[0], "DemandRefused") == "queue://secret" and
	      "queue://shared.q" in m.read(names[0], "Demand").split(","))
	check("secret" not in m.read(names[0], "Demand"), m.read(names[0]))
	EOF
'

# As in ActiveMQ, a bridge's user needs admin to make a destination by
# consuming it; made here by someone else, it is forwarded, though the
# remote says nothing new then.
test_expect_success 'a queue the bridge user may read but not create is forwarded once a producer here has made it' '
	PORT=$(broker_port b) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import until, log_has
	far = client()
	far.conn.subscribe("/queue/made.q", id="1", ack="auto")
	far.sync()
	until("a refused to create made.q for the bridge",
	      lambda: log_has("a", "not forwarding queue://made.q to b: User bridge is not authorized to create: queue://made.q"))
	app = client(port("a"), login="app", passcode="b")
	send_on(app, "/queue/made.q", "m1", headers={"persistent": "true"})
	check(far.wait_bodies(1) == ["m1"], "made.q crossed once it existed")
	EOF
'

test_expect_success 'a bridge whose own login is not valid here (no userName, a wrong password) does not start, and says why' '
	mkdir -p c && free_port >c/port &&
	BROKER_EXTRA="$SECURITY<networkConnectors>$(bridge_to nologin "$(broker_port b)")
	  $(bridge_to badpass "$(broker_port b)" "userName=\"bridge\" password=\"wrong\"")
	  </networkConnectors>" broker_config c &&
	start_broker c &&
	log_waits_for c "networkConnector nologin.*has no userName" &&
	log_waits_for c "networkConnector badpass.*User name \[bridge\] or password is invalid" &&
	PORT=$(broker_port c) stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	m = Mgmt(mport("c"))
	m.ok({"type": "login", "user": "app", "password": "b"})
	names = m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,brokerName=c,connector=networkConnectors,networkConnectorName=*,networkBridge=*"})
	check(len(names) == 2, names)
	for n in names:
	    br = m.read(n)
	    check(br["State"] == "backing off" and "not valid here" in br["LastError"], br)
	EOF
	! grep -q "Network connection between c and b" c/log
'

# d first runs without authorization: its bridge to b keeps a network
# durable subscription of secret.news for a durable subscriber on b. With
# the authorizationPlugin, whose bridge user may not read that topic,
# the subscription would keep what is published on d for ever, never to
# be forwarded: it is removed.
test_expect_success 'a network durable subscription of a topic the bridge user may not read (made before authorization) is removed' '
	mkdir -p d && free_port >d/port &&
	NET="<networkConnectors>$(bridge_to net "$(broker_port b)" "userName=\"bridge\" password=\"d\"")</networkConnectors>" &&
	BROKER_EXTRA=$NET broker_config d && start_broker d &&
	log_waits_for d "Network connection between d and b" &&
	PORT=$(broker_port b) stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import until, log_has
	c = client(headers={"client-id": "reader"})
	c.conn.subscribe("/topic/secret.news", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "sub"})
	c.sync()
	until("d keeps a network durable subscription",
	      lambda: log_has("d", "durable subscription(s) of topic://secret.news on b: keeping"))
	c.close()
	EOF
	stop_broker d &&
	BROKER_EXTRA="$SECURITY$NET" broker_config d && start_broker d &&
	log_waits_for d "Bridge tcp://127.0.0.1:$(broker_port b): its user may not read topic://secret.news here: its network durable subscription for b is removed" &&
	log_contains d "not forwarding topic://secret.news to b: User bridge is not authorized to read from: topic://secret.news" &&
	log_contains d "Removed durable subscription tandem-bridge:net:tcp://127.0.0.1:$(broker_port b):secret.news"
'

test_done
