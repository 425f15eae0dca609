#!/bin/sh
# A bridge's resend after the receiving broker crashed is not stored
# twice. b took a message forwarded by a's bridge and committed it, but
# died before its RECEIPT went out (TANDEM_TEST_ANSWER_DELAY_MS holds each
# commit's answers back; the kill comes in between). a's bridge sends the
# message again once b is back. b's memory of what bridges sent
# (dedupe.h) went with the process, so b stored the resend as a second
# copy and its durable subscriber got it twice. The broker that serves
# the store next now knows the newest stored messages' ids in the audit
# of the bridge's login (producer_audit.h), as it does for OpenWire
# bridges and clients.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
for n in a b; do mkdir -p $n && free_port >$n/port || exit 1; done
static_network a '' b || exit 1
start_broker a && start_broker b && start_bridged a:b || exit 1

cat >dur.py <<'PYEOF'
from tstomp import *

def durable(p):
    """s1's durable subscription of crash.news on port p, subscribed."""
    c = client(p, headers={"client-id": "s1"})
    c.conn.subscribe("/topic/crash.news", id="1", ack="auto",
                     headers={"activemq.subscriptionName": "sub"})
    c.sync()
    return c

def publish(p, body):
    c = client(p)
    send_on(c, "/topic/crash.news", body, headers={"persistent": "true"})
    c.close()
PYEOF

# holds N: until b's store holds N messages for s1 (read beside the
# broker: what it committed), 10 s at most.
holds() {
	"$PYTHON" - "$TRASH/b/data/kahadb/store.db" "$1" <<-\EOF
	import sqlite3, sys, time
	for i in range(200):
	    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
	    n = db.execute("SELECT COUNT(*) FROM entries WHERE container = ?",
	                   ("durable://s1:sub",)).fetchone()[0]
	    db.close()
	    if n == int(sys.argv[2]):
	        sys.exit(0)
	    time.sleep(0.05)
	sys.exit("b holds %d, not %s" % (n, sys.argv[2]))
	EOF
}

test_expect_success 'b keeps what a forwards for its offline durable subscriber' '
	PORT=$(broker_port b) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	durable(port()).leave()
	EOF
	log_waits_for a "durable subscription(s) of topic://crash.news on b: keeping" &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	publish(port(), "m0")
	EOF
	holds 1
'

test_expect_success 'b commits a forwarded message and dies before its RECEIPT goes out' '
	stop_broker b &&
	export TANDEM_TEST_ANSWER_DELAY_MS=5000 && start_broker b &&
	unset TANDEM_TEST_ANSWER_DELAY_MS &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	publish(port(), "m1")
	EOF
	holds 2 &&
	kill_broker b
'

test_expect_success 'back, b drops the bridge'"'"'s resend: the subscriber gets each message once' '
	start_broker b &&
	PORT=$(broker_port a) stomp_py <<-\EOF &&
	import sys; sys.path.insert(0, ".")
	from dur import *
	publish(port(), "m2")
	EOF
	PORT=$(broker_port b) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from dur import *
	s = durable(port())
	got = s.wait_bodies(3)
	s.sync()
	got += [m.body for m in s.messages]
	check(got == ["m0", "m1", "m2"], "got %r" % got)
	EOF
'

test_done
