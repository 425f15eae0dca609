#!/bin/sh
# The store's limits: storeUsage holds or refuses persistent producers, a
# limit larger than the disk is lowered to fit, and a disk that really
# fills up is told to the producers while consumers keep receiving and
# the store stays sound.
. "$(dirname "$0")/test-lib.sh"

BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <storeUsage><storeUsage limit="2 mb"/></storeUsage>
</systemUsage></systemUsage>'
broker_config failing && start_broker failing || exit 1

test_expect_success 'past the storeUsage limit a persistent producer gets an ERROR, nothing accepted is lost' '
	PORT=$(broker_port failing) stomp_py <<-\EOF
	from tstomp import *
	fill_then_drain("/queue/full", "Usage Manager Store is Full on queue://full", 500,
	                headers={"persistent": "true"})
	# Non-persistent messages do not need the store.
	q = client()
	send_on(q, "/queue/other", "light")
	EOF
'

stop_broker failing
BROKER_EXTRA='<systemUsage><systemUsage>
  <storeUsage><storeUsage limit="2 mb"/></storeUsage>
</systemUsage></systemUsage>'
broker_config holding && start_broker holding || exit 1

test_expect_success 'without sendFailIfNoSpace the producer is held until consumers make room' '
	PORT=$(broker_port holding) stomp_py <<-\EOF &&
	from tstomp import *
	n = 6000
	t = produce_until_held("holding", "/queue/held", n)
	d = client()
	d.conn.subscribe("/queue/held", id="1")
	received_all(d, n, t)
	EOF
	log_contains holding "Usage Manager Store is Full on queue://held"
'

