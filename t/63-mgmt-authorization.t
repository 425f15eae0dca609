#!/bin/sh
# Management and HTTP access follow the authorizationPlugin (issue 16,
# point 2): the same entries as STOMP decide who may browse (read), send
# (write) and purge, remove, create or move out of (admin) a destination,
# over the management socket, /api/jolokia and /api/message alike; what is
# about the whole broker (stop) takes a broker admin, a group named in the
# admin of the entry for every queue (queue=">"). A console user of
# jetty-realm.properties with role admin may do everything, any other role
# only look.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto WEB_PORT=auto BROKER_EXTRA='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="boss" password="a" groups="admins"/>
  <authenticationUser username="app" password="b" groups="users"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="app.>" read="users" write="users" admin="users"/>
  <authorizationEntry queue="tstomp.>" read="*" write="*" admin="*"/>
  <authorizationEntry topic=">" read="admins" write="admins" admin="admins"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>' broker_config node1 && start_broker node1 || exit 1
B='org.apache.activemq:type=Broker,brokerName=node1'
SECRET="$B,destinationType=Queue,destinationName=secret"
W="http://127.0.0.1:$(broker_web_port node1)"

test_expect_success 'setup: boss puts a secret message on queue secret, app one on app.q' '
	stomp_py <<-\EOF
	from tstomp import *
	send_on(client(login="boss", passcode="a"), "/queue/secret", "the secret body")
	send_on(client(login="app", passcode="b"), "/queue/app.q", "app body")
	EOF
'

cat >authz_mgmt.py <<'PYEOF'
from tstomp import *
from tmgmt import *

def login(name, password):
    m = Mgmt()
    check(m.req({"type": "login", "user": name, "password": password})["status"] == 200, name)
    return m

def refused(m, req, words):
    """req is answered 403 with words, and without the secret body."""
    r = m.req(req)
    check(r["status"] == 403 and words in r.get("error", ""), "%r -> %r" % (req, r))
    check("the secret body" not in json.dumps(r), "the refusal shows the body: %r" % r)

SECRET = queue_name("node1", "secret")
PYEOF

test_expect_success 'socket: a user without rights on queue secret may not browse, purge it or stop the broker' '
	stomp_py <<-\EOF
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	m = login("app", "b")
	for op in ("browse", "browseMessages"):
	    refused(m, {"type": "exec", "mbean": SECRET, "operation": op},
	            "User app is not authorized to read from: queue://secret")
	refused(m, {"type": "exec", "mbean": SECRET, "operation": "purge"},
	        "User app is not authorized to administer: queue://secret")
	refused(m, {"type": "exec", "mbean": SECRET, "operation": "removeMessage", "arguments": ["x"]},
	        "not authorized")
	refused(m, {"type": "exec", "mbean": SECRET, "operation": "sendTextMessage",
	            "arguments": ["intruder"]}, "User app is not authorized to write to: queue://secret")
	refused(m, {"type": "exec", "mbean": broker_name("node1"), "operation": "stop"},
	        "User app is not authorized to run stop on " + broker_name("node1"))
	refused(m, {"type": "write", "mbean": SECRET, "attribute": "MemoryLimit", "value": 1},
	        "User app is not authorized to")
	refused(m, {"type": "exec", "mbean": broker_name("node1"), "operation": "addQueue",
	            "arguments": ["other.q"]}, "User app is not authorized to create: queue://other.q")
	# Counts stay readable for everyone logged in; the message is still there.
	check(m.read(SECRET, "QueueSize") == 1, "the secret message stays")
	EOF
'

test_expect_success 'socket: moving a message takes admin on its queue and write on the target' '
	stomp_py <<-\EOF
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	m = login("app", "b")
	q = queue_name("node1", "app.q")
	msgs = m.execute(q, "browse")
	check(len(msgs) == 1 and msgs[0]["Text"] == "app body", msgs)
	refused(m, {"type": "exec", "mbean": q, "operation": "moveMessageTo",
	            "arguments": [msgs[0]["JMSMessageID"], "secret"]},
	        "User app is not authorized to write to: queue://secret")
	check(m.execute(q, "copyMessageTo", msgs[0]["JMSMessageID"], "app.copy") is True, "copy")
	check(m.read(q, "QueueSize") == 1, "the refused move left the message")
	EOF
'

test_expect_success 'socket: where its group may, the user browses, sends and purges' '
	stomp_py <<-\EOF
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	m = login("app", "b")
	q = queue_name("node1", "app.copy")
	m.execute(q, "sendTextMessage", "sent over mgmt")
	check([x["Text"] for x in m.execute(q, "browse")] == ["app body", "sent over mgmt"], "browse")
	check(m.execute(q, "purge") == 2, "purged")
	m.execute(broker_name("node1"), "addQueue", "app.made")
	check(m.read(queue_name("node1", "app.made"), "QueueSize") == 0, "created")
	EOF
