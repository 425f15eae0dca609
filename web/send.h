/*
 * send.h - sending a message from the web (the REST API's POST, the
 * console's send form) through the broker core, as a STOMP SEND does.
 */
#ifndef TANDEM_WEB_SEND_H
#define TANDEM_WEB_SEND_H

#include <stddef.h>

#include "message.h"

/* A message to name with a copy of the body; takes the headers over
 * (whatever the outcome). NULL when memory runs out. */
struct message *web_message_new(enum dest_type type, const char *name, struct header *h,
				size_t nheaders, const char *body, size_t body_len);
/* Routes m, taking the reference: 0, -EBUSY when flow control refuses it
 * (sendFailIfNoSpace), -EIO when the broker does; why in err. */
int web_message_send(struct message *m, char *err, size_t errlen);

#endif
