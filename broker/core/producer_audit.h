/*
 * producer_audit.h - ActiveMQ's producer audit: message ids a producer
 * sent already, so that a resend does not store a second copy.
 *
 * An OpenWire client's failover transport sends again every command it
 * had no answer to when the connection broke, with the same MessageId
 * (producer id and sequence): without the audit, a message the old master
 * stored just before it died would be stored twice. An id is
 * PRODUCER:SEQUENCE (what follows the last ':' is the sequence). The last
 * PRODUCER_AUDIT_DEPTH sequences of each of the PRODUCER_AUDIT_PRODUCERS
 * producers heard from most recently are remembered, as ActiveMQ's
 * failoverProducersAuditDepth and maxFailoverProducersToTrack do; an
 * older sequence is let through (a client resends only what it sent
 * last). The new master of a pair learns the ids of the newest messages
 * in the store (broker.c load_audit) when the audit is first asked.
 *
 * Whose audit an id goes into (`who`, publish.c audit_of): a client's
 * own ids ("c:LOGIN": OpenWire's that name the client's own ConnectionId,
 * openwire_send.c), or a network bridge's, which forwards other brokers'
 * clients' ids ("b:LOGIN"), each by the login it came with (the user
 * name, "" for none). A bridge's forwarded ids go into its login's audit
 * only: a client that says it is a bridge, under another login, cannot
 * get a client's or a real bridge's next message dropped as a resend (and
 * answered as taken, so lost) by sending its MessageId first. Not by the
 * remote's BrokerId: ActiveMQ makes a new one at each start and the other
 * node of a pair has its own, and their bridges' resends must still be
 * known (t/80-network-activemq-kill.t). A client's own are its login's
 * too: a ConnectionId is no secret (every JMSMessageID a consumer gets
 * starts with its producer's), and a client that sends on a connection
 * with another's ConnectionId, under another login, reaches no audit of
 * that other's; its failover transport logs in again as itself.
 *
 * The ids a master loads from the store go back into the audit each was
 * in when its message was taken: the store keeps that with the message
 * (message.h `audit`: who), and an id that was in none
 * (another client's id sent first, a transaction's send) goes into
 * none. Tandem's STOMP bridges are audited as OpenWire bridges are
 * (stomp.c): a resend after a crash between a commit and its RECEIPT
 * was stored twice (t/80-network-crash-resend.t). Were they in every audit, as they were before
 * the store kept this, a MessageId that a client sent first under another
 * client's ConnectionId would get that client's next message dropped
 * after the next takeover or restart (its failover resend, or its real
 * next send), and answered as taken: lost
 * (t/29-openwire-forged-takeover.t). A row that does not say (an older
 * store's, an older tandemd's, a KahaDB import's) is in every audit
 * (STORED_IDS), as ActiveMQ rebuilds its one audit from every message of
 * its store (MessageDatabase's producerSequenceIdTracker): a resend of a
 * message taken before the upgrade or the import is still known, which
 * was the point of loading the audit at all.
 *
 * Loop thread only.
 */
#ifndef TANDEM_PRODUCER_AUDIT_H
#define TANDEM_PRODUCER_AUDIT_H

#include <stdbool.h>

#define PRODUCER_AUDIT_DEPTH 2048
#define PRODUCER_AUDIT_PRODUCERS 1024

/* Anyone's: the ids of the store whose rows do not say whose they were
 * (producer_audit_add_stored). */
extern const char STORED_IDS[];

/* The store keeps with a message who its id went to (message.h audit):
 * "c:LOGIN" or "b:LOGIN" as above, PRODUCER_AUDIT_ANY anyone's (what a
 * row written before the store kept it reads as, and what a KahaDB import
 * writes), NULL none. */
#define PRODUCER_AUDIT_ANY "*"
/* Remembers id, read back from the store with what it kept, in that
 * audit (STORED_IDS for PRODUCER_AUDIT_ANY or anything else this tandemd
 * does not know); in none for NULL. */
void producer_audit_add_stored(const char *who, const char *id);

/* True when id went into who's audit before, or into anyone's
 * (STORED_IDS). */
bool producer_audit_seen(const char *who, const char *id);
/* Remembers id in who's audit; one that is no PRODUCER:SEQUENCE, or when
 * memory runs out, is not remembered (a resend would then be stored
 * again, as without the audit). */
void producer_audit_add(const char *who, const char *id);
/* Forgets id from every audit (a message whose commit failed was never
 * taken: its resend must be). */
void producer_audit_forget(const char *id);
/* load (which calls producer_audit_add_stored()) runs before the audit
 * is next asked whether it saw an id; producer_audit_free forgets it. */
void producer_audit_defer(void (*load)(void));
/* Runs the deferred load now, if it has not run: before the first
 * consumer takes a message out of the store (consumer.c). Else a
 * message stored just before a crash and consumed after the restart was
 * gone from the store when its sender's resend came, and was stored and
 * delivered twice (t/80-network-activemq-duplex-out-kill.t). */
void producer_audit_load(void);
void producer_audit_free(void);

#endif
