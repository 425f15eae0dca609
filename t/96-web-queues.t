#!/bin/sh
# The console's queues, charts, send form and phone width (issue 21):
# driven with curl as a browser without JavaScript would, then with
# Debian's chromium.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto WEB_PORT=auto BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="full.q" memoryLimit="64 kb" producerFlowControl="true"/>
</policyEntries></policyMap></destinationPolicy>' broker_config node1
start_broker node1 || exit 1
W="http://127.0.0.1:$(broker_web_port node1)"

. "$TEST_ROOT/t/lib/tweb.sh"

test_expect_success 'send form: a priority of "urgent" is refused, nothing is sent, every value stays in the form' '
	test "$(login admin admin)" = 303 &&
	get /send >/dev/null && t=$(csrf) &&
	test "$(post /send -d "csrf=$t&type=topic&dest=prio.t&priority=urgent" \
		--data-urlencode "headers=color: green" --data-urlencode "body=keep <me>")" = 200 &&
	grep -q "id=\"send-error\">Not sent: the priority is a number from 0 (lowest) to 9" page.html &&
	grep -q "name=\"dest\" required value=\"prio.t\"" page.html &&
	grep -q "name=\"priority\" .* value=\"urgent\"" page.html &&
	grep -q "<option value=\"topic\" selected>" page.html &&
	grep -q ">color: green</textarea>" page.html &&
	grep -q ">keep &lt;me&gt;</textarea>" page.html &&
	! grep -q "name=\"persistent\" value=\"true\" checked" page.html &&
	get /topics >/dev/null && ! grep -q "prio.t" page.html
'

test_expect_success 'send form: priorities 0 to 9 are sent as given, an empty one as 4; 10 and -1 are refused' '
	get /send >/dev/null && t=$(csrf) &&
	for p in 10 -1 "4 5" 1.5; do
		test "$(post /send -d "csrf=$t&type=queue&dest=prio.q" --data-urlencode "priority=$p" \
			-d "body=x")" = 200 || return 1
		grep -q "id=\"send-error\"" page.html || return 1
	done &&
	for p in 9 0 ""; do
		test "$(post /send -d "csrf=$t&type=queue&dest=prio.q&persistent=true&priority=$p" \
			-d "body=p$p")" = 303 || return 1
	done &&
	get "/queue?name=prio.q" >/dev/null &&
	grep -q "<td>9</td><td>PERSISTENT</td>" page.html &&
	grep -q "<td>0</td><td>PERSISTENT</td>" page.html &&
	grep -q "<td>4</td><td>PERSISTENT</td>" page.html &&
	test "$(grep -c "<td>PERSISTENT</td>" page.html)" = 3
'

test_expect_success 'send form: a wildcard destination is refused with the values kept' '
	get /send >/dev/null && t=$(csrf) &&
	test "$(post /send -d "csrf=$t&type=queue&dest=a.>&priority=7&body=b")" = 200 &&
	grep -q "Not sent: the destination is 1 to 512 characters, with no wildcards" page.html &&
	grep -q "value=\"a.&gt;\"" page.html && grep -q "value=\"7\"" page.html
'

