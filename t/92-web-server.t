#!/bin/sh
# The web server in every node (issue 9): libmicrohttpd inside the
# broker's event loop, on the port of the WebConsolePort bean of the
# jetty.xml the configuration imports; none without one; a slave's is up
# too and says that it waits; /health says which is master.
. "$(dirname "$0")/test-lib.sh"

# http NAME PATH [curl args]: the status line's code, then the body.
http() {
	n=$1 p=$2
	shift 2
	curl -s -o "$TRASH/.body" -w '%{http_code}\n' "$@" "http://127.0.0.1:$(broker_web_port "$n")$p" &&
	cat "$TRASH/.body"
}

test_expect_success 'no WebConsolePort bean: no web console, and the log says so' '
	broker_config plain && start_broker plain &&
	log_contains plain "No web console" &&
	stop_broker plain
'

test_expect_success 'the web console listens on the port jetty.xml gives' '
	WEB_PORT=auto broker_config node1 && start_broker node1 &&
	log_contains node1 "Web console at http://127.0.0.1:$(broker_web_port node1)/" &&
	http node1 /health >out &&
	test "$(head -1 out)" = 200 &&
	grep -q "^master: broker node1 is serving" out
'

test_expect_success 'an unknown path is 404, a wrong method 405' '
	http node1 /no/such/page >out && test "$(head -1 out)" = 404 &&
	http node1 /health -X DELETE >out && test "$(head -1 out)" = 405
'

test_expect_success 'the web server shares the loop: STOMP and HTTP work side by side' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/side", "hello")
	EOF
	for i in 1 2 3 4 5; do
		http node1 /health >out && test "$(head -1 out)" = 200 || exit 1
	done
'

test_expect_success '/metrics needs a login: none or a wrong password is 401' '
	http node1 /metrics >out && test "$(head -1 out)" = 401 &&
	http node1 /metrics -u admin:wrong >out && test "$(head -1 out)" = 401 &&
	log_contains node1 "Web login failed for user \[admin\] from 127.0.0.1:[0-9]*: wrong password"
'

test_expect_success '/metrics is Prometheus text: every line parses, queue depth is there' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/metered", "one")
	send(port(), "/queue/metered", "two")
	EOF
	http node1 /metrics -u admin:admin >out && test "$(head -1 out)" = 200 &&
	sed 1d out >metrics &&
	"$PYTHON" - metrics <<-\EOF &&
	import re, sys
	name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
	label = r"[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\n]|\\\\[\\\\\"n])*\""
	value = r"(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)"
	sample = re.compile(r"^(%s)(?:\{%s(?:,%s)*\})? %s$" % (name, label, label, value))
	help_ = re.compile(r"^# HELP (%s) .*$" % name)
	type_ = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % name)
	typed, seen = set(), []
	lines = open(sys.argv[1]).read().split("\n")
	assert lines[-1] == "", "the text ends with a newline"
	for l in lines[:-1]:
	    m = sample.match(l) or help_.match(l) or type_.match(l)
	    assert m, "not Prometheus text: %r" % l
	    if l.startswith("# TYPE"):
	        assert m.group(1) not in typed, "TYPE twice: " + l
	        typed.add(m.group(1))
	    elif not l.startswith("#"):
	        assert m.group(1) in typed, "a sample before its TYPE: " + l
	        if seen and seen[-1] != m.group(1):
	            assert m.group(1) not in seen, "a family in two places: " + l
	        seen.append(m.group(1))
	print(len(lines), "lines parse")
	EOF
	grep -q "^tandem_queue_size{broker=\"node1\",destination_type=\"Queue\",destination=\"metered\"} 2$" metrics &&
	grep -q "^tandem_lock_master{broker=\"node1\"} 1$" metrics &&
	grep -q "^tandem_broker_slave{broker=\"node1\"} 0$" metrics
'

test_expect_success 'every metric is documented in tandem-mgmt(7)' '
	sed -n "s/^# TYPE \([^ ]*\) .*/\1/p" metrics >names && test -s names &&
	while read -r n; do
		grep -q "$n" "$TEST_ROOT/man/tandem-mgmt.7" || { echo "$n is not in tandem-mgmt(7)"; exit 1; }
	done <names
'

STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR
test_expect_success 'a slave'"'"'s console is up, /health is 503 and says it is a slave and whose lock it waits on' '
	WEB_PORT=auto broker_config a && start_broker a &&
	WEB_PORT=auto broker_config b && start_slave b &&
	http b /health >out &&
	test "$(head -1 out)" = 503 &&
	grep -q "^slave: broker b waits for the lock $STORE_DIR/lock held by a on " out &&
	http a /health >out && test "$(head -1 out)" = 200 &&
	http b /metrics -u admin:admin >out && test "$(head -1 out)" = 200 &&
	grep -q "^tandem_broker_slave{broker=\"b\"} 1$" out &&
	grep -q "^tandem_lock_master{broker=\"b\"} 0$" out
