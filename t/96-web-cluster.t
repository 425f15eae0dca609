#!/bin/sh
# The web console of every node of a live two-pair cluster (t/81's, each
# node with its console), in Debian's chromium: each master's pages
# render, its network page shows the bridge to the other pair moving
# messages, its cluster page names every node with a link to the consoles
# of its pair; each slave's console says it is a slave and whose lock it
# waits on; /health says which node a load balancer should use.
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto
export WEB_PORT
two_pairs_config || exit 1
start_broker a1 && start_slave a2 && start_broker b1 && start_slave b2 &&
log_waits_for a1 "Network connection between a1 and b1" &&
log_waits_for b1 "Network connection between b1 and a1" || exit 1

test_expect_success 'only the masters are healthy' '
	for n in a1 b1; do
		test "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:$(broker_web_port $n)/health)" = 200 || exit 1
	done &&
	for n in a2 b2; do
		test "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:$(broker_web_port $n)/health)" = 503 || exit 1
	done
'

if command -v chromium >/dev/null 2>&1; then
test_expect_success 'chromium: every node'"'"'s console, masters and slaves, with the traffic between the pairs' '
	mkdir -p screens &&
	PORT=$(broker_port b1) stomp_py <<-\EOF
	import os, time
	from tstomp import *
	from tchrome import Chrome
	from tmgmt import until, log_has
	T = os.environ["TRASH"]
	web = lambda n: "http://127.0.0.1:" + open("%s/%s/web_port" % (T, n)).read().strip()
	c = subscriber("/queue/across")
	until("demand reached a1", lambda: log_has("a1", "consumer(s) of queue://across on b1: forwarding"))
	p = client(port("a1"))
	for i in range(20):
	    send_on(p, "/queue/across", "m%d" % i, receipt=(i == 19))
	check(len(c.wait(20)) == 20, "the 20 crossed")
	ch = Chrome(T)
	try:
	    for node in ("a1", "a2", "b1", "b2"):
	        W = web(node)
	        ch.goto(W + "/login")
	        ch.load(lambda: ch.js("""document.querySelector("input[name=user]").value = "admin";
	            document.querySelector("input[name=password]").value = "admin";
	            document.querySelector("form").submit(); 1"""))
	        ch.goto(W + "/")
	        text = ch.js("document.body.textContent")
	        if node in ("a2", "b2"):
	            master = "a1" if node == "a2" else "b1"
	            check("slave" in text.lower() and master in text, "%s says slave of %s: %r" % (node, master, text[:300]))
	            ch.screenshot("screens/%s-slave.png" % node)
	            continue
	        for path in ("/", "/queues", "/topics", "/subscribers", "/connections", "/network", "/ha", "/cluster", "/send"):
	            ch.goto(W + path)
	            check(ch.js("!!document.querySelector(\"main h1\")"), "%s%s renders" % (node, path))
	        ch.goto(W + "/network")
	        net = ch.js("document.querySelector(\"main\").textContent")
	        other = "b1" if node == "a1" else "a1"
	        check(other in net and "active" in net, "%s: bridge to %s: %r" % (node, other, net[:400]))
	        if node == "a1":
	            check("across" in net, "a1 shows what it forwarded: %r" % net[:400])
	        ch.screenshot("screens/%s-network.png" % node)
	        ch.goto(W + "/cluster")
	        links = ch.js("[...document.querySelectorAll(\"main a\")].map(a => a.href).join(\" \")")
	        mate = "a2" if node == "a1" else "b2"
	        check(web(mate) in links, "%s links to the console of %s: %r" % (node, mate, links))
	        body = ch.js("document.querySelector(\"main\").textContent")
	        check(other in body, "%s names %s: %r" % (node, other, body[:400]))
	        ch.screenshot("screens/%s-cluster.png" % node)
	finally:
	    ch.close()
	EOF
'
else
	test_skip "chromium renders every node's console" 'no chromium (apt-get install chromium)'
fi

test_done
