#!/bin/sh
# Three brokers in a ring, each bridged to the next only: demand travels
# back along the ring as far as consumerTTL lets it, messages go forward
# as far as messageTTL lets them (networkTTL sets both), and nothing goes
# round the ring. One ring has networkTTL 2, the other 1; in the first, z
# takes only authenticated clients and y's bridge logs in to it.
. "$(dirname "$0")/test-lib.sh"

MGMT_PORT=auto

# ring TTL A B C: A bridges to B, B to C, C to A.
ring() {
	ttl=$1
	shift
	for n in "$@"; do mkdir -p "$n" && free_port >"$n/port" || return 1; done
	set -- "$@" "$1"
	while [ $# -gt 1 ]; do
		login=""
		[ "$2" = z ] && login=' userName="bridge" password="over"'
		extra=""
		[ "$1" = z ] && extra=$NETWORK_USERS
		BROKER_EXTRA="$extra<networkConnectors><networkConnector name=\"ring\"
		  uri=\"static:(tcp://127.0.0.1:$(cat "$2/port"))\" networkTTL=\"$ttl\"
		  decreaseNetworkConsumerPriority=\"true\"$login/></networkConnectors>" \
			broker_config "$1" || return 1
		shift
	done
}
ring 2 x y z && ring 1 p q r || exit 1
for n in x y z p q r; do start_broker $n || exit 1; done
for pair in x:y y:z z:x p:q q:r r:p; do
	log_waits_for "${pair%:*}" "Network connection between ${pair%:*} and ${pair#*:}" || exit 1
done

test_expect_success 'networkTTL 2: a consumer on z gets what is sent on x, two bridges away, once' '
	PORT=$(broker_port z) stomp_py <<-\EOF
	from tstomp import *
	from tmgmt import until, log_has
	c = client(login="app", passcode="secret")
	c.conn.subscribe("/queue/ring.far", id="1", ack="auto")
	c.sync()
	until("demand reached x through y", lambda: log_has("x", "consumers of queue://ring.far 1 bridge(s) beyond y"))
	p = client(port("x"))
	for i in range(100):
	    send_on(p, "/queue/ring.far", "m%d" % i, headers={"persistent": "true"})
	got = c.wait(100)
	check([m.body for m in got] == ["m%d" % i for i in range(100)], "all 100 in order")
	check(all(len(m.headers.get("tandem-broker-path", "").split(",")) == 2 for m in got),
	      "by two brokers: %r" % got[0].headers.get("tandem-broker-path"))
	c.sync()
	check(not c.messages, "once each")
	EOF
'

test_expect_success 'networkTTL 2: a topic published on x reaches subscribers on x, y and z once each' '
	PORT=$(broker_port x) stomp_py <<-\EOF
	import time
	from tstomp import *
	from tmgmt import until, log_has
	subs = [subscriber("/topic/ring.news", port(n)) for n in ("x", "y")]
	z = client(port("z"), login="app", passcode="secret")
	z.conn.subscribe("/topic/ring.news", id="1", ack="auto")
	z.sync()
	subs.append(z)
	until("demand reached x", lambda: log_has("x", "of topic://ring.news"))
	until("demand reached y", lambda: log_has("y", "of topic://ring.news"))
	p = client()
	for i in range(50):
	    p.conn.send("/topic/ring.news", "n%d" % i)
	p.sync()
	for name, s in zip("xyz", subs):
	    check([m.body for m in s.wait(50)] == ["n%d" % i for i in range(50)], "%s: all 50" % name)
	time.sleep(0.5)
	for name, s in zip("xyz", subs):
	    s.sync()
	    check(not s.messages, "%s: no copy came round the ring: %d more" % (name, len(s.messages)))
	EOF
'

test_expect_success 'networkTTL 1: one bridge away is served, two are not (the message waits at p)' '
	PORT=$(broker_port q) stomp_py <<-\EOF
	import time
	from tstomp import *
	from tmgmt import *
	near = subscriber("/queue/ring.one")
	until("demand reached p", lambda: log_has("p", "consumer(s) of queue://ring.one on q: forwarding"))
	send(port("p"), "/queue/ring.one", "one hop", headers={"persistent": "true"})
	check(near.wait_bodies(1) == ["one hop"], "q got it")
	far = subscriber("/queue/ring.two", port("r"))
	until("demand reached q", lambda: log_has("q", "consumer(s) of queue://ring.two on r: forwarding"))
	for i in range(10):
	    send(port("p"), "/queue/ring.two", "m%d" % i, headers={"persistent": "true"})
	time.sleep(1)
	far.sync()
	check(not far.messages, "r is two bridges from p: nothing came")
	check(not log_has("p", "queue://ring.two 1 bridge(s) beyond"), "p never saw the demand")
	check(Mgmt(mport("p")).read(queue_name("p", "ring.two"), "QueueSize") == 10, "all 10 wait at p")
	EOF
'

test_done
