#!/bin/sh
# An ActiveMQ neighbour as the operator sees it (issue 22): Debian's
# ActiveMQ 5.17 dials Tandem t with its own networkConnector, and t's
# management model lists that bridge as an InboundNetworkBridge (its
# broker's name and id, where from, since when, messages in), which
# tandemctl network, tandemtop's Flows screen and the web console's
# network page all show, marked "(ActiveMQ)". Its own state comes from its
# Jolokia (<?tandem jolokiaNeighbour?>): Debian's activemq has no web
# console, so t/lib/tjolokia.py stands in for it, answering as ActiveMQ
# 5.17's Jolokia does; reachable, then each way of failing, said with why.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
command -v tmux >/dev/null 2>&1 || skip_all "no tmux"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-broker.sh" "$@"
}
. "$TEST_ROOT/t/lib/ttmux.sh"
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; amq --kill "$TRASH/amq"; jolokia_stop; test_cleanup' EXIT

# The stand-in Jolokia, with ActiveMQ's web console login.
JPORT=$(free_port) || exit 1
PW=s3cret-pw
jolokia_start() {
	"$PYTHON" "$TEST_ROOT/t/lib/tjolokia.py" "$JPORT" admin "$1" "$TRASH/jmode" amq &
	echo $! >"$TRASH/jolokia.pid"
	for i in $(seq 100); do port_open "$JPORT" && return 0; sleep 0.1; done
	return 1
}
jolokia_stop() {
	[ -f "$TRASH/jolokia.pid" ] && kill "$(cat "$TRASH/jolokia.pid")" 2>/dev/null
	rm -f "$TRASH/jolokia.pid"
}
echo ok >"$TRASH/jmode" && jolokia_start "$PW" || exit 1
# neighbour_is EXPR: until EXPR holds of amq's JolokiaNeighbour attributes
# (`a`), 10 s.
neighbour_is() {
	for i in $(seq 100); do
		ctl --node $M --json query --objname "type=Broker,brokerName=t,service=JolokiaNeighbour,*" >nb.json &&
			json_true "$1" nb.json >/dev/null && return 0
		sleep 0.1
	done
	json_true "$1" nb.json
}

TOP=$TEST_BUILD/tui/tandemtop
APORT=$(free_port 2) || exit 1
export APORT
BROKER_EXTRA="<?tandem jolokiaNeighbour brokerName=\"amq\" url=\"http://127.0.0.1:$JPORT/api/jolokia\"
    userName=\"admin\" password=\"$PW\" interval=\"300\" timeout=\"1000\"?>" \
MGMT_PORT=auto WEB_PORT=auto broker_config t || exit 1
M=127.0.0.1:$(broker_mgmt_port t)

test_expect_success 'ActiveMQ'"'"'s networkConnector dials t, which takes it for a bridge; ActiveMQ skips a <?tandem?> setting in its file' '
	start_broker t &&
	cat >nc.xml <<-EOF &&
	<?tandem jolokiaNeighbour brokerName="t" url="http://127.0.0.1:1/api/jolokia"?>
	<networkConnectors>
	  <networkConnector name="to-tandem" uri="static:(tcp://127.0.0.1:$(broker_port t))"/>
	</networkConnectors>
	EOF
	amq --start "$TRASH/amq" amq "$APORT" "$TRASH/nc.xml" &&
	log_waits_for t "Network bridge from broker amq (ID:[^)]*) connected from 127.0.0.1:"
'

test_expect_success 'what ActiveMQ'"'"'s producers send reaches a consumer on t over that bridge' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tamqnet import *
	c = client()
	c.conn.subscribe("/queue/view.q", id="1", ack="auto")
	c.conn.subscribe("/topic/view.sync", id="2", ack="auto")
	c.sync()
	a = client(amq_stomp())
	probe_until(a, "/topic/view.sync", lambda: c.messages)
	for i in range(20):
	    send_on(a, "/queue/view.q", "q %d" % i, headers={"persistent": "true"})
	got = bodies(c, 20)
	check([b for b in got if b[0] == "q"] == ["q %d" % i for i in range(20)], got)
	EOF
'