'

test_expect_success 'socket: retryMessages takes write where each dead letter goes back to' '
	stomp_py <<-\EOF
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	# Anyone who may send may name an originalDestination.
	c = client(login="app", passcode="b")
	send_on(c, "/queue/app.dead", "forged", headers={"originalDestination": "/queue/secret"})
	send_on(c, "/queue/app.dead", "forged too", headers={"originalDestination": "/topic/news"})
	send_on(c, "/queue/app.dead", "fine", headers={"originalDestination": "/queue/app.back"})
	m = login("app", "b")
	dead = queue_name("node1", "app.dead")
	refused(m, {"type": "exec", "mbean": dead, "operation": "retryMessages"},
	        "User app is not authorized to write to: queue://secret")
	check(m.read(SECRET, "QueueSize") == 1, "nothing went to secret")
	check(m.read(dead, "QueueSize") == 3, "the refused retry moved nothing")
	m.execute(dead, "removeMessage", m.execute(dead, "browse")[0]["JMSMessageID"])
	refused(m, {"type": "exec", "mbean": dead, "operation": "retryMessages"},
	        "User app is not authorized to write to: topic://news")
	m.execute(dead, "removeMessage", m.execute(dead, "browse")[0]["JMSMessageID"])
	check(m.execute(dead, "retryMessages") == 1, "retried where app may write")
	check(m.read(queue_name("node1", "app.back"), "QueueSize") == 1, "back in app.back")
	EOF
'

test_expect_success 'socket: a broker admin browses and purges secret' '
	stomp_py <<-\EOF
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	m = login("boss", "a")
	check([x["Text"] for x in m.execute(SECRET, "browse")] == ["the secret body"], "browse")
	check(m.execute(SECRET, "purge") == 1, "purged")
	EOF
'

test_expect_success 'a refusal is logged once' '
	test "$(grep -c "User app is not authorized to run stop" node1/log)" = 1
'

# jexec USER:PASS JSON: POSTs a Jolokia request, its answer into out.json.
jexec() {
	curl -s -o out.json -u "$1" -H "Content-Type: application/json" --data-binary "$2" \
		"$W/api/jolokia"
}

test_expect_success 'HTTP: app may not purge secret through /api/jolokia' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send_on(client(login="boss", passcode="a"), "/queue/secret", "the secret body")
	EOF
	jexec app:b "{\"type\":\"exec\",\"mbean\":\"$SECRET\",\"operation\":\"purge\"}" &&
	grep -q "\"status\":403" out.json &&
	grep -q "User app is not authorized to administer: queue://secret" out.json &&
	jexec app:b "{\"type\":\"exec\",\"mbean\":\"$SECRET\",\"operation\":\"browse\"}" &&
	grep -q "\"status\":403" out.json && ! grep -q "the secret body" out.json &&
	curl -s -g -u app:b "$W/api/jolokia/read/$SECRET/QueueSize" >out.json &&
	grep -q "\"value\":1" out.json
'

test_expect_success 'HTTP: app may neither send to nor consume from secret through /api/message' '
	code=$(curl -s -o out -w "%{http_code}" -u app:b -H "Content-Type: application/json" \
		--data-binary intruder "$W/api/message/secret?type=queue") &&
	test "$code" = 403 && grep -q "User app is not authorized to write to: queue://secret" out &&
	code=$(curl -s -o out -w "%{http_code}" -u app:b "$W/api/message/secret?type=queue&readTimeout=100") &&
	test "$code" = 403 && grep -q "User app is not authorized to read from: queue://secret" out &&
	! grep -q "the secret body" out &&
	code=$(curl -s -o out -w "%{http_code}" -u app:b -H "Content-Type: application/json" \
		--data-binary x "$W/api/message/brand.new?type=queue") &&
	test "$code" = 403 && grep -q "User app is not authorized to" out &&
	curl -s -g -u boss:a "$W/api/jolokia/read/$SECRET/QueueSize" >out.json &&
	grep -q "\"value\":1" out.json
'

test_expect_success 'HTTP: app sends to and takes from app.q; boss takes the secret' '
	code=$(curl -s -o out -w "%{http_code}" -u app:b -H "Content-Type: application/json" \
		--data-binary "over http" "$W/api/message/app.http?type=queue") &&
	test "$code" = 200 &&
	curl -s -o out -u app:b "$W/api/message/app.http?type=queue&readTimeout=5000" &&
	test "$(cat out)" = "over http" &&
	curl -s -o out -u boss:a "$W/api/message/secret?type=queue&readTimeout=5000" &&
	test "$(cat out)" = "the secret body"
'

