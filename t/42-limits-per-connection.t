#!/bin/sh
# A connector's maximumConsumersAllowedPerConnection and
# maximumProducersAllowedPerConnection, as ActiveMQ's TransportConnection
# enforces them: past the limit a connection's next subscription or
# producer is refused with ActiveMQ's words ("Can't add consumer on
# connection ID: at maximum limit: N"), the connection and what it holds
# go on, and other connections have their own count. Without them one
# connection's subscriptions took as much memory as it liked (20,000:
# 25 MB). The default, as ActiveMQ's, is no limit.
. "$(dirname "$0")/test-lib.sh"

MQTT_OPTIONS= broker_config node1 &&
sed -i -e 's|<transportConnector name="auto"|& maximumConsumersAllowedPerConnection="3" maximumProducersAllowedPerConnection="2"|' \
	"$TRASH/node1/broker.xml" &&
start_broker node1 || exit 1
TP=$(broker_port node1)

test_expect_success 'STOMP: the 4th SUBSCRIBE of a connection is refused with an ERROR, the 3 it holds still receive, and the connection goes on' '
	PORT=$TP STOMP_PORT=$(broker_stomp_port node1) stomp_py <<-\EOF
	import os
	from tstomp import *
	c = client()
	for i, d in enumerate(["/queue/limits.a", "/topic/limits.b", "/queue/limits.c"]):
	    c.conn.subscribe(d, id=str(i), headers={"receipt": "s%d" % i})
	    c.wait_receipt("s%d" % i)
	c.conn.subscribe("/queue/limits.d", id="3", headers={"receipt": "s3"})
	e = c.wait_error()
	check(e.headers.get("receipt-id") == "s3", e.headers)
	check("Can'"'"'t add consumer on connection ID:" in e.body and
	      "at maximum limit: 3" in e.body, e.body)
	c.errors.clear()
	# An advisory topic is always allowed, as in ActiveMQ.
	c.conn.subscribe("/topic/ActiveMQ.Advisory.Consumer.Queue.limits.a", id="adv",
	                 headers={"receipt": "adv"})
	c.wait_receipt("adv")
	c.conn.unsubscribe(id="adv", headers={"receipt": "unadv"})
	c.wait_receipt("unadv")
	c.messages.clear()	# the advisory of limits.a'"'"'s consumer
	# Another connection has a count of its own.
	o = client()
	o.conn.subscribe("/queue/limits.other", id="1", headers={"receipt": "o"})
	o.wait_receipt("o")
	for d in ["/queue/limits.a", "/topic/limits.b", "/queue/limits.c"]:
	    send_on(o, d, "to " + d)
	got = sorted(m.body for m in c.wait(3))
	check(got == sorted("to " + d for d in ["/queue/limits.a", "/topic/limits.b",
	                                        "/queue/limits.c"]), got)
	# One fewer, and one more may come.
	c.conn.unsubscribe(id="0", headers={"receipt": "u0"})
	c.wait_receipt("u0")
	c.conn.subscribe("/queue/limits.d", id="4", headers={"receipt": "s4"})
	c.wait_receipt("s4")
	send_on(o, "/queue/limits.d", "to d")
	check(c.wait(1)[0].body == "to d", "")
	# The stomp:// connector sets no limit: ActiveMQ'"'"'s default.
	u = client(int(os.environ["STOMP_PORT"]))
	for i in range(10):
	    u.conn.subscribe("/queue/limits.u%d" % i, id=str(i), headers={"receipt": "u%d" % i})
	    u.wait_receipt("u%d" % i)
	for x in (c, o, u):
	    x.close()
	EOF
'

test_expect_success 'MQTT: a SUBSCRIBE past the limit has its refused filters failed (0x80) in the SUBACK, the others granted, and they still receive' '
	MQTT_PORT=$TP PORT=$TP stomp_py <<-\EOF
	from tmqtt import *
	c = Client("limits")
	g = c.sub([("limits/a", 1), ("limits/b", 0), ("limits/c", 1), ("limits/d", 1)])
	check(g == [1, 0, 1, 128], g)
	# Resubscribing to a filter it holds replaces it: not one more.
	check(c.sub("limits/a", 0) == [0], "resubscribe refused")
	check(c.sub("limits/e", 0) == [128], "a 4th filter granted")
	p = Client("limits-pub")
	for t in ("limits/a", "limits/b", "limits/c", "limits/d"):
	    p.pub(t, t, 1)
	got = sorted(m.payload.decode() for m in c.wait(3))
	check(got == ["limits/a", "limits/b", "limits/c"], got)
	c.unsub("limits/b")
	check(c.sub("limits/d", 1) == [1], "refused after an UNSUBSCRIBE")
	c.close()
	p.close()
	EOF
	log_contains node1 "reached maximumConsumersAllowedPerConnection=3"
'

test_expect_success 'OpenWire: createConsumer and createProducer past the limits throw ActiveMQ'"'"'s JMSException, and the connection goes on' '
	jms_compile JmsLimits.java &&
	timeout 60 java -cp "$TRASH/jms:$JAVA_CP" JmsLimits \
		"tcp://127.0.0.1:$TP?jms.watchTopicAdvisories=false" 3 2 >limits.out 2>&1 ||
		{ cat limits.out; exit 1; }
	cat limits.out &&
	grep "^refused consumer: javax.jms.JMSException: Can.t add consumer on connection ID:.*: at maximum limit: 3$" limits.out &&
	grep "^refused producer: javax.jms.JMSException: Can.t add producer on connection ID:.*: at maximum limit: 2$" limits.out &&
	grep -x received limits.out && grep -x "added again" limits.out &&
	log_contains node1 "reached maximumProducersAllowedPerConnection=2"
'

test_done
