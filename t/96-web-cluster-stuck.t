#!/bin/sh
# The cluster page marks a stuck queue (tandemtop's rule: messages on a
# node with no consumer there while consumers wait on another node), in
# Debian's chromium, against a live two-pair cluster (t/96-web-cluster.t's)
# whose pair A never forwards queue "held" (excludedDestinations): its
# messages stay on a1 while its consumer waits on b1, so its row is stuck;
# a queue with a backlog and no consumer anywhere, and a queue whose
# messages crossed to their consumer, are not.
. "$(dirname "$0")/test-lib.sh"

command -v chromium >/dev/null 2>&1 || skip_all 'no chromium (apt-get install chromium)'

WEB_PORT=auto
export WEB_PORT
two_pairs_config || exit 1
for n in a1 a2; do
	sed -i 's|decreaseNetworkConsumerPriority="true"/>|decreaseNetworkConsumerPriority="true"><excludedDestinations><queue physicalName="held"/></excludedDestinations></networkConnector>|' \
		"$TRASH/$n/broker.xml" && grep -q 'physicalName="held"' "$TRASH/$n/broker.xml" || exit 1
done
start_broker a1 && start_slave a2 && start_broker b1 && start_slave b2 &&
log_waits_for a1 "Network connection between a1 and b1" &&
log_waits_for b1 "Network connection between b1 and a1" || exit 1

test_expect_success 'chromium: a queue held on a1 with its consumer on b1 is marked stuck, the others not' '
	mkdir -p screens &&
	PORT=$(broker_port b1) stomp_py <<-\EOF
	import os
	from tstomp import *
	from tchrome import Chrome
	from tmgmt import until, log_has
	T = os.environ["TRASH"]
	web = lambda n: "http://127.0.0.1:" + open("%s/%s/web_port" % (T, n)).read().strip()
	across = subscriber("/queue/across")
	held = subscriber("/queue/held")
	until("demand for across reached a1", lambda: log_has("a1", "consumer(s) of queue://across on b1: forwarding"))
	p = client(port("a1"))
	for i in range(5):
	    send_on(p, "/queue/across", "a%d" % i, receipt=False)
	    send_on(p, "/queue/held", "h%d" % i, receipt=False)
	    send_on(p, "/queue/idle", "i%d" % i, receipt=(i == 4))
	check(len(across.wait(5)) == 5, "the 5 on across crossed")
	check(not held.messages, "held is not forwarded: %r" % [m.body for m in held.messages])
	ch = Chrome(T)
	# the queues table as {name: [row classes, depth on a1, depth on b1, Note]}
	ROWS = """Object.fromEntries([...document.querySelectorAll("#cluster-queues tr")].slice(1)
	    .filter(tr => tr.cells.length > 3).map(tr => [tr.cells[0].textContent,
	    [tr.className, tr.cells[1].textContent, tr.cells[2].textContent, tr.cells[tr.cells.length - 1].textContent]]))"""
	try:
	    ch.goto(web("a1") + "/login")
	    ch.load(lambda: ch.js("""document.querySelector("input[name=user]").value = "admin";
	        document.querySelector("input[name=password]").value = "admin";
	        document.querySelector("form").submit(); 1"""))
	    ch.goto(web("a1") + "/cluster")
	    check(ch.js("[...document.querySelectorAll(\"#cluster-queues th\")].map(th => th.textContent)")[:3]
	          == ["Queue", "a1", "b1"], "columns a1, b1")
	    # the page refreshes itself; wait until it shows all three as they are now
	    ch.until("held on a1 and its consumer on b1 shown",
	             "(r => r.held && r.held[1] == \"5\" && r.idle && r.idle[1] == \"5\" && r.across && r.across[1] == \"0\")(" + ROWS + ")")
	    rows = ch.js(ROWS)
	    check(rows["held"][0].split() == ["stuck"], "held marked stuck: %r" % rows)
	    check("STUCK" in rows["held"][3], "held says why: %r" % rows["held"])
	    check(ch.js("[...document.querySelectorAll(\"#cluster-queues tr.stuck td.bad\")].map(td => td.cellIndex)") == [1],
	          "the a1 cell is the one marked")
	    check("stuck" not in rows["idle"][0] and "STUCK" not in rows["idle"][3], "idle (no consumer anywhere) not stuck: %r" % rows["idle"])
	    check("stuck" not in rows["across"][0] and "STUCK" not in rows["across"][3], "across (crossed) not stuck: %r" % rows["across"])
	    check(ch.js("document.querySelectorAll(\"#cluster-queues tr.stuck\").length") == 1, "one stuck row")
	    ch.screenshot("screens/a1-cluster-stuck.png")
	finally:
	    ch.close()
	EOF
'

test_done
