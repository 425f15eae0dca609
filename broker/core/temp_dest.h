/*
 * temp_dest.h - temporary destinations (STOMP's /temp-queue/NAME and
 * /temp-topic/NAME, for request and reply).
 *
 * A connection's temporary destination NAME is a real queue or topic
 * called "<this broker's id prefix>temp-<connection id>:NAME", so it is
 * unique in a network of brokers and its name says where it lives ("ID:"
 * names are temporary ones). Only its connection may consume it, its
 * messages are never stored, and it is deleted with its messages when the
 * connection goes. Others reach it by its real name (a reply-to header
 * carries /remote-temp-queue/REAL), also from other brokers: bridges
 * forward to it like to any destination with demand, unless
 * bridgeTempDestinations="false".
 *
 * A JMS client (OpenWire) names its temporary destinations itself
 * ("ID:<its connection id>:N", unique too) and announces them with
 * DestinationInfo: temp_dest_add() and temp_dest_remove() take that name
 * as the real one. Every creation and deletion is an advisory on
 * ActiveMQ.Advisory.TempQueue or TempTopic (advisory.h), which JMS clients
 * read before they send to another connection's temporary destination.
 */
#ifndef TANDEM_TEMP_DEST_H
#define TANDEM_TEMP_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

struct conn;

/* Is this the real name of a temporary destination (of any broker)? */
bool temp_dest_is_temp(const char *name);
/* The real name of c's temporary destination `name` into out, noting it
 * as c's; 0, or -1 when it does not fit or memory ran out. */
int temp_dest_of(struct conn *c, enum dest_type type, const char *name, char *out,
		 size_t outlen);
/* A JMS client's temporary destination, named by it: 0 (also when c had
 * it already), or -1 with the reason in err (another connection's name,
 * no "ID:" name, out of memory). */
int temp_dest_add(struct conn *c, enum dest_type type, const char *real, char *err,
		  size_t errlen);
/* Deletes c's temporary destination `real` with its messages: 0 (also
 * when there is none), or -1 with ActiveMQ's reason in err while it has
 * consumers, or when it is another connection's. */
int temp_dest_remove(struct conn *c, enum dest_type type, const char *real, char *err,
		     size_t errlen);
/* Calls fn for every temporary destination of this broker. */
void temp_dest_each(void (*fn)(enum dest_type type, const char *real, const struct conn *owner,
			       void *ctx), void *ctx);
/* The NAME c gave its temporary destination `real` (what follows its
 * prefix), or NULL when `real` is not one of c's. */
const char *temp_dest_local_name(const struct conn *c, const char *real);
/* Whether c may consume the destination: anything but a temporary one
 * ("ID:" name) that is not c's own. */
bool temp_dest_may_consume(const struct conn *c, enum dest_type type, const char *name);
/* A temporary destination of this broker whose connection has gone (or
 * never was): sends to it are refused. */
bool temp_dest_deleted(enum dest_type type, const char *name);
/* c closed: its temporary queues go, with their messages. */
void temp_dest_conn_gone(struct conn *c);

#endif
