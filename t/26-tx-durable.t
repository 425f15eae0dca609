#!/bin/sh
# A transaction's messages and acks take effect only when its commit is
# durable: nothing of it reaches a consumer before the COMMIT's receipt,
# and a kill -9 inside the commit leaves all of it or none.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto broker_config node1 && start_broker node1 || exit 1
M1=127.0.0.1:$(broker_mgmt_port node1)

# Frames on one connection keep their order: the MESSAGEs that came before
# a COMMIT's RECEIPT were dispatched before the commit was durable. They
# are counted as the RECEIPT arrives (the reader thread goes on after).
cat >"$TRASH/txwatch.py" <<-\EOF
	import stomp

	def watch_receipt(c, rid):
	    """A list that gets how many messages c held when receipt rid came."""
	    seen = []

	    class L(stomp.ConnectionListener):
	        def on_receipt(self, frame):
	            if frame.headers.get("receipt-id") == rid:
	                seen.append(len(c.messages))
	    c.conn.set_listener("txwatch", L())
	    return seen
	EOF

test_expect_success 'a committed transaction reaches its own auto-ack subscription only after the receipt' '
	stomp_py <<-\EOF
	from tstomp import *
	import os, sys
	sys.path.insert(0, os.environ["TRASH"])
	from txwatch import watch_receipt
	c = client()
	early = watch_receipt(c, "c")
	c.conn.subscribe("/queue/txd.own", id="1")
	c.sync()
	c.conn.begin(transaction="t")
	for i in range(200):
	    c.conn.send("/queue/txd.own", "m%d" % i, transaction="t", persistent="true")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	check(early == [0], "%r message(s) arrived before the commit was durable" % early)
	check(c.wait_bodies(200) == ["m%d" % i for i in range(200)], "all, in order")
	EOF
'

test_expect_success 'a transaction to a topic reaches subscribers only after the receipt' '
	stomp_py <<-\EOF
	from tstomp import *
	import os, sys
	sys.path.insert(0, os.environ["TRASH"])
	from txwatch import watch_receipt
	c = client()
	early = watch_receipt(c, "c")
	c.conn.subscribe("/topic/txd.t", id="1")
	c.sync()
	c.conn.begin(transaction="t")
	for i in range(50):
	    c.conn.send("/topic/txd.t", "m%d" % i, transaction="t", persistent="true")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	check(early == [0], "%r message(s) before the receipt" % early)
	check(c.wait_bodies(50) == ["m%d" % i for i in range(50)], "all, in order")
	EOF
'

test_expect_success 'a transaction beyond the paging window keeps its order behind a backlog' '
	stomp_py <<-\EOF
	from tstomp import *
	import os, sys
	sys.path.insert(0, os.environ["TRASH"])
	from txwatch import watch_receipt
	p = client()
	for i in range(300):
	    p.conn.send("/queue/txd.page", "b%d" % i, persistent="true")
	p.sync()
	p.conn.begin(transaction="t")
	for i in range(1500):
	    p.conn.send("/queue/txd.page", "m%d" % i, transaction="t", persistent="true")
	early = watch_receipt(p, "c")
	p.conn.subscribe("/queue/txd.page", id="1")
	p.conn.commit(transaction="t", receipt="c")
	p.wait_receipt("c")
	check(early[0] <= 300, "%r message(s) before the receipt" % early)
	want = ["b%d" % i for i in range(300)] + ["m%d" % i for i in range(1500)]
	check(p.wait_bodies(1800) == want, "the backlog, then the transaction, in order")
	EOF
'

# A consumer with room for one message acks it in a transaction: the next
# comes only after the COMMIT's RECEIPT, when the ack has taken effect.
test_expect_success 'a transacted ack makes room for the next message only once the commit is durable' '
	stomp_py <<-\EOF
	from tstomp import *
	import os, sys
	sys.path.insert(0, os.environ["TRASH"])
	from txwatch import watch_receipt
	p = client()
	for i in range(2):
	    send_on(p, "/queue/txd.room", "m%d" % i, headers={"persistent": "true"})
	c = client()
	early = watch_receipt(c, "c")
	c.conn.subscribe("/queue/txd.room", id="1", ack="client-individual",
	                 headers={"activemq.prefetchSize": "1"})
	m = c.wait(1)[0]
	c.conn.begin(transaction="t")
	c.conn.ack(m.headers["ack"], transaction="t")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	check(early == [0], "%r message(s) before the receipt" % early)
	check(c.wait_bodies(1) == ["m1"], "the next one after it")
	EOF
