#!/bin/sh
# Store and forward between Tandem and an ActiveMQ broker (issue 22):
# Tandem's networkConnector forwards persistent messages to Debian's
# activemq 5.17 over OpenWire, and a message leaves Tandem's store only
# once ActiveMQ has answered that it has it. Across a kill -9 of either
# side nothing is lost, and nothing arrives twice: what Tandem sends again
# after a reconnect carries the same message id, which ActiveMQ's
# duplicate check drops.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"

N=3000
amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'touch "$TRASH/stop"; amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: STOMP on $APORT, OpenWire on $APORT + 1.
APORT=$(free_port) && amq --start "$TRASH/amq" "$APORT" || exit 1
OWPORT=$((APORT + 1))
export APORT OWPORT N

BROKER_EXTRA="<networkConnectors><networkConnector name=\"toamq\"
	  uri=\"static:(tcp://127.0.0.1:$OWPORT)\"/></networkConnectors>" broker_config t || exit 1
start_broker t || exit 1
log_waits_for t "Network connection between t and amq .* has been established" || exit 1

# produce QUEUE: N persistent messages "QUEUE-I" into Tandem, each
# receipted (stored there before it is forwarded; nobody consumes QUEUE
# on ActiveMQ yet, so none is forwarded yet).
produce() {
	PORT=$(broker_port t) Q=$1 stomp_py <<-\EOF
	import os
	from tstomp import *
	q, n = os.environ["Q"], int(os.environ["N"])
	p = client()
	for i in range(n):
	    h = {"persistent": "true"}
	    if i == n - 1:
	        h["receipt"] = "last"
	    p.conn.send("/queue/" + q, "%s-%d" % (q, i) + "x" * 200, headers=h)
	p.wait_receipt("last")
	EOF
}

# collect QUEUE ACK OUT: in the background, a STOMP consumer on ActiveMQ
# writes each message's first word to OUT, until its connection is lost
# or $TRASH/stop exists.
collect() {
	{ Q=$1 ACK=$2 OUT=$3 stomp_py <<-\EOF &
	import os, time, stomp
	from tstomp import *
	out = open(os.environ["OUT"], "a")
	class Writer(stomp.ConnectionListener):
	    def on_message(self, f):
	        out.write(f.body.split("x")[0] + "\n")
	        out.flush()
	c = client(int(os.environ["APORT"]))
	c.conn.set_listener("writer", Writer())
	c.conn.subscribe("/queue/" + os.environ["Q"], id="1", ack=os.environ["ACK"])
	while not c.disconnected and not os.path.exists(os.environ["TRASH"] + "/stop"):
	    time.sleep(0.1)
	EOF
	} 2>/dev/null
}

# exactly_once FILE QUEUE: FILE holds every message of QUEUE, once each.
exactly_once() {
	sort "$1" | uniq -d >dups &&
	test ! -s dups || { echo "# twice:"; head dups; return 1; }
	test "$(sort -u "$1" | wc -l)" = "$N" || { echo "# $(sort -u "$1" | wc -l) of $N"; return 1; }
	for i in 0 $((N / 2)) $((N - 1)); do grep -qx "$2-$i" "$1" || return 1; done
}

test_expect_success 'ActiveMQ killed with SIGKILL while Tandem forwards: after its restart every message arrives once' '
	produce saf.a &&
	collect saf.a client got.a1 &&
	wait_lines got.a1 1 &&
	amq --kill "$TRASH/amq" &&
	say "$(wc -l <got.a1) message(s) had reached the consumer on ActiveMQ when it was killed" &&
	log_waits_for t "Bridge tcp://127.0.0.1:$OWPORT: the connection to .* closed" &&
	amq --start "$TRASH/amq" "$APORT" &&
	collect saf.a auto got.a2 &&
	wait_lines got.a2 "$N" 600 &&
	sleep 1 &&
	exactly_once got.a2 saf.a &&
	test "$(grep -c "Network connection between t and amq" t/log)" -ge 2
'

test_expect_success 'Tandem killed with SIGKILL while it forwards: after its restart every message arrives once' '
	produce saf.t &&
	collect saf.t auto got.t &&
	wait_lines got.t 1 &&
	kill_broker t &&
	say "$(wc -l <got.t) message(s) had reached the consumer on ActiveMQ when Tandem was killed" &&
	start_broker t &&
	wait_lines got.t "$N" 600 &&
	sleep 1 &&
	exactly_once got.t saf.t
'

test_done
