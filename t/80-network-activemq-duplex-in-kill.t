#!/bin/sh
# Store and forward over an ActiveMQ 5.17 duplex networkConnector that
# dials Tandem (issue 22): Tandem's bridge back, on that connection,
# forwards persistent messages to ActiveMQ and lets each go only once
# ActiveMQ has answered that it has it. Across a kill -9 of either side
# nothing is lost and nothing arrives twice (what is sent again keeps its
# message id, which ActiveMQ's duplicate check drops), and the bridge
# comes back when ActiveMQ dials again.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tnetkill.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

N=2000
amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'touch "$TRASH/stop"; amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: OpenWire on $APORT, STOMP on $APORT + 1.
APORT=$(free_port 2) || exit 1
AST=$((APORT + 1))
export APORT N
broker_config t && start_broker t || exit 1
printf '%s\n' "<networkConnectors><networkConnector name=\"dup\" duplex=\"true\"
  uri=\"static:(tcp://127.0.0.1:$(broker_port t))?initialReconnectDelay=200&amp;maxReconnectDelay=200&amp;useExponentialBackOff=false\"/>
</networkConnectors>" >nc.xml
amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" || exit 1
log_waits_for t "Network connection between t and amq .* has been established" || exit 1

test_expect_success 'ActiveMQ killed with SIGKILL while t forwards to it over the duplex connection: after its restart every message arrives once' '
	produce "$(broker_port t)" dk.a &&
	collect "$AST" dk.a client got.a1 &&
	wait_lines got.a1 1 &&
	amq --kill "$TRASH/amq" &&
	say "$(wc -l <got.a1) message(s) had reached the consumer on ActiveMQ when it was killed" &&
	log_waits_for t "Bridge duplex:amq@.*: the duplex connection with .* closed; it ends" &&
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" &&
	collect "$AST" dk.a auto got.a2 &&
	wait_lines got.a2 "$N" 600 &&
	sleep 1 &&
	exactly_once got.a2 dk.a &&
	reconnected
'

test_expect_success 't killed with SIGKILL while it forwards to ActiveMQ over the duplex connection: after its restart ActiveMQ dials again and every message arrives once' '
	produce "$(broker_port t)" dk.t &&
	collect "$AST" dk.t auto got.t &&
	wait_lines got.t 1 &&
	kill_broker t &&
	say "$(wc -l <got.t) message(s) had reached the consumer on ActiveMQ when t was killed" &&
	start_broker t &&
	log_waits_for t "Network connection between t and amq .* has been established" &&
	wait_lines got.t "$N" 600 &&
	sleep 1 &&
	exactly_once got.t dk.t
'

test_done
