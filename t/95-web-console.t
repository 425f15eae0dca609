#!/bin/sh
# The web console's pages (issue 9), driven with curl as a browser without
# JavaScript would: login required, every page renders, actions are POST
# forms with a CSRF token, whatever a message carries is shown as text.
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto broker_config node1
start_broker node1 || exit 1
W="http://127.0.0.1:$(broker_web_port node1)"

. "$TEST_ROOT/t/lib/tweb.sh"

test_expect_success 'without a login every page sends the browser to the login form' '
	test "$(curl -s -o /dev/null -w "%{http_code}" -D hdr "$W/queues")" = 303 &&
	grep -qi "^Location: /login?next=%2Fqueues" hdr
'

test_expect_success 'a wrong password is refused, and logged' '
	test "$(login admin nope)" = 401 &&
	test "$(get /queues)" = 303 &&
	log_contains node1 "Web login failed for user \[admin\] from 127.0.0.1:[0-9]*: wrong password"
'

test_expect_success 'a login post without its form'"'"'s token is refused' '
	rm -f jar &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -d "user=admin&password=admin" "$W/login")" = 403
'

test_expect_success 'the default admin/admin logs in from loopback, and every page says it is still on' '
	test "$(login admin admin)" = 303 &&
	for p in / /queues /topics /subscribers /connections /network /ha /cluster /send; do
		test "$(get $p)" = 200 || { echo "$p: not 200"; exit 1; }
		grep -q "id=\"default-password\"" page.html || { echo "$p: no flag"; exit 1; }
		grep -q "<span class=\"role master\">master</span>" page.html || exit 1
	done
'

test_expect_success 'pages are HTML that cannot run code from elsewhere' '
	curl -s -b jar -D hdr -o /dev/null "$W/" &&
	grep -qi "^Content-Security-Policy: default-src .none.; script-src .self." hdr &&
	grep -qi "^X-Frame-Options: DENY" hdr &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$W/static/console.js")" = 200
'

test_expect_success 'send through the console: the queue depth shows it; purge empties it' '
	get /send >/dev/null && t=$(csrf) &&
	test "$(post /send -d "csrf=$t&type=queue&dest=console.q&persistent=true&priority=4" \
		--data-urlencode "headers=color: green" --data-urlencode "body=sent from the console")" = 303 &&
	grep -qi "^Location: /send?done=Sent%20ID" hdr &&
	get /queues >/dev/null &&
	grep -A3 "console.q</a></td>" page.html | grep -q "data-attr=\"QueueSize\">1<" &&
	t=$(csrf) &&
	test "$(post /queues/purge -d "csrf=$t&name=console.q")" = 303 &&
	get /queues >/dev/null &&
	grep -A3 "console.q</a></td>" page.html | grep -q "data-attr=\"QueueSize\">0<"
'

test_expect_success 'a POST without the CSRF token, or with a wrong one, is refused and changes nothing' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/kept", "stays")
	EOF
	test "$(post /queues/purge -d "name=kept")" = 403 &&
	test "$(post /queues/purge -d "name=kept&csrf=00000000000000000000000000000000")" = 403 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u admin:admin -d "name=kept" "$W/queues/purge")" = 403 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -b jar "$W/queues/purge?name=kept")" = 405 &&
	get /queues >/dev/null &&
	grep -A3 "kept</a></td>" page.html | grep -q "data-attr=\"QueueSize\">1<" &&
	log_contains node1 "Refused a POST to /queues/purge from 127.0.0.1:[0-9]* (user admin): no CSRF token"
'

test_expect_success 'a message with markup in its headers, body and queue name is shown as text' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/x<b>y", "<script>alert(1)</script>",
	     headers={"evil": "<img src=x onerror=alert(2)>", "q\"uote": "\"><script>alert(3)</script>"})
	EOF
	get /queues >/dev/null &&
	grep -q "x&lt;b&gt;y" page.html && ! grep -q "x<b>y" page.html &&
	test "$(get "/queue?name=x%3Cb%3Ey")" = 200 &&
	grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" page.html &&
	grep -q "&lt;img src=x onerror=alert(2)&gt;" page.html &&
	! grep -q "<script>alert" page.html && ! grep -q "<img" page.html &&
	id=$(sed -n "s/.*<a href=\"\/message?queue=[^&]*&amp;id=\([^\"]*\)\".*/\1/p" page.html | head -1) &&
	test -n "$id" &&
	test "$(get "/message?queue=x%3Cb%3Ey&id=$id")" = 200 &&
	grep -q "<pre id=\"body\">&lt;script&gt;alert(1)&lt;/script&gt;</pre>" page.html &&
	grep -q "&quot;&gt;&lt;script&gt;alert(3)" page.html &&
	! grep -q "<script>alert" page.html
'

