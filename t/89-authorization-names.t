#!/bin/sh
# What a name reaches. A wildcard subscription reads every destination it
# matches, so it is
# granted only by an entry that matches all of them: "a.*" grants "a.b",
# not "a.>" (which reaches a.b.c, where only admins may read), on STOMP
# queues and topics, MQTT filters ('#', '+') and JMS consumers alike.
# ActiveMQ checks each destination a wildcard consumer reaches; Tandem
# asks it once, of the subscription, and so is stricter where entries only
# cover part of a wildcard. "ID:" names are temporary destinations
# (temp_dest.h), which everyone may use without a
# tempDestinationAuthorizationEntry: so one that no connection made
# temporary is consumed by none, or a client read what the entries keep
# from it (a queue "ID:secret" that admins wrote).
. "$(dirname "$0")/test-lib.sh"

MQTT_OPTIONS=
BROKER_EXTRA='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="admin" password="a" groups="admins"/>
  <authenticationUser username="guest" password="c" groups="guests"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="a.*" read="guests" write="guests" admin="guests"/>
  <authorizationEntry queue="open.>" read="guests" write="guests" admin="guests"/>
  <authorizationEntry topic=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry topic="t.*" read="guests" write="guests" admin="guests"/>
  <authorizationEntry queue="tstomp.>" read="*" write="*" admin="*"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>'
broker_config t && start_broker t || exit 1

test_expect_success 'STOMP: a wildcard is read only where one entry grants every queue it matches' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	admin = client(login="admin", passcode="a")
	send_on(admin, "/queue/a.b.c", "admins only", headers={"persistent": "true"})
	send_on(admin, "/queue/a.x", "for guests", headers={"persistent": "true"})
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/queue/a.>", id="1", ack="auto")
	e = g.wait_error()
	check("User guest is not authorized to read from: queue://a.>" in e.body, e.body)
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/queue/a.*", id="1", ack="auto")
	g.conn.subscribe("/queue/open.>", id="2", ack="auto")
	check(g.wait_bodies(1) == ["for guests"], [m.body for m in g.messages])
	admin.conn.subscribe("/queue/a.b.c", id="1", ack="auto")
	check(admin.wait_bodies(1) == ["admins only"], "a.b.c kept its message")
	EOF
'

test_expect_success 'STOMP: the same for topics' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/topic/t.>", id="1", ack="auto")
	e = g.wait_error()
	check("User guest is not authorized to read from: topic://t.>" in e.body, e.body)
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/topic/t.*", id="1", ack="auto")
	g.sync()
	admin = client(login="admin", passcode="a")
	send_on(admin, "/topic/t.x.y", "admins only")
	send_on(admin, "/topic/t.x", "for guests")
	check(g.wait_bodies(1) == ["for guests"], [m.body for m in g.messages])
	EOF
'

test_expect_success 'MQTT: t/# is refused (SUBACK 0x80) where t/+ is granted' '
	MQTT_PORT=$(broker_mqtt_port t) stomp_py <<-\EOF
	from tmqtt import *
	g = Client("g", user="guest", password="c")
	check(g.sub("t/#", 1) == [128], "t/# reaches t/x/y")
	check(g.sub("t/+", 1) == [1], "t/+ is t.*")
	Client("a", user="admin", password="a").pub("t/x/y", "admins only", 1)
	Client("a2", user="admin", password="a").pub("t/x", "for guests", 1)
	check(bodies(g.wait(1)) == [b"for guests"], "only t/x arrives")
	EOF
'

test_expect_success 'an "ID:" queue no connection made temporary is consumed by none; a temporary queue by its connection' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	admin = client(login="admin", passcode="a")
	send_on(admin, "/queue/ID:secret", "admins only")
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/queue/ID:secret", id="1", ack="auto")
	e = g.wait_error()
	check("ID:secret is a temporary destination of another connection" in e.body, e.body)
	g = client(login="guest", passcode="c")
	g.conn.subscribe("/temp-queue/mine", id="1", ack="auto")
	g.sync()
	send_on(g, "/temp-queue/mine", "to myself")
	check(g.wait_bodies(1) == ["to myself"], [m.body for m in g.messages])
	EOF
'

test_done
