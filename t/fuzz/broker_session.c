/*
 * broker_session.c - fuzz harness: a client's session with the broker
 * (broker/stomp/stomp.c, broker/mqtt/mqtt.c and all they reach: login, destinations,
 * subscriptions, sends, acks, transactions, wills), from the bytes on the
 * wire, on the auto-detecting tcp:// connector of the broker in the
 * harness's process (fixture.h). Each input is one connection: a STOMP
 * or MQTT session, or anything else the detection must refuse.
 *
 * The broker keeps what sessions leave (queued messages, durable
 * subscriptions, retained messages, MQTT sessions) for the inputs after
 * them, as a live broker would.
 */
#include <stdint.h>

#include "fixture.h"

/* Each input takes milliseconds of waiting: fewer of them in make check
 * (driver.c) than for the parsers. */
unsigned long fuzz_check_mutations = 1000;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fixture_broker();
	fixture_exchange(fixture_tcp_port(), data, size);
	return 0;
}
