#!/bin/sh
# Store and forward between Tandem and an ActiveMQ broker (issue 22):
# Tandem's networkConnector forwards persistent messages to Debian's
# activemq 5.17 over OpenWire, and a message leaves Tandem's store only
# once ActiveMQ has answered that it has it. Across a kill -9 of either
# side nothing is lost, and nothing arrives twice: what Tandem sends again
# after a reconnect carries the same message id, which ActiveMQ's
# duplicate check drops.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tnetkill.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

N=3000
amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'touch "$TRASH/stop"; amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: STOMP on $APORT, OpenWire on $APORT + 1.
APORT=$(free_port 2) && amq --start "$TRASH/amq" "$APORT" || exit 1
OWPORT=$((APORT + 1))
export APORT OWPORT N

BROKER_EXTRA="<networkConnectors><networkConnector name=\"toamq\"
	  uri=\"static:(tcp://127.0.0.1:$OWPORT)\"/></networkConnectors>" broker_config t || exit 1
start_broker t || exit 1
log_waits_for t "Network connection between t and amq .* has been established" || exit 1

test_expect_success 'ActiveMQ killed with SIGKILL while Tandem forwards: after its restart every message arrives once' '
	produce "$(broker_port t)" saf.a &&
	collect "$APORT" saf.a client got.a1 &&
	wait_lines got.a1 1 &&
	amq --kill "$TRASH/amq" &&
	say "$(wc -l <got.a1) message(s) had reached the consumer on ActiveMQ when it was killed" &&
	log_waits_for t "Bridge tcp://127.0.0.1:$OWPORT: the connection to .* closed" &&
	amq --start "$TRASH/amq" "$APORT" &&
	collect "$APORT" saf.a auto got.a2 &&
	wait_lines got.a2 "$N" 600 &&
	sleep 1 &&
	exactly_once got.a2 saf.a &&
	reconnected
'

test_expect_success 'Tandem killed with SIGKILL while it forwards: after its restart every message arrives once' '
	produce "$(broker_port t)" saf.t &&
	collect "$APORT" saf.t auto got.t &&
	wait_lines got.t 1 &&
	kill_broker t &&
	say "$(wc -l <got.t) message(s) had reached the consumer on ActiveMQ when Tandem was killed" &&
	start_broker t &&
	wait_lines got.t "$N" 600 &&
	sleep 1 &&
	exactly_once got.t saf.t
'

test_done
