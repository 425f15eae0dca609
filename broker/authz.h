/*
 * authz.h - destination authorization (ActiveMQ's authorizationPlugin).
 *
 * With an authorizationPlugin configured, a client may read (consume,
 * browse) a destination, write (send) to it, or create it (admin: the
 * first use of a queue that does not exist) only when one of its user's
 * groups (simpleAuthenticationPlugin) is named for that operation by an
 * authorizationEntry whose queue or topic pattern matches; the groups of
 * every matching entry count, "*" is everyone. A destination no entry
 * matches falls to the defaultEntry, else to nobody; temporary
 * destinations follow tempDestinationAuthorizationEntry, else everyone.
 *
 * The network's own traffic is not subject to it: a bridge may always
 * follow the advisories that carry demand, and a connection this broker
 * dialled itself (a duplex bridge's way back) is trusted.
 */
#ifndef TANDEM_AUTHZ_H
#define TANDEM_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

struct conn;

enum authz_op { AUTHZ_READ, AUTHZ_WRITE, AUTHZ_ADMIN };

/* Whether c may do op on the destination; when not, ActiveMQ's words for
 * it in err ("User app is not authorized to write to: queue://Q"), and
 * the refusal is logged. `bridge`: c is another broker's network bridge. */
bool authz_allows(const struct conn *c, bool bridge, enum authz_op op, enum dest_type type,
		  const char *name, char *err, size_t errlen);
/* What a protocol asks before a send or a subscription: op on the
 * destination and, when it does not exist yet (a pattern creates
 * nothing), admin to create it. Looks nothing up without authorization. */
bool authz_allows_use(const struct conn *c, bool bridge, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen);

#endif
