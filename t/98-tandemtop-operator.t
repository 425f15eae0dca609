#!/bin/sh
# tandemtop as an on-call operator uses it (issue 21): the summary line
# turns red or yellow for any trouble, the selection never hides it, a
# node that went down keeps its messages in the totals (stale), filters
# and sorts belong to their screen and to what it shows, rates fall to 0
# when traffic stops, a bridge's drill-down lists its flows, browse lists
# messages one a line, and --batch prints tsv and json records.
#
# Three brokers: x and y apart (a consumer on y cannot reach x's
# messages: stuck), z bridged to y. The screen runs in tmux.
. "$(dirname "$0")/test-lib.sh"

TOP=$TEST_BUILD/tui/tandemtop
MGMT_PORT=auto
mgmt() { echo "127.0.0.1:$(broker_mgmt_port $1)"; }

mkdir -p y && free_port >y/port &&
BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="full.q" memoryLimit="64 kb" producerFlowControl="true"/>
</policyEntries></policyMap></destinationPolicy>' broker_config x &&
broker_config y && static_network z 'prefetchSize="10"' y &&
start_broker x && start_bridged z:y || exit 1

. "$TEST_ROOT/t/lib/ttmux.sh"
# line_sgr ERE: the colour numbers (SGR) on the first pane line matching ERE.
line_sgr() {
	tm capture-pane -e -p -t =top: >colour.txt &&
	"$PYTHON" - "$1" colour.txt <<-\EOF
	import re, sys
	for line in open(sys.argv[2]).read().splitlines():
	    if re.search(sys.argv[1], re.sub(r"\x1b\[[0-9;]*m", "", line)):
	        print(" ".join(p for s in re.findall(r"\x1b\[([0-9;]*)m", line) for p in s.split(";")))
	        break
	EOF
}
# cell ROW COL: on the Queues screen, the cell of column COL in row NAME ROW.
cell() {
	"$PYTHON" - "$1" "$2" pane.txt <<-\EOF
	import re, sys
	lines = open(sys.argv[3]).read().splitlines()
	head = next(l for l in lines if l.split()[:2] == ["T", "NAME"])
	row = next((l for l in lines if l.split()[:2] == ["Q", sys.argv[1]]), "")
	# The cell under the title: titles of numbers end where their cells do.
	m = re.search(r"(^| )" + re.escape(sys.argv[2]) + r"[\u25b2\u25bc]?(?= |$)", head)
	end = m.end()
	print(row[:end].split()[-1] if len(row) >= end else "")
	EOF
}
# until_cell ROW COL ERE: until that cell matches (15 s).
until_cell() {
	for i in $(seq 75); do
		tm capture-pane -p -t =top: >pane.txt && cell "$1" "$2" | grep -Eqx -- "$3" && return 0
		sleep 0.2
	done
	echo "$1 $2 never matched $3:"; cat pane.txt
	return 1
}
# until_sgr ERE N: until the line matching ERE shows SGR N (15 s).
until_sgr() {
	for i in $(seq 75); do
		line_sgr "$1" | grep -qw "$2" && return 0
		sleep 0.2
	done
	echo "no SGR $2 on the line matching $1:"; line_sgr "$1"; cat pane.txt
	return 1
}

test_expect_success 'the screen starts over x, y and z' '
	tm -f /dev/null new-session -d -s top -x 160 -y 40 \
		"LANG=C.UTF-8 \"$TOP\" --node $(mgmt x) --node $(mgmt y) --node $(mgmt z) --interval 0.3; sleep 60" &&
	screen_shows "^x +MASTER " "^y +MASTER " "^z +MASTER " "^tandemtop [0-9:]+ +queued 0 +nodes 3"
'

test_expect_success 'messages stuck on x (its consumers are on y): the summary turns red and says so' '
	for i in 1 2 3; do ctl --node $(mgmt x) send queue://stuck.q --persistent --body s$i || exit 1; done &&
	{ PORT=$(broker_port y) stomp_py <<-\EOF &
	import os, time
	from tstomp import *
	c = subscriber("/queue/stuck.q")
	open("consumer.pid", "w").write("%d" % os.getpid())
	open("consumer.ready", "w").close()
	time.sleep(600)
	EOF
	} &&
	wait_lines consumer.ready 0 &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+ +1 queue stuck" &&
	until_sgr "^tandemtop " 41
'

test_expect_success 'the selection bar on the stuck row stays red' '
	keys 2 && keys / && keys -l stuck.q && keys Enter &&
	screen_shows "filter: stuck.q" "^Q +stuck\.q +3 .*stuck on x" &&
	until_sgr "^Q +stuck\.q" 41 &&
	! line_sgr "^Q +stuck\.q" | grep -qw 46
'

