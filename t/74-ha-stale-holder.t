#!/bin/sh
# A hung master (SIGSTOP) keeps its lock, so its slave cannot take over;
# the master refreshes a heartbeat in the lock file every
# lockKeepAlivePeriod, and a slave that sees it stale says so in Health and
# in its Locker, and says it is fresh again once the master runs again.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
MGMT_PORT=auto
WEB_PORT=auto
export STORE_DIR

# locker_view NAME: "CurrentStatus|HolderStale|HolderRefreshedAgo" of NAME.
locker_view() {
	PORT=0 MPORT=$(broker_mgmt_port "$1") stomp_py "$1" <<-\EOF
	import sys
	from tmgmt import *
	m = Mgmt()
	b = broker_name(sys.argv[1])
	lock = m.read(b + ",service=Locker")
	print("%s|%s|%s" % (m.read(b + ",service=Health", "CurrentStatus"),
	                    lock.get("HolderStale"), lock.get("HolderRefreshedAgo")))
	EOF
}

# wait_view NAME PATTERN: until locker_view NAME matches PATTERN (grep -E),
# 30 s at most.
wait_view() {
	for i in $(seq 150); do
		v=$(locker_view "$1") && printf '%s\n' "$v" | grep -Eq "$2" && return 0
		sleep 0.2
	done
	say "$1 never matched $2; last: $v"
	return 1
}

test_expect_success 'a slave beside a running master reports a fresh holder and Good health' '
	start_broker a &&
	start_slave b &&
	wait_view b "^Good\|False\|[0-9]+$" &&
	sed -n 2p "$STORE_DIR/lock" | grep -q "^refreshed "
'

test_expect_success 'with the master stopped, the slave says its holder has not refreshed the lock' '
	kill -STOP "$(cat a/pid)" &&
	wait_view b "holder a on .* has not refreshed its lock for [0-9]+ s: it may be hung\|True\|[0-9]+$" &&
	log_waits_for b "has not refreshed its lock" &&
	curl -s "http://127.0.0.1:$(broker_web_port b)/health" >health.txt &&
	cat health.txt &&
	grep -q "held by a on .* (not refreshed for [0-9]* s: it may be hung)" health.txt
'

test_expect_success 'once the master runs again the slave reports it fresh and Good' '
	kill -CONT "$(cat a/pid)" &&
	wait_view b "^Good\|False\|[0-9]+$" &&
	log_waits_for b "refreshes its lock again"
'

kill -CONT "$(cat a/pid 2>/dev/null)" 2>/dev/null
test_done
