/*
 * stomp_error.h - which STOMP ERROR frames close the connection.
 *
 * The STOMP specification lets a server close after any ERROR, and Tandem
 * once did; ActiveMQ 5.17 does not, and its clients rely on it: after an
 * unknown ack id, transaction or subscription, a SEND without destination
 * or a send the broker refused, they carry on with the same connection.
 * ActiveMQ closes when a CONNECT fails, on an unknown command or a frame
 * it cannot parse (its "fatal" ProtocolExceptions), and when a header it
 * reads as a number or a destination is not one (an exception its STOMP
 * code does not catch). stomp_error.c holds that choice as one table,
 * keyed by the ERROR's message header; tandemd(8) shows the same table.
 */
#ifndef TANDEM_STOMP_ERROR_H
#define TANDEM_STOMP_ERROR_H

#include <stdbool.h>

/* Whether an ERROR with this message header, answering a frame with this
 * command (NULL: no frame, such as a failed commit of earlier sends),
 * closes the connection. A message the table does not know closes: a new
 * ERROR needs its row. */
bool stomp_error_closes(const char *message, const char *command);

#endif
