#!/bin/sh
# Master/slave on a PostgreSQL lease (issue 24, broker/store/lease_locker.c):
# two brokers whose jdbcPersistenceAdapter names one database are a pair;
# the one holding the lease is the master, management shows the lease
# (holder, expiry by the database's clock, the database, the prefix and
# never the password), a slave takes over after kill -9 of the master under
# 5,000 receipted STOMP sends once the lease runs out, with every receipted
# message, and at once after a clean stop; a master cut off from the
# database fences itself and stops serving; PostgreSQL restarted under load
# loses nothing receipted; two table prefixes are two pairs. The pair's
# nodes find each other through the roster in the database
# (<prefix>TANDEM_ROSTER, broker/store/pg_roster.h): PairNodes, tandemtop's
# discovery and its node page (in tmux), tandemctl's word on a slave.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
. "$TEST_ROOT/t/lib/ttmux.sh"
pg_start || exit 1
# pg_start's cleanup, and the tmux server's (ttmux.sh's trap was replaced).
trap 'tm kill-server 2>/dev/null; pg_cleanup' EXIT
TOP=$TEST_BUILD/tui/tandemtop

MGMT_PORT=auto
WEB_PORT=auto
# Short periods, so that a lease runs out within seconds.
KEEP=1000
ACQUIRE=300

# pg_node NAME PREFIX: a broker of the pair on tablePrefix PREFIX.
pg_node() {
	pg_config "$1" "$2" && launch_broker "$1"
}

# locker NAME: NAME's Locker as JSON, from its management socket.
locker() {
	MPORT=$(broker_mgmt_port "$1") stomp_py "$1" <<-\EOF
	import json, sys
	from tmgmt import *
	print(json.dumps(Mgmt().read(broker_name(sys.argv[1]) + ",service=Locker")))
	EOF
}

# role_is NAME ROLE: NAME's Locker says ROLE.
role_is() {
	locker "$1" 2>/dev/null | grep -q "\"Role\": \"$2\""
}

# wait_role NAME ROLE: until NAME's Locker says ROLE (30 s at most).
wait_role() {
	for i in $(seq 300); do
		role_is "$1" "$2" && return 0
		sleep 0.1
	done
	say "$1 is not $2 after 30 s:"
	locker "$1"
	return 1
}

# pg_restart: PostgreSQL again, on its port with its data (pg_start would
# set its cleanup on this test's subshell).
pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start >/dev/null
}

# load_check REC GOT [SOME]: every receipted number was received, and all
# of 1..5000 were receipted (only some with SOME).
load_check() {
	"$PYTHON" - "$1" "$2" "${3:-}" <<-\EOF
	import sys
	from tstomp import check
	rec = set(int(l) for l in open(sys.argv[1]))
	got = [int(l.split()[0]) for l in open(sys.argv[2])]
	lost = sorted(rec - set(got))
	print("# receipted %d, received %d (%d distinct), lost %d"
	      % (len(rec), len(got), len(set(got)), len(lost)))
	check(rec == set(range(1, 5001)) or (sys.argv[3] and rec), "all 5000 receipted")
	check(not lost, "lost: %s" % lost[:20])
	EOF
}

# load_during NAME CMD [SOME]: 5,000 receipted persistent sends to queue
# NAME and a consumer of them, both through the pair's failover URI; CMD
# runs once 1,500 are receipted. Receipted numbers in NAME.rec, received in
# NAME.got. With SOME the producer may stop at an ERROR for a send whose
# commit failed (no receipt: the client knows it was not stored).
load_during() {
	fo="failover:(tcp://127.0.0.1:$(broker_stomp_port a),tcp://127.0.0.1:$(broker_stomp_port b))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100"
	{ ctl consumer --stomp "$fo" --destination "$1" --count 0 --timeout 10 --ack client \
		--received "$1.got" >"$1.cons.out" 2>"$1.cons.err" & } &&
	c=$! &&
	{ ctl producer --stomp "$fo" --destination "$1" --count 5000 --persistent \
		--receipt-every 1 --timeout 30 --receipted "$1.rec" >"$1.prod.out" 2>"$1.prod.err" & } &&
	p=$! &&
	wait_lines "$1.rec" 1500 600 &&
	eval "$2" &&
	{ wait $p || { [ -n "${3:-}" ] && grep -q "sent an ERROR: Store failure" "$1.prod.err"; }; } &&
	wait $c &&
	cat "$1.prod.err" "$1.cons.err" &&
	load_check "$1.rec" "$1.got" "${3:-}"
}

