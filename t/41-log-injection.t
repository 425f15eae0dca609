#!/bin/sh
# What clients choose (login names, client ids) reaches the log escaped
# (issue 16, point 12): a newline, a carriage return or a terminal's escape
# sequence in a name writes \n, \r, \xNN, never a second, forged log line
# or a control sequence to the operator's terminal. One place does it
# (broker/common/log.c), so every line is covered; these are the names a client
# can choose before any login.
. "$(dirname "$0")/test-lib.sh"

FORGED='2026-01-01 00:00:00,000 | INFO  | forged line | broker'

# no_forged_line NAME: no line of NAME's log begins with the forged text,
# and no raw ESC or CR is in it.
no_forged_line() {
	! grep -q "^2026-01-01 00:00:00,000" "$TRASH/$1/log" &&
	! grep -q "$(printf '[\033\r]')" "$TRASH/$1/log" || {
		echo "the log of $1 has a forged line or a raw control character:"
		cat -A "$TRASH/$1/log" | tail -n 20
		return 1
	}
}

test_expect_success 'a broker with users, MQTT and the management socket' '
	BROKER_EXTRA=$NETWORK_USERS MGMT_PORT=auto MQTT_OPTIONS= broker_config node1 &&
	start_broker node1
'

test_expect_success 'STOMP: a login with CR and ESC is logged on one line, escaped' '
	FORGED=$FORGED stomp_py <<-\EOF &&
	import os
	from tstomp import *
	login = "eve\r" + os.environ["FORGED"] + "\x1b[2J"
	frame = "CONNECT\naccept-version:1.2\nlogin:%s\npasscode:x\n\n\0" % login
	out = raw(port(), frame.encode())
	check(b"Authentication failed" in out, "no ERROR frame: %r" % out)
	EOF
	log_contains node1 "user name \[eve\\\\r2026-01-01 00:00:00,000 | INFO  | forged line | broker\\\\x1b\[2J\] or password is invalid" &&
	no_forged_line node1
'

test_expect_success 'MQTT: a user name with a newline is logged on one line, escaped' '
	FORGED=$FORGED stomp_py <<-\EOF &&
	import os
	from tmqtt import *
	Client("eve", user="eve\n" + os.environ["FORGED"], password="x", expect_rc=4).close()
	EOF
	log_contains node1 "user name \[eve\\\\n2026-01-01 00:00:00,000 | INFO  | forged line | broker\] or password is invalid" &&
	no_forged_line node1
'

test_expect_success 'MQTT: a client id with control characters is logged escaped' '
	FORGED=$FORGED stomp_py <<-\EOF &&
	import os
	from tmqtt import *
	cid = "dup\n" + os.environ["FORGED"] + "\x07\x1b]0;owned\x07"
	first = Client(cid, user="app", password="secret")
	second = Client(cid, user="app", password="secret")
	second.close()
	EOF
	log_contains node1 "Client dup\\\\n2026-01-01 00:00:00,000 | INFO  | forged line | broker\\\\x07\\\\x1b\]0;owned\\\\x07 connected again" &&
	no_forged_line node1
'

test_expect_success 'management socket: a login name with a newline is logged escaped' '
	FORGED=$FORGED stomp_py <<-\EOF &&
	import os
	from tmgmt import *
	m = Mgmt()
	r = m.req({"type": "login", "user": "eve\n" + os.environ["FORGED"], "password": "x"})
	check(r["status"] == 401, "login answered %r" % r)
	EOF
	log_contains node1 "Management login failed for user \[eve\\\\n2026-01-01 00:00:00,000 | INFO  | forged line | broker\]" &&
	no_forged_line node1
'

test_expect_success 'bytes that are not UTF-8 are logged as \xNN, UTF-8 names as they are' '
	stomp_py <<-\EOF &&
	from tstomp import *
	frame = b"CONNECT\naccept-version:1.2\nlogin:caf\xc3\xa9-\xff\xc3\npasscode:x\n\n\0"
	check(b"Authentication failed" in raw(port(), frame), "no ERROR frame")
	EOF
	log_contains node1 "user name \[café-\\\\xff\\\\xc3\]"
'

test_done
