#!/bin/sh
# The management socket against guessers, idlers and other local users
# (issue 16, points 9 and 10): failed logins wait their address's turn and
# are logged as a summary; idle connections close, and 64 of them do not
# lock the operator out; without users, only the broker's own uid and root
# may change anything (over TCP from this host, or the unix socket, mode
# 0600), anyone else only reads, and the start says so loudly.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="ops" password="right" groups="admins"/>
</users></simpleAuthenticationPlugin></plugins>' broker_config guarded &&
sed -i 's|<managementContext connectorPort|<managementContext loginFailureDelay="300" loginTimeout="500" idleTimeout="800" connectorPort|' guarded/broker.xml &&
start_broker guarded || exit 1
GSOCK=$TRASH/guarded/data/mgmt-guarded.sock

cat >guard.py <<'PYEOF'
import json, os, select, socket, time
from tstomp import check
from tmgmt import Mgmt

PORT = int(open("guarded/mgmt_port").read())

def tcp():
    return Mgmt(PORT)

def unix():
    m = Mgmt.__new__(Mgmt)
    m.sock = socket.socket(socket.AF_UNIX)
    m.sock.settimeout(15)
    m.sock.connect(os.environ["GSOCK"])
    m.f = m.sock.makefile("rwb")
    return m

def guess(m, password="wrong"):
    return m.req({"type": "login", "user": "ops", "password": password})
PYEOF
export GSOCK

test_expect_success 'the first failed logins are answered at once, then each waits its turn' '
	stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from guard import *
	for i in range(3):
	    check(guess(tcp())["status"] == 401, "guess %d" % i)
	t0 = time.time()
	r = guess(tcp())
	waited = time.time() - t0
	check(r["status"] == 401, r)
	# loginFailureDelay is 300 ms; a loop timer never fires early.
	check(waited >= 0.25, "the 4th failure was answered after %.3f s" % waited)
	EOF
'

test_expect_success 'guessing on many connections at once buys nothing: far turns are refused at once' '
	stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from guard import *
	socks = []
	for i in range(20):
	    m = tcp()
	    m.send_line(json.dumps({"type": "login", "user": "ops", "password": "w%d" % i}))
	    socks.append(m)
	answers = {}
	end = time.time() + 2
	while time.time() < end and len(answers) < len(socks):
	    ready, _, _ = select.select([m.sock for m in socks if m.sock not in answers], [], [],
	                                max(0, end - time.time()))
	    for s in ready:
	        m = next(x for x in socks if x.sock is s)
	        answers[s] = m.line()
	statuses = [a["status"] for a in answers.values() if a]
	check(200 not in statuses, statuses)
	check(statuses.count(429) >= 10, "refused at once: %r" % statuses)
	# Turns 300, 900, 2100 ms ahead: within 2 s, two at most were checked.
	check(statuses.count(401) <= 2, "answered within 2 s: %r" % statuses)
	refused = [a for a in answers.values() if a and a["status"] == 429]
	check("Too many failed logins" in refused[0]["error"], refused[0])
	for m in socks:
	    m.close()
	EOF
'

test_expect_success 'the owner logs in through the unix socket meanwhile: turns are per address' '
	stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from guard import *
	m = unix()
	check(guess(m, "right")["status"] == 200, "logged in")
	check(m.ok({"type": "version"}), "served")
	EOF
'

test_expect_success 'a connection that never logs in is closed after loginTimeout' '
	stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from guard import *
	m = tcp()
	check(m.closed(), "closed")
	EOF
'

test_expect_success 'a logged-in connection closes when idle, not while it watches' '
	stomp_py <<-\EOF
	import sys; sys.path.insert(0, ".")
	from guard import *
	idle, watching = unix(), unix()
	for m in (idle, watching):
	    check(guess(m, "right")["status"] == 200, "logged in")
	w = watching.req({"type": "watch", "mbean": "org.apache.activemq:type=Broker,*",
	                  "attribute": "BrokerName", "interval": 200})
	check(w["status"] == 200, w)
	check(idle.closed(), "the idle one is closed")
	for i in range(10):
	    check(watching.line().get("watch") == w["watch"], "snapshots keep coming")
	check(watching.req({"type": "unwatch", "watch": w["watch"]})["status"] == 200, "still served")
	EOF
