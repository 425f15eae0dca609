/*
 * conn_limit.h - how many consumers and producers one connection may hold
 * at once: its connector's maximumConsumersAllowedPerConnection and
 * maximumProducersAllowedPerConnection, as ActiveMQ's TransportConnection
 * enforces them (processAddConsumer, processAddProducer). Both default to
 * no limit, as ActiveMQ's; each subscription costs the broker about 1.3
 * KB (tandem.xml(5)), so a connector open to clients one does not trust
 * should set them.
 *
 * The protocols count what their connection holds, as ActiveMQ counts it:
 * a STOMP or MQTT subscription, an OpenWire ConsumerInfo (composite or
 * not, the JMS client's own advisory consumer included), an OpenWire
 * ProducerInfo (anonymous ones included).
 */
#ifndef TANDEM_CONN_LIMIT_H
#define TANDEM_CONN_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct conn;

enum conn_holding { CONN_CONSUMER, CONN_PRODUCER };

/* Whether c may add one more consumer or producer beside the `have` it
 * holds, on destination `dest` (a topic when `topic`; NULL for an
 * anonymous producer). 0, or -1 with ActiveMQ's words in err: "Can't add
 * consumer on connection ID: at maximum limit: N", the connection named by
 * `conn_id` (NULL: the broker's id for it, advisory_conn_id()). As in
 * ActiveMQ, one on an advisory topic is always added (and counts), and the
 * broker's own connections (its bridges) have no limit. The first refusal
 * of each kind is logged, once per connection; the protocol answers. */
int conn_limit_check(struct conn *c, enum conn_holding what, long have, bool topic,
		     const char *dest, const char *conn_id, char *err, size_t errlen);

#endif
