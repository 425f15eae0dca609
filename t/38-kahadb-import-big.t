#!/bin/sh
# A KahaDB journal larger than what the import may hold in memory (issue
# 22): the import streams it. Debian's activemq 5.17 stores 1500
# messages of 100 KB (about 150 MB of journal, all pending) and is killed
# with SIGKILL; `tandemd --import-kahadb DIR` imports them with a peak
# resident size far below the journal's (the replay keeps where each
# message is, not its bytes, and rows are committed a batch at a time),
# and a broker then serves every one of them, in order. An import killed
# half-way leaves the journal where it was and nothing but its staged
# rows, which the next import removes: no message twice.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
jms_compile KahaBig.java

STORE_DIR=$TRASH/amq/data/kahadb
export STORE_DIR
COUNT=1500 SIZE=100000

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}

trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

# The peak resident size of a command, in KB (getrusage of its children).
peak_rss() {
	"$PYTHON" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$@"
}

test_expect_success 'ActiveMQ stores 150 MB of messages and is killed with SIGKILL' '
	APORT=$(free_port 2) &&
	amq --start "$TRASH/amq" "$APORT" &&
	java -cp "$TRASH/jms:$JAVA_CP" KahaBig "tcp://127.0.0.1:$((APORT + 1))" $COUNT $SIZE >fill.out 2>&1 &&
	grep -qx sent fill.out &&
	amq --kill "$TRASH/amq" &&
	du -sm "$STORE_DIR" | tee du &&
	test "$(cut -f1 du)" -ge 130
'

# rows COUNT: how many rows of store.db's TABLE (python3's sqlite3).
rows() {
	"$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$STORE_DIR/store.db" "$1"
}

test_expect_success 'an import killed with SIGKILL between its batches leaves the journal in place and only staged rows' '
	{ TANDEM_TEST_COMMIT_DELAY_MS=300 "$TANDEMD" --import-kahadb "$STORE_DIR" 2>killed.log &
	  echo $! >import.pid; } &&
	for i in $(seq 300); do
		[ "$(rows "SELECT COUNT(*) FROM entries" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
		sleep 0.1
	done &&
	kill -9 "$(cat import.pid)" &&
	staged=$(rows "SELECT COUNT(*) FROM entries WHERE container = '"'"'kahadb://importing'"'"'") &&
	echo "staged $staged" &&
	test "$staged" -gt 0 && test "$staged" -lt $COUNT &&
	test "$(rows "SELECT COUNT(*) FROM entries WHERE container <> '"'"'kahadb://importing'"'"'")" = 0 &&
	ls "$STORE_DIR"/db-1.log
'

# Under make asan, freed memory waits in AddressSanitizer's quarantine
# (256 MB by default) before it is reused: a smaller one keeps the figure
# the program's own.
test_expect_success 'the import streams the journal: its peak resident size stays far below the journal'"'"'s' '
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16 \
		peak_rss "$TANDEMD" --import-kahadb "$STORE_DIR" >rss 2>import.log &&
	cat import.log rss &&
	grep -q "Imported queue://big: $COUNT message(s)" import.log &&
	test "$(tail -1 rss)" -lt 120000 &&
	test "$(rows "SELECT COUNT(*) FROM messages")" = $((COUNT + 1)) &&	# and the marker
	test "$(rows "SELECT COUNT(*) FROM entries WHERE container = '"'"'kahadb://importing'"'"'")" = 0
'

test_expect_success 'a broker on the directory serves every message, in order' '
	broker_config t &&
	start_broker t &&
	log_contains t "Store $STORE_DIR opened: $COUNT message(s) recovered" &&
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/big", id="1", ack="auto")
	got = c.wait(1500, timeout=120)
	check([m.body.split(" ")[1] for m in got] == [str(i) for i in range(1500)], "out of order")
	check(all(len(m.body) == 100000 for m in got), "bodies cut")
	c.close()
	EOF
'

test_done
