#!/bin/sh
# tandemtop (issue 7) against a live cluster of two master/slave pairs
# joined into a network, as t/81-pairs.t builds it: A1/A2 share one store,
# B1/B2 another, each node's networkConnector names the other pair.
# tandemtop is given one node and finds the other three (the pair's roster
# in the store directory, the bridge's remote). Batch mode is read as
# plain text; the screen runs in tmux and is read with capture-pane.
. "$(dirname "$0")/test-lib.sh"

TOP=$TEST_BUILD/tui/tandemtop

two_pairs_config || exit 1
pair() { pair_failover "$1"; }
mgmt() { echo "127.0.0.1:$(broker_mgmt_port $1)"; }

. "$TEST_ROOT/t/lib/ttmux.sh"

test_expect_success 'two pairs start and their masters bridge' '
	start_broker a1 && start_slave a2 && start_broker b1 && start_slave b2 &&
	log_waits_for a1 "Network connection between a1 and b1" &&
	log_waits_for b1 "Network connection between b1 and a1"
'

test_expect_success 'batch mode, given one node, finds the other three: each pair one MASTER, one SLAVE' '
	"$TOP" --node "$(mgmt a1)" --batch --iterations 2 --interval 0.5 --width 200 >batch.out 2>batch.err &&
	cat batch.out &&
	[ ! -s batch.err ] &&
	[ $(grep -c "^tandemtop " batch.out) = 2 ] &&
	grep -Eq "^pair pairA/kahadb: 2 nodes, 1 master, 1 slave" batch.out &&
	grep -Eq "^pair pairB/kahadb: 2 nodes, 1 master, 1 slave" batch.out &&
	grep -Eq "^a1 +MASTER +127\.0\.0\.1:$(broker_mgmt_port a1) +self " batch.out &&
	grep -Eq "^a2 +SLAVE +127\.0\.0\.1:$(broker_mgmt_port a2) +a1 +[0-9.]+[smhd].* #" batch.out &&
	grep -Eq "^b1 +MASTER +127\.0\.0\.1:$(broker_mgmt_port b1) " batch.out &&
	grep -Eq "^b2 +SLAVE +127\.0\.0\.1:$(broker_mgmt_port b2) +b1 " batch.out &&
	grep -Eq "^a1 +b1 +active " batch.out && grep -Eq "^b1 +a1 +active " batch.out &&
	grep -Eq "^[0-9:]{8} +b2 +found b2 at 127\.0\.0\.1:$(broker_mgmt_port b2) \(pair of b1\)" batch.out &&
	grep -Eq "^[0-9:]{8} +b1 +found b1 at 127\.0\.0\.1:$(broker_mgmt_port b1) \(bridged from a1\)" batch.out
'

test_expect_success 'the pair roster forgets an entry not written for an hour (a retired node), keeps newer ones' '
	R=$TRASH/pairA/kahadb/management &&
	echo 127.0.0.1:1 >"$R/retired" && touch -d "2 hours ago" "$R/retired" &&
	echo 127.0.0.1:2 >"$R/recent" && touch -d "10 minutes ago" "$R/recent" &&
	MPORT=$(broker_mgmt_port a1) stomp_py <<-\EOF &&
	from tmgmt import *
	nodes = Mgmt().read(broker_name("a1") + ",service=Locker", "PairNodes")
	check(sorted(nodes) == ["a1", "a2", "recent"], "listed: %r" % nodes)
	EOF
	rm "$R/retired" "$R/recent"
'

test_expect_success 'batch mode: a node that cannot be reached is DOWN, and the run still ends 0' '
	"$TOP" --node 127.0.0.1:$(free_port) --no-discover --batch --iterations 1 --timeout 0.5 \
		--screen cluster >down.out &&
	cat down.out &&
	grep -Eq "^\? +DOWN +127\.0\.0\.1:[0-9]+ +cannot connect" down.out &&
	! grep -q "== Queues ==" down.out
