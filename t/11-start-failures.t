#!/bin/sh
# A broker that cannot start says why and exits 1, never crashing on the
# way out: the management socket's port or the web console's port taken
# by another process, a client connector's port taken. (The management
# socket and the web console start before the broker core since issue
# 19: a failure there once left broker_stop() reading a configuration the
# core never got, and tandemd died of SIGSEGV.)
. "$(dirname "$0")/test-lib.sh"

# hold_port FILE: a process listening on a free loopback port, written to
# FILE; its pid in FILE.pid.
hold_port() {
	"$PYTHON" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(600)' "$1" &
	echo $! >"$1.pid"
	test_pids="$test_pids $!"
	until [ -s "$1" ]; do sleep 0.05; done
}

# starts_and_fails NAME WHAT: tandemd on NAME's config exits 1 (not by a
# signal) and logs WHAT and "could not start".
starts_and_fails() {
	"$TANDEMD" -c "$TRASH/$1/broker.xml" >"$TRASH/$1/log" 2>&1
	rc=$?
	cat "$TRASH/$1/log"
	[ $rc -eq 1 ] || { echo "exit status $rc, not 1"; return 1; }
	grep -q "$2" "$TRASH/$1/log" && grep -q "could not start" "$TRASH/$1/log"
}

hold_port "$TRASH/held"
HELD=$(cat "$TRASH/held")

test_expect_success 'the management port taken: tandemd says so and exits 1, no crash' '
	MGMT_PORT=$HELD broker_config mgmt &&
	starts_and_fails mgmt "management socket on 127.0.0.1:$HELD: Address already in use"
'

test_expect_success 'the web console port taken: tandemd says so and exits 1, no crash' '
	WEB_PORT=$HELD broker_config web &&
	starts_and_fails web "$HELD"
'

test_expect_success 'a client connector port taken: tandemd says so and exits 1, no crash' '
	broker_config conn &&
	sed -i "s|uri=\"tcp://127.0.0.1:[0-9]*|uri=\"tcp://127.0.0.1:$HELD|" "$TRASH/conn/broker.xml" &&
	grep -q "$HELD" "$TRASH/conn/broker.xml" &&
	starts_and_fails conn "$HELD"
'

test_done
