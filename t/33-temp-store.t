#!/bin/sh
# The temp store: non-persistent messages past 70% of the memory limit (the
# broker's, or a queue's memoryLimit) wait in tmp_storage instead of memory,
# drain in order, and are limited by tempUsage; nothing in it survives a
# restart.
. "$(dirname "$0")/test-lib.sh"

BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="small" memoryLimit="64 kb"/>
</policyEntries></policyMap></destinationPolicy>
<systemUsage><systemUsage>
  <memoryUsage><memoryUsage limit="2 mb"/></memoryUsage>
</systemUsage></systemUsage>'
broker_config node1 && start_broker node1 || exit 1
TMPSTORE=$TRASH/node1/data/node1/tmp_storage

# fill QUEUE N: N non-persistent 1 KiB messages, the last 10 of priority 9,
# a receipt on every 500th (so the producer is never far ahead).
fill() {
	stomp_py "$@" <<-\EOF
	import sys
	from tstomp import *
	queue, n = sys.argv[1], int(sys.argv[2])
	p = client()
	for i in range(n):
	    h = {"priority": "9" if i >= n - 10 else "4"}
	    if i % 500 == 499 or i == n - 1:
	        h["receipt"] = "r%d" % i
	    p.conn.send("/queue/" + queue, "%d %s" % (i, "x" * 1024), headers=h)
	p.wait_receipt("r%d" % (n - 1), timeout=60)
	EOF
}

drain() {
	stomp_py "$@" <<-\EOF
	import sys
	from tstomp import *
	queue, n = sys.argv[1], int(sys.argv[2])
	c = client()
	c.conn.subscribe("/queue/" + queue, id="1", ack="client",
	                 headers={"activemq.prefetchSize": "100"})
	got = []
	while len(got) < n:
	    ms = c.wait(min(100, n - len(got)), timeout=60)
	    got += [int(m.body.split()[0]) for m in ms]
	    c.conn.ack(ms[-1].headers["ack"])
	low = [i for i in got if i < n - 10]
	high = [i for i in got if i >= n - 10]
	check(sorted(got) == list(range(n)), "every message once: %d of %d" % (len(set(got)), n))
	check(low == sorted(low) and high == sorted(high), "in order within each priority")
	check(max(got.index(i) for i in high) < 1200, "priority 9 comes with the first page")
	c.sync()
	check(not c.messages, "nothing more")
	EOF
}

test_expect_success 'non-persistent messages past the memory limit go to the temp store and drain in order' '
	fill window 4000 &&
	log_contains node1 "Temp store opened in $TMPSTORE" &&
	test -s "$TMPSTORE/store.db" &&
	drain window 4000
'

test_expect_success 'past a queue memoryLimit non-persistent messages spill instead of holding the producer' '
	fill small 600 &&
	! grep -q "Usage Manager Memory Limit reached on queue://small" "$TRASH/node1/log" &&
	drain small 600
'

test_expect_success 'persistent and non-persistent messages paged out together come back in arrival order' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	for i in range(3000):
	    h = {"persistent": "true"} if i % 3 == 0 else {}
	    if i == 2999:
	        h["receipt"] = "end"
	    p.conn.send("/queue/mixed", "%d" % i, headers=h)
	p.wait_receipt("end", timeout=60)
	c = client()
	c.conn.subscribe("/queue/mixed", id="1", ack="auto")
	got = [int(m.body) for m in c.wait(3000, timeout=60)]
	check(got == list(range(3000)), "arrival order across both stores")
	EOF
'

# Paging in merges what the store and the temp store hold, by seq. With
# the temp store's writer behind (its commits slowed here), the store's
# committed messages were read past non-persistent ones still uncommitted
# in the temp store, which then counted as missing: "N message(s) ...
# counted as paged out are not in the temp store; forgetting them" (lost,
# seen under make asan).
test_expect_success 'paged out together, with the temp store'"'"'s commits behind the store'"'"'s: none is lost, the order is kept' '
	stop_broker node1 &&
	export TANDEM_TEST_TEMP_COMMIT_DELAY_MS=300 && start_broker node1 &&
	unset TANDEM_TEST_TEMP_COMMIT_DELAY_MS &&
	stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(3000):
	    h = {"persistent": "true"} if i % 3 == 0 else {}
	    p.conn.send("/queue/mixslow", "%d" % i, headers=h)
	p.sync()
	c = client()
	c.conn.subscribe("/queue/mixslow", id="1", ack="auto")
	got = [int(m.body) for m in c.wait(3000, timeout=120)]
	check(got == list(range(3000)), "arrival order across both stores")
	EOF
	! grep "forgetting them" node1/log
