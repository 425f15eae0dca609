#!/bin/sh
# Store housekeeping: acked messages are deleted in batches and their disk
# space goes back to the file system after a backlog drains.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1
DB=$TRASH/node1/data/kahadb/store.db

test_expect_success 'the store shrinks back after a 32 MB backlog drains' '
	DB=$DB stomp_py <<-\EOF
	from tstomp import *
	import os
	db = os.environ["DB"]
	start = os.path.getsize(db)
	p = client()
	body = "s" * 8192
	for i in range(4000):
	    p.conn.send("/queue/house", body, headers={"persistent": "true",
	                                               **({"receipt": "r%d" % i} if i % 100 == 99 else {})})
	p.wait_receipt("r3999")
	# The last frames reach store.db from the WAL at the next checkpoint
	# of the store writer, a quiet moment after the last commit (store.c).
	import time
	for i in range(100):
	    peak = os.path.getsize(db)
	    if peak > 30 * 1024 * 1024:
	        break
	    time.sleep(0.1)
	print("store.db: %d bytes at start, %d with the backlog" % (start, peak))
	check(peak > 30 * 1024 * 1024, "the backlog is on disk: %d" % peak)
	c = client()
	c.conn.subscribe("/queue/house", id="1")
	c.wait(4000, timeout=60)
	# The store hands free pages back a slice at a time, by itself, also
	# when no further commit comes.
	for i in range(300):
	    size = os.path.getsize(db)
	    if size < peak // 4:
	        break
	    time.sleep(0.1)
	print("store.db: %d bytes after the drain" % size)
	check(size < peak // 4, "the store gave its space back: %d of %d bytes" % (size, peak))
	EOF
'

# fill_drain N: N persistent 1 KiB messages in, then all of them out.
fill_drain() {
	ctl --json producer --stomp 127.0.0.1:$(broker_stomp_port node1) \
		--destination queue://drained --count "$1" --size 1024 --persistent \
		--receipt-every 100 --timeout 60 >"$TRASH/fill.json" &&
	grep -q "\"receipted\": $1" "$TRASH/fill.json" &&
	ctl --json consumer --stomp 127.0.0.1:$(broker_stomp_port node1) \
		--destination queue://drained --total "$1" --timeout 60 >"$TRASH/drain.json" &&
	grep -q "\"received\": $1" "$TRASH/drain.json"
}

# shrinks_to BYTES: waits (up to 60 s) until store.db and its WAL
# together hold at most BYTES.
shrinks_to() {
	for i in $(seq 600); do
		size=$(cat "$DB" "$DB-wal" 2>/dev/null | wc -c)
		[ "$size" -le "$1" ] && say "store.db and WAL: $size bytes" && return 0
		sleep 0.1
	done
	say "store.db and WAL still hold $size bytes" && return 1
}

test_expect_success 'after 50,000 messages drain, the store and its WAL shrink to near their empty size' '
	fill_drain 50000 &&
	shrinks_to $((2 * 1024 * 1024))
'

test_expect_success 'a store made without auto_vacuum is rebuilt with it once, then shrinks as well' '
	stop_broker node1 &&
	python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(\"PRAGMA auto_vacuum=NONE\")
db.execute(\"VACUUM\")
assert db.execute(\"PRAGMA auto_vacuum\").fetchone()[0] == 0
db.close()" "$DB" &&
	start_broker node1 &&
	fill_drain 20000 &&
	shrinks_to $((2 * 1024 * 1024)) &&
	log_contains node1 "store.db rebuilt with auto_vacuum=INCREMENTAL"
'

test_done
