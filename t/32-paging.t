#!/bin/sh
# Paging: a queue keeps a window of messages in memory and reads the rest
# from the store as it drains, in order, higher priorities first.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

# 5000 persistent messages, more than the 1000-message window, with a few
# of priority 9 at the end.
fill() {
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	for i in range(5000):
	    prio = "9" if i >= 4990 else "4"
	    h = {"persistent": "true", "priority": prio}
	    if i % 500 == 499:
	        h["receipt"] = "r%d" % i
	    p.conn.send("/queue/paged", "%d" % i, headers=h)
	p.wait_receipt("r4999")
	EOF
}

drain() {
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/paged", id="1", ack="client", headers={"activemq.prefetchSize": "100"})
	got = []
	while len(got) < 5000:
	    ms = c.wait(min(100, 5000 - len(got)), timeout=60)
	    got += [int(m.body) for m in ms]
	    c.conn.ack(ms[-1].headers["ack"])
	low = [i for i in got if i < 4990]
	high = [i for i in got if i >= 4990]
	check(sorted(got) == list(range(5000)), "every message once: %d" % len(set(got)))
	check(low == sorted(low) and high == sorted(high), "in order within each priority")
	last_high = max(got.index(i) for i in high)
	check(last_high < 1200, "the priority 9 messages come with the first page, not last: %d" % last_high)
	c.sync()
	check(not c.messages, "nothing more")
	EOF
}

test_expect_success 'a backlog larger than the memory window drains in order, priorities first' '
	fill && drain
'

test_expect_success 'after a restart a large backlog is paged in, not loaded whole' '
	fill && stop_broker node1 && start_broker node1 &&
	log_contains node1 "5000 message(s) recovered" &&
	drain
'

# A C client drains faster than the store deletes what it acknowledges;
# each acknowledgement waits in memory until written, so paging in waits
# while the writer is more than 20,000 operations behind (queue.c).
test_expect_success 'a fast consumer of 100,000 paged-out messages waits for the store: each comes once, none after a restart' '
	STOMP=127.0.0.1:$(broker_stomp_port node1) &&
	ctl --json producer --stomp $STOMP --destination queue://fast --parallel 4 --count 25000 \
		--receipt-every 1000 --persistent --size 256 >build.json &&
	json_true "rows[0][\"messages\"] == 100000" build.json &&
	ctl --json consumer --stomp $STOMP --destination queue://fast --total 100000 \
		--timeout 60 >drain.json &&
	json_true "rows[0][\"received\"] == 100000 and rows[0][\"redelivered\"] == 0" drain.json &&
	log_contains node1 "operations behind; reading paged-out messages waits for it" &&
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/fast", id="1", ack="client")
	c.sync()
	check(not c.messages, "no acknowledged message came back: %d" % len(c.messages))
	EOF
'

test_done