'

test_expect_success 'batch mode without --iterations ends on SIGINT and on SIGTERM, with status 0' '
	for sig in INT TERM; do
		# A file of its own each time: the old one would be read before
		# the new run truncates it, and signalled before its handler.
		"$TOP" --node "$(mgmt a1)" --batch --interval 0.2 >endless.$sig 2>&1 &
		pid=$!
		wait_lines endless.$sig 1 || exit 1
		kill -$sig $pid
		for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		if kill -0 $pid 2>/dev/null; then
			kill -9 $pid; echo "tandemtop --batch ignored SIG$sig"; exit 1
		fi
		wait $pid || { st=$?; echo "tandemtop --batch ended with $st on SIG$sig"; exit 1; }
	done
'

test_expect_success 'bad options are usage errors (exit 2)' '
	{ "$TOP" --interval x --batch; [ $? = 2 ]; } &&
	{ "$TOP" --screen nope --batch; [ $? = 2 ]; } &&
	{ "$TOP" --iterations 2; [ $? = 2 ]; } &&
	{ "$TOP" </dev/null >/dev/null 2>err; [ $? = 2 ]; } && grep -q "needs a terminal" err
'

test_expect_success 'man/tandemtop.1 documents every option and key of tandemtop --help' '
	"$TOP" --help >help.out &&
	LC_ALL=C MANWIDTH=200 man -P cat -l "$TEST_ROOT/man/tandemtop.1" >man.txt 2>/dev/null &&
	"$PYTHON" - help.out man.txt <<-\EOF
	import re, sys
	from tstomp import check
	help = open(sys.argv[1]).read().split("keys:\n")
	options = re.findall(r"^  (--[a-z-]+)", help[0], re.M)
	keys = re.findall(r"^  (\S(?:.*?\S)?)  +\S", help[1], re.M)
	# Entries of the man page: the tags of its lists, indented 7.
	tags = [l[7:] for l in open(sys.argv[2]).read().splitlines() if re.match(r" {7}\S", l)]
	check(len(options) >= 12 and len(keys) >= 12, (options, keys))
	# A short tag shares its line with the text.
	entry = lambda e: any(t == e or t.startswith(e + " ") or t.startswith(e + ",") for t in tags)
	for e in options + keys:
	    check(entry(e), "not an entry of the man page: %s" % e)
	EOF
'

test_expect_success 'the screen, in tmux: both pairs show one MASTER and one SLAVE' '
	tm -f /dev/null new-session -d -s top -x 160 -y 50 \
		"LANG=C.UTF-8 \"$TOP\" --node $(mgmt a1) --interval 0.5; echo exit=\$? >\"$TRASH/top.exit\"; sleep 60" &&
	screen_shows "^ ?1 Cluster" "pairA/kahadb: 2 nodes, 1 master, 1 slave" "pairB/kahadb: 2 nodes, 1 master, 1 slave" \
		"^a1 +MASTER " "^a2 +SLAVE " "^b1 +MASTER " "^b2 +SLAVE "
'

# depth_row NAME: the Queues screen row of queue NAME as "a1=N b1=N TOTAL=N".
depth_row() {
	"$PYTHON" - "$1" pane.txt <<-\EOF
	import sys
	lines = open(sys.argv[2]).read().splitlines()
	head = next(l for l in lines if l.split()[:2] == ["T", "NAME"]).split()
	row = next(l for l in lines if l.split()[:2] == ["Q", sys.argv[1]]).split()
	print(" ".join("%s=%s" % (h, v) for h, v in zip(head[2:], row[2:]) if h not in ("IN/s", "OUT/s", "CONS")))
	EOF
}

