#!/bin/sh
# A topic message's MESSAGE frame is encoded once and shared by its
# subscribers (broker/stomp/stomp_message.c, issue 23 point 4): what each
# subscriber reads must still be its own: its subscription and ack ids,
# its STOMP version's escaping, its connection's name for a temporary
# destination and for a reply-to. Raw
# bytes (t/lib/tframes.py) to see exactly what the broker wrote.
. "$(dirname "$0")/test-lib.sh"

broker_config node1 && start_broker node1 || exit 1
TP=$(broker_port node1)
SP=$(broker_stomp_port node1)

py() {
	PORT=$TP STOMP_PORT=$SP TRASH=$TRASH "$PYTHON" - "$@"
}

test_expect_success 'subscribers on STOMP 1.0, 1.1 and 1.2 each get a header with ":" and a line feed escaped as their version says, with their own subscription and ack ids' '
	py <<-\EOF
	from tframes import *
	p = ports()[0]
	subs = {}
	for v in ("1.0", "1.1", "1.2"):
	    s = Raw(p, b"CONNECT\naccept-version:%s\nhost:x\n\n\0" % v.encode())
	    s.receipted(b"SUBSCRIBE\nid:sub-%s\ndestination:/topic/fan.esc\nreceipt:r\n\n\0"
	                % v.encode(), "r")
	    subs[v] = s
	pub = Raw(p, b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	for i in range(3):
	    pub.receipted(b"SEND\ndestination:/topic/fan.esc\nk:a\\cb\\nc\\\\d\nreceipt:s%d\n\nbody %d\0"
	                  % (i, i), "s%d" % i)
	want = {"1.0": "a:b\\nc\\d", "1.1": "a\\cb\\nc\\\\d", "1.2": "a\\cb\\nc\\\\d"}
	for v, s in subs.items():
	    for i in range(3):
	        f = s.expect("MESSAGE")
	        check(f.body == b"body %d" % i, (v, f))
	        check(f.headers.get("subscription") == "sub-" + v, (v, f))
	        check(f.headers.get("destination") == "/topic/fan.esc", (v, f))
	        # the raw value as written (tframes does not unescape)
	        check(f.headers.get("k") == want[v], (v, f.headers))
	        check(("ack" in f.headers) == (v == "1.2"), (v, f.headers))
	        check("redelivered" not in f.headers, (v, f.headers))
	EOF
'

test_expect_success 'a reply-to naming a temporary topic reads as /temp-topic/NAME to its owner and /remote-temp-topic/REAL to another subscriber of the same message' '
	py <<-\EOF
	from tframes import *
	p = ports()[0]
	owner = Raw(p, b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	other = Raw(p, b"CONNECT\naccept-version:1.2\nhost:x\n\n\0")
	owner.receipted(b"SUBSCRIBE\nid:o\ndestination:/temp-topic/t1\nreceipt:r1\n\n\0", "r1")
	owner.receipted(b"SUBSCRIBE\nid:mine\ndestination:/topic/fan.probe\nreceipt:r2\n\n\0", "r2")
	other.receipted(b"SUBSCRIBE\nid:theirs\ndestination:/topic/fan.probe\nreceipt:r3\n\n\0", "r3")
	for i in range(3):
	    owner.send(b"SEND\ndestination:/topic/fan.probe\nreply-to:/temp-topic/t1\n\nprobe %d\0" % i)
	for i in range(3):
	    mine = owner.expect("MESSAGE")
	    theirs = other.expect("MESSAGE")
	    check(mine.body == theirs.body == b"probe %d" % i, (mine, theirs))
	    check(mine.headers.get("reply-to") == "/temp-topic/t1", mine)
	    check(theirs.headers.get("reply-to", "").startswith("/remote-temp-topic/ID"), theirs)
	    check(mine.headers.get("subscription") == "mine", mine)
	    check(theirs.headers.get("subscription") == "theirs", theirs)
	    check(mine.headers.get("ack") != theirs.headers.get("ack"), (mine, theirs))
	# the other one replies to what it read: the owner gets it
	real = theirs.headers["reply-to"].encode()
	other.receipted(b"SEND\ndestination:%s\nreceipt:s\n\nreply\0" % real, "s")
	f = owner.expect("MESSAGE")
	check(f.body == b"reply" and f.headers.get("destination") == "/temp-topic/t1", f)
	EOF
'

test_done
