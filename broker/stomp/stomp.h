/*
 * stomp.h - the STOMP 1.0/1.1/1.2 protocol handler.
 *
 * Turns frames from stomp_frame.c into broker calls (broker_publish,
 * consumer_open, acks, transactions) and deliveries back into MESSAGE
 * frames. Everything protocol-specific stays in stomp.c.
 */
#ifndef TANDEM_STOMP_H
#define TANDEM_STOMP_H

#include "proto.h"

extern const struct proto stomp_proto;

/* A client frame's command at the start of a connection (after optional
 * EOLs and NULs, blanks allowed before its EOL): 1, -1 when more bytes may
 * tell, 0 when it is not STOMP. */
int stomp_detect(const char *data, size_t len);

#endif
