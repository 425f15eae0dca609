#!/bin/sh
# storeUsage for a store in PostgreSQL (issue 24): the store's usage is
# the size of the pair's own tables <tablePrefix>TANDEM_* (their heap,
# indexes and TOAST, pg_total_relation_size), its limit storeUsage's as
# configured, never lowered to this machine's disk (the rows are in the
# database, wherever it runs). Past the limit persistent producers get
# the same ERROR as on SQLite (t/34-store-limits.t).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

MGMT_PORT=auto

# store_usage NAME: NAME's StoreLimit and StorePercentUsage, "LIMIT PCT".
store_usage() {
	MPORT=$(broker_mgmt_port "$1") stomp_py "$1" <<-\EOF
	import sys
	from tmgmt import *
	b = Mgmt().read(broker_name(sys.argv[1]))
	print(b["StoreLimit"], b["StorePercentUsage"])
	EOF
}

BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
  <storeUsage><storeUsage limit="2 mb"/></storeUsage>
</systemUsage></systemUsage>'
pg_config full F_ && start_broker full || exit 1

test_expect_success 'the store starts well below its 2 mb limit: StorePercentUsage from the tables'"'"' size' '
	store_usage full >usage.out && cat usage.out &&
	read limit pct <usage.out &&
	test "$limit" = 2097152 && test "$pct" -lt 50
'

test_expect_success 'past the storeUsage limit a persistent sender gets the ERROR SQLite'"'"'s store gives, and everything receipted is delivered' '
	PORT=$(broker_stomp_port full) stomp_py <<-\EOF
	from tstomp import *
	sent, d = fill_then_drain("/queue/pg.full", "Usage Manager Store is Full on queue://pg.full",
	                          300, headers={"persistent": "true"})
	print("# refused after %d" % sent)
	EOF
'

test_expect_success 'management says the store is full: StorePercentUsage 100 or more of the 2 mb' '
	store_usage full >usage.out && cat usage.out &&
	read limit pct <usage.out &&
	test "$limit" = 2097152 && test "$pct" -ge 100 &&
	log_contains full "Usage Manager Store is Full on queue://pg.full.*Sends fail (sendFailIfNoSpace)"
'
stop_broker full

BROKER_EXTRA='<systemUsage><systemUsage>
  <storeUsage><storeUsage limit="2 mb"/></storeUsage>
</systemUsage></systemUsage>'
pg_config held H_ && start_broker held || exit 1

# Nothing is written while the producer is held and the queue is empty: a
# VACUUM then gives the drained tables' space back, and only a store that
# measures its tables while idle sees it (every 5 s).
test_expect_success 'without sendFailIfNoSpace a producer is held at the limit, and goes on once the store is drained and PostgreSQL gave the space back' '
	PORT=$(broker_stomp_port held) MPORT=$(broker_mgmt_port held) stomp_py <<-\EOF &&
	import os, subprocess, time
	from tstomp import *
	from tmgmt import Mgmt, until, queue_size
	n = 4000
	t = produce_until_held("held", "/queue/pg.held", n)
	d = client()
	d.conn.subscribe("/queue/pg.held", id="1")
	m = Mgmt()
	e = os.environ
	# Each time the producer is held again: drain, then VACUUM.
	for cycle in range(10):
	    until("the queue drained", lambda: queue_size(m, "held", "pg.held") == 0, 60)
	    if not t.is_alive():
	        break
	    time.sleep(2)	# past the measures that follow the last commit
	    subprocess.check_call(["psql", "-X", "-q", "-h", e["PG_HOST"], "-p", e["PG_PORT"],
	                           "-U", e["PG_USER"], "-d", e["PG_DB"], "-c", "SET client_min_messages = error",
	                           "-c", "VACUUM"],
	                          env=dict(e, PGPASSWORD=e["PG_PASSWORD"]))
	    until("the producer goes on", lambda: not t.is_alive() or
	          queue_size(m, "held", "pg.held") > 0, 30)
	print("# %d VACUUM(s)" % cycle)
	received_all(d, n, t)
	EOF
	log_contains held "Usage Manager Store is Full on queue://pg.held.*Producers are held"
'
stop_broker held

# The data directory on a 4 MB file system: a kahaDB store would have its
# limit lowered to fit it (t/34-store-limits.t); the database's is not.
DISK=$TRASH/disk/data
mkdir -p "$DISK"
if mount -t tmpfs -o size=4m tandem-test "$DISK" 2>/dev/null; then
	trap 'umount "$DISK" 2>/dev/null; pg_cleanup' EXIT
	BROKER_EXTRA='<systemUsage><systemUsage sendFailIfNoSpace="true">
	  <storeUsage><storeUsage limit="1 gb"/></storeUsage>
	</systemUsage></systemUsage>'
	pg_config disk D_ && start_broker disk || exit 1

	test_expect_success 'a small local disk does not lower the limit of a store in PostgreSQL, and 6 MB go in' '
		store_usage disk >usage.out && cat usage.out &&
		read limit pct <usage.out &&
		test "$limit" = 1073741824 &&
		! grep -q "| Store limit is" "$TRASH/disk/log" &&
		PORT=$(broker_stomp_port disk) stomp_py <<-\EOF
		import base64, os
		from tstomp import *
		p = client()
		# random, so that PostgreSQL cannot compress it below the disk
		for i in range(60):
		    body = "%d %s" % (i, base64.b64encode(os.urandom(75000)).decode())
		    send_on(p, "/queue/pg.big", body, headers={"persistent": "true"})
		EOF
	'
	stop_broker disk
else
	say "skipping the small local disk: cannot mount a tmpfs here"
fi

test_done
