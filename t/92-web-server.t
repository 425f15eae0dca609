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

STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR
test_expect_success 'a slave'"'"'s console is up, /health is 503 and says it is a slave and whose lock it waits on' '
	WEB_PORT=auto broker_config a && start_broker a &&
	WEB_PORT=auto broker_config b && start_slave b &&
	http b /health >out &&
	test "$(head -1 out)" = 503 &&
	grep -q "^slave: broker b waits for the lock $STORE_DIR/lock held by a on " out &&
	http a /health >out && test "$(head -1 out)" = 200
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

test_done
