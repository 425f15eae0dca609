#!/bin/sh
# One way in (issue 19): every producer meets the same policy. With the
# broker's memory full and sendFailIfNoSpace, a STOMP SEND, a STOMP
# transaction, an MQTT PUBLISH and will, the REST API, the management
# socket's send, copy and move, and tandemctl send are all refused, each
# with the error its clients expect, and nothing refused is delivered;
# once there is room again each goes through. A transaction bigger than a
# queue's memoryLimit is refused whole. The same with the store full
# (storeUsage), and a user without write rights is refused by each. (Authorization per producer is in
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

# Persistent messages alone do not fill memory: past 70% of memoryUsage a
# queue keeps them on disk, as ActiveMQ's store cursor does. A few wait in
# queue fill for the management copy and move below.
test_expect_success 'a client holding 300 KB of unfinished input fills memory' '
	stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(5):
	    send_on(p, "/queue/fill", "f%d" % i, headers={"persistent": "true"})
	EOF
	hold_memory
'

test_expect_success 'STOMP SEND: refused with an ERROR once memory is full' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	sent, text = send_until_refused(p, "/queue/fill", "f%d " + "x" * 1024, 1000,
	                                headers={"persistent": "true"})
	check("Usage Manager Memory Limit reached" in text, text)
	check(sent < 1000, "refused after %d" % sent)
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
	# the connection stays open, as in ActiveMQ; the COMMIT says so too
	until("the COMMIT answered", lambda: any(x.headers.get("message") == "Transaction rolled back"
	                                         for x in t.errors))
	check("c1" not in t.receipts, "the COMMIT was not receipted")
	check(queue_size(Mgmt(), "node1", "txq") == 0, "nothing of the transaction was delivered")
	EOF
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

# A full store (storeUsage): every persistent send is refused, whoever sends it.
BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <storeUsage><storeUsage limit="2 mb"/></storeUsage>
</systemUsage></systemUsage>' MGMT_PORT=auto WEB_PORT=auto MQTT_OPTIONS= \
broker_config store && start_broker store || exit 1
SAPI="http://127.0.0.1:$(broker_web_port store)/api/message"
S1=127.0.0.1:$(broker_mgmt_port store)

test_expect_success 'storeUsage: STOMP SEND and a transaction, MQTT QoS 1, REST, management and tandemctl are refused' '
	PORT=$(broker_port store) MQTT_PORT=$(broker_mqtt_port store) stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	import tmqtt
	p = client()
	sent, text = send_until_refused(p, "/queue/sfill", "m%d " + "x" * 1024, 20000,
	                                headers={"persistent": "true"})
	check("Usage Manager Store is Full" in text, text)
	t = client()
	t.conn.begin("st")
	try:
	    t.conn.send("/queue/stx", "t", headers={"transaction": "st", "persistent": "true"})
	    t.conn.commit("st", headers={"receipt": "cs"})
	except OSError:
	    pass
	e = t.wait_error()
	check("Store is Full" in e.headers.get("message", "") + e.body, e.headers)
	t.sync()
	check(any(x.headers.get("message") == "Transaction rolled back" for x in t.errors),
	      [x.headers for x in t.errors])
	q = tmqtt.Client("store-pub")
	info = q.c.publish("st/q", "m", 1)
	info.wait_for_publish(5)
	check(not info.is_published(), "the QoS 1 PUBLISH was acknowledged")
	m = Mgmt(mport("store"))
	m.execute(broker_name("store"), "addQueue", "smq")
	r = m.req({"type": "exec", "mbean": queue_name("store", "smq"),
	           "operation": "sendTextMessage", "arguments": [{"persistent": "true"}, "x"]})
	check(r["status"] != 200 and "Store is Full" in r.get("error", ""), r)
	check(queue_size(m, "store", "stx") == 0 and queue_size(m, "store", "smq") == 0,
	      "nothing refused was delivered")
	EOF
	code=$(curl -s -o out -w "%{http_code}" -u admin:admin --data-binary x \
		"$SAPI/srest?type=queue&JMSDeliveryMode=persistent") &&
	test "$code" = 503 && grep -q "Store is Full" out &&
	! ctl --node $S1 send queue://sctl --persistent --body x >out 2>&1 &&
	grep -q "Store is Full" out
'

# Authorization: a user who may not write to queue secret is refused by
# every producer, with its protocol's refusal.
BROKER_EXTRA='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="a" groups="admins"/>
  <authenticationUser username="app" password="b" groups="users"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="open.>" read="users" write="users" admin="users"/>
  <authorizationEntry topic=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry topic="open.>" read="users" write="users" admin="users"/>
  <authorizationEntry queue="tstomp.>" read="*" write="*" admin="*"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>' MGMT_PORT=auto WEB_PORT=auto MQTT_OPTIONS= \
broker_config authz && start_broker authz || exit 1
AAPI="http://127.0.0.1:$(broker_web_port authz)/api/message"
A1=127.0.0.1:$(broker_mgmt_port authz)

test_expect_success 'authorization: STOMP SEND and a transaction, MQTT PUBLISH, REST, management and tandemctl refuse a user without write' '
	PORT=$(broker_port authz) MQTT_PORT=$(broker_mqtt_port authz) stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	import tmqtt
	p = client(login="app", passcode="b")
	p.conn.send("/queue/secret", "s", headers={"receipt": "s1"})
	e = p.wait_error()
	check(e.headers.get("message") == "Not authorized", e.headers)
	p.conn.begin("at")
	p.conn.send("/queue/secret", "s", headers={"transaction": "at"})
	p.conn.send("/queue/open.ok", "fine", headers={"transaction": "at"})
	p.conn.commit("at", headers={"receipt": "ca"})
	p.sync()
	check(any(x.headers.get("message") == "Transaction rolled back" for x in p.errors),
	      [x.headers for x in p.errors])
	q = tmqtt.Client("authz-pub", user="app", password="b")
	info = q.c.publish("secret/t", "m", 1)
	info.wait_for_publish(5)
	check(not info.is_published(), "the PUBLISH to a forbidden topic was acknowledged")
	a = Mgmt(mport("authz"))
	check(a.req({"type": "login", "user": "admin", "password": "a"})["status"] == 200, "admin")
	a.execute(broker_name("authz"), "addQueue", "secret")
	m = Mgmt(mport("authz"))
	check(m.req({"type": "login", "user": "app", "password": "b"})["status"] == 200, "login")
	r = m.req({"type": "exec", "mbean": queue_name("authz", "secret"),
	           "operation": "sendTextMessage", "arguments": ["x"]})
	check(r["status"] == 403, r)
	check(queue_size(a, "authz", "secret") == 0 and queue_size(a, "authz", "open.ok") == 0,
	      "nothing refused was delivered, nor the rest of the rolled back transaction")
	EOF
	code=$(curl -s -o out -w "%{http_code}" -u app:b --data-binary x "$AAPI/secret?type=queue") &&
	test "$code" = 403 &&
	! ctl --node $A1 --user app --password b send queue://secret --body x >out 2>&1 &&
	grep -qi "not authorized" out
'

test_done