'

test_expect_success 'failures are logged once, then summed up (said at stop at the latest)' '
	stop_broker guarded &&
	test "$(grep -c "Management login failed for user" guarded/log)" = 1 &&
	grep "failed management logins from 127.0.0.1 in the last" guarded/log &&
	! grep -qi "login.*from 127.0.0.1:[0-9]" guarded/log
'

# A broker without users, its management socket on loopback as usual.
MGMT_PORT=auto broker_config open && start_broker open || exit 1
OSOCK=$TRASH/open/data/mgmt-open.sock
M=127.0.0.1:$(broker_mgmt_port open)
Q='org.apache.activemq:type=Broker,brokerName=open,destinationType=Queue,destinationName=jobs'

test_expect_success 'without users the start says loudly who may do what' '
	grep "WARN.*THE MANAGEMENT SOCKET HAS NO USERS.*uid 0 (this broker.s) and root may do everything" open/log &&
	grep -q "mgmt-open.sock" open/log &&
	test "$(stat -c %a "$OSOCK")" = 600
'

test_expect_success 'setup: jobs holds a message' '
	PORT=$(broker_port open) stomp_py <<-\EOF
	from tstomp import *
	send_on(client(), "/queue/jobs", "job body")
	EOF
'

# as_nobody: runs a Python script (stdin) as uid 65534, with MPORT and Q.
as_nobody() {
	MPORT=$(broker_mgmt_port open) Q=$Q OSOCK=$OSOCK \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON" -
}

cat >nobody.py <<'PYEOF'
import json, os, socket, sys

def connect():
    s = socket.create_connection(("127.0.0.1", int(os.environ["MPORT"])), timeout=15)
    return s.makefile("rwb")

def send(f, r):
    f.write(json.dumps(r).encode() + b"\n")
    f.flush()

def req(f, r):
    send(f, r)
    return json.loads(f.readline())

def must(cond, what):
    if not cond:
        print(str(what)[:300])
        sys.exit(1)
PYEOF

test_expect_success 'another local user reads, but may not purge, browse or stop, and is told how to get access' '
	as_nobody <<-\EOF
	import json, os, socket, sys
	s = socket.create_connection(("127.0.0.1", int(os.environ["MPORT"])), timeout=15)
	f = s.makefile("rwb")
	def req(r):
	    f.write(json.dumps(r).encode() + b"\n"); f.flush()
	    return json.loads(f.readline())
	def must(cond, what):
	    if not cond:
	        print(what); sys.exit(1)
	q = os.environ["Q"]
	r = req({"type": "read", "mbean": q, "attribute": "QueueSize"})
	must(r["status"] == 200 and r["value"] == 1, r)
	for op in ("purge", "browse"):
	    r = req({"type": "exec", "mbean": q, "operation": op})
	    must(r["status"] == 403 and "read-only access" in r["error"] and "--node" in r["error"], r)
	    must("job body" not in json.dumps(r), r)
	r = req({"type": "exec", "mbean": "org.apache.activemq:type=Broker,brokerName=open",
	         "operation": "stop"})
	must(r["status"] == 403 and "User uid 65534 is not authorized" in r["error"], r)
	r = req({"type": "write", "mbean": q, "attribute": "MemoryLimit", "value": 5})
	must(r["status"] == 403, r)
	try:
	    u = socket.socket(socket.AF_UNIX)
	    u.connect(os.environ["OSOCK"])
	    must(False, "nobody opened the unix socket")
	except PermissionError:
	    pass
	EOF
'

test_expect_success 'a stranger repeating a refused request does not fill the log' '
	before=$(grep -c "User uid 65534 is not authorized" open/log) &&
	as_nobody <<-\EOF &&
	from nobody import *
	f = connect()
	r = req(f, [{"type": "exec", "mbean": os.environ["Q"], "operation": "purge"}] * 3000)
	must(len(r) == 3000 and all(x["status"] == 403 for x in r), len(r))
	r = req(f, {"type": "exec", "mbean": os.environ["Q"], "operation": "browse"})
	must(r["status"] == 403, r)
	EOF
	after=$(grep -c "User uid 65534 is not authorized" open/log) &&
	test $((after - before)) -le 100 &&
	log_waits_for open "more refusals in the last second were not logged"