# pair_lists NAME A...: until NAME's PairNodes is A... at their management
# addresses, and nothing else (30 s at most).
pair_lists() {
	MPORT=$(broker_mgmt_port "$1") stomp_py "$@" <<-\EOF
	import os, sys
	from tmgmt import *
	trash = os.environ["TRASH"]
	want = dict((n, "127.0.0.1:" + open("%s/%s/mgmt_port" % (trash, n)).read().strip())
	            for n in sys.argv[2:])
	m = Mgmt()
	got = lambda: m.read(broker_name(sys.argv[1]) + ",service=Locker", "PairNodes")
	until("%s lists %s (it lists %s)" % (sys.argv[1], want, got()), lambda: got() == want, 30)
	EOF
}

# top_from NAME OUT PAIRLINE ROW: tandemtop --batch given only NAME's
# management address (the rest found by discovery) prints into OUT a pair
# line ending in PAIRLINE and a row matching ROW (an ERE).
top_from() {
	"$TOP" --node "127.0.0.1:$(broker_mgmt_port "$1")" --batch --iterations 2 --interval 0.5 \
		--screen cluster --width 250 >"$2" &&
	cat "$2" &&
	grep -q "^pair .*$3\$" "$2" &&
	grep -Eq "$4" "$2"
}

# no_password FILE...: the test's password is in none of them.
no_password() {
	! grep -F -e "$PG_PASSWORD" "$@"
}

test_expect_success 'two brokers on one database: the first takes the lease, the second waits' '
	pg_node a P1_ &&
	wait_role a master &&
	pg_node b P1_ &&
	wait_role b slave &&
	test "$(psql_tandem -At -c "select holder from \"P1_TANDEM_LOCK\"")" = a &&
	role_is a master
'

test_expect_success 'management shows the lease: holder, expiry by the database clock, database, prefix' '
	locker a >a.json && locker b >b.json &&
	cat a.json b.json &&
	MPORT=$(broker_mgmt_port b) stomp_py <<-\EOF
	import json, os
	from tmgmt import *
	db = "%s:%s/%s" % (os.environ["PG_HOST"], os.environ["PG_PORT"], os.environ["PG_DB"])
	for name in ("a", "b"):
	    lk = json.load(open(name + ".json"))
	    check(lk["Kind"] == "lease", lk)
	    check(lk["Holder"] == "a", lk)
	    check(lk["Database"] == db, lk)
	    check(lk["TablePrefix"] == "P1_", lk)
	    check(lk["LockFile"] == "P1_TANDEM_LOCK", lk)
	    check(lk["StoreDirectory"] == db + " tablePrefix=P1_", lk)
	    check(lk["LeaseExpiresMillis"] > 0 and lk["LeaseExpires"].endswith("Z"), lk)
	    check(lk["LockKeepAlivePeriod"] == 1000 and lk["LockAcquireSleepInterval"] == 300, lk)
	b = json.load(open("b.json"))
	check(b["WaitingSinceMillis"] > 0 and b["Attempts"] >= 1 and b["LastError"] == "", b)
	check(Mgmt().read(broker_name("b"), "Slave") is True, "b is Slave")
	EOF
'

test_expect_success 'tandemctl ha shows the pair by its database, the roles and the holder' '
	ctl --node "127.0.0.1:$(broker_mgmt_port a)" --node "127.0.0.1:$(broker_mgmt_port b)" ha >ha.out;
	cat ha.out &&
	grep "$PG_HOST:$PG_PORT/$PG_DB tablePrefix=P1_ .* a .*master .*a" ha.out &&
	grep "$PG_HOST:$PG_PORT/$PG_DB tablePrefix=P1_ .* b .*slave .*a" ha.out
