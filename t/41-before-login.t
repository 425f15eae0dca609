#!/bin/sh
# Connections that have not logged in yet (issue 16): a socket that stays
# silent, says too little to be recognised or never finishes CONNECT is
# closed at the connector's deadline and gives its slot back; before
# CONNECT a frame may have at most 8 KiB; input that connections hold
# counts against memoryUsage and is given back when they close, and so is
# the output buffer a big message grew once the message is written.
. "$(dirname "$0")/test-lib.sh"

# Short deadlines and few slots, so that silent sockets would lock
# everybody out if they were never closed.
LIMITS='maximumConnections=4&amp;transport.connectAttemptTimeout=1500'
TCP_OPTIONS="$LIMITS&amp;protocolDetectionTimeOut=1500" STOMP_OPTIONS=$LIMITS \
MQTT_OPTIONS=$LIMITS BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <memoryUsage><memoryUsage limit="2 mb"/></memoryUsage>
</systemUsage></systemUsage>' broker_config node1 &&
TANDEM_DEBUG=1 start_broker node1 || exit 1
TP=$(broker_port node1)
SP=$(broker_stomp_port node1)
MP=$(broker_mqtt_port node1)

py() {
	PORT=$TP STOMP_PORT=$SP MQTT_PORT=$MP TRASH=$TRASH "$PYTHON" - "$@"
}

test_expect_success 'silent sockets fill maximumConnections, are closed at the deadline, and real clients get in again' '
	py <<-\EOF &&
	from tsock import *
	silent = {p: idle(p, n=4) for p in (TP, SP, MP)}
	for p in (TP, SP, MP):
	    extra = idle(p)[0]
	    check(closed_by_broker(extra) == b"", "port %d: a fifth connection was not refused" % p)
	for p, socks in silent.items():
	    for s in socks:
	        check(closed_by_broker(s) == b"", "port %d: a silent socket was not closed" % p)
	EOF
	py <<-\EOF &&
	import tstomp, os
	for p in (int(os.environ["PORT"]), int(os.environ["STOMP_PORT"])):
	    tstomp.send(p, "/queue/after-silence", "in again")
	c = tstomp.subscriber("/queue/after-silence")
	tstomp.check(c.wait_bodies(2) == ["in again", "in again"], "both sends arrived")
	EOF
	mosquitto_pub -p "$MP" -t after/silence -q 1 -m "mqtt in again" &&
	mosquitto_pub -p "$TP" -t after/silence -q 1 -m "mqtt on tcp in again"
'

test_expect_success 'half a protocol (too little to recognise, a CONNECT without its end) is closed at the deadline' '
	py <<-\EOF
	from tsock import *
	half = [
	    ("tcp://, too little to tell the protocol", TP, b"CONN"),
	    ("tcp://, MQTT CONNECT cut short", TP, b"\x10\x20\x00\x04MQ"),
	    ("tcp://, STOMP CONNECT without its blank line", TP, b"CONNECT\naccept-version:1.2\n"),
	    ("stomp://, heart-beats and no CONNECT", SP, b"\n\n\n"),
	    ("stomp://, CONNECT without its NUL", SP, b"CONNECT\naccept-version:1.2\n\n"),
	    ("mqtt://, CONNECT cut short", MP, b"\x10\x20\x00\x04MQTT\x04"),
	]
	socks = [(name, idle(p, data)[0]) for name, p, data in half]
	for name, s in socks:
	    check(closed_by_broker(s) is not None, "%s: not closed" % name)
	EOF
'

test_expect_success 'each closed connection is logged at debug, and a rate-limited warning sums them up' '
	log_contains node1 "DEBUG.*no protocol recognised within protocolDetectionTimeOut (1500 ms)" &&
	log_contains node1 "DEBUG.*no STOMP CONNECT within transport.connectAttemptTimeout (1500 ms)" &&
	log_contains node1 "DEBUG.*no MQTT CONNECT within transport.connectAttemptTimeout (1500 ms)" &&
	log_contains node1 "WARN.*closed [0-9]* connection(s) that did not log in in time" &&
	n=$(grep -c "WARN.*that did not log in in time" "$TRASH/node1/log") &&
	# 18 connections closed on three connectors within a few seconds: one
	# warning per connector at most in 10 s.
	test "$n" -le 6
'

test_expect_success 'a logged-in client is not closed at the deadline' '
	py <<-\EOF &&
	import time, tstomp
	c = tstomp.subscriber("/queue/stays")
	time.sleep(2.5)
	tstomp.send(None, "/queue/stays", "still here")
	tstomp.check(c.wait_bodies(1) == ["still here"], "the subscriber still gets messages")
	EOF
	MQTT_PORT=$MP py <<-\EOF
	import time
	from tmqtt import *
	r = Raw("stays")
	r.send(subscribe_packet(1, [("stays/mqtt", 0)]))
	r.expect("SUBACK")
	time.sleep(2.5)
	Client().pub("stays/mqtt", "still here", 1)
	kind, body = r.read()
	check(kind == "PUBLISH" and body.endswith(b"still here"), "got %s %r" % (kind, body))
	EOF