'

test_expect_success 'a transacted cumulative ack (ack:client) takes every message before it' '
	stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(3):
	    send_on(p, "/queue/txd.cum", "m%d" % i, headers={"persistent": "true"})
	c = client()
	c.conn.subscribe("/queue/txd.cum", id="1", ack="client")
	ms = c.wait(3)
	c.conn.begin(transaction="t")
	c.conn.ack(ms[2].headers["ack"], transaction="t")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	EOF
	kill_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/txd.cum", "end")
	d = subscriber("/queue/txd.cum")
	b = d.wait_bodies(1)
	check(b == ["end"], "all three acked: %r" % b)
	EOF
'

# The writer waits 3 s inside every commit (TANDEM_TEST_COMMIT_DELAY_MS),
# so a kill -9 one second after COMMIT (or at the first message, if one
# comes first) always lands before the commit is durable: the consumer must
# then have nothing, and the store nothing of the transaction.
test_expect_success 'kill -9 inside a large commit: an auto-ack consumer got none of it' '
	export TANDEM_TEST_COMMIT_DELAY_MS=3000 &&
	kill_broker node1 && start_broker node1 &&
	stomp_py "$(cat "$TRASH/node1/pid")" >"$TRASH/got" <<-\EOF &&
	import os, signal, sys, time
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/txd.kill", id="1")
	c.sync()
	p = client()
	p.conn.begin(transaction="t")
	for i in range(1000):
	    p.conn.send("/queue/txd.kill", "m%d" % i, transaction="t", persistent="true")
	p.conn.commit(transaction="t", receipt="c")
	deadline = time.monotonic() + 1
	while not c.messages and not p.receipts and time.monotonic() < deadline:
	    time.sleep(0.0005)
	os.kill(int(sys.argv[1]), signal.SIGKILL)
	time.sleep(0.3)
	print("receipt" if p.receipts else "none")
	for m in c.messages:
	    print(m.body)
	EOF
	unset TANDEM_TEST_COMMIT_DELAY_MS &&
	kill_broker node1 2>/dev/null; start_broker node1 &&
	stomp_py "$TRASH/got" <<-\EOF
	import sys
	from tstomp import *
	lines = open(sys.argv[1]).read().split()
	receipted, got = lines[0] == "receipt", lines[1:]
	send(port(), "/queue/txd.kill", "end")
	c = subscriber("/queue/txd.kill")
	kept = []
	while True:
	    b = c.wait_bodies(1)[0]
	    if b == "end":
	        break
	    kept.append(b)
	both = set(got) & set(kept)
	check(not both, "%d message(s) both delivered and still stored" % len(both))
	check(receipted or not got or kept, "the consumer got %d message(s) of a commit "
	      "that was never durable (no receipt, none stored)" % len(got))
	check(len(got) in (0, 1000) and len(got) + len(kept) in (0, 1000),
	      "all or none: got %d, kept %d" % (len(got), len(kept)))
	check(not receipted or len(got) + len(kept) == 1000, "a receipted commit was lost")
	order = got or kept
	check(order == ["m%d" % i for i in range(len(order))], "in order")
	EOF
'

test_expect_success 'a transacted ack is kept once the commit is receipted, with the sends' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/txd.ack", "acked", headers={"persistent": "true"})
	c = client()
	c.conn.subscribe("/queue/txd.ack", id="1", ack="client-individual")
	m = c.wait(1)[0]
	c.conn.begin(transaction="t")
	c.conn.ack(m.headers["ack"], transaction="t")
	c.conn.send("/queue/txd.ack2", "sent", transaction="t", persistent="true")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	EOF
	kill_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/txd.ack", "end")
	c = subscriber("/queue/txd.ack")
	b = c.wait_bodies(1)
	check(b == ["end"], "the acked message did not come back: %r" % b)
	d = subscriber("/queue/txd.ack2")
	b = d.wait_bodies(1, 3)
	check(b == ["sent"], "the send of the transaction is kept")
	EOF
'