'

test_expect_success 'tandemtop --batch groups the two nodes as one pair by their database: one master, one slave' '
	"$TEST_BUILD/tui/tandemtop" --node "127.0.0.1:$(broker_mgmt_port a)" \
		--node "127.0.0.1:$(broker_mgmt_port b)" --no-discover --batch --iterations 2 \
		--interval 0.3 --screen cluster --width 250 >top.out &&
	cat top.out &&
	grep "pair .*P1_: 2 nodes, 1 master, 1 slave" top.out
'

test_expect_success 'the nodes of the pair list each other (PairNodes) from the roster in the database, which holds no password' '
	pair_lists a a b && pair_lists b a b &&
	psql_tandem -At -c "select broker, kind, address from \"P1_TANDEM_ROSTER\" order by 1, 2" >roster.out &&
	cat roster.out &&
	grep -qx "a|management|127.0.0.1:$(broker_mgmt_port a)" roster.out &&
	grep -qx "b|management|127.0.0.1:$(broker_mgmt_port b)" roster.out &&
	grep -qx "a|web|http://127.0.0.1:$(broker_web_port a)/" roster.out &&
	no_password roster.out
'

test_expect_success 'tandemtop --batch given one node of the pair finds the other through PairNodes' '
	top_from b top1.out "P1_: 2 nodes, 1 master, 1 slave" \
		"^a +MASTER +127\.0\.0\.1:$(broker_mgmt_port a) "
'

test_expect_success 'tandemctl against the slave names the master of its pair and its address (exit 4)' '
	ctl --node "127.0.0.1:$(broker_mgmt_port b)" dstat >out 2>err
	test $? = 4 &&
	cat err &&
	grep -q "b is a slave; the master of its pair is a at 127.0.0.1:$(broker_mgmt_port a)" err
'

test_expect_success 'tandemtop in tmux: Enter on the master shows its lease: holder, expiry, database, prefix, the pair, never the password' '
	tm -f /dev/null new-session -d -s top -x 160 -y 60 \
		"LANG=C.UTF-8 \"$TOP\" --node 127.0.0.1:$(broker_mgmt_port a) --interval 0.5; sleep 60" &&
	screen_shows "^ ?1 Cluster" "P1_: 2 nodes, 1 master, 1 slave" "^a +MASTER " "^b +SLAVE " &&
	keys Enter &&
	screen_shows "^node 127\.0\.0\.1:$(broker_mgmt_port a) \(a\)" "pair \(database\): $PG_HOST:$PG_PORT/$PG_DB tablePrefix=P1_" \
		"^ +Holder +a *\$" "^ +Kind +lease *\$" "^ +Database +$PG_HOST:$PG_PORT/$PG_DB *\$" \
		"^ +TablePrefix +P1_ *\$" "^ +LeaseExpires +20[0-9-]+T[0-9:.]+Z *\$" \
		"^ +pair node b +127\.0\.0\.1:$(broker_mgmt_port b) *\$" &&
	cp pane.txt lease-page.txt &&
	no_password lease-page.txt &&
	tm kill-session -t top
'

test_expect_success 'the web console'"'"'s HA page shows the lease: holder, database, prefix, expiry' '
	curl -s -u admin:admin "http://127.0.0.1:$(broker_web_port b)/ha" >ha.html &&
	grep -q "$PG_HOST:$PG_PORT/$PG_DB" ha.html &&
	grep -q "P1_" ha.html &&
	grep -q "LeaseExpires" ha.html &&
	grep -q "lease" ha.html
'

test_expect_success 'the web console'"'"'s cluster page names the pair a / b from the roster in the database and links the other console' '
	curl -s -u admin:admin "http://127.0.0.1:$(broker_web_port b)/cluster" >cluster.html &&
	grep -q ">a / b<" cluster.html &&
	grep -q "http://127.0.0.1:$(broker_web_port a)/" cluster.html &&
	no_password cluster.html
'

