#!/bin/sh
# Store failures and the STOMP connection (issue 18 point 11): a failed
# commit answering a receipt is an ERROR that leaves the connection open
# (it names the frame that failed, as ActiveMQ's receipt handler does); one
# under persistent sends that asked for no receipt closes it (the producer
# cannot know what was lost); a DISCONNECT closes even when its commit
# failed. Needs a tmpfs mount (root) to fill; skipped where mounting fails.
. "$(dirname "$0")/test-lib.sh"

FS=$TRASH/fs
STORE_DIR=$FS/kahadb
export STORE_DIR

mkdir -p "$FS"
if ! mount -t tmpfs -o size=4m tandem-test "$FS" 2>/dev/null; then
	test_skip "store failures on STOMP connections" "cannot mount a tmpfs here (needs root)"
	test_done
fi
unmount_fs() { test_cleanup; umount "$FS" 2>/dev/null; }
trap 'unmount_fs' EXIT

start_broker node1 || exit 1
PORTS="$(broker_port node1) $(broker_stomp_port node1)"
export PORTS

cat >full.py <<-\EOF
import os
from tstomp import *

PORTS = [int(p) for p in os.environ["PORTS"].split()]
BIG = b"x" * 65536

def connected(p, frames, until):
    """CONNECT and frames: tstomp.talk()."""
    return talk(p, b"CONNECT\naccept-version:1.2\nhost:x\n\n\0" + frames, until)

def persistent(receipt=None):
    r = b"receipt:%s\n" % receipt if receipt else b""
    return (b"SEND\ndestination:/queue/full\npersistent:true\n%scontent-length:%d\n\n"
            % (r, len(BIG)) + BIG + b"\0")

AFTER = b"SEND\ndestination:/queue/full.after\nreceipt:after\n\nx\0"
EOF

full_py() {
	PYTHONPATH=$PYTHONPATH:. stomp_py
}

test_expect_success 'the disk fills up' '
	{ dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true; } &&
	df "$FS"
'

test_expect_success 'a persistent SEND whose receipt the full store fails: ERROR naming it, the connection stays open' '
	full_py <<-\EOF
	from full import *
	for p in PORTS:
	    # Several, so that one fills what the store had left.
	    frames = b"".join(persistent(b"bad%d" % i) for i in range(8))
	    got, out = connected(p, frames + AFTER, b"receipt-id:after\n")
	    check(b"message:Store failure" in out, "port %d: no Store failure: %r" % (p, out[:600]))
	    check(got == "open", "port %d: closed after %r" % (p, out[:600]))
	EOF
'

test_expect_success 'persistent SENDs without a receipt that the full store fails: ERROR, then the close' '
	full_py <<-\EOF
	from full import *
	for p in PORTS:
	    got, out = connected(p, b"".join(persistent() for i in range(8)), b"never said")
	    check(b"message:Store failure" in out, "port %d: no Store failure: %r" % (p, out[:600]))
	    check(got == "closed", "port %d: open" % p)
	EOF
'

test_expect_success 'a DISCONNECT whose commit the full store fails: ERROR, then the close' '
	full_py <<-\EOF
	from full import *
	for p in PORTS:
	    frames = b"".join(persistent(b"bad%d" % i) for i in range(8))
	    got, out = connected(p, frames + b"DISCONNECT\nreceipt:bye\n\n\0", b"never said")
	    check(b"receipt-id:bye\n" in out, "port %d: DISCONNECT unanswered: %r" % (p, out[-600:]))
	    check(got == "closed", "port %d: open" % p)
	EOF
'

test_expect_success 'with room again the store takes messages again' '
	rm "$FS/filler" &&
	full_py <<-\EOF
	from full import *
	for p in PORTS:
	    got, out = connected(p, persistent(b"ok") + b"DISCONNECT\nreceipt:bye\n\n\0", b"receipt-id:bye\n")
	    check(b"RECEIPT\nreceipt-id:ok\n" in out and b"ERROR" not in out, "port %d: %r" % (p, out[:600]))
	EOF
'

test_done
