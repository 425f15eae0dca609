#!/bin/sh
# Tandem's bridge to an ActiveMQ broker (OpenWire) reads here only what
# its networkConnector's userName may read, as ActiveMQ's own bridge logs
# in at its broker with that user: a consumer on ActiveMQ of a queue that
# user may not read here does not get its messages, which stay here; a
# queue it may read crosses as before. The STOMP bridge to a Tandem:
# t/89-authorization-bridge-reads.t.
. "$(dirname "$0")/test-lib.sh"

[ -x /usr/bin/activemq ] && id activemq >/dev/null 2>&1 ||
	skip_all "no activemq (make check installs Debian's activemq)"
command -v javac >/dev/null 2>&1 ||
	skip_all "no java and javac (make check installs openjdk-17-jdk-headless)"

amq() {
	STARTUP=$TEST_BUILD/t/bench/startup "$TEST_ROOT/t/lib/amq-kahadb.sh" "$@"
}
trap 'amq --kill "$TRASH/amq"; test_cleanup' EXIT

# ActiveMQ: STOMP on $APORT, OpenWire on $APORT + 1; no authorization.
APORT=$(free_port 2) && amq --start "$TRASH/amq" "$APORT" || exit 1
OWPORT=$((APORT + 1))
export APORT

BROKER_EXTRA="<plugins>
 <simpleAuthenticationPlugin><users>
  <authenticationUser username=\"app\" password=\"b\" groups=\"users\"/>
  <authenticationUser username=\"bridge\" password=\"d\" groups=\"bridges\"/>
 </users></simpleAuthenticationPlugin>
 <authorizationPlugin><map><authorizationMap><authorizationEntries>
  <authorizationEntry queue=\">\" read=\"users\" write=\"users\" admin=\"users\"/>
  <authorizationEntry queue=\"shared.>\" read=\"users,bridges\" write=\"users\" admin=\"users,bridges\"/>
  <authorizationEntry queue=\"tstomp.>\" read=\"*\" write=\"*\" admin=\"*\"/>
 </authorizationEntries></authorizationMap></map></authorizationPlugin>
</plugins>
<networkConnectors><networkConnector name=\"toamq\" userName=\"bridge\" password=\"d\"
	  uri=\"static:(tcp://127.0.0.1:$OWPORT)\"/></networkConnectors>" broker_config t &&
start_broker t || exit 1
log_waits_for t "Network connection between t and amq (127.0.0.1:$OWPORT, ActiveMQ over OpenWire) has been established" 300 || exit 1

test_expect_success 'a consumer on ActiveMQ of a queue the bridge user may not read here does not get its messages; one it may read does' '
	stomp_py <<-\EOF &&
	import os
	from tstomp import *
	from tbridgereads import secret_stays_here
	secret_stays_here(int(os.environ["APORT"]), "t", "amq")
	EOF
	log_contains t "Bridge tcp://127.0.0.1:$OWPORT: not forwarding queue://secret to amq: User bridge is not authorized to read from: queue://secret"
'

test_done