test_expect_success 'management: one InboundNetworkBridge, from amq, its BrokerId and address, since when, 20+ in' '
	ctl --node $M --json query --objname "type=Broker,brokerName=t,connector=inboundNetworkBridges,*" >in.json &&
	json_true "len(rows) == 1" in.json &&
	json_true "[(a[\"RemoteBrokerName\"], a[\"RemoteBrokerType\"], a[\"Direction\"], a[\"State\"]) for a in (r[\"attributes\"] for r in rows)] == [(\"amq\", \"ActiveMQ\", \"inbound\", \"active\")]" in.json &&
	json_true "rows[0][\"attributes\"][\"RemoteBrokerId\"].startswith(\"ID:\") and rows[0][\"attributes\"][\"RemoteAddress\"].startswith(\"127.0.0.1:\")" in.json &&
	json_true "rows[0][\"attributes\"][\"EnqueueCounter\"] >= 20 and rows[0][\"attributes\"][\"StateSinceMillis\"] > 0" in.json
'

test_expect_success 'tandemctl network lists it: FROM amq (ActiveMQ), TO t, active, what it brought' '
	ctl --node $M network --interval 0 >net.txt && cat net.txt &&
	grep -Eq "^$M +amq \(ActiveMQ\) +t +active for [0-9.]+[smhd]" net.txt &&
	ctl --node $M --json network --interval 0 >net.json &&
	json_true "[(r[\"from\"], r[\"to\"], r[\"Direction\"]) for r in rows] == [(\"amq (ActiveMQ)\", \"t\", \"inbound\")]" net.json &&
	json_true "rows[0][\"EnqueueCounter\"] >= 20 and rows[0][\"from_id\"] == rows[0][\"RemoteBrokerId\"] and rows[0][\"back\"] == 0" net.json &&
	json_true "rows[0][\"RemoteAddress\"].startswith(\"127.0.0.1:\")" net.json
'

test_expect_success 'tandemtop: the Flows screen has the bridge amq (ActiveMQ) -> t; Enter shows where from and what came in' '
	tm -f /dev/null new-session -d -s top -x 160 -y 40 \
		"LANG=C.UTF-8 \"$TOP\" --node $M --interval 0.3; sleep 60" &&
	keys 3 && screen_shows "^amq \(ActiveMQ\) +t +active " &&
	keys Enter &&
	screen_shows "^bridge amq -> t" "<- in +view\.q +20 " "RemoteAddress +.127\.0\.0\.1:" \
		"RemoteBrokerId +.ID:" "Direction +.inbound" \
		"Neighbour +.reachable: amq up 2 minutes, 17 messages in 2 queues, bridges to t" &&
	keys Escape
'

test_expect_success 'tandemtop --batch prints the same row' '
	"$TOP" --node $M --batch --iterations 2 --interval 0.3 --screen flows >top.txt &&
	grep -Eq "^amq \(ActiveMQ\) +t +active " top.txt
'

test_expect_success 'the web console'"'"'s network page lists it under Inbound bridges; its JSON API reads the same object' '
	W=http://127.0.0.1:$(broker_web_port t) && . "$TEST_ROOT/t/lib/tweb.sh" &&
	test "$(login admin admin)" = 303 &&
	test "$(get /network)" = 200 &&
	"$PYTHON" - page.html <<-\EOF &&
	import re, sys
	page = open(sys.argv[1]).read()
	table = re.search(r"<table id=\"inbound-bridges\">(.*?)</table>", page, re.S)
	assert table, "no inbound-bridges table"
	rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)
	cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[1], re.S)]
	print(cells)
	assert cells[0] == "amq" and cells[1] == "ActiveMQ", cells
	assert cells[2].startswith("ID:") and cells[3].startswith("127.0.0.1:"), cells
	assert int(cells[6]) >= 20, cells
	EOF
	curl -sf -u admin:admin "$W/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=t,connector=inboundNetworkBridges,networkConnectorName=*,networkBridge=*/RemoteBrokerName" >api.json &&
	"$PYTHON" -c "import json,sys; v = json.load(open(\"api.json\"))[\"value\"]; assert [a[\"RemoteBrokerName\"] for a in v.values()] == [\"amq\"], v"
'