test_expect_success 'a filter belongs to the screen it was typed on' '
	keys 1 &&
	screen_shows "^x +MASTER " "^y +MASTER " "^z +MASTER " &&
	! grep -q "filter:" pane.txt &&
	keys 2 && screen_shows "filter: stuck.q" &&
	keys / Escape && screen_lacks "filter:" && screen_shows "^ ?1 Cluster +2 Queues"
'

test_expect_success 'a producer held by flow control: the summary says so, yellow when nothing is worse' '
	kill $(cat consumer.pid) &&
	ctl --node $(mgmt x) purge stuck.q >/dev/null &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+ +nodes" &&
	{ PORT=$(broker_port x) stomp_py <<-\EOF &
	import os, time
	from tstomp import *
	p = client()
	open("producer.pid", "w").write("%d" % os.getpid())
	for i in range(200):
	    p.conn.send("/queue/full.q", "%d %s" % (i, "x" * 1024), headers={"persistent": "true"})
	open("producer.sent", "w").close()
	time.sleep(600)
	EOF
	} &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+ +1 producer blocked" &&
	until_sgr "^tandemtop " 43 &&
	kill $(cat producer.pid) &&
	# What the producer wrote before it went is still read in as room frees.
	for i in $(seq 60); do
		ctl --node $(mgmt x) purge full.q >/dev/null &&
		tm capture-pane -p -t =top: >pane.txt && ! grep -q "blocked" pane.txt && break
		sleep 0.5
	done && ! grep -q "blocked" pane.txt
'

test_expect_success 'at 80x24 the summary keeps the total, the Queues screen its T column' '
	tm resize-window -t =top: -x 80 -y 24 &&
	keys 2 &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+" "^T +NAME " "^Q +full\.q "
'

test_expect_success 'sort keys go over the columns shown only; numbers start with the largest; the title marks it' '
	ctl --node $(mgmt x) send queue://sort.small --body a &&
	for i in 1 2 3; do ctl --node $(mgmt x) send queue://sort.big --body b$i || exit 1; done &&
	screen_shows "^Q +sort\.big " &&
	for i in $(seq 20); do
		keys s && sleep 0.3 && tm capture-pane -p -t =top: >pane.txt &&
		title=$(sed -n "s/.*sorted by \([^ ]*\).*/\1/p" pane.txt) &&
		if [ "$title" = the ]; then break; fi &&
		echo "sorted by $title" &&
		grep -E "^T" pane.txt | grep -qF "$title" || { echo "not a column shown: $title"; cat pane.txt; exit 1; }
		if [ "$title" = TOTAL ]; then
			grep -q "sort: TOTAL descending" pane.txt && grep -q "TOTAL▼" pane.txt &&
			for q in sort.big sort.small; do cell $q TOTAL; done | tr "\n" " " | grep -qx "3 1 " &&
			awk "\$1 == \"Q\" { print \$2 }" pane.txt | grep -x "sort\.[a-z]*" | tr "\n" " " |
				grep -qx "sort.big sort.small " || { cat pane.txt; exit 1; }
			seen=1
		fi
	done &&
	[ "${seen:-}" = 1 ] &&
	tm resize-window -t =top: -x 160 -y 40
'

test_expect_success 'rates are per second over a few seconds and fall to 0 when traffic stops' '
	{ ctl producer --stomp tcp://127.0.0.1:$(broker_stomp_port x) --destination rate.q --count 100 --rate 50 \
		>rate.out 2>&1 & } &&
	keys / && keys -l rate.q && keys Enter &&
	until_cell rate.q IN/s "[1-9][0-9]+(\.[0-9])?" &&
	wait &&
	until_cell rate.q TOTAL 100 && until_cell rate.q IN/s 0 &&
	keys / Escape
'

test_expect_success 'a bridge drill-down lists its flows destination by destination, times formatted' '
	{ PORT=$(broker_port y) stomp_py <<-\EOF &
	import os, time
	from tstomp import *
	c = subscriber("/queue/flow.q")
	open("flow.pid", "w").write("%d" % os.getpid())
	open("flow.ready", "w").close()
	c.wait(20)
	open("flow.done", "w").close()
	time.sleep(600)
	EOF
	} &&
	wait_lines flow.ready 0 &&
	log_waits_for z "consumer(s) of queue://flow.q on y: forwarding" &&
	ctl producer --stomp tcp://127.0.0.1:$(broker_stomp_port z) --destination flow.q --count 20 >flow.out 2>&1 &&
	wait_lines flow.done 0 &&
	keys 3 && screen_shows "^z +y +active " &&
	keys Enter &&
	screen_shows "^bridge z -> y" "Flows between z and y, destination by destination" \
		"-> out +flow\.q +20 +[0-9.]+ +[0-9:]{8} \(" "StateSinceMillis +[0-9:]{8} \([0-9.]+[smhd].* ago\)" &&
	! grep -E "Millis +[0-9]{4}" pane.txt &&
	screen_shows "-> out +flow\.q +20 +0\.0 " &&
	keys Escape && kill $(cat flow.pid)
