/*
 * dispatch_mark.h - how far a queue's consumers got, kept in the store so
 * that a master taking over marks what the last one may have delivered.
 *
 * ActiveMQ without persistJMSRedelivered delivers the messages a killed
 * master had dispatched (unacked) as if new: JMSRedelivered false,
 * JMSXDeliveryCount 1. With it, ActiveMQ writes each message's count
 * before dispatching it, a store write waited for per dispatch. Tandem
 * writes less and never waits: per queue and priority, the highest seq
 * handed to a consumer (store_mark_dispatched), one row updated in the
 * store's next group commit whatever number of messages a dispatch round
 * gave out. Messages of a priority leave in seq order, so an entry loaded
 * at start-up at or below its mark may have been delivered (JMS allows
 * JMSRedelivered then): it goes out with one redelivery counted.
 *
 * What it costs in precision, said once here: a message a selector or a
 * held commit left behind a dispatched one is marked too; a message
 * dispatched in the last group commit's window (a few milliseconds) before
 * a kill -9 is not, as its mark had not reached the disk.
 */
#ifndef TANDEM_DISPATCH_MARK_H
#define TANDEM_DISPATCH_MARK_H

#include <stdbool.h>
#include <stdint.h>

#include "message.h"

struct queue;

/* e (of q, kept in the store) was handed to a consumer. */
void dispatch_mark_sent(struct queue *q, const struct message *m);
/* Queues the store writes of the marks q's dispatch round raised. */
void dispatch_mark_write(struct queue *q);
/* Start-up: the store's mark of q (store_load_marks); -1 out of memory. */
int dispatch_mark_loaded(struct queue *q, int priority, uint64_t seq);
/* True when m, loaded from the store into q, may have been delivered by
 * the broker that stored it. */
bool dispatch_mark_covers(const struct queue *q, const struct message *m);
/* Frees q's marks (the queue goes). */
void dispatch_mark_free(struct queue *q);

#endif
