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

jms_compile JmsTx.java

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

test_expect_success 'a transaction receives more messages than the prefetch: its delivered acks make room (the prefetch extension of ActiveMQ)' '
	java -Dwait=5000 -cp "$TRASH/jms:$JAVA_CP" JmsTx "tcp://127.0.0.1:$TP" app secret \
		big tx.big 1500 >out &&
	echo "received 1500 in one transaction; then: none" >want &&
	diff want out
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

test_expect_success 'XA: prepare, two- and one-phase commit, rollback, recover, forget, a read-only prepare, a two-phase commit unprepared, a second session joining, acks' '
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
	joined: j1 count=1, j2 count=1; then none
	xa received: to ack count=1
	acked: none
	EOF
	diff want out
'

test_expect_success 'XA: a prepared transaction survives kill -9 of the broker: RECOVER lists it, its messages wait, what it acked goes to nobody; COMMIT or ROLLBACK from a new connection ends it' '
	jmstx xaprepare tx.p20 20 >out &&
	jmstx xaprepare tx.p21 21 >>out &&
	cat >want <<-\EOF &&
	xa received: acked by 20 count=1
	prepare: 0
	xa received: acked by 21 count=1
	prepare: 0
	EOF
	diff want out &&
	jmstx xacheck tx.p21 >out &&
	printf "recover: 4242:20 4242:21\nsent: none\nacked: none\n" >want &&
	diff want out &&
	kill_broker node1 && start_broker node1 &&
	log_contains node1 "2 prepared transaction(s) recovered" &&
	jmstx xacheck tx.p20 >out &&
	cat >want <<-\EOF &&
	recover: 4242:20 4242:21
	sent: none
	acked: none
	EOF
	diff want out &&
	jmstx xaend tx.p20 commit 20 >out &&
	jmstx xaend tx.p21 rollback 21 >>out &&
	cat >want <<-\EOF &&
	commit 20: sent: sent by 20 #1 count=1, sent by 20 #2 count=1; then none
	commit 20: acked: none
	rollback 21: sent: none
	rollback 21: acked: acked by 21 redelivered count=2; then none
	EOF
	diff want out &&
	kill_broker node1 && start_broker node1 &&
	jmstx xacheck tx.p21 >out &&
	printf "recover: none\nsent: none\nacked: none\n" >want &&
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

test_expect_success 'XA: a prepared transaction survives a failover: the slave that takes over after kill -9 of the master lists it and commits it' '
	STORE_DIR=$TRASH/pair/kahadb broker_config pa &&
	STORE_DIR=$TRASH/pair/kahadb broker_config pb &&
	start_broker pa && start_slave pb &&
	TP=$(broker_port pa) &&
	jmstx xaprepare tx.fo 50 >out &&
	printf "xa received: acked by 50 count=1\nprepare: 0\n" >want &&
	diff want out &&
	kill_broker pa && wait_broker pb &&
	TP=$(broker_port pb) &&
	jmstx xacheck tx.fo >out &&
	printf "recover: 4242:50\nsent: none\nacked: none\n" >want &&
	diff want out &&
	jmstx xaend tx.fo commit 50 >out &&
	printf "commit 50: sent: sent by 50 #1 count=1, sent by 50 #2 count=1; then none\ncommit 50: acked: none\n" >want &&
	diff want out
'

test_expect_success 'a store of schema version 1 (before prepared transactions) is upgraded in place: its messages are kept, and XA prepares into it' '
	mkdir -p "$TRASH/old/data/kahadb" &&
	"$PYTHON" - "$TRASH/old/data/kahadb/store.db" <<-\EOF &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	db.executescript("""
	CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, dest_type INTEGER NOT NULL,
	  dest TEXT NOT NULL, headers BLOB, body BLOB, priority INTEGER NOT NULL,
	  expires INTEGER NOT NULL, timestamp INTEGER NOT NULL);
	CREATE TABLE entries (container TEXT NOT NULL, seq INTEGER NOT NULL,
	  PRIMARY KEY (container, seq)) WITHOUT ROWID;
	CREATE INDEX entries_seq ON entries(seq);
	CREATE TABLE durables (client_id TEXT NOT NULL, sub_name TEXT NOT NULL, topic TEXT NOT NULL,
	  selector TEXT, PRIMARY KEY (client_id, sub_name));
	CREATE TABLE session_ids (owner TEXT NOT NULL, kind INTEGER NOT NULL, id INTEGER NOT NULL,
	  PRIMARY KEY (owner, kind, id)) WITHOUT ROWID;
	PRAGMA user_version = 1;
	""")
	db.execute("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
	           (7, "ID:old-1", 0, "tx.old", b"", b"from version 1", 4, 0, 1700000000000))
	db.execute("INSERT INTO entries VALUES (?,?)", ("queue://tx.old", 7))
	db.execute("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
	           (8, "ID:old-2", 0, "tx.kept", b"", b"kept", 4, 0, 1700000000000))
	db.execute("INSERT INTO entries VALUES (?,?)", ("queue://tx.kept", 8))
	db.commit()
	EOF
	broker_config old && start_broker old &&
	TP=$(broker_port old) &&
	jmstx xaprepare tx.old 30 >out &&
	printf "xa received: acked by 30 count=1\nprepare: 0\n" >want &&
	diff want out &&
	kill_broker old && start_broker old &&
	jmstx xacheck tx.old >out &&
	printf "recover: 4242:30\nsent: from version 1 count=1\nacked: none\n" >want &&
	diff want out &&
	"$PYTHON" - "$TRASH/old/data/kahadb/store.db" <<-\EOF
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	v = db.execute("PRAGMA user_version").fetchone()[0]
	assert v == 4, v	# upgraded through 2 (prepared), 3 (redeliveries, noLocal) to 4 (audit)
	a = db.execute("SELECT audit FROM messages WHERE id = ?", ("ID:old-2",)).fetchone()[0]
	assert a == "*", a	# whose producer audit its id was in is not known: any
	n = db.execute("SELECT COUNT(*) FROM prepared").fetchone()[0]
	assert n == 1, n
	EOF
'

test_done
