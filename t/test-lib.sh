# t/test-lib.sh - the harness every integration test sources.
#
# In the style of git's t/test-lib.sh: a test is a shell script that sources
# this file, describes behaviours with test_expect_success, and ends with
# test_done. Output is TAP, for prove.
#
#   . "$(dirname "$0")/test-lib.sh"
#   broker_config node1 && start_broker node1
#   test_expect_success 'a message sent to a queue is received' '
#       stomp_py <<-\EOF
#       ...
#       EOF
#   '
#   test_done
#
# Brokers run from $TANDEM_BUILD (the build directory, "." by default) on
# free loopback ports, each in its own directory under t/tmp/<test>/; every
# process started here is killed when the script exits, however it exits.

TEST_NAME=$(basename "$0" .t)
TEST_ROOT=$(cd "$(dirname "$0")/.." && pwd)
case ${TANDEM_BUILD:-.} in
/*) TEST_BUILD=$TANDEM_BUILD ;;
*) TEST_BUILD=$TEST_ROOT/${TANDEM_BUILD:-.} ;;
esac
TANDEMD=$TEST_BUILD/broker/tandemd
TRASH=$TEST_ROOT/t/tmp/$TEST_NAME
PYTHON=/usr/bin/python3		# Debian's, which has python3-stomp
PYTHONPATH=$TEST_ROOT/t/lib
export PYTHONPATH PYTHONDONTWRITEBYTECODE=1

rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1

test_count=0
test_failed=0
test_pids=""

test_cleanup() {
	for pid in $test_pids; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in $test_pids; do
		wait "$pid" 2>/dev/null
	done
	test_pids=""
	release_ports	# every test file calls this at its exit, and only then
}
trap 'test_cleanup' EXIT
trap 'exit 1' INT TERM HUP

say() { printf '# %s\n' "$*"; }

# test_expect_success 'behaviour' 'commands': one TAP line. The commands run
# in this shell (so they can start brokers and set variables); their output
# is shown as TAP comments only when they fail, or always with -v.
test_expect_success() {
	test_count=$((test_count + 1))
	out=$TRASH/.out
	if (eval "$2") >"$out" 2>&1; then
		# A subshell keeps `cd` and `exit` in a test from leaking; state the
		# test means to keep (broker pids) is held in files, see start_broker.
		echo "ok $test_count - $1"
		[ -n "$TEST_VERBOSE" ] && sed 's/^/#   /' "$out"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$out"
		test_failure_kept "$1"
	fi
	test_reap_pids
	return 0
}

# test_failure_kept 'behaviour': a failed test's output stays in
# $TRASH/failed-N.out, and under prove (make check), which shows a test's
# comments only with -v, goes to stderr too, which it always shows: a test
# that fails once in a full run can then be read afterwards.
test_failure_kept() {
	cp "$out" "$TRASH/failed-$test_count.out"
	[ -n "${HARNESS_ACTIVE:-}" ] && [ "${HARNESS_IS_VERBOSE:-0}" = 0 ] || return 0
	{
		echo "# $TEST_NAME test $test_count failed: $1"
		head -n 100 "$out" | sed 's/^/#   /'
		echo "# (all of it in t/tmp/$TEST_NAME/failed-$test_count.out)"
	} >&2
}

# test_skip 'behaviour' 'why': a TAP line for a test that cannot run here.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

test_done() {
	# Brokers still running stop the way an operator stops them, so that a
	# shutdown that hangs or crashes, and sanitizer reports (make asan),
	# fail the test file that caused them.
	test_expect_success 'every broker stops cleanly, with no crash or sanitizer report' '
		for f in "$TRASH"/*/pid; do
			[ -f "$f" ] || continue
			name=$(basename "$(dirname "$f")")
			stop_broker "$name" || exit 1
		done
		! grep -l -e "Sanitizer" -e "runtime error:" -e "AddressSanitizer" "$TRASH"/*/log
	'
	echo "1..$test_count"
	test_cleanup
	[ "$test_failed" = 0 ]
	exit $?
}

# Pids of brokers that tests started are kept in $TRASH/*/pid, so a broker
# started inside one test block (a subshell) is still killed at exit.
test_reap_pids() {
	for f in "$TRASH"/*/pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case " $test_pids " in
		*" $pid "*) ;;
		*) test_pids="$test_pids $pid" ;;
		esac
	done
}

# free_port: a port free now, for a broker that may start much later. It
# comes from below the kernel's ephemeral range: a port of that range may by
# then be some client connection's own port, and the broker would find it
# in use (it happened, now and then, under make asan). Ports handed out in
# this test are kept in $TRASH/.ports and not handed out again, and each is
# claimed machine-wide for this test's life by a file in $PORT_CLAIMS named
# for it and holding this test's pid: a broker that a test kills and starts
# again on its port found it taken by another test's broker started between
# the two ("Address already in use", t/29-openwire-failover under make
# asan), since a port is free to bind while its broker is down. A claim
# whose test is gone is taken over; test_cleanup gives them back.
# free_port N: N ports in a row, the first printed (ActiveMQ's helper takes
# STOMP on a port and OpenWire on the next: a next port that was not
# claimed was found taken by another test's broker, t/80-network-activemq-
# out-ring).
PORT_CLAIMS=${TMPDIR:-/tmp}/tandem-test-ports
free_port() {
	"$PYTHON" - "$TRASH/.ports" "$PORT_CLAIMS" "$$" "${1:-1}" <<-\EOF
	import os, random, socket, sys
	mine, claims, pid, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
	try:
	    used = set(open(mine).read().split())
	except OSError:
	    used = set()
	os.makedirs(claims, exist_ok=True)

	def alive(owner):
	    try:
	        os.kill(int(owner), 0)
	    except ProcessLookupError:
	        return False
	    except (ValueError, PermissionError):
	        return True
	    return True

	def claim(port):
	    path = os.path.join(claims, str(port))
	    for _ in range(2):
	        try:
	            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
	        except FileExistsError:
	            try:
	                owner = open(path).read().strip()
	            except OSError:
	                continue
	            if owner == pid or alive(owner):
	                return False
	            try:
	                os.unlink(path)
	            except OSError:
	                pass
	            continue
	        os.write(fd, pid.encode())
	        os.close(fd)
	        return True
	    return False

	low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
	for _ in range(1000):
	    first = random.randint(10000, low - count) if low > 11000 else 0
	    ports = []
	    for port in range(first, first + count) if first else [0]:
	        if str(port) in used:
	            break
	        s = socket.socket()
	        try:
	            s.bind(("127.0.0.1", port))
	            port = s.getsockname()[1]
	        except OSError:
	            break
	        finally:
	            s.close()
	        if not claim(port):
	            break
	        ports.append(port)
	    if len(ports) < count:
	        for port in ports:
	            os.unlink(os.path.join(claims, str(port)))
	        continue
	    with open(mine, "a") as f:
	        f.write("".join("%d\n" % port for port in ports))
	    print(ports[0])
	    break
	else:
	    sys.exit("no free port")
	EOF
}

# Gives back this test's claims on its ports (free_port).
release_ports() {
	[ -f "$TRASH/.ports" ] || return 0
	while read -r port; do
		[ "$(cat "$PORT_CLAIMS/$port" 2>/dev/null)" = "$$" ] && rm -f "$PORT_CLAIMS/$port"
	done <"$TRASH/.ports"
}

# pick_port FILE SPEC: FILE keeps a port for good: a free one for "auto",
# else SPEC itself.
pick_port() {
	[ -f "$1" ] && return 0
	case $2 in
	auto) free_port ;;
	*) echo "$2" ;;
	esac >"$1"
}

# broker_config NAME: writes NAME/broker.xml, a minimal ActiveMQ config with
# an auto-detecting tcp:// connector (port in NAME/port) and a stomp://
# connector (NAME/stomp_port). Variables that shape it:
#   TCP_OPTIONS    query string for the tcp:// connector ("a=1&amp;b=2")
#   STOMP_OPTIONS  query string for the stomp:// connector
#   BROKER_EXTRA   XML placed inside <broker> (policies, plugins...)
#   STORE_DIR      the kahaDB directory (default NAME/data/kahadb)
#   MGMT_PORT      when set, the management socket is on: "auto" picks a
#                  free port, a number is used as is; kept in NAME/mgmt_port
#                  (default: no management socket)
#   WEB_PORT       when set, the web console is on, from a jetty.xml the
#                  config imports (as ActiveMQ's does): "auto" picks a free
#                  port; kept in NAME/web_port (default: no web console)
#   WEB_REALM      a jetty-realm.properties file for the console's users
#   PERSISTENCE_ADAPTER  the <persistenceAdapter>'s child (default: kahaDB
#                  in STORE_DIR); BEANS_EXTRA: beans beside the broker (a
#                  data source)
#   MQTT_OPTIONS   when set (even empty), an mqtt:// connector too (port
#                  in NAME/mqtt_port) with this query string
broker_config() {
	name=$1
	mkdir -p "$TRASH/$name" || return 1
	[ -f "$TRASH/$name/port" ] || free_port >"$TRASH/$name/port" || return 1
	[ -f "$TRASH/$name/stomp_port" ] || free_port >"$TRASH/$name/stomp_port" || return 1
	port=$(cat "$TRASH/$name/port")
	sport=$(cat "$TRASH/$name/stomp_port")
	store=${STORE_DIR:-$TRASH/$name/data/kahadb}
	opts=${TCP_OPTIONS:+?$TCP_OPTIONS}
	mgmt='<managementContext createConnector="false"/>'
	if [ -n "${MGMT_PORT:-}" ]; then
		pick_port "$TRASH/$name/mgmt_port" "$MGMT_PORT" || return 1
		mgmt="<managementContext connectorPort=\"$(cat "$TRASH/$name/mgmt_port")\" connectorHost=\"127.0.0.1\"/>"
	fi
	mqtt=''
	if [ -n "${MQTT_OPTIONS+set}" ]; then
		pick_port "$TRASH/$name/mqtt_port" auto || return 1
		mqtt="<transportConnector name=\"mqtt\" uri=\"mqtt://127.0.0.1:$(cat "$TRASH/$name/mqtt_port")${MQTT_OPTIONS:+?$MQTT_OPTIONS}\"/>"
	fi
	imports=''
	if [ -n "${WEB_PORT:-}" ]; then
		pick_port "$TRASH/$name/web_port" "$WEB_PORT" || return 1
		realm=''
		[ -z "${WEB_REALM:-}" ] || realm="<bean id=\"securityLoginService\" class=\"org.eclipse.jetty.security.HashLoginService\">
	    <property name=\"name\" value=\"ActiveMQRealm\"/>
	    <property name=\"config\" value=\"$WEB_REALM\"/>
	  </bean>"
		cat >"$TRASH/$name/jetty.xml" <<-EOF
		<beans xmlns="http://www.springframework.org/schema/beans">
		  $realm
		  <bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort" init-method="start">
		    <property name="host" value="127.0.0.1"/>
		    <property name="port" value="$(cat "$TRASH/$name/web_port")"/>
		  </bean>
		</beans>
		EOF
		imports='<import resource="jetty.xml"/>'
	fi
	# Made outside the here-document: dash drops the quotes of a default
	# value written inside one (directory=/path/ is no XML).
	adapter=${PERSISTENCE_ADAPTER:-"<kahaDB directory=\"$store\"/>"}
	cat >"$TRASH/$name/broker.xml" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <broker xmlns="http://activemq.apache.org/schema/core"
	          brokerName="$name" dataDirectory="$TRASH/$name/data">
	    <persistenceAdapter>$adapter</persistenceAdapter>
	    <managementContext>$mgmt</managementContext>
	    ${BROKER_EXTRA:-}
	    <transportConnectors>
	      <transportConnector name="auto" uri="tcp://127.0.0.1:$port$opts"/>
	      <transportConnector name="stomp" uri="stomp://127.0.0.1:$sport${STOMP_OPTIONS:+?$STOMP_OPTIONS}"/>
	      $mqtt
	    </transportConnectors>
	  </broker>
	  $imports
	  ${BEANS_EXTRA:-}
	</beans>
	EOF
}

# sanitized: whether the brokers are a sanitizer build (make asan). Its
# allocator keeps freed memory back (the quarantine), so bounds on RSS do
# not hold there; tests of them check the rest and say so.
sanitized() {
	ldd "$TEST_BUILD/broker/tandemd" 2>/dev/null | grep -q libasan
}

# skip_all WHY: the whole test is skipped (before its first test).
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# jms_compile FILE.java...: compiles JMS programs (a name is one of t/lib,
# a path is used as it is) against Debian's ActiveMQ JMS client into
# $TRASH/jms; run them with java -cp "$TRASH/jms:$JAVA_CP". Skips the
# whole test without java or the client.
# The programs of t/lib are compiled all at once, once per build (one javac
# for all took 5 s of CPU here, one per test 22 s), into
# $TEST_BUILD/t/jms/HASH, HASH of every t/lib/*.java and of the javac, and
# copied from there; a test naming another file, or a t/lib that does not
# compile as a whole, compiles only what it names, as before.
JAVA_CP=/usr/share/java/activemq-client.jar:/usr/share/java/geronimo-jms_1.1_spec.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar:/usr/share/java/hawtbuf.jar:/usr/share/java/geronimo-j2ee-management-1.1-spec.jar
JMS_CP=$JAVA_CP
# The ActiveMQ brokers of the tests (t/lib/amq-*.sh) run their JVM with
# only its first compiler and the serial collector: a start took 2.2-2.4 s
# of CPU instead of 3.3-4.2 s here, and a test's ActiveMQ never runs long
# enough to gain from the optimising one (the bench, which does, does not
# source this file). /usr/bin/activemq overwrites ACTIVEMQ_OPTS from its
# options file and starts java through `su -`, which clears the
# environment; ACTIVEMQ_DEBUG_OPTS is what reaches java's command line.
ACTIVEMQ_DEBUG_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
export ACTIVEMQ_DEBUG_OPTS
JAVAC_FAST="-J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC"
jms_compile() {
	command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 ||
		skip_all "no java and javac (make check installs openjdk-17-jdk-headless)"
	[ -f /usr/share/java/activemq-client.jar ] ||
		skip_all "no ActiveMQ JMS client (make check installs libactivemq-java)"
	mkdir -p "$TRASH/jms" || exit 1
	all_lib=1
	for f in "$@"; do
		case $f in
		/*) [ "$(dirname "$f")" = "$TEST_ROOT/t/lib" ] || all_lib=0 ;;
		*) f=$TEST_ROOT/t/lib/$f ;;
		esac
		set -- "$@" "$f"
		shift
	done
	if [ $all_lib = 1 ] && jms_lib=$(jms_lib_classes); then
		cp -R "$jms_lib/." "$TRASH/jms/" && return 0
	fi
	javac $JAVAC_FAST -d "$TRASH/jms" -cp "$JAVA_CP" "$@" || exit 1
}

# jms_lib_classes: the directory of every t/lib/*.java compiled, made
# when missing. Tests running side by side take turns (flock), and a
# compile killed half-way leaves only a temporary name behind.
jms_lib_classes() {
	jms_key=$({ readlink -f "$(command -v javac)"; cat "$TEST_ROOT"/t/lib/*.java; } |
		sha1sum | cut -c1-16)
	jms_dir=$TEST_BUILD/t/jms/$jms_key
	mkdir -p "$TEST_BUILD/t/jms" || return 1
	(
		flock 9 || exit 1
		[ -d "$jms_dir" ] && exit 0
		tmp=$(mktemp -d "$jms_dir.tmp.XXXXXX") || exit 1
		if javac $JAVAC_FAST -d "$tmp" -cp "$JAVA_CP" "$TEST_ROOT"/t/lib/*.java >"$tmp.err" 2>&1 &&
			mv -T "$tmp" "$jms_dir"; then
			# Classes of older sources go (one build tree, one t/lib).
			find "$TEST_BUILD/t/jms" -mindepth 1 -maxdepth 1 ! -name "$jms_key" ! -name .lock \
				-exec rm -rf {} +
			exit 0
		fi
		say "t/lib/*.java do not compile as a whole; compiling only this test's:"
		head -n 20 "$tmp.err" | sed 's/^/#   /'
		rm -rf "$tmp" "$tmp.err"
		exit 1
	) 9>"$TEST_BUILD/t/jms/.lock" >&2 || return 1
	echo "$jms_dir"
}

# netns_add NS...: makes these network namespaces, each with its loopback
# up, and deletes them when the test ends (after its brokers); skips the
# whole test when they cannot be made (no iproute2, not root).
netns_add() {
	command -v ip >/dev/null 2>&1 || skip_all "no ip command (iproute2) to make network namespaces"
	[ "$(id -u)" = 0 ] || skip_all "making network namespaces needs root"
	trap 'test_cleanup; netns_cleanup' EXIT
	for ns in "$@"; do
		ip netns add "$ns" 2>ns.err || skip_all "cannot make a network namespace: $(cat ns.err)"
		netns_made="${netns_made:-} $ns"
		ip -n "$ns" link set lo up 2>ns.err || skip_all "cannot wire $ns: $(cat ns.err)"
	done
}

# netns_multicast_link NS_A ADDR_A NS_B ADDR_B: a veth pair "mc0" between
# two namespaces of netns_add, with these addresses (/24) and a multicast
# route on it; skips the whole test when it cannot be made.
netns_multicast_link() {
	{
		ip link add mc0 netns "$1" type veth peer name mc0 netns "$3" &&
		ip -n "$1" addr add "$2/24" dev mc0 && ip -n "$3" addr add "$4/24" dev mc0 &&
		for ns in "$1" "$3"; do
			ip -n "$ns" link set mc0 up && ip -n "$ns" route add 224.0.0.0/4 dev mc0 || exit 1
		done
	} 2>ns.err || skip_all "cannot wire the network namespaces: $(cat ns.err)"
}

netns_cleanup() {
	for ns in ${netns_made:-}; do
		ip netns del "$ns" 2>/dev/null
	done
}

# netns_tandemd NS NAME: NAME/tandemd runs tandemd inside namespace NS
# (for TANDEMD=$TRASH/NAME/tandemd launch_broker NAME).
netns_tandemd() {
	mkdir -p "$TRASH/$2" && echo "$1" >"$TRASH/$2/ns" &&
	printf '#!/bin/sh\nexec ip netns exec %s "%s" "$@"\n' "$1" "$TEST_BUILD/broker/tandemd" \
		>"$TRASH/$2/tandemd" && chmod +x "$TRASH/$2/tandemd"
}

broker_port() { cat "$TRASH/$1/port"; }

# wait_exit NAME: until NAME's process has exited by itself (20 s at most),
# for a broker expected to refuse to run.
wait_exit() {
	for i in $(seq 200); do
		[ -f "$TRASH/$1/exit" ] && rm -f "$TRASH/$1/pid" && return 0
		sleep 0.1
	done
	echo "$1 still runs"
	return 1
}
broker_stomp_port() { cat "$TRASH/$1/stomp_port"; }
broker_mgmt_port() { cat "$TRASH/$1/mgmt_port"; }
broker_web_port() { cat "$TRASH/$1/web_port"; }
broker_mqtt_port() { cat "$TRASH/$1/mqtt_port"; }
broker_log() { cat "$TRASH/$1/log"; }

# two_pairs_config: two master/slave pairs joined into a network, as the
# seed means them to run: a1/a2 share the store $TRASH/pairA/kahadb, b1/b2
# $TRASH/pairB/kahadb, and every node's networkConnector (the seed's
# options) has one static:(failover:(...)) entry naming the other pair's two
# nodes, so that its one bridge follows that pair's master. Every node has
# a management socket. All ports are chosen first, so that each pair's
# configurations can name the other's.
two_pairs_config() {
	for n in a1 a2 b1 b2; do
		mkdir -p "$TRASH/$n" && free_port >"$TRASH/$n/port" &&
		free_port >"$TRASH/$n/stomp_port" && free_port >"$TRASH/$n/mgmt_port" || return 1
	done
	for n in a1 a2; do
		MGMT_PORT=auto STORE_DIR=$TRASH/pairA/kahadb BROKER_EXTRA=$(pairs_network b1 b2) \
			broker_config $n || return 1
	done
	for n in b1 b2; do
		MGMT_PORT=auto STORE_DIR=$TRASH/pairB/kahadb BROKER_EXTRA=$(pairs_network a1 a2) \
			broker_config $n || return 1
	done
}

# pairs_network X Y: the seed's networkConnector, with static discovery of pair X/Y.
pairs_network() {
	echo "<networkConnectors><networkConnector name=\"pairs\"
	  uri=\"static:(failover:(tcp://127.0.0.1:$(broker_port $1),tcp://127.0.0.1:$(broker_port $2)))\"
	  dynamicOnly=\"true\" networkTTL=\"3\" prefetchSize=\"1\" decreaseNetworkConsumerPriority=\"true\"/></networkConnectors>"
}

# seed_config N NAME STORE [SED-ARGS...]: the seed's activemq-nodeN.xml
# (t/data/seed) as NAME/broker.xml, rewritten only for ports (NAME/port,
# NAME/mgmt_port, kept when chosen already; its web console's too),
# directories (the store in STORE) and 127.0.0.1 for 0.0.0.0, and
# advertising nothing on the multicast group (that would go out on the
# host's network); SED-ARGS (-e EXPR...) say what becomes of its
# networkConnector.
seed_config() {
	seed_n=$1 seed_name=$2 seed_store=$3
	shift 3
	mkdir -p "$TRASH/$seed_name" &&
	{ [ -f "$TRASH/$seed_name/port" ] || free_port >"$TRASH/$seed_name/port"; } &&
	cp "$TRASH/$seed_name/port" "$TRASH/$seed_name/stomp_port" &&
	{ [ -f "$TRASH/$seed_name/mgmt_port" ] || free_port >"$TRASH/$seed_name/mgmt_port"; } &&
	sed -e "s|<property name=\"port\" value=\"8161\"/>|<property name=\"port\" value=\"$(free_port)\"/>|" \
	    "$TEST_ROOT/conf/jetty.xml" >"$TRASH/$seed_name/jetty.xml" &&
	cp "$TEST_ROOT/conf/credentials.properties" "$TRASH/$seed_name/" &&
	sed -e "s|tcp://0.0.0.0:6161[67]|tcp://127.0.0.1:$(cat "$TRASH/$seed_name/port")|" \
	    -e "s|mqtt://0.0.0.0:188[34]|mqtt://127.0.0.1:$(free_port)|" \
	    -e "s|connectorPort=\"110[01]\"|connectorPort=\"$(cat "$TRASH/$seed_name/mgmt_port")\"|" \
	    -e "s|/data/data|$seed_store|" \
	    -e "s|\${activemq.conf}|$TRASH/$seed_name|" -e "s|\${activemq.data}|$TRASH/$seed_name|" \
	    -e "s| discoveryUri=\"multicast://default\"||" "$@" \
	    "$TEST_ROOT/t/data/seed/activemq-node$seed_n.xml" >"$TRASH/$seed_name/broker.xml"
}

# Users for a network whose brokers take only authenticated clients: a
# bridge logs in as bridge/over, clients as app/secret (BROKER_EXTRA).
NETWORK_USERS='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="bridge" password="over" groups="admins"/>
  <authenticationUser username="app" password="secret" groups="users"/>
</users></simpleAuthenticationPlugin></plugins>'

# static_network FROM 'OPTIONS' TO...: FROM's configuration (broker_config,
# with BROKER_EXTRA before it) with one networkConnector "net" bridging to
# each TO, whose NAME/port must be chosen already, with OPTIONS
# (attributes) on it.
static_network() {
	from=$1 opts=$2
	shift 2
	list=""
	for to in "$@"; do list="$list${list:+,}tcp://127.0.0.1:$(broker_port "$to")"; done
	BROKER_EXTRA="${BROKER_EXTRA:-}<networkConnectors><networkConnector name=\"net\"
	  uri=\"static:($list)\" $opts/></networkConnectors>" broker_config "$from"
}

# start_bridged FROM:TO...: starts every broker named, then waits until
# each FROM has its bridge to TO.
start_bridged() {
	for pair in "$@"; do
		for n in "${pair%:*}" "${pair#*:}"; do
			[ -f "$TRASH/$n/pid" ] || start_broker "$n" || return 1
		done
	done
	for pair in "$@"; do
		log_waits_for "${pair%:*}" "Network connection between ${pair%:*} and ${pair#*:}" ||
			return 1
	done
}

# pair_failover X: a failover URI to pair X's STOMP connectors, with which
# clients follow the pair's master quickly (a slave refuses at once).
pair_failover() {
	echo "failover:(tcp://127.0.0.1:$(broker_stomp_port ${1}1),tcp://127.0.0.1:$(broker_stomp_port ${1}2))?randomize=false&initialReconnectDelay=10&maxReconnectDelay=100"
}

# start_broker NAME: runs tandemd on NAME/broker.xml (written by
# broker_config unless it exists), logging to NAME/log, and waits until it
# accepts connections on every connector.
start_broker() {
	launch_broker "$1" && wait_broker "$1"
}

launch_broker() {
	name=$1
	[ -f "$TRASH/$name/broker.xml" ] || broker_config "$name" || return 1
	: >>"$TRASH/$name/log"
	echo "--- start" >>"$TRASH/$name/log"
	rm -f "$TRASH/$name/pid" "$TRASH/$name/exit"
	# Tests run in subshells, so the broker is not the child of the shell
	# that stops it: a small shell of its own waits for it and keeps its
	# exit status in NAME/exit, written whole under another name first: a
	# test that saw the file may read it at once (wait_exit).
	(
		"$TANDEMD" -c "$TRASH/$name/broker.xml" >>"$TRASH/$name/log" 2>&1 &
		echo $! >"$TRASH/$name/pid.new" && mv "$TRASH/$name/pid.new" "$TRASH/$name/pid"
		wait $!
		echo $? >"$TRASH/$name/exit.new" && mv "$TRASH/$name/exit.new" "$TRASH/$name/exit"
	) 2>/dev/null &	# no "Killed" from this shell after a kill -9
	while [ ! -f "$TRASH/$name/pid" ]; do sleep 0.01; done
	test_reap_pids
}

# start_slave NAME: starts a broker whose store's lock another holds, and
# waits until it says that it waits (its management port is open then).
start_slave() {
	launch_broker "$1" && broker_waits_until "$1" "start waiting" slave_waits
}

slave_waits() {
	grep -q "is locked\.\.\. waiting" "$TRASH/$1/log"
}

# wait_broker NAME: until its ports accept, or fails after 20 s (or at once
# when the process died).
wait_broker() {
	broker_waits_until "$1" "start listening" broker_listens
}

broker_listens() {
	set -- "$TRASH/$1"
	ports_open "$(cat "$1/port")" "$(cat "$1/stomp_port")" \
		$(for f in mgmt_port web_port mqtt_port; do [ ! -f "$1/$f" ] || cat "$1/$f"; done)
}

# ports_open PORT...: each accepts a connection, tried by one Python for
# all of them (a start is polled ten times a second, and a Python start
# costs more than the connections).
ports_open() {
	"$PYTHON" -c 'import socket, sys
for p in sys.argv[1:]:
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", int(p)))
    except OSError:
        sys.exit(1)
    finally:
        s.close()' "$@"
}

# broker_waits_until NAME WHAT CHECK: until `CHECK NAME` succeeds (20 s at
# most), failing at once with its log when the broker exits.
broker_waits_until() {
	pid=$(cat "$TRASH/$1/pid")
	for i in $(seq 200); do
		if ! process_alive "$pid"; then
			say "broker $1 exited; its log:"
			sed 's/^/#   /' "$TRASH/$1/log"
			return 1
		fi
		"$3" "$1" && return 0
		sleep 0.1
	done
	say "broker $1 did not $2 in 20 s"
	return 1
}

# process_alive PID: running, and not a zombie waiting to be reaped.
process_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ "$state" != Z ]
}

port_open() {
	"$PYTHON" -c 'import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# stop_broker NAME: SIGTERM, and waits for it to exit; fails if it does not
# exit within 20 s or did not log its clean stop.
stop_broker() {
	signal_broker "$1" TERM && log_contains "$1" "Tandem broker [^ ]* stopped"
}

# kill_broker NAME: kill -9, as a crash.
kill_broker() {
	signal_broker "$1" KILL
}

signal_broker() {
	pid=$(cat "$TRASH/$1/pid") || return 1
	kill -"$2" "$pid" || return 1
	# Gone when the shell that started it has its exit status (NAME/exit).
	gone=0
	for i in $(seq 200); do
		if ! process_alive "$pid"; then
			gone=$((gone + 1))
		fi
		if [ -f "$TRASH/$1/exit" ] || [ $gone -ge 10 ]; then
			rm -f "$TRASH/$1/pid"
			return 0
		fi
		sleep 0.05
	done
	say "broker $1 (pid $pid) did not exit after SIG$2"
	return 1
}

# stomp_py [ARGS]: runs a Python script (stdin) with the t/lib helpers on
# the path and PORT set to the first broker's tcp:// port unless given.
stomp_py() {
	PORT=${PORT:-$(broker_port node1 2>/dev/null)} TRASH=$TRASH "$PYTHON" - "$@"
}

# wait_lines FILE N [TENTHS]: until FILE has at least N lines (TENTHS
# tenths of a second at most, default 200).
wait_lines() {
	for i in $(seq "${3:-200}"); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1 has $(wc -l <"$1" 2>/dev/null) lines, not $2"
	return 1
}

# ctl ARGS: the tandemctl of the build under test.
ctl() { "$TEST_BUILD/mgmt/tandemctl" "$@"; }

# json_true 'EXPR' FILE: EXPR, a Python expression over `rows` (the --json
# output read from FILE), is true; says what it saw when not.
json_true() {
	"$PYTHON" - "$1" "$2" <<-\EOF
	import json, sys
	rows = json.load(open(sys.argv[2]))
	if not eval(sys.argv[1]):
	    print("not true: %s\nrows: %s" % (sys.argv[1], json.dumps(rows, indent=1)[:3000]))
	    sys.exit(1)
	EOF
}

# log_contains NAME PATTERN: the broker's log has a line matching PATTERN.
log_contains() {
	grep -q -e "$2" "$TRASH/$1/log" || {
		echo "log of $1 has no line matching: $2"
		tail -n 20 "$TRASH/$1/log"
		return 1
	}
}

# log_waits_for NAME TEXT [TENTHS]: until NAME's log has a line matching
# TEXT (TENTHS tenths of a second at most, default 100), for what a broker
# does on its own timers.
log_waits_for() {
	for i in $(seq "${3:-100}"); do
		grep -q -e "$2" "$TRASH/$1/log" && return 0
		sleep 0.1
	done
	log_contains "$1" "$2"
}