'

test_expect_success 'a stranger that closes before it is accepted is no root (its socket in TIME_WAIT says uid 0)' '
	as_nobody <<-\EOF &&
	import json, os, socket
	line = json.dumps({"type": "exec", "mbean": os.environ["Q"], "operation": "purge"}) + "\n"
	for i in range(300):
	    s = socket.create_connection(("127.0.0.1", int(os.environ["MPORT"])), timeout=15)
	    s.sendall(line.encode())
	    s.close()
	EOF
	sleep 1 &&
	ctl --node "$OSOCK" --json browse jobs >out.json &&
	grep -q "job body" out.json
'

test_expect_success 'a watch of a huge interval does not fire at once (no overflow), nor a negative one' '
	as_nobody <<-\EOF
	from nobody import *
	f = connect()
	for interval in (2**63 - 1, 2**62, -2**63):
	    r = req(f, {"type": "watch", "mbean": os.environ["Q"], "attribute": "QueueSize",
	                "interval": interval})
	    must(r["status"] == 200 and "watch" in r, r)
	    send(f, {"type": "unwatch", "watch": r["watch"]})
	    snapshots = 0
	    while True:
	        line = json.loads(f.readline())
	        if "request" in line:
	            break
	        snapshots += 1
	    must(line["status"] == 200, line)
	    must(snapshots <= 1 if interval < 0 else snapshots == 0,
	         "%d snapshots at once for interval %d" % (snapshots, interval))
	EOF
'

test_expect_success 'a watch of a megabyte of patterns is refused: 16 per connection would pin 30 MB' '
	as_nobody <<-\EOF
	from nobody import *
	f = connect()
	pats = [os.environ["Q"] + "%06d" % i for i in range(10000)]
	r = req(f, {"type": "watch", "mbean": pats, "interval": 86400000})
	must(r["status"] == 400 and "at most" in r["error"], r)
	r = req(f, {"type": "watch", "mbean": pats[:50], "attribute": ["QueueSize"] * 20})
	must(r["status"] == 200, r)
	EOF
'

test_expect_success '64 connections of 16 watches each over 2,000 queues do not hold the loop' '
	stomp_py <<-\EOF
	import os, socket, threading, time
	from tmgmt import Mgmt
	P = int(open("open/mgmt_port").read())
	u = Mgmt.__new__(Mgmt)
	u.sock = socket.socket(socket.AF_UNIX)
	u.sock.settimeout(15)
	u.sock.connect(os.path.join(os.environ["TRASH"], "open/data/mgmt-open.sock"))
	u.f = u.sock.makefile("rwb")
	b = "org.apache.activemq:type=Broker,brokerName=open"
	for k in range(0, 2000, 500):
	    u.req([{"type": "exec", "mbean": b, "operation": "addQueue",
	            "arguments": ["w%05d" % i]} for i in range(k, k + 500)])
	stop, watching = [], []
	def watcher():
	    m = Mgmt(P)
	    for i in range(16):
	        r = m.req({"type": "watch", "mbean": b + ",destinationType=Queue,*", "interval": 100})
	        while r and "request" not in r:	# a snapshot of an earlier watch
	            r = m.line()
	        if not r or r["status"] != 200:
	            return	# a slow build: counted as not watching below
	    watching.append(1)
	    while not stop:
	        m.line()
	    m.close()
	d0 = u.read(b, "ManagementWorkDeferred")
	threads = [threading.Thread(target=watcher, daemon=True) for i in range(64)]
	for t in threads:
	    t.start()
	end = time.time() + 60
	while len(watching) < 64 and time.time() < end:
	    time.sleep(0.1)
	time.sleep(2)
	deferred = u.read(b, "ManagementWorkDeferred") - d0
	stop.append(1)
	for t in threads:
	    t.join(15)
	# A slow build may not get them all going: half show the stall too.
	assert len(watching) >= 32, "%d connections watching" % len(watching)
	# Each watch alone is bounded to about 3 ms; all of them share a few
	# ms of each turn, the rest left for the next. Before, one turn did
	# all 1,024 snapshots (1.5 s): nothing was ever left for later.
	assert deferred > 0, "every snapshot done in the turn it fell due"
	u.req([{"type": "exec", "mbean": b, "operation": "removeQueue",
	        "arguments": ["w%05d" % i]} for i in range(2000)])
	EOF
