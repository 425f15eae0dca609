#!/bin/sh
# MQTT 3.1.1 as current mosquitto gets it right (issue 18, points 1 to 6),
# each on the mqtt:// connector and detected on tcp://: a client id taken
# over, where the new connection's cleanSession decides; '*', '>' and '.'
# as plain characters of MQTT names; DUP on what is sent again after a
# restart; acknowledgements of the wrong kind closing the connection; a
# short first packet that is not CONNECT closing on tcp://; MQTT 3.1's
# CONNACK, reserved flags and client ids.
. "$(dirname "$0")/test-lib.sh"

MQTT_OPTIONS='' broker_config node1 && start_broker node1 || exit 1

# mq_py [ARGS]: a Python script (stdin); PORTS holds the mqtt:// port and
# the tcp:// port, for the tests that run on both.
mq_py() {
	PORT=$(broker_port node1) MQTT_PORT=$(broker_mqtt_port node1) TRASH=$TRASH \
		PORTS="$(broker_mqtt_port node1) $(broker_port node1)" "$PYTHON" - "$@"
}

test_expect_success 'a client id taken over from a clean session: not present, and cleanSession=0 then keeps its subscription and QoS 1 message' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	for p in map(int, os.environ["PORTS"].split()):
	    cid = "taken-%d" % p
	    clean = Raw(cid, clean=True, p=p)
	    r = Raw(cid, clean=False, p=p)
	    check(r.session_present == 0, "port %d: a clean session was taken over, yet present" % p)
	    check(clean.closed(), "port %d: the first connection stays open" % p)
	    r.send(subscribe_packet(1, [("taken/%d/#" % p, 1)]))
	    r.expect("SUBACK")
	    r.close()
	    Client(p=p).pub("taken/%d/x" % p, "kept", 1)
	    r = Raw(cid, clean=False, p=p)
	    check(r.session_present == 1, "port %d: the persistent session is gone" % p)
	    topic, pid, payload, qos, dup, _ = parse_publish(r.expect("PUBLISH"), r.flags)
	    check((topic, payload, qos) == ("taken/%d/x" % p, b"kept", 1), "port %d: %r" % (p, payload))
	    r.send(ack_packet("PUBACK", pid))
	    # And a persistent session taken over by a clean one ends.
	    c = Raw(cid, clean=True, p=p)
	    check(c.session_present == 0 and r.closed(), "port %d: clean takeover" % p)
	    c.close()
	    r = Raw(cid, clean=False, p=p)
	    check(r.session_present == 0, "port %d: the clean takeover kept the session" % p)
	    r.close()
	EOF
'

test_expect_success 'DISCONNECT of a clean session, then at once cleanSession=0 while the old socket is still open: not present, nothing lost' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	for p in map(int, os.environ["PORTS"].split()):
	    cid = "quick-%d" % p
	    old = Raw(cid, clean=True, p=p)
	    old.send(b"\xe0\x00")          # DISCONNECT, and the socket stays open
	    r = Raw(cid, clean=False, p=p)
	    check(r.session_present == 0, "port %d: session present after a clean one" % p)
	    r.send(subscribe_packet(1, [("quick/%d" % p, 1)]))
	    r.expect("SUBACK")
	    r.close()
	    Client(p=p).pub("quick/%d" % p, "not lost", 1)
	    r = Raw(cid, clean=False, p=p)
	    check(r.session_present == 1, "port %d: the session is gone" % p)
	    check(parse_publish(r.expect("PUBLISH"), r.flags)[2] == b"not lost", "port %d" % p)
	    r.close()
	    old.close()
	EOF
'

# The race the test above pins down, as the issue met it with paho: a QoS 1
# message lost in 4 of 30 rounds. MQTT_ROUNDS rounds per port (each takes
# a second: paho's loop stops at its next select timeout).
test_expect_success 'paho: rounds of clean, DISCONNECT, then at once cleanSession=0, subscribe, drop, publish, back: every QoS 1 message arrives' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	for p in map(int, os.environ["PORTS"].split()):
	    for i in range(int(os.environ.get("MQTT_ROUNDS", "5"))):
	        cid = "rounds-%d-%d" % (p, i)
	        Client(cid, clean=True, p=p).close()
	        c = Client(cid, clean=False, p=p)
	        check(c.session_present == 0, "port %d round %d: present" % (p, i))
	        c.sub("rounds/%d/%d" % (p, i), 1)
	        c.drop()
	        Client(p=p).pub("rounds/%d/%d" % (p, i), "round %d" % i, 1)
	        c = Client(cid, clean=False, p=p)
	        check(c.session_present == 1, "port %d round %d: not present" % (p, i))
	        check(bodies(c.wait(1)) == [b"round %d" % i], "port %d round %d" % (p, i))
	        c.close()
	EOF
