#!/bin/sh
# A MessageId sent first by someone else is no resend after a takeover
# either. The producer audit (broker/core/producer_audit.h) drops a
# failover client's resend by its MessageId; a live master looks up only
# a client's own ids, and a bridge's in its login's audit, so that no
# client can get another's next message dropped (and answered as taken:
# lost) by sending its MessageId first (t/29-openwire-network.t,
# t/89-authorization-bridges.t), and each by its login, so that neither
# can a client on another's ConnectionId (no secret: every JMSMessageID
# starts with it) under another login. The master that takes over learns the
# ids of the newest stored messages: each goes back into the audit it was
# in when taken, and one that was in none (another's id) into none.
# t/lib/JmsForgeTakeover.java plays the producers and the forgers.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsForgeTakeover.java JmsForge.java JmsNetPeer.java

export STORE_DIR=$TRASH/shared/kahadb
BROKER_EXTRA='<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username="app" password="a" groups="apps"/>
  <authenticationUser username="bridge" password="b" groups="bridges"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="apps" write="apps,bridges" admin="apps,bridges"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>'

# pair_url X Y: a failover URL over X's and Y's tcp:// connectors, with
# which the client follows the master quickly.
pair_url() {
	echo "failover:(tcp://127.0.0.1:$(broker_port $1),tcp://127.0.0.1:$(broker_port $2))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100&jms.watchTopicAdvisories=false"
}

# jms CLASS ARGS...: a JMS program, logged in as app.
jms() {
	java -Duser=app -Dpassword=a -cp "$TRASH/jms:$JAVA_CP" "$@"
}

# holds NODE QUEUE BODY...: QUEUE on NODE holds these messages and no
# more, in any order (the forgers' have other priorities). Read by STOMP:
# a JMS consumer takes one of two messages with one MessageId for a
# duplicate delivery and sends it to the DLQ itself.
holds() {
	PORT=$(broker_port "$1") Q=$2 stomp_py "$@" <<-\EOF
	import os, sys
	from tstomp import *
	want = sorted(sys.argv[3:])
	c = client(login="app", passcode="a")
	c.conn.subscribe("/queue/" + os.environ["Q"], id="1", ack="auto")
	got = sorted(m.body for m in c.wait(len(want)))
	check(got == want, got)
	c.sync()
	check(not c.messages, "more: %r" % [m.body for m in c.messages])
	EOF
}

test_expect_success 'a MessageId of a failover producer sent first on its ConnectionId under another login (then its message is taken), by another JMS client and by a STOMP client saying it is a bridge: after kill -9 of the master the producer'"'"'s messages with them are taken, its resends are not' '
	start_broker a &&
	start_slave b &&
	jms -Dimpostor=bridge:b JmsForgeTakeover takeover "$(pair_url a b)" q.forged "$(broker_port a)" \
		"kill -9 $(cat "$TRASH/a/pid")" >out ||
		{ cat out; exit 1; }
	wait_exit a &&
	grep -qx sent out &&
	holds b q.forged p1 impostor p2 forged "stomp forged" p3 p4
'

# A bridge forwards the MessageIds of another broker's producers: its
# login's audit keeps them, and the master that takes over files them
# there again, so that the bridge's resends are still dropped
# (t/80-network-activemq-kill.t), but one that another login's connection
# sent first is not the bridge's.
test_expect_success 'a bridge'"'"'s MessageId sent first by a client of another login saying it is a bridge: after kill -9 of the master the bridge'"'"'s message is taken, its resends are not' '
	start_slave a &&
	jms JmsForgeTakeover ids "$(pair_url b a)" q.bridged bridge:bridge:b ID:far-1:1:1 1:v1 >out &&
	jms JmsForgeTakeover ids "$(pair_url b a)" q.bridged bridge:app:a ID:far-1:1:1 2:forged >>out &&
	kill_broker b &&
	jms JmsForgeTakeover ids "$(pair_url a b)" q.bridged bridge:bridge:b ID:far-1:1:1 \
		"1:v1 resent" 2:v2 "2:v2 resent" >>out &&
	printf "sent\\nsent\\nsent\\n" >want.out &&
	diff want.out out &&
	holds a q.bridged v1 forged v2
'

test_done
