#!/bin/sh
# /api/jolokia (issue 9): Jolokia's GET and POST forms over HTTP, answered
# by the same code as the management socket, so both say the same; HTTP
# Basic with the broker's users; bad requests get Jolokia errors.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto WEB_PORT=auto BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="ops" password="ops-pw" groups="admins"/>
</users></simpleAuthenticationPlugin></plugins>' broker_config node1
start_broker node1 || exit 1
B='org.apache.activemq:type=Broker,brokerName=node1'
Q="$B,destinationType=Queue,destinationName=jq"

# jget PATH [curl args]: GET /api/jolokia/PATH as ops into out.json; the
# HTTP status on stdout.
jget() {
	p=$1
	shift
	curl -s -g -o out.json -w '%{http_code}' -u ops:ops-pw "$@" \
		"http://127.0.0.1:$(broker_web_port node1)/api/jolokia/$p"
}
# jpost JSON: POSTs it into out.json.
jpost() {
	curl -s -o out.json -w '%{http_code}' -u ops:ops-pw -H 'Content-Type: application/json' \
		--data-binary "$1" "http://127.0.0.1:$(broker_web_port node1)/api/jolokia"
}
# sock JSON: the management socket's answer into sock.json.
sock() {
	REQ=$1 stomp_py >sock.json <<-\EOF
	import json, os
	from tmgmt import *
	m = Mgmt()
	m.send_line('{"type":"login","user":"ops","password":"ops-pw"}')
	m.line()
	print(json.dumps(m.req(json.loads(os.environ["REQ"])), separators=(",", ":")))
	EOF
}
# same WHAT: out.json and sock.json say the same.
same() {
	WHAT=$1 stomp_py <<-\EOF
	import os
	from tweb import *
	same_answers(load("out.json"), load("sock.json"), os.environ["WHAT"])
	EOF
}

test_expect_success 'no login, a wrong password, or admin/admin (the broker has users) are 401' '
	test "$(jget version -u "")" = 401 &&
	test "$(jget version -u ops:wrong)" = 401 &&
	test "$(jget version -u admin:admin)" = 401 &&
	log_contains node1 "Web login failed for user \[ops\] from 127.0.0.1:[0-9]*: wrong password"
'

test_expect_success 'version, with the broker'"'"'s user' '
	test "$(jget version)" = 200 &&
	stomp_py <<-\EOF
	from tweb import *
	v = load("out.json")
	check(v["status"] == 200 and v["value"]["agent"].startswith("tandem"), v)
	EOF
'

test_expect_success 'some messages to look at' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client(login="ops", passcode="ops-pw")
	for i in range(3):
	    send_on(c, "/queue/jq", "m%d" % i)
	send_on(c, "/queue/jq2", "x")
	EOF
'

test_expect_success 'GET read of one attribute and of all: as the socket answers' '
	test "$(jget "read/$Q/QueueSize")" = 200 &&
	sock "{\"type\":\"read\",\"mbean\":\"$Q\",\"attribute\":\"QueueSize\"}" && same "read QueueSize" &&
	grep -q "\"value\":3" out.json &&
	test "$(jget "read/$B/BrokerName")" = 200 &&
	sock "{\"type\":\"read\",\"mbean\":\"$B\",\"attribute\":\"BrokerName\"}" && same "read BrokerName"
'

test_expect_success 'GET and POST search: as the socket answers' '
	P="$B,destinationType=Queue,destinationName=*" &&
	test "$(jget "search/$P")" = 200 &&
	sock "{\"type\":\"search\",\"mbean\":\"$P\"}" && same "GET search" &&
	grep -q "destinationName=jq2" out.json &&
	test "$(jpost "{\"type\":\"search\",\"mbean\":\"$P\"}")" = 200 && same "POST search"
'

test_expect_success 'POST read of a pattern with attributes: as the socket answers' '
	R="{\"type\":\"read\",\"mbean\":\"$B,destinationType=Queue,destinationName=*\",\"attribute\":[\"QueueSize\",\"Name\"]}" &&
	jpost "$R" >/dev/null && sock "$R" && same "pattern read"
'

test_expect_success 'exec: browse answers as on the socket; a send through HTTP lands in the queue' '
	test "$(jpost "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"browse()\"}")" = 200 &&
	sock "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"browse()\"}" && same "exec browse" &&
	test "$(jpost "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"sendTextMessage\",\"arguments\":[\"from/http\"]}")" = 200 &&
	grep -q "\"status\":200" out.json &&
	sock "{\"type\":\"read\",\"mbean\":\"$Q\",\"attribute\":\"QueueSize\"}" &&
	grep -q "\"value\":4" sock.json &&
	jpost "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"browse\"}" >/dev/null &&
	grep -q "from/http" out.json
'

