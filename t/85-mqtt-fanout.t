#!/bin/sh
# An MQTT fan-out shares one encoding of each PUBLISH among the message's
# subscribers (broker/mqtt/mqtt_message.c), each copy given its own
# flags and packet id: what every subscriber reads must be what it would
# read had its packet been encoded for it alone, whatever QoS it
# subscribed at, whichever subscriber the encoding was made for first.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto MQTT_OPTIONS='' broker_config node1 && start_broker node1 || exit 1
MP=$(broker_mqtt_port node1)
TP=$(broker_port node1)

mq_py() {
	PORT=$TP MQTT_PORT=$MP TRASH=$TRASH "$PYTHON" - "$@"
}

test_expect_success 'a fan-out to QoS 0, 1 and 2 subscribers and a STOMP one: every message once each, at the lower QoS, neither DUP nor retained, own packet ids, topics and payloads intact' '
	mq_py <<-\EOF
	from tmqtt import *
	import tstomp
	subs = []
	for q in range(3):
	    s = Client("fan%d" % q)
	    check(s.sub("fan/#", q) == [q], "granted QoS %d" % q)
	    subs.append(s)
	st = tstomp.client(auto_decode=False)
	st.conn.subscribe("/topic/fan.>", id="1")
	st.sync()
	p = Client("fanpub")
	# Payloads with one-, two- and three-byte remaining lengths; a "."
	# in a level, which the broker holds as "/" and gives back as ".".
	sent = []
	for i, (q, size) in enumerate([(0, 10), (1, 200), (2, 20000), (1, 10), (0, 200), (2, 10)]):
	    topic, payload = "fan/t%d/x.y" % i, bytes([65 + i]) * size
	    p.pub(topic, payload, q)
	    sent.append((topic, payload, q))
	for sq, s in enumerate(subs):
	    got = s.wait(len(sent))
	    have = sorted((m.topic, m.payload, m.qos) for m in got)
	    want = sorted((t, b, min(q, sq)) for t, b, q in sent)
	    check(have == want, "QoS %d subscriber: %r" % (sq, [(t, len(b), q) for t, b, q in have]))
	    check(not any(m.dup or m.retain for m in got), "QoS %d subscriber: flags %r" %
	          (sq, [(m.dup, m.retain) for m in got]))
	    ids = [m.mid for m in got if m.qos]
	    check(len(set(ids)) == len(ids) and all(ids), "QoS %d subscriber: packet ids %r" % (sq, ids))
	bodies = sorted(m.body for m in st.wait(len(sent)))
	check(bodies == sorted(b for t, b, q in sent), "the STOMP subscriber got every payload")
	EOF
'

test_expect_success 'a retained message: new subscribers at QoS 0 and 1 get it flagged retained, live ones get the publish unflagged' '
	mq_py <<-\EOF
	from tmqtt import *
	live = [Client("live%d" % q) for q in range(2)]
	for q, c in enumerate(live):
	    c.sub("keep/#", q)
	Client("keeppub").pub("keep/a", "kept", 1, retain=True)
	for q, c in enumerate(live):
	    m = c.wait(1)[0]
	    check((m.payload, m.qos, m.retain) == (b"kept", q, False),
	          "live QoS %d: %r" % (q, (m.payload, m.qos, m.retain)))
	fresh = [Client("fresh%d" % q) for q in range(2)]
	for q, c in enumerate(fresh):
	    c.sub("keep/#", q)
	for q, c in enumerate(fresh):
	    m = c.wait(1)[0]
	    check((m.payload, m.qos, m.retain) == (b"kept", q, True),
	          "new QoS %d: %r" % (q, (m.payload, m.qos, m.retain)))
	EOF
'

test_expect_success 'a QoS 1 delivery left unacknowledged comes again flagged DUP with its packet id, beside a subscriber that acknowledged it' '
	mq_py <<-\EOF
	from tmqtt import *
	other = Client("dupother")
	other.sub("dup/#", 1)
	r = Raw("dupraw", clean=False)
	r.send(subscribe_packet(1, [("dup/#", 1)]))
	r.expect("SUBACK")
	Client("duppub").pub("dup/a", "again", 1)
	body = r.expect("PUBLISH")
	first = parse_publish(body, r.flags)
	check(first[1:] == (first[1], b"again", 1, False, False), "first delivery: %r" % (first,))
	r.close()
	m = other.wait(1)[0]
	check((m.payload, m.dup) == (b"again", False), "the other subscriber: %r" % ((m.payload, m.dup),))
	r = Raw("dupraw", clean=False)
	again = parse_publish(r.expect("PUBLISH"), r.flags)
	check(again == ("dup/a", first[1], b"again", 1, True, False), "redelivered: %r" % (again,))
	r.send(ack_packet("PUBACK", first[1]))
	r.close()
	EOF
'

test_done
