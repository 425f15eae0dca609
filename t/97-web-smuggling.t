#!/bin/sh
# HTTP request smuggling (issue 16, point 13): a request whose end a proxy
# and the web server could find in different places is answered 400 and
# its connection closed, so nothing after it on that connection is taken
# for a request. Debian 12's libmicrohttpd lets these through itself
# (web/framing.h says what it does with each); web/framing.c refuses them
# before the route, the login or the body.
. "$(dirname "$0")/test-lib.sh"

# refused 'REQUEST': sent on one connection (a Python bytes expression,
# ADMIN the Basic login, mostly with a second request after it), answered
# with exactly one 400, then closed; prints the 400's text.
refused() {
	stomp_py "$1" <<-\EOF
	import sys
	from thttp import *
	answers, closed = exchange(web_port(), eval(sys.argv[1], {"ADMIN": ADMIN}))
	check(statuses(answers) == [400], "answered %r" % answers)
	check(closed, "the connection stayed open")
	print(answers[0][2].decode())
	EOF
}

SMUGGLED='GET /health HTTP/1.1\r\nHost: x\r\n\r\n'

test_expect_success 'a broker with a web console' '
	WEB_PORT=auto broker_config node1 && start_broker node1
'

test_expect_success 'Content-Length and Transfer-Encoding together: 400, closed, nothing sent' '
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\n\" + ADMIN + b\"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n$SMUGGLED\"" >out &&
	grep "both Content-Length and Transfer-Encoding" out &&
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\n\" + ADMIN + b\"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n$SMUGGLED\"" &&
	log_contains node1 "Refused a request from 127.0.0.1:[0-9]*: both Content-Length and Transfer-Encoding" &&
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/smuggle", "marker")
	c = subscriber("/queue/smuggle")
	got = c.wait_bodies(1)
	check(got == ["marker"], "the queue held %r before the marker" % got)
	EOF
'

test_expect_success 'Content-Length headers that differ: 400 and closed' '
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\n\" + ADMIN + b\"Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd$SMUGGLED\"" >out &&
	grep "Content-Length headers that differ" out
'

test_expect_success 'a Transfer-Encoding other than one "chunked": 400 and closed' '
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$SMUGGLED\"" &&
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n$SMUGGLED\"" &&
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n$SMUGGLED\"" &&
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$SMUGGLED\""
'

test_expect_success 'whitespace before a header colon: 400 (it was not read as Content-Length)' '
	refused "b\"POST /api/message/smuggle?type=queue HTTP/1.1\r\nHost: x\r\nContent-Length : 37\r\n\r\n$SMUGGLED\"" >out &&
	grep "header" out
'

test_expect_success 'a NUL byte in the path, raw or encoded: 400 (it was served as /health)' '
	refused "b\"GET /health\x00/../metrics HTTP/1.1\r\nHost: x\r\n\r\n$SMUGGLED\"" >out &&
	grep "NUL byte in the request target" out &&
	refused "b\"GET /health%00x HTTP/1.1\r\nHost: x\r\n\r\n$SMUGGLED\"" >out &&
	grep "encoded control character in the path" out
'

test_expect_success 'control characters in the path, raw or encoded: 400' '
	refused "b\"GET /health\x01 HTTP/1.1\r\nHost: x\r\n\r\n\"" &&
	refused "b\"GET /api/message/a%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: x\r\n\r\n\"" &&
	refused "b\"GET /health\x7f HTTP/1.1\r\nHost: x\r\n\r\n\"" &&
	refused "b\"GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n\""
'

test_expect_success 'what is framed one way only still works: chunked, one Content-Length twice, %20, a newline in the query' '
	stomp_py <<-\EOF
	from thttp import *
	p = web_port()
	for req, want in [
	    (b"POST /api/message/plain?type=queue HTTP/1.1\r\nHost: x\r\n" + ADMIN +
	     b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", [200]),
	    (b"POST /api/message/plain?type=queue HTTP/1.1\r\nHost: x\r\n" + ADMIN +
	     b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", [200]),
	    (b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", [200, 200]),
	    (b"GET /no%20such HTTP/1.1\r\nHost: x\r\n\r\n", [404]),
	    (b"GET /health?x=a%0ab HTTP/1.1\r\nHost: x\r\n\r\n", [200]),
	]:
	    answers, closed = exchange(p, req)
	    check(statuses(answers) == want, "%r: answered %r" % (req, answers))
	EOF
'

test_done