test_expect_success 'exec and write take POST only (a GET is refused, 403); a POST write sets an attribute the socket then reads' '
	test "$(jget "exec/$Q/sendTextMessage/by!/get")" = 403 &&
	grep -q "\"status\":403" out.json && grep -q "send it as a POST" out.json &&
	test "$(jget "write/$Q/MemoryLimit/1048576")" = 403 &&
	test "$(jpost "{\"type\":\"write\",\"mbean\":\"$Q\",\"attribute\":\"MemoryLimit\",\"value\":1048576}")" = 200 &&
	grep -q "\"status\":200" out.json &&
	sock "{\"type\":\"read\",\"mbean\":\"$Q\",\"attribute\":\"MemoryLimit\"}" &&
	grep -q "\"value\":1048576" sock.json
'

test_expect_success 'bulk POST: one answer per request, as the socket'"'"'s bulk' '
	R="[{\"type\":\"read\",\"mbean\":\"$Q\",\"attribute\":\"QueueSize\"},
	    {\"type\":\"search\",\"mbean\":\"$B,destinationType=Queue,*\"},
	    {\"type\":\"read\",\"mbean\":\"$B,destinationType=Queue,destinationName=nope\"},
	    {\"type\":\"list\",\"path\":\"org.apache.activemq/type=Broker,brokerName=node1\"}]" &&
	test "$(jpost "$R")" = 200 && sock "$R" && same "bulk" &&
	stomp_py <<-\EOF
	from tweb import *
	v = load("out.json")
	check([r["status"] for r in v] == [200, 200, 404, 200], v)
	EOF
'

test_expect_success 'GET list of one object: as the socket answers' '
	test "$(jget "list/org.apache.activemq/type=Broker,brokerName=node1")" = 200 &&
	sock "{\"type\":\"list\",\"path\":\"org.apache.activemq/type=Broker,brokerName=node1\"}" &&
	same "list"
'

test_expect_success 'bad requests get Jolokia errors, and the broker goes on' '
	test "$(jpost "not json {")" = 200 && grep -q "\"status\":400" out.json &&
	grep -q "Not JSON" out.json &&
	jpost "{\"type\":\"frobnicate\"}" >/dev/null && grep -q "Unknown request type" out.json &&
	jpost "{\"type\":\"watch\",\"mbean\":\"$B\"}" >/dev/null && grep -q "\"status\":400" out.json &&
	jpost "[1, \"x\", null]" >/dev/null && grep -q "A request is a JSON object" out.json &&
	jget "read" >/dev/null && grep -q "no MBean" out.json &&
	jget "read/$B,destinationType=Queue,destinationName=nope/QueueSize" >/dev/null &&
	grep -q "\"status\":404" out.json &&
	jpost "{\"type\":\"exec\",\"mbean\":\"$B\",\"operation\":\"noSuchOp\"}" >/dev/null &&
	grep -q "\"status\":404" out.json &&
	head -c 9000000 /dev/zero | tr "\0" x >big &&
	code=$(curl -s -o out.json -w "%{http_code}" -u ops:ops-pw --data-binary @big \
		"http://127.0.0.1:$(broker_web_port node1)/api/jolokia") &&
	test "$code" = 413 &&
	test "$(jget version)" = 200
'

test_expect_success 'tandemctl reaches a node through its web console (--node http://...)' '
	N="http://127.0.0.1:$(broker_web_port node1)" &&
	ctl --node "$N" --user ops --password ops-pw bstat >out &&
	grep -q "node1 *master" out &&
	ctl --node "$N" --user ops --password ops-pw --json dstat >rows.json &&
	json_true "any(r.get(\"name\", r.get(\"Name\")) == \"jq2\" for r in rows)" rows.json &&
	ctl --node "$N/" --user ops --password ops-pw send --body "via tandemctl" jq2 &&
	ctl --node "$N" --user ops --password ops-pw browse jq2 >out &&
	grep -q "via tandemctl" out &&
	ctl --node "$N" --user ops --password ops-pw ha >out && grep -q master out
'

test_expect_success 'tandemctl over HTTP: a wrong password fails with the reason, a dead port exits 3' '
	N="http://127.0.0.1:$(broker_web_port node1)" &&
	! ctl --node "$N" --user ops --password wrong bstat 2>err &&
	grep -q "refused the login (HTTP 401)" err &&
	ctl --node "http://127.0.0.1:$(free_port)" --user ops --password ops-pw bstat 2>err;
	test $? = 3
'

test_expect_success 'tandemtop watches a node through its web console' '
	test -x "$TEST_BUILD/tui/tandemtop" || { echo "no tandemtop built"; exit 0; }
	timeout 20 "$TEST_BUILD/tui/tandemtop" --batch --iterations 2 --no-discover --user ops \
		--password ops-pw --node "http://127.0.0.1:$(broker_web_port node1)" >out &&
	grep -q "node1 *MASTER" out && grep -q "jq2" out
'

test_expect_success 'wrong passwords slow that user down, with no lockout: the right one still gets in' '
	for i in 1 2 3 4; do
		test "$(jget version -u ops:guess$i)" = 401 || exit 1
	done &&
	test "$(jget version)" = 200 &&
	log_contains node1 "3 failed logins of user \[ops\] from 127.0.0.1: each further attempt"
'

test_done
