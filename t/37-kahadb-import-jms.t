#!/bin/sh
# A KahaDB store taken over (issue 22), as a JMS client sees it: Debian's
# activemq 5.17 writes the store (t/lib/KahaJms.java: a message delivered
# and not acknowledged under persistJMSRedelivered, a durable
# subscription with a selector and noLocal, a scheduled message) and is
# killed with SIGKILL; ActiveMQ started again on a copy of the store and
# Tandem importing the original give a JMS client the same messages with
# the same JMSRedelivered and JMSXDeliveryCount, and the same durable
# subscription; the scheduled message is found and said, not imported
# (Tandem has no scheduler).
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
jms_compile KahaJms.java

STORE_DIR=$TRASH/amq/data/kahadb
export STORE_DIR
AMQ_BROKER_XML='<destinationPolicy><policyMap><policyEntries>
      <policyEntry queue=">" persistJMSRedelivered="true"/>
    </policyEntries></policyMap></destinationPolicy>'
AMQ_BROKER_ATTRS='schedulerSupport="true"'
export AMQ_BROKER_XML AMQ_BROKER_ATTRS

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}

# The durable subscription's selector, with its quotes.
SEL="level = 'high'" SQ="'"

jms() {
	java -cp "$TRASH/jms:$JAVA_CP" KahaJms "tcp://127.0.0.1:$1" "$2"
}

trap 'amq --kill "$TRASH/amq"; amq --kill "$TRASH/again";
	[ -f "$TRASH/fill.pid" ] && kill "$(cat "$TRASH/fill.pid")" 2>/dev/null; test_cleanup' EXIT

test_expect_success 'ActiveMQ writes the store and is killed with SIGKILL' '
	APORT=$(free_port 2) &&
	amq --start "$TRASH/amq" "$APORT" &&
	{ java -cp "$TRASH/jms:$JAVA_CP" KahaJms "tcp://127.0.0.1:$((APORT + 1))" fill >fill.out 2>&1 &
	  echo $! >fill.pid; } &&
	for i in $(seq 300); do grep -q filled fill.out && break; sleep 0.1; done &&
	cat fill.out &&
	grep -qx "took r 0" fill.out &&
	! grep -q "no scheduler" fill.out &&
	amq --kill "$TRASH/amq" &&
	kill "$(cat fill.pid)" &&
	mkdir -p again/data &&
	cp -a "$STORE_DIR" again/data/kahadb &&
	ls "$TRASH"/amq/data/amq/scheduler/db-*.log
'

test_expect_success 'ActiveMQ started again on a copy: what its JMS client sees' '
	APORT=$(free_port 2) &&
	amq --start "$TRASH/again" "$APORT" &&
	jms $((APORT + 1)) read >amq.out 2>&1 &&
	amq --kill "$TRASH/again" &&
	cat amq.out &&
	grep -qx "redo: r 0 redelivered=true deliveryCount=2" amq.out &&
	grep -qx "redo: r 2 redelivered=false deliveryCount=1" amq.out &&
	grep -qx "sel: a 0 redelivered=false deliveryCount=1" amq.out &&
	grep -qx read amq.out
'

test_expect_success 'the dry run shows the durable subscription'"'"'s selector and noLocal, and the scheduled message it leaves' '
	"$TANDEMD" --import-kahadb "$STORE_DIR" --dry-run >dry &&
	cat dry &&
	grep -qxF "durable://kj:sel: 2 message(s) on topic alerts, selector $SQ$SEL$SQ, noLocal" dry &&
	grep -qx "scheduler store $TRASH/amq/data/amq/scheduler: 1 scheduled message(s) (sent with AMQ_SCHEDULED_DELAY, _PERIOD or _CRON), not imported: Tandem has no scheduler; its files stay there for ActiveMQ to deliver them" dry
'

test_expect_success 'Tandem imports the store: its JMS client sees the same, redeliveries and subscription kept' '
	broker_config t &&
	start_broker t &&
	log_contains t "Imported durable://kj:sel: 2 message(s)" &&
	log_contains t "WARN  | The ActiveMQ scheduler store $TRASH/amq/data/amq/scheduler: 1 scheduled message(s) .*, not imported: Tandem has no scheduler" &&
	ls "$TRASH"/amq/data/amq/scheduler/db-1.log &&
	jms "$(broker_port t)" read >tandem.out 2>&1 &&
	cat tandem.out &&
	grep -v "^later:" amq.out >amq.kept &&
	diff amq.kept tandem.out &&
	! grep -q "Durable subscription kj:sel changed" t/log
'

test_expect_success 'a subscriber asking for the other noLocal replaces the subscription, as ActiveMQ does' '
	PORT=$(broker_port t) stomp_py <<-\EOF &&
	from tstomp import *
	c = client(headers={"client-id": "kj"})
	c.conn.subscribe("/topic/alerts", id="1", ack="auto",
	                 headers={"activemq.subscriptionName": "sel", "selector": "level = %shigh%s" % (chr(39), chr(39))})
	c.sync()
	c.close()
	EOF
	log_contains t "Durable subscription kj:sel changed (topic alerts, selector $SQ$SEL$SQ, noLocal false): replacing it"
'

test_done
