#!/bin/sh
# OpenWire: temporary queues and topics, request/reply with JMSReplyTo and
# the advisories a JMS client reads, with Debian's ActiveMQ JMS client
# unchanged (t/lib/JmsTemp.java, compiled here): request/reply on one
# broker, only the owner consumes, no delete while consumed, deleted with
# its connection; STOMP and JMS answering each other's requests; across
# the seed's two pairs; ConsumerInfo, ProducerInfo, ConnectionInfo and
# DestinationInfo advisories.
. "$(dirname "$0")/test-lib.sh"

jms_compile JmsTemp.java || exit 1

MGMT_PORT=auto broker_config node1 && start_broker node1 || exit 1
TP=$(broker_port node1)

# jt CMD PORT ARGS...: the JMS application against PORT.
jt() {
	cmd=$1 p=$2
	shift 2
	java -cp "$TRASH/jms:$JMS_CP" JmsTemp $cmd "tcp://127.0.0.1:$p" "$@"
}

# stomp_requester PORT QUEUE: two requests to QUEUE with reply-to its
# /temp-queue/replies, and their two replies back.
stomp_requester() {
	PORT=$1 SVC=$2 stomp_py <<-\EOF
	import os
	from tstomp import *
	req = client()
	req.conn.subscribe("/temp-queue/replies", id="r", ack="auto")
	req.sync()
	for i in range(2):
	    send_on(req, "/queue/" + os.environ["SVC"], "s%d" % i,
	            headers={"reply-to": "/temp-queue/replies"})
	check(sorted(req.wait_bodies(2)) == ["re:s0", "re:s1"], "two replies")
	EOF
}

test_expect_success 'request/reply through a temporary queue and topic; only its connection consumes or deletes it; not deleted while consumed; once deleted, others may not send to it' '
	jt local $TP >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	temporary queue named by the client: true
	reply re:q0 c0
	reply re:q1 c1
	reply re:q2 c2
	topic reply re:t0
	replied to a ActiveMQTempQueue
	replied to a ActiveMQTempTopic
	another connection: javax.jms.InvalidDestinationException: Cannot use a Temporary destination from another Connection: [TQ]
	delete with a consumer: javax.jms.JMSException: Destination still has an active subscription: temp-queue://TQ
	another connection'"'"'s DestinationInfo: javax.jms.InvalidDestinationException: TQ is a temporary destination of another connection
	another connection'"'"'s DestinationInfo: javax.jms.InvalidDestinationException: A temporary destination'"'"'s name starts with ID: [no.id]
	another connection'"'"'s DestinationInfo: javax.jms.InvalidDestinationException: DestinationInfo names no temporary destination
	deleted once its consumer closed
	a send to it: javax.jms.InvalidDestinationException: Cannot publish to a deleted Destination: temp-queue://TQ
	EOF
	diff want out
'

test_expect_success 'a temporary queue lives while its connection does, and goes with it and its messages' '
	mkfifo hold.in &&
	{ jt hold $TP <hold.in >hold.out & } &&
	exec 3>hold.in &&
	wait_lines hold.out 1 &&
	name=$(sed -n "s/^name //p" hold.out) &&
	NAME=$name stomp_py <<-\EOF &&
	import os
	from tstomp import *
	from tmgmt import Mgmt, mport, queue_name
	m = Mgmt(mport("node1"))
	q = m.ok({"type": "read", "mbean": queue_name("node1", os.environ["NAME"])})
	check(q["QueueSize"] == 1, "its message is there: %r" % q)
	EOF
	exec 3>&- &&
	wait &&
	NAME=$name stomp_py <<-\EOF
	import os
	from tstomp import *
	from tmgmt import Mgmt, mport, queue_name, until
	m = Mgmt(mport("node1"))
	until("the queue goes with its connection", lambda: m.ok({"type": "search",
	      "mbean": queue_name("node1", os.environ["NAME"])}) == [])
	EOF
'

test_expect_success 'a STOMP responder answers a JMS requester: reply-to names its temporary queue' '
	stomp_py >stomp.out <<-\EOF &
	from tstomp import *
	r = subscriber("/queue/svc.stomp")
	print("listening", flush=True)
	for m in r.wait(3):
	    check(m.headers["reply-to"].startswith("/remote-temp-queue/ID:"), "reply-to %r" % m.headers)
	    send_on(r, m.headers["reply-to"], "re:" + m.body)
	print("answered", flush=True)
	EOF
	wait_lines stomp.out 1 &&
	jt request $TP svc.stomp 3 >out &&
	wait &&
	printf "re:q0\nre:q1\nre:q2\n" >want &&
	diff want out &&
	grep -q answered stomp.out
'

test_expect_success 'a JMS responder answers a STOMP requester through its /temp-queue/' '
	{ jt respond $TP svc.jms 2 >resp.out & } &&
	wait_lines resp.out 1 &&
	stomp_requester $TP svc.jms &&
	wait &&
	printf "listening\nreplies to a ActiveMQTempQueue\n" >want &&
	diff want resp.out
'

