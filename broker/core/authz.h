/*
 * authz.h - destination authorization (ActiveMQ's authorizationPlugin).
 *
 * With an authorizationPlugin configured, a client may read (consume,
 * browse) a destination, write (send) to it, or create it (admin: the
 * first use of a queue that does not exist) only when one of its user's
 * groups (simpleAuthenticationPlugin) is named for that operation by an
 * authorizationEntry whose queue or topic pattern matches; the groups of
 * every matching entry count, "*" is everyone. A wildcard (a
 * subscription to "a.>") is granted only by an entry that matches every
 * destination it does (wildcard.h, dest_covers). A destination no entry
 * matches falls to the defaultEntry, else to nobody; temporary
 * destinations follow tempDestinationAuthorizationEntry, else everyone.
 *
 * Another broker's network bridge is a client like any other: its login's
 * groups decide, whatever it says it is (a STOMP CONNECT's
 * tandem-network-bridge, an OpenWire BrokerInfo with networkConnection),
 * as ActiveMQ's AuthorizationBroker makes no exception for network
 * connections. Its user needs read on the advisories that carry demand
 * (ActiveMQ.Advisory.Consumer.>) and write, and admin to create, on what
 * it forwards. This broker's own bridges have here the rights of their
 * networkConnector's userName, as in ActiveMQ, whose bridge logs in at its
 * own broker with it (DemandForwardingBridgeSupport.startLocalBridge):
 * they consume here only what that user may read (authz_user_may_use,
 * bridge_demand.c), and what the remote sends back over a connection this
 * broker dialled (a duplex bridge's way back, which asks no login of the
 * remote) may go only where that user may write.
 *
 * The management socket and the web console ask the same entries for
 * someone who is not a protocol connection (struct authz_who): read to see
 * a destination's messages or take one, write to send, admin to purge,
 * remove, create or move messages out. What is about the whole broker
 * (stop, closing a connection, changing a setting) takes a broker admin: a
 * user with a group named in the admin of the entry for every queue
 * (queue=">", as ActiveMQ's usual admin="admins"). Without an
 * authorizationPlugin every user that logged in may do everything, as on
 * STOMP.
 */
#ifndef TANDEM_AUTHZ_H
#define TANDEM_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

struct conn;

enum authz_op { AUTHZ_READ, AUTHZ_WRITE, AUTHZ_ADMIN };

/* How far a management or web user's rights go. */
enum authz_level {
	AUTHZ_GROUPS,		/* as the authorizationPlugin says for the user's groups */
	AUTHZ_ALL,		/* everything (a console admin, the broker's own uid) */
	AUTHZ_READ_ONLY,	/* attributes only: no change, no message body */
};

struct authz_who {
	const char *user;	/* for messages; NULL: "(anonymous)" */
	const char *peer;	/* for the log: where it asks from */
	enum authz_level level;
	/* For a read-only refusal: how to get more (a sentence), or NULL. */
	const char *hint;
};

/* Whether c may do op on the destination; when not, ActiveMQ's words for
 * it in err ("User app is not authorized to write to: queue://Q"), and
 * the refusal is logged. */
bool authz_allows(const struct conn *c, enum authz_op op, enum dest_type type,
		  const char *name, char *err, size_t errlen);
/* What a protocol asks before a send or a subscription: op on the
 * destination and, when it does not exist yet (a pattern creates
 * nothing), admin to create it. Looks nothing up without authorization. */
bool authz_allows_use(const struct conn *c, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen);
/* authz_user_may_use's answer: yes, no, or not while the destination does
 * not exist (the user may do op on it, not create it). */
enum authz_answer { AUTHZ_YES, AUTHZ_NO, AUTHZ_NOT_TO_CREATE };

/* Whether user (NULL: none) may do op on the destination, and admin to
 * create it when it does not exist yet, as authz_allows_use asks of a
 * connection, but quietly: ActiveMQ's words in err when not, for the
 * caller to say once (a bridge hears the same demand at every advisory).
 * AUTHZ_YES without authorization. */
enum authz_answer authz_user_may_use(const char *user, enum authz_op op, enum dest_type type,
				     const char *name, char *err, size_t errlen);

/* Whether who may do op on the destination, as authz_allows_use: when
 * the destination does not exist yet (it would be made), admin too. When
 * not, ActiveMQ's words in err ("User u is not authorized to administer:
 * queue://q"), logged once. */
bool authz_who_allows(const struct authz_who *who, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen);
/* Whether who is a broker admin, for `what` ("stop the broker"); when
 * not, "User u is not authorized to <what>: ..." in err, logged once. */
bool authz_who_broker_admin(const struct authz_who *who, const char *what, char *err,
			    size_t errlen);

#endif