'

test_expect_success 'when the master goes, the slave'"'"'s /health turns 200' '
	kill_broker a &&
	for i in $(seq 100); do
		http b /health >out
		test "$(head -1 out)" = 200 && break
		sleep 0.1
	done &&
	grep -q "^master: broker b" out
'

# Debian's HAProxy in front of a pair, checking /health as conf/haproxy.cfg
# does: one address, always the master.
if command -v haproxy >/dev/null 2>&1; then
	STORE_DIR=$TRASH/lbstore/kahadb
	WEB_PORT=auto broker_config lb1 && WEB_PORT=auto broker_config lb2
	LB=$(free_port)
	cat >"$TRASH/haproxy.cfg" <<-EOF
	global
	    maxconn 256
	defaults
	    mode tcp
	    timeout connect 2s
	    timeout client 1m
	    timeout server 1m
	    timeout check 1s
	    retries 3
	    option redispatch
	    option httpchk GET /health
	    http-check expect status 200
	    default-server inter 200ms fall 1 rise 1 on-marked-down shutdown-sessions
	frontend stomp
	    bind 127.0.0.1:$LB
	    default_backend masters
	backend masters
	    server lb1 127.0.0.1:$(broker_stomp_port lb1) check port $(broker_web_port lb1)
	    server lb2 127.0.0.1:$(broker_stomp_port lb2) check port $(broker_web_port lb2)
	EOF
	haproxy -f "$TRASH/haproxy.cfg" -db >"$TRASH/haproxy.log" 2>&1 &
	haproxy_pid=$!
	test_pids="$test_pids $haproxy_pid"
	export LB

	test_expect_success 'conf/haproxy.cfg is a valid HAProxy configuration' '
		haproxy -c -f "$TEST_ROOT/conf/haproxy.cfg"
	'

	test_expect_success 'through HAProxy a STOMP producer goes on across kill -9 of the master, every receipted message kept' '
		start_broker lb1 && start_slave lb2 &&
		stomp_py >producer.out 2>&1 <<-\EOF &
		import os, time, stomp
		lb = int(os.environ["LB"])
		class L(stomp.ConnectionListener):
		    def __init__(self): self.receipts = set()
		    def on_receipt(self, f): self.receipts.add(f.headers["receipt-id"])
		def connect():
		    end = time.time() + 30
		    while time.time() < end:
		        try:
		            c = stomp.Connection12([("127.0.0.1", lb)], reconnect_attempts_max=1)
		            l = L()
		            c.set_listener("l", l)
		            c.connect(wait=True)
		            return c, l
		        except Exception:
		            time.sleep(0.1)
		    raise SystemExit("no master behind HAProxy for 30 s")
		c, l = connect()
		done, reconnects = 0, 0
		while done < 200:
		    rid = "r%d" % done
		    try:
		        c.send("/queue/lb", "m%d" % done, headers={"persistent": "true", "receipt": rid})
		        end = time.time() + 5
		        while rid not in l.receipts:
		            if not c.is_connected() or time.time() > end:
		                raise ConnectionError("lost")
		            time.sleep(0.005)
		        done += 1
		        open("sent", "w").write("%d\n" % done)
		    except Exception:
		        reconnects += 1
		        try:
		            c.disconnect()
		        except Exception:
		            pass
		        c, l = connect()
		print("receipted %d, reconnects %d" % (done, reconnects))
		EOF
		ppid=$!
		for i in $(seq 300); do
			test -f sent && test "$(cat sent)" -ge 50 && break
			sleep 0.05
		done &&
		kill_broker lb1 &&
		wait $ppid && cat producer.out &&
		grep -q "^receipted 200, reconnects [1-9]" producer.out &&
		stomp_py <<-\EOF
		import os
		from tstomp import *
		c = subscriber("/queue/lb", p=int(os.environ["LB"]))
		# A message stored as the master died, unreceipted, was sent again:
		# duplicates may come, none may be missing.
		missing = set("m%d" % i for i in range(200))
		while missing:
		    missing.discard(c.wait(1)[0].body)
		EOF
	'

	test_expect_success 'HAProxy sends nothing to the slave: its backend server is down while it waits' '
		kill $haproxy_pid && wait $haproxy_pid 2>/dev/null;
		grep -q "lb2 is DOWN" "$TRASH/haproxy.log" && grep -q "lb1 is DOWN" "$TRASH/haproxy.log" &&
		grep -q "lb2 is UP" "$TRASH/haproxy.log"
	'
else
	test_skip 'HAProxy in front of a pair' 'no haproxy (apt-get install haproxy)'
fi

test_done
