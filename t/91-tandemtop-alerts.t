#!/bin/sh
# tandemtop's Queues screen names what an operator must look at: messages
# stuck on a node (depth there, no consumer there, consumers elsewhere)
# and producers held by flow control. Two brokers, no network between
# them: stuck.q has messages on x and its only consumer on y.
. "$(dirname "$0")/test-lib.sh"

TOP=$TEST_BUILD/tui/tandemtop
MGMT_PORT=auto
BROKER_EXTRA='<destinationPolicy><policyMap><policyEntries>
  <policyEntry queue="full.q" memoryLimit="64 kb" producerFlowControl="true"/>
</policyEntries></policyMap></destinationPolicy>' broker_config x &&
broker_config y && start_broker x && start_broker y || exit 1

test_expect_success 'messages on a node without consumers, consumers elsewhere: stuck on that node' '
	PORT=$(broker_port x) stomp_py <<-\EOF &&
	from tstomp import *
	p = client()
	for i in range(3):
	    send_on(p, "/queue/stuck.q", "s%d" % i)
	EOF
	{ PORT=$(broker_port y) stomp_py <<-\EOF &
	import time
	from tstomp import *
	c = subscriber("/queue/stuck.q")
	open("consumer.ready", "w").close()
	time.sleep(30)
	EOF
	} && cpid=$! &&
	wait_lines consumer.ready 0 &&
	"$TOP" --node 127.0.0.1:$(broker_mgmt_port x) --node 127.0.0.1:$(broker_mgmt_port y) \
		--batch --iterations 2 --interval 0.5 --width 200 --screen queues >out 2>err;
	status=$?; kill $cpid; cat out err; [ $status = 0 ] &&
	grep -Eq "stuck\.q .*stuck on x" out
'

test_expect_success 'a producer held by flow control: blocked' '
	{ PORT=$(broker_port x) stomp_py <<-\EOF &
	import time
	from tstomp import *
	p = client()
	for i in range(200):
	    p.conn.send("/queue/full.q", "%d %s" % (i, "x" * 1024), headers={"persistent": "true"})
	open("producer.sent", "w").close()
	time.sleep(30)
	EOF
	} && ppid=$! &&
	wait_lines producer.sent 0 &&
	"$TOP" --node 127.0.0.1:$(broker_mgmt_port x) --batch --iterations 2 --interval 0.5 \
		--width 200 --screen queues >out 2>err;
	status=$?; kill $ppid; cat out err; [ $status = 0 ] &&
	grep -Eq "full\.q .*1 producer blocked" out
'

test_done
