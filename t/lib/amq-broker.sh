#!/bin/sh
# amq-broker.sh --start DIR NAME PORT [XML] - Debian's ActiveMQ 5.17 as a
# neighbour in a network test: broker NAME on DIR/data, its OpenWire
# connector on 127.0.0.1:PORT and STOMP on PORT+1, with XML (a file, e.g.
# <networkConnectors>...) placed inside <broker>. Returns when OpenWire
# and STOMP accept connections; exits 1 with ActiveMQ's log if not.
# AMQ_HOST: the address its connectors bind (default 127.0.0.1); in a
# network namespace of a test, 0.0.0.0 lets the other namespaces reach it.
# amq-broker.sh --kill DIR kills it with SIGKILL (as a crash would),
# amq-broker.sh --stop DIR with SIGTERM, waiting for it to end.
MODE=${1#--}; shift
DIR=$1 NAME=$2 PORT=$3 XML=$4

# The java process: su's child, found through its command line's
# configuration file, which names DIR; never by a machine-wide pattern.
jpid() {
	for p in $(ps -e -o pid=,args= | awk -v x="xbean:file:$DIR/activemq.xml" 'index($0, x) {print $1}'); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && echo "$p"
	done | head -1
}

amq_signal() {
	p=$(jpid)
	[ -n "$p" ] && kill "$1" "$p"
	for i in $(seq 300); do
		[ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$p"
}

case $MODE in
kill) amq_signal -9; exit 0 ;;
stop) amq_signal -15; exit 0 ;;
start) ;;
*) echo "usage: amq-broker.sh --start|--stop|--kill DIR ..." >&2; exit 2 ;;
esac
STARTUP=${STARTUP:-$(dirname "$0")/../bench/startup}
mkdir -p "$DIR" || exit 1
# Debian's ActiveMQ logs with log4j 1, which reads log4j.properties from
# ACTIVEMQ_CONF: the bridge's lines ("Network connection between ...") are
# what tests wait for.
cp "$(dirname "$0")/../bench/log4j.properties" "$DIR/" || exit 1
cat >"$DIR/activemq.xml" <<XML
<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" brokerName="$NAME" dataDirectory="$DIR/data">
    <persistenceAdapter><kahaDB directory="$DIR/data/kahadb"/></persistenceAdapter>
$([ -n "$XML" ] && cat "$XML")
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://${AMQ_HOST:-127.0.0.1}:$PORT"/>
      <transportConnector name="stomp" uri="stomp://${AMQ_HOST:-127.0.0.1}:$((PORT + 1))"/>
    </transportConnectors>
  </broker>
</beans>
XML
chown -R activemq "$DIR"
d=$DIR
while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null; d=$(dirname "$d"); done
# Its own pid file: the default, /run/activemq.pid, is one for the whole
# machine, and another test's ActiveMQ there makes this one refuse to start.
ACTIVEMQ_PIDFILE=$DIR/activemq.pid ACTIVEMQ_BASE=$DIR ACTIVEMQ_CONF=$DIR ACTIVEMQ_DATA=$DIR/data "$STARTUP" "$PORT" \
	/usr/bin/activemq console "xbean:file:$DIR/activemq.xml" >/dev/null 2>"$DIR/log" ||
	{ echo "activemq did not start"; tail "$DIR/log"; exit 1; }
for i in $(seq 100); do
	python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" \
		"$((PORT + 1))" 2>/dev/null && exit 0
	sleep 0.1
done
echo "activemq's STOMP connector did not open"; exit 1
