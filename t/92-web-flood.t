#!/bin/sh
# The web server under a flood of slow clients (issue 16, point 8): every
# connection must send a whole request within webConsoleTimeout, the
# oldest waiting one makes room when the server nears its connection
# limit, so /health answers during the flood, and the console answers at
# once after it (it used to stop accepting, sometimes for good).
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto broker_config node1 &&
sed -i 's|createConnector="false"/>|createConnector="false" webConsoleTimeout="1500"/>|' \
	"$TRASH/node1/broker.xml" &&
start_broker node1 || exit 1
WEB=$(broker_web_port node1)
export WEB

# flood CYCLES CONNS ADDRESSES: each cycle holds CONNS connections spread
# over 127.0.0.2 and up, each sending its request line a byte at a time
# and reconnecting as soon as the server closes it, as a slowloris does;
# /health (from 127.0.0.1) must answer throughout, and the console
# (/login) right after the slow clients go.
flood() {
	"$PYTHON" - "$@" <<-\EOF
	import sys, time
	from tflood import *
	cycles, conns, addrs = map(int, sys.argv[1:4])
	line = b"GET /queues?slowly HTTP/1.1\r\nHost: x\r\n"
	for cycle in range(cycles):
	    socks = many(conns, addrs, blocking=False)
	    redialed = 0
	    for tick in range(9):
	        for i, s in enumerate(socks):
	            if not alive(s):
	                s.close()
	                socks[i] = s = dial(i, addrs)
	                redialed += 1
	            try:
	                s.send(line[tick % len(line):tick % len(line) + 1])
	            except OSError:
	                pass
	        if tick % 3 == 2:
	            status = get("/health")
	            if status != 200:
	                sys.exit("cycle %d, %.1f s into the flood: /health answered %r"
	                         % (cycle, tick * 0.25, status))
	        time.sleep(0.25)
	    close_all(socks)
	    status = get("/login")
	    if status != 200:
	        sys.exit("cycle %d: after the flood the console answered %r" % (cycle, status))
	    print("cycle %d: %d slow connections, %d redialed; /health and /login answered"
	          % (cycle, conns, redialed))
	EOF
}

test_expect_success '300 slow connections from 5 addresses: /health answers during the flood, the console right after; four times' '
	flood 4 300 5
'

test_expect_success 'more slow connections than the server has slots (600 from 10 addresses): newcomers still get in' '
	flood 2 600 10 &&
	log_waits_for node1 "web connections that sent no whole request within 1500 ms, and [1-9][0-9]* waiting ones to keep room"
'

test_expect_success 'a connection that never finishes its request is closed after webConsoleTimeout' '
	"$PYTHON" - <<-\EOF &&
	import time
	from tflood import *
	s = dial(0, 1, blocking=True)
	s.settimeout(0.5)
	end = time.time() + 30
	while time.time() < end:
	    try:
	        s.send(b"G")
	        if s.recv(100) == b"":
	            break
	    except TimeoutError:
	        continue
	    except OSError:
	        break
	else:
	    raise SystemExit("still open after 30 s")
	EOF
	test "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$WEB/health")" = 200
'

test_expect_success 'more silent connections at once than the server has slots: closed in time, then it accepts again at once' '
	"$PYTHON" - <<-\EOF
	from tflood import *
	socks = many(530, 10)
	closed = closed_by_server(socks)
	close_all(socks)
	status = get("/health")
	print("%d of 530 silent connections closed by the server; then /health: %r" % (closed, status))
	if closed != 530 or status != 200:
	    raise SystemExit("silent connections were left open, or the server stopped accepting")
	EOF
'

test_expect_success 'a burst of silent connections taking every slot: /health gets in long before their 60 s deadline' '
	WEB_PORT=auto broker_config node2 &&
	sed -i "s|createConnector=\"false\"/>|createConnector=\"false\" webConsoleTimeout=\"60000\"/>|" \
		"$TRASH/node2/broker.xml" &&
	start_broker node2 &&
	WEB=$(broker_web_port node2) "$PYTHON" - <<-\EOF &&
	from tflood import *
	socks = many(560, 10)
	status = get("/health", timeout=20)
	close_all(socks)
	after = get("/login")
	print("/health during the burst: %r, /login after it: %r" % (status, after))
	if status != 200 or after != 200:
	    raise SystemExit("refused")
	EOF
	stop_broker node2
'

test_expect_success 'as many long-polling GETs as the server has slots are all served, and it accepts again at once' '
	"$PYTHON" - <<-\EOF
	import base64
	from tflood import *
	auth = base64.b64encode(b"admin:admin").decode()
	req = ("GET /api/message/polled?type=queue&readTimeout=2000 HTTP/1.1\r\nHost: x\r\n"
	       "Authorization: Basic %s\r\nConnection: close\r\n\r\n" % auth).encode()
	socks = many(530, 10)
	for s in socks:
	    s.sendall(req)
	answered = 0
	for s in socks:
	    s.settimeout(30)
	    try:
	        answered += s.recv(100).startswith(b"HTTP/1.1 204")
	    except OSError:
	        pass
	close_all(socks)
	status = get("/health")
	print("%d of 530 long polls answered 204; then /health: %r" % (answered, status))
	if status != 200 or answered != 530:
	    raise SystemExit("not every long poll was served, or the server stopped accepting")
	EOF
'

test_done