# The COMMIT is surely taken after 0.3 s, and its commit lasts 2 s.
test_expect_success 'a browser sees a transaction only once its commit is durable' '
	export TANDEM_TEST_COMMIT_DELAY_MS=2000 &&
	stop_broker node1 && start_broker node1 &&
	rm -f "$TRASH/committing" &&
	stomp_py "$TRASH/committing" <<-\EOF &
	import sys, time
	from tstomp import *
	c = client()
	c.conn.begin(transaction="t")
	for i in range(10):
	    c.conn.send("/queue/txd.browse", "m%d" % i, transaction="t", persistent="true")
	c.conn.commit(transaction="t", receipt="c")
	time.sleep(0.3)
	open(sys.argv[1], "w").write("%d\n" % len(c.receipts))
	c.wait_receipt("c")
	EOF
	pid=$! &&
	wait_lines "$TRASH/committing" 1 &&
	ctl --node $M1 --json browse txd.browse >"$TRASH/during.json" &&
	wait $pid &&
	ctl --node $M1 --json browse txd.browse >"$TRASH/after.json" &&
	unset TANDEM_TEST_COMMIT_DELAY_MS &&
	stop_broker node1 && start_broker node1 &&
	grep -qx 0 "$TRASH/committing" &&
	json_true "rows == []" "$TRASH/during.json" &&
	json_true "[r[\"Text\"] for r in rows] == [\"m%d\" % i for i in range(10)]" "$TRASH/after.json"
'

# A kill -9 inside the commit of a transaction that acked one message and
# sent another: after the restart the acked message is back and the sent
# one is not there (one store commit holds both).
test_expect_success 'kill -9 inside the commit of acks and sends: neither took effect' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/txd.ack3", "acked", headers={"persistent": "true"})
	EOF
	export TANDEM_TEST_COMMIT_DELAY_MS=3000 &&
	kill_broker node1 && start_broker node1 &&
	stomp_py "$(cat "$TRASH/node1/pid")" <<-\EOF &&
	import os, signal, sys, time
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/txd.ack3", id="1", ack="client-individual")
	m = c.wait(1)[0]
	c.conn.begin(transaction="t")
	c.conn.ack(m.headers["ack"], transaction="t")
	c.conn.send("/queue/txd.ack4", "sent", transaction="t", persistent="true")
	c.conn.commit(transaction="t", receipt="c")
	time.sleep(0.5)
	check(not c.receipts, "the commit is not durable yet")
	os.kill(int(sys.argv[1]), signal.SIGKILL)
	EOF
	unset TANDEM_TEST_COMMIT_DELAY_MS &&
	kill_broker node1 2>/dev/null; start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/txd.ack3", "end")
	c = subscriber("/queue/txd.ack3")
	b = c.wait_bodies(2)
	check(b == ["acked", "end"], "the ack did not take effect: %r" % b)
	send(port(), "/queue/txd.ack4", "end")
	d = subscriber("/queue/txd.ack4")
	b = d.wait_bodies(1)
	check(b == ["end"], "the send did not take effect: %r" % b)
	EOF
'

# A consumer acks in a transaction and goes away before the commit is
# durable (2 s): the message must not reach the other consumer meanwhile,
# and the ack holds after a restart.
test_expect_success 'a consumer that closes while its transacted ack commits: the message reaches nobody else' '
	stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(2):
	    send_on(p, "/queue/txd.close", "m%d" % i, headers={"persistent": "true"})
	EOF
	export TANDEM_TEST_COMMIT_DELAY_MS=2000 &&
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF &&
	import socket, time
	from tstomp import *
	a = client()
	a.conn.subscribe("/queue/txd.close", id="1", ack="client-individual",
	                 headers={"activemq.prefetchSize": "1"})
	m = a.wait(1)[0]
	b = client()
	b.conn.subscribe("/queue/txd.close", id="1")
	check(b.wait_bodies(1) == ["m1"], "the other consumer has the second message")
	a.conn.begin(transaction="t")
	a.conn.ack(m.headers["ack"], transaction="t")
	a.conn.commit(transaction="t", receipt="c")
	time.sleep(0.3)
	check(not a.receipts, "the commit is not durable yet")
	a.conn.transport.socket.shutdown(socket.SHUT_RDWR)
	p = client()
	send_on(p, "/queue/txd.close", "end", headers={"persistent": "true"})
	got = b.wait_bodies(1)
	check(got == ["end"], "after the close, before the end: %r" % got)
	EOF
	unset TANDEM_TEST_COMMIT_DELAY_MS &&
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/txd.close", "fin")
	c = subscriber("/queue/txd.close")
	b = c.wait_bodies(1)
	check(b == ["fin"], "the ack is kept: %r" % b)
	EOF
'