'

test_expect_success 'a STOMP frame over 8 KiB before CONNECT gets an ERROR and a close, on stomp:// and tcp://' '
	py <<-\EOF
	from tsock import *
	big_headers = b"CONNECT\naccept-version:1.2\n" + b"".join(b"h%d:%s\n" % (i, b"x" * 5000) for i in range(3))
	for p in (TP, SP):
	    for name, data in (("three headers of 5 KB", big_headers),
	                       ("a body of 1 MB announced", b"CONNECT\ncontent-length:1000000\n\n")):
	        out = closed_by_broker(idle(p, data)[0])
	        check(out is not None and out.startswith(b"ERROR") and b"at most 8192 bytes" in out,
	              "port %d, %s: %r" % (p, name, out and out[:300]))
	EOF
'

test_expect_success 'an MQTT CONNECT over 8 KiB is closed without CONNACK, on mqtt:// and tcp://' '
	py <<-\EOF
	from tsock import *
	from tmqtt import connect_packet
	big_will = connect_packet("big-will", will=("w/t", "x" * 9000, 0))
	for p in (MP, TP):
	    out = closed_by_broker(idle(p, big_will)[0])
	    check(out == b"", "port %d: %r" % (p, out and out[:20]))
	EOF
'

test_expect_success 'once logged in, frames up to wireFormat.maxFrameSize go through' '
	py <<-\EOF &&
	import tstomp
	c = tstomp.subscriber("/queue/big-after-login")
	tstomp.send(None, "/queue/big-after-login", "y" * 200000)
	tstomp.check(len(c.wait_bodies(1)[0]) == 200000, "the 200 KB message arrived")
	EOF
	head -c 200000 /dev/zero | tr "\\0" y | mosquitto_pub -p "$MP" -t big/after/login -q 1 -s
'

test_expect_success 'partial frames count against memoryUsage (sendFailIfNoSpace refuses) and are given back when their connections close' '
	py <<-\EOF
	import time, tstomp
	from tsock import *
	# Logged in, then 1 MB announced and 10 bytes of it sent: 3 MB held
	# for a limit of 2 MB.
	held = idle(SP, b"CONNECT\naccept-version:1.2\n\n\0SEND\ndestination:/queue/never\n"
	                b"content-length:1000000\n\n0123456789", n=3)
	for s in held:
	    check(s.recv(4096).startswith(b"CONNECTED"), "logged in")
	c = tstomp.client()
	persistent = {"persistent": "true"}
	sent, why = tstomp.send_until_refused(c, "/queue/while-held", "m%d", 1, persistent)
	check(sent == 0 and "Memory" in why, "a send while 3 MB are held: sent %d, %r" % (sent, why))
	for s in held:
	    s.close()
	deadline = time.monotonic() + WAIT
	while True:
	    c = tstomp.client()
	    try:
	        tstomp.send_on(c, "/queue/after-held", "room again", headers=persistent)
	        break
	    except SystemExit:
	        check(time.monotonic() < deadline, "the memory was not given back")
	        time.sleep(0.2)
	EOF
'

test_expect_success 'the output buffer a 40 MB message grew is given back once it is written, while its consumer stays' '
	# Under AddressSanitizer freed memory waits in its quarantine first.
	broker_config node2 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" start_broker node2 &&
	pid=$(cat "$TRASH/node2/pid") PORT=$(broker_port node2) stomp_py <<-\EOF
	import os, time, tstomp
	def rss_mb():
	    for line in open("/proc/%s/status" % os.environ["pid"]):
	        if line.startswith("VmRSS:"):
	            return int(line.split()[1]) // 1024
	c = tstomp.subscriber("/topic/big-output")
	before = rss_mb()
	tstomp.send(None, "/topic/big-output", "z" * (40 << 20), receipt=False)
	tstomp.check(len(c.wait_bodies(1, 60)[0]) == 40 << 20, "the 40 MB message arrived")
	deadline = time.monotonic() + tstomp.WAIT
	while rss_mb() > before + 20:
	    tstomp.check(time.monotonic() < deadline, "RSS %d MB, %d MB before the message" %
	                 (rss_mb(), before))
	    time.sleep(0.2)
	c.sync()
	EOF
'

test_expect_success 'the rate-limited warnings, taken together, count every connection closed at the deadline' '
	for i in $(seq 150); do
		closed=$(grep -c "DEBUG.*closing connection.* within [a-zA-Z.]*Time[oO]ut (" "$TRASH/node1/log")
		warned=$(sed -n "s/.*WARN.*closed \([0-9]*\) connection(s) that did not log in.*/\1/p" \
			"$TRASH/node1/log" | awk "{ n += \$1 } END { print n + 0 }")
		[ "$closed" -gt 0 ] && [ "$closed" = "$warned" ] && exit 0
		sleep 0.1
	done
	echo "$closed closed at the deadline, $warned in the warnings"
	false
'

test_done
