#!/bin/sh
# Every example of README.md marked `<!-- example: NAME -->` runs here, as
# a newcomer would paste it, against a live master/slave pair, so that the
# README cannot drift from what Tandem does. The examples name the demo's
# ports (conf/activemq-node1.xml, node2); they are rewritten to the pair's
# free ones, and the programs to the build's, and nothing else is changed. A marked example without a test
# below fails the first test: each must be run.
. "$(dirname "$0")/test-lib.sh"

SHARED=$TRASH/shared/kahadb
MGMT_PORT=auto
WEB_PORT=auto
MQTT_OPTIONS=
EXAMPLES="stomp-cli python mqtt tandemctl mgmt-json check rest"

# The README's examples, one file each: ex/NAME, for those marked
# `<!-- example: NAME -->`. Those another test runs
# (`<!-- example: NAME, run by t/FILE.t -->`) are listed in elsewhere
# ("NAME FILE"), and a block of code with no marker at all in unmarked.
# `<!-- output -->` marks a sample of output.
extract() {
	mkdir -p ex && "$PYTHON" - "$TEST_ROOT/README.md" <<-\EOF
	import re, sys
	name, body, prev, marked = None, [], "", False
	elsewhere, unmarked = open("elsewhere", "w"), open("unmarked", "w")
	def end():
	    global name
	    if name:
	        open("ex/" + name, "w").write("".join(body))
	    name = None
	for n, line in enumerate(open(sys.argv[1]), 1):
	    m = re.match(r"<!-- (example: ([^ ,]+)(, run by (t/[^ ,]+)[^>]*)?|output) -->", line)
	    if m:
	        marked = True
	        if m.group(4):
	            elsewhere.write("%s %s\n" % (m.group(2), m.group(4)))
	        elif m.group(2):
	            name, body = m.group(2), []
	    elif line.startswith("    ") and not prev.startswith("    "):
	        if not marked:
	            unmarked.write("README.md:%d: %s" % (n, line))
	        marked = False
	    if line.startswith("    ") and name:
	        body.append(line[4:])
	    elif line.strip() and not line.startswith("<!--"):
	        end()
	        marked = False
	    if line.strip():
	        prev = line
	end()
	EOF
}

# ported NAME: the example with the demo's ports made the pair's, and
# the programs those of the build under test (build-asan/ for make asan).
ported() {
	sed -e "s#\(^\|[ (]\)\(mgmt/tandemctl\|broker/tandemd\)#\1$TEST_BUILD/\2#g" \
	    -e "s/\b61616\b/$(broker_port a)/g" -e "s/\b61617\b/$(broker_port b)/g" \
	    -e "s/\b1100\b/$(broker_mgmt_port a)/g" -e "s/\b1101\b/$(broker_mgmt_port b)/g" \
	    -e "s/\b1883\b/$(broker_mqtt_port a)/g" -e "s/\b8161\b/$(broker_web_port a)/g" "ex/$1"
}

# run_example NAME: runs it with bash from the top of the tree, as the
# README's paths assume; what it left running in the background (a
# subscriber) is stopped after it.
run_example() {
	ported "$1" >"ex/$1.sh" &&
	(cd "$TEST_ROOT" && timeout 60 bash -c "$(cat "$TRASH/ex/$1.sh")
		st=\$?; kill \$(jobs -p) 2>/dev/null; exit \$st") >"$1.out" 2>&1
	st=$?
	cat "$1.out"
	return $st
}

test_expect_success 'the README marks its examples, and each has a test here' '
	extract &&
	ls ex | sort >marked &&
	echo $EXAMPLES | tr " " "\n" | sort >tested &&
	diff marked tested
'

test_expect_success 'every block of code in the README is an example run by a test, or marked output' '
	cat unmarked && test ! -s unmarked &&
	test -s elsewhere &&
	while read name file; do
		[ -f "$TEST_ROOT/$file" ] || { echo "$name: no $file"; exit 1; }
	done <elsewhere
'

test_expect_success 'a pair for the examples: a master and its slave' '
	STORE_DIR=$SHARED start_broker a &&
	STORE_DIR=$SHARED start_slave b
'

test_expect_success 'README stomp-cli: the stomp client subscribes, sends and receives' '
	ported stomp-cli >ex/stomp-cli.in &&
	cmd=$(head -n1 ex/stomp-cli.in) &&
	sed -n "s/^> //p" ex/stomp-cli.in >stomp.in &&
	# Its input ends once the message came back: at the end of input the
	# client quits.
	{ cat stomp.in
	  for i in $(seq 200); do grep -q "^hello" stomp-cli.out && break; sleep 0.1; done
	} | timeout 30 $cmd >stomp-cli.out 2>&1;
	cat stomp-cli.out &&
	grep -q "^hello" stomp-cli.out
'

test_expect_success 'README python: a receipted persistent send that follows the master' '
	ported python >ex/python.py &&
	timeout 30 "$PYTHON" ex/python.py &&
	ctl --node 127.0.0.1:$(broker_mgmt_port a) browse orders >browse.out &&
	grep -q "one order" browse.out
'

test_expect_success 'README mqtt: a retained reading, which a later subscriber gets' '
	run_example mqtt &&
	mosquitto_sub -p $(broker_mqtt_port a) -t sensors/hall/temp -C 1 -W 10 >retained &&
	test "$(cat retained)" = 21.5
'

test_expect_success 'README tandemctl: ha, bstat, dstat, browse, purge, check and a producer' '
	run_example tandemctl &&
	grep -q "orders" tandemctl.out
'

test_expect_success 'README mgmt-json: a Jolokia request on the management socket, from bash alone' '
	run_example mgmt-json &&
	grep -q "\"status\":200" mgmt-json.out
'

test_expect_success 'README check: --check of the seed node prints what it understood' '
	run_example check &&
	grep -q "brokerName: broker1" check.out
'

test_expect_success 'README rest: curl sends hello over the REST API, curl receives it' '
	run_example rest &&
	grep -q "^Message sent: ID:" rest.out &&
	grep -q "^hello" rest.out
'

test_done
