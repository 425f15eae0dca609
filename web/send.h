/*
 * send.h - messages between the web and the broker core: sending one
 * (the REST API's POST, the console's send form), as a STOMP SEND does,
 * and taking one (the REST API's GET).
 */
#ifndef TANDEM_WEB_SEND_H
#define TANDEM_WEB_SEND_H

#include <stddef.h>

#include "message.h"

/* A message to name with a copy of the body; takes the headers over
 * (whatever the outcome). NULL when memory runs out. */
struct message *web_message_new(enum dest_type type, const char *name, struct header *h,
				size_t nheaders, const char *body, size_t body_len);
struct authz_who;
/* Routes m as who sends it (authz.h), taking the reference: 0, -EACCES
 * when who may not, -EBUSY when flow control refuses it
 * (sendFailIfNoSpace), -EIO when the broker does; why in err. */
int web_message_send(struct message *m, const struct authz_who *who, char *err, size_t errlen);

struct web_req;
/* GET /api/message/DEST (api_take.c): takes one message of name, the
 * request suspended until one comes or its readTimeout passes; 403 when
 * r's user may not read there (auth.h). */
int web_message_take(struct web_req *r, enum dest_type type, const char *name);

#endif