# A disk that fills up for real: a small tmpfs holds the store, then a
# filler file takes the rest of it.
stop_broker holding
DISK=$TRASH/fs
mkdir -p "$DISK"
if mount -t tmpfs -o size=4m tandem-test "$DISK" 2>/dev/null; then
	trap 'test_cleanup; umount "$DISK" 2>/dev/null' EXIT
	BROKER_EXTRA= MGMT_PORT=auto STORE_DIR=$DISK/kahadb broker_config disk && start_broker disk || exit 1

	test_expect_success 'a storeUsage limit larger than the disk is lowered to fit, with a warning' '
		log_contains disk "WARN.*Store limit is 102400 mb.*only has [0-9]* mb of usable space"
	'

	test_expect_success 'a full disk: producers are told, consumers keep receiving, nothing is damaged' '
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		import os
		from tstomp import *
		p = client()
		for i in range(200):
		    send_on(p, "/queue/before", "b%d" % i, headers={"persistent": "true"})
		EOF
		{ dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; true; } &&
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		import os
		from tstomp import *
		p = client()
		sent, text = send_until_refused(p, "/queue/after", "a%d " + "x" * 512, 5000,
		                                  headers={"persistent": "true"})
		check("No space left on device" in text, "the producer is told why: %r" % text)
		open("%s/after.sent" % os.environ["TRASH"], "w").write("%d" % sent)
		# A producer that asked for no receipt is told as well.
		q = client()
		for i in range(50):
		    q.conn.send("/queue/after", "n%d %s" % (i, "x" * 1024), headers={"persistent": "true"})
		e = q.wait_error()
		check("could not make persistent messages" in e.body, e.body)
		# Consumers keep receiving what was there.
		d = client()
		d.conn.subscribe("/queue/before", id="1")
		got = [m.body for m in d.wait(200)]
		check(got == ["b%d" % i for i in range(200)], "the consumer got all 200")
		EOF
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		import os
		from tstomp import *
		p = client()
		send_on(p, "/queue/later", "room again", headers={"persistent": "true"})
		EOF
		stop_broker disk &&
		"$PYTHON" - "$DISK/kahadb/store.db" <<-\EOF &&
		import sqlite3, sys
		r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]
		print("integrity_check:", r)
		sys.exit(r != "ok")
		EOF
		start_broker disk &&
		PORT=$(broker_port disk) stomp_py <<-\EOF
		import os
		from tstomp import *
		sent = int(open("%s/after.sent" % os.environ["TRASH"]).read())
		c = client()
		c.conn.subscribe("/queue/after", id="1")
		c.conn.subscribe("/queue/later", id="2")
		c.conn.subscribe("/queue/before", id="3")
		c.sync()
		bodies = set(m.body.split()[0] for m in c.messages)
		missing = ["a%d" % i for i in range(sent) if "a%d" % i not in bodies]
		check(not missing, "every receipted message survived: missing %s" % missing[:5])
		check("room" in bodies, "the message sent after the disk had room again")
		again = [b for b in bodies if b.startswith("b")]
		check(not again, "acks taken while the disk was full are kept: %d back" % len(again))
		EOF
	'

	test_expect_success 'a full disk: StorePercentUsage reads 100, and refused sends are not counted in QueueSize or EnqueueCount' '
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		c = client(headers={"client-id": "keeper"})
		c.conn.subscribe("/topic/refused", id="1",
		                 headers={"activemq.subscriptionName": "kept"})
		c.sync()
		c.conn.disconnect()
		# Past the queue'"'"'s window in memory, sends stay on disk only.
		p = client()
		for i in range(1100):
		    p.conn.send("/queue/deep", "d%d" % i, headers={"persistent": "true"})
		send_on(p, "/queue/deep", "last", headers={"persistent": "true"})
		EOF
		{ dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; true; } &&
		PORT=$(broker_port disk) MPORT=$(broker_mgmt_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		from tmgmt import *
		m = Mgmt()
		pct = m.read(broker_name("disk"), "StorePercentUsage")
		check(pct >= 99, "StorePercentUsage with 0 bytes free: %d" % pct)
		p = client()
		sent, text = send_until_refused(p, "/queue/refused", "r%d " + "x" * 512, 5000,
		                                  headers={"persistent": "true"})
		check("No space left on device" in text, text)
		q = client()
		for i in range(20):
		    q.conn.send("/queue/refused", "n%d" % i, headers={"persistent": "true"})
		q.wait_error()
		size = queue_size(m, "disk", "refused")
		enq = queue_attr(m, "disk", "refused", "EnqueueCount")
		check(size == sent and enq == sent,
		      "%d receipted: QueueSize %d, EnqueueCount %d" % (sent, size, enq))
		# A durable subscription that was away does not keep them either.
		t = client()
		sent, text = send_until_refused(t, "/topic/refused", "t%d", 5000,
		                                  headers={"persistent": "true"})
		r = m.req({"type": "read", "attribute": "QueueSize", "mbean":
		           broker_name("disk") + ",destinationType=Topic,destinationName=refused"})
		check(r["value"] == sent, "%d receipted: the topic'"'"'s QueueSize %s" % (sent, r))
		# Nor does a queue whose new messages are paged out.
		d = client()
		sent, text = send_until_refused(d, "/queue/deep", "e%d", 5000,
		                                  headers={"persistent": "true"})
		size = queue_size(m, "disk", "deep")
		enq = queue_attr(m, "disk", "deep", "EnqueueCount")
		check(size == 1101 + sent and enq == 1101 + sent,
		      "1101 + %d receipted: QueueSize %d, EnqueueCount %d" % (sent, size, enq))
		EOF
		rm -f "$DISK/filler"
	'

	# Sends with and without receipts, to a queue and to a topic kept by
	# a durable subscription: the broker counted each as it was routed,
	# and must take back those the full disk refused.
	test_expect_success 'a full disk: refused sends are not counted in TotalEnqueueCount nor in their topic'"'"'s EnqueueCount' '
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		c = client(headers={"client-id": "keeper2"})
		c.conn.subscribe("/topic/refused2", id="1",
		                 headers={"activemq.subscriptionName": "kept"})
		c.sync()
		c.conn.disconnect()
		EOF
		{ dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; true; } &&
		PORT=$(broker_port disk) MPORT=$(broker_mgmt_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		from tmgmt import *
		m = Mgmt()
		topic = broker_name("disk") + ",destinationType=Topic,destinationName=refused2"
		before = m.read(broker_name("disk"), "TotalEnqueueCount")
		p = client()
		sent_q, text = send_until_refused(p, "/queue/refused2", "r%d " + "x" * 512, 5000,
		                                    headers={"persistent": "true"})
		check("No space left on device" in text, text)
		q = client()
		for i in range(20):
		    q.conn.send("/queue/refused2", "n%d" % i, headers={"persistent": "true"})
		q.wait_error()
		t = client()
		sent_t, text = send_until_refused(t, "/topic/refused2", "t%d " + "x" * 512, 5000,
		                                    headers={"persistent": "true"})
		check("No space left on device" in text, text)
		total = m.read(broker_name("disk"), "TotalEnqueueCount") - before
		enq = m.read(topic, "EnqueueCount")
		check(total == sent_q + sent_t and enq == sent_t,
		      "%d + %d receipted: TotalEnqueueCount went up by %d, the topic'"'"'s "
		      "EnqueueCount is %d" % (sent_q, sent_t, total, enq))
		EOF
		rm -f "$DISK/filler"
	'

	# Messages of two priorities wait on disk beyond the window: a refused
	# send of either is taken back from the right one.
	test_expect_success 'a full disk: a refused send to a queue paged out at two priorities is not counted' '
		rm -f "$DISK/filler" &&
		PORT=$(broker_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		send_backlog(client(), "/queue/two", 1000, high=10)
		EOF
		{ dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; true; } &&
		PORT=$(broker_port disk) MPORT=$(broker_mgmt_port disk) stomp_py <<-\EOF &&
		from tstomp import *
		from tmgmt import *
		m = Mgmt()
		p = client()
		sent, text = send_until_refused(p, "/queue/two", "e%d " + "x" * 512, 5000,
		                                  headers={"persistent": "true"})
		check("No space left on device" in text, text)
		size = queue_size(m, "disk", "two")
		enq = queue_attr(m, "disk", "two", "EnqueueCount")
		check(size == 1011 + sent and enq == 1011 + sent,
		      "1011 + %d receipted: QueueSize %d, EnqueueCount %d" % (sent, size, enq))
		EOF
		rm -f "$DISK/filler"
	'
else
	test_skip 'a full disk: producers are told, consumers keep receiving, nothing is damaged' \
		'cannot mount a tmpfs here (needs root)'
fi

test_done
