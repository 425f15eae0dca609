#!/bin/sh
# The console's health, as an operator on call reads it: each check a row
# (OK / WARN / CRIT, since when, detail), the worst first, so that a
# bridge down outranks a queue with one message; producers held by flow
# control appear (and are marked on the cluster page); the memory meter
# shows the fullest queue beside the broker's. The network page marks a bridge that backs off as failing,
# since it went down (not since its latest retry). One broker whose
# bridge names a port nobody listens on.
. "$(dirname "$0")/test-lib.sh"

DEAD=$(free_port)
WEB_PORT=auto
TANDEM_TEST_HEALTH_IDLE_MS=500
export WEB_PORT TANDEM_TEST_HEALTH_IDLE_MS
BROKER_EXTRA="<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue=\"full.q\" memoryLimit=\"64 kb\" producerFlowControl=\"true\"/>
</policyEntries></policyMap></destinationPolicy>
<networkConnectors><networkConnector name=\"gone\" uri=\"static:(tcp://127.0.0.1:$DEAD)\"/></networkConnectors>" \
	broker_config h && start_broker h || exit 1

# page PATH: the page, as admin (admin/admin from this host), on stdout.
page() { curl -s -u admin:admin "http://127.0.0.1:$(broker_web_port h)$1"; }

test_expect_success 'network page: a bridge backing off is failing, since it went down' '
	W="http://127.0.0.1:$(broker_web_port h)" stomp_py <<-\EOF
	import json, os, re, urllib.request, base64
	from tstomp import *
	from tmgmt import until
	W = os.environ["W"]
	auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
	def get(path):
	    return urllib.request.urlopen(urllib.request.Request(W + path, headers=auth)).read().decode()
	def bridge():
	    v = json.loads(get("/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=h,connector=networkConnectors,networkConnectorName=gone,networkBridge=*"))["value"]
	    return list(v.values())[0]
	# retried at least once since it went down: its state changed since
	until("a retry", lambda: bridge()["Failures"] >= 2 and bridge()["StateSinceMillis"] > bridge()["DownSinceMillis"])
	b = bridge()
	html = get("/network")
	row = re.search(r"<table id=\"bridges\">.*?</tr>\n(<tr.*?</tr>)", html, re.S).group(1)
	check(row.startswith("<tr class=\"bad\">"), "styled failing: %r" % row)
	check("(failing)" in row, "says failing: %r" % row)
	since = int(re.search(r"<td title=\"(\d+)\">", row).group(1))
	check(since == b["DownSinceMillis"], "since it went down (%d), not the retry (%d): %r" % (b["DownSinceMillis"], b["StateSinceMillis"], row))
	EOF
'

test_expect_success 'health: a row per check, a bridge down (CRIT) above a queue with one message (WARN)' '
	PORT=$(broker_port h) stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/one.q", "alone")
	EOF
	for i in $(seq 100); do
		page / >o.html
		grep -q "<td>Queues without consumers</td><td><span class=\"sev WARN\">" o.html &&
		grep -q "<td>Network bridges</td><td><span class=\"sev CRIT\">" o.html && break
		sleep 0.2
	done &&
	sed -n "/<table id=\"health\">/,/<\/table>/p" o.html >health.html && cat health.html &&
	grep -q "<td>Network bridges</td><td><span class=\"sev CRIT\">CRIT</span></td><td title=" health.html &&
	grep -q "one.q has 1 message" health.html &&
	test "$(grep -n "sev CRIT" health.html | head -1 | cut -d: -f1)" -lt \
	     "$(grep -n "sev WARN" health.html | head -1 | cut -d: -f1)" &&
	test "$(grep -n "sev WARN" health.html | tail -1 | cut -d: -f1)" -lt \
	     "$(grep -n "sev OK" health.html | head -1 | cut -d: -f1)" &&
	grep -q "<td>Memory</td><td><span class=\"sev OK\">OK</span>" health.html
'

test_expect_success 'a producer held by flow control appears; the fullest queue beside the broker'"'"'s memory meter' '
	{ PORT=$(broker_port h) stomp_py <<-\EOF &
	import time
	from tstomp import *
	p = client()
	for i in range(200):
	    p.conn.send("/queue/full.q", "%d %s" % (i, "x" * 1024), headers={"persistent": "true"})
	open("producer.sent", "w").close()
	time.sleep(30)
	EOF
	} && ppid=$! &&
	wait_lines producer.sent 0 &&
	for i in $(seq 100); do
		page / >o.html
		grep -q "<td>Blocked producers</td><td><span class=\"sev CRIT\">" o.html && break
		sleep 0.2
	done;
	page /cluster >c.html;
	kill $ppid;
	grep -q "<tr class=\"blocked\"><td>full.q</td>" c.html &&
	sed -n "/<table id=\"health\">/,/<\/table>/p" o.html &&
	grep -q "<td>Blocked producers</td><td><span class=\"sev CRIT\">CRIT</span></td><td title=" o.html &&
	grep -q "producer(s) held by flow control sending to queue://full.q" o.html &&
	grep -o "<span id=\"memory-pct\">[0-9]*%</span>" o.html &&
	grep -o "<span id=\"dest-memory-pct\">[0-9]*%</span> (full.q)" o.html >dest &&
	pct=$(sed "s/.*>\([0-9]*\)%<.*/\1/" dest) && test "$pct" -ge 90
'

test_done