test_expect_success 'Queues: each node'"'"'s depth and the total match tandemctl dstat' '
	for i in 1 2 3 4 5 6 7; do ctl --node $(mgmt a1) send queue://top.depth --persistent --body a$i || exit 1; done &&
	for i in 1 2 3; do ctl --node $(mgmt b1) send queue://top.depth --persistent --body b$i || exit 1; done &&
	keys 2 &&
	screen_shows "^ ?1 Cluster +2 Queues" "^Q +top\.depth +7 +3 +10 " &&
	ctl --node $(mgmt a1) --node $(mgmt b1) --json dstat >dstat.json &&
	json_true "sorted((r[\"node\"].split(\":\")[1], r[\"QueueSize\"]) for r in rows if r.get(\"Name\") == \"top.depth\") == sorted([(\"$(broker_mgmt_port a1)\", 7), (\"$(broker_mgmt_port b1)\", 3)])" dstat.json &&
	depth_row top.depth >row && cat row &&
	grep -q "^a1=7 b1=3 TOTAL=10" row
'

test_expect_success 'p then y purges the selected queue (on every node)' '
	ctl --node $(mgmt a1) send queue://top.keep --body k &&
	keys / && keys -l "top.depth" && keys Enter &&
	screen_shows "filter: top.depth" "^Q +top\.depth +7 +3 +10 " &&
	! grep -q "top\.keep" pane.txt &&
	keys p &&
	screen_shows "Purge top\.depth on every node that has it\? y/N" &&
	keys y &&
	screen_shows "purged queue top\.depth on" "^Q +top\.depth +0 +0 +0 " &&
	ctl --node $(mgmt a1) --node $(mgmt b1) --json dstat >dstat.json &&
	json_true "[r[\"QueueSize\"] for r in rows if r.get(\"Name\") == \"top.depth\"] == [0, 0]" dstat.json &&
	json_true "[r[\"QueueSize\"] for r in rows if r.get(\"Name\") == \"top.keep\"] == [1]" dstat.json &&
	keys / Escape && screen_shows "^Q +top\.keep "
'

test_expect_success 'Enter drills into a queue, b lists its first messages, Enter shows one, Esc goes back' '
	keys / && keys -l top.keep && keys Enter &&
	screen_shows "filter: top.keep" "^Q +top\.keep +1 " &&
	keys Enter &&
	screen_shows "^queue top\.keep" "On each node" "^ +a1 +127\.0\.0\.1:[0-9]+ +depth 1 +consumers 0" &&
	keys Escape && screen_shows "^Q +top\.keep +1 " &&
	keys b &&
	screen_shows "^queue top\.keep on a1: first 1 message" "^ +1 +[0-9.]+[smhd]+ +1 +4 .* ID:.* k *\$" &&
	keys Enter && screen_shows "^message ID:" "priority +4" "^k *\$" &&
	keys Escape && screen_shows "^queue top\.keep on a1: first 1 message" &&
	keys Escape && keys / Escape &&
	screen_shows "^ ?1 Cluster +2 Queues" "^Q +top\.depth "
'

test_expect_success 'Flows: the bridge from A to B shows messages forwarded while traffic flows' '
	{ ctl consumer --stomp "$(pair b)" --destination top.flow --count 300 --timeout 20 \
		--ready flow.ready >flow.cout 2>&1 & } &&
	wait_lines flow.ready 1 &&
	log_waits_for a1 "consumer(s) of queue://top.flow on b1: forwarding" &&
	{ ctl producer --stomp "$(pair a)" --destination top.flow --count 300 --rate 60 >flow.pout 2>&1 & } &&
	keys 3 &&
	screen_shows "^FROM +TO +STATE +FWD/s" "^a1 +b1 +active " &&
	for i in $(seq 40); do
		tm capture-pane -p -t =top: >pane.txt &&
		awk "\$1 == \"a1\" && \$2 == \"b1\" && \$5 + 0 > 0 { found = 1 } END { exit !found }" pane.txt && break
		sleep 0.25
	done &&
	cat pane.txt &&
	awk "\$1 == \"a1\" && \$2 == \"b1\" && \$5 + 0 > 0 { found = 1 } END { exit !found }" pane.txt &&
	wait
