#!/bin/sh
# OpenWire consumers and connections, with Debian's ActiveMQ JMS client
# unchanged (t/lib/JmsConsumers.java, one scenario per JVM) and the
# `activemq producer|consumer|browse` commands of Debian's activemq
# package: client ids unique per broker, prefetch 0 with MessagePull,
# every ack type, CLIENT_ACKNOWLEDGE and Session.recover(), queue
# browsers, durable subscriptions across a restart, noLocal, exclusive
# consumers, consumer priority, ConsumerControl, malformed selectors.
. "$(dirname "$0")/test-lib.sh"

jms_compile "$TEST_ROOT/t/lib/JmsConsumers.java" || exit 1

BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="app" password="secret" groups="users"/>
</users></simpleAuthenticationPlugin></plugins>' MGMT_PORT=auto broker_config node1 || exit 1
start_broker node1 || exit 1
TP=$(broker_port node1)

# jc SCENARIO ARGS...: one run of the application against node1.
jc() {
	java -cp "$TRASH/jms:$JAVA_CP" JmsConsumers "tcp://127.0.0.1:$TP" "$@"
}

test_expect_success 'a client id is one connection'"'"'s: a second gets InvalidClientIDException in ActiveMQ'"'"'s words, and it is free again once the first closes' '
	jc clientid app-1 >out || { cat out; exit 1; }
	sed -n 1p out | grep -qx "first: connected" &&
	sed -n 2p out | grep -qx "second: javax.jms.InvalidClientIDException: Broker: node1 - Client: app-1 already connected from tcp://127.0.0.1:[0-9]*" &&
	sed -n 3p out | grep -qx "after close: connected" || { cat out; exit 1; }
'

test_expect_success 'a client id is free again when the connection holding it dies (kill -9 of its JVM)' '
	jc hold app-2 >held &
	pid=$!
	wait_lines held 1 &&
	jc clientid app-2 >out
	grep -q "javax.jms.InvalidClientIDException: .* app-2 already connected" out ||
	{ cat out; kill -9 $pid; exit 1; }
	kill -9 $pid
	wait $pid 2>/dev/null
	# The broker hears the socket close; wait for it rather than sleep.
	for i in $(seq 100); do
		jc clientid app-2 >out && grep -qx "first: connected" out && break
		sleep 0.2
	done
	grep -qx "after close: connected" out || { cat out; exit 1; }
'

test_expect_success 'client ids are one name space with STOMP and MQTT: a JMS connection with the client-id of a connected STOMP client or MQTT client gets InvalidClientIDException; a STOMP CONNECT with a connected JMS client'"'"'s id gets ActiveMQ'"'"'s ERROR and is closed; an MQTT client takes a JMS client'"'"'s id over (ActiveMQ steals the link)' '
	JC="java -cp $TRASH/jms:$JAVA_CP JmsConsumers tcp://127.0.0.1:$TP" stomp_py <<-\EOF
	import os, re, subprocess
	import paho.mqtt.client as mqtt
	from tstomp import *
	jc = os.environ["JC"].split()
	def java(*args):
	    return subprocess.run(jc + list(args), capture_output=True, text=True).stdout.strip()
	taken = "javax.jms.InvalidClientIDException: Broker: node1 - Client: %s already connected from tcp://127.0.0.1:[0-9]+"
	s = client(login="app", passcode="secret", headers={"client-id": "shared-1"})
	out = java("connect", "shared-1")
	check(re.fullmatch(taken % "shared-1", out), out)
	s.conn.disconnect()
	out = java("connect", "shared-1")
	check(out == "connected", out)
	m = mqtt.Client(client_id="shared-2")
	m.username_pw_set("app", "secret")
	check(m.connect("127.0.0.1", port()) == 0, "mqtt connect")
	m.loop_start()
	out = java("connect", "shared-2")
	check(re.fullmatch(taken % "shared-2", out), out)
	m.disconnect()
	m.loop_stop()
	for i in range(100):
	    out = java("connect", "shared-2")
	    if out == "connected":
	        break
	check(out == "connected", out)
	w = subprocess.Popen(jc + ["watch", "shared-3"], stdout=subprocess.PIPE, text=True)
	check(w.stdout.readline().strip() == "holding", "watch")
	got = raw(port(), b"CONNECT\nlogin:app\npasscode:secret\nclient-id:shared-3\n\n\0").decode()
	check(got.startswith("ERROR\n"), got)
	check(re.search("\nmessage:Broker: node1 - Client: shared-3 already connected from tcp://127.0.0.1:[0-9]+\n", got), got)
	check("javax.jms.InvalidClientIDException" in got, got)
	m = mqtt.Client(client_id="shared-3")
	m.username_pw_set("app", "secret")
	check(m.connect("127.0.0.1", port()) == 0, "mqtt connect")
	check(w.stdout.readline().strip() == "lost", "the JMS connection was not closed")
	w.wait()
	m.disconnect()
	EOF