test_expect_success 'history: the broker'"'"'s totals and a queue in use are sampled every 5 s into the model' '
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	c = client(port())
	for i in range(3):
	    send_on(c, "/queue/hist.busy", "m%d" % i, receipt=(i == 2))
	busy = history_name("node1", "hist.busy")
	# taken on by the sweep (messages wait there), then sampled
	until("the busy queue sampled", lambda: queue_history(m, busy).get("SampleCount", 0) >= 1, 30)
	for i in range(2):
	    send_on(c, "/queue/hist.busy", "n%d" % i, receipt=(i == 1))
	until("the next sample", lambda: sum(queue_history(m, busy)["Enqueues"]) == 2, 30)
	h = m.read(busy)
	check(h["QueueSize"][-1] == 5 and h["SampleMillis"] == 5000 and h["DestinationName"] == "hist.busy", h)
	check(len(h["QueueSize"]) == len(h["Enqueues"]) == len(h["Dequeues"]) == h["SampleCount"], h)
	b = m.read(history_name("node1"))
	check(b["DestinationName"] == "" and b["SampleCount"] >= 2 and sum(b["Enqueues"]) >= 2, b)
	check(b["TrackedQueuesMax"] == 256 and b["TrackedQueues"] >= 1, b)
	check(b["LastSampleTime"] > 0, b)
	names = m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"})
	check(busy in names and history_name("node1") in names, names)
	# a search for the queues finds queues, not their histories
	qs = m.ok({"type": "search", "mbean": broker_name("node1") + ",destinationType=Queue,*"})
	check(qs and not [n for n in qs if "History" in n], qs)
	# an idle queue has none until its history is read (its console page)
	m.execute(broker_name("node1"), "addQueue", "hist.idle")
	idle = history_name("node1", "hist.idle")
	check(idle not in m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"}), "idle tracked")
	check(m.read(idle)["SampleCount"] == 0, "idle")
	check(idle in m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"}), "idle not taken on")
	r = m.req({"type": "read", "mbean": history_name("node1", "no.such.queue")})
	check(r["status"] == 404, r)
	EOF
'

test_expect_success 'history: at most 256 queues have one, however many are in use' '
	stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	c = client(port())
	for i in range(300):
	    send_on(c, "/queue/many.%03d" % i, "x", receipt=(i == 299))
	b = history_name("node1")
	until("a sweep to find them all", lambda: m.read(b)["UntrackedQueues"] > 0, 30)
	h = m.read(b)
	check(h["TrackedQueues"] == 256, h["TrackedQueues"])
	# a queue removed gives its place back at the next sample
	for i in range(300):
	    m.execute(broker_name("node1"), "removeQueue", "many.%03d" % i)
	until("the places given back", lambda: m.read(b)["TrackedQueues"] < 100, 30)
	EOF
'

# row NAME: the /queues row of queue NAME in page.html, on one line.
row() { tr -d '\n' <page.html | sed 's/<tr/\n<tr/g' | grep "<a href=\"/queue?name=$1\">$1</a>"; }

test_expect_success 'queues page: producers, memory % and blocked producers; a queue with messages and no consumer is marked stuck' '
	stomp_py <<-\EOF &&
	from tstomp import *
	send(port(), "/queue/stuck.q", "waits")
	EOF
	test "$(get "/queues?filter=stuck.q")" = 200 &&
	grep -q "<th class=\"num\"><a class=\"sort\" href=\"/queues?sort=-ProducerCount&amp;filter=stuck.q\">Producers</a></th>" page.html &&
	grep -q ">Memory %</a>" page.html && grep -q ">Blocked</a>" page.html &&
	row stuck.q | grep -q "<tr data-mbean=\"[^\"]*\" class=\"stuck\">" &&
	row stuck.q | grep -q "<td class=\"state\">stuck: no consumer</td>" &&
	row stuck.q | grep -q "data-attr=\"ProducerCount\">" &&
	row stuck.q | grep -q "data-attr=\"MemoryPercentUsage\">0<" &&
	get "/queues?filter=hist.idle" >/dev/null && row hist.idle | grep -q "<tr data-mbean=\"[^\"]*\"><td>" &&
	row hist.idle | grep -q "<td class=\"state\"></td>"
'

test_expect_success 'queues page: a producer held by flow control marks its queue blocked' '
	{ PORT=$(broker_port node1) stomp_py <<-\EOF &
	import os, time
	from tstomp import *
	p = client()
	for i in range(200):
	    p.conn.send("/queue/full.q", "%d %s" % (i, "x" * 1024), headers={"persistent": "true"})
	open("producer.sent", "w").close()
	end = time.time() + 60
	while not os.path.exists("producer.done") and time.time() < end:
	    time.sleep(0.1)
	EOF
	} && ppid=$! &&
	wait_lines producer.sent 0 &&
	get "/queues?filter=full.q" >/dev/null &&
	row full.q | grep -q "<tr data-mbean=\"[^\"]*\" class=\"stuck blocked\">" &&
	row full.q | grep -q "<td class=\"state\">stuck: no consumer, producers blocked</td>" &&
	row full.q | grep -q "data-attr=\"BlockedProducers\">1<" &&
	get "/queue?name=full.q" >/dev/null &&
	grep -q "id=\"queue-blocked\">Blocked: flow control holds 1 producer(s) (memory at 10[0-9]% of its limit)" page.html;
	status=$?; touch producer.done; wait $ppid; return $status
'

test_expect_success 'queues page: a heading sorts by its column, largest first, then smallest; name order is the default' '
	stomp_py <<-\EOF &&
	from tstomp import *
	c = client(port())
	for q, n in (("sort.a", 1), ("sort.b", 3), ("sort.c", 2)):
	    for i in range(n):
	        send_on(c, "/queue/" + q, "x", receipt=True)
	EOF
	order() { grep -o "<a href=\"/queue?name=sort\.[abc]\">sort\.[abc]</a></td>" page.html | sed "s/.*>\(sort\..\)<.*/\1/" | tr "\n" " "; } &&
	get "/queues?filter=sort." >/dev/null && test "$(order)" = "sort.a sort.b sort.c " &&
	grep -q "<th aria-sort=\"ascending\"><a class=\"sort\" href=\"/queues?sort=-Name&amp;filter=sort.\">Name &#9650;</a>" page.html &&
	get "/queues?sort=-QueueSize&filter=sort." >/dev/null && test "$(order)" = "sort.b sort.c sort.a " &&
	grep -q "aria-sort=\"descending\"><a class=\"sort\" href=\"/queues?sort=QueueSize&amp;filter=sort.\">Size &#9660;" page.html &&
	grep -q "id=\"sorted-paging\">Queues 1 to 3 of 3" page.html &&
	get "/queues?sort=QueueSize&filter=sort." >/dev/null && test "$(order)" = "sort.a sort.c sort.b " &&
	get "/queues?sort=-Name&filter=sort." >/dev/null && test "$(order)" = "sort.c sort.b sort.a " &&
	get "/queues?sort=Bogus&filter=sort." >/dev/null && test "$(order)" = "sort.a sort.b sort.c "
'

test_expect_success 'queues page: a sort over more queues than one read may take says so, and lists by name' '
	stomp_py <<-\EOF &&
	from tstomp import *
	from tmgmt import *
	m = Mgmt()
	for i in range(2000):
	    m.execute(broker_name("node1"), "addQueue", "bulk.%04d" % i)
	# a sorted read'"'"'s offset counts in the sorted order, once
	r = m.req({"type": "read", "mbean": DOMAIN + ":type=Broker,brokerName=node1,destinationType=Queue,destinationName=bulk.0*",
	           "attribute": "Name", "config": {"sort": "-Name", "offset": 900, "limit": 100}})
	check(r["status"] == 200 and r["total"] == 1000, r.get("total"))
	names = sorted(v["Name"] for v in r["value"].values())
	check(len(names) == 100 and names[0] == "bulk.0000" and names[-1] == "bulk.0099", names[:3])
	EOF
	get "/queues?sort=-QueueSize" >/dev/null &&
	grep -q "id=\"sort-refused\">Not sorted: A sort looks at no more than 2000 objects" page.html &&
	grep -q "id=\"next-page\"" page.html &&
	get "/queues?sort=-QueueSize&filter=bulk.00*" >/dev/null &&
	grep -q "id=\"sorted-paging\">Queues 1 to 100 of 100" page.html &&
	get "/queues?sort=-QueueSize&filter=bulk.0*" >/dev/null &&
	grep -q "id=\"sorted-paging\">Queues 1 to 100 of 1000 .*href=\"/queues?sort=-QueueSize&amp;offset=100&amp;filter=bulk.0%2A\">Next 100" page.html &&
	get "/queues?sort=-QueueSize&offset=900&filter=bulk.0*" >/dev/null &&
	grep -q "id=\"sorted-paging\">Queues 901 to 1000 of 1000 <a id=\"first-page\"" page.html &&
	! grep -q "id=\"next-page\"" page.html
'

test_expect_success 'a queue'"'"'s page: its messages 50 at a time with timestamp and age; send, purge and delete there, naming the queue' '
	stomp_py <<-\EOF &&
	from tstomp import *
	c = client(port())
	for i in range(120):
	    send_on(c, "/queue/browse.q", "m%03d" % i, receipt=(i == 119))
	EOF
	get "/queue?name=browse.q" >/dev/null &&
	test "$(grep -c "^<tr><td><a href=\"/message?queue=browse.q" page.html)" = 50 &&
	grep -q "id=\"browse-paging\">Messages 1 to 50 of the first 120 waiting (120 in the queue) <a id=\"next-page\" rel=\"next\" href=\"/queue?name=browse.q&amp;offset=50\">" page.html &&
	grep -q "<th>Timestamp (UTC)</th><th>Age</th>" page.html &&
	grep -Eq "<td title=\"[0-9]+\">20[0-9-]+ [0-9:]+\.[0-9]{3}Z</td><td class=\"num\">[0-9]+s</td><td>4</td>" page.html &&
	grep -q "m000" page.html && ! grep -q "m050" page.html &&
	get "/queue?name=browse.q&offset=100" >/dev/null &&
	test "$(grep -c "^<tr><td><a href=\"/message?queue=browse.q" page.html)" = 20 &&
	grep -q "m119" page.html && grep -q "id=\"prev-page\"" page.html &&
	grep -q "data-confirm=\"Remove every message of queue browse.q?\"" page.html &&
	grep -q "data-confirm=\"Delete queue browse.q and every message in it?\"" page.html &&
	grep -q "data-confirm=\"Delete message ID:[^\"]* from queue browse.q?\"" page.html &&
	grep -q "<a href=\"/send?type=queue&amp;dest=browse.q\">Send</a>" page.html &&
	grep -q "class=\"hchart\" id=\"queue-chart\" data-history=\"org.apache.activemq:type=Broker,brokerName=node1,service=History,queue=browse.q\"" page.html &&
	t=$(csrf) &&
	test "$(post /queues/purge -d "csrf=$t&name=browse.q&back=queue")" = 303 &&
	grep -qi "^Location: /queue?name=browse.q&done=Purged%20browse.q%20%28120%20message%28s%29%29" hdr &&
	test "$(post /queues/delete -d "csrf=$t&name=browse.q")" = 303 &&
	grep -qi "^Location: /queues?done=Deleted%20browse.q" hdr
