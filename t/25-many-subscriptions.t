#!/bin/sh
# One connection with tens of thousands of subscriptions (issue 16): each
# SUBSCRIBE and UNSUBSCRIBE finds its id (STOMP) or filter (MQTT) in an
# index, not by walking the others, and so does each durable subscription
# of a persistent MQTT session among the broker's durables: 20,000 come
# and go in a moment, and they all still work. t/bench/subscriptions
# measures the cost.
. "$(dirname "$0")/test-lib.sh"

# Under AddressSanitizer a session of 20,000 subscriptions takes longer
# than the clients' usual 15 s to resume; the test waits, it does not time.
if sanitized; then
	export TMQTT_WAIT=120 TSTOMP_WAIT=120
fi

MQTT_OPTIONS='' broker_config node1 && start_broker node1 || exit 1
MP=$(broker_mqtt_port node1)

test_expect_success 'STOMP: 20,000 subscriptions on one connection are made, each delivers, a duplicate id is refused, all are taken away' '
	stomp_py <<-\EOF
	import socket
	from tstomp import *
	N = 20000

	class Raw:
	    def __init__(self):
	        self.s = socket.create_connection(("127.0.0.1", port()), timeout=WAIT)
	        self.buf = b""
	        self.s.sendall(b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	        check(self.frame().startswith(b"CONNECTED"), "connected")

	    def frame(self):
	        while b"\0" not in self.buf:
	            chunk = self.s.recv(1 << 20)
	            check(chunk, "closed; last bytes %r" % self.buf[-200:])
	            self.buf += chunk
	        f, self.buf = self.buf.split(b"\0", 1)
	        return f.lstrip(b"\n")

	    def sync(self, rid):
	        """Frames before the receipt for rid."""
	        self.s.sendall(b"SEND\ndestination:/queue/sync\nreceipt:%s\n\n\0" % rid)
	        before = []
	        while True:
	            f = self.frame()
	            if f.startswith(b"RECEIPT") and b"receipt-id:" + rid in f:
	                return before
	            before.append(f)

	r = Raw()
	r.s.sendall(b"".join(b"SUBSCRIBE\nid:s%d\ndestination:/topic/many.%d\n\n\0" % (i, i)
	                     for i in range(N)))
	check(r.sync(b"subscribed") == [], "no ERROR while subscribing")
	for i in (0, 12345, N - 1):
	    send(port(), "/topic/many.%d" % i, "to number %d" % i)
	    f = r.frame()
	    check(f.startswith(b"MESSAGE") and b"\nsubscription:s%d\n" % i in f and
	          f.endswith(b"to number %d" % i), "subscription %d delivers: %r" % (i, f[:300]))
	r.s.sendall(b"".join(b"UNSUBSCRIBE\nid:s%d\n\n\0" % i for i in range(N)))
	check(r.sync(b"unsubscribed") == [], "no ERROR while unsubscribing")
	send(port(), "/topic/many.12345", "to nobody")
	check(r.sync(b"after") == [], "nothing for subscriptions taken away")
	r.s.sendall(b"SUBSCRIBE\nid:again\ndestination:/topic/a\n\n\0"
	            b"SUBSCRIBE\nid:again\ndestination:/topic/b\n\n\0")
	f = r.frame()
	check(f.startswith(b"ERROR") and b"Duplicate subscription" in f, "%r" % f[:300])
	EOF
'

test_expect_success 'MQTT: 20,000 filters in one session are granted, deliver, are replaced at another QoS and all unsubscribed' '
	MQTT_PORT=$MP stomp_py <<-\EOF
	import struct
	from tmqtt import *
	N, STEP = 20000, 5000
	r = Raw("many-filters")
	subscribe_many(r, "many", N)
	Client().pub("many/12345", "to one of many", 1)
	kind, body = r.read()
	check(kind == "PUBLISH", "got %s" % kind)
	topic, pid, payload, qos, dup, retain = parse_publish(body, r.flags)
	check((topic, payload, qos) == ("many/12345", b"to one of many", 1), "%r" % ((topic, payload, qos),))
	r.send(ack_packet("PUBACK", pid))
	r.send(subscribe_packet(9, [("many/12345", 0)]))
	check(r.expect("SUBACK")[2:] == b"\x00", "replaced at QoS 0")
	Client().pub("many/12345", "at qos 0", 1)
	kind, body = r.read()
	topic, pid, payload, qos, dup, retain = parse_publish(body, r.flags)
	check((topic, payload, qos) == ("many/12345", b"at qos 0", 0), "%r" % ((topic, payload, qos),))
	for pid, start in enumerate(range(0, N, STEP), 20):
	    r.send(packet(0xA2, struct.pack("!H", pid) +
	                  b"".join(struct.pack("!H", len(f)) + f for f in
	                           (b"many/%d" % i for i in range(start, start + STEP)))))
	    r.expect("UNSUBACK")
	Client().pub("many/12345", "to nobody", 1)
	r.send(packet(0xC0, b""))
	check(r.read()[0] == "PINGRESP", "nothing delivered after UNSUBSCRIBE")
	EOF
'

test_expect_success 'MQTT: a persistent session of 20,000 subscriptions is kept, resumed, requalified and dropped' '
	MQTT_PORT=$MP stomp_py <<-\EOF
	from tmqtt import *
	r = Raw("many-kept", clean=False)
	subscribe_many(r, "kept", 20000)
	r.send(packet(0xE0, b""))
	check(r.closed(), "DISCONNECT closes")

	def one(expect_qos):
	    Client().pub("kept/12345", "kept %d" % expect_qos, 1)
	    kind, body = r.read()
	    check(kind == "PUBLISH", "got %s" % kind)
	    topic, pid, payload, qos, dup, retain = parse_publish(body, r.flags)
	    check((topic, payload, qos) == ("kept/12345", b"kept %d" % expect_qos, expect_qos),
	          "%r" % ((topic, payload, qos),))
	    if qos:
	        r.send(ack_packet("PUBACK", pid))

	r = Raw("many-kept", clean=False)
	check(r.session_present == 1, "the session is present")
	one(1)
	r.send(subscribe_packet(9, [("kept/12345", 0)]))
	check(r.expect("SUBACK")[2:] == b"\x00", "requalified to QoS 0")
	one(0)
	r.send(packet(0xE0, b""))
	r.closed()
	r = Raw("many-kept", clean=False)
	one(0)
	r.send(packet(0xE0, b""))
	r.closed()
	r = Raw("many-kept", clean=True)
	check(r.session_present == 0, "a clean session drops it")
	EOF
	log_contains node1 "Client many-kept started a clean session: 20000 kept subscription(s) removed"
'

test_expect_success 'MQTT: 20,000 kept subscriptions and the messages waiting for them survive a restart' '
	MQTT_PORT=$MP stomp_py <<-\EOF &&
	from tmqtt import *
	N = 20000
	r = Raw("kept-over-restart", clean=False)
	subscribe_many(r, "restart", N)
	r.send(packet(0xE0, b""))
	r.closed()
	w = Raw("restart-publisher")
	w.send(b"".join(publish_packet("restart/%d" % i, "kept %d" % i, 1, pid=i // 10 + 1)
	                for i in range(0, N, 10)))
	for _ in range(0, N, 10):
	    w.expect("PUBACK")
	EOF
	stop_broker node1 && start_broker node1 &&
	MQTT_PORT=$MP stomp_py <<-\EOF
	from tmqtt import *
	r = Raw("kept-over-restart", clean=False)
	check(r.session_present == 1, "the session is present after the restart")
	got = set()
	while len(got) < 2000:
	    kind, body = r.read()
	    check(kind == "PUBLISH", "got %s after %d messages" % (kind, len(got)))
	    topic, pid, payload, qos, dup, retain = parse_publish(body, r.flags)
	    check(payload == b"kept " + topic.split("/")[1].encode(), "%r on %s" % (payload, topic))
	    got.add(topic)
	    r.send(ack_packet("PUBACK", pid))
	check(got == {"restart/%d" % i for i in range(0, 20000, 10)}, "every kept message came")
	EOF
'

test_done
