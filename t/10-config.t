#!/bin/sh
# tandemd -c FILE --check, and how the broker treats a bad configuration.
. "$(dirname "$0")/test-lib.sh"

CONF=$TEST_ROOT/conf
# t/data/seed holds the seed's files as given (conf/ has them rewritten to
# run as a pair on one host); they import jetty.xml from beside them.
SEED=$TRASH/seed
mkdir -p "$SEED" && cp "$TEST_ROOT"/t/data/seed/*.xml "$CONF/jetty.xml" "$SEED/" || exit 1

for node in node1 node2; do
test_expect_success "the seed's activemq-$node.xml loads unmodified with --check" "
	cmp $TEST_ROOT/t/data/seed/activemq-$node.xml $TEST_ROOT/../shared/seed/activemq-$node.xml 2>/dev/null ||
		[ ! -d $TEST_ROOT/../shared/seed ] || { echo 't/data/seed differs from the seed'; false; }
	'$TANDEMD' -c $SEED/activemq-$node.xml --check -D activemq.conf=$CONF \
		-D activemq.data=$TRASH/data >check-$node.out 2>check-$node.err &&
	cat check-$node.out &&
	{ ! grep -q 'ERROR' check-$node.err || { cat check-$node.err; false; }; }
"
test_expect_success "conf/activemq-$node.xml (the seed's, as a pair on one host) loads with --check" "
	'$TANDEMD' -c $CONF/activemq-$node.xml --check -D activemq.conf=$CONF \
		-D activemq.data=$TRASH/data >conf-$node.out 2>conf-$node.err &&
	grep -q 'store directory (kahaDB): $TRASH/data/data/kahadb' conf-$node.out &&
	! grep -q '0\.0\.0\.0' conf-$node.out &&
	sed '/<!--/,/-->/d' $SEED/activemq-$node.xml >seed-$node.xml &&
	sed '/<!--/,/-->/d' $CONF/activemq-$node.xml >conf-$node.xml &&
	diff seed-$node.xml conf-$node.xml | grep '^>' | grep -v '^> *$' |
		grep -v -e kahaDB -e 127.0.0.1 -e jetty-node2 >conf-$node.extra;
	[ ! -s conf-$node.extra ] ||
		{ echo 'conf/ differs from the seed in more than directories, hosts and notes:';
		  cat conf-$node.extra; false; }
"
done

test_expect_success '--check prints the broker, store, connectors, network, policies, limits and ports' '
	out=check-node1.out &&
	grep -i "broker.*name" $out && grep -i "store" $out &&
	grep "61616" $out && grep "1883" $out && grep -i "maximumConnections.*1000" $out &&
	grep -i "multicast://default" $out && grep -i "networkTTL.*3" $out &&
	grep -i "limit.*1000" $out && grep -i "memory" $out &&
	grep "1100" $out && grep "8161" $out &&
	grep "1101" check-node2.out && grep "61617" check-node2.out
'

test_expect_success '--check does not create the store directory' '
	[ ! -e "$TRASH/data" ]
'

test_expect_success 'Java-only elements are noted once, at INFO' '
	grep "INFO.*shutdownHooks\|INFO.*logQuery\|INFO.*Java" check-node1.err &&
	n=$(grep -c "INFO.*shutdownHooks" check-node1.err) && [ "$n" -le 1 ]
'

bad_config() {
	cat >"$1" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="bad" dataDirectory="$TRASH/bad-data">
	    $2
	  </broker>
	</beans>
	EOF
}

test_expect_success 'an unknown element and attribute are warned about with file and line' '
	bad_config odd.xml "<frobnicator/>
	<transportConnectors><transportConnector name=\"a\" uri=\"stomp://127.0.0.1:0\" colour=\"blue\"/></transportConnectors>" &&
	"$TANDEMD" -c odd.xml --check >out 2>err &&
	cat err &&
	grep "WARN.*odd.xml:3.*frobnicator" err &&
	grep "WARN.*odd.xml:4.*colour" err
'

# ActiveMQ's attributes that Tandem accepts without doing what they ask:
# said once each at start (INFO: a file written for ActiveMQ is not wrong
# to have them), and listed by --check wherever they are used.
test_expect_success '--check lists networkConnector attributes that are accepted but not implemented' '
	bad_config ni.xml "<networkConnectors>
	<networkConnector name=\"a\" uri=\"static:(tcp://127.0.0.1:1)\" staticBridge=\"true\" dispatchAsync=\"false\" syncDurableSubs=\"true\" alwaysSyncSend=\"true\" advisoryForFailedForward=\"true\" useVirtualDestSubs=\"true\" localUri=\"vm://x\" brokerName=\"x\" suppressDuplicateTopicSubscriptions=\"false\"/>
	<networkConnector name=\"b\" uri=\"static:(tcp://127.0.0.1:2)\" staticBridge=\"true\"/>
	</networkConnectors>" &&
	"$TANDEMD" -c ni.xml --check >out 2>err &&
	cat out err &&
	sed -n "/^accepted, not implemented/,\$p" out >listed &&
	for a in staticBridge dispatchAsync syncDurableSubs alwaysSyncSend advisoryForFailedForward \
		useVirtualDestSubs localUri brokerName suppressDuplicateTopicSubscriptions; do
		grep -q "line 4: <networkConnector> $a=" listed || { echo "$a is not listed"; false; } || return 1
	done &&
	grep -q "line 5: <networkConnector> staticBridge=\"true\"" listed &&
	n=$(grep -c "INFO.*ni.xml:4: attribute staticBridge on <networkConnector> is accepted but not implemented" err) &&
	[ "$n" = 1 ] && ! grep "staticBridge" err | grep -v "ni.xml:4" &&
	! grep WARN err
'

test_expect_success '--check lists not implemented policyEntry attributes and transportConnector attributes and URI options' '
	bad_config ni2.xml "<destinationPolicy><policyMap><policyEntries><policyEntry queue=\">\" prioritizedMessages=\"true\"/></policyEntries></policyMap></destinationPolicy>
	<transportConnectors><transportConnector uri=\"tcp://127.0.0.1:0?transport.tcpNoDelay=true&amp;wireFormat.maxInactivityDuration=5000\" allowLinkStealing=\"true\"/></transportConnectors>" &&
	"$TANDEMD" -c ni2.xml --check >out 2>err &&
	cat out err &&
	sed -n "/^accepted, not implemented/,\$p" out >listed &&
	grep -q "<policyEntry> prioritizedMessages=\"true\"" listed &&
	grep -q "<transportConnector> allowLinkStealing=\"true\"" listed &&
	grep -q "<transportConnector> URI option transport.tcpNoDelay=\"true\"" listed &&
	grep -q "<transportConnector> URI option wireFormat.maxInactivityDuration=\"5000\"" listed &&
	grep -q "INFO.*URI option transport.tcpNoDelay on <transportConnector> is accepted but not implemented" err &&
	! grep WARN err
'

test_expect_success 'a configuration that uses none of them: --check lists none' '
	! grep "not implemented" check-node1.out && ! grep "not implemented" check-node1.err &&
	! grep "not implemented" check-node2.out
'

for case in \
	'bad port|<transportConnectors><transportConnector name="a" uri="tcp://0.0.0.0:99999"/></transportConnectors>|bad.xml:3.*port' \
	'bad URI|<transportConnectors><transportConnector name="a" uri="no-scheme-here"/></transportConnectors>|bad.xml:3.*URI' \
	'bad size|<systemUsage><systemUsage><memoryUsage><memoryUsage limit="lots"/></memoryUsage></systemUsage></systemUsage>|bad.xml:3.*lots' \
	'bad boolean|<destinationPolicy><policyMap><policyEntries><policyEntry queue=">" producerFlowControl="maybe"/></policyEntries></policyMap></destinationPolicy>|bad.xml:3.*maybe' \
	'bad discoveryUri|<transportConnectors><transportConnector name="a" uri="tcp://127.0.0.1:0" discoveryUri="multicast://10.1.2.3"/></transportConnectors>|bad.xml:3.*not a multicast address' \
	'bad discovery port|<networkConnectors><networkConnector uri="multicast://default:0"/></networkConnectors>|bad.xml:3.*a port from 1 to 65535' \
	'authorizationEntry without a destination|<plugins><authorizationPlugin><map><authorizationMap><authorizationEntries><authorizationEntry read="x"/></authorizationEntries></authorizationMap></map></authorizationPlugin></plugins>|bad.xml:3.*needs queue'
do
	what=${case%%|*}; rest=${case#*|}; xml=${rest%|*}; want=${rest##*|}
	test_expect_success "invalid value ($what): an error with file and line, exit 78, store untouched" "
		bad_config bad.xml '$xml' &&
		{ '$TANDEMD' -c bad.xml >out 2>err; status=\$?; } ;
		cat err; [ \$status = 78 ] &&
		grep 'ERROR.*$want' err &&
		[ ! -e '$TRASH/bad-data' ]
	"
done

test_expect_success 'a file that is not XML is an error, exit 78' '
	echo "<beans><broker" >broken.xml &&
	{ "$TANDEMD" -c broken.xml --check >out 2>err; status=$?; } ;
	cat err; [ $status = 78 ] && grep "ERROR.*broken.xml" err
'

test_expect_success 'a missing file is an error, exit 78' '
	{ "$TANDEMD" -c does-not-exist.xml >out 2>err; status=$?; } ;
	cat err; [ $status = 78 ] && grep "does-not-exist.xml" err
'

test_expect_success 'a port already in use: the broker says so and exits 1' '
	broker_config busy && start_broker busy &&
	p=$(broker_port busy) &&
	bad_config clash.xml "<transportConnectors><transportConnector name=\"a\" uri=\"tcp://127.0.0.1:$p\"/></transportConnectors>" &&
	{ "$TANDEMD" -c clash.xml >out 2>err; status=$?; } ;
	cat err; [ $status = 1 ] && grep "ERROR.*$p" err
'

test_expect_success 'tandemd --help and --version' '
	"$TANDEMD" --help | grep -- "--check" &&
	"$TANDEMD" --version | grep "^tandemd [0-9]"
'

test_done
