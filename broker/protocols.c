/*
 * protocols.c - the table of protocols a connector can serve or recognise.
 *
 * STOMP and MQTT are served. OpenWire and AMQP are recognised from their
 * first bytes so that their clients get a clear log line instead of a
 * puzzling hang; their rows gain handlers as their issues land.
 */
#include <string.h>

#include "proto.h"
#include "mqtt.h"
#include "stomp.h"

static int detect_openwire(const char *d, size_t len)
{
	/* 4-byte size, WireFormatInfo type 1, then the magic "ActiveMQ". */
	static const char magic[] = "\x01" "ActiveMQ";
	size_t want = 4 + sizeof magic - 1;
	size_t n = len < want ? len : want;
	/* The size's high byte is 0: a WireFormatInfo is a few hundred
	 * bytes. Without this look, any first packet of 4 bytes or fewer
	 * (an MQTT PINGREQ) kept the connection waiting for the magic until
	 * protocolDetectionTimeOut. */
	if (d[0] != 0)
		return 0;
	if (n <= 4)
		return -1;
	if (memcmp(d + 4, magic, n - 4) != 0)
		return 0;
	return len >= want ? 1 : -1;
}

static int detect_amqp(const char *d, size_t len)
{
	size_t n = len < 4 ? len : 4;
	if (memcmp(d, "AMQP", n) != 0)
		return 0;
	return len >= 4 ? 1 : -1;
}

static const struct proto openwire_unserved = {
	.name = "openwire", .label = "OpenWire", .detect = detect_openwire,
};
static const struct proto amqp_unserved = { .name = "amqp", .label = "AMQP", .detect = detect_amqp };

const struct proto *const protocols[] = {
	&stomp_proto,
	&mqtt_proto,
	&openwire_unserved,
	&amqp_unserved,
	NULL,
};

const struct proto *proto_find(const char *name)
{
	for (size_t i = 0; protocols[i]; i++)
		if (strcmp(protocols[i]->name, name) == 0)
			return protocols[i];
	return NULL;
}
