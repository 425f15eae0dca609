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

test_done