'

test_expect_success 'prefetch 0: receive(timeout) and receiveNoWait() return null on an empty queue, one message per pull, receive() waits' '
	jc pull q.pull >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	receive(500) on nothing: null
	receiveNoWait() on nothing: null
	receive(5000): p1
	receiveNoWait(): p2
	another consumer: p3 p4
	receive() waits: p5
	EOF
	diff want out
'

test_expect_success 'CLIENT_ACKNOWLEDGE with prefetch 10: 30 received unacknowledged (delivered acks widen the window), one acknowledge() takes them all and what the session'"'"'s other consumer received' '
	jc clientack q.clientack 30 >out || { cat out; exit 1; }
	printf "another consumer of the session: o1\nreceived unacknowledged: 30\nleft after acknowledge: null null\n" >want &&
	diff want out
'

test_expect_success 'Session.recover() redelivers with JMSRedelivered and JMSXDeliveryCount; so does a consumer that went without acking' '
	jc recover q.recover >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	first: r1 redelivered=false count=1, r2 redelivered=false count=1
	after recover: r1 redelivered=true count=2, r2 redelivered=true count=2
	taken: r3 redelivered=false count=1
	given back: r3 redelivered=true count=2
	then: null
	EOF
	diff want out
'

test_expect_success 'an expired ack: the message expired in the client'"'"'s prefetch goes to the DLQ at once, counted as expired' '
	jc expired q.expired >out || { cat out; exit 1; }
	printf "receive after expiry: null\nin the DLQ while its consumer is open: short-lived\n" >want &&
	diff want out &&
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	m.ok({"type": "login", "user": "app", "password": "secret"})
	q = m.read(queue_name("node1", "q.expired"))
	check(q["ExpiredCount"] == 1 and q["QueueSize"] == 0 and q["InFlightCount"] == 0, q)
	EOF
'

test_expect_success 'a poison ack (past maximumRedeliveries) sends the message to the DLQ with dlqDeliveryFailureCause as ActiveMQ records it' '
	jc poison q.poison >out || { cat out; exit 1; }
	printf "first: bad\nagain: bad\nthen: null\n" >want &&
	diff want out &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client(login="app", passcode="secret")
	c.conn.subscribe("/queue/ActiveMQ.DLQ", id="1", ack="client-individual")
	m = c.wait(1)[0]
	check(m.body == "bad", m.body)
	cause = m.headers.get("dlqDeliveryFailureCause", "")
	check(cause.startswith("java.lang.Throwable: Delivery[2] exceeds redelivery policy limit"), m.headers)
	check(m.headers.get("originalDestination") == "/queue/q.poison", m.headers)
	EOF
'

test_expect_success 'redelivered, unmatched and delivered acks are answered and take nothing; an individual ack takes its message alone' '
	jc acks q.acks >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	redelivered ack: Response
	unmatched ack: Response
	delivered ack: Response
	individual ack of a2: Response
	next consumer: a1 redelivered=true count=2, then null
	EOF
	diff want out
'

test_expect_success 'a QueueBrowser sees every message, with and without a selector, waiting or held by a consumer, the end marked, and consumes nothing' '
	jc browse q.browse >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	browse: b0 b1 b2 b3 b4
	browse JMSType = '"'"'odd'"'"': b1 b3
	a consumer holds b0; browse: b0 b1 b2 b3 b4
	then consumed: b0 b1 b2 b3 b4
	browse of an empty queue ends: false
	EOF
	diff want out
'

test_expect_success 'a QueueBrowser sees a backlog past what the queue holds in memory: 5,000 persistent messages and 20 of priority 9, every one in dispatch order, read from the store a page at a time; nothing is taken' '
	stomp_py <<-\EOF &&
	from tstomp import *
	c = client(login="app", passcode="secret")
	send_backlog(c, "/queue/q.backlog", 5000, high=20)
	c.conn.disconnect()
	EOF
	jc browse-all q.backlog >out || { cat out; exit 1; }
	{ seq -f "h%g" 0 19 && seq -f "d%g" 0 4999 && echo last && echo "priority 9: 20"; } >want &&
	diff want out &&
	MPORT=$(broker_mgmt_port node1) stomp_py <<-\EOF
	from tmgmt import *
	m = Mgmt()
	m.req({"type": "login", "user": "app", "password": "secret"})
	r = m.req({"type": "read", "mbean": queue_name("node1", "q.backlog"), "attribute": "QueueSize"})
	check(r.get("value") == 5021, r)
	EOF
'