test_expect_success 'a JMS send to a STOMP requester'"'"'s temporary queue after it left is refused as ActiveMQ'"'"'s client refuses it' '
	stomp_py >real <<-\EOF &&
	from tstomp import *
	w = subscriber("/queue/names")
	req = client()
	req.conn.subscribe("/temp-queue/gone", id="r", ack="auto")
	req.sync()
	send_on(req, "/queue/names", "x", headers={"reply-to": "/temp-queue/gone"})
	print(w.wait(1)[0].headers["reply-to"][len("/remote-temp-queue/"):])
	req.close()
	EOF
	jt sendtemp "$TP?jms.watchTopicAdvisories=false" "$(cat real)" >out
	[ $? = 3 ] && grep -q "^exception javax.jms.InvalidDestinationException: Cannot publish to a deleted Destination: temp-queue://ID:.*:gone$" out ||
	{ cat out; exit 1; }
'

test_expect_success 'a JMS consumer of the advisory topics reads ConsumerInfo, ProducerInfo, ConnectionInfo, DestinationInfo and RemoveInfo, with the counts' '
	jt advisories $TP >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	consumers: ConsumerInfo queue://adv.q, consumerCount 1
	consumers: ConsumerInfo queue://adv.q, consumerCount 2
	consumers: RemoveInfo of a ConsumerId, consumerCount 1
	consumers: RemoveInfo of a ConsumerId, consumerCount 0
	producers: ProducerInfo queue://adv.q, producerCount 1
	producers: RemoveInfo of a ProducerId, producerCount 0
	connections: ConnectionInfo client id worker
	connections: RemoveInfo of a ConnectionId
	temporary queues: DestinationInfo add a temporary queue
	temporary queues: DestinationInfo remove a temporary queue
	EOF
	diff want out
'

test_expect_success 'a JMS watcher that comes late is told the consumers and temporary queues there are' '
	jt late $TP >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	consumers: ConsumerInfo queue://adv.late, consumerCount 1
	temporary queues: DestinationInfo add a temporary queue
	EOF
	diff want out
'

test_expect_success 'bridges still read consumerCount and the demand; two consumers gone at once are one count for them, 2 then 0' '
	stomp_py <<-\EOF
	from tstomp import *
	w = subscriber("/topic/ActiveMQ.Advisory.Consumer.Queue.adv.stomp")
	c = client()
	c.conn.subscribe("/queue/adv.stomp", id="1", ack="auto")
	c.conn.subscribe("/queue/adv.stomp", id="2", ack="auto")
	c.sync()
	c.close()
	seen = []
	while not seen or seen[-1] != "0":
	    m = w.wait(1)[0]
	    check("tandem-demand" in m.headers or "consumerCount" not in m.headers,
	          "the demand header: %r" % m.headers)
	    if "consumerCount" in m.headers:
	        seen.append(m.headers["consumerCount"])
	check(seen[-2:] == ["2", "0"], "the counts bridges read: %r" % seen)
	EOF
'

stop_broker node1

BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="app" password="secret" groups="users"/>
  <authenticationUser username="boss" password="secret" groups="admins"/>
</users></simpleAuthenticationPlugin>
<authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="users,admins" write="users,admins" admin="users,admins"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
</authorizationEntries>
<tempDestinationAuthorizationEntry><tempDestinationAuthorizationEntry
  read="admins" write="admins" admin="admins"/></tempDestinationAuthorizationEntry>
</authorizationMap></map></authorizationPlugin></plugins>' broker_config authz &&
start_broker authz || exit 1

test_expect_success 'creating a temporary queue takes admin rights on temporary destinations (tempDestinationAuthorizationEntry)' '
	AP=$(broker_port authz) &&
	jt create "$AP?jms.userName=boss&jms.password=secret" >out || { cat out; exit 1; }
	jt create "$AP?jms.userName=app&jms.password=secret" >out
	[ $? = 3 ] && grep -q "^exception javax.jms.JMSSecurityException: User app is not authorized to create: .*ID:" out ||
	{ cat out; exit 1; }
'
stop_broker authz

# The seed's two pairs, bridged: a1 and b1 are the masters.
two_pairs_config || exit 1
for n in a1 b1; do start_broker $n || exit 1; done
log_waits_for a1 "Network connection between a1 and b1" &&
log_waits_for b1 "Network connection between b1 and a1" || exit 1

test_expect_success 'across the network: a JMS requester on one pair, a JMS responder on the other' '
	{ jt respond $(broker_port a1) svc.net 3 >resp.out & } &&
	wait_lines resp.out 1 &&
	log_waits_for b1 "queue://svc.net on a1: forwarding" &&
	jt request $(broker_port b1) svc.net 3 >out &&
	wait &&
	printf "re:q0\nre:q1\nre:q2\n" >want &&
	diff want out &&
	printf "listening\nreplies to a ActiveMQTempQueue\n" >want &&
	diff want resp.out
'

test_expect_success 'across the network: a STOMP requester on one pair, a JMS responder on the other' '
	{ jt respond $(broker_port a1) svc.net2 2 >resp.out & } &&
	wait_lines resp.out 1 &&
	log_waits_for b1 "queue://svc.net2 on a1: forwarding" &&
	stomp_requester $(broker_port b1) svc.net2 &&
	wait
'

test_done