'

test_expect_success 'kill -9 of a master: its slave shows MASTER and an event records the failover' '
	kill_broker a1 &&
	keys 1 &&
	screen_shows "^a2 +MASTER " "^a1 +DOWN " "^b1 +MASTER " "^b2 +SLAVE " &&
	keys 4 &&
	screen_shows "FAILOVER: a2 is now MASTER" "node 127\.0\.0\.1:$(broker_mgmt_port a1) unreachable" &&
	keys 3 &&
	screen_shows "^b1 +a2 +active "
'

# clock: the time in the summary line of the pane.
clock() { tm capture-pane -p -t =top: | sed -n "1s/^tandemtop \([0-9:]*\) .*/\1/p"; }

test_expect_success 'a node that stops answering (SIGSTOP) turns DOWN while the screen goes on; back when it resumes' '
	keys 1 &&
	kill -STOP $(cat b2/pid) &&
	screen_shows "^b2 +DOWN +127\.0\.0\.1:$(broker_mgmt_port b2) +(no snapshot|no answer)" "^b1 +MASTER " &&
	first=$(clock) && sleep 1.2 && [ "$(clock)" != "$first" ] &&
	kill -CONT $(cat b2/pid) &&
	screen_shows "^b2 +SLAVE " &&
	keys 4 && screen_shows "node 127\.0\.0\.1:$(broker_mgmt_port b2) unreachable \(was SLAVE\)" "b2 is SLAVE \(back\)"
'

test_expect_success 'resized to 80x24 the screen stays whole' '
	keys 1 &&
	tm resize-window -t =top: -x 80 -y 24 &&
	screen_shows "^tandemtop " "^ ?1 Cluster" "^a2 +MASTER " "Quit *$" &&
	[ $(wc -l <pane.txt) -le 24 ] &&
	awk "length(\$0) > 80 { bad = 1 } END { exit bad }" pane.txt &&
	keys 2 && screen_shows "^T +NAME " "^Q +top\.keep " &&
	keys s s && screen_shows "sort: NAME ascending" "sorted by NAME" &&
	keys r && screen_shows "sort: NAME descending" &&
	awk "\$1 == \"Q\" { print \$2 }" pane.txt >order && sort -r order | cmp - order &&
	keys ? && screen_shows "tandemtop: keys" "purge the selected queue" &&
	keys Escape && screen_shows "^ ?1 Cluster"
'

# colours FILE: whether a capture-pane -e holds colour settings (SGR 30-47, 38, 48).
colours() {
	"$PYTHON" -c 'import re, sys
sgr = re.findall(r"\x1b\[([0-9;]*)m", open(sys.argv[1]).read())
sys.exit(0 if any(re.match(r"(3[0-8]|4[0-8])$", p) for s in sgr for p in s.split(";")) else 1)' "$1"
}

test_expect_success 'colours, and with NO_COLOR none: roles and problems still stand out' '
	tm capture-pane -e -p -t =top: >colour.txt && colours colour.txt &&
	{ tm new-session -d -s mono -x 100 -y 30 \
		"NO_COLOR=1 \"$TOP\" --node $(mgmt b1) --interval 0.5; sleep 60" &&
	for i in $(seq 50); do
		tm capture-pane -p -t =mono: >mono.txt && grep -Eq "^b1 +MASTER " mono.txt && break
		sleep 0.2
	done &&
	tm capture-pane -e -p -t =mono: >mono.txt && cat mono.txt &&
	! colours mono.txt &&
	grep -q "$(printf "\033")\[[0-9;]*1[;m]" mono.txt; }
	rc=$?; tm kill-session -t =mono:; [ $rc = 0 ]
'

test_expect_success 'q quits with status 0' '
	keys q &&
	for i in $(seq 50); do [ -s top.exit ] && break; sleep 0.1; done &&
	grep -qx "exit=0" top.exit
'

test_done
