#!/bin/sh
# Store and forward over Tandem's own duplex networkConnector to an
# ActiveMQ 5.17 (issue 22): ActiveMQ's bridge back, on the connection
# Tandem dialled, forwards persistent messages to Tandem, which answers
# each once it is stored. Across a kill -9 of either side nothing is lost
# and nothing arrives twice (a resend keeps its message id, which
# Tandem's producer audit drops), and Tandem dials again.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tnetkill.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

N=2000
amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
trap 'touch "$TRASH/stop"; amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: OpenWire on $APORT, STOMP on $APORT + 1; no networkConnector.
APORT=$(free_port 2) && amq --start "$TRASH/amq" amq "$APORT" || exit 1
AST=$((APORT + 1))
export APORT N
BROKER_EXTRA="<networkConnectors><networkConnector name=\"dup\" duplex=\"true\"
	  uri=\"static:(tcp://127.0.0.1:$APORT?protocol=openwire)\"/></networkConnectors>" \
	broker_config t && start_broker t || exit 1
log_waits_for t "Network connection between t and amq .* has been established" || exit 1

test_expect_success 'ActiveMQ killed with SIGKILL while its bridge back forwards to t: after its restart every message arrives once' '
	produce "$AST" dk.a &&
	collect "$(broker_port t)" dk.a auto got.a &&
	wait_lines got.a 1 &&
	amq --kill "$TRASH/amq" &&
	say "$(wc -l <got.a) message(s) had reached the consumer on t when ActiveMQ was killed" &&
	log_waits_for t "Bridge tcp://127.0.0.1:$APORT?protocol=openwire: the duplex connection with .* closed" &&
	amq --start "$TRASH/amq" amq "$APORT" &&
	wait_lines got.a "$N" 600 &&
	sleep 1 &&
	exactly_once got.a dk.a &&
	reconnected
'

test_expect_success 't killed with SIGKILL while ActiveMQ'"'"'s bridge back forwards to it: after its restart t dials again and every message arrives once' '
	produce "$AST" dk.t &&
	collect "$(broker_port t)" dk.t client got.t1 &&
	wait_lines got.t1 1 &&
	kill_broker t &&
	say "$(wc -l <got.t1) message(s) had reached the consumer on t when it was killed" &&
	start_broker t &&
	collect "$(broker_port t)" dk.t auto got.t2 &&
	wait_lines got.t2 "$N" 600 &&
	sleep 1 &&
	exactly_once got.t2 dk.t
'

test_done