'

test_expect_success 'a bulk of 8,000 reads is answered whole, over many turns of the loop' '
	stomp_py <<-\EOF
	from tmgmt import Mgmt
	m = Mgmt(int(open("open/mgmt_port").read()))
	b = "org.apache.activemq:type=Broker,brokerName=open"
	q = b + ",destinationType=Queue,destinationName=jobs"
	r = m.req([{"type": "read", "mbean": q}] * 7999 + [{"type": "version"}])
	assert len(r) == 8000 and all(x["status"] == 200 for x in r), len(r)
	assert r[0]["value"]["Name"] == "jobs" and "agent" in r[-1]["value"], r[-1]
	# How long it holds the loop (0.4 to 0.7 s when answered at once) is
	# measured by t/bench/bigreads, not asserted here: a timing check
	# failed under asan on a loaded machine.
	EOF
'

test_expect_success 'the owner (root here) may do everything, over TCP and through the unix socket' '
	ctl --node "$M" --json browse jobs >out.json &&
	grep -q "job body" out.json &&
	ctl --node "$OSOCK" purge jobs >out &&
	grep -q 1 out &&
	ctl --node "$OSOCK" --json browse jobs >out.json &&
	! grep -q "job body" out.json
'

test_expect_success '64 idle connections do not lock tandemctl out' '
	stomp_py <<-\EOF &
	import os, time
	from tmgmt import Mgmt
	held = [Mgmt(int(open("open/mgmt_port").read())) for i in range(64)]
	open("held", "w").close()
	time.sleep(30)
	EOF
	idler=$! &&
	for i in $(seq 100); do [ -f held ] && break; sleep 0.1; done &&
	ctl --node "$M" bstat >out && grep -q open out &&
	ctl --node "$M" bstat >out && grep -q open out &&
	kill $idler && log_contains open "64 management connections are open: closed"
'

test_expect_success '64 watching connections on TCP: the unix socket still lets the operator in' '
	stomp_py <<-\EOF &
	import time
	from tmgmt import Mgmt
	held = [Mgmt(int(open("open/mgmt_port").read())) for i in range(64)]
	for m in held:
	    m.req({"type": "watch", "mbean": "org.apache.activemq:type=Broker,*",
	           "attribute": "BrokerName", "interval": 5000})
	open("watching", "w").close()
	time.sleep(30)
	EOF
	watcher=$! &&
	for i in $(seq 100); do [ -f watching ] && break; sleep 0.1; done &&
	! ctl --node "$M" bstat >out 2>&1 &&
	ctl --node "$OSOCK" bstat >out && grep -q open out &&
	kill $watcher
'

# A careless connectorSocket: an existing file, then a path longer than a
# unix socket's (108 bytes), whose first 107 name another file.
echo "keep me" >precious
long=$TRASH/$(printf 'l%.0s' $(seq 120))
mkdir -p "$(dirname "$long")" && echo "keep me too" >"$(printf %.107s "$long")"
MGMT_PORT=auto broker_config careless &&
sed -i "s|<managementContext connectorPort|<managementContext connectorSocket=\"$TRASH/precious\" connectorPort|" \
	careless/broker.xml && start_broker careless || exit 1

test_expect_success 'a connectorSocket naming a file that is no socket leaves it alone, and says so' '
	test "$(cat precious)" = "keep me" &&
	log_contains careless "precious exists and is not a socket" &&
	ctl --node "127.0.0.1:$(broker_mgmt_port careless)" bstat >out && grep -q careless out
'

test_expect_success 'a connectorSocket too long for a unix socket is refused, not cut short' '
	stop_broker careless &&
	sed -i "s|connectorSocket=\"[^\"]*\"|connectorSocket=\"$long\"|" careless/broker.xml &&
	start_broker careless &&
	test "$(cat "$(printf %.107s "$long")")" = "keep me too" &&
	log_contains careless "too long" &&
	stop_broker careless
'

test_done
