#!/bin/sh
# Network of brokers, multicast discovery (ActiveMQ's multicast://default):
# a master advertises its connector on the group, a slave does not until
# it takes over, network connectors bridge to every master they hear of
# and drop the bridge when it says it stops or falls silent.
#
# Multicast only ever travels inside network namespaces made here: "hosts"
# A and B joined by a veth pair with a multicast route on it, and C with
# no route at all. Nothing is sent on the host's own interfaces. Each
# namespace has its own ports, so the brokers use fixed ones.
. "$(dirname "$0")/test-lib.sh"

NS_A=tandem$$a NS_B=tandem$$b NS_C=tandem$$c
ADDR_A=10.201.0.1 ADDR_B=10.201.0.2

netns_add $NS_A $NS_B $NS_C
netns_multicast_link $NS_A $ADDR_A $NS_B $ADDR_B

# node NS NAME PORT MGMT_PORT [STORE]: NAME's config, as the seed's: one
# tcp:// connector on every address advertised on multicast://default, and
# a network connector that bridges to every broker discovered there.
node() {
	netns_tandemd "$1" "$2" &&
	echo "$3" >"$TRASH/$2/port" && echo "$4" >"$TRASH/$2/mgmt_port" &&
	cat >"$TRASH/$2/broker.xml" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <broker xmlns="http://activemq.apache.org/schema/core"
	          brokerName="$2" dataDirectory="$TRASH/$2/data">
	    <persistenceAdapter><kahaDB directory="${5:-$TRASH/$2/data/kahadb}"/></persistenceAdapter>
	    <managementContext><managementContext connectorPort="$4" connectorHost="127.0.0.1"/></managementContext>
	    <networkConnectors>
	      <networkConnector name="net" uri="multicast://default" prefetchSize="1"
	                        decreaseNetworkConsumerPriority="true"/>
	    </networkConnectors>
	    <transportConnectors>
	      <transportConnector name="openwire" uri="tcp://0.0.0.0:$3" discoveryUri="multicast://default"/>
	    </transportConnectors>
	  </broker>
	</beans>
	EOF
}

# run NAME WHAT: starts NAME in its namespace and waits until its log says
# WHAT ("started" for a master, "waiting" for a slave).
run() {
	TANDEMD=$TRASH/$1/tandemd launch_broker "$1" &&
	case $2 in
	started) log_waits_for "$1" "Tandem broker $1 started" ;;
	waiting) log_waits_for "$1" "is locked\.\.\. waiting" ;;
	esac
}

# py NAME [ARGS]: a Python script (stdin) in NAME's namespace, with PORT
# and MPORT set to NAME's ports.
py() {
	name=$1
	shift
	PORT=$(cat "$TRASH/$name/port") MPORT=$(cat "$TRASH/$name/mgmt_port") TRASH=$TRASH \
		ip netns exec "$(cat "$TRASH/$name/ns")" "$PYTHON" - "$@"
}

# flows FROM TO QUEUE: 50 persistent messages sent to FROM arrive at a
# consumer on TO, each once.
flows() {
	rm -f "$TRASH/$3.ready"
	py "$2" "$3" <<-\EOF &
	import os, sys, time
	from tstomp import *
	q = sys.argv[1]
	c = client()
	c.conn.subscribe("/queue/" + q, id="1", ack="auto")
	c.sync()
	open(os.environ["TRASH"] + "/" + q + ".ready", "w").close()
	got = [m.body for m in c.wait(50, timeout=20)]
	check(got == ["m%d" % i for i in range(50)], "all 50 in order, once: %d" % len(got))
	time.sleep(0.3)
	c.sync()
	check(not c.messages, "nothing more: %d" % len(c.messages))
	EOF
	consumer=$!
	# The consumer's advisory reaches FROM's bridge in a moment.
	for i in $(seq 100); do [ -e "$TRASH/$3.ready" ] && break; sleep 0.05; done &&
	log_waits_for "$1" "consumer(s) of queue://$3 on $2: forwarding" &&
	py "$1" "$3" <<-\EOF
	import sys
	from tstomp import *
	p = client()
	for i in range(50):
	    send_on(p, "/queue/" + sys.argv[1], "m%d" % i, headers={"persistent": "true"})
	EOF
	status=$?
	wait $consumer && return $status
}

