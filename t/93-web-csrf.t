#!/bin/sh
# Cross-site request forgery on the HTTP API (issue 16, point 3): a page
# of another origin, in a browser holding the console's Basic credentials
# or session, can make no change through /api/message or /api/jolokia.
# Each attack is sent as a browser sends it (the simple content types,
# the Origin, Referer and Sec-Fetch-Site it adds); the same requests from
# the console's own origin, and from curl (no Origin), still work.
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto broker_config node1
start_broker node1 || exit 1
W="http://127.0.0.1:$(broker_web_port node1)"
B='org.apache.activemq:type=Broker,brokerName=node1'
Q="$B,destinationType=Queue,destinationName=victim"
EVIL="Origin: http://evil.example"

# code CURL-ARGS...: the HTTP status of one request.
code() { curl -s -g -o out -w '%{http_code}' "$@"; }
# depth: the QueueSize of victim, read the way curl users do.
depth() {
	curl -s -g -u admin:admin "$W/api/jolokia/read/$Q/QueueSize" | sed -n 's/.*"value":\([0-9]*\).*/\1/p'
}
# session: a console login into jar.
session() {
	rm -f jar
	curl -s -c jar -o login.html "$W/login" &&
	token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' login.html) &&
	curl -s -b jar -c jar -o /dev/null -d "user=admin&password=admin&token=$token" "$W/login"
}

test_expect_success 'a queue with two messages to attack' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/victim", "one")
	send(port(), "/queue/victim", "two")
	EOF
	test "$(depth)" = 2 &&
	session
'

test_expect_success 'a text/plain form of another origin cannot send through /api/message (Basic or session)' '
	test "$(code -u admin:admin -H "$EVIL" -H "Sec-Fetch-Site: cross-site" \
		-H "Content-Type: text/plain" --data-binary "injected" "$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -u admin:admin -H "$EVIL" -d "body=injected" "$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -u admin:admin -H "$EVIL" -F "body=injected" "$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -b jar -H "$EVIL" -H "Content-Type: text/plain" --data-binary "injected" \
		"$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -b jar -H "Sec-Fetch-Site: same-site" "$W/api/message/victim?type=queue&readTimeout=100")" = 403 &&
	test "$(depth)" = 2 &&
	log_contains node1 "Refused a POST to /api/message/victim from 127.0.0.1:[0-9]*: its Origin http://evil.example is not this console"
'

test_expect_success 'a JSON-looking text/plain form of another origin cannot purge through /api/jolokia (Basic)' '
	test "$(code -u admin:admin -H "$EVIL" -H "Content-Type: text/plain" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"purge\",\"x\":\"=\"}" \
		"$W/api/jolokia")" = 403 &&
	test "$(code -u admin:admin -H "Origin: null" -H "Content-Type: text/plain" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"purge\"}" "$W/api/jolokia")" = 403 &&
	test "$(depth)" = 2
'

test_expect_success 'without Origin, a Referer or Sec-Fetch-Site of elsewhere is refused too' '
	test "$(code -u admin:admin -H "Referer: http://evil.example/page" -d "body=injected" \
		"$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -u admin:admin -H "Sec-Fetch-Site: same-site" -d "body=injected" \
		"$W/api/message/victim?type=queue")" = 403 &&
	test "$(code -u admin:admin -H "Sec-Fetch-Site: cross-site" -H "Referer: http://evil.example/" \
		"$W/api/message/victim?type=queue&readTimeout=100")" = 403 &&
	test "$(depth)" = 2
'

test_expect_success 'GET exec and GET write change nothing, with the session cookie or Basic' '
	test "$(code -b jar "$W/api/jolokia/exec/$Q/purge")" = 403 &&
	grep -q "\"status\":403" out &&
	test "$(code -b jar -H "Sec-Fetch-Site: same-site" "$W/api/jolokia/exec/$Q/purge()")" = 403 &&
	test "$(code -u admin:admin "$W/api/jolokia/exec/$Q/sendTextMessage/injected")" = 403 &&
	test "$(code -b jar "$W/api/jolokia/write/$Q/MemoryLimit/1")" = 403 &&
	test "$(code -b jar "$W/api/jolokia/?p=/exec/$Q/purge")" = 403 &&
	test "$(depth)" = 2 &&
	test "$(code -b jar "$W/api/jolokia/read/$Q/QueueSize")" = 200 &&
	! grep -q "\"value\":1," out
'

test_expect_success 'the same requests from the console'"'"'s own origin work' '
	test "$(code -u admin:admin -H "Origin: $W" -H "Sec-Fetch-Site: same-origin" \
		-d "body=same origin" "$W/api/message/victim?type=queue")" = 200 &&
	test "$(code -u admin:admin -H "Referer: $W/send" -d "body=same referer" \
		"$W/api/message/victim?type=queue")" = 200 &&
	test "$(code -b jar -H "Sec-Fetch-Site: same-origin" "$W/api/jolokia/read/$Q/QueueSize")" = 200 &&
	grep -q "\"value\":4" out &&
	test "$(code -u admin:admin -H "Origin: $W" -H "Content-Type: application/json" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"purge\"}" "$W/api/jolokia")" = 200 &&
	test "$(depth)" = 0
'

test_expect_success 'curl as the README shows it (no Origin) still sends, takes and purges' '
	test "$(code -u admin:admin -d "body=hello" "$W/api/message/victim?type=queue")" = 200 &&
	test "$(code -u admin:admin -d "hello" "$W/api/message/victim?type=queue")" = 200 &&
	test "$(code -u admin:admin "$W/api/message/victim?type=queue&readTimeout=5000")" = 200 &&
	test "$(cat out)" = hello &&
	test "$(code -u admin:admin -d "{\"type\":\"exec\",\"mbean\":\"$Q\",\"operation\":\"purge\"}" \
		"$W/api/jolokia")" = 200 &&
	test "$(depth)" = 0
'

test_done
