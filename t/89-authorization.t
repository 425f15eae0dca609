#!/bin/sh
# authorizationPlugin: who may read, write and create which destinations,
# by the groups of simpleAuthenticationPlugin's users; and a network whose
# bridges' user may read the advisories (as ActiveMQ asks of it) carries
# demand. A bridge reads what it forwards with its own user's rights, and
# writes it there with the same user's (net.> below), as ActiveMQ's does.
# t/89-authorization-bridges.t and t/89-authorization-bridge-reads.t: a
# bridge has no other rights.
# (tstomp.> is for the test library's round trips.)
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto
SECURITY='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="a" groups="admins"/>
  <authenticationUser username="app" password="b" groups="users"/>
  <authenticationUser username="guest" password="c" groups="guests"/>
  <authenticationUser username="bridge" password="d" groups="bridges"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="app.>" read="users" write="users" admin="users"/>
  <authorizationEntry queue="pub.>" read="admins" write="users, guests" admin="users"/>
  <authorizationEntry queue="net.>" read="users,bridges" write="users,bridges" admin="users,bridges"/>
  <authorizationEntry topic="news.>" read="*" write="admins" admin="*"/>
  <authorizationEntry queue="tstomp.>" read="*" write="*" admin="*"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="admins,bridges" write="admins" admin="admins"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>'
mkdir -p a b && free_port >a/port && free_port >b/port || exit 1
net() {
	echo "<networkConnectors><networkConnector name=\"net\" userName=\"bridge\" password=\"d\"
	  uri=\"static:(tcp://127.0.0.1:$(cat $1/port))\"/></networkConnectors>"
}
BROKER_EXTRA="$SECURITY$(net b)" broker_config a &&
BROKER_EXTRA="$SECURITY$(net a)" broker_config b &&
start_broker a && start_broker b || exit 1
log_waits_for a "Network connection between a and b" || exit 1
log_waits_for b "Network connection between b and a" || exit 1

cat >authz.py <<'PYEOF'
from tstomp import *

def user(name, p=None):
    return client(p, login=name, passcode={"admin": "a", "app": "b", "guest": "c"}[name])

def refused(name, what, frame, dest, body="x"):
    """name's connection doing what (send or subscribe) on dest gets an ERROR saying frame."""
    c = user(name)
    if what == "send":
        c.conn.send(dest, body)
    else:
        c.conn.subscribe(dest, id="1", ack="auto")
    e = c.wait_error()
    text = e.headers.get("message", "") + " " + e.body
    check(frame in text, "%s %s %s: %r" % (name, what, dest, text))
PYEOF

test_expect_success 'a user reads and writes where its group may, and only there' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from authz import *
	app = user("app")
	app.conn.subscribe("/queue/app.orders", id="1", ack="auto")
	app.sync()
	send_on(user("app"), "/queue/app.orders", "o1")
	check(app.wait_bodies(1) == ["o1"], "app sends and consumes app.orders")
	refused("guest", "subscribe", "User guest is not authorized to read from: queue://app.orders", "/queue/app.orders")
	refused("guest", "send", "User guest is not authorized to write to: queue://app.orders", "/queue/app.orders")
	refused("app", "send", "User app is not authorized to write to: queue://other.q", "/queue/other.q")
	send_on(user("admin"), "/queue/other.q", "by admin")
	EOF
'

test_expect_success 'creating a destination takes admin; writing to one that exists does not' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from authz import *
	refused("guest", "send", "User guest is not authorized to create: queue://pub.board", "/queue/pub.board")
	send_on(user("app"), "/queue/pub.board", "first, by app")
	send_on(user("guest"), "/queue/pub.board", "then guest")
	a = user("admin")
	a.conn.subscribe("/queue/pub.board", id="1", ack="auto")
	check(a.wait_bodies(2) == ["first, by app", "then guest"], "both arrived")
	EOF
'

test_expect_success 'topics: everyone reads news, only admins write it; "*" is everyone' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from authz import *
	g = user("guest")
	g.conn.subscribe("/topic/news.today", id="1", ack="auto")
	g.sync()
	refused("app", "send", "User app is not authorized to write to: topic://news.today", "/topic/news.today")
	send_on(user("admin"), "/topic/news.today", "extra")
	check(g.wait_bodies(1) == ["extra"], "guest read it")
	refused("app", "subscribe", "not authorized to read from: topic://ActiveMQ.Advisory.Consumer.Queue.app.orders",
	        "/topic/ActiveMQ.Advisory.Consumer.Queue.app.orders")
	EOF
'

test_expect_success 'a network whose bridges'"'"' user may read the advisories and read and write what it carries (only that) carries demand' '
	PORT=$(broker_port a) stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from authz import *
	from tmgmt import until, log_has
	c = user("app")
	c.conn.subscribe("/queue/net.orders", id="1", ack="auto")
	c.sync()
	until("demand reached b", lambda: log_has("b", "consumer(s) of queue://net.orders on a: forwarding"))
	p = user("app", port("b"))
	for i in range(50):
	    send_on(p, "/queue/net.orders", "n%d" % i, receipt=(i == 49), headers={"persistent": "true"})
	check(c.wait_bodies(50) == ["n%d" % i for i in range(50)], "all 50 crossed")
	# (app.orders and pub.board above are refused to the bridges: not net.>)
	check(not log_has("a", "User bridge is not authorized to write to: queue://net."), "no refusal of the bridge on a")
	check(not log_has("b", "User bridge is not authorized to read from: queue://net."), "no refusal of the bridge on b")
	EOF
'

test_done
