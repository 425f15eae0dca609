#!/bin/sh
# A broker bound to every address (0.0.0.0, as the seed's connectors and
# a managementContext without connectorHost are) tells others an address
# they can reach: the host's name when it resolves, else its first
# address that is not loopback, never 0.0.0.0 (issue 21, as ActiveMQ
# publishes its connectors). And tandemtop, given two addresses of one
# broker, shows one node. The broker runs in a network namespace of the
# test's own, so its wildcard sockets reach nothing outside it.
. "$(dirname "$0")/test-lib.sh"

NS=tandem-adv-$$
netns_add $NS
TOP=$TEST_BUILD/tui/tandemtop

# The address the broker should tell, as the test sees the host.
expected_host() {
	h=$(hostname)
	if getent hosts "$h" >/dev/null 2>&1; then echo "$h"; else echo 127.0.0.1; fi
}

MGMT_PORT=auto broker_config w &&
sed -i -e 's|tcp://127.0.0.1:|tcp://0.0.0.0:|; s|stomp://127.0.0.1:|stomp://0.0.0.0:|' \
	-e 's|connectorHost="127.0.0.1"|connectorHost="0.0.0.0"|' "$TRASH/w/broker.xml" &&
netns_tandemd $NS w &&
TANDEMD=$TRASH/w/tandemd launch_broker w &&
log_waits_for w "Tandem broker w started" || exit 1

# py: a Python script (stdin) in the namespace, MPORT set.
py() {
	MPORT=$(broker_mgmt_port w) TRASH=$TRASH HOST=$(expected_host) \
		ip netns exec $NS "$PYTHON" - "$@"
}

test_expect_success 'connectors on 0.0.0.0 are told as the host, with the port bound' '
	py <<-\EOF
	import os
	from tmgmt import *
	m = Mgmt()
	b = broker_name("w")
	tc = m.read(b, "TransportConnectors")
	host = os.environ["HOST"]
	for name in ("auto", "stomp"):
	    check(tc[name].startswith(("tcp://" if name == "auto" else "stomp://") + host + ":"), tc)
	    check("0.0.0.0" not in tc[name], tc)
	c = m.read(b + ",connector=clientConnectors,connectorName=stomp")
	check(c["Uri"].startswith("stomp://0.0.0.0:"), c)
	check(c["PublishableConnectString"] == tc["stomp"], c)
	EOF
'

test_expect_success 'the log and the pair roster say the same, never 0.0.0.0' '
	log_contains w "Listening for connections at: tcp://$(expected_host):$(broker_port w) " &&
	log_contains w "Listening for connections at: stomp://$(expected_host):$(broker_stomp_port w) " &&
	! grep "Listening for connections" "$TRASH/w/log" | grep -q "0\.0\.0\.0" &&
	log_contains w "Management socket listening at 0\.0\.0\.0:$(broker_mgmt_port w), told to others as $(expected_host):$(broker_mgmt_port w) " &&
	py <<-\EOF
	import os
	from tmgmt import *
	nodes = Mgmt().read(broker_name("w") + ",service=Locker", "PairNodes")
	check(nodes == {"w": "%s:%s" % (os.environ["HOST"], os.environ["MPORT"])}, nodes)
	EOF
'

test_expect_success 'tandemtop given two addresses of the broker shows one node' '
	ip netns exec $NS "$TOP" --node 127.0.0.1:$(broker_mgmt_port w) --node 127.0.0.2:$(broker_mgmt_port w) \
		--batch --iterations 2 --interval 0.3 --screen cluster --width 200 >top.out &&
	cat top.out &&
	[ $(grep -c "^w " top.out) = 2 ] &&
	[ $(grep -c "^tandemtop .*, 1 node," top.out) = 2 ]
'

test_expect_success 'and with discovery (the roster names it by the host), one node too' '
	ip netns exec $NS "$TOP" --node 127.0.0.2:$(broker_mgmt_port w) \
		--batch --iterations 2 --interval 0.3 --screen cluster --width 200 >top.out &&
	cat top.out &&
	[ $(grep -c "^w " top.out) = 2 ] && ! grep -q "DOWN" top.out
'

test_expect_success 'tandemctl given both addresses (a cluster file) lists the broker once' '
	printf "127.0.0.1:%s\n127.0.0.2:%s\n" $(broker_mgmt_port w) $(broker_mgmt_port w) >two.cluster &&
	for cmd in ha "dstat queues" bstat; do
		ip netns exec $NS "$TEST_BUILD/mgmt/tandemctl" --cluster two.cluster $cmd >ctl.out 2>ctl.err
		echo "== $cmd: $?"; cat ctl.out ctl.err
		[ $(grep -c "127\.0\.0\.[12]:$(broker_mgmt_port w)" ctl.out) -le 1 ] &&
		grep -q "127\.0\.0\.2:$(broker_mgmt_port w) is broker w, given already as 127\.0\.0\.1:$(broker_mgmt_port w): shown once" ctl.err || exit 1
	done
'

test_done
