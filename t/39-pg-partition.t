#!/bin/sh
# A master cut off from its PostgreSQL by the network, silently (issue 24,
# broker/store/lease_locker.c, store_pg.c): packets dropped, no RST, no
# FIN. The master fences itself once its lease has run out by its own
# clock: it closes its clients, says why, and gives no receipt for what it
# did not commit; its event loop never waits on the database for longer
# than a lockKeepAlivePeriod, so it keeps answering management and fences
# in time even while a read of the store hangs; the slave takes over once
# the lease has expired by the database's clock, with every receipted
# message exactly once; when the link comes back the old master rejoins as
# a slave.
#
# PostgreSQL runs in namespace D; broker a in namespace A and b in B, each
# reaching the database over a veth pair of its own (D-A 10.203.1.0/24,
# D-B 10.203.2.0/24). The cut is netem's 100% loss on both ends of a's
# pair (the link stays up: nothing tells either side), or a's pair taken
# down on the database's side when tc has no netem. Clients run in each
# broker's namespace, on its loopback. Nothing touches the host's own
# interfaces.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"

NS_D=tandem$$pd NS_A=tandem$$pa NS_B=tandem$$pb
DB_A=10.203.1.1 DB_B=10.203.2.1
KEEP=1000	# lockKeepAlivePeriod: a lease of 2000 ms
ACQUIRE=300

netns_add $NS_D $NS_A $NS_B
{
	ip link add pa netns $NS_D type veth peer name pa netns $NS_A &&
	ip link add pb netns $NS_D type veth peer name pb netns $NS_B &&
	ip -n $NS_D addr add $DB_A/24 dev pa && ip -n $NS_A addr add 10.203.1.2/24 dev pa &&
	ip -n $NS_D addr add $DB_B/24 dev pb && ip -n $NS_B addr add 10.203.2.2/24 dev pb &&
	for ns in $NS_D $NS_A; do ip -n $ns link set pa up || exit 1; done &&
	for ns in $NS_D $NS_B; do ip -n $ns link set pb up || exit 1; done
} 2>ns.err || skip_all "cannot wire the network namespaces: $(cat ns.err)"

PG_NETNS=$NS_D PG_LISTEN="$DB_A,$DB_B" PG_ALLOW=10.203.0.0/16
pg_start || exit 1
# The database goes after the brokers, the namespaces after the database.
trap 'pg_cleanup; netns_cleanup' EXIT

# node NAME NS DBADDR: NAME's config in namespace NS, reaching the database
# at DBADDR: STOMP on its namespace's loopback, management on 1099.
node() {
	netns_tandemd "$2" "$1" &&
	cat >"$TRASH/$1/broker.xml" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <broker xmlns="http://activemq.apache.org/schema/core"
	          brokerName="$1" dataDirectory="$TRASH/$1/data">
	    <persistenceAdapter><jdbcPersistenceAdapter dataSource="#pg" lockKeepAlivePeriod="$KEEP"
	      tablePrefix="P_"><locker><lease-database-locker lockAcquireSleepInterval="$ACQUIRE"/>
	      </locker></jdbcPersistenceAdapter></persistenceAdapter>
	    <managementContext><managementContext connectorPort="1099" connectorHost="127.0.0.1"/></managementContext>
	    <transportConnectors>
	      <transportConnector name="stomp" uri="stomp://127.0.0.1:61613"/>
	    </transportConnectors>
	  </broker>
	  <bean id="pg" class="org.postgresql.ds.PGSimpleDataSource">
	    <property name="serverName" value="$3"/>
	    <property name="portNumber" value="$PG_PORT"/>
	    <property name="databaseName" value="$PG_DB"/>
	    <property name="user" value="$PG_USER"/>
	    <property name="password" value="$PG_PASSWORD"/>
	  </bean>
	</beans>
	EOF
}

run() {
	TANDEMD=$TRASH/$1/tandemd launch_broker "$1"
}

# py NAME [ARGS]: a Python script (stdin) in NAME's namespace, its
# management socket in MPORT.
py() {
	name=$1
	shift
	MPORT=1099 TRASH=$TRASH ip netns exec "$(cat "$TRASH/$name/ns")" "$PYTHON" - "$@"
}

# locker NAME: NAME's Locker as JSON, from its management socket.
locker() {
	py "$1" "$1" <<-\EOF
	import json, sys
	from tmgmt import *
	print(json.dumps(Mgmt(timeout=5).read(broker_name(sys.argv[1]) + ",service=Locker")))
	EOF
}

