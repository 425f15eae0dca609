#!/bin/sh
# /api/message (issue 9), as ActiveMQ's REST API: POST sends, GET takes one
# message (waiting up to readTimeout), between HTTP and STOMP clients.
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto broker_config node1
start_broker node1 || exit 1
U="http://127.0.0.1:$(broker_web_port node1)/api/message"
J="http://127.0.0.1:$(broker_web_port node1)/api/jolokia"
B='org.apache.activemq:type=Broker,brokerName=node1'

# consumers TYPE NAME: the ConsumerCount of a destination.
consumers() {
	curl -s -g -u admin:admin "$J/read/$B,destinationType=$1,destinationName=$2/ConsumerCount" |
	sed -n 's/.*"value":\([0-9]*\).*/\1/p'
}

test_expect_success 'no login is 401' '
	test "$(curl -s -o /dev/null -w "%{http_code}" -d x "$U/q1?type=queue")" = 401
'

test_expect_success 'POST sends: a STOMP consumer gets the body, the headers, persistence and priority' '
	code=$(curl -s -o out -w "%{http_code}" -u admin:admin -H "Content-Type: text/plain" \
		--data-binary "hello over http" \
		"$U/orders?type=queue&JMSDeliveryMode=persistent&JMSPriority=7&color=blue") &&
	test "$code" = 200 && grep -q "^Message sent: ID:" out &&
	stomp_py <<-\EOF
	from tstomp import *
	c = subscriber("/queue/orders")
	m = c.wait(1)[0]
	check(m.body == "hello over http", m.body)
	check(m.headers.get("color") == "blue", m.headers)
	check(m.headers.get("persistent") == "true", m.headers)
	check(m.headers.get("priority") == "7", m.headers)
	EOF
'

test_expect_success 'a form POST sends its body field, its other fields as headers' '
	curl -s -o out -u admin:admin -d "body=from a form&kind=form" "$U/forms?type=queue" &&
	grep -q "^Message sent" out &&
	stomp_py <<-\EOF
	from tstomp import *
	m = subscriber("/queue/forms").wait(1)[0]
	check(m.body == "from a form" and m.headers.get("kind") == "form", (m.body, m.headers))
	EOF
'

test_expect_success 'GET takes one message a STOMP producer sent, with its headers; the queue is then empty' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/take", "first", headers={"shade": "red"})
	send(port(), "/queue/take", "second")
	EOF
	curl -s -D hdr -o body -u admin:admin "$U/take?type=queue&readTimeout=5000" &&
	grep -q "^HTTP/1.1 200" hdr && test "$(cat body)" = first &&
	grep -qi "^property-shade: red" hdr && grep -qi "^destination: queue://take" hdr &&
	curl -s -o body -u admin:admin "$U/take?type=queue&readTimeout=5000" &&
	test "$(cat body)" = second &&
	curl -s -g -u admin:admin "$J/read/$B,destinationType=Queue,destinationName=take/QueueSize" >size &&
	grep -q "\"value\":0" size
'

test_expect_success 'GET on an empty queue is 204 after readTimeout' '
	test "$(curl -s -o /dev/null -w "%{http_code}" -u admin:admin "$U/empty?type=queue&readTimeout=200")" = 204 &&
	test "$(consumers Queue empty)" = 0
'

test_expect_success 'a waiting GET gets the message sent while it waits (queue and topic)' '
	curl -s -o qbody -u admin:admin "$U/later?type=queue&readTimeout=20000" &
	qpid=$!
	curl -s -o tbody -u admin:admin "$U/news?type=topic&readTimeout=20000" &
	tpid=$!
	for i in $(seq 100); do
		test "$(consumers Queue later)" = 1 && test "$(consumers Topic news)" = 1 && break
		sleep 0.1
	done &&
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/later", "queued while waiting")
	EOF
	curl -s -o /dev/null -u admin:admin -d "published while waiting" -H "Content-Type: text/plain" "$U/news" &&
	wait $qpid && wait $tpid &&
	test "$(cat qbody)" = "queued while waiting" &&
	test "$(cat tbody)" = "published while waiting"
'

test_expect_success 'a message with markup in headers and body comes back as plain text that cannot run' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/evil", "<script>alert(1)</script>", headers={"x": "<img src=x onerror=alert(2)>"})
	EOF
	curl -s -D hdr -o body -u admin:admin "$U/evil?type=queue&readTimeout=5000" &&
	grep -qi "^Content-Type: text/plain" hdr &&
	grep -qi "^X-Content-Type-Options: nosniff" hdr &&
	grep -qi "^Content-Security-Policy: default-src .none.; sandbox" hdr &&
	test "$(cat body)" = "<script>alert(1)</script>"
'

test_expect_success 'bad requests are 400 with a reason' '
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin -d x "$U/q?type=bogus")" = 400 &&
	grep -q "queue or topic" out &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin -d x "$U/a.*?type=queue")" = 400 &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin "$U/q?type=queue&readTimeout=soon")" = 400 &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin -d x "$U/q?type=queue&JMSPriority=12")" = 400 &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin "$U/")" = 400
'

test_expect_success 'a GET still waiting when the broker stops is answered, and the broker stops cleanly' '
	curl -s -o out -w "%{http_code}" -u admin:admin "$U/never?type=queue&readTimeout=60000" >code &
	cpid=$!
	for i in $(seq 100); do
		test "$(consumers Queue never)" = 1 && break
		sleep 0.1
	done &&
	stop_broker node1 &&
	wait $cpid;
	test "$(cat code)" = 503 && grep -q "stopped serving" out
'

STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR
test_expect_success 'a slave refuses to send or take: 503' '
	WEB_PORT=auto broker_config a && start_broker a &&
	WEB_PORT=auto broker_config b && start_slave b &&
	SU="http://127.0.0.1:$(broker_web_port b)/api/message" &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin -d x "$SU/q?type=queue")" = 503 &&
	grep -q "slave" out &&
	test "$(curl -s -o out -w "%{http_code}" -u admin:admin "$SU/q?type=queue")" = 503
'

test_done
