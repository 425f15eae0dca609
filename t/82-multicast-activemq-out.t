#!/bin/sh
# Multicast discovery of an ActiveMQ broker (issue 22): Debian's activemq
# 5.17 advertises its OpenWire connector on multicast://default, Tandem's
# networkConnector uri="multicast://default" hears it, dials it, finds it
# answering in OpenWire and forwards to its consumers.
#
# Multicast only travels inside the network namespaces made here: "hosts"
# A (Tandem) and B (ActiveMQ) joined by a veth pair with a multicast route
# on it. Nothing is sent on the host's own interfaces.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

NS_A=tandem$$a NS_B=tandem$$b
ADDR_A=10.202.0.1 ADDR_B=10.202.0.2

netns_add $NS_A $NS_B
netns_multicast_link $NS_A $ADDR_A $NS_B $ADDR_B

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup ip netns exec $NS_B "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup; netns_cleanup' EXIT

# Each namespace has its own ports: fixed ones.
APORT=61613 DPORT=61616
export APORT
AMQ_CONNECTORS="<transportConnector name=\"advertised\" uri=\"tcp://$ADDR_B:$DPORT\"
	discoveryUri=\"multicast://default\"/>" amq --start "$TRASH/amq" "$APORT" || exit 1

netns_tandemd $NS_A t &&
echo 61616 >t/port && echo 61617 >t/stomp_port &&
BROKER_EXTRA="<networkConnectors><networkConnector name=\"disc\" uri=\"multicast://default\"/>
	</networkConnectors>" broker_config t &&
TANDEMD=$TRASH/t/tandemd launch_broker t && log_waits_for t "Tandem broker t started" || exit 1

test_expect_success 'Tandem hears ActiveMQ'"'"'s advertisement, dials it and speaks OpenWire to it' '
	for i in $(seq 20); do
		grep -q "has been established" t/log && break
		sleep 1
	done &&
	log_contains t "tcp://$ADDR_B:$DPORT: .* answered in OpenWire: an ActiveMQ broker" &&
	log_contains t "Network connection between t and amq ($ADDR_B:$DPORT, ActiveMQ over OpenWire) has been established"
'

test_expect_success 'a STOMP producer on Tandem reaches a consumer on the ActiveMQ it discovered' '
	rm -f ready &&
	{ ip netns exec $NS_B "$PYTHON" - >got 2>&1 <<-\EOF &
	import os
	from tstomp import *
	c = client(int(os.environ["APORT"]))
	c.conn.subscribe("/queue/disc.q", id="1", ack="auto")
	c.sync()
	open("ready", "w").close()
	got = [m.body for m in c.wait(20, timeout=30)]
	check(got == ["m%d" % i for i in range(20)], got)
	print("all 20")
	EOF
	} &&
	for i in $(seq 100); do [ -f ready ] && break; sleep 0.1; done &&
	log_waits_for t "consumer(s) of queue://disc.q on amq: forwarding" &&
	ip netns exec $NS_A "$PYTHON" - <<-\EOF &&
	from tstomp import *
	p = client(61616)
	for i in range(20):
	    p.conn.send("/queue/disc.q", "m%d" % i, headers={"persistent": "true"})
	p.sync()
	EOF
	wait &&
	grep -qx "all 20" got
'

test_done
