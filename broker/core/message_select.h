/*
 * message_select.h - whether a message passes a JMS selector.
 *
 * selector.h compiles and evaluates selectors over any lookup of names;
 * this is the lookup for a message: its application headers first, then
 * the JMS header names ActiveMQ users write (JMSPriority, JMSType, ...)
 * and the STOMP names the broker keeps outside the header list.
 */
#ifndef TANDEM_MESSAGE_SELECT_H
#define TANDEM_MESSAGE_SELECT_H

#include <stdbool.h>

struct message;
struct selector;

/* Does m pass s (NULL passes everything)? */
bool selector_accepts(const struct selector *s, const struct message *m);

#endif