test_expect_success 'management: amq'"'"'s own state through its Jolokia, a JolokiaNeighbour object: uptime, messages, queues, bridges' '
	neighbour_is "rows[0][\"attributes\"][\"State\"] == \"reachable\"" &&
	json_true "(lambda a: (a[\"BrokerName\"], a[\"Uptime\"], a[\"UptimeMillis\"], a[\"TotalMessageCount\"], a[\"Error\"]) == (\"amq\", \"2 minutes\", 120000, 17, \"\"))(rows[0][\"attributes\"])" nb.json &&
	json_true "rows[0][\"attributes\"][\"Queues\"] == {\"orders\": 12, \"audit\": 5}" nb.json &&
	json_true "[(b[\"RemoteBrokerName\"], b[\"EnqueueCounter\"]) for b in rows[0][\"attributes\"][\"NetworkBridges\"]] == [(\"t\", 20)]" nb.json &&
	json_true "rows[0][\"attributes\"][\"Url\"] == \"http://127.0.0.1:$JPORT/api/jolokia\" and rows[0][\"attributes\"][\"ReadMillis\"] > 0" nb.json &&
	grep -q "^/api/jolokia Basic " "$TRASH/jmode.log"
'

test_expect_success 'tandemctl network shows it beside the bridge (NEIGHBOUR), the console in its network page' '
	ctl --node $M network --interval 0 >net.txt && cat net.txt &&
	head -1 net.txt | grep -q "LAST-ERROR *NEIGHBOUR$" &&
	grep -Eq "^$M +amq \(ActiveMQ\) +t +active .*reachable: amq up 2 minutes, 17 messages in 2 queues, bridges to t$" net.txt &&
	ctl --node $M --json network --interval 0 >net.json &&
	json_true "rows[0][\"Neighbour\"].startswith(\"reachable: amq up\")" net.json &&
	W=http://127.0.0.1:$(broker_web_port t) && . "$TEST_ROOT/t/lib/tweb.sh" &&
	test "$(login admin admin)" = 303 && test "$(get /network)" = 200 &&
	grep -q "<table id=\"neighbours\">" page.html &&
	grep -q "reachable: amq up 2 minutes, 17 messages in 2 queues, bridges to t" page.html
'

test_expect_success 'unreachable, with why: an answer that is no JSON, no answer within the timeout, a refused login, nobody listening' '
	echo garbage >"$TRASH/jmode" &&
	neighbour_is "rows[0][\"attributes\"][\"Summary\"].startswith(\"unreachable: \") and \"not JSON\" in rows[0][\"attributes\"][\"Error\"]" &&
	json_true "rows[0][\"attributes\"][\"TotalMessageCount\"] == 17" nb.json &&
	echo hang >"$TRASH/jmode" &&
	neighbour_is "\"timed out\" in rows[0][\"attributes\"][\"Error\"]" &&
	ctl --node $M bstat >bstat.out && grep -q "^$M" bstat.out &&
	jolokia_stop && echo ok >"$TRASH/jmode" && jolokia_start wrong-password &&
	neighbour_is "rows[0][\"attributes\"][\"Error\"] == \"the login was refused (HTTP 401)\"" &&
	ctl --node $M network --interval 0 >net.txt &&
	grep -q "unreachable: the login was refused (HTTP 401)$" net.txt &&
	jolokia_stop &&
	neighbour_is "\"onnect\" in rows[0][\"attributes\"][\"Error\"]" &&
	cat nb.json | grep -o "\"Error\": \"[^\"]*\"" &&
	log_contains t "ActiveMQ neighbour amq: its Jolokia cannot be read: " &&
	jolokia_start "$PW" &&
	neighbour_is "rows[0][\"attributes\"][\"State\"] == \"reachable\"" &&
	log_contains t "ActiveMQ neighbour amq: its Jolokia answers again"
'

test_expect_success 'its password is never shown: not in the log, tandemctl, the console, tandemd --check; it is sent' '
	! grep -rl "$PW" "$TRASH/t/log" *.json *.txt page.html &&
	"$TEST_BUILD/broker/tandemd" --check -c "$TRASH/t/broker.xml" >check.out 2>&1 &&
	grep -A6 "^jolokiaNeighbour amq" check.out && ! grep -q "$PW" check.out &&
	grep -q "Basic $(printf admin:%s "$PW" | base64)" "$TRASH/jmode.log"
'

test_expect_success 'when ActiveMQ stops, the bridge leaves the listing' '
	amq --stop "$TRASH/amq" &&
	log_waits_for t "Network bridge from broker amq disconnected" &&
	ctl --node $M --json network --interval 0 >gone.json &&
	json_true "rows == []" gone.json
'

test_done
