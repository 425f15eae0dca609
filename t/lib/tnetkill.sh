# tnetkill.sh - store and forward across a kill -9, for the network tests
# with ActiveMQ (t/80-network-activemq-*kill.t); sourced after test-lib.sh.
# N is how many messages each case sends.

# produce PORT QUEUE: N persistent messages "QUEUE-I" sent over STOMP to
# the broker on PORT, each stored there before the next case step (the
# last is receipted; a broker's STOMP handles a connection's frames in
# order).
produce() {
	PORT=$1 Q=$2 stomp_py <<-\EOF
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

# collect PORT QUEUE ACK OUT: in the background, a STOMP consumer on the
# broker on PORT writes each message's first word to OUT, until its
# connection is lost or $TRASH/stop exists.
collect() {
	{ PORT=$1 Q=$2 ACK=$3 OUT=$4 stomp_py <<-\EOF &
	import os, time, stomp
	from tstomp import *
	out = open(os.environ["OUT"], "a")
	class Writer(stomp.ConnectionListener):
	    def on_message(self, f):
	        out.write(f.body.split("x")[0] + "\n")
	        out.flush()
	c = client()
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

# reconnected: t's bridge to ActiveMQ has been established twice (once
# before the kill, once after), waited for: the messages may all have
# arrived before the bridge is back.
reconnected() {
	for i in $(seq 600); do
		test "$(grep -c "Network connection between t and amq" t/log)" -ge 2 && return 0
		sleep 0.1
	done
	echo "# t did not connect to amq again"
	return 1
}