test_expect_success 'move a message to another queue, then delete it there' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/from.q", "to be moved")
	EOF
	get "/queue?name=from.q" >/dev/null && t=$(csrf) &&
	id=$(sed -n "s/.*name=\"id\" value=\"\([^\"]*\)\".*/\1/p" page.html | head -1) &&
	test "$(post /message/move -d "csrf=$t&queue=from.q&to=to.q" --data-urlencode "id=$id")" = 303 &&
	grep -qi "^Location: /queue?name=from.q&done=Moved" hdr &&
	get "/queue?name=to.q" >/dev/null && grep -q "to be moved" page.html &&
	id=$(sed -n "s/.*name=\"id\" value=\"\([^\"]*\)\".*/\1/p" page.html | head -1) &&
	test "$(post /message/delete -d "csrf=$t&queue=to.q" --data-urlencode "id=$id")" = 303 &&
	get "/queue?name=to.q" >/dev/null && ! grep -q "to be moved" page.html
'

test_expect_success 'create and delete a queue' '
	get /queues >/dev/null && t=$(csrf) &&
	test "$(post /queues/create -d "csrf=$t&name=made.here")" = 303 &&
	get /queues >/dev/null && grep -q "made.here</a>" page.html &&
	test "$(post /queues/delete -d "csrf=$t&name=made.here")" = 303 &&
	get /queues >/dev/null && ! grep -q "made.here</a>" page.html
'

test_expect_success 'the connections, subscribers and topics pages list live clients' '
	stomp_py <<-\EOF &
	import time
	from tstomp import *
	c = subscriber("/topic/watched")
	open("subscribed", "w").close()
	time.sleep(30)
	EOF
	spid=$!
	for i in $(seq 150); do test -f subscribed && break; sleep 0.1; done &&
	get /connections >/dev/null && { grep -q "<td>stomp</td>" page.html || { echo "connections:"; cat page.html; false; }; } &&
	get /subscribers >/dev/null && { grep -q "<td>watched</td>" page.html || { echo "subscribers:"; cat page.html; false; }; } &&
	get /topics >/dev/null && grep -q "<td>watched</td>" page.html;
	rc=$?; kill $spid; exit $rc
'

test_expect_success 'a dead letter goes back where it came from with the DLQ page'"'"'s Retry all' '
	stomp_py <<-\EOF &&
	import time
	from tstomp import *
	send(port(), "/queue/dl.src", "died young",
	     headers={"persistent": "true", "expires": str(int(time.time() * 1000) + 200)})
	time.sleep(0.5)
	c = subscriber("/queue/dl.src")   # dispatch finds it expired: to the DLQ
	c.close()
	EOF
	test "$(get "/queue?name=ActiveMQ.DLQ")" = 200 && grep -q "died young" page.html &&
	grep -q "action=\"/queue/retry\"" page.html && t=$(csrf) &&
	test "$(post /queue/retry -d "csrf=$t&queue=ActiveMQ.DLQ")" = 303 &&
	grep -qi "^Location: /queue?name=ActiveMQ.DLQ&done=1%20message" hdr &&
	get "/queue?name=dl.src" >/dev/null && grep -q "died young" page.html
'

if command -v chromium >/dev/null 2>&1; then
	test_expect_success 'chromium logs in, renders every page, sends, sees the depth change live, purges' '
		stomp_py <<-\EOF &&
		from tstomp import *
		send(port(), "/queue/shown", "<img src=x onerror=\"document.body.dataset.pwned=1\"><script>document.body.dataset.pwned=2</script>",
		     headers={"evil": "<svg onload=\"document.body.dataset.pwned=3\">"})
		EOF
		mkdir -p screens &&
		W=$W stomp_py <<-\EOF
		import os, time
		from tstomp import *
		from tchrome import Chrome
		W = os.environ["W"]
		c = Chrome(os.environ["TRASH"])
		try:
		    c.goto(W + "/queues")
		    check(c.js("location.pathname") == "/login", "not sent to the login form")
		    c.load(lambda: c.js("""document.querySelector("input[name=user]").value = "admin";
		        document.querySelector("input[name=password]").value = "admin";
		        document.querySelector("form").submit(); 1"""))
		    check(c.js("location.pathname") == "/queues", c.js("location.href"))
		    pages = {"/": "Overview", "/queues": "Queues", "/topics": "Topics",
		             "/subscribers": "Subscribers", "/connections": "Connections",
		             "/network": "Network", "/ha": "High availability", "/cluster": "Cluster",
		             "/send": "Send a message", "/queue?name=shown": "Queue shown"}
		    for path, title in pages.items():
		        c.goto(W + path)
		        h1 = c.js("document.querySelector(\"main h1\").textContent")
		        check(h1 == title, "%s: %r" % (path, h1))
		        check(c.js("!!document.getElementById(\"default-password\")"), path + ": no flag")
		        c.screenshot("screens/%s.png" % (path.strip("/").split("?")[0] or "overview"))
		    # a message that carries markup: shown as text, nothing ran
		    c.goto(W + "/queue?name=shown")
		    check(c.js("document.body.dataset.pwned") is None, "the message ran code")
		    check("<script>" in c.js("document.querySelector(\"td.body\").textContent"), "body not shown")
		    c.load(lambda: c.js("document.querySelector(\"#messages a[href^=\\\"/message\\\"]\").click(); 1"))
		    check(c.js("document.querySelector(\"#body\").textContent").startswith("<img src=x"), "message page")
		    check(c.js("document.body.dataset.pwned") is None, "the message page ran code")
		    c.screenshot("screens/message.png")
		    # send through the form
		    c.goto(W + "/send")
		    c.load(lambda: c.js("""document.querySelector("input[name=dest]").value = "chrome.q";
		        document.querySelector("textarea[name=body]").value = "from chromium";
		        document.querySelector("main form button").click(); 1"""))
		    check(c.js("document.querySelector(\".done\").textContent").startswith("Sent ID:"), "not sent")
		    # the depth, then live as another message arrives, with no reload
		    c.goto(W + "/queues")
		    row = "[...document.querySelectorAll(\"#queues tr\")].find(r => r.querySelector(\"a\") && r.querySelector(\"a\").textContent == \"chrome.q\")"
		    depth = row + ".querySelector(\"td[data-attr=QueueSize]\").textContent"
		    check(c.js(depth) == "1", c.js(depth))
		    send(port(), "/queue/chrome.q", "another")
		    c.until("the depth to show 2 without a reload", depth + " == \"2\"")
		    # purge, confirming
		    c.js("window.confirm = () => true; 1")
		    c.load(lambda: c.js(row + ".querySelector(\"form[action=\\\"/queues/purge\\\"] button\").click(); 1"))
		    check(c.js(depth) == "0", "after purge: " + str(c.js(depth)))
		    check("Purged chrome.q" in c.js("document.querySelector(\".done\").textContent"), "no done")
		    # the live chart draws points
		    c.goto(W + "/")
		    c.until("the chart", "(document.querySelector(\"polyline.depth\").getAttribute(\"points\") || \"\").split(\" \").length >= 2")
		    c.screenshot("screens/overview.png")
		finally:
		    c.close()
		EOF
	'
