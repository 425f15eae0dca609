#!/bin/sh
# A master that loses its lock (the lock file removed under it) steps down,
# waits as a slave and serves again when it can take the lock, whether it
# started as master or as slave, alone or beside a slave: a pair always
# ends with exactly one master and every receipted message.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
MGMT_PORT=auto
export STORE_DIR

# role NAME: the Locker's Role as NAME's management socket says.
role() {
	PORT=0 MPORT=$(broker_mgmt_port "$1") stomp_py "$1" <<-\EOF
	import sys
	from tmgmt import *
	print(Mgmt().read(broker_name(sys.argv[1]) + ",service=Locker", "Role"))
	EOF
}

# wait_master NAME: until NAME serves clients again (20 s at most).
wait_master() {
	for i in $(seq 200); do
		port_open "$(broker_stomp_port "$1")" && return 0
		sleep 0.1
	done
	say "$1 did not become master again; its log:"
	tail -n 20 "$TRASH/$1/log"
	return 1
}

test_expect_success 'a master that started as master, alone, serves again after its lock file is removed' '
	start_broker a &&
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF &&
	from tstomp import *
	send_on(client(), "/queue/relock", "before", headers={"persistent": "true"})
	EOF
	rm "$STORE_DIR/lock" &&
	log_waits_for a "Lost the lock on $STORE_DIR/lock: the lock file was removed" &&
	wait_master a &&
	test "$(role a)" = master &&
	! grep -q "cannot wake the event loop" a/log &&
	log_contains a "acquired after waiting" &&
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	send_on(c, "/queue/relock", "after", headers={"persistent": "true"})
	c.conn.subscribe("/queue/relock", id="1")
	got = [m.body for m in c.wait(2)]
	check(got == ["before", "after"], got)
	EOF
'

test_expect_success 'it loses and takes the lock again a second time' '
	rm "$STORE_DIR/lock" &&
	for i in $(seq 100); do
		[ "$(grep -c "Lost the lock on" a/log)" -ge 2 ] && break
		sleep 0.1
	done &&
	test "$(grep -c "Lost the lock on" a/log)" -ge 2 &&
	wait_master a &&
	test "$(role a)" = master
'

test_expect_success 'a master whose lock file is replaced by one another process holds serves again once that one is let go' '
	{ "$PYTHON" "$TEST_ROOT/t/lib/tthief.py" "$STORE_DIR" "$TRASH/thief.ready" "$TRASH/thief.go" 30 & } &&
	thief=$! &&
	for i in $(seq 100); do [ -e "$TRASH/thief.ready" ] && break; sleep 0.1; done &&
	log_waits_for a "Lost the lock on $STORE_DIR/lock: the lock file was replaced by another file" &&
	! port_open "$(broker_stomp_port a)" &&
	test "$(role a)" = slave &&
	touch "$TRASH/thief.go" &&
	wait $thief &&
	wait_master a &&
	test "$(role a)" = master &&
	grep -q "^a on " "$STORE_DIR/lock"
'

test_expect_success 'with a slave up: exactly one master after the lock file is removed, no receipted message lost' '
	start_slave b &&
	FO="failover:(tcp://127.0.0.1:$(broker_stomp_port a),tcp://127.0.0.1:$(broker_stomp_port b))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100" &&
	{ ctl producer --stomp "$FO" --destination relock.load --count 1500 --rate 500 --persistent \
		--receipt-every 1 --timeout 30 --receipted rec.txt >prod.out 2>prod.err & } &&
	p=$! &&
	wait_lines rec.txt 300 &&
	rm "$STORE_DIR/lock" &&
	log_waits_for a "Lost the lock on $STORE_DIR/lock: the lock file was removed" &&
	wait $p &&
	cat prod.err &&
	grep -q "receipted 1500," prod.err &&
	ra=$(role a) && rb=$(role b) &&
	say "roles: a $ra, b $rb" &&
	{ { [ $ra = master ] && [ $rb = slave ]; } || { [ $ra = slave ] && [ $rb = master ]; }; } &&
	if [ $ra = master ]; then m=a; else m=b; fi &&
	ctl consumer --stomp 127.0.0.1:$(broker_stomp_port $m) --destination relock.load --count 0 \
		--timeout 2 --received got.txt >/dev/null 2>&1 &&
	cut -d" " -f1 got.txt | sort -n | uniq >distinct.txt &&
	sort -n rec.txt | comm -23 - distinct.txt >lost.txt &&
	say "receipted $(wc -l <rec.txt), received $(wc -l <got.txt), lost $(wc -l <lost.txt)" &&
	test ! -s lost.txt
'

test_expect_success 'the slave that took over also steps down and serves again when its lock file is removed' '
	if [ "$(role a)" = master ]; then m=a s=b; else m=b s=a; fi &&
	stop_broker $s &&
	rm "$STORE_DIR/lock" &&
	log_waits_for $m "Lost the lock on $STORE_DIR/lock: the lock file was removed" &&
	wait_master $m &&
	test "$(role $m)" = master
'

test_done