test_expect_success 'the slave'"'"'s send page points to the master'"'"'s console (the holder is its leaseHolderId alone)' '
	curl -s -u admin:admin "http://127.0.0.1:$(broker_web_port b)/send" >send.html &&
	grep -q "id=\"send-slave\"" send.html &&
	grep -q "id=\"master-send\" href=\"http://127.0.0.1:$(broker_web_port a)/send?" send.html
'

test_expect_success 'the master serves STOMP clients, the slave does not' '
	port_open "$(broker_stomp_port a)" &&
	! port_open "$(broker_stomp_port b)"
'

test_expect_success 'kill -9 of the master during 5,000 receipted sends: the slave takes over once the lease runs out, every receipted message delivered' '
	load_during pg.load "kill_broker a" &&
	wait_role b master &&
	log_contains b "Lease on $PG_HOST:$PG_PORT/$PG_DB (P1_TANDEM_LOCK) acquired as b after waiting" &&
	test "$(psql_tandem -At -c "select holder from \"P1_TANDEM_LOCK\"")" = b
'

test_expect_success 'the new master still lists the old one, which tandemtop shows down' '
	pair_lists b a b &&
	top_from b top2.out "P1_: 2 nodes, 1 master, 0 slaves, down: 1" \
		"^a +DOWN +127\.0\.0\.1:$(broker_mgmt_port a) "
'

test_expect_success 'the old master comes back as a slave; a clean stop of the master hands the lease over' '
	pg_node a P1_ &&
	wait_role a slave &&
	stop_broker b &&
	log_contains b "Lease on .* given back" &&
	wait_role a master &&
	pg_node b P1_ &&
	wait_role b slave
'

test_expect_success 'a second pair in the same database (tablePrefix P2_) has a lease of its own' '
	pg_node c P2_ &&
	wait_role c master &&
	role_is a master &&
	test "$(psql_tandem -At -c "select holder from \"P2_TANDEM_LOCK\"")" = c &&
	PORT=$(broker_stomp_port c) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	send_on(p, "/queue/pair2.only", "for the second pair", headers={"persistent": "true"})
	EOF
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	send_on(p, "/queue/pair1.only", "for the first pair", headers={"persistent": "true"})
	EOF
	MPORT=$(broker_mgmt_port c) stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt()
	check(m.read(queue_name("c", "pair2.only"), "QueueSize") == 1, "c has its message")
	check(m.read(broker_name("c") + ",service=Locker", "TablePrefix") == "P2_", "c is P2_")
	EOF
	MPORT=$(broker_mgmt_port a) stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt()
	check(m.read(queue_name("a", "pair1.only"), "QueueSize") == 1, "a has its message")
	queues = [str(q) for q in m.read(broker_name("a"), "Queues")]
	check(not any("pair2.only" in q for q in queues), "not the other pair: %s" % queues)
	EOF
	stop_broker c
'

test_expect_success 'PostgreSQL stops: the master fences itself (no renewal by its deadline) and both wait; back, one is master' '
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null &&
	wait_role a slave &&
	log_contains a "Lost the lease on .*not renewed within its 2000 ms" &&
	! port_open "$(broker_stomp_port a)" &&
	role_is b slave &&
	! port_open "$(broker_stomp_port b)" &&
	pg_restart &&
	for i in $(seq 300); do
		{ role_is a master || role_is b master; } && break
		sleep 0.1
	done &&
	{ role_is a master || role_is b master; } &&
	! { role_is a master && role_is b master; }
'

test_expect_success 'PostgreSQL restarted under load: nothing receipted is lost (a send whose commit failed gets an ERROR)' '
	load_during pg.restart "pg_as \"\$PG_BIN/pg_ctl\" -D \"\$PG_DIR/data\" -m immediate -w stop >/dev/null && pg_restart" some
'

test_expect_success 'the password is in no log and no management answer' '
	stop_broker a && stop_broker b &&
	no_password "$TRASH/a/log" "$TRASH/b/log" "$TRASH/c/log" a.json b.json ha.out ha.html \
		top.out top1.out top2.out
'

test_done
