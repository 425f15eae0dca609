#!/bin/sh
# An ActiveMQ 5.17 networkConnector with duplex="true" dials Tandem
# (issue 22): Tandem runs the bridge back over that same connection, as
# ActiveMQ's own dialled side does, so messages flow both ways over one
# connection, with brokerPath loop prevention, none lost, none twice, and
# the network flows show both directions. With an authorizationPlugin the
# bridge back reads only what the remote's user may read.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

APORT=$(free_port 2) || exit 1
export APORT
MGMT_PORT=auto broker_config t

# amq_start XML: ActiveMQ "amq" with that networkConnector to t; returns
# once t runs its bridge back (the log says it is established).
amq_start() {
	printf '<networkConnectors>%s</networkConnectors>\n' "$1" >"$TRASH/nc.xml"
	before=$(grep -c "Network connection between t and amq (" t/log)
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" || return 1
	for i in $(seq 600); do
		[ "$(grep -c "Network connection between t and amq (" t/log)" -gt "$before" ] &&
			return 0
		sleep 0.1
	done
	echo "no bridge back from t:"; grep -v "^\s*at " amq/log | tail -20; tail t/log
	return 1
}

duplex_nc() {
	echo "<networkConnector name=\"dup\" duplex=\"true\" $2
	  uri=\"static:(tcp://127.0.0.1:$(broker_port t))?initialReconnectDelay=200&amp;maxReconnectDelay=200&amp;useExponentialBackOff=false\"/>"
}

test_expect_success 'ActiveMQ'"'"'s duplex networkConnector dials t: t runs the bridge back over that connection, with no networkConnector of its own' '
	start_broker t &&
	amq_start "$(duplex_nc)" &&
	log_contains t "Broker amq at 127.0.0.1:[0-9]* opened a duplex bridge (networkConnector dup)" &&
	log_contains t "Network connection between t and amq (127.0.0.1:[0-9]*, ActiveMQ over OpenWire) has been established" &&
	test "$(grep -c "Network bridge from broker amq (" t/log)" = 1
'

test_expect_success 'queues both ways over the one connection: a consumer on each broker gets what the other side'"'"'s producer sends, each once and in order' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tamqnet import *
	queues_both_ways("to.amq", "to.t", 50)
	EOF
'

test_expect_success 'a topic published on either side reaches subscribers on both, once each: neither sends back what came from the other (brokerPath)' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tamqnet import *
	topic_both_ways("both", 20)
	EOF
'

test_expect_success 'management: the bridge back is a NetworkBridge made by duplex (duplexNetworkConnectors), and the flows with amq go both ways' '
	M=127.0.0.1:$(broker_mgmt_port t) &&
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=duplexNetworkConnectors,*" >bridges.json &&
	json_true "[(a[\"RemoteBrokerName\"], a[\"CreatedByDuplex\"], a[\"State\"]) for a in (r[\"attributes\"] for r in rows) if \"CreatedByDuplex\" in a] == [(\"amq\", True, \"active\")]" bridges.json &&
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=networkConnectors,networkBridge=amq,*" >flows.json &&
	json_true "(lambda d: d.get((\"inbound\", \"to.t\"), 0) >= 50 and d.get((\"outbound\", \"to.amq\"), 0) >= 50)({(a[\"Direction\"], a[\"DestinationName\"]): a[\"Count\"] for a in (r[\"attributes\"] for r in rows) if \"Direction\" in a})" flows.json &&
	ctl --node $M network >network.out &&
	cat network.out &&
	grep -q "amq" network.out
'

# t again, with users and an authorizationPlugin: the bridge's user may
# read shared.>, not secret.>.
AUTH='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="bridge" password="pw" groups="bridges"/>
  <authenticationUser username="admin" password="pw" groups="admins"/>
</users></simpleAuthenticationPlugin>
<authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="shared.>" read="admins,bridges" write="admins,bridges" admin="admins,bridges"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
</authorizationEntries></authorizationMap></map></authorizationPlugin></plugins>'

test_expect_success 'with an authorizationPlugin the bridge back reads only what the remote'"'"'s user may: a queue it may not read stays on t' '
	amq --stop "$TRASH/amq" &&
	stop_broker t &&
	BROKER_EXTRA=$AUTH MGMT_PORT=auto broker_config t &&
	start_broker t &&
	amq_start "$(duplex_nc x "userName=\"bridge\" password=\"pw\"")" &&
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	import time
	from tamqnet import *
	a = client(amq_stomp())
	a.conn.subscribe("/queue/shared.q", id="1", ack="auto")
	a.conn.subscribe("/queue/secret.q", id="2", ack="auto")
	a.sync()
	t = client(login="admin", passcode="pw")
	probe_until(t, "/queue/shared.q", lambda: a.messages)
	for i in range(5):
	    send_on(t, "/queue/secret.q", "s %d" % i, headers={"persistent": "true"})
	    send_on(t, "/queue/shared.q", "m %d" % i, headers={"persistent": "true"})
	check(bodies(a, 5) == ["m %d" % i for i in range(5)], "shared")
	time.sleep(2)
	a.sync()
	check(not [m for m in a.messages if m.body.startswith("s ")], "secret.q went out")
	mine = client(login="admin", passcode="pw")
	mine.conn.subscribe("/queue/secret.q", id="1", ack="auto")
	check([m.body for m in mine.wait(5)] == ["s %d" % i for i in range(5)], "secret.q on t")
	EOF
	log_contains t "Bridge duplex:amq@.*: not forwarding queue://secret.q to amq: User bridge is not authorized to read"
'

test_expect_success 'a client that cannot log in gets no bridge back: ActiveMQ with a wrong password' '
	amq --stop "$TRASH/amq" &&
	printf "<networkConnectors>%s</networkConnectors>\n" "$(duplex_nc x "userName=\"bridge\" password=\"wrong\"")" >"$TRASH/nc.xml" &&
	n=$(grep -c "opened a duplex bridge" t/log) &&
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" &&
	log_waits_for t "Security error: user name \[bridge\] or password is invalid" &&
	test "$(grep -c "opened a duplex bridge" t/log)" = "$n"
'

test_done
