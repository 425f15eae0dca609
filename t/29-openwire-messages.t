#!/bin/sh
# OpenWire messages (issue 20): every JMS message type, property type and
# JMS header, sent and received by Debian's ActiveMQ JMS client
# (libactivemq-java), unchanged: back to a JMS consumer exactly as sent,
# compressed or not, across a restart; seen by STOMP and MQTT consumers as
# ActiveMQ shows them, and the other way round; selectors over typed
# properties and JMS headers; JMSRedelivered and JMSXDeliveryCount.
# t/lib/JmsMessages.java is the application, compiled here.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsMessages.java

MGMT_PORT=auto WEB_PORT=auto broker_config node1 || exit 1
start_broker node1 || exit 1
TP=$(broker_port node1)

# jms [URL-OPTIONS] CMD ARGS...: the application on node1 (JP: on that port).
jms() {
	opts=
	case $1 in \?*) opts=$1; shift ;; esac
	java -Dwait=20000 -cp "$TRASH/jms:$JAVA_CP" JmsMessages "tcp://127.0.0.1:${JP:-$TP}$opts" \
		app secret "$@"
}

test_expect_success 'every JMS message type (Message, Text, Bytes, Map, Object, Stream, a null text, a long text) comes back to a JMS consumer as sent: body, properties of every type (Map and List too), JMS headers' '
	jms send q.types >sent && test $(wc -l <sent) = 8 &&
	jms recv q.types 8 >got &&
	sort sent >want && sort got >have && diff want have &&
	grep -q "^Object:Payload:Payload(object,\[1, 2, 3\])" have &&
	grep -q "^Text:(null) " have &&
	grep -q "pFloat=Float:0.1, " have && grep -q "pChar=Character:a, " have &&
	grep -q "pList=ArrayList:\[1, two, 3.5, true\], pLong" have &&
	grep -q "pMap=Map:{a=0, b=x0}, " have &&
	grep -q "replyTo=topic://replies.topic " have &&
	grep -q "replyTo=temp-queue://ID:requester-1:1:1 " have &&
	grep -q "replyTo=temp-topic://ID:requester-1:1:2 " have
'

test_expect_success 'compressed (jms.useCompression=true): every type comes back the same, and a STOMP consumer reads a compressed TextMessage plain' '
	jms "?jms.useCompression=true" send q.zip >sent &&
	jms recv q.zip 8 >got &&
	sort sent >want && sort got >have && diff want have &&
	jms "?jms.useCompression=true" send-text q.zip.stomp "squeezed squeezed squeezed" &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/q.zip.stomp", id="1")
	m = c.wait(1)[0]
	check(m.body == "squeezed squeezed squeezed", "body %r" % m.body)
	EOF
'

test_expect_success 'persistent messages of every type keep their types, properties and headers across a restart' '
	jms send q.restart >sent &&
	stop_broker node1 && start_broker node1 &&
	grep " mode=2 " sent | sort >want && test $(wc -l <want) = 4 &&
	jms recv q.restart 4 >got && sort got >have && diff want have
'

test_expect_success 'a STOMP consumer sees a JMS message as ActiveMQ shows it: properties as headers in Java string forms, the producer'"'"'s id as message-id and JMSTimestamp as timestamp, reply-to, and no reserved header; its selector sees the types' '
	jms send-props q.props >id &&
	ID=$(cut -d" " -f1 id) TS=$(cut -d" " -f2 id) stomp_py <<-\EOF
	import os
	from tstomp import *
	c = client()
	q = chr(39)	# a STOMP selector sees the types too: pNumeric is a String
	c.conn.subscribe("/queue/q.props", id="1", headers={"selector":
	    "pInt > 2000000000 AND pNumeric = %s10%s AND pDouble < 0.001 AND pBool" % (q, q)})
	m = c.wait(1)[0]
	h = m.headers
	want = {"message-id": os.environ["ID"], "timestamp": os.environ["TS"],
	        "correlation-id": "corr-props", "type": "props",
	        "reply-to": "/queue/replies", "JMSXGroupID": "g1", "JMSXGroupSeq": "3",
	        "pBool": "true", "pByte": "-128", "pShort": "0", "pInt": "2147483647",
	        "pLong": "-9223372036854775808", "pFloat": "0.1", "pDouble": "1.0E-5",
	        "pBig": "1.23456789E7", "pString": "caf\u00e9 \u2603 \U0001F600 0",
	        "pNumeric": "10", "pChar": "a", "pMap": "{a=0, b=x0}", "pList": "[1, two, 3.5, true]"}
	for k, v in want.items():
	    check(h.get(k) == v, "%s: %r, not %r" % (k, h.get(k), v))
	check(not [k for k in h if k.startswith("tandem-")], "headers %r" % h)
	check(m.body == "with properties", "body %r" % m.body)
	EOF
