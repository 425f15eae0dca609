#!/bin/sh
# amq-kahadb.sh DIR PORT SCRIPT - a KahaDB store written by Debian's
# activemq: starts ActiveMQ 5.17 on DIR/data/kahadb with a STOMP connector
# on 127.0.0.1:PORT and an OpenWire one on PORT+1, runs SCRIPT (a shell
# command, with PORT and OWPORT in its environment) against it, then kills
# it with SIGKILL, as a crash would, and leaves the journal in
# DIR/data/kahadb. Exits 1, with ActiveMQ's log, if it does not start.
#
# amq-kahadb.sh --start DIR PORT starts it and returns; amq-kahadb.sh
# --kill DIR kills it with SIGKILL. AMQ_BROKER_ATTRS in the environment
# adds attributes to its <broker> (schedulerSupport="true"), AMQ_BROKER_XML
# elements inside it (a destinationPolicy), AMQ_EXTRA elements after the
# connectors (networkConnectors, for the network tests), AMQ_CONNECTORS
# more transportConnectors.
MODE=run
case $1 in --start|--kill) MODE=${1#--}; shift ;; esac
DIR=$1 PORT=$2 SCRIPT=$3
OWPORT=$((PORT + 1))

# The java process: su's child, found through its command line's
# configuration file, which names DIR; never by a machine-wide pattern.
jpid() {
	for p in $(ps -e -o pid=,args= | awk -v x="xbean:file:$DIR/activemq.xml" 'index($0, x) {print $1}'); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && echo "$p"
	done | head -1
}

amq_kill() {
	p=$(jpid)
	[ -n "$p" ] && kill -9 "$p"
	while [ -n "$p" ] && kill -0 "$p" 2>/dev/null; do sleep 0.1; done
}

if [ "$MODE" = kill ]; then
	amq_kill
	exit 0
fi
STARTUP=${STARTUP:-$(dirname "$0")/../bench/startup}
mkdir -p "$DIR" || exit 1
cp /etc/activemq/instances-available/main/log4j2.properties "$DIR/" 2>/dev/null
cat >"$DIR/activemq.xml" <<XML
<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" brokerName="amq" dataDirectory="$DIR/data" ${AMQ_BROKER_ATTRS:-}>
    ${AMQ_BROKER_XML:-}
    <persistenceAdapter><kahaDB directory="$DIR/data/kahadb"/></persistenceAdapter>
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:$PORT"/>
      <transportConnector name="openwire" uri="tcp://127.0.0.1:$OWPORT"/>
      ${AMQ_CONNECTORS:-}
    </transportConnectors>
    ${AMQ_EXTRA:-}
  </broker>
</beans>
XML
chown -R activemq "$DIR"
d=$DIR
while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null; d=$(dirname "$d"); done
# A pid file of its own: Debian's default, /run/activemq.pid, names any
# other ActiveMQ of the machine, and then this one "is already running".
res=$(ACTIVEMQ_BASE=$DIR ACTIVEMQ_CONF=$DIR ACTIVEMQ_DATA=$DIR/data \
	ACTIVEMQ_PIDFILE=$DIR/activemq.pid "$STARTUP" "$OWPORT" \
	/usr/bin/activemq console "xbean:file:$DIR/activemq.xml" 2>"$DIR/log") ||
	{ echo "activemq did not start"; tail "$DIR/log"; exit 1; }
# STOMP listens a moment after OpenWire.
for i in $(seq 100); do
	python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" \
		"$PORT" 2>/dev/null && break
	sleep 0.1
done
[ "$MODE" = start ] && exit 0
rc=0
PORT=$PORT OWPORT=$OWPORT sh -c "$SCRIPT" || rc=1
amq_kill
exit $rc