# locker_is NAME PYEXPR: waits (60 s at most) until PYEXPR holds of NAME's
# Locker (l, its attributes).
locker_is() {
	for i in $(seq 600); do
		locker "$1" >"$1.locker" 2>/dev/null &&
		json_true "(lambda l: $2)(rows)" "$1.locker" >/dev/null && return 0
		sleep 0.1
	done
	json_true "(lambda l: $2)(rows)" "$1.locker"
}

# serves NAME: NAME's STOMP connector accepts.
serves() {
	py "$1" <<-\EOF
	import socket
	socket.create_connection(("127.0.0.1", 61613), timeout=5).close()
	EOF
}

# cut_link, heal_link: a's link to the database (not "cut": test-lib.sh runs cut(1)).
cut_link() {
	if ip netns exec $NS_A tc qdisc add dev pa root netem loss 100% 2>/dev/null; then
		ip netns exec $NS_D tc qdisc add dev pa root netem loss 100%
	else
		ip -n $NS_D link set pa down
	fi
}
heal_link() {
	if ip netns exec $NS_A tc qdisc del dev pa root 2>/dev/null; then
		ip netns exec $NS_D tc qdisc del dev pa root
	else
		ip -n $NS_D link set pa up
	fi
}

test_expect_success 'b alone is master and stores 200 messages; a takes over from its clean stop and leaves them on disk' '
	node a $NS_A $DB_A && node b $NS_B $DB_B &&
	run b && locker_is b "l[\"Role\"] == \"master\"" &&
	py b <<-\EOF &&
	from tstomp import *
	c = client(61613)
	for i in range(200):
	    send_on(c, "/queue/pg.paged", "p%d" % i, headers={"persistent": "true"})
	c.close()
	EOF
	TANDEM_TEST_COMMIT_DELAY_MS=400 run a && locker_is a "l[\"Role\"] == \"slave\"" &&
	stop_broker b &&
	locker_is a "l[\"Role\"] == \"master\"" &&
	run b && locker_is b "l[\"Role\"] == \"slave\" and l[\"Holder\"] == \"a\""
'

# A producer on a, for the rest of the test: one persistent message at a
# time, each waiting for its receipt, then 0.4 s of rest (a's commits hold
# the lease row 0.4 s each, TANDEM_TEST_COMMIT_DELAY_MS: its own renewals
# need the gaps); the numbers sent in prod.sent, receipted in prod.rec; it
# stops at the first send not receipted, saying why in prod.end.
{ py a >prod.out 2>&1 <<-\EOF & }
import time
from tstomp import *
c = client(61613)
sent, rec = open("prod.sent", "w"), open("prod.rec", "w")
n, why = 0, None
while why is None:
    n += 1
    rid = "r%d" % n
    sent.write("%d\n" % n)
    sent.flush()
    try:
        c.conn.send("/queue/pg.load", str(n), headers={"persistent": "true", "receipt": rid})
    except Exception as e:
        why = "the send failed: %s" % e
        break
    with c.cond:
        end = time.monotonic() + 120
        while not (rid in c.receipts or c.errors or c.disconnected) and time.monotonic() < end:
            c.cond.wait(1)
        if rid in c.receipts:
            rec.write("%d\n" % n)
            rec.flush()
            time.sleep(0.4)
        elif c.errors:
            why = "ERROR: %s %s" % (c.errors[0].headers.get("message"), c.errors[0].body)
        elif c.disconnected:
            why = "disconnected"
        else:
            why = "no answer in 120 s"
open("prod.end", "w").write(why + "\n")
EOF
test_pids="$test_pids $!"

test_expect_success 'the producer gets receipts from the master a' '
	wait_lines prod.rec 10 600
'

# A read of the store on a's loop while the database is unreachable: the
# browse of a queue still on disk pages it in. The client is connected
# before the cut, and asks once the file "go" is there.
{ py a a <<-\EOF >browse.out 2>&1 & }
import os, sys, time
from tmgmt import *
m = Mgmt(timeout=120)
while not os.path.exists("go"):
    time.sleep(0.01)
t = time.monotonic()
r = m.req({"type": "exec", "operation": "browse", "arguments": [],
           "mbean": queue_name(sys.argv[1], "pg.paged")})
print("browse answered after %.1f s: %s" % (time.monotonic() - t,
      r and r.get("status") or "closed (the fence closes every connection)"))