'

test_expect_success 'a String property, JMSCorrelationID and JMSType holding U+0000 reach a JMS consumer as sent, also across a restart; STOMP sees them without the U+0000' '
	jms send-nul q.nul >sent &&
	grep -q "pNul=String:a\\\\0b\\\\0c.* corr=c\\\\0d type=t\\\\0 " sent &&
	stop_broker node1 && start_broker node1 &&
	jms recv q.nul 1 >got &&
	diff sent got &&
	jms send-nul q.nul >/dev/null &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/q.nul", id="1")
	m = c.wait(1)[0]
	check(m.headers.get("pNul") == "abc", "pNul %r" % m.headers.get("pNul"))
	check(m.headers.get("correlation-id") == "cd" and m.headers.get("type") == "t", "headers %r" % m.headers)
	check(not [k for k in m.headers if k.startswith("tandem-")], "headers %r" % m.headers)
	EOF
'

test_expect_success 'a STOMP consumer gets every type: a text as UTF-8, the other bodies byte for byte, JMSReplyTo in ActiveMQ'"'"'s forms (/remote-temp-queue/ for a temporary queue)' '
	jms send q.stompview >sent &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client(auto_decode=False)
	c.conn.subscribe("/queue/q.stompview", id="1")
	ms = c.wait(8)
	replies = sorted(m.headers.get("reply-to", "") for m in ms)
	check(replies == [""] * 4 + ["/queue/replies", "/remote-temp-queue/ID:requester-1:1:1",
	                             "/remote-temp-topic/ID:requester-1:1:2", "/topic/replies.topic"],
	      "reply-to %r" % replies)
	bodies = [m.body for m in ms]
	check("text \u00e9\u00e8 \U0001F600 and \u0000 a NUL".encode() in bodies, "bodies %r" % bodies)
	check(bytes.fromhex("000102ff0080780000002a0003757466") in bodies, "bodies %r" % bodies)
	check(b"" in bodies, "a null text is an empty body: %r" % bodies)
	EOF
'

test_expect_success 'the management API and the web console'"'"'s REST consumer show a JMS message'"'"'s properties, not the reserved header' '
	jms send-props q.mgmt >id &&
	ctl --node 127.0.0.1:$(broker_mgmt_port node1) --json browse q.mgmt >browse 2>&1 &&
	grep -q "pInt" browse && ! grep -q "tandem-jms" browse &&
	curl -s -D hdr -o body -u admin:admin \
		"http://127.0.0.1:$(broker_web_port node1)/api/message/q.mgmt?type=queue&readTimeout=5000" &&
	grep -q "^property-pInt: 2147483647" hdr && ! grep -qi "tandem-jms" hdr
'

test_expect_success 'a STOMP producer: its headers come to JMS as String properties; without content-length a TextMessage, with it a BytesMessage; reply-to as JMSReplyTo; a reserved header it sends is dropped' '
	stomp_py <<-\EOF &&
	from tstomp import *
	c = client()
	c.conn.auto_content_length = False
	send_on(c, "/queue/q.fromstomp", "text body", headers={"color": "red", "n": "5",
	        "reply-to": "/queue/answers", "correlation-id": "c9", "type": "t9"})
	c.conn.auto_content_length = True
	send_on(c, "/queue/q.fromstomp", "bytes body", headers={"reply-to": "/topic/news"})
	send_on(c, "/queue/q.fromstomp", "to a temp", headers={"reply-to": "/temp-queue/mine"})
	c.conn.auto_content_length = False	# the reserved header is the broker'"'"'s own
	send_on(c, "/queue/q.fromstomp", "spoofed", headers={"tandem-jms": "Oi1:nt3:123", "n": "7"})
	c.close()
	EOF
	jms recv q.fromstomp 4 >got &&
	grep "^Text:spoofed {n=String:7} " got &&
	grep "^Text:text body {color=String:red, n=String:5} .* corr=c9 type=t9 replyTo=queue://answers " got &&
	grep "^Bytes:627974657320626f6479 {} .*replyTo=topic://news " got &&
	grep "^Bytes:.*replyTo=temp-queue://ID:.*:mine " got
