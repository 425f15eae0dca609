/*
 * protocols.c - the table of protocols a connector can serve or recognise.
 *
 * STOMP, MQTT and OpenWire are served. AMQP is recognised from its first
 * bytes so that its clients get a clear log line instead of a puzzling
 * hang; its row gains a handler as its issue lands.
 */
#include <string.h>

#include "proto.h"
#include "mqtt.h"
#include "openwire.h"
#include "stomp.h"

static int detect_amqp(const char *d, size_t len)
{
	size_t n = len < 4 ? len : 4;
	if (memcmp(d, "AMQP", n) != 0)
		return 0;
	return len >= 4 ? 1 : -1;
}

static const struct proto amqp_unserved = { .name = "amqp", .label = "AMQP", .detect = detect_amqp };

const struct proto *const protocols[] = {
	&stomp_proto,
	&mqtt_proto,
	&openwire_proto,
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