'

if command -v chromium >/dev/null 2>&1; then
	test_expect_success 'chromium: the overview'"'"'s and a queue'"'"'s charts are full when the page loads, with axes, a legend and a scale each for depth and rates' '
		mkdir -p screens &&
		W=$W stomp_py <<-\EOF
		import os, re
		from tstomp import *
		from tmgmt import *
		from tchrome import Chrome
		W = os.environ["W"]
		m = Mgmt()
		c = client(port())
		for i in range(5):
		    send_on(c, "/queue/chart.q", "x", receipt=(i == 4))
		q = history_name("node1", "chart.q")
		until("chart.q sampled", lambda: queue_history(m, q).get("SampleCount", 0) >= 1, 30)
		for i in range(10):
		    send_on(c, "/queue/chart.q", "y", receipt=(i == 9))
		until("3 samples of chart.q", lambda: queue_history(m, q).get("SampleCount", 0) >= 3, 30)
		ch = Chrome(os.environ["TRASH"])
		try:
		    ch.goto(W + "/login")
		    ch.load(lambda: ch.js("""document.querySelector("input[name=user]").value = "admin";
		        document.querySelector("input[name=password]").value = "admin";
		        document.querySelector("form").submit(); 1"""))
		    for path, chart in (("/", "#broker-chart"), ("/queue?name=chart.q", "#queue-chart")):
		        ch.goto(W + path)
		        # the first read draws the whole history: no waiting for polls to add up
		        pts = "document.querySelector(\"%s polyline.depth\").getAttribute(\"points\").split(\" \").length" % chart
		        ch.until(chart + " drawn whole by its first read, before a second poll", pts + " >= 3", 4)
		        labels = lambda cls: ch.js("[...document.querySelectorAll(\"%s text.%s\")].map(t => t.textContent)" % (chart, cls))
		        left, right, times = labels("left"), labels("right"), labels("time")
		        check(len(left) == 5 and len(right) == 5 and left[0] == "0" and right[0] == "0", (left, right))
		        check(len(times) == 5 and all(re.match(r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$", t) for t in times), times)
		        check(labels("legend") == ["messages held (left)", "in /s (right)", "out /s (right)"], labels("legend"))
		        ch.screenshot("screens/chart-%s.png" % ("overview" if path == "/" else "queue"))
		    # the queue: 15 held on the left scale (up to 20), rates on their own
		    check(left[-1] == "20" and right[-1] != left[-1], (left, right))
		    check(ch.js("document.querySelector(\"#queue-chart .chart-note\").textContent").startswith("Now: 15 held"), "note")
		finally:
		    ch.close()
		EOF
	'

	test_expect_success 'chromium at a phone'"'"'s 390 px: no page is wider than the screen, and no two buttons or links overlap' '
		mkdir -p screens &&
		W=$W stomp_py <<-\EOF
		import os
		from tstomp import *
		from tchrome import Chrome
		W = os.environ["W"]
		send(port(), "/queue/a.rather.long.queue.name.that.has.to.wrap.somewhere", "a body " * 40,
		     headers={"some-header": "a value"})
		ch = Chrome(os.environ["TRASH"])
		try:
		    ch.call("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844,
		            "deviceScaleFactor": 1, "mobile": True}, session=True)
		    ch.goto(W + "/login")
		    ch.load(lambda: ch.js("""document.querySelector("input[name=user]").value = "admin";
		        document.querySelector("input[name=password]").value = "admin";
		        document.querySelector("form").submit(); 1"""))
		    overlap = """(() => {
		      const r = [...document.querySelectorAll("button, a, input, select, textarea")]
		        .map(e => [e, e.getBoundingClientRect()]).filter(([e, b]) => b.width && b.height);
		      for (let i = 0; i < r.length; i++)
		        for (let j = i + 1; j < r.length; j++) {
		          const [e, a] = r[i], [f, b] = r[j];
		          if (e.contains(f) || f.contains(e)) continue;
		          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
		            return e.outerHTML.slice(0, 80) + " / " + f.outerHTML.slice(0, 80);
		        }
		      return "";
		    })()"""
		    pages = ["/", "/queues", "/queue?name=a.rather.long.queue.name.that.has.to.wrap.somewhere",
		             "/send", "/topics", "/subscribers", "/connections", "/network", "/ha", "/cluster"]
		    for path in pages:
		        ch.goto(W + path)
		        width = ch.js("document.documentElement.scrollWidth")
		        check(width <= 390, "%s: the page is %d px wide" % (path, width))
		        o = ch.js(overlap)
		        check(not o, "%s: overlap: %s" % (path, o))
		        ch.screenshot("screens/phone-%s.png" % (path.strip("/").split("?")[0] or "overview"))
		    # the queues table scrolls inside itself rather than widening the page
		    ch.goto(W + "/queues")
		    check(ch.js("(t => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX == \"auto\")(document.getElementById(\"queues\"))"),
		          "the queues table does not scroll")
		finally:
		    ch.close()
		EOF
	'
else
	test_skip 'chromium draws the charts and the pages at 390 px' 'no chromium (apt-get install chromium)'
fi

test_expect_success 'send form on a slave: not sent, the values kept, a link to the master'"'"'s send form' '
	STORE_DIR="$TRASH/pair" WEB_PORT=auto broker_config pa && start_broker pa &&
	STORE_DIR="$TRASH/pair" WEB_PORT=auto broker_config pb && start_slave pb &&
	M="http://127.0.0.1:$(broker_web_port pa)" &&
	W="http://127.0.0.1:$(broker_web_port pb)" &&
	test "$(login admin admin)" = 303 &&
	get "/send?dest=orders" >/dev/null &&
	grep -q "id=\"master-send\" href=\"$M/send?type=queue&amp;dest=orders\"" page.html &&
	t=$(csrf) &&
	test "$(post /send -d "csrf=$t&type=topic&dest=on.slave&priority=3&body=kept")" = 200 &&
	grep -q "Not sent: this node is a slave" page.html &&
	grep -q "id=\"master-send\" href=\"$M/send?type=topic&amp;dest=on.slave\"" page.html &&
	grep -q ">kept</textarea>" page.html
'

test_done
