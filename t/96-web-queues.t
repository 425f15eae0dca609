#!/bin/sh
# The console's queues, charts, send form and phone width (issue 21):
# driven with curl as a browser without JavaScript would, then with
# Debian's chromium.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto WEB_PORT=auto broker_config node1
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
	H = lambda name: name + ",service=History"
	c = client(port())
	for i in range(3):
	    send_on(c, "/queue/hist.busy", "m%d" % i, receipt=(i == 2))
	busy = H(queue_name("node1", "hist.busy"))
	# taken on by the sweep (messages wait there), then sampled
	until("the busy queue sampled", lambda: queue_history(m, busy).get("SampleCount", 0) >= 1, 30)
	for i in range(2):
	    send_on(c, "/queue/hist.busy", "n%d" % i, receipt=(i == 1))
	until("the next sample", lambda: sum(queue_history(m, busy)["Enqueues"]) == 2, 30)
	h = m.read(busy)
	check(h["QueueSize"][-1] == 5 and h["SampleMillis"] == 5000 and h["DestinationName"] == "hist.busy", h)
	check(len(h["QueueSize"]) == len(h["Enqueues"]) == len(h["Dequeues"]) == h["SampleCount"], h)
	b = m.read(H(broker_name("node1")))
	check(b["DestinationName"] == "" and b["SampleCount"] >= 2 and sum(b["Enqueues"]) >= 2, b)
	check(b["TrackedQueuesMax"] == 256 and b["TrackedQueues"] >= 1, b)
	check(b["LastSampleTime"] > 0, b)
	names = m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"})
	check(busy in names and H(broker_name("node1")) in names, names)
	# an idle queue has none until its history is read (its console page)
	m.execute(broker_name("node1"), "addQueue", "hist.idle")
	idle = H(queue_name("node1", "hist.idle"))
	check(idle not in m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"}), "idle tracked")
	check(m.read(idle)["SampleCount"] == 0, "idle")
	check(idle in m.ok({"type": "search", "mbean": DOMAIN + ":service=History,*"}), "idle not taken on")
	r = m.req({"type": "read", "mbean": H(queue_name("node1", "no.such.queue"))})
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
	b = broker_name("node1") + ",service=History"
	until("a sweep to find them all", lambda: m.read(b)["UntrackedQueues"] > 0, 30)
	h = m.read(b)
	check(h["TrackedQueues"] == 256, h["TrackedQueues"])
	EOF
'

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