EOF
test_pids="$test_pids $!"

test_expect_success 'a'"'"'s link to the database is cut silently, inside a commit: a fences itself, its clients are closed, and it says why' '
	k=$(wc -l <prod.rec) &&
	while [ "$(wc -l <prod.sent)" -le "$k" ]; do sleep 0.02; done &&
	cut_link &&
	touch go &&
	say "cut at $(date -u +%T.%N), message $((k + 1)) being committed" &&
	# the database still has the commit open, the lease row locked by its fence
	test "$(PSQL_DB=$PG_DB psql_admin -At -c "select count(*) from pg_locks l join
		pg_stat_activity s using (pid) where s.client_addr = '"'"'10.203.1.2'"'"' and
		l.relation = '"'"'\"P_TANDEM_LOCK\"'"'"'::regclass")" -ge 1 &&
	locker_is a "l[\"Role\"] == \"slave\"" &&
	wait_lines browse.out 1 600 && cat browse.out &&
	grep "browse answered" browse.out &&
	wait_lines prod.end 1 600 && cat prod.end &&
	grep -E "disconnected|ERROR" prod.end &&
	! serves a &&
	log_contains a "Lost the lease on $DB_A:$PG_PORT/$PG_DB (P_TANDEM_LOCK): not renewed within its 2000 ms"
'

test_expect_success 'the read of the store on a'"'"'s loop gave up after a lockKeepAlivePeriod, and the fence came less than a lease after its end' '
	log_contains a "Reading messages to page in: no answer from the database within $KEEP ms" &&
	grep "Lost the lease" a/log &&
	late=$(sed -n "s/.*Lost the lease.*(fenced \([0-9]*\) ms after its end).*/\1/p" a/log | tail -1) &&
	say "fenced $late ms after the lease ended by a'"'"'s clock" &&
	test "$late" -lt $((2 * KEEP))
'

test_expect_success 'management answers on a while the link is still cut' '
	locker a >a.locker && cat a.locker &&
	json_true "rows[\"Role\"] == \"slave\" and rows[\"LastError\"] != \"\"" a.locker
'

test_expect_success 'b takes over once the lease has expired by the database'"'"'s clock (and the database ended a'"'"'s session, which held the lease row for its commit)' '
	locker_is b "l[\"Role\"] == \"master\"" &&
	log_contains b "Lease on $DB_B:$PG_PORT/$PG_DB (P_TANDEM_LOCK) acquired as b after waiting" &&
	test "$(PSQL_DB=$PG_DB psql_admin -At -c "select holder from \"P_TANDEM_LOCK\"")" = b
'

test_expect_success 'every message a receipted is on b exactly once, and the 200 left on disk too' '
	cat prod.end &&
	py b b <<-\EOF
	import sys
	from tmgmt import *
	from tstomp import *
	m = Mgmt()
	rec = [int(l) for l in open("prod.rec")]
	sent = [int(l) for l in open("prod.sent")]
	for queue, want in (("pg.load", None), ("pg.paged", 200)):
	    n = m.read(queue_name(sys.argv[1], queue), "QueueSize")
	    c = subscriber("/queue/" + queue, 61613)
	    got = c.wait_bodies(n, 60)
	    c.sync()
	    got += [f.body for f in c.messages]
	    c.close()
	    print("# %s: %d on b, %d distinct" % (queue, len(got), len(set(got))))
	    check(len(got) == len(set(got)), "%s: duplicates: %s" % (queue, sorted(got)[:50]))
	    if want:
	        check(len(got) == want, "%s: %d, not %d" % (queue, len(got), want))
	        continue
	    got = set(int(b) for b in got)
	    lost = sorted(set(rec) - got)
	    print("# receipted %d of %d sent; lost %d" % (len(rec), len(sent), len(lost)))
	    check(not lost, "receipted and not on b: %s" % lost[:20])
	    check(got <= set(sent), "on b and never sent: %s" % sorted(got - set(sent))[:20])
	EOF
'

test_expect_success 'the link comes back: a reaches the database again and stays a slave of b' '
	heal_link &&
	locker_is a "l[\"Role\"] == \"slave\" and l[\"Holder\"] == \"b\" and l[\"LastError\"] == \"\"" &&
	! serves a &&
	locker_is b "l[\"Role\"] == \"master\"" &&
	serves b
'

test_expect_success 'both stop cleanly' '
	stop_broker a && stop_broker b
'

test_done
