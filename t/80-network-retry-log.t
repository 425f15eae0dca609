#!/bin/sh
# A bridge whose remote stays away (a slave's closed port, as in
# static:(a1,a2)) warns once when it goes down, not at every retry, and
# warns again only when its state changes: it connects, then fails again.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
mkdir -p a b && free_port >b/port &&
BROKER_EXTRA="<networkConnectors><networkConnector name=\"net\"
  uri=\"static:(tcp://127.0.0.1:$(cat b/port))\"/></networkConnectors>" broker_config a &&
broker_config b || exit 1
start_broker a || exit 1
MA=127.0.0.1:$(broker_mgmt_port a)

# failures_reach N: until a's bridge has failed N times in all (20 s).
failures_reach() {
	for i in $(seq 200); do
		ctl --node $MA --json network --interval 0 >net.json &&
		json_true "rows[0][\"Failures\"] >= $1" net.json >/dev/null && return 0
		sleep 0.1
	done
	json_true "rows[0][\"Failures\"] >= $1" net.json
}

# warnings N: a's log has N warnings of its bridge's failures.
warnings() {
	n=$(grep -c "WARN.*Bridge tcp://.*retrying" "$TRASH/a/log")
	[ "$n" -eq "$1" ] || {
		echo "$n warnings, not $1:"
		grep "Bridge tcp://" "$TRASH/a/log"
		return 1
	}
}

test_expect_success 'a remote that stays away: one warning over several retries' '
	failures_reach 6 &&
	warnings 1
'

test_expect_success 'it connects, then fails again: one more warning, then quiet' '
	start_broker b &&
	log_waits_for a "Network connection between a and b" &&
	warnings 1 &&
	stop_broker b &&
	failures_reach 12 &&
	warnings 2
'

test_done
