#!/bin/sh
# A bridge to a host name: the name is looked up off the event loop, so a
# slow or broken DNS never holds up the broker's clients; a name forwards
# as an address does; a name that cannot resolve is said once and tried
# again; a bridge that gives up, or a broker that stops, while its name is
# being looked up, leaves nothing behind.
. "$(dirname "$0")/test-lib.sh"

# bridge_to NAME ENTRY [ATTRS]: NAME's config with a bridge to ENTRY (a
# URI), with ATTRS on its networkConnector.
bridge_to() {
	BROKER_EXTRA="<networkConnectors><networkConnector name=\"net\"
	  uri=\"static:($2)\" ${3:-}/></networkConnectors>" broker_config "$1"
}

# served NAME: a client of NAME sends on its tcp:// connector and receives
# on its stomp:// one, each step within 10 s (a socket timeout, not a
# measurement: a broker frozen in a lookup answers nothing).
served() {
	PORT=$(broker_port "$1") SPORT=$(broker_stomp_port "$1") stomp_py <<-\EOF
	import os, socket
	from tstomp import *
	def talk(p, frames, until):
	    s = socket.create_connection(("127.0.0.1", p), timeout=10)
	    s.sendall(frames)
	    got = b""
	    try:
	        while until not in got:
	            chunk = s.recv(65536)
	            if not chunk:
	                break
	            got += chunk
	    except socket.timeout:
	        fail("no answer in 10 s; got %r" % got)
	    s.close()
	    return got
	got = talk(int(os.environ["PORT"]), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0"
	           b"SEND\ndestination:/queue/resolve.q\nreceipt:r1\n\nhello\0", b"RECEIPT")
	check(b"receipt-id:r1" in got, "SEND receipted on tcp://: %r" % got)
	got = talk(int(os.environ["SPORT"]), b"CONNECT\naccept-version:1.2\nhost:x\n\n\0"
	           b"SUBSCRIBE\ndestination:/queue/resolve.q\nid:1\n\n\0", b"hello\0")
	check(b"MESSAGE" in got and b"hello" in got, "MESSAGE on stomp://: %r" % got)
	EOF
}

MGMT_PORT=auto
mkdir -p b && free_port >b/port && broker_config b && start_broker b || exit 1
BP=$(broker_port b)

# failures_reach NAME N: until NAME's bridge has failed N times (20 s).
failures_reach() {
	for i in $(seq 200); do
		ctl --node 127.0.0.1:$(broker_mgmt_port "$1") --json network --interval 0 >net.json &&
		json_true "rows[0][\"Failures\"] >= $2" net.json >/dev/null && return 0
		sleep 0.1
	done
	json_true "rows[0][\"Failures\"] >= $2" net.json
}

test_expect_success 'a bridge to localhost:PORT (a name) forwards as one to an address does' '
	bridge_to a "tcp://localhost:$BP" &&
	start_broker a &&
	log_waits_for a "Network connection between a and b" &&
	PORT=$BP stomp_py <<-\EOF
	import os, time
	from tstomp import *
	c = subscriber("/queue/resolve.fwd")
	for i in range(100):   # the demand reaches a in a moment
	    if "resolve.fwd" in open(os.environ["TRASH"] + "/a/log").read():
	        break
	    time.sleep(0.05)
	send(port("a"), "/queue/resolve.fwd", "by name")
	check(c.wait_bodies(1) == ["by name"], "forwarded to b")
	EOF
'

test_expect_success 'a duplex bridge by name opens its connection back by name' '
	bridge_to g "tcp://localhost:$BP" "duplex=\"true\"" &&
	start_broker g &&
	log_waits_for g "Bridge tcp://localhost:$BP: duplex connection to localhost:$BP open" &&
	log_waits_for b "Broker g at .* opened a duplex bridge"
'

test_expect_success 'a name that cannot resolve: said once, tried again, the broker serves' '
	bridge_to c "tcp://no-such-host.invalid:$BP" &&
	start_broker c &&
	failures_reach c 3 &&
	n=$(grep -c "WARN.*Bridge tcp://no-such-host.invalid.*cannot resolve no-such-host.invalid:$BP.*retrying" c/log) &&
	test "$n" = 1 &&
	json_true "rows[0][\"State\"] in (\"backing off\", \"connecting\")" net.json &&
	served c
'

# The shim's getaddrinfo (t/lib/slow_getaddrinfo.c) holds slow.tandem.test
# until the file "release" exists: a DNS server slow on cue.
SHIM=$TRASH/slow_getaddrinfo.so
cc -shared -fPIC -o "$SHIM" "$TEST_ROOT/t/lib/slow_getaddrinfo.c" -ldl 2>shim.err || SHIM=
test_expect_success 'while a bridge waits for a slow DNS answer, clients are served' '
	test -n "$SHIM" &&
	bridge_to d "tcp://slow.tandem.test:$BP" &&
	LD_PRELOAD=$SHIM TANDEM_TEST_SLOW_NAME=slow.tandem.test \
	TANDEM_TEST_SLOW_RELEASE=$TRASH/release \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" start_broker d &&
	served d &&
	ctl --node 127.0.0.1:$(broker_mgmt_port d) --json network --interval 0 >net.json &&
	json_true "rows[0][\"State\"] == \"connecting\"" net.json &&
	touch release &&
	log_waits_for d "Network connection between d and b"
'
touch release	# whatever the test above did: d must be able to stop

test_expect_success 'connectionTimeout passes while the name is looked up: the bridge retries, the late answers are dropped' '
	bridge_to e "tcp://localhost:$BP?connectionTimeout=200" &&
	TANDEM_TEST_RESOLVE_DELAY_MS=500 start_broker e &&
	failures_reach e 4 &&
	log_contains e "Bridge tcp://localhost:$BP?connectionTimeout=200: no answer from localhost:$BP in 200 ms" &&
	n=$(grep -c "WARN.*Bridge tcp://localhost" e/log) &&
	test "$n" = 1 &&
	served e
'

test_expect_success 'a broker stops while a bridge name is being looked up' '
	bridge_to f "tcp://localhost:$BP" &&
	TANDEM_TEST_RESOLVE_DELAY_MS=300000 start_broker f &&
	ctl --node 127.0.0.1:$(broker_mgmt_port f) --json network --interval 0 >net.json &&
	json_true "rows[0][\"State\"] == \"connecting\"" net.json &&
	stop_broker f
'

test_done
