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
	import os, socket, sys, time, http.client
	cycles, conns, addrs = map(int, sys.argv[1:4])
	web = int(os.environ["WEB"])
	line = b"GET /queues?slowly HTTP/1.1\r\nHost: x\r\n"

	def dial(i):
	    s = socket.socket()
	    s.bind(("127.0.0.%d" % (2 + i % addrs), 0))
	    s.setblocking(False)
	    try:
	        s.connect(("127.0.0.1", web))
	    except BlockingIOError:
	        pass
	    return s

	def alive(s):
	    try:
	        return s.recv(1, socket.MSG_DONTWAIT) != b""
	    except BlockingIOError:
	        return True
	    except OSError:
	        return False

	def get(path):
	    c = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
	    try:
	        c.request("GET", path)
	        return c.getresponse().status
	    except OSError as e:
	        return repr(e)
	    finally:
	        c.close()

	for cycle in range(cycles):
	    socks = [dial(i) for i in range(conns)]
	    redialed = 0
	    for tick in range(9):
	        for i, s in enumerate(socks):
	            if not alive(s):
	                s.close()
	                socks[i] = s = dial(i)
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
	    for s in socks:
	        s.close()
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
	import os, socket, time
	s = socket.create_connection(("127.0.0.1", int(os.environ["WEB"])))
	s.settimeout(0.5)
	end = time.time() + 30
	while time.time() < end:
	    try:
	        s.send(b"G")
	        if s.recv(100) == b"":
	            break
	    except socket.timeout:
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
	import os, socket, time, http.client
	web = int(os.environ["WEB"])
	socks = []
	for i in range(530):
	    s = socket.socket()
	    s.bind(("127.0.0.%d" % (2 + i % 10), 0))
	    s.connect(("127.0.0.1", web))
	    socks.append(s)
	closed = 0
	for s in socks:
	    s.settimeout(30)
	    try:
	        closed += s.recv(100) == b""
	    except OSError:
	        closed += 1
	    s.close()
	c = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
	try:
	    c.request("GET", "/health")
	    status = c.getresponse().status
	except OSError as e:
	    status = repr(e)
	print("%d of 530 silent connections closed by the server; then /health: %r" % (closed, status))
	if status != 200:
	    raise SystemExit("the server stopped accepting")
	EOF
'

test_expect_success 'a burst of silent connections taking every slot: /health gets in long before their 60 s deadline' '
	WEB_PORT=auto broker_config node2 &&
	sed -i "s|createConnector=\"false\"/>|createConnector=\"false\" webConsoleTimeout=\"60000\"/>|" \
		"$TRASH/node2/broker.xml" &&
	start_broker node2 &&
	WEB=$(broker_web_port node2) "$PYTHON" - <<-\EOF &&
	import os, socket, time, http.client
	web = int(os.environ["WEB"])
	socks = []
	for i in range(560):
	    s = socket.socket()
	    s.bind(("127.0.0.%d" % (2 + i % 10), 0))
	    s.connect(("127.0.0.1", web))
	    socks.append(s)
	def get(path):
	    c = http.client.HTTPConnection("127.0.0.1", web, timeout=20)
	    try:
	        c.request("GET", path)
	        return c.getresponse().status
	    except OSError as e:
	        return repr(e)
	    finally:
	        c.close()
	status = get("/health")
	for s in socks:
	    s.close()
	after = get("/login")
	print("/health during the burst: %r, /login after it: %r" % (status, after))
	if status != 200 or after != 200:
	    raise SystemExit("refused")
	EOF
	stop_broker node2
'

test_expect_success 'as many long-polling GETs as the server has slots are all served, and it accepts again at once' '
	"$PYTHON" - <<-\EOF
	import base64, os, socket, time, http.client
	web = int(os.environ["WEB"])
	auth = base64.b64encode(b"admin:admin").decode()
	req = ("GET /api/message/polled?type=queue&readTimeout=2000 HTTP/1.1\r\nHost: x\r\n"
	       "Authorization: Basic %s\r\nConnection: close\r\n\r\n" % auth).encode()
	socks = []
	for i in range(530):
	    s = socket.socket()
	    s.bind(("127.0.0.%d" % (2 + i % 10), 0))
	    s.connect(("127.0.0.1", web))
	    s.sendall(req)
	    socks.append(s)
	answered = 0
	for s in socks:
	    s.settimeout(30)
	    try:
	        if s.recv(100).startswith(b"HTTP/1.1 204"):
	            answered += 1
	    except OSError:
	        pass
	    s.close()
	c = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
	try:
	    c.request("GET", "/health")
	    status = c.getresponse().status
	except OSError as e:
	    status = repr(e)
	print("%d of 530 long polls answered 204; then /health: %r" % (answered, status))
	if status != 200 or answered != 530:
	    raise SystemExit("not every long poll was served, or the server stopped accepting")
	EOF
'

test_done