# bridges NAME: NAME's NetworkBridge objects, "Uri State RemoteBrokerName"
# per line.
bridges() {
	py "$1" "$1" <<-\EOF
	import sys
	from tmgmt import *
	m = Mgmt()
	for n in m.ok({"type": "search", "mbean": DOMAIN + ":type=Broker,brokerName=%s,connector=networkConnectors,networkConnectorName=*,networkBridge=*" % sys.argv[1]}):
	    b = m.read(n)
	    print(b["Uri"], b["State"].replace(" ", "-"), b["RemoteBrokerName"] or "-")
	EOF
}

node $NS_A a1 61616 1100 "$TRASH/pair/kahadb" &&
node $NS_A a2 61617 1101 "$TRASH/pair/kahadb" &&
node $NS_B b 61616 1100 &&
node $NS_C c 61616 1100 || exit 1

test_expect_success 'two masters on one network discover each other and bridge both ways' '
	run a1 started && run b started &&
	log_waits_for a1 "discovered tcp://$ADDR_B:61616 (broker b) on multicast group default (239.255.2.3:6155)" &&
	log_waits_for b "discovered tcp://$ADDR_A:61616 (broker a1)" &&
	log_waits_for a1 "Network connection between a1 and b" &&
	log_waits_for b "Network connection between b and a1" &&
	log_contains a1 "Advertising tcp://$ADDR_A:61616 (connector openwire) on multicast group default (239.255.2.3:6155) every 500 ms" &&
	bridges a1 >a1.bridges && cat a1.bridges &&
	test "$(cat a1.bridges)" = "tcp://$ADDR_B:61616 active b" &&
	! grep -e "discovered tcp://$ADDR_A" -e "is this broker itself" "$TRASH/a1/log"
'

test_expect_success 'a message produced on a1 reaches a consumer on b exactly once' '
	flows a1 b mc.one
'

test_expect_success 'the heartbeat is ActiveMQ'"'"'s datagram; a slave does not advertise' '
	run a2 waiting &&
	py b <<-\EOF &&
	import socket, struct, time
	from tstomp import check
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("239.255.2.3", 6155))
	s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
	             struct.pack("4s4s", socket.inet_aton("239.255.2.3"), socket.inet_aton("0.0.0.0")))
	s.settimeout(0.2)
	heard, end = [], time.time() + 1.6
	while time.time() < end:
	    try:
	        data, src = s.recvfrom(8192)
	        if src[0] != "10.201.0.2":
	            heard.append(data.decode())
	    except socket.timeout:
	        pass
	print(heard)
	check(len(heard) >= 2, "a heartbeat every 500 ms: %d" % len(heard))
	check(set(heard) == {"default.ActiveMQ-4.alive.%a1%tcp://10.201.0.1:61616"}, set(heard))
	EOF
	! grep -e "Advertising" -e "discovered" "$TRASH/a2/log"
'

test_expect_success 'kill -9 of the master: the slave advertises, b bridges to it, messages flow again' '
	kill_broker a1 &&
	log_waits_for a2 "Advertising tcp://$ADDR_A:61617 (connector openwire)" &&
	log_waits_for b "discovered tcp://$ADDR_A:61617 (broker a2)" &&
	log_waits_for b "Network connection between b and a2" &&
	flows a2 b mc.two &&
	log_waits_for b "tcp://$ADDR_A:61616 (broker a1) was not heard for 5000 ms: removing its bridge" &&
	bridges b >b.bridges && cat b.bridges &&
	test "$(cat b.bridges)" = "tcp://$ADDR_A:61617 active a2"
'

test_expect_success 'a broker that stops cleanly says so: its peers remove their bridge at once' '
	log_waits_for a2 "Network connection between a2 and b" &&
	stop_broker b &&
	log_contains b "Stopped advertising tcp://$ADDR_B:61616 on multicast group default" &&
	log_waits_for a2 "tcp://$ADDR_B:61616 (broker b) said it stops: removing its bridge" &&
	bridges a2 >a2.bridges && cat a2.bridges &&
	test ! -s a2.bridges
'

test_expect_success 'no multicast route: said once, the broker serves on' '
	run c started &&
	sleep 1.2 &&
	log_contains c "networkConnector net: cannot join on multicast group default (239.255.2.3:6155): .*no route to the multicast group" &&
	log_contains c "Cannot advertise connector openwire on multicast group default" &&
	test $(grep -c "ERROR.*multicast" "$TRASH/c/log") = 2 &&
	py c <<-\EOF
	from tstomp import *
	send(port(), "/queue/mc.c", "served")
	EOF
'

test_done