test_expect_success 'a durable subscription keeps what comes while it is offline, across a broker restart; unsubscribe refused while active, then removes it' '
	jc durable-make t.durable app-dur >out || { cat out; exit 1; }
	stop_broker node1 && start_broker node1 &&
	jc durable-read t.durable app-dur >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	kept: d1 d2 d3
	unsubscribe while active: javax.jms.JMSException: Durable consumer is in use
	unsubscribe: done
	unsubscribe again: javax.jms.InvalidDestinationException: No durable subscription exists for clientID: app-dur and subscriptionName: sub
	a new subscription: null
	EOF
	diff want out
'

test_expect_success 'noLocal: a subscriber, durable or not, does not get what its own connection published' '
	jc nolocal t.nolocal >out || { cat out; exit 1; }
	printf "noLocal: theirs null\ndurable noLocal: theirs null\nplain: mine theirs\n" >want &&
	diff want out
'

test_expect_success 'noLocal of a durable subscriber while offline, as ActiveMQ'"'"'s: what its connection published goes once it comes back on that connection; back on a new connection it gets what the old one published' '
	jc nolocal-offline t.nolocal.offline >out || { cat out; exit 1; }
	printf "back on the same connection: theirs-offline null\nback on a new connection: mine-2 theirs-2 null\n" >want &&
	diff want out
'

test_expect_success 'consumer.exclusive=true: the first exclusive consumer gets every message, the next takes over when it goes' '
	jc exclusive q.exclusive >out || { cat out; exit 1; }
	printf "first: 6, second: 0\nafter the first left, second: 2\n" >want &&
	diff want out
'

test_expect_success 'consumer.priority: the higher-priority consumer gets the messages it has room for' '
	jc priority q.priority >out || { cat out; exit 1; }
	echo "priority 5: 6, priority 1: 0" >want &&
	diff want out
'

test_expect_success 'a client'"'"'s ConsumerControl is answered: a new prefetch applies, close closes the consumer' '
	jc control q.control >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	ConsumerControl prefetch 5: Response
	still consuming: c1
	ConsumerControl close: Response
	closed: the next consumer gets c2
	EOF
	diff want out
'

test_expect_success 'a malformed selector is an InvalidSelectorException, for a consumer and for a browser' '
	jc selector q.selector >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	consumer: javax.jms.InvalidSelectorException
	browser: javax.jms.InvalidSelectorException
	consumer: javax.jms.InvalidSelectorException
	browser: javax.jms.InvalidSelectorException
	EOF
	diff want out
'

test_expect_success 'the prefetches are the client'"'"'s defaults, as ActiveMQ'"'"'s: queue 1000, topic 32767, durable 100 (1000 when auto-acknowledged: optimizeDurableTopicPrefetch)' '
	jc defaults q.defaults t.defaults "$TRASH/defaults.done" >out &
	pid=$!
	wait_lines out 1 || { kill -9 $pid; exit 1; }
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	m.ok({"type": "login", "user": "app", "password": "secret"})
	q = m.read(broker_name("node1") + ",destinationType=Queue,destinationName=q.defaults,endpoint=Consumer,*")
	check([v["PrefetchSize"] for v in q.values()] == [1000], q)
	t = m.read(broker_name("node1") + ",destinationType=Topic,destinationName=t.defaults,*")
	got = sorted(v["PrefetchSize"] for v in t.values() if "PrefetchSize" in v)
	check(got == [100, 1000, 32767], t)
	EOF
	rc=$?
	touch "$TRASH/defaults.done"
	wait $pid
	exit $rc
'

# amq COMMAND ARGS...: Debian's `activemq` command-line client (its jar
# run directly: the /usr/bin/activemq script would switch to the activemq
# user and take a 512 MB heap), as app/secret against node1.
amq() {
	timeout 120 java -Dactivemq.home=/usr/share/activemq -Dactivemq.base="$TRASH" \
		-Dactivemq.conf="$TRASH" -Dactivemq.data="$TRASH" \
		-jar /usr/share/activemq/bin/activemq.jar "$@" 2>&1
}

if [ -f /usr/share/activemq/bin/activemq.jar ]; then
test_expect_success 'activemq producer, browse and consumer: what is sent is browsed without being taken, then consumed' '
	U=tcp://127.0.0.1:$TP &&
	amq producer --brokerUrl $U --user app --password secret --destination queue://q.cli \
		--messageCount 3 --message hello >out || { cat out; exit 1; }
	amq browse --amqurl $U --user app --password secret -Vbody q.cli >out || { cat out; exit 1; }
	[ "$(grep -c "^JMS_BODY_FIELD:JMSText = hello" out)" = 3 ] || { cat out; exit 1; }
	amq consumer --brokerUrl $U --user app --password secret --destination queue://q.cli \
		--messageCount 3 >out || { cat out; exit 1; }
	amq browse --amqurl $U --user app --password secret -Vbody q.cli >out || { cat out; exit 1; }
	! grep -q "^JMS_BODY_FIELD" out
'
else
	test_skip 'activemq producer, browse and consumer' 'no activemq (make check installs it)'
fi

test_done
