#!/bin/sh
# One way in (issue 19): every producer meets the same policy. With the
# broker's memory full and sendFailIfNoSpace, a STOMP SEND, a STOMP
# transaction, an MQTT PUBLISH and will, the REST API, the management
# socket's send, copy and move, and tandemctl send are all refused, each
# with the error its clients expect, and nothing refused is delivered;
# once there is room again each goes through. A transaction bigger than a
# queue's memoryLimit is refused whole. (Authorization per producer is in
# t/89-authorization.t and t/63-mgmt-authorization.t.) Persistent messages
# throughout: non-persistent ones for a queue go to the temp store when
# memory is full, as ActiveMQ's cursors spill them.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto WEB_PORT=auto MQTT_OPTIONS= BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <memoryUsage><memoryUsage limit="256 kb"/></memoryUsage>
</systemUsage></systemUsage>' broker_config node1 && start_broker node1 || exit 1
API="http://127.0.0.1:$(broker_web_port node1)/api/message"
M1=127.0.0.1:$(broker_mgmt_port node1)
export MQTT_PORT=$(broker_mqtt_port node1)

# hold_memory: a STOMP client that sends 300 KB of a frame and no end
# keeps that much input in the broker's memoryUsage: memory stays full
# whatever the messages come to, until release_memory.
hold_memory() {
	stomp_py >"$TRASH/holder.out" 2>&1 <<-\EOF &
	import os, socket, time
	from tstomp import port
	open(os.environ["TRASH"] + "/holder.pid", "w").write("%d\n" % os.getpid())
	s = socket.create_connection(("127.0.0.1", port()))
	s.sendall(b"CONNECT\naccept-version:1.2\nhost:h\n\n\0")
	s.recv(4096)
	s.sendall(b"SEND\ndestination:/queue/held\n\n" + b"x" * 300 * 1024)
	print("holding", flush=True)
	time.sleep(300)
	EOF
	for i in $(seq 100); do grep -q holding "$TRASH/holder.out" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

release_memory() {
	kill "$(cat "$TRASH/holder.pid")" &&
	stomp_py <<-\EOF
	from tmgmt import *
	m = Mgmt()
	until("the held input given back",
	      lambda: m.read(broker_name("node1"), "MemoryPercentUsage") < 100)
	EOF
}

test_expect_success 'STOMP SEND: refused with an ERROR once memory is full' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	sent, text = send_until_refused(p, "/queue/fill", "f%d " + "x" * 1024, 1000,
	                                headers={"persistent": "true"})
	check("Usage Manager Memory Limit reached" in text, text)
	check(0 < sent < 1000, "refused after %d" % sent)
	EOF
'

test_expect_success 'STOMP transaction: the refused SEND gets an ERROR, the COMMIT rolls it all back' '
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	t = client()
	t.conn.begin("tx1")
	try:   # the ERROR may close the connection before the COMMIT
	    for i in range(3):
	        t.conn.send("/queue/txq", "t%d" % i,
	                    headers={"transaction": "tx1", "persistent": "true"})
	    t.conn.commit("tx1", headers={"receipt": "c1"})
	except OSError:
	    pass
	e = t.wait_error()
	check("Usage Manager Memory Limit reached" in e.headers.get("message", "") + e.body,
	      (e.headers, e.body))
	t.sync()   # the connection stays open, as in ActiveMQ; the COMMIT says so too
	check(any(x.headers.get("message") == "Transaction rolled back" for x in t.errors),
	      [x.headers for x in t.errors])
	check("c1" not in t.receipts, "the COMMIT was not receipted")
	check(queue_size(Mgmt(), "node1", "txq") == 0, "nothing of the transaction was delivered")
	EOF
'

test_expect_success 'a client holding 300 KB of unfinished input fills memory' '
	hold_memory
'

test_expect_success 'MQTT PUBLISH: the connection is closed without a PUBACK' '
	stomp_py <<-\EOF
	from tmqtt import Client
	from tstomp import check
	s = Client("sub-full")
	s.sub("full/t", 1)
	p = Client("pub-full")
	info = p.c.publish("full/t", "m", 1)
	info.wait_for_publish(5)
	check(not info.is_published(), "the PUBLISH was acknowledged")
	EOF
	log_contains node1 "Usage Manager Memory Limit reached on topic://full.t"
'

test_expect_success 'MQTT will: not published, and the log says why' '
	stomp_py <<-\EOF
	from tmqtt import Client
	w = Client("will-full", will=("wills/full", "gone", 1))
	w.drop()
	EOF
	log_contains node1 "will of client will-full was not published: Usage Manager Memory Limit reached"
'

test_expect_success 'REST API POST: 503' '
	code=$(curl -s -o out -w "%{http_code}" -u admin:admin --data-binary x \
		"$API/restq?type=queue&JMSDeliveryMode=persistent") &&
	test "$code" = 503 && grep -q "Usage Manager Memory Limit reached" out
'

test_expect_success 'management send, copy and move: refused with the reason' '
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	q = queue_name("node1", "mq")
	m.execute(broker_name("node1"), "addQueue", "mq")
	r = m.req({"type": "exec", "mbean": q, "operation": "sendTextMessage",
	           "arguments": [{"persistent": "true"}, "x"]})
	check(r["status"] != 200 and "Usage Manager" in r.get("error", ""), r)
	first = m.execute(queue_name("node1", "fill"), "browse")[0]["JMSMessageID"]
	for op in ("copyMessageTo", "moveMessageTo"):
	    r = m.req({"type": "exec", "mbean": queue_name("node1", "fill"), "operation": op,
	               "arguments": [first, "mq"]})
	    check(r["status"] != 200 and "Usage Manager" in r.get("error", ""), (op, r))
	check(queue_size(m, "node1", "mq") == 0, "nothing reached mq")
	EOF
'

test_expect_success 'tandemctl send --persistent: fails with the reason' '
	! ctl --node $M1 send queue://ctlq --persistent --body x >out 2>&1 &&
	grep -q "Usage Manager Memory Limit reached" out
'

test_expect_success 'with room again, every producer goes through' '
	ctl --node $M1 purge queue://fill &&
	release_memory &&
	ctl --node $M1 send queue://ctlq --persistent --body x &&
	code=$(curl -s -o out -w "%{http_code}" -u admin:admin --data-binary x "$API/restq?type=queue") &&
	test "$code" = 200 &&
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	t = client()
	t.conn.begin("tx2")
	t.conn.send("/queue/txq", "ok", headers={"transaction": "tx2"})
	t.conn.commit("tx2", headers={"receipt": "c2"})
	t.wait_receipt("c2")
	m = Mgmt()
	until("the commit delivered", lambda: queue_size(m, "node1", "txq") == 1)
	m.execute(queue_name("node1", "mq"), "sendTextMessage", "x")
	check(queue_size(m, "node1", "mq") == 1, "management send")
	EOF
'

BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="limited" memoryLimit="64 kb" producerFlowControl="true"/>
</policyEntries></policyMap></destinationPolicy>
<systemUsage><systemUsage sendFailIfNoSpace="true"/></systemUsage>' MGMT_PORT=auto \
broker_config limited && start_broker limited || exit 1

test_expect_success 'a transaction bigger than the queue memoryLimit is refused whole' '
	PORT=$(broker_port limited) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	t = client()
	t.conn.begin("big")
	try:   # the ERROR may close the connection before the last SEND
	    for i in range(200):
	        t.conn.send("/queue/limited", "%d %s" % (i, "x" * 1024),
	                    headers={"transaction": "big", "persistent": "true"})
	    t.conn.commit("big", headers={"receipt": "cb"})
	except OSError:
	    pass
	e = t.wait_error()
	check("Usage Manager Memory Limit reached on queue://limited" in
	      e.headers.get("message", "") + e.body, (e.headers, e.body))
	t.sync()
	check(any(x.headers.get("message") == "Transaction rolled back" for x in t.errors),
	      [x.headers for x in t.errors])
	check("cb" not in t.receipts, "the COMMIT was not receipted")
	m = Mgmt(mport("limited"))
	check(queue_size(m, "limited", "limited") == 0, "nothing of it was delivered")
	EOF
'

test_done
