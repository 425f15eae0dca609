#!/bin/sh
# OpenWire transactions: Debian's ActiveMQ JMS client (libactivemq-java),
# unchanged, in transacted sessions and through an XASession's XAResource
# (no transaction manager: the test is one). Sends and acks in a
# transaction take effect only at the commit and are durable before its
# answer; a rollback, a close or a dead client undoes them; XA's prepare,
# one- and two-phase commit, rollback, recover and forget; the errors
# ActiveMQ gives; transactional sends meet authorization and
# sendFailIfNoSpace as others do.
# t/lib/JmsTx.java is the application, compiled here.
. "$(dirname "$0")/test-lib.sh"

JAVA_CP=/usr/share/java/activemq-client.jar:/usr/share/java/geronimo-jms_1.1_spec.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar:/usr/share/java/hawtbuf.jar:/usr/share/java/geronimo-j2ee-management-1.1-spec.jar
command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 ||
	skip_all "no java and javac (make check installs openjdk-17-jdk-headless)"
[ -f /usr/share/java/activemq-client.jar ] ||
	skip_all "no ActiveMQ JMS client (make check installs libactivemq-java)"
mkdir -p "$TRASH/jms" &&
javac -d "$TRASH/jms" -cp "$JAVA_CP" "$TEST_ROOT/t/lib/JmsTx.java" || exit 1

BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="app" password="secret" groups="users"/>
</users></simpleAuthenticationPlugin>
<authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
  <authorizationEntry queue="tx.>" read="users" write="users" admin="users"/>
  <authorizationEntry topic="ActiveMQ.Advisory.>" read="*" write="*" admin="*"/>
</authorizationEntries></authorizationMap></map></authorizationPlugin></plugins>
<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="tx.limited" memoryLimit="64 kb"/>
</policyEntries></policyMap></destinationPolicy>
<systemUsage><systemUsage sendFailIfNoSpace="true"/></systemUsage>' \
broker_config node1 && start_broker node1 || exit 1
TP=$(broker_port node1)

# jmstx CMD ARGS...: the JMS application as app/secret.
jmstx() {
	java -cp "$TRASH/jms:$JAVA_CP" JmsTx "tcp://127.0.0.1:$TP" app secret "$@"
}

test_expect_success 'local transactions: sends are seen by nobody before the commit and by consumers after it; a rollback undoes sends, and acks rolled back come again redelivered' '
	jmstx local tx.local >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	before commit: none
	after commit: a count=1, b count=1, c count=1; then none
	after rollback: none
	received: x count=1, y count=1
	after rollback: x redelivered count=2, y redelivered count=2
	after commit: none
	EOF
	diff want out
'

test_expect_success 'a client that dies with a transaction open (the JVM halts): its send never happens, the message it acked comes back redelivered' '
	jmstx halt tx.halt >out &&
	echo "received: acked in a transaction count=1" >want &&
	diff want out &&
	jmstx check tx.halt >out &&
	printf "acked: acked in a transaction redelivered count=2; then none\nsent: none\n" >want &&
	diff want out
'

test_expect_success 'a connection closed with a transaction open rolls it back' '
	jmstx close tx.close >out &&
	jmstx check tx.close >out &&
	printf "acked: acked in a transaction redelivered count=2; then none\nsent: none\n" >want &&
	diff want out
'

test_expect_success 'a committed transaction is durable once the commit is answered: all of it survives kill -9 of the broker' '
	jmstx commit tx.durable 200 >out &&
	echo "committed 200" >want &&
	diff want out &&
	kill_broker node1 && start_broker node1 &&
	stomp_py <<-\EOF
	from tstomp import *
	c = client(login="app", passcode="secret")
	c.conn.subscribe("/queue/tx.durable", id="1", ack="auto")
	got = [m.body for m in c.wait(200)]
	check(got == ["tx %d" % i for i in range(200)], "got %r" % got[:5])
	EOF
'

test_expect_success 'a commit of a transaction never begun: JMSException for a local one, XAException XAER_NOTA (-4) for XA, as ActiveMQ gives them' '
	jmstx unknown tx.unknown >out &&
	cat >want <<-\EOF &&
	local: javax.jms.JMSException: Transaction '"'"'TX:ID:X:999'"'"' has not been started.
	xa: XAException -4
	EOF
	sed "s/TX:ID:[^'"'"']*:999/TX:ID:X:999/" out >got &&
	diff want got
'

test_expect_success 'XA: prepare, two- and one-phase commit, rollback, recover, forget, a read-only prepare, a two-phase commit unprepared, acks' '
	jmstx xa tx.xa >out || { cat out; exit 1; }
	cat >want <<-\EOF &&
	ended: none
	prepare: 0
	prepared: none; recover: 4242:1
	two-phase commit: xa1 count=1, xa2 count=1; then none; recover: none
	one-phase commit: xa3 count=1; then none
	rolled back: none; recover: none
	prepare of nothing: 3; recover: none
	two-phase commit unprepared: XAException -6
	forgotten: none; recover: none
	xa received: to ack count=1
	acked: none
	EOF
	diff want out
'

test_expect_success 'a transacted send past memoryLimit with sendFailIfNoSpace is refused, and the commit after it rolls the transaction back' '
	jmstx fill tx.limited 200 1024 >out || { cat out; exit 1; }
	grep -q "^told javax.jms.ResourceAllocationException: Usage Manager Memory Limit reached on queue://tx.limited" out &&
	grep -q "^commit: javax.jms.TransactionRolledBackException: COMMIT FAILED: Transaction marked rollback only xaErrorCode:100" out &&
	grep -q "^then: none" out ||
	{ cat out; exit 1; }
'

test_expect_success 'a transacted send authorization refuses is refused, and the commit after it rolls the transaction back' '
	jmstx fill secret.q 1 10 >out || { cat out; exit 1; }
	grep -q "^told javax.jms.JMSSecurityException: .*secret.q" out &&
	grep -q "^commit: javax.jms.TransactionRolledBackException" out ||
	{ cat out; exit 1; }
'

test_done