'

test_expect_success 'literal *, > and . in MQTT names: a filter holding them gets only its own topic; STOMP sees the names as ActiveMQ spells them' '
	mq_py <<-\EOF
	import os, tstomp
	from tmqtt import *
	st = tstomp.client(auto_decode=False)
	st.conn.subscribe("/topic/lit.+", id="star")      # MQTT lit/*
	st.conn.subscribe("/topic/lit.#", id="gt")        # MQTT lit/>
	st.conn.subscribe("/topic/lit.a/b", id="dot")     # MQTT lit/a.b
	st.sync()
	for p in map(int, os.environ["PORTS"].split()):
	    star = Client(p=p); star.sub("lit/*", 1)
	    gt = Client(p=p); gt.sub("lit/>", 1)
	    dot = Client(p=p); dot.sub("lit/a.b", 1)
	    plus = Client(p=p); plus.sub("lit/+", 1)
	    for c in (star, gt, dot):
	        c.sub("lit/end", 1)
	    pub = Client(p=p)
	    for t in ["lit/x", "lit/a.b", "lit/x/y", "lit/*", "lit/>", "lit/a/b"]:
	        pub.pub(t, t, 1)
	    pub.pub("lit/end", "end", 1)
	    got = [m.topic for m in star.until(b"end") if m.payload != b"end"]
	    check(got == ["lit/*"], "port %d: lit/* got %r" % (p, got))
	    got = [m.topic for m in gt.until(b"end") if m.payload != b"end"]
	    check(got == ["lit/>"], "port %d: lit/> got %r" % (p, got))
	    got = [m.topic for m in dot.until(b"end") if m.payload != b"end"]
	    check(got == ["lit/a.b"], "port %d: lit/a.b got %r" % (p, got))
	    got = [m.topic for m in plus.until(b"end") if m.payload != b"end"]
	    check(got == ["lit/x", "lit/a.b", "lit/*", "lit/>"], "port %d: lit/+ got %r" % (p, got))
	    got = sorted((m.headers["subscription"], m.body) for m in st.wait(3))
	    check(got == [("dot", b"lit/a.b"), ("gt", b"lit/>"), ("star", b"lit/*")],
	          "port %d: STOMP got %r" % (p, got))
	# A STOMP send to the ActiveMQ spelling reaches the MQTT name.
	star = Client(); star.sub("lit/*", 1)
	tstomp.send(None, "/topic/lit.+", "from stomp")
	m = star.wait(1)[0]
	check((m.topic, m.payload) == ("lit/*", b"from stomp"), "%r %r" % (m.topic, m.payload))
	EOF
'

test_expect_success 'a persistent subscription to lit/* kept by the old mapping (the wildcard lit.*) is replaced when its client comes back' '
	mq_py <<-\EOF &&
	import queue, tstomp
	from tmqtt import *
	# What a Tandem that took a literal * for a wildcard kept in its store.
	st = tstomp.client(headers={"client-id": "upgraded"})
	st.conn.subscribe("/topic/lit.*", id="1",
	                  headers={"activemq.subscriptionName": "mqtt:1:lit/*"})
	st.sync()
	st.close()
	p = Client()
	# Until the STOMP connection is gone and the subscription resumes.
	for i in range(50):
	    c = Client("upgraded", clean=False)
	    check(c.session_present == 1, "the kept subscription makes the session present")
	    p.pub("lit/*", "probe", 1)
	    try:
	        c.msgs.get(timeout=0.2)
	        break
	    except queue.Empty:
	        c.close()
	else:
	    fail("the subscription never resumed")
	p.pub("lit/wide", "wide", 1)
	p.pub("lit/*", "exact", 1)
	got = [(m.topic, m.payload) for m in c.wait(1)]
	check(got == [("lit/*", b"exact")], "got %r" % got)
	EOF
	log_contains node1 "upgraded:mqtt:1:lit/\* changed (topic lit.+"
'

