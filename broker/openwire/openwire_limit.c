/*
 * openwire_limit.c - a ConsumerInfo or ProducerInfo past the connector's
 * maximumConsumersAllowedPerConnection or
 * maximumProducersAllowedPerConnection (broker/core/conn_limit.h) is
 * refused as ActiveMQ refuses it: an ExceptionResponse with
 * java.lang.IllegalStateException "Can't add consumer on connection
 * <its ConnectionId>: at maximum limit: N", which the JMS client throws
 * from createConsumer or createProducer as a JMSException with that
 * message. The connection goes on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "openwire_conn.h"

int ow_limit_check(struct ow_conn *oc, const struct ow_command *cmd, enum conn_holding what,
		   long have, const struct ow_destination *dest)
{
	bool oom = false;
	char *name = dest ? ow_utf8_of(&dest->physical_name, &oom) : NULL;
	bool topic = dest && (dest->h.type == OW_TOPIC || dest->h.type == OW_TEMP_TOPIC);
	char id[256], err[400];
	snprintf(id, sizeof id, "%.*s", oc->connection_id ? (int)oc->connection_id_len : 0,
		 oc->connection_id ? oc->connection_id : "");
	int rc = conn_limit_check(oc->conn, what, have, topic, name, id, err, sizeof err);
	free(name);
	if (rc < 0)
		ow_refuse(oc, cmd, EX_STATE, "%s", err);
	return rc;
}