'

test_expect_success 'a transaction larger than the room for temp store writes commits to a spooling queue' '
	fill txspool 1100 &&
	stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	p.conn.begin(transaction="t1")
	for i in range(1100, 2100):
	    p.conn.send("/queue/txspool", "%d %s" % (i, "x" * 1024), transaction="t1")
	p.conn.commit(transaction="t1", headers={"receipt": "committed"})
	p.wait_receipt("committed", timeout=60)
	c = client()
	c.conn.subscribe("/queue/txspool", id="1")
	got = [int(m.body.split()[0]) for m in c.wait(2100, timeout=60)]
	check(sorted(got) == list(range(2100)), "every message once: %d" % len(set(got)))
	EOF
	true
'

test_expect_success 'the temp store is emptied by a restart: non-persistent messages do not survive' '
	fill gone 2500 &&
	stop_broker node1 &&
	test ! -e "$TMPSTORE/store.db" &&
	start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/gone", id="1")
	c.sync()
	check(not c.messages, "no message came back: %d" % len(c.messages))
	EOF
'

stop_broker node1
BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <memoryUsage><memoryUsage limit="1 mb"/></memoryUsage>
  <tempUsage><tempUsage limit="1 mb"/></tempUsage>
</systemUsage></systemUsage>'
broker_config limited && start_broker limited || exit 1

test_expect_success 'past the tempUsage limit a producer gets an ERROR, nothing accepted is lost, and a drained queue takes sends again' '
	PORT=$(broker_port limited) stomp_py <<-\EOF
	from tstomp import *
	p = client()
	sent, text = send_until_refused(p, "/queue/big", "m%d " + "x" * 1024, 20000)
	check("Usage Manager Temp Store is Full on queue://big" in text, text)
	check(1000 < sent < 20000, "refused after %d" % sent)
	d = client()
	d.conn.subscribe("/queue/big", id="1")
	got = [m.body.split()[0] for m in d.wait(sent, timeout=60)]
	check(got == ["m%d" % i for i in range(sent)], "every receipted message, in order")
	d.sync()
	check(not d.messages, "and nothing more")
	# Drained, the queue no longer spools: its producers are served at
	# once, before the temp store has given its space back.
	o = client()
	send_on(o, "/queue/big", "again")
	check(d.wait(1)[0].body == "again", "a send right after the drain goes through")
	EOF
'

stop_broker limited
# Each commit of the stores' writers takes 20 ms more, so that the temp
# store's writer falls behind a producer for certain.
export TANDEM_TEST_COMMIT_DELAY_MS=20
BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <memoryUsage><memoryUsage limit="1 mb"/></memoryUsage>
</systemUsage></systemUsage>'
broker_config slowtemp && start_broker slowtemp || exit 1
unset TANDEM_TEST_COMMIT_DELAY_MS

test_expect_success 'with sendFailIfNoSpace, a producer ahead of the temp store writer is held, not refused, and nothing is lost' '
	PORT=$(broker_port slowtemp) stomp_py <<-\EOF
	from tstomp import *
	p = client()
	for i in range(3000):
	    h = {"receipt": "r%d" % i} if i % 100 == 99 else {}
	    p.conn.send("/queue/behind", "%d %s" % (i, "x" * 1024), headers=h)
	p.wait_receipt("r2999", timeout=60)
	check(not p.errors, "no send refused: %r" % p.errors[:1])
	c = client()
	c.conn.subscribe("/queue/behind", id="1")
	got = [int(m.body.split()[0]) for m in c.wait(3000, timeout=60)]
	check(got == list(range(3000)), "every message, in order")
	EOF
'

test_done
