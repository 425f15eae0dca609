#!/bin/sh
# The cluster page asks the other nodes with this node's own login: a
# pair whose brokers take only authenticated users. Without a login of
# its own (no networkConnector userName) the mate refuses it, and the page
# says so: refused, role unknown, never "down". With the login its
# bridges use at other brokers, it reads the mate: a slave.
. "$(dirname "$0")/test-lib.sh"

DEAD=$(free_port)
WEB_PORT=auto MGMT_PORT=auto
export WEB_PORT MGMT_PORT
CREDS='userName="bridge" password="over"'

# pair P CREDS: nodes P1 (master) and P2 (slave) on one store, users
# required; their networkConnector (to a port nobody listens on) logs in
# with CREDS.
pair() {
	for n in ${1}1 ${1}2; do
		STORE_DIR=$TRASH/$1/kahadb BROKER_EXTRA="$NETWORK_USERS
<networkConnectors><networkConnector name=\"nowhere\" uri=\"static:(tcp://127.0.0.1:$DEAD)\" $2/></networkConnectors>" \
			broker_config $n || return 1
	done
	start_broker ${1}1 && start_slave ${1}2
}

# roles P: "NODE ROLE" lines of P1's cluster page.
roles() {
	curl -s -u bridge:over "http://127.0.0.1:$(broker_web_port ${1}1)/cluster" >"$1.html" &&
	sed -n "/<table id=\"cluster-nodes\">/,/<\/table>/p" "$1.html" |
		sed -n "s|^<tr[^>]*><td>[^<]*</td><td>\(<a href=\"/\">\)\{0,1\}\([^<]*\)<.*<span class=\"role [a-z]*\">\([a-z]*\)</span>.*|\2 \3|p"
}

test_expect_success 'without a login of its own: the mate refuses, and is not called down' '
	pair n "" &&
	for i in $(seq 50); do roles n >roles; grep -q "refused" n.html && break; sleep 0.2; done &&
	cat roles &&
	grep -qx "n1 master" roles && grep -qx "n2 unknown" roles &&
	grep -q "refused: .*(it answers: not down)" n.html
'

test_expect_success 'with the login its bridges use: the mate is read, a slave' '
	pair y "$CREDS" &&
	for i in $(seq 50); do roles y >roles; grep -q "^y2 slave" roles && break; sleep 0.2; done &&
	cat roles &&
	grep -qx "y1 master" roles && grep -qx "y2 slave" roles
'

test_done
