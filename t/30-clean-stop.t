#!/bin/sh
# A clean stop answers what it took: the commit under way when SIGTERM
# comes is finished, and its receipts reach the clients, before the
# connections close. Closed at once, a producer heard nothing of messages
# a consumer already had (non-transacted sends are dispatched before their
# commit), sent them again, and a network bridge's resends after the
# restart were delivered twice (t/80-network-durable test 3, now and then).
# The writer is slowed (TANDEM_TEST_COMMIT_DELAY_MS) so that the stop
# always comes inside the commit.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
for n in a b; do mkdir -p $n && free_port >$n/port || exit 1; done
static_network a '' b && static_network b '' a || exit 1
start_broker a || exit 1
export TANDEM_TEST_COMMIT_DELAY_MS=1500
start_broker b || exit 1
unset TANDEM_TEST_COMMIT_DELAY_MS
start_bridged a:b b:a || exit 1

# stopped N: until b's log says it stopped N times (its SIGTERM is sent
# from the tests' Python).
stopped() {
	for i in $(seq 200); do
		[ "$(grep -c "Tandem broker b stopped" b/log)" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "b did not stop"; return 1
}

test_expect_success 'SIGTERM inside a commit: the producer still gets its RECEIPT' '
	PORT=$(broker_port b) stomp_py "$(cat "$TRASH/b/pid")" <<-\EOF
	import os, signal, sys
	from tstomp import *
	c = subscriber("/queue/stop.local")
	p = client()
	send_on(p, "/queue/stop.local", "taken", receipt=False, headers={"persistent": "true", "receipt": "r1"})
	check(c.wait_bodies(1) == ["taken"], "the consumer has it")
	check("r1" not in p.receipts, "inside the commit")
	os.kill(int(sys.argv[1]), signal.SIGTERM)
	p.wait_receipt("r1")
	EOF
'

test_expect_success 'a bridge that forwarded into the stop does not send again after the restart' '
	stopped 1 &&
	export TANDEM_TEST_COMMIT_DELAY_MS=1500 && start_broker b && unset TANDEM_TEST_COMMIT_DELAY_MS &&
	PORT=$(broker_port b) stomp_py "$(cat "$TRASH/b/pid")" <<-\EOF &&
	import os, signal, sys
	from tstomp import *
	from tmgmt import until, log_has
	c = subscriber("/queue/stop.net")
	until("a forwards to b", lambda: log_has("a", "consumer(s) of queue://stop.net on b: forwarding"))
	send(port("a"), "/queue/stop.net", "once", headers={"persistent": "true"})
	check(c.wait_bodies(1) == ["once"], "forwarded")
	os.kill(int(sys.argv[1]), signal.SIGTERM)
	c.wait_disconnected()
	EOF
	stopped 2 &&
	start_broker b &&
	PORT=$(broker_port b) stomp_py <<-\EOF
	import os
	from tstomp import *
	from tmgmt import until
	def forwarding():
	    text = "consumer(s) of queue://stop.net on b: forwarding"
	    return open(os.environ["TRASH"] + "/a/log").read().count(text)
	c = subscriber("/queue/stop.net")
	until("a forwards to b again", lambda: forwarding() == 2)
	send(port("a"), "/queue/stop.net", "after")
	check(c.wait_bodies(1) == ["after"], "nothing twice")
	EOF
'

test_done