test_expect_success 'literal * and > in retained messages and wills: kept and given under their own names only' '
	mq_py <<-\EOF
	from tmqtt import *
	p = Client()
	p.pub("rlit/*", "star", 1, retain=True)
	p.pub("rlit/x", "x", 1, retain=True)
	w = Client("lit-will", will=("wlit/>", "gone", 1, False))
	watch = Client(); watch.sub("wlit/+", 1)
	exact = Client(); exact.sub("wlit/>", 1)
	w.drop()
	m = watch.wait(1)[0]
	check(m.topic == "wlit/>", "the will came as %r" % m.topic)
	check(exact.wait(1)[0].topic == "wlit/>", "the exact filter got the will")
	s = Client(); s.sub("rlit/*", 1)
	got = [(m.topic, m.payload, m.retain) for m in s.wait(1)]
	check(got == [("rlit/*", b"star", True)], "rlit/* got %r" % got)
	s.sub("rlit/end", 1)
	p.pub("rlit/end", "end", 1)
	check(bodies(s.until(b"end")) == [b"end"], "no more retained messages for rlit/*")
	EOF
'

test_expect_success 'acknowledgements of the wrong kind or out of order close the connection, as mosquitto does' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	# (name, QoS of the delivery, packets answering it by its id)
	cases = [
	    ("PUBCOMP for a QoS 1 delivery", 1, ["PUBCOMP"]),
	    ("PUBREL for a QoS 1 delivery", 1, ["PUBREL"]),
	    ("PUBREC for a QoS 1 delivery", 1, ["PUBREC"]),
	    ("PUBACK for a QoS 2 delivery", 2, ["PUBACK"]),
	    ("PUBCOMP before PUBREC", 2, ["PUBCOMP"]),
	    ("PUBACK after PUBREC", 2, ["PUBREC", "PUBACK"]),
	]
	for p in map(int, os.environ["PORTS"].split()):
	    for name, qos, answers in cases:
	        r = Raw("wrong-ack", p=p)
	        r.send(subscribe_packet(1, [("wa/%d" % p, qos)]))
	        r.expect("SUBACK")
	        Client(p=p).pub("wa/%d" % p, name, qos)
	        pid = parse_publish(r.expect("PUBLISH"), r.flags)[1]
	        for a in answers:
	            r.send(ack_packet(a, pid))
	        if answers[0] == "PUBREC" and qos == 2:
	            r.expect("PUBREL")
	        check(r.closed(), "port %d: %s: not closed" % (p, name))
	    # Unknown ids are let go, as mosquitto does; the right order works.
	    r = Raw("right-ack", p=p)
	    r.send(ack_packet("PUBACK", 999) + ack_packet("PUBCOMP", 998))
	    r.send(subscribe_packet(1, [("ra/%d" % p, 2)]))
	    r.expect("SUBACK")
	    Client(p=p).pub("ra/%d" % p, "fine", 2)
	    pid = parse_publish(r.expect("PUBLISH"), r.flags)[1]
	    r.send(ack_packet("PUBREC", pid))
	    r.expect("PUBREL")
	    r.send(ack_packet("PUBCOMP", pid) + packet(0xC0, b""))
	    check(r.read()[0] == "PINGRESP", "port %d: the right order closed" % p)
	EOF
'

test_expect_success 'a first packet of at most 4 bytes that is not CONNECT closes the connection, on tcp:// as on mqtt://' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	short = {
	    "PINGREQ": b"\xc0\x00",
	    "DISCONNECT": b"\xe0\x00",
	    "PUBACK": b"\x40\x02\x00\x01",
	    "PUBLISH to a 1-byte topic, QoS 0": b"\x30\x03\x00\x01a",
	    "CONNECT without a body": b"\x10\x00",
	}
	# Detection knows from one byte; on mqtt:// the rest may come.
	detected = {"a lone PUBLISH byte": b"\x30"}
	mqtt_port, tcp_port = map(int, os.environ["PORTS"].split())
	for p, cases in ((mqtt_port, short), (tcp_port, dict(short, **detected))):
	    for name, data in cases.items():
	        r = Raw(connect=False, p=p)
	        r.send(data)
	        check(r.closed(), "port %d: %s: left open" % (p, name))
	    check(Raw("after-short", p=p).rc == 0, "port %d: a good client still connects" % p)
	EOF
'

