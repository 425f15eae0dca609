#!/bin/sh
# Memory follows the limit: a broker loaded far past its memoryUsage by
# STOMP and MQTT producers that nobody consumes keeps its resident memory
# within that limit plus a fixed overhead (what it counts is what it
# holds: messages waiting for a store's writer, connections' buffers), the
# messages beyond a queue's window wait in the stores, and every one of
# them is delivered afterwards.
. "$(dirname "$0")/test-lib.sh"

LIMIT_MB=16
# What the process holds besides the limit: code, SQLite's page caches
# of the store and the temp store (writer and reader each), the STOMP
# fan-out cache, malloc's slack. Measured: about 20 MB fresh, peaks of
# 40 MB under this load; 380 MB before the memory counted was what was
# held (issue 23).
OVERHEAD_MB=48
MQTT_OPTIONS=''
BROKER_EXTRA="<systemUsage><systemUsage>
  <memoryUsage><memoryUsage limit=\"$LIMIT_MB mb\"/></memoryUsage>
</systemUsage></systemUsage>"
broker_config node1 && start_broker node1 || exit 1
PID=$(cat "$TRASH/node1/pid")
STOMP=127.0.0.1:$(broker_stomp_port node1)
MQTT=$(broker_mqtt_port node1)

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }

# sample_rss FILE: the largest RSS seen, in kB, into FILE once FILE.stop
# exists (sampled every 0.1 s meanwhile).
sample_rss() {
	( max=0
	  while [ ! -e "$1.stop" ]; do
		r=$(rss_kb) || break
		[ "${r:-0}" -gt "$max" ] && max=$r
		sleep 0.1
	  done
	  echo "$max" >"$1" ) &
}
peak_rss() {
	touch "$1.stop"
	while [ ! -s "$1" ]; do sleep 0.1; done
	cat "$1"
}

STOMP_N=15000
MQTT_N=3000
FRESH=$(rss_kb)
say "fresh RSS $FRESH kB"

test_expect_success 'STOMP and MQTT producers past memoryUsage with no consumer: RSS stays within the limit plus a fixed overhead' '
	timeout 10 mosquitto_sub -p $MQTT -i keeper -c -q 1 -t load/mqtt -E &&
	sample_rss "$TRASH/peak" &&
	ctl --json producer --stomp $STOMP --destination queue://load.stomp \
		--count $STOMP_N --size 10240 --receipt-every 100 --timeout 60 \
		>"$TRASH/producer.json" &&
	grep -q "\"receipted\": $STOMP_N" "$TRASH/producer.json" &&
	python3 -c "
import sys
for i in range($MQTT_N):
    sys.stdout.write(\"%d %s\n\" % (i, \"m\" * 10240))" |
	timeout 120 mosquitto_pub -p $MQTT -i loader -q 1 -t load/mqtt -l &&
	peak=$(peak_rss "$TRASH/peak") &&
	say "peak RSS $peak kB, limit $LIMIT_MB MB" &&
	if sanitized; then say "a sanitizer build: the RSS bound is not checked"
	else test "$peak" -lt $(( FRESH + (LIMIT_MB + OVERHEAD_MB) * 1024 )); fi
'

test_expect_success 'every message is delivered afterwards, none lost' '
	ctl --json consumer --stomp $STOMP --destination queue://load.stomp \
		--total $STOMP_N --timeout 60 >"$TRASH/consumer.json" &&
	grep -q "\"received\": $STOMP_N" "$TRASH/consumer.json" &&
	timeout 120 mosquitto_sub -p $MQTT -i keeper -c -q 1 -t load/mqtt -C $MQTT_N \
		>"$TRASH/mqtt.got" &&
	cut -d" " -f1 "$TRASH/mqtt.got" >"$TRASH/mqtt.ids" &&
	seq 0 $((MQTT_N - 1)) >"$TRASH/mqtt.want" &&
	cmp "$TRASH/mqtt.want" "$TRASH/mqtt.ids"
'

test_done