# 1,001 messages wait from before a restart, so the queue has one on disk
# and a transaction's non-persistent messages go to the temp store behind
# it. A send just before the COMMIT holds the store 3 s, so the
# transaction's commit ends at about 6 s while the temp store's is done at
# about 3.3 s: the consumer is looked at in between, at 4.6 s.
test_expect_success 'non-persistent messages of a transaction in the temp store reach a consumer only after the receipt' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send_backlog(client(), "/queue/txd.spill", 1000)
	EOF
	export TANDEM_TEST_COMMIT_DELAY_MS=3000 &&
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF &&
	import time
	from tstomp import *
	c = client()
	p = client()
	k = client()
	k.conn.send("/queue/txd.kick", "kick", headers={"persistent": "true"})
	time.sleep(0.3)
	p.conn.begin(transaction="t")
	p.conn.send("/queue/txd.spill", "p0", transaction="t", persistent="true")
	for i in range(5):
	    p.conn.send("/queue/txd.spill", "n%d" % i, transaction="t", persistent="false")
	p.conn.commit(transaction="t", receipt="c")
	# Its own message back says the COMMIT was taken (and the transaction
	# routed, behind the backlog) before the consumer comes.
	p.conn.subscribe("/queue/txd.echo", id="9")
	p.conn.send("/queue/txd.echo", "echo", headers={"persistent": "false"})
	p.wait(1)
	c.conn.subscribe("/queue/txd.spill", id="1")
	time.sleep(4)
	early = [m.body for m in list(c.messages) if m.body[0] in "pn"]
	check(not p.receipts, "the commit is not durable yet")
	check(not early, "before the commit was durable: %r" % early)
	p.wait_receipt("c", timeout=30)
	want = ["d%d" % i for i in range(1000)] + ["last", "p0"] + ["n%d" % i for i in range(5)]
	got = c.wait_bodies(1007)
	check(got == want, "the backlog, then the transaction, in order: %r" % got[995:])
	EOF
	unset TANDEM_TEST_COMMIT_DELAY_MS
'

# The expiry sweep runs every 200 ms (TANDEM_TEST_EXPIRY_SWEEP_MS) while a
# commit of messages that expire at once lasts 2 s.
test_expect_success 'a transacted message that expires while its commit runs reaches the DLQ only after it' '
	export TANDEM_TEST_COMMIT_DELAY_MS=2000 TANDEM_TEST_EXPIRY_SWEEP_MS=200 &&
	stop_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF &&
	import time
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	before = queue_size(m, "node1", "ActiveMQ.DLQ")
	p = client()
	p.conn.begin(transaction="t")
	gone = "%d" % (int(time.time() * 1000) + 300)
	for i in range(3):
	    p.conn.send("/queue/txd.exp", "x%d" % i, transaction="t",
	                headers={"persistent": "true", "expires": gone})
	p.conn.commit(transaction="t", receipt="c")
	time.sleep(1)
	check(not p.receipts, "the commit is not durable yet")
	during = queue_size(m, "node1", "ActiveMQ.DLQ") - before
	p.wait_receipt("c", timeout=30)
	deadline = time.monotonic() + WAIT
	while queue_size(m, "node1", "ActiveMQ.DLQ") - before < 3 and time.monotonic() < deadline:
	    time.sleep(0.1)
	after = queue_size(m, "node1", "ActiveMQ.DLQ") - before
	check(during == 0 and after == 3,
	      "dead letters while the commit ran: %d, after it: %d" % (during, after))
	EOF
	unset TANDEM_TEST_COMMIT_DELAY_MS TANDEM_TEST_EXPIRY_SWEEP_MS &&
	stop_broker node1 && start_broker node1
'

