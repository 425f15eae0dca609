#!/bin/sh
# The console's cluster page and its liveness, in Debian's chromium,
# against a live two-pair cluster (t/96-web-cluster.t's): a1's cluster
# page shows all four nodes with their roles, the bridges both ways with
# what crossed them, each queue's depth per node; kill -9 b1 and the open
# page shows it down (never "slave or down") and b2 taking over; kill -9
# a1 under its open overview and the banner says it stopped answering,
# the values greyed; a session gone leads to the login page.
. "$(dirname "$0")/test-lib.sh"

command -v chromium >/dev/null 2>&1 || skip_all 'no chromium (apt-get install chromium)'

WEB_PORT=auto
export WEB_PORT
two_pairs_config || exit 1
start_broker a1 && start_slave a2 && start_broker b1 && start_slave b2 &&
log_waits_for a1 "Network connection between a1 and b1" &&
log_waits_for b1 "Network connection between b1 and a1" || exit 1

test_expect_success 'chromium: the cluster page, live, and honest when a node stops answering' '
	mkdir -p screens &&
	# A takeover and the next poll of four nodes by the console, in chromium:
	# generous waits, as a full make check runs beside it.
	PORT=$(broker_port b1) TSTOMP_WAIT=60 stomp_py <<-\EOF
	import os, signal
	from tstomp import *
	from tchrome import Chrome
	from tmgmt import until, log_has
	T = os.environ["TRASH"]
	web = lambda n: "http://127.0.0.1:" + open("%s/%s/web_port" % (T, n)).read().strip()
	def kill9(n):
	    os.kill(int(open("%s/%s/pid" % (T, n)).read()), signal.SIGKILL)
	    until("%s gone" % n, lambda: os.path.exists("%s/%s/exit" % (T, n)))
	    os.remove("%s/%s/pid" % (T, n))
	c = subscriber("/queue/across")
	until("demand reached a1", lambda: log_has("a1", "consumer(s) of queue://across on b1: forwarding"))
	p = client(port("a1"))
	for i in range(20):
	    send_on(p, "/queue/across", "m%d" % i, receipt=(i == 19))
	check(len(c.wait(20)) == 20, "the 20 crossed")
	ch = Chrome(T)
	def login(node):
	    ch.goto(web(node) + "/login")
	    ch.load(lambda: ch.js("""document.querySelector("input[name=user]").value = "admin";
	        document.querySelector("input[name=password]").value = "admin";
	        document.querySelector("form").submit(); 1"""))
	# role of each node on the cluster page, as {name: role}
	ROLES = """Object.fromEntries([...document.querySelectorAll("#cluster-nodes tr")].slice(1).map(
	    tr => [tr.cells[1].textContent.split(" ")[0], tr.cells[2].textContent]))"""
	try:
	    login("a1")
	    ch.goto(web("a1") + "/cluster")
	    roles = ch.js(ROLES)
	    check(roles == {"a1": "master", "a2": "slave", "b1": "master", "b2": "slave"}, "roles: %r" % roles)
	    bridges = ch.js("[...document.querySelectorAll(\"#cluster-bridges tr\")].slice(1).map(tr => [...tr.cells].slice(0, 4).map(td => td.textContent).join(\"|\"))")
	    check(any(b.startswith("a1") and "|b1|" in b and b.endswith("|active") for b in bridges), "a1 to b1: %r" % bridges)
	    check(any(b.startswith("b1|a1|") and b.endswith("|active") for b in bridges), "b1 to a1: %r" % bridges)
	    flows = ch.js("document.querySelector(\"#cluster-flows\").textContent")
	    check("across" in flows and "outbound" in flows and "inbound" in flows, "flows: %r" % flows)
	    heads = ch.js("[...document.querySelectorAll(\"#cluster-queues th\")].map(th => th.textContent)")
	    check(heads[:3] == ["Queue", "a1", "b1"] and "Total" in heads, "a column per node: %r" % heads)
	    check(ch.js("[...document.querySelectorAll(\"header nav a\")].some(a => a.pathname == \"/cluster\")"), "in the header")
	    ch.until("refreshed at", "(document.getElementById(\"refreshed\") || {}).textContent.startsWith(\"refreshed at\")")
	    ch.screenshot("screens/a1-cluster.png")
	    # b1 dies: the open page says so, then shows b2 taking over
	    kill9("b1")
	    ch.until("b1 down on the open page", ROLES + "[\"b1\"] == \"down\"")
	    ch.until("b2 master on the open page", ROLES + "[\"b2\"] == \"master\"")
	    ch.until("the summary counts it", "document.getElementById(\"cluster-summary\").textContent.includes(\"1 down\")")
	    note = ch.js("[...document.querySelectorAll(\"#cluster-nodes tr.stale\")].map(tr => tr.textContent).join()")
	    check("down for" in note, "b1 says since when: %r" % note)
	    ch.screenshot("screens/a1-cluster-b1-down.png")
	    # a1 dies under its own open page
	    ch.goto(web("a1") + "/")
	    ch.until("refreshed at", "(document.getElementById(\"refreshed\") || {}).textContent.startsWith(\"refreshed at\")")
	    check(not ch.js("!!document.getElementById(\"offline\")"), "no banner while it answers")
	    kill9("a1")
	    ch.until("the banner", "!!document.getElementById(\"offline\")")
	    banner = ch.js("document.getElementById(\"offline\").textContent")
	    check("not answering since" in banner, "banner: %r" % banner)
	    check(ch.js("document.body.classList.contains(\"stale\")"), "values greyed")
	    ch.screenshot("screens/a1-killed.png")
	    # a2 took over; its session gone, the open page leads to the login page
	    until("a2 serves", lambda: log_has("a2", "Network connection between a2 and b2"))
	    login("a2")
	    ch.goto(web("a2") + "/queues")
	    ch.until("refreshed at", "(document.getElementById(\"refreshed\") || {}).textContent.startsWith(\"refreshed at\")")
	    ch.call("Storage.clearCookies")
	    ch.until("the login page", "location.pathname == \"/login\" && !!document.querySelector(\"input[name=password]\")")
	    check(ch.js("new URLSearchParams(location.search).get(\"next\")") == "/queues", "back to /queues after: %r" % ch.js("location.search"))
	finally:
	    ch.close()
	EOF
'

test_done
