#!/bin/sh
# A silent partition under a bridge: no FIN, no RST, just nothing. The
# bridge notices by its heart-beats within seconds, says it is down (its
# state, the broker's Health), redials, and once the link heals messages
# flow again with nothing receipted lost.
#
# Brokers a and b live in network namespaces joined by a veth pair; the
# cut is `ip link set down` on b's end. Nothing touches the host's own
# interfaces. Each namespace has its own ports, so the brokers use fixed
# ones.
. "$(dirname "$0")/test-lib.sh"

NS_A=tandem$$pa NS_B=tandem$$pb
ADDR_A=10.202.0.1 ADDR_B=10.202.0.2

netns_add $NS_A $NS_B
{
	ip link add pt0 netns $NS_A type veth peer name pt0 netns $NS_B &&
	ip -n $NS_A addr add $ADDR_A/24 dev pt0 && ip -n $NS_B addr add $ADDR_B/24 dev pt0 &&
	ip -n $NS_A link set pt0 up && ip -n $NS_B link set pt0 up
} 2>ns.err || skip_all "cannot wire the network namespaces: $(cat ns.err)"

# node NS NAME [XML]: NAME's config in namespace NS: a tcp:// connector on
# every address, a management socket on loopback, and XML inside <broker>.
node() {
	netns_tandemd "$1" "$2" &&
	cat >"$TRASH/$2/broker.xml" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <broker xmlns="http://activemq.apache.org/schema/core"
	          brokerName="$2" dataDirectory="$TRASH/$2/data">
	    <persistenceAdapter><kahaDB directory="$TRASH/$2/data/kahadb"/></persistenceAdapter>
	    <managementContext><managementContext connectorPort="1099" connectorHost="127.0.0.1"/></managementContext>
	    ${3:-}
	    <transportConnectors>
	      <transportConnector name="openwire" uri="tcp://0.0.0.0:61616"/>
	    </transportConnectors>
	  </broker>
	</beans>
	EOF
}

# run NAME: starts NAME in its namespace and waits until it serves.
run() {
	TANDEMD=$TRASH/$1/tandemd launch_broker "$1" &&
	log_waits_for "$1" "Tandem broker $1 started"
}

# py NAME [ARGS]: a Python script (stdin) in NAME's namespace.
py() {
	name=$1
	shift
	PORT=61616 TRASH=$TRASH ip netns exec "$(cat "$TRASH/$name/ns")" "$PYTHON" - "$@"
}

# nsctl NAME ARGS: tandemctl on NAME's management socket.
nsctl() {
	name=$1
	shift
	ip netns exec "$(cat "$TRASH/$name/ns")" "$TEST_BUILD/mgmt/tandemctl" \
		--node 127.0.0.1:1099 "$@"
}

# bridge_is NAME PYEXPR: waits (30 s at most) until PYEXPR holds of NAME's
# one bridge (b, its management attributes).
bridge_is() {
	for i in $(seq 300); do
		nsctl "$1" --json network --interval 0 >net.json 2>/dev/null &&
		json_true "(lambda b: $2)(rows[0])" net.json >/dev/null && return 0
		sleep 0.1
	done
	json_true "(lambda b: $2)(rows[0])" net.json
}

# send_a FIRST LAST: persistent messages mFIRST..mLAST to part.q on a,
# each receipted by a.
send_a() {
	py a "$1" "$2" <<-\EOF
	import sys
	from tstomp import *
	p = client()
	for i in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
	    send_on(p, "/queue/part.q", "m%d" % i, headers={"persistent": "true"})
	EOF
}

node $NS_B b && node $NS_A a "<networkConnectors><networkConnector name=\"net\"
  uri=\"static:(tcp://$ADDR_B:61616?wireFormat.maxInactivityDuration=2400)\"/>
  </networkConnectors>" || exit 1
run b && run a || exit 1
log_waits_for a "Network connection between a and b" || exit 1

# A consumer of part.q on b for the whole test: it writes each body it
# gets to got, one a line, and goes when done appears.
{ py b >consumer.out 2>&1 <<-\EOF & }
import os, time
from tstomp import *
c = client()
c.conn.subscribe("/queue/part.q", id="1", ack="auto")
c.sync()
open("ready", "w").close()
seen = 0
while not os.path.exists("done"):
    time.sleep(0.1)
    # What is written is what is counted: the receiver thread appends
    # meanwhile, and counting len() after the copy skipped a message
    # that came between the two (m12, once, in make check).
    new = c.messages[seen:]
    with open("got", "a") as f:
        for m in new:
            f.write(m.body + "\n")
    seen += len(new)
c.close()
EOF
test_pids="$test_pids $!"

test_expect_success 'the bridge shows its heart-beats: a third of maxInactivityDuration' '
	bridge_is a "b[\"MaxInactivityDuration\"] == 2400 and b[\"HeartBeat\"] == \"800,800\""
'

test_expect_success 'before the cut: messages sent on a reach the consumer on b' '
	for i in $(seq 100); do [ -e ready ] && break; sleep 0.1; done &&
	log_waits_for a "consumer(s) of queue://part.q on b: forwarding" &&
	send_a 0 19 &&
	wait_lines got 20
'

test_expect_success 'the link is cut silently: the bridge is shown as down within seconds' '
	ip -n $NS_B link set pt0 down &&
	say "cut at $(date -u +%T.%N)" &&
	send_a 20 39 &&
	bridge_is a "b[\"State\"] != \"active\" and b[\"DownSinceMillis\"] > 0" &&
	log_contains a "WARN.*Bridge tcp://$ADDR_B:61616?[^ ]*: .*retrying"
'

test_expect_success "the broker's Health names the bridge while it stays down" '
	for i in $(seq 200); do
		nsctl a check >check.out 2>&1 || break
		sleep 0.1
	done
	grep "health *FAIL *Bridge tcp://$ADDR_B:61616?[^ ]* of networkConnector net is" check.out ||
	{ cat check.out; false; }
'

test_expect_success 'the heart-beats were a third of the entry'"'"'s maxInactivityDuration apart' '
	grep "Bridge tcp://$ADDR_B:61616?[^ ]*: .* beats every 800 ms" a/log ||
	{ grep "WARN.*Bridge" a/log; false; }
'

test_expect_success 'the link heals: the bridge redials, nothing receipted is lost' '
	ip -n $NS_B link set pt0 up &&
	say "healed at $(date -u +%T.%N)" &&
	bridge_is a "b[\"State\"] == \"active\"" &&
	send_a 40 49 &&
	wait_lines got 50 &&
	sort -u got >distinct &&
	test "$(wc -l <distinct)" -eq 50 || { echo "got $(wc -l <distinct) distinct:"; cat got; false; }
'

touch done
test_done