test_expect_success 'MQTT 3.1 (MQIsdp): CONNACK without the session present bit, reserved flags ignored, an empty client id gets CONNACK 2' '
	mq_py <<-\EOF
	import os
	from tmqtt import *
	for p in map(int, os.environ["PORTS"].split()):
	    r = Raw("old-%d" % p, clean=False, p=p, v31=True)
	    r.send(subscribe_packet(1, [("old/x", 1)]))
	    r.expect("SUBACK")
	    r.close()
	    r = Raw("old-%d" % p, clean=False, p=p, v31=True)
	    check((r.ack_flags, r.rc) == (0, 0), "port %d: CONNACK %r" % (p, (r.ack_flags, r.rc)))
	    r.close()
	    for name, flags in (("reserved bit", 0x01), ("will QoS without a will", 0x08),
	                        ("will retain without a will", 0x20)):
	        r = Raw(connect=False, p=p)
	        r.send(connect_packet("odd-%d" % p, v31=True, flags=flags))
	        body = r.expect("CONNACK")
	        check(body[1] == 0, "port %d: %s: CONNACK %d" % (p, name, body[1]))
	        r.send(packet(0xC0, b""))
	        check(r.read()[0] == "PINGRESP", "port %d: %s: closed" % (p, name))
	        # MQTT 3.1.1 still refuses the reserved bit.
	        r = Raw(connect=False, p=p)
	        r.send(connect_packet("odd-%d" % p, flags=flags))
	        check(r.closed(), "port %d: 3.1.1 with %s was accepted" % (p, name))
	    for clean in (True, False):
	        r = Raw("", clean=clean, p=p, v31=True)
	        check(r.rc == 2, "port %d: empty id, clean %s: CONNACK %d" % (p, clean, r.rc))
	        check(r.closed(), "port %d: not closed after CONNACK 2" % p)
	    # paho speaking 3.1 works.
	    import paho.mqtt.client as mqtt
	    c = mqtt.Client("paho31-%d" % p, protocol=mqtt.MQTTv31)
	    c.connect("127.0.0.1", p)
	    check(c.subscribe("old/y", 1)[0] == 0 and c.loop(5) == 0, "paho 3.1")
	    c.disconnect()
	EOF
'

# dup_before PORT TAG: a persistent session "dup-TAG-PORT" gets a QoS 1 and 2
# message it does not acknowledge, then goes; one more waits for it, never
# sent. Their ids are kept in dup-TAG-PORT.ids.
dup_before() {
	mq_py "$1" "$2" <<-\EOF
	import sys
	from tmqtt import *
	p = int(sys.argv[1])
	cid = "dup-%s-%d" % (sys.argv[2], p)
	r = Raw(cid, clean=False, p=p)
	r.send(subscribe_packet(1, [("dup/%d/#" % p, 2)]))
	r.expect("SUBACK")
	c = Client(p=p)
	c.pub("dup/%d/one" % p, "one", 1)
	c.pub("dup/%d/two" % p, "two", 2)
	pids = []
	for want in (b"one", b"two"):
	    topic, pid, payload, qos, dup, _ = parse_publish(r.expect("PUBLISH"), r.flags)
	    check((payload, dup) == (want, False), "first sent: %r DUP %r" % (payload, dup))
	    pids.append(pid)
	r.close()
	c.pub("dup/%d/away" % p, "away", 1)
	open(cid + ".ids", "w").write("%d %d" % tuple(pids))
	EOF
}

# dup_after PORT TAG: back, the two come again with their ids and DUP, the
# third without DUP.
dup_after() {
	mq_py "$1" "$2" <<-\EOF
	import sys
	from tmqtt import *
	p = int(sys.argv[1])
	cid = "dup-%s-%d" % (sys.argv[2], p)
	pids = [int(x) for x in open(cid + ".ids").read().split()]
	r = Raw(cid, clean=False, p=p)
	check(r.session_present == 1, "session present")
	got = []
	for i in range(3):
	    topic, pid, payload, qos, dup, _ = parse_publish(r.expect("PUBLISH"), r.flags)
	    got.append((payload, pid if payload != b"away" else None, qos, dup))
	want = [(b"one", pids[0], 1, True), (b"two", pids[1], 2, True), (b"away", None, 1, False)]
	check(got == want, "got %r, want %r" % (got, want))
	EOF
}

test_expect_success 'deliveries not acknowledged before a restart or a kill -9 come again with their id and DUP set; one never sent comes without' '
	for how in stop_broker kill_broker; do
		for p in $(broker_mqtt_port node1) $(broker_port node1); do
			dup_before $p $how || exit 1
		done &&
		$how node1 && start_broker node1 &&
		for p in $(broker_mqtt_port node1) $(broker_port node1); do
			dup_after $p $how || exit 1
		done || exit 1
	done
'

test_done