'

test_expect_success 'MQTT: a publish reaches a JMS consumer as a BytesMessage on the topic with / as ., with its QoS as an int; a JMS TextMessage reaches an MQTT subscriber as its UTF-8 text' '
	{ jms listen topic:sensors.kitchen 1 >got & } &&
	wait_lines got 1 &&
	mosquitto_pub -p $TP -t sensors/kitchen -q 1 -m "21.5 C" &&
	wait_lines got 2 &&
	grep "^Bytes:32312e352043 {ActiveMQ.MQTT.QoS=Integer:1} " got &&
	stomp_py <<-EOF
	import subprocess
	from tmqtt import *
	c = Client()
	c.sub("alerts/door", 1)
	subprocess.run(["java", "-cp", "$TRASH/jms:$JAVA_CP", "JmsMessages", "tcp://127.0.0.1:$TP",
	                "app", "secret", "send-text", "topic:alerts.door", "door \\\\u00e9\\\\uD83D\\\\uDE00"],
	               check=True)
	m = c.wait(1)[0]
	check(m.payload == "door \u00e9\U0001F600".encode(), "payload %r" % m.payload)
	EOF
'

test_expect_success 'selectors over typed properties and JMS headers: numbers compare as numbers, Strings as strings' '
	cat >want <<-\EOF &&
	i > 12: m3 m4 m5
	s = QQ5QQ: m1
	s = 5:
	i = QQ5QQ:
	d BETWEEN 1 AND 2: m1
	b: m1
	b = FALSE: m2 m3 m4 m5
	l > 5000000000: m2 m3 m4 m5
	f < 0.5: m1
	by = 1: m1
	sh >= 300: m3 m4 m5
	i * 2 = 20: m2
	JMSPriority > 3: m4 m5
	JMSType = QQAQQ: m1 m2
	JMSCorrelationID = QQc2QQ: m2
	JMSDeliveryMode = QQPERSISTENTQQ: m1 m3 m5
	JMSMessageID = QQ$ID4QQ: m4
	JMSTimestamp = $TS3: m3
	JMSTimestamp > $TS3: m4 m5
	label LIKE QQm_QQ AND label NOT IN (QQm1QQ, QQm2QQ): m3 m4 m5
	nothing IS NULL AND i < 10: m1
	EOF
	sed -i "s/QQ/\x27/g" want &&
	sed "s/:[^:]*\$//" want | jms select q.sel >got &&
	diff want got
'

test_expect_success 'JMSRedelivered and JMSXDeliveryCount: after a session recover, and to the next consumer after one closed without acknowledging' '
	jms redeliver q.redeliver >got &&
	cat >want <<-\EOF &&
	first redelivered=false count=1 one
	after recover redelivered=true count=2 one
	first redelivered=false count=1 two
	after close redelivered=true count=2 two
	EOF
	diff want got
'

test_expect_success 'bad input: a compressed body that does not inflate, one that inflates past the maxFrameSize, malformed properties: each refused as a JMSException saying why, and the connection still serves' '
	jms "?wireFormat.maxFrameSize=1048576" send-bad q.bad >got &&
	cat >want <<-\EOF &&
	refused javax.jms.JMSException: The compressed body is malformed: incorrect header check
	refused javax.jms.JMSException: The compressed body inflates past 1048576 bytes, the connection'"'"'s wireFormat.maxFrameSize
	refused javax.jms.JMSException: The message'"'"'s properties are malformed: 9 entries in 1 bytes
	sent after
	EOF
	diff want got
'

test_expect_success 'every type crosses a network bridge intact: a JMS consumer on one broker gets what a JMS producer sent to another' '
	static_network far "" node1 && start_bridged far:node1 &&
	{ jms listen q.far 8 >got & } &&
	wait_lines got 1 &&
	JP=$(broker_port far) jms send q.far >sent &&
	wait_lines got 9 &&
	sort sent >want && grep -v "^ready" got | sort >have && diff want have
'

test_done
