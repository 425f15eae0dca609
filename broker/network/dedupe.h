/*
 * dedupe.h - message ids a network bridge already delivered here.
 *
 * A bridge that loses its connection before it hears the RECEIPT of a
 * forwarded message sends it again; ActiveMQ's brokers drop such resends
 * by message id (the producer audit). The last DEDUPE_WINDOW ids that
 * arrived over bridges are remembered; older ones are forgotten, which is
 * safe because a bridge resends only what it sent last.
 */
#ifndef TANDEM_DEDUPE_H
#define TANDEM_DEDUPE_H

#include <stdbool.h>

#define DEDUPE_WINDOW 65536

/* True when id came before (the message is a resend); else remembers it. */
bool dedupe_seen(const char *id);
/* Forgets id: the message it came with was refused, so a resend of it
 * is the first that can be taken. */
void dedupe_forget(const char *id);
void dedupe_free(void);

#endif