# A commit that fails (a full disk): the producer hears so, and its
# messages never reach the consumer that was listening, then or later.
DISK=$TRASH/fs
mkdir -p "$DISK"
if mount -t tmpfs -o size=4m tandem-txd "$DISK" 2>/dev/null; then
	trap 'test_cleanup; umount "$DISK" 2>/dev/null' EXIT
	MGMT_PORT=auto STORE_DIR=$DISK/kahadb broker_config disk && start_broker disk || exit 1

	test_expect_success 'a transaction whose commit fails reaches no consumer' '
		PORT=$(broker_port disk) stomp_py "$DISK/filler" <<-\EOF &&
		import subprocess, sys
		from tstomp import *
		c = client()
		c.conn.subscribe("/queue/txd.full", id="1")
		c.sync()
		subprocess.call(["dd", "if=/dev/zero", "of=" + sys.argv[1], "bs=4k"],
		                stderr=subprocess.DEVNULL)
		p = client()
		p.conn.begin(transaction="t")
		for i in range(50):
		    p.conn.send("/queue/txd.full", "m%d %s" % (i, "x" * 2048), transaction="t",
		                persistent="true")
		p.conn.commit(transaction="t", receipt="c")
		e = p.wait_error()
		check("could not make the message durable" in e.body, e.body)
		check("c" not in p.receipts, "no receipt for a failed commit")
		c.sync()
		check(not c.messages, "%d message(s) of the failed commit delivered" % len(c.messages))
		EOF
		log_contains disk "commit failed .*: its 50 message(s) are not delivered" &&
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF
		from tstomp import *
		send(port(), "/queue/txd.full", "end", headers={"persistent": "true"})
		c = subscriber("/queue/txd.full")
		b = c.wait_bodies(1)
		check(b == ["end"], "nothing of the failed commit: %r" % b[:1])
		EOF
	'

	# 1,000 messages fill the window of txd.deep; 11 more wait on disk at
	# two priorities. The transaction sends past the window there
	# (non-persistent ones go to the temp store), and non-persistent
	# messages to a queue that holds them in memory. A durable subscription
	# to txd.t, which was away, has one message on disk likewise.
	test_expect_success 'a transaction whose commit fails is counted nowhere, in memory or paged out' '
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		send_backlog(client(), "/queue/txd.deep", 1000, high=10)
		c = client(headers={"client-id": "keeper"})
		c.conn.subscribe("/topic/txd.t", id="1", headers={"activemq.subscriptionName": "k"})
		c.sync()
		c.conn.disconnect()
		send_backlog(client(), "/topic/txd.t", 1000)
		EOF
		PORT=$(broker_port disk) MPORT=$(broker_mgmt_port disk) stomp_py "$DISK/filler" <<-\EOF &&
		import subprocess, sys
		from tstomp import *
		from tmgmt import *
		m = Mgmt()
		total = m.read(broker_name("disk"), "TotalEnqueueCount")
		held = m.read(broker_name("disk"), "TotalMessageCount")
		subprocess.call(["dd", "if=/dev/zero", "of=" + sys.argv[1], "bs=4k"],
		                stderr=subprocess.DEVNULL)
		p = client()
		p.conn.begin(transaction="t")
		for i in range(50):
		    p.conn.send("/queue/txd.deep", "t%d" % i, transaction="t", persistent="true")
		    p.conn.send("/queue/txd.deep", "s%d" % i, transaction="t", persistent="false")
		for i in range(5):
		    p.conn.send("/queue/txd.mem", "n%d" % i, transaction="t", persistent="false")
		    p.conn.send("/topic/txd.t", "n%d" % i, transaction="t", persistent="false")
		    p.conn.send("/topic/txd.t", "t%d" % i, transaction="t", persistent="true")
		p.conn.commit(transaction="t", receipt="c")
		p.wait_error()
		counts = lambda q: [queue_attr(m, "disk", q, a)
		                    for a in ("QueueSize", "EnqueueCount", "DequeueCount")]
		deep, mem = counts("txd.deep"), counts("txd.mem")
		topic = m.read(broker_name("disk") + ",destinationType=Topic,destinationName=txd.t")
		durable = [topic["QueueSize"], topic["EnqueueCount"]]
		added = m.read(broker_name("disk"), "TotalEnqueueCount") - total
		more = m.read(broker_name("disk"), "TotalMessageCount") - held
		check(deep == [1011, 1011, 0] and mem == [0, 0, 0] and durable == [1001, 1001] and
		      added == 0 and more == 0,
		      "QueueSize, EnqueueCount, DequeueCount: past the window %r, in memory %r; "
		      "the topic kept by a durable: QueueSize, EnqueueCount %r; "
		      "TotalEnqueueCount went up by %d, TotalMessageCount by %d"
		      % (deep, mem, durable, added, more))
		EOF
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF
		from tstomp import *
		c = subscriber("/queue/txd.deep")
		got = c.wait_bodies(1011)
		c.sync()
		tx = [b for b in got + [m.body for m in c.messages] if b[0] in "ts"]
		check(not tx, "%d message(s) of the failed commit delivered" % len(tx))
		EOF
	'
	stop_broker disk
else
	test_skip 'a transaction whose commit fails reaches no consumer' \
		'cannot mount a tmpfs here (needs root)'
fi

test_done
