#!/bin/sh
# A node that takes the lock but cannot open the store: a passing trouble
# (the database locked by another process, a full disk) makes it let go
# of the lock, say why in its log and its Health, and try again with a
# back-off until it serves; a corrupt store ends it with an error that
# says so.
. "$(dirname "$0")/test-lib.sh"

STORE_DIR=$TRASH/shared/kahadb
MGMT_PORT=auto
WEB_PORT=auto
export STORE_DIR

# hold_db SECONDS: another process holds an exclusive SQLite lock on
# store.db (a rollback-journal database, so that nobody may even read it)
# for SECONDS, or until $TRASH/release appears.
hold_db() {
	"$PYTHON" - "$STORE_DIR/store.db" "$TRASH/held" "$TRASH/release" "$1" <<-\EOF &
	import os, sqlite3, sys, time
	db = sqlite3.connect(sys.argv[1], isolation_level=None)
	db.execute("PRAGMA journal_mode=DELETE")
	db.execute("BEGIN EXCLUSIVE")
	db.execute("CREATE TABLE IF NOT EXISTS holder (x)")
	open(sys.argv[2], "w").close()
	end = time.time() + float(sys.argv[4])
	while time.time() < end and not os.path.exists(sys.argv[3]):
	    time.sleep(0.05)
	db.execute("ROLLBACK")
	db.close()
	EOF
	for i in $(seq 100); do [ -e "$TRASH/held" ] && return 0; sleep 0.1; done
	echo "the holder did not lock store.db"
	return 1
}

test_expect_success 'store.db locked by another process: the node releases the lock, says why, retries, and serves once it is free' '
	mkdir -p "$STORE_DIR" &&
	hold_db 60 &&
	launch_broker a &&
	log_waits_for a "Cannot open the store in $STORE_DIR: database is locked" &&
	log_waits_for a "Released the lock on $STORE_DIR/lock; trying again in 0.5 s" &&
	MPORT=$(broker_mgmt_port a) stomp_py <<-\EOF &&
	from tmgmt import *
	m = Mgmt(timeout=30)
	h = m.read(broker_name("a") + ",service=Health")
	print(h["CurrentStatus"])
	check("database is locked" in h["CurrentStatus"], h)
	lk = m.read(broker_name("a") + ",service=Locker")
	check("database is locked" in lk["LastError"], lk)
	check(any("released the lock" in e["event"] for e in lk["Events"]), lk["Events"])
	EOF
	curl -s -o health.txt -w "%{http_code}\n" "http://127.0.0.1:$(broker_web_port a)/health" >code.txt &&
	cat health.txt code.txt &&
	test "$(cat code.txt)" = 503 &&
	grep -q "^slave: broker a waits for the lock $STORE_DIR/lock: cannot open the store: database is locked (try [0-9]*; the next in [0-9.]* s)" health.txt &&
	log_waits_for a "trying again in 1 s" &&
	process_alive "$(cat a/pid)" &&
	! port_open "$(broker_stomp_port a)" &&
	touch "$TRASH/release" &&
	wait_broker a &&
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	send_on(c, "/queue/retry", "served", headers={"persistent": "true"})
	c.conn.subscribe("/queue/retry", id="1")
	check(c.wait(1)[0].body == "served", "a receipt and the message")
	EOF
'

test_expect_success 'Health is Good again once serving' '
	MPORT=$(broker_mgmt_port a) stomp_py <<-\EOF
	from tmgmt import *
	m = Mgmt()
	h = m.read(broker_name("a") + ",service=Health", "CurrentStatus")
	check(h == "Good", h)
	lk = m.read(broker_name("a") + ",service=Locker")
	check(lk["Role"] == "master" and lk["LastError"] == "", lk)
	EOF
'

test_expect_success 'a corrupt store: the node exits 1 with an error that says so, and lets go of the lock' '
	touch "$TRASH/release" &&
	{ ! process_alive "$(cat a/pid)" || stop_broker a; } &&
	mkdir -p "$TRASH/bad/kahadb" &&
	head -c 16384 /dev/urandom >"$TRASH/bad/kahadb/store.db" &&
	STORE_DIR=$TRASH/bad/kahadb broker_config c &&
	launch_broker c &&
	wait_exit c &&
	test "$(cat c/exit)" = 1 &&
	log_contains c "Cannot open the store in $TRASH/bad/kahadb: file is not a database" &&
	log_contains c "corrupt" &&
	! grep -q "trying again in" c/log &&
	"$PYTHON" -c "import fcntl, sys; fcntl.lockf(open(sys.argv[1], \"r+\"), fcntl.LOCK_EX | fcntl.LOCK_NB)" \
		"$TRASH/bad/kahadb/lock"
'

test_done
