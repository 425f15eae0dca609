/*
 * conn_limit.c - how many consumers and producers one connection may hold
 * at once (see conn_limit.h).
 *
 * Without a limit one connection's subscriptions grow the broker's memory
 * as far as it goes: 20,000 topic subscriptions on one STOMP connection
 * took 25 MB, 100,000 transactions 40 MB. Found by sending them.
 */
#include <stdio.h>
#include <string.h>

#include "advisory.h"
#include "config.h"
#include "conn.h"
#include "conn_limit.h"
#include "connector.h"
#include "log.h"

/* ActiveMQ's AdvisorySupport.isAdvisoryTopic: a topic (or a composite
 * one any part of which) under ActiveMQ.Advisory. */
#define ADVISORY_ANY "ActiveMQ.Advisory."

static bool is_advisory(bool topic, const char *dest)
{
	if (!topic || !dest)
		return false;
	return !strncmp(dest, ADVISORY_ANY, strlen(ADVISORY_ANY)) ||
	       strstr(dest, "," ADVISORY_ANY);
}

static const struct {
	const char *noun;
	const char *attr;
} holdings[] = {
	[CONN_CONSUMER] = { "consumer", "maximumConsumersAllowedPerConnection" },
	[CONN_PRODUCER] = { "producer", "maximumProducersAllowedPerConnection" },
};

static long limit_of(const struct conf_connector *conf, enum conn_holding what)
{
	return what == CONN_CONSUMER ? conf->max_consumers_per_connection
				     : conf->max_producers_per_connection;
}

int conn_limit_check(struct conn *c, enum conn_holding what, long have, bool topic,
		     const char *dest, const char *conn_id, char *err, size_t errlen)
{
	if (!c->connector || is_advisory(topic, dest))
		return 0;
	long max = limit_of(c->connector->conf, what);
	if (have < max)
		return 0;
	char id[128];
	if (!conn_id) {
		advisory_conn_id(c, id, sizeof id);
		conn_id = id;
	}
	snprintf(err, errlen, "Can't add %s on connection %s: at maximum limit: %ld",
		 holdings[what].noun, conn_id, max);
	unsigned bit = 1u << what;
	if (!(c->limits_logged & bit)) {
		c->limits_logged |= bit;
		log_warn("connector", "Connection %s (%s) of connector %s reached %s=%ld: "
			 "its further %ss are refused", conn_id, c->peer,
			 c->connector->conf->name, holdings[what].attr, max, holdings[what].noun);
	}
	return -1;
}
