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
 * Loop thread only.
 */
#ifndef TANDEM_PRODUCER_AUDIT_H
#define TANDEM_PRODUCER_AUDIT_H

#include <stdbool.h>

#define PRODUCER_AUDIT_DEPTH 2048
#define PRODUCER_AUDIT_PRODUCERS 1024

/* True when id went in before (remembered by producer_audit_add). */
bool producer_audit_seen(const char *id);
/* Remembers id; one that is no PRODUCER:SEQUENCE, or when memory runs
 * out, is not remembered (a resend would then be stored again, as
 * without the audit). */
void producer_audit_add(const char *id);
/* Forgets id (a message whose commit failed was never taken: its resend
 * must be). */
void producer_audit_forget(const char *id);
/* load (which calls producer_audit_add) runs before the audit is next
 * asked whether it saw an id; producer_audit_free forgets it. */
void producer_audit_defer(void (*load)(void));
/* Runs the deferred load now, if it has not run: before the first
 * consumer takes a message out of the store (consumer.c). Else a
 * message stored just before a crash and consumed after the restart was
 * gone from the store when its sender's resend came, and was stored and
 * delivered twice (t/80-network-activemq-duplex-out-kill.t). */
void producer_audit_load(void);
void producer_audit_free(void);

#endif
