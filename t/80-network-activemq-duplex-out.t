#!/bin/sh
# Tandem's own networkConnector with duplex="true" dials an ActiveMQ 5.17
# that has no networkConnector (issue 22): Tandem's BrokerInfo says
# duplexConnection, ActiveMQ starts the responder end of a duplex bridge
# on that connection, and Tandem serves it there (its ConnectionInfo,
# SessionInfo, ConsumerInfo on the consumer advisories, the messages it
# forwards), so messages flow both ways over the one connection, once
# each, and the network flows show both directions.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: OpenWire on $APORT, STOMP on $APORT + 1; no networkConnector.
APORT=$(free_port 2) && amq --start "$TRASH/amq" amq "$APORT" || exit 1
export APORT
MGMT_PORT=auto
BROKER_EXTRA="<networkConnectors><networkConnector name=\"dup\" duplex=\"true\"
	  uri=\"static:(tcp://127.0.0.1:$APORT?protocol=openwire)\"/></networkConnectors>" \
	broker_config t || exit 1

test_expect_success 't'"'"'s duplex bridge to ActiveMQ comes up, and ActiveMQ starts the responder end of it on that connection' '
	start_broker t &&
	log_waits_for t "Network connection between t and amq (127.0.0.1:$APORT, ActiveMQ over OpenWire) has been established" &&
	for i in $(seq 300); do
		grep -q "Started responder end of duplex bridge" amq/log && break
		sleep 0.1
	done &&
	grep "Started responder end of duplex bridge" amq/log &&
	! grep -q "duplex=\"true\" toward an ActiveMQ broker is not served" t/log
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

test_expect_success 'management: one bridge (networkConnectors, not made by duplex), its flows with amq both ways' '
	M=127.0.0.1:$(broker_mgmt_port t) &&
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=networkConnectors,networkConnectorName=dup,*" >bridges.json &&
	json_true "[(a[\"RemoteBrokerName\"], a[\"CreatedByDuplex\"], a[\"State\"]) for a in (r[\"attributes\"] for r in rows) if \"CreatedByDuplex\" in a] == [(\"amq\", False, \"active\")]" bridges.json &&
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=networkConnectors,networkBridge=amq,*" >flows.json &&
	json_true "(lambda d: d.get((\"inbound\", \"to.t\"), 0) >= 50 and d.get((\"outbound\", \"to.amq\"), 0) >= 50)({(a[\"Direction\"], a[\"DestinationName\"]): a[\"Count\"] for a in (r[\"attributes\"] for r in rows) if \"Direction\" in a})" flows.json &&
	ctl --node $M network >network.out &&
	cat network.out &&
	grep -q "amq (ActiveMQ)" network.out
'

test_done