cat >realm.properties <<'EOF'
# name: password, role...
admin: admin-pw, admin
viewer: viewer-pw, user
user: user, user
EOF
MGMT_PORT=auto WEB_PORT=auto WEB_REALM=$TRASH/realm.properties broker_config node2 &&
start_broker node2 || exit 1
W2="http://127.0.0.1:$(broker_web_port node2)"
B2='org.apache.activemq:type=Broker,brokerName=node2'
Q2="$B2,destinationType=Queue,destinationName=orders"

test_expect_success 'realm role user looks but changes nothing; role admin may do everything' '
	code=$(curl -s -o out -w "%{http_code}" -u admin:admin-pw -H "Content-Type: application/json" \
		--data-binary "order 1" "$W2/api/message/orders?type=queue") &&
	test "$code" = 200 &&
	curl -s -g -u viewer:viewer-pw "$W2/api/jolokia/read/$Q2/QueueSize" >out.json &&
	grep -q "\"value\":1" out.json &&
	curl -s -u viewer:viewer-pw -H "Content-Type: application/json" "$W2/api/jolokia" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q2\",\"operation\":\"purge\"}" >out.json &&
	grep -q "\"status\":403" out.json && grep -q "User viewer is not authorized" out.json &&
	curl -s -u user:user -H "Content-Type: application/json" "$W2/api/jolokia" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q2\",\"operation\":\"purge\"}" >out.json &&
	grep -q "\"status\":403" out.json && grep -q "User user is not authorized" out.json &&
	curl -s -u viewer:viewer-pw -H "Content-Type: application/json" "$W2/api/jolokia" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$B2\",\"operation\":\"stop\"}" >out.json &&
	grep -q "\"status\":403" out.json &&
	curl -s -u viewer:viewer-pw -H "Content-Type: application/json" "$W2/api/jolokia" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q2\",\"operation\":\"browse\"}" >out.json &&
	grep -q "\"status\":403" out.json && ! grep -q "order 1" out.json &&
	code=$(curl -s -o out -w "%{http_code}" -u viewer:viewer-pw -H "Content-Type: application/json" \
		--data-binary x "$W2/api/message/orders?type=queue") &&
	test "$code" = 403 &&
	code=$(curl -s -o out -w "%{http_code}" -u viewer:viewer-pw \
		"$W2/api/message/orders?type=queue&readTimeout=100") &&
	test "$code" = 403 &&
	curl -s -u admin:admin-pw -H "Content-Type: application/json" "$W2/api/jolokia" \
		--data-binary "{\"type\":\"exec\",\"mbean\":\"$Q2\",\"operation\":\"purge\"}" >out.json &&
	grep -q "\"status\":200" out.json && grep -q "\"value\":1" out.json
'

# A browser session on node2's console, as t/95-web-console.t drives it.
get() { curl -s -b jar -c jar -o page.html -w '%{http_code}' "$W2$1"; }
post() {
	p=$1
	shift
	curl -s -b jar -c jar -D hdr -o page.html -w '%{http_code}' "$@" "$W2$p"
}
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' page.html | head -1; }
login() {
	rm -f jar
	curl -s -c jar -o login.html "$W2/login" &&
	token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' login.html) &&
	curl -s -b jar -c jar -o /dev/null -w '%{http_code}' --data-urlencode "user=$1" \
		--data-urlencode "password=$2" -d "token=$token&next=/queues" "$W2/login"
}

test_expect_success 'realm role user sees the console, but its buttons refuse' '
	curl -s -u admin:admin-pw -H "Content-Type: application/json" \
		--data-binary "the second order" "$W2/api/message/orders?type=queue" >/dev/null &&
	test "$(login viewer viewer-pw)" = 303 &&
	test "$(get /queues)" = 200 && grep -q "orders" page.html && t=$(csrf) &&
	post /queues/purge -d "csrf=$t&name=orders" >/dev/null &&
	grep -qi "^Location: .*error=.*not%20authorized" hdr &&
	test "$(post "/queue?name=orders" -G)" = 303 && ! grep -q "the second order" page.html &&
	grep -qi "^Location: .*error=.*not%20authorized%20to%20read%20from" hdr &&
	get /send >/dev/null && t=$(csrf) &&
	post /send -d "csrf=$t&type=queue&dest=orders&priority=4" --data-urlencode "body=x" >/dev/null &&
	grep -qi "not authorized" page.html &&
	curl -s -g -u admin:admin-pw "$W2/api/jolokia/read/$Q2/QueueSize" >out.json &&
	grep -q "\"value\":1" out.json
'

test_expect_success 'the broker admin stops the broker over the socket' '
	stomp_py <<-\EOF &&
	import json, sys; sys.path.insert(0, ".")
	from authz_mgmt import *
	login("boss", "a").execute(broker_name("node1"), "stop")
	EOF
	for i in $(seq 100); do process_alive "$(cat node1/pid)" || break; sleep 0.1; done &&
	! process_alive "$(cat node1/pid)" && rm -f node1/pid
'

test_done
