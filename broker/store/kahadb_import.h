/*
 * kahadb_import.h - an ActiveMQ KahaDB store taken over: what its journal
 * still holds (kahadb_replay.h) becomes Tandem's, before the broker
 * serves.
 *
 * The messages are OpenWire-marshalled (ActiveMQ's store wire format,
 * version 11, loose encoding) and read with the OpenWire codec; each
 * becomes a core message, as if its producer had sent it to Tandem, with
 * its message id, priority and expiry. A message that does not decode
 * stops the import.
 *
 * Order of an import: replay the whole journal (nothing is written if it
 * cannot be read completely; the replay keeps where each pending message
 * is, not its bytes), write every message row a batch at a time under a
 * staging container, then in one commit every queue's and durable
 * subscription's entries, the subscriptions and the prepared transactions
 * (a crash before that commit leaves only the staging container, removed
 * by the next import), then move the KahaDB files into
 * DIR/kahadb-imported-TIME/ (never deleted). Memory follows what is
 * pending (some 200 bytes a message) and a batch (16 MB of bodies), not
 * the journal's size. ActiveMQ's scheduled messages are counted and said,
 * not imported (kahadb_scheduler.h). A second
 * start finds no KahaDB file. The same commit writes a marker, a message
 * whose id is the journal's fingerprint (its command count and the place
 * of its last record) in the container KAHADB_IMPORTED: a journal found
 * again after a crash between the commit and the move, or moved back by
 * hand, is moved aside again and not imported twice.
 *
 * A prepared XA transaction is kept prepared (its messages, the entries
 * it acked, its id, as txn.h keeps OpenWire's), under the key
 * openwire_tx.c reads its XID back from: a client's XA recovery finds it
 * and commits or rolls it back.
 *
 * A message keeps the deliveries ActiveMQ counted (its redeliveryCounter,
 * which persistJMSRedelivered keeps in the journal): a JMS consumer sees
 * JMSRedelivered and JMSXDeliveryCount as ActiveMQ would have shown them.
 * A durable subscription keeps its selector and noLocal (its
 * SubscriptionInfo, read with the OpenWire codec); a selector Tandem
 * cannot compile stops the import.
 */
#ifndef TANDEM_KAHADB_IMPORT_H
#define TANDEM_KAHADB_IMPORT_H

#include <stddef.h>
#include <stdio.h>

struct store;
struct kahadb_replay;

/* The store containers of the import markers (see above) and of the rows
 * of an import under way (kahadb_import.c, "Writing"); the broker loads
 * nothing from them. */
#define KAHADB_CONTAINER_PREFIX "kahadb://"
#define KAHADB_IMPORTED "kahadb://imported"

/* Prints what an import of dir would bring, one line per queue and per
 * durable subscription ("queue://a: 7 message(s)"), then the totals, to
 * out (NULL: nothing printed, a check only). 0, or -1 with the reason in
 * err (as the import would fail). */
int kahadb_dry_run(const char *dir, FILE *out, char *err, size_t errlen);

/* Whether everything r holds can be imported: each message decodes into
 * a core message, each prepared transaction is an XA one. 0, or -1 with
 * the first reason in err. */
int kahadb_import_check(struct kahadb_replay *r, char *err, size_t errlen);

/* Imports dir's KahaDB store into st (open, nothing loaded from it yet)
 * and moves the KahaDB files aside. 0, with what was imported logged (and
 * the scheduled messages of a scheduler store beside dir or in
 * scheduler_dir, when not NULL, warned of); -1 with the reason in err,
 * the KahaDB files untouched. */
int kahadb_import(const char *dir, const char *scheduler_dir, struct store *st, char *err,
		  size_t errlen);

#endif
