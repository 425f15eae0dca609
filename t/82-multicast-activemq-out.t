#!/bin/sh
# Multicast discovery from ActiveMQ (issue 22): an ActiveMQ 5.17 whose
# networkConnector is multicast://default finds a Tandem master that
# advertises its connector there (discoveryUri), bridges to it, and
# forwards to its consumers.
#
# Multicast only ever travels inside network namespaces made here: "hosts"
# A (Tandem) and B (ActiveMQ) joined by a veth pair with a multicast route
# on it. Nothing is sent on the host's own interfaces.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

NS_A=tandem$$a NS_B=tandem$$b
ADDR_A=10.202.0.1 ADDR_B=10.202.0.2

netns_add $NS_A $NS_B
{
	ip link add mc0 netns $NS_A type veth peer name mc0 netns $NS_B &&
	ip -n $NS_A addr add $ADDR_A/24 dev mc0 && ip -n $NS_B addr add $ADDR_B/24 dev mc0 &&
	for ns in $NS_A $NS_B; do
		ip -n $ns link set mc0 up && ip -n $ns route add 224.0.0.0/4 dev mc0 || exit 1
	done
} 2>ns.err || skip_all "cannot wire the network namespaces: $(cat ns.err)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup; netns_cleanup' EXIT

# Each namespace has its own ports: fixed ones.
TPORT=61616 APORT=61618
netns_tandemd $NS_A t &&
echo $TPORT >t/port &&
cat >t/broker.xml <<EOF || exit 1
<beans xmlns="http://www.springframework.org/schema/beans">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="t" dataDirectory="$TRASH/t/data">
    <persistenceAdapter><kahaDB directory="$TRASH/t/data/kahadb"/></persistenceAdapter>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://0.0.0.0:$TPORT" discoveryUri="multicast://default"/>
    </transportConnectors>
  </broker>
</beans>
EOF
cat >nc.xml <<EOF
<networkConnectors>
  <networkConnector name="found" uri="multicast://default"/>
</networkConnectors>
EOF

test_expect_success 'ActiveMQ'"'"'s multicast://default networkConnector finds the Tandem master and bridges to it' '
	TANDEMD=$TRASH/t/tandemd launch_broker t &&
	log_waits_for t "Tandem broker t started" &&
	AMQ_HOST=0.0.0.0 STARTUP=$TEST_BUILD/t/bench/startup ip netns exec $NS_B "$TEST_ROOT/t/lib/amq-broker.sh" --start \
		"$TRASH/amq" amq $APORT "$TRASH/nc.xml" &&
	for i in $(seq 300); do grep -q "Network bridge from broker amq (" t/log && break; sleep 0.1; done &&
	log_contains t "Network bridge from broker amq (ID:[^)]*) connected from $ADDR_B:" &&
	grep -q "Network connection between .* and tcp:///$ADDR_A:$TPORT@[0-9]* (t) has been established" amq/log
'

test_expect_success 'a consumer on Tandem gets what is sent to ActiveMQ'"'"'s queue' '
	PORT=$TPORT ip netns exec $NS_A env APORT=$APORT AMQ=$ADDR_B TRASH=$TRASH \
		PYTHONPATH=$PYTHONPATH "$PYTHON" - <<-\EOF
	import os
	from tamqnet import *
	c = client()
	c.conn.subscribe("/queue/found.q", id="1", ack="auto")
	c.conn.subscribe("/topic/found.sync", id="2", ack="auto")
	c.sync()
	a = client_at(os.environ["AMQ"], amq_stomp())
	probe_until(a, "/topic/found.sync", lambda: c.messages)
	for i in range(10):
	    send_on(a, "/queue/found.q", "m %d" % i, headers={"persistent": "true"})
	check(bodies(c, 10) == ["m %d" % i for i in range(10)], "in order, once")
	EOF
'

test_done
