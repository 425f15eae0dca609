#!/bin/sh
# Purging or deleting a queue with a large backlog (issue 21): the broker
# removes it in slices, so its loop keeps answering clients and the
# management socket (tandemtop saw a master stall 0.7 s on a purge of
# 300,000 and called it down, and the purge failed); the answer comes at
# once and counts every message; what arrives meanwhile stays; purges and
# deletes are logged whoever asked.
. "$(dirname "$0")/test-lib.sh"

N=300000
MGMT_PORT=auto broker_config node1 && start_broker node1 || exit 1
mgmt() { echo "127.0.0.1:$(broker_mgmt_port node1)"; }
STOMP=tcp://127.0.0.1:$(broker_stomp_port node1)

# backlog QUEUE: N persistent messages on it, most paged out to the store.
backlog() {
	ctl producer --stomp "$STOMP" --destination "$1" --count $((N / 4)) --parallel 4 --size 32 \
		--persistent --receipt-every 1000 >"$1.load" 2>&1 || { cat "$1.load"; return 1; }
	MPORT=$(broker_mgmt_port node1) Q=$1 N=$N stomp_py <<-\EOF
	import os
	from tmgmt import *
	size = Mgmt().read(queue_name("node1", os.environ["Q"]), "QueueSize")
	check(size == int(os.environ["N"]), "QueueSize %r" % size)
	EOF
}

# longest_after 'PYTHON': the loop's longest iteration (us) while PYTHON
# (given m, a Mgmt) runs, printed with what it printed.
longest_after() {
	MPORT=$(broker_mgmt_port node1) SPORT=$(broker_stomp_port node1) CODE=$1 stomp_py <<-\EOF
	import os
	from tmgmt import *
	m = Mgmt()
	b = broker_name("node1")
	m.ok({"type": "write", "mbean": b, "attribute": "LoopLongestIterationMicros", "value": 0})
	exec(os.environ["CODE"])
	print("longest", m.read(b, "LoopLongestIterationMicros"))
	EOF
}

test_expect_success "a purge of $N messages answers the count at once, keeps what comes after; the loop never stalls" '
	backlog big.purge &&
	longest_after "
r = m.ok({\"type\": \"exec\", \"mbean\": queue_name(\"node1\", \"big.purge\"), \"operation\": \"purge\"})
print(\"purged\", r)
# Sent while the purge goes on: they stay.
from tstomp import client, send_on
c = client(int(os.environ[\"SPORT\"]))
for i in range(5):
    send_on(c, \"/queue/big.purge\", \"after %d\" % i, headers={\"persistent\": \"true\"})
import time
for i in range(600):
    if m.read(queue_name(\"node1\", \"big.purge\"), \"QueueSize\") == 5:
        break
    time.sleep(0.05)
print(\"size\", m.read(queue_name(\"node1\", \"big.purge\"), \"QueueSize\"))
" >purge.out && cat purge.out &&
	grep -qx "purged $N" purge.out && grep -qx "size 5" purge.out &&
	# No timing assertion (the loop'"'"'s longest turn is printed above
	# for the note: 16-50 ms here, 2.6 s before): the purge went in
	# many turns of the loop, not in one.
	log_contains node1 "Queue big.purge purged: $N message" &&
	slices=$(sed -n "s/.*Queue big.purge purged: $N message(s) removed, in \([0-9]*\) slice.*/\1/p" \
		"$TRASH/node1/log") &&
	echo "slices: $slices" && [ "${slices:-0}" -gt 1 ]
'

# Browse shows the messages in memory: they are read back once the store
# has written the purge's removals.
test_expect_success 'the messages sent during the purge are there' '
	for i in $(seq 150); do
		ctl --node $(mgmt) browse big.purge >browse.out || exit 1
		[ $(grep -c "after [0-4]" browse.out) = 5 ] && break
		sleep 0.2
	done &&
	cat browse.out && [ $(grep -c "after [0-4]" browse.out) = 5 ]
'

test_expect_success "deleting a queue of $N messages answers at once (the store drops the container), logged" '
	backlog big.delete &&
	longest_after "
r = m.ok({\"type\": \"exec\", \"mbean\": broker_name(\"node1\"), \"operation\": \"removeQueue\",
          \"arguments\": [\"big.delete\"]})
print(\"names\", m.ok({\"type\": \"search\", \"mbean\": broker_name(\"node1\") + \",destinationType=Queue,*\"}))
" >out && cat out &&
	! grep -q "big.delete" out &&
	log_contains node1 "Queue big.delete removed with $N message"
'

test_expect_success 'after a restart, neither queue has its old messages back' '
	stop_broker node1 && start_broker node1 &&
	MPORT=$(broker_mgmt_port node1) stomp_py <<-\EOF
	from tmgmt import *
	m = Mgmt()
	check(m.read(queue_name("node1", "big.purge"), "QueueSize") == 5, "big.purge")
	names = m.ok({"type": "search", "mbean": broker_name("node1") + ",destinationType=Queue,*"})
	check(not any("big.delete" in n for n in names), names)
	EOF
'

test_expect_success 'a purge by selector (tandemctl purge --msgsel) is logged too' '
	PORT=$(broker_port node1) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for color in ("red", "blue", "red"):
	    send_on(p, "/queue/sel.q", color, headers={"color": color})
	EOF
	ctl --node $(mgmt) purge sel.q --msgsel "color = '"'"'red'"'"'" &&
	log_contains node1 "Queue sel.q: 2 message(s) matching color = '"'"'red'"'"' removed"
'

test_expect_success 'without persistence, a backlog spilled to the temp store is purged too' '
	BROKER_EXTRA="<systemUsage><systemUsage><memoryUsage><memoryUsage limit=\"2 mb\"/></memoryUsage></systemUsage></systemUsage>" \
		MGMT_PORT=auto broker_config np &&
	sed -i "s|<broker xmlns=\"http://activemq.apache.org/schema/core\"|& persistent=\"false\"|" "$TRASH/np/broker.xml" &&
	start_broker np &&
	ctl producer --stomp tcp://127.0.0.1:$(broker_stomp_port np) --destination np.q --count 5000 \
		--size 1024 >np.load 2>&1 &&
	MPORT=$(broker_mgmt_port np) stomp_py <<-\EOF
	import time
	from tmgmt import *
	m = Mgmt()
	q = queue_name("np", "np.q")
	check(m.read(q, "QueueSize") == 5000, m.read(q, "QueueSize"))
	check(m.execute(q, "purge") == 5000, "purge")
	for i in range(300):
	    if m.read(q, "QueueSize") == 0:
	        break
	    time.sleep(0.05)
	check(m.read(q, "QueueSize") == 0, m.read(q, "QueueSize"))
	EOF
'

test_done