'

test_expect_success 'browse: one line per message (size, age, body cut), Enter for the whole of one' '
	PORT=$(broker_port x) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	send_on(p, "/queue/browse.q", "short one")
	send_on(p, "/queue/browse.q", "first line\nsecond line\n" + "long " * 100 + "END")
	EOF
	keys 2 && keys / && keys -l browse.q && keys Enter &&
	screen_shows "^Q +browse\.q +2 " &&
	keys b &&
	screen_shows "^queue browse\.q on x: first 2 messages" "^ +# +AGE +SIZE " \
		"^ +1 +[0-9.]+[smhd] +9 +4 .*short one" "^ +2 +[0-9.]+[smhd] +526 +4 .*first line second line long" &&
	! grep -q END pane.txt &&
	keys Down Enter &&
	screen_shows "^message ID:" "Body, 526 bytes" "^first line *\$" "^second line *\$" "END" &&
	keys Escape && screen_shows "^queue browse\.q on x: first 2 messages" &&
	keys Escape && screen_shows "^ ?1 Cluster +2 Queues" &&
	keys / Escape
'

test_expect_success 'a node down keeps its messages in the totals, marked stale, with its column' '
	kill_broker x &&
	keys 2 &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+ \([0-9]+ stale\) +1 node down" "^T +NAME +x +" \
		"^Q +browse\.q +2\? +- +- +2\? .*stale on x" &&
	until_sgr "^tandemtop " 41
'

test_expect_success 'a bridge down (its remote killed) is trouble too' '
	kill_broker y &&
	screen_shows "^tandemtop [0-9:]+ +queued [0-9]+ \([0-9]+ stale\) +2 nodes down, 1 bridge down" &&
	until_sgr "^tandemtop " 41 &&
	keys 3 && screen_shows "^z +y +[a-z]+ " && ! grep -q "^z +y +active" pane.txt
'

test_expect_success 'q quits' '
	keys q && sleep 0.5 && ! tm capture-pane -p -t =top: | grep -q "^tandemtop "
'

test_expect_success 'batch --format=tsv: one record a line, fields unpadded, events once' '
	"$TOP" --node $(mgmt y) --node $(mgmt z) --node $(mgmt x) --no-discover --batch --format=tsv \
		--iterations 3 --interval 0.3 --timeout 0.5 >out.tsv 2>err && cat out.tsv &&
	[ ! -s err ] &&
	"$PYTHON" - out.tsv <<-\EOF
	import sys
	from tstomp import check
	lines = open(sys.argv[1]).read().splitlines()
	names = None
	rows = {}
	for l in lines:
	    f = l.split("\t")
	    if l.startswith("#"):
	        names = f
	        continue
	    check(len(f) == len(names) or f[1].endswith("-group"), "fields do not match %r: %r" % (names, f))
	    for x in f:
	        check(x == x.strip(), "a padded field: %r in %r" % (x, l))
	    rows.setdefault(f[1], []).append(dict(zip(names, f)))
	check(len(rows["summary"]) == 3, rows.get("summary"))
	check(rows["summary"][0]["nodes_down"] == "2", rows["summary"][0])
	# x and y are down: each said once, however many snapshots.
	down = [r["EVENT"] for r in rows["events"] if "unreachable" in r["EVENT"]]
	check(len(down) == 2 and len(set(down)) == 2, "printed: %r" % down)
	check(any(r["NAME"] == "flow.q" and r["T"] == "Q" for r in rows["queues"]), rows["queues"])
	check(any(r["FROM"] == "z" and r["TO"] == "y" for r in rows["flows"]), rows["flows"])
	EOF
'

test_expect_success 'batch --format=json: one JSON object a line, numbers as numbers' '
	"$TOP" --node $(mgmt y) --node $(mgmt z) --node $(mgmt x) --no-discover --batch --format=json \
		--iterations 2 --interval 0.3 --timeout 0.5 --screen queues >out.json && cat out.json &&
	"$PYTHON" - out.json <<-\EOF
	import json, sys
	from tstomp import check
	recs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
	check({r["kind"] for r in recs} == {"summary", "queues"}, recs)
	flow = [r for r in recs if r.get("NAME") == "flow.q"]
	check(len(flow) == 2 and flow[0]["TOTAL"] == 0 and flow[0]["z"] == 0, flow)
	check(recs[0]["kind"] == "summary" and recs[0]["nodes_down"] == 2, recs[0])
	EOF
'

test_expect_success '--format needs --batch and a known name (exit 2)' '
	{ "$TOP" --batch --format=xml; [ $? = 2 ]; } &&
	{ "$TOP" --format=json; [ $? = 2 ]; }
'

test_done
