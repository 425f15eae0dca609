#!/bin/sh
# A pair on a small file system that fills up: the master is killed, the
# slave takes the lock but cannot open the store while the disk is full;
# it must keep trying (and say why) and serve every receipted message once
# space is freed. Needs a tmpfs mount (root); skipped where mounting fails.
. "$(dirname "$0")/test-lib.sh"

FS=$TRASH/fs
STORE_DIR=$FS/kahadb
MGMT_PORT=auto
export STORE_DIR

mkdir -p "$FS"
if ! mount -t tmpfs -o size=3m tandem-test "$FS" 2>/dev/null; then
	test_skip "a full disk under a pair" "cannot mount a tmpfs here (needs root)"
	test_done
fi
unmount_fs() { test_cleanup; umount "$FS" 2>/dev/null; }
trap 'unmount_fs' EXIT

test_expect_success 'a full disk: the new master retries until space is freed, then serves every receipted message' '
	start_broker a &&
	start_slave b &&
	PORT=$(broker_stomp_port a) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	# Few enough that the WAL keeps them (the writer copies a WAL of
	# fewer than 250 frames into store.db only at 1,000): the failed
	# open cannot make room by closing a WAL it had nothing to copy from.
	for i in range(40):
	    send_on(p, "/queue/full", "m%d" % i, headers={"persistent": "true"})
	EOF
	{ dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true; } &&
	df "$FS" &&
	kill_broker a &&
	log_waits_for b "Cannot open the store in $STORE_DIR: database or disk is full" &&
	log_waits_for b "Released the lock on $STORE_DIR/lock; trying again in" &&
	process_alive "$(cat b/pid)" &&
	MPORT=$(broker_mgmt_port b) stomp_py <<-\EOF &&
	from tmgmt import *
	h = Mgmt().read(broker_name("b") + ",service=Health", "CurrentStatus")
	print(h)
	check("disk is full" in h, h)
	EOF
	rm "$FS/filler" &&
	wait_broker b &&
	PORT=$(broker_stomp_port b) stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/full", id="1")
	got = [m.body for m in c.wait(40)]
	check(got == ["m%d" % i for i in range(40)], "all 40, in order")
	EOF
'

test_expect_success 'a bridged message whose commit failed on a full disk is taken when its bridge sends it again' '
	{ dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true; } &&
	PORT=$(broker_stomp_port b) stomp_py <<-\EOF &&
	from tstomp import *
	# A remote broker'"'"'s bridge, as Tandem'"'"'s bridges connect: its
	# resends are known by message id and dropped once one was taken.
	peer = {"tandem-network-bridge": "remote", "tandem-broker-id": "ID:remote-1"}
	h = {"persistent": "true", "tandem-message-id": "ID:remote-1:1:1:1",
	     "tandem-broker-path": "ID:remote-1"}
	big = "x" * (1024 * 1024)	# more than the WAL can take in place
	b = client(headers=peer)
	n, why = send_until_refused(b, "/queue/bridged", big + "%d", 1, headers=h)
	check(n == 0 and "could not make the message durable" in why, (n, why))
	EOF
	rm "$FS/filler" &&
	PORT=$(broker_stomp_port b) stomp_py <<-\EOF
	from tstomp import *
	peer = {"tandem-network-bridge": "remote", "tandem-broker-id": "ID:remote-1"}
	h = {"persistent": "true", "tandem-message-id": "ID:remote-1:1:1:1",
	     "tandem-broker-path": "ID:remote-1"}
	b = client(headers=peer)
	send_on(b, "/queue/bridged", "sent again", headers=h)
	c = client()
	c.conn.subscribe("/queue/bridged", id="1")
	got = [m.body for m in c.wait(1)]
	check(got == ["sent again"], got)
	EOF
'

test_done