else
	test_skip 'chromium renders the console' 'no chromium (apt-get install chromium)'
fi

test_expect_success 'a bridged broker'"'"'s network and cluster pages show the bridge, its forwarding and the remote' '
	WEB_PORT=auto BROKER_EXTRA="<networkConnectors><networkConnector name=\"net\"
	  uri=\"static:(tcp://127.0.0.1:$(broker_port node1))\"/></networkConnectors>" broker_config far &&
	start_broker far &&
	FW="http://127.0.0.1:$(broker_web_port far)" &&
	for i in $(seq 100); do
		curl -s -u admin:admin -o net.html "$FW/network" && grep -q "<td class=\"state ok\">active</td>" net.html && break
		sleep 0.1
	done &&
	grep -q "<td class=\"state ok\">active</td>" net.html && grep -q "<td>node1</td>" net.html &&
	FAR=$(broker_port far) stomp_py <<-\EOF &&
	import os
	from tstomp import *
	c = subscriber("/queue/net.q")
	import time
	for i in range(100):   # until the bridge has the demand
	    send(int(os.environ["FAR"]), "/queue/net.q", "across %d" % i)
	    if c.messages:
	        break
	    time.sleep(0.1)
	check(c.wait(1)[0].body.startswith("across"), "nothing crossed")
	EOF
	curl -s -u admin:admin -o net.html "$FW/network" &&
	grep -q "<td>outbound</td><td>net.q</td>" net.html &&
	curl -s -u admin:admin -o cluster.html "$FW/cluster" &&
	grep -A2 "id=\"cluster-bridges\"" cluster.html | grep -q "<td>node1</td><td>[^<]*</td><td class=\"state ok\">active</td>" &&
	stop_broker far
'

test_expect_success 'log out ends the session' '
	get / >/dev/null && t=$(csrf) &&
	test "$(post /logout -d "csrf=$t")" = 303 &&
	test "$(get /)" = 303
'

cat >"$TRASH/realm.properties" <<-\EOF
# jetty-realm.properties: name: password, roles
operator: s3cret, admin
admin: admin, admin
operator: s3cret, admin
admin: admin, admin
EOF
STORE_DIR=$TRASH/shared/kahadb
export STORE_DIR
test_expect_success 'users from jetty.xml'"'"'s realm file; a slave'"'"'s console says it waits, for whom' '
	WEB_PORT=auto WEB_REALM="$TRASH/realm.properties" broker_config a && start_broker a &&
	WEB_PORT=auto WEB_REALM="$TRASH/realm.properties" broker_config b && start_slave b &&
	W="http://127.0.0.1:$(broker_web_port b)" &&
	test "$(login operator wrong)" = 401 &&
	test "$(login operator s3cret)" = 303 &&
	get / >/dev/null && grep -q "<span class=\"role slave\">slave</span>" page.html &&
	grep -q "id=\"slave\"" page.html &&
	grep -q "id=\"default-password\"" page.html &&
	test "$(get /ha)" = 200 && grep -q "<td>slave</td>" page.html &&
	grep -q "<td>a on " page.html &&
	test "$(get /queues)" = 200 &&
	test "$(get /cluster)" = 200 &&
	grep -q "<a href=\"http://127.0.0.1:$(broker_web_port a)/\">" page.html &&
	grep -q "<td><span class=\"role master\">master</span></td>" page.html
'

test_done
